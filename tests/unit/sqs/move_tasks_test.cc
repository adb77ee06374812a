// Message move tasks (sqs-api.md §2.18–2.20, §5.11) through their handlers: redrive to each
// message's own source or to a given destination, the rate limit, completion, cancellation, one
// running task per source, a destination that disappears, the errors with their exact texts,
// ListMessageMoveTasks' shape, FIFO order, and (over a RocksStore) a task that resumes after a
// restart. A running task wakes every 100 ms on the ManualClock; nothing sleeps.

#include "sqs/move_tasks.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "common/base64.h"
#include "common/manual_clock.h"
#include "sqs/handlers/handlers.h"
#include "sqs/service.h"
#include "sqs_test_support.h"
#include "storage/rocks_store.h"
#include "storage_key.h"
#include "sync_store.h"
#include "temp_dir.h"

namespace wharf::sqs::testing {
namespace {

using api::ErrorCode;

constexpr char kAccount[] = "000000000000";
constexpr char kSourceMissingText[] =
    "The resource that you specified for the SourceArn parameter doesn't exist.";
constexpr char kDestinationMissingText[] =
    "The resource that you specified for the DestinationArn parameter doesn't exist.";
constexpr char kArnFormatText[] =
    "You must use this format to specify the SourceArn: "
    "arn:<partition>:<service>:<region>:<account-id>:<resource-id>";
constexpr char kAlreadyRunningText[] =
    "There is already a task running. Only one active task is allowed for a source queue arn at "
    "a given time.";

std::string ArnOf(const std::string& name, const std::string& account = kAccount) {
  return "arn:aws:sqs:us-east-1:" + account + ":" + name;
}

std::string UrlOf(const std::string& name) { return "http://localhost:9324/000000000000/" + name; }

std::string RedrivePolicyFor(const std::string& dlq_name, int64_t max_receive_count = 1) {
  return R"({"deadLetterTargetArn":")" + ArnOf(dlq_name) + R"(","maxReceiveCount":)" +
         std::to_string(max_receive_count) + "}";
}

std::string SystemAttribute(const a::Message& m, const std::string& name) {
  const std::string* v = FindPair(m.attributes, name);
  return v ? *v : "<absent>";
}

template <typename T>
std::string TextOf(const api::ApiResult<T>& r) {
  return r.ok() ? std::string("<ok>") : r.error().message;
}

template <typename T>
void ExpectError(const api::ApiResult<T>& r, ErrorCode code, std::optional<std::string> text,
                 int http_status = 0) {
  ASSERT_FALSE(r.ok()) << "expected error " << api::InfoOf(code).query_code;
  EXPECT_EQ(r.error().code, code) << r.error().message;
  if (text) {
    EXPECT_EQ(r.error().message, *text);
  }
  if (http_status) {
    EXPECT_EQ(api::InfoOf(r.error().code).http_status, http_status);
  }
}

// The calls every fixture here makes, on top of a service-specific Run().
template <typename Fixture>
class MoveTaskCalls {
 public:
  api::ApiResult<a::StartMessageMoveTaskOutput> StartTask(
      std::optional<std::string> source, std::optional<std::string> destination = std::nullopt,
      std::optional<int64_t> rate = std::nullopt) {
    return self().Run(
        &sqs::StartMessageMoveTask,
        a::StartMessageMoveTaskInput{std::move(source), std::move(destination), rate});
  }
  std::string MustStart(const std::string& source,
                        std::optional<std::string> destination = std::nullopt,
                        std::optional<int64_t> rate = std::nullopt) {
    auto r = StartTask(source, std::move(destination), rate);
    EXPECT_TRUE(r.ok()) << TextOf(r);
    return r.ok() ? r->task_handle : std::string();
  }
  api::ApiResult<a::ListMessageMoveTasksOutput> ListTasks(
      std::optional<std::string> source, std::optional<int64_t> max = std::nullopt) {
    return self().Run(&sqs::ListMessageMoveTasks,
                      a::ListMessageMoveTasksInput{std::move(source), max});
  }
  // The most recent task of `source`.
  a::ListMessageMoveTasksResultEntry Latest(const std::string& source) {
    auto r = ListTasks(source);
    EXPECT_TRUE(r.ok()) << TextOf(r);
    if (!r.ok() || r->results.size() != 1) {
      ADD_FAILURE() << "no task listed for " << source;
      return {};
    }
    return r->results[0];
  }
  api::ApiResult<a::CancelMessageMoveTaskOutput> CancelTask(std::optional<std::string> handle) {
    return self().Run(&sqs::CancelMessageMoveTask,
                      a::CancelMessageMoveTaskInput{std::move(handle)});
  }

 private:
  Fixture& self() { return static_cast<Fixture&>(*this); }
};

// =============================================================================================
// Over a MemoryStore
// =============================================================================================

class MoveTaskTest : public SqsServiceTest, public MoveTaskCalls<MoveTaskTest> {
 public:
  using SqsServiceTest::Run;

 protected:
  // Ticks of the tasks' 100 ms timer.
  void Tick(int n = 1) {
    for (int i = 0; i < n; ++i) clock_.Advance(Millis(100));
  }
  // Ticks until the latest task of `source` is no longer RUNNING (at most `max_ticks`).
  a::ListMessageMoveTasksResultEntry RunToEnd(const std::string& source, int max_ticks = 100) {
    for (int i = 0; i < max_ticks && Latest(source).status == "RUNNING"; ++i) Tick();
    return Latest(source);
  }

  int64_t Visible(const std::string& url) { return std::stoll(std::get<0>(Counts(url))); }
  int64_t InFlight(const std::string& url) { return std::stoll(std::get<1>(Counts(url))); }

  std::vector<a::Message> ReceiveFrom(const std::string& url, int64_t max = 10,
                                      std::optional<int64_t> visibility = std::nullopt) {
    a::ReceiveMessageInput in;
    in.queue_url = url;
    in.max_number_of_messages = max;
    in.visibility_timeout = visibility;
    in.attribute_names = {"All"};
    in.message_attribute_names = {"All"};
    return Receive(std::move(in));
  }
  // Receives and deletes until nothing is left (deleting unblocks FIFO groups).
  std::vector<a::Message> Drain(const std::string& url) {
    std::vector<a::Message> out;
    for (int i = 0; i < 1000; ++i) {
      auto got = ReceiveFrom(url, 10, 3600);
      if (got.empty()) break;
      for (const a::Message& m : got) {
        EXPECT_TRUE(Run(&sqs::DeleteMessage, a::DeleteMessageInput{url, m.receipt_handle}).ok());
      }
      out.insert(out.end(), got.begin(), got.end());
    }
    return out;
  }

  a::SendMessageOutput SendTo(const std::string& url, const std::string& body,
                              std::optional<std::string> group = std::nullopt) {
    a::SendMessageInput in;
    in.queue_url = url;
    in.message_body = body;
    in.message_attributes = {{"Origin", StringAttr("String", "attr of " + body)}};
    if (group) {
      in.message_group_id = group;
      in.message_deduplication_id = body;
    }
    auto out = Run(&sqs::SendMessage, std::move(in));
    EXPECT_TRUE(out.ok()) << TextOf(out);
    if (out.ok()) sent_[body] = *out;
    return out.ok() ? *out : a::SendMessageOutput{};
  }

  // Sends `bodies` to `source` (maxReceiveCount 1) and moves them all into its DLQ.
  void DeadLetter(const std::string& source, const std::vector<std::string>& bodies,
                  std::optional<std::string> group = std::nullopt) {
    for (const std::string& body : bodies) SendTo(source, body, group);
    size_t received = 0;
    for (int i = 0; i < 100 && received < bodies.size(); ++i) {
      const size_t n = ReceiveFrom(source, 10, 0).size();
      if (n == 0) break;
      received += n;
    }
    ASSERT_EQ(received, bodies.size()) << "every message received once";
    for (int i = 0; i < 100 && Visible(source) > 0; ++i) {
      ASSERT_TRUE(ReceiveFrom(source, 10, 0).empty()) << "the second receive moves them";
    }
    ASSERT_EQ(Visible(source), 0);
  }

  static std::vector<std::string> Bodies(const std::string& prefix, int n) {
    std::vector<std::string> out;
    for (int i = 0; i < n; ++i) out.push_back(prefix + std::to_string(i));
    return out;
  }
  static std::multiset<std::string> BodySet(const std::vector<a::Message>& messages) {
    std::multiset<std::string> out;
    for (const auto& m : messages) out.insert(m.body);
    return out;
  }

  std::map<std::string, a::SendMessageOutput> sent_;
};

TEST_F(MoveTaskTest, WithoutDestinationEachMessageGoesBackToItsOwnSource) {
  const std::string dlq = CreateQueue("dlq");
  const std::string src_a = CreateQueue("src-a", {{"RedrivePolicy", RedrivePolicyFor("dlq")}});
  const std::string src_b = CreateQueue("src-b", {{"RedrivePolicy", RedrivePolicyFor("dlq")}});
  ASSERT_NO_FATAL_FAILURE(DeadLetter(src_a, {"a0", "a1", "a2"}));
  ASSERT_NO_FATAL_FAILURE(DeadLetter(src_b, {"b0", "b1"}));
  ASSERT_EQ(Visible(dlq), 5);

  const int64_t started = clock_.WallMillis();
  const std::string handle = MustStart(ArnOf("dlq"));
  a::ListMessageMoveTasksResultEntry running = Latest(ArnOf("dlq"));
  EXPECT_EQ(running.status, "RUNNING");
  EXPECT_EQ(running.task_handle, handle) << "the handle is listed while RUNNING";
  EXPECT_EQ(running.source_arn, ArnOf("dlq"));
  EXPECT_EQ(running.destination_arn, std::nullopt) << "only when given";
  EXPECT_EQ(running.max_number_of_messages_per_second, std::nullopt) << "only when given";
  EXPECT_EQ(running.approximate_number_of_messages_moved, 0);
  EXPECT_EQ(running.approximate_number_of_messages_to_move, 5);
  EXPECT_EQ(running.failure_reason, std::nullopt);
  EXPECT_EQ(running.started_timestamp, started);

  a::ListMessageMoveTasksResultEntry done = RunToEnd(ArnOf("dlq"));
  EXPECT_EQ(done.status, "COMPLETED");
  EXPECT_EQ(done.task_handle, std::nullopt) << "no handle once the task is over";
  EXPECT_EQ(done.approximate_number_of_messages_moved, 5);
  EXPECT_EQ(done.approximate_number_of_messages_to_move, 5);
  EXPECT_EQ(done.failure_reason, std::nullopt);
  EXPECT_EQ(done.started_timestamp, started);
  EXPECT_EQ(Counts(dlq), std::make_tuple("0", "0", "0"));
  EXPECT_EQ(Counts(src_a), std::make_tuple("3", "0", "0"));
  EXPECT_EQ(Counts(src_b), std::make_tuple("2", "0", "0"));

  // Back home, the same messages, their receive count starting again.
  auto home_a = ReceiveFrom(src_a, 10, 0);
  auto home_b = ReceiveFrom(src_b, 10, 0);
  EXPECT_EQ(BodySet(home_a), (std::multiset<std::string>{"a0", "a1", "a2"}));
  EXPECT_EQ(BodySet(home_b), (std::multiset<std::string>{"b0", "b1"}));
  for (const auto* list : {&home_a, &home_b}) {
    for (const a::Message& m : *list) {
      SCOPED_TRACE(m.body);
      EXPECT_EQ(m.message_id, sent_[m.body].message_id);
      EXPECT_EQ(m.md5_of_body, sent_[m.body].md5_of_message_body);
      EXPECT_EQ(m.md5_of_message_attributes, sent_[m.body].md5_of_message_attributes);
      EXPECT_EQ(SystemAttribute(m, "ApproximateReceiveCount"), "1") << "reset by the redrive";
      EXPECT_EQ(SystemAttribute(m, "DeadLetterQueueSourceArn"), "<absent>");
    }
  }
  // With the count reset the source's RedrivePolicy applies afresh: one more delivery (above),
  // then the next receive dead-letters them again.
  EXPECT_TRUE(ReceiveFrom(src_a, 10, 0).empty());
  EXPECT_EQ(Visible(dlq), 3);
}

TEST_F(MoveTaskTest, AnExplicitDestinationReceivesEveryMessage) {
  const std::string dlq = CreateQueue("dlq");
  const std::string src = CreateQueue("src", {{"RedrivePolicy", RedrivePolicyFor("dlq")}});
  const std::string dest = CreateQueue("dest");
  ASSERT_NO_FATAL_FAILURE(DeadLetter(src, Bodies("m", 12)));
  MustStart(ArnOf("dlq"), ArnOf("dest"), 50);
  a::ListMessageMoveTasksResultEntry running = Latest(ArnOf("dlq"));
  EXPECT_EQ(running.destination_arn, ArnOf("dest"));
  EXPECT_EQ(running.max_number_of_messages_per_second, 50);
  a::ListMessageMoveTasksResultEntry done = RunToEnd(ArnOf("dlq"));
  EXPECT_EQ(done.status, "COMPLETED");
  EXPECT_EQ(done.approximate_number_of_messages_moved, 12);
  EXPECT_EQ(done.destination_arn, ArnOf("dest"));
  EXPECT_EQ(done.max_number_of_messages_per_second, 50);
  EXPECT_EQ(Visible(dlq), 0);
  EXPECT_EQ(Visible(src), 0);
  auto moved = Drain(dest);
  std::vector<std::string> expected = Bodies("m", 12);
  EXPECT_EQ(BodySet(moved), std::multiset<std::string>(expected.begin(), expected.end()));
  for (const a::Message& m : moved) {
    EXPECT_EQ(m.message_id, sent_[m.body].message_id);
    EXPECT_EQ(SystemAttribute(m, "ApproximateReceiveCount"), "1") << m.body;
  }
}

// MaxNumberOfMessagesPerSecond is an upper bound: after t seconds at most rate×t + 1 messages
// have moved; and the task keeps up with it (at least half of rate×t).
class MoveTaskRateTest : public MoveTaskTest, public ::testing::WithParamInterface<int64_t> {};

TEST_P(MoveTaskRateTest, MovesAtMostRateTimesElapsedPlusOne) {
  const int64_t rate = GetParam();
  const std::string dlq = CreateQueue("dlq");
  CreateQueue("src", {{"RedrivePolicy", RedrivePolicyFor("dlq")}});
  const std::string dest = CreateQueue("dest");
  const int64_t total = rate * 3 + 5;  // more than 2 s can move
  for (int64_t i = 0; i < total; ++i) Send(dlq, "r" + std::to_string(i));
  MustStart(ArnOf("dlq"), ArnOf("dest"), rate);
  for (int tick = 1; tick <= 20; ++tick) {
    Tick();
    const int64_t moved = total - Visible(dlq);
    SCOPED_TRACE("after " + std::to_string(tick * 100) + " ms");
    EXPECT_LE(moved * 10, rate * tick + 10) << "moved " << moved << " at rate " << rate;
    EXPECT_EQ(Visible(dest), moved) << "what left the DLQ is in the destination";
    EXPECT_EQ(Latest(ArnOf("dlq")).approximate_number_of_messages_moved, moved);
    if (tick == 10 && rate == 10) {
      EXPECT_GE(moved, 9) << "about 10 in the first second";
    }
  }
  EXPECT_GE((total - Visible(dlq)) * 2, rate * 2) << "at least half the rate over 2 s";
  EXPECT_EQ(Latest(ArnOf("dlq")).status, "RUNNING");
}

INSTANTIATE_TEST_SUITE_P(Rates, MoveTaskRateTest, ::testing::Values(1, 5, 10, 25, 100, 500),
                         [](const auto& info) { return "Rate" + std::to_string(info.param); });

TEST_F(MoveTaskTest, WithoutARateTheTaskMovesQuicklyAndCompletes) {
  const std::string dlq = CreateQueue("dlq");
  CreateQueue("src", {{"RedrivePolicy", RedrivePolicyFor("dlq")}});
  const std::string dest = CreateQueue("dest");
  for (int i = 0; i < 120; ++i) Send(dlq, "x" + std::to_string(i));
  MustStart(ArnOf("dlq"), ArnOf("dest"));
  Tick(10);
  EXPECT_EQ(Latest(ArnOf("dlq")).status, "COMPLETED") << "120 messages within a second";
  EXPECT_EQ(Visible(dest), 120);
}

TEST_F(MoveTaskTest, CancelMidWayKeepsWhatMovedAndLeavesTheRestInTheDeadLetterQueue) {
  const std::string dlq = CreateQueue("dlq");
  const std::string src = CreateQueue("src", {{"RedrivePolicy", RedrivePolicyFor("dlq")}});
  ASSERT_NO_FATAL_FAILURE(DeadLetter(src, Bodies("c", 30)));
  const std::string handle = MustStart(ArnOf("dlq"), std::nullopt, 10);
  Tick(10);
  const int64_t moved = Visible(src);
  EXPECT_GE(moved, 8);
  EXPECT_LE(moved, 11);
  auto cancelled = CancelTask(handle);
  ASSERT_TRUE(cancelled.ok()) << TextOf(cancelled);
  EXPECT_EQ(cancelled->approximate_number_of_messages_moved, moved);
  a::ListMessageMoveTasksResultEntry entry = Latest(ArnOf("dlq"));
  EXPECT_EQ(entry.status, "CANCELLED");
  EXPECT_EQ(entry.task_handle, std::nullopt);
  EXPECT_EQ(entry.approximate_number_of_messages_moved, moved);

  Tick(30);
  EXPECT_EQ(Visible(src), moved) << "nothing moves after the cancel";
  EXPECT_EQ(Visible(dlq), 30 - moved);
  EXPECT_FALSE(CancelTask(handle).ok()) << "only a running task can be cancelled";

  // A cancelled task does not block a new one, which moves the rest.
  MustStart(ArnOf("dlq"));
  EXPECT_EQ(RunToEnd(ArnOf("dlq")).status, "COMPLETED");
  EXPECT_EQ(Visible(dlq), 0);
  std::vector<std::string> all = Bodies("c", 30);
  EXPECT_EQ(BodySet(Drain(src)), std::multiset<std::string>(all.begin(), all.end()));
}

TEST_F(MoveTaskTest, OnlyOneRunningTaskPerSource) {
  CreateQueue("dlq");
  CreateQueue("other-dlq");
  const std::string src = CreateQueue("src", {{"RedrivePolicy", RedrivePolicyFor("dlq")}});
  CreateQueue("other-src", {{"RedrivePolicy", RedrivePolicyFor("other-dlq")}});
  CreateQueue("dest");
  ASSERT_NO_FATAL_FAILURE(DeadLetter(src, Bodies("o", 20)));
  MustStart(ArnOf("dlq"), std::nullopt, 10);
  ExpectError(StartTask(ArnOf("dlq")), ErrorCode::kInvalidParameterValue, kAlreadyRunningText, 400);
  ExpectError(StartTask(ArnOf("dlq"), ArnOf("dest"), 100), ErrorCode::kInvalidParameterValue,
              kAlreadyRunningText);
  EXPECT_TRUE(StartTask(ArnOf("other-dlq")).ok()) << "another source has its own task";
  EXPECT_EQ(RunToEnd(ArnOf("dlq")).status, "COMPLETED");
  EXPECT_TRUE(StartTask(ArnOf("dlq")).ok()) << "a finished task does not block a new one";
}

TEST_F(MoveTaskTest, ADestinationDeletedMidWayFailsTheTask) {
  const std::string dlq = CreateQueue("dlq");
  const std::string src = CreateQueue("src", {{"RedrivePolicy", RedrivePolicyFor("dlq")}});
  const std::string dest = CreateQueue("dest");
  ASSERT_NO_FATAL_FAILURE(DeadLetter(src, Bodies("d", 30)));
  MustStart(ArnOf("dlq"), ArnOf("dest"), 10);
  Tick(10);
  const int64_t moved = Visible(dest);
  ASSERT_GT(moved, 0);
  ASSERT_TRUE(Run(&sqs::DeleteQueue, a::QueueUrlInput{dest}).ok());
  Tick(2);
  a::ListMessageMoveTasksResultEntry failed = Latest(ArnOf("dlq"));
  EXPECT_EQ(failed.status, "FAILED");
  EXPECT_EQ(failed.failure_reason, "AWS.SimpleQueueService.NonExistentQueue");
  EXPECT_EQ(failed.task_handle, std::nullopt);
  EXPECT_EQ(failed.approximate_number_of_messages_moved, moved);
  Tick(20);
  EXPECT_EQ(Visible(dlq), 30 - moved) << "the rest stays in the DLQ";
  EXPECT_TRUE(StartTask(ArnOf("dlq")).ok()) << "a failed task does not block a new one";
}

TEST_F(MoveTaskTest, AnOriginalSourceDeletedMidWayFailsTheTaskAndKeepsItsMessages) {
  const std::string dlq = CreateQueue("dlq");
  const std::string src = CreateQueue("src", {{"RedrivePolicy", RedrivePolicyFor("dlq")}});
  // Keeps "dlq" a dead-letter queue after "src" is gone.
  CreateQueue("keeper", {{"RedrivePolicy", RedrivePolicyFor("dlq")}});
  ASSERT_NO_FATAL_FAILURE(DeadLetter(src, Bodies("s", 30)));
  MustStart(ArnOf("dlq"), std::nullopt, 10);
  Tick(10);
  const int64_t moved = Latest(ArnOf("dlq")).approximate_number_of_messages_moved;
  ASSERT_GT(moved, 0);
  ASSERT_TRUE(Run(&sqs::DeleteQueue, a::QueueUrlInput{src}).ok());
  Tick(2);
  a::ListMessageMoveTasksResultEntry failed = Latest(ArnOf("dlq"));
  EXPECT_EQ(failed.status, "FAILED");
  EXPECT_EQ(failed.failure_reason, "AWS.SimpleQueueService.NonExistentQueue");
  EXPECT_EQ(failed.approximate_number_of_messages_moved, moved);
  EXPECT_EQ(Visible(dlq), 30 - moved);
}

TEST_F(MoveTaskTest, TheTaskCompletesWithMessagesStillInFlightInTheDeadLetterQueue) {
  const std::string dlq = CreateQueue("dlq");
  const std::string src = CreateQueue("src", {{"RedrivePolicy", RedrivePolicyFor("dlq")}});
  ASSERT_NO_FATAL_FAILURE(DeadLetter(src, Bodies("f", 5)));
  ASSERT_EQ(ReceiveFrom(dlq, 2, 60).size(), 2u);
  MustStart(ArnOf("dlq"));
  EXPECT_EQ(Latest(ArnOf("dlq")).approximate_number_of_messages_to_move, 3)
      << "§5.11: the visible messages at the start";
  a::ListMessageMoveTasksResultEntry done = RunToEnd(ArnOf("dlq"));
  EXPECT_EQ(done.status, "COMPLETED");
  EXPECT_EQ(done.approximate_number_of_messages_moved, 3);
  EXPECT_EQ(Counts(dlq), std::make_tuple("0", "2", "0"));
  EXPECT_EQ(Visible(src), 3);
}

TEST_F(MoveTaskTest, FifoRedriveKeepsTheOrderOfEachGroup) {
  const std::string dlq = CreateQueue("dlq.fifo", {{"FifoQueue", "true"}});
  const std::string src = CreateQueue(
      "src.fifo", {{"FifoQueue", "true"}, {"RedrivePolicy", RedrivePolicyFor("dlq.fifo")}});
  std::vector<std::string> g1 = Bodies("g1-", 7), g2 = Bodies("g2-", 4);
  ASSERT_NO_FATAL_FAILURE(DeadLetter(src, g1, "g1"));
  ASSERT_NO_FATAL_FAILURE(DeadLetter(src, g2, "g2"));
  ASSERT_EQ(Visible(dlq), 11);
  MustStart(ArnOf("dlq.fifo"), std::nullopt, 20);  // two per tick: groups move piecewise
  EXPECT_EQ(RunToEnd(ArnOf("dlq.fifo")).status, "COMPLETED");
  EXPECT_EQ(Visible(src), 11);
  std::map<std::string, std::vector<std::string>> order;
  for (const a::Message& m : Drain(src)) {
    order[SystemAttribute(m, "MessageGroupId")].push_back(m.body);
    EXPECT_EQ(SystemAttribute(m, "ApproximateReceiveCount"), "1") << m.body;
    EXPECT_EQ(SystemAttribute(m, "MessageDeduplicationId"), m.body);
  }
  EXPECT_EQ(order["g1"], g1);
  EXPECT_EQ(order["g2"], g2);
}

// --- errors (§2.18–2.20, §6.3) -------------------------------------------------------------

TEST_F(MoveTaskTest, StartMessageMoveTaskErrors) {
  CreateQueue("dlq");
  CreateQueue("src", {{"RedrivePolicy", RedrivePolicyFor("dlq")}});
  CreateQueue("plain");
  CreateQueue("fifo-dest.fifo", {{"FifoQueue", "true"}});
  ctx_.account_id = "111111111111";
  CreateQueue("foreign-dlq");
  CreateQueue("foreign-src", {{"RedrivePolicy", R"({"deadLetterTargetArn":")" +
                                                    ArnOf("foreign-dlq", "111111111111") +
                                                    R"(","maxReceiveCount":1})"}});
  ctx_.account_id = kAccount;

  ExpectError(StartTask(std::nullopt), ErrorCode::kMissingParameter,
              "The request must contain the parameter SourceArn.");
  for (const char* bad : {"not-an-arn", "arn:aws:sqs:us-east-1", "arn:aws:sqs:us-east-1:0:"}) {
    SCOPED_TRACE(bad);
    ExpectError(StartTask(std::string(bad)), ErrorCode::kInvalidParameterValue, kArnFormatText,
                400);
  }
  ExpectError(StartTask(ArnOf("missing")), ErrorCode::kResourceNotFound, kSourceMissingText, 404);
  ExpectError(StartTask(ArnOf("foreign-dlq", "111111111111")), ErrorCode::kResourceNotFound,
              kSourceMissingText, 404);
  ExpectError(StartTask("arn:aws:sqs:eu-west-1:000000000000:dlq"), ErrorCode::kResourceNotFound,
              kSourceMissingText, 404);
  ExpectError(StartTask(ArnOf("plain")), ErrorCode::kInvalidParameterValue,
              "Source queue must be configured as a Dead Letter Queue.", 400);
  ExpectError(StartTask(ArnOf("src")), ErrorCode::kInvalidParameterValue,
              "Source queue must be configured as a Dead Letter Queue.");
  ExpectError(StartTask(ArnOf("dlq"), ArnOf("missing")), ErrorCode::kResourceNotFound,
              kDestinationMissingText, 404);
  ExpectError(StartTask(ArnOf("dlq"), ArnOf("foreign-dlq", "111111111111")),
              ErrorCode::kResourceNotFound, kDestinationMissingText, 404);
  ExpectError(StartTask(ArnOf("dlq"), ArnOf("fifo-dest.fifo")), ErrorCode::kInvalidParameterValue,
              std::nullopt);
  for (int64_t rate : {0, 501, -1}) {
    SCOPED_TRACE(rate);
    ExpectError(StartTask(ArnOf("dlq"), std::nullopt, rate), ErrorCode::kInvalidParameterValue,
                std::nullopt, 400);
  }
  EXPECT_TRUE(ListTasks(ArnOf("dlq"))->results.empty()) << "no failed start leaves a task";
  for (int64_t rate : {1, 500}) {
    auto handle = StartTask(ArnOf("dlq"), std::nullopt, rate);
    ASSERT_TRUE(handle.ok()) << rate << ": " << TextOf(handle);
    ASSERT_TRUE(CancelTask(handle->task_handle).ok());
  }
  // Once its only source stops pointing at it, a queue is no longer a dead-letter queue.
  ASSERT_TRUE(Run(&sqs::SetQueueAttributes,
                  a::SetQueueAttributesInput{UrlOf("src"), {{"RedrivePolicy", ""}}})
                  .ok());
  ExpectError(StartTask(ArnOf("dlq")), ErrorCode::kInvalidParameterValue,
              "Source queue must be configured as a Dead Letter Queue.");
}

TEST_F(MoveTaskTest, CancelMessageMoveTaskErrors) {
  CreateQueue("dlq");
  const std::string src = CreateQueue("src", {{"RedrivePolicy", RedrivePolicyFor("dlq")}});
  ExpectError(CancelTask(std::nullopt), ErrorCode::kMissingParameter,
              "The request must contain the parameter TaskHandle.");
  for (const std::string& bad :
       {std::string("not a handle!"), Base64Encode("not json"),
        Base64Encode(R"({"taskId":"only-an-id"})"), Base64Encode(R"({"sourceArn":"arn:x"})")}) {
    SCOPED_TRACE(bad);
    ExpectError(CancelTask(bad), ErrorCode::kInvalidParameterValue,
                "Value for parameter TaskHandle is invalid.", 400);
  }
  ExpectError(CancelTask(EncodeTaskHandle("00000000-0000-4000-8000-000000000000", ArnOf("gone"))),
              ErrorCode::kResourceNotFound, kSourceMissingText, 404);
  ExpectError(CancelTask(EncodeTaskHandle("00000000-0000-4000-8000-000000000000", ArnOf("dlq"))),
              ErrorCode::kResourceNotFound, "Task does not exist.", 404);
  // A real task id under another source is not that source's task.
  ASSERT_NO_FATAL_FAILURE(DeadLetter(src, {"x"}));
  const std::string handle = MustStart(ArnOf("dlq"));
  auto decoded = DecodeTaskHandle(handle);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->second, ArnOf("dlq"));
  ExpectError(CancelTask(EncodeTaskHandle(decoded->first, ArnOf("src"))),
              ErrorCode::kResourceNotFound, "Task does not exist.");
  EXPECT_EQ(RunToEnd(ArnOf("dlq")).status, "COMPLETED");
  auto late = CancelTask(handle);
  ASSERT_FALSE(late.ok()) << "§2.19: only a RUNNING task can be cancelled";
  EXPECT_EQ(Latest(ArnOf("dlq")).status, "COMPLETED") << "and the failed cancel changes nothing";
}

TEST_F(MoveTaskTest, ListMessageMoveTasksShowsTheNewestFirstAndHandlesOnlyWhileRunning) {
  const std::string dlq = CreateQueue("dlq");
  CreateQueue("src", {{"RedrivePolicy", RedrivePolicyFor("dlq")}});
  CreateQueue("dest");
  CreateQueue("other-dlq");
  CreateQueue("other-src", {{"RedrivePolicy", RedrivePolicyFor("other-dlq")}});
  auto none = ListTasks(ArnOf("dlq"), 10);
  ASSERT_TRUE(none.ok()) << TextOf(none);
  EXPECT_TRUE(none->results.empty());

  for (int i = 0; i < 40; ++i) Send(dlq, "l" + std::to_string(i));
  std::vector<int64_t> started;
  // 1: cancelled at once, with a destination.
  started.push_back(clock_.WallMillis());
  ASSERT_TRUE(CancelTask(MustStart(ArnOf("dlq"), ArnOf("dest"))).ok());
  clock_.Advance(Seconds(1));
  // 2: cancelled, with a rate.
  started.push_back(clock_.WallMillis());
  ASSERT_TRUE(CancelTask(MustStart(ArnOf("dlq"), ArnOf("dest"), 7)).ok());
  clock_.Advance(Seconds(1));
  // 3: running, with both.
  started.push_back(clock_.WallMillis());
  const std::string running = MustStart(ArnOf("dlq"), ArnOf("dest"), 10);
  MustStart(ArnOf("other-dlq"));  // another source's task is never listed here

  auto latest = ListTasks(ArnOf("dlq"));
  ASSERT_TRUE(latest.ok()) << TextOf(latest);
  ASSERT_EQ(latest->results.size(), 1u) << "MaxResults defaults to 1";
  EXPECT_EQ(latest->results[0].task_handle, running);

  auto all = ListTasks(ArnOf("dlq"), 10);
  ASSERT_TRUE(all.ok()) << TextOf(all);
  ASSERT_EQ(all->results.size(), 3u);
  const auto& r = all->results;
  EXPECT_EQ(r[0].started_timestamp, started[2]);
  EXPECT_EQ(r[1].started_timestamp, started[1]);
  EXPECT_EQ(r[2].started_timestamp, started[0]);
  EXPECT_EQ(r[0].status, "RUNNING");
  EXPECT_EQ(r[1].status, "CANCELLED");
  EXPECT_EQ(r[2].status, "CANCELLED");
  EXPECT_EQ(r[0].task_handle, running);
  EXPECT_EQ(r[1].task_handle, std::nullopt);
  EXPECT_EQ(r[2].task_handle, std::nullopt);
  EXPECT_EQ(r[0].max_number_of_messages_per_second, 10);
  EXPECT_EQ(r[1].max_number_of_messages_per_second, 7);
  EXPECT_EQ(r[2].max_number_of_messages_per_second, std::nullopt);
  for (const auto& entry : r) {
    EXPECT_EQ(entry.source_arn, ArnOf("dlq"));
    EXPECT_EQ(entry.destination_arn, ArnOf("dest"));
    EXPECT_EQ(entry.failure_reason, std::nullopt);
  }
  auto two = ListTasks(ArnOf("dlq"), 2);
  ASSERT_TRUE(two.ok());
  ASSERT_EQ(two->results.size(), 2u);
  EXPECT_EQ(two->results[1].started_timestamp, started[1]);

  // The listed handle cancels the running task.
  ASSERT_TRUE(CancelTask(*r[0].task_handle).ok());
  EXPECT_EQ(Latest(ArnOf("dlq")).status, "CANCELLED");

  for (int64_t bad : {0, 11}) {
    SCOPED_TRACE(bad);
    ExpectError(ListTasks(ArnOf("dlq"), bad), ErrorCode::kInvalidParameterValue, std::nullopt, 400);
  }
  EXPECT_TRUE(ListTasks(ArnOf("dlq"), 1).ok());
  ExpectError(ListTasks(std::nullopt), ErrorCode::kMissingParameter,
              "The request must contain the parameter SourceArn.");
  ExpectError(ListTasks(std::string("not-an-arn")), ErrorCode::kInvalidParameterValue,
              kArnFormatText);
  ExpectError(ListTasks(ArnOf("missing")), ErrorCode::kResourceNotFound, kSourceMissingText, 404);
  EXPECT_EQ(Latest(ArnOf("other-dlq")).source_arn, ArnOf("other-dlq"));
}

// =============================================================================================
// Over a RocksStore: a task resumes after a restart
// =============================================================================================

class MoveTaskRestartTest : public ::testing::Test, public MoveTaskCalls<MoveTaskRestartTest> {
 protected:
  struct Node {
    Node(const std::string& directory, int64_t wall_millis) : clock(wall_millis) {
      storage::RocksOptions options;
      options.directory = directory;
      options.sealing_key = wharf::testing::TestStorageKey();
      auto opened = storage::RocksStore::Open(options);
      if (!opened.ok()) {
        ADD_FAILURE() << "open: " << opened.error().detail;
        return;
      }
      rocks = std::move(opened).value();
      store = std::make_unique<SyncStore>(*rocks);
      service = std::make_unique<SqsService>(clock, clock, *store, ServiceOptions{});
    }
    ~Node() {
      service.reset();
      if (rocks) rocks->Close();
    }
    ManualClock clock;
    std::unique_ptr<storage::RocksStore> rocks;
    std::unique_ptr<SyncStore> store;
    std::unique_ptr<SqsService> service;
  };

  ~MoveTaskRestartTest() override { node_.reset(); }  // before the directory goes
  void SetUp() override {
    node_ = std::make_unique<Node>((dir_ / "db").string(), 1'700'000'000'000);
    ASSERT_NE(node_->service, nullptr);
  }
  void Restart() {
    const int64_t wall = node_->clock.WallMillis();
    node_.reset();
    node_ = std::make_unique<Node>((dir_ / "db").string(), wall);
    ASSERT_NE(node_->service, nullptr);
    auto recovered = node_->service->Recover();
    ASSERT_TRUE(recovered.ok()) << recovered.error();
  }

 public:
  template <typename Out, typename In>
  api::ApiResult<Out> Run(void (*handler)(SqsService&, const api::RequestContext&, In,
                                          api::Reply<Out>),
                          In in) {
    auto call = std::make_shared<RecordingCall<Out>>(ctx_);
    handler(*node_->service, call->context(), std::move(in), api::Reply<Out>(call));
    EXPECT_EQ(call->answers, 1) << "answered once, before the call returned";
    if (call->error) return *call->error;
    if (!call->out) return api::Error(ErrorCode::kInternalFailure, "no answer");
    return *call->out;
  }
  template <typename Out, typename In>
  api::ApiResult<Out> Run(api::ApiResult<Out> (*handler)(SqsService&, const api::RequestContext&,
                                                         In&),
                          In in) {
    return handler(*node_->service, ctx_, in);
  }

 protected:
  void Tick(int n = 1) {
    for (int i = 0; i < n; ++i) node_->clock.Advance(Millis(100));
  }
  std::vector<a::Message> Receive(const std::string& url, int64_t visibility) {
    a::ReceiveMessageInput in;
    in.queue_url = url;
    in.max_number_of_messages = 10;
    in.visibility_timeout = visibility;
    in.wait_time_seconds = 0;
    in.attribute_names = {"All"};
    auto out = Run(&sqs::ReceiveMessage, std::move(in));
    EXPECT_TRUE(out.ok()) << TextOf(out);
    return out.ok() ? out->messages : std::vector<a::Message>{};
  }
  int64_t Visible(const std::string& name) {
    auto queue = node_->service->queues().Find(kAccount, name);
    if (!queue) {
      ADD_FAILURE() << "no queue " << name;
      return -1;
    }
    return queue->Counters().visible;
  }
  void Create(const std::string& name, api::StringPairs attributes = {}) {
    auto r = Run(&sqs::CreateQueue, a::CreateQueueInput{name, std::move(attributes), {}});
    ASSERT_TRUE(r.ok()) << TextOf(r);
  }
  // 30 messages from "src" (maxReceiveCount 1) in "dlq".
  void DeadLetterThirty() {
    ASSERT_NO_FATAL_FAILURE(Create("dlq"));
    ASSERT_NO_FATAL_FAILURE(Create("src", {{"RedrivePolicy", RedrivePolicyFor("dlq")}}));
    a::SendMessageBatchInput batch;
    for (int i = 0; i < 30; ++i) {
      if (i % 10 == 0) {
        batch = a::SendMessageBatchInput{};
        batch.queue_url = UrlOf("src");
      }
      a::SendMessageBatchRequestEntry e;
      e.id = "e" + std::to_string(i);
      e.message_body = "body-" + std::to_string(i);
      batch.entries.push_back(std::move(e));
      if (i % 10 == 9) {
        auto r = Run(&sqs::SendMessageBatch, batch);
        ASSERT_TRUE(r.ok() && r->failed.empty()) << TextOf(r);
      }
    }
    size_t received = 0;
    for (int i = 0; i < 10 && received < 30; ++i) received += Receive(UrlOf("src"), 0).size();
    ASSERT_EQ(received, 30u);
    for (int i = 0; i < 10 && Visible("src") > 0; ++i) {
      ASSERT_TRUE(Receive(UrlOf("src"), 0).empty());
    }
    ASSERT_EQ(Visible("dlq"), 30);
  }

  wharf::testing::TempDir temp_{"wharf-move-task-test"};
  const std::filesystem::path& dir_ = temp_.path();
  std::unique_ptr<Node> node_;
  api::RequestContext ctx_ = DefaultContext();
};

TEST_F(MoveTaskRestartTest, ARunningTaskResumesAfterARestartAndMovesEachMessageOnce) {
  ASSERT_NO_FATAL_FAILURE(DeadLetterThirty());
  const std::string handle = MustStart(ArnOf("dlq"), std::nullopt, 10);
  const int64_t started = node_->clock.WallMillis();
  Tick(10);
  const int64_t moved = Visible("src");
  ASSERT_GT(moved, 0);
  ASSERT_LT(moved, 30);

  ASSERT_NO_FATAL_FAILURE(Restart());
  EXPECT_EQ(Visible("src") + Visible("dlq"), 30) << "nothing lost or doubled by the restart";
  EXPECT_EQ(Visible("src"), moved);
  a::ListMessageMoveTasksResultEntry resumed = Latest(ArnOf("dlq"));
  EXPECT_EQ(resumed.status, "RUNNING");
  EXPECT_EQ(resumed.task_handle, handle);
  EXPECT_EQ(resumed.approximate_number_of_messages_moved, moved);
  EXPECT_EQ(resumed.approximate_number_of_messages_to_move, 30);
  EXPECT_EQ(resumed.max_number_of_messages_per_second, 10);
  EXPECT_EQ(resumed.started_timestamp, started);
  ExpectError(StartTask(ArnOf("dlq")), ErrorCode::kInvalidParameterValue, kAlreadyRunningText);

  Tick(5);
  EXPECT_GT(Visible("src"), moved) << "the resumed task moves on";
  for (int i = 0; i < 100 && Latest(ArnOf("dlq")).status == "RUNNING"; ++i) Tick();
  a::ListMessageMoveTasksResultEntry done = Latest(ArnOf("dlq"));
  EXPECT_EQ(done.status, "COMPLETED");
  EXPECT_EQ(done.approximate_number_of_messages_moved, 30);
  EXPECT_EQ(Visible("dlq"), 0);

  ASSERT_NO_FATAL_FAILURE(Restart());
  done = Latest(ArnOf("dlq"));
  EXPECT_EQ(done.status, "COMPLETED") << "the history survives too";
  EXPECT_EQ(done.approximate_number_of_messages_moved, 30);
  EXPECT_EQ(done.task_handle, std::nullopt);
  std::multiset<std::string> bodies;
  for (int i = 0; i < 10; ++i) {
    for (const a::Message& m : Receive(UrlOf("src"), 3600)) {
      bodies.insert(m.body);
      EXPECT_EQ(SystemAttribute(m, "ApproximateReceiveCount"), "1") << m.body;
      EXPECT_EQ(SystemAttribute(m, "DeadLetterQueueSourceArn"), "<absent>") << m.body;
    }
  }
  std::multiset<std::string> expected;
  for (int i = 0; i < 30; ++i) expected.insert("body-" + std::to_string(i));
  EXPECT_EQ(bodies, expected);
}

TEST_F(MoveTaskRestartTest, ACancelledTaskStaysCancelledAndItsHandleStillDecodes) {
  ASSERT_NO_FATAL_FAILURE(DeadLetterThirty());
  const std::string handle = MustStart(ArnOf("dlq"), std::nullopt, 10);
  Tick(5);
  auto cancelled = CancelTask(handle);
  ASSERT_TRUE(cancelled.ok()) << TextOf(cancelled);
  const int64_t moved = cancelled->approximate_number_of_messages_moved;
  ASSERT_NO_FATAL_FAILURE(Restart());
  a::ListMessageMoveTasksResultEntry entry = Latest(ArnOf("dlq"));
  EXPECT_EQ(entry.status, "CANCELLED");
  EXPECT_EQ(entry.approximate_number_of_messages_moved, moved);
  Tick(20);
  EXPECT_EQ(Visible("src"), moved) << "a cancelled task does not resume";
  EXPECT_EQ(Visible("dlq"), 30 - moved);
  auto again = CancelTask(handle);
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().code, ErrorCode::kResourceNotFound) << "the task is still known";
}

}  // namespace
}  // namespace wharf::sqs::testing
