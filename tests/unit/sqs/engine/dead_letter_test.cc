// Dead-letter queues (sqs-api.md §3.2, §3.3, §5.10, §2.17): the move on the receive after the
// maxReceiveCount-th, what the moved message keeps, the counters of both queues at every step,
// FIFO group order and unblocking, retention in the DLQ, RedrivePolicy / RedriveAllowPolicy
// validation with real queues, and ListDeadLetterSourceQueues with paging.
//
// The first part runs over a MemoryStore through the handlers. The second part runs over a
// RocksStore and restarts (close, reopen, Recover) between the steps, and cuts the power at
// every write of a dead-letter move and a redrive, to show that a moved message is never in
// both queues and never lost. Time moves only through ManualClock.

#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "common/hashing.h"
#include "common/manual_clock.h"
#include "sqs/handlers/handlers.h"
#include "sqs/service.h"
#include "sqs_test_support.h"
#include "storage/fault_injection.h"
#include "storage/rocks_store.h"
#include "storage_key.h"
#include "sync_store.h"
#include "temp_dir.h"

namespace wharf::sqs::testing {
namespace {

using api::ErrorCode;
using Tri = std::tuple<std::string, std::string, std::string>;  // visible, in flight, delayed

constexpr char kAccount[] = "000000000000";
constexpr char kOtherAccount[] = "111111111111";

std::string ArnOf(const std::string& name, const std::string& account = kAccount) {
  return "arn:aws:sqs:us-east-1:" + account + ":" + name;
}

std::string RedrivePolicyFor(const std::string& dlq_arn, int64_t max_receive_count) {
  return R"({"deadLetterTargetArn":")" + dlq_arn + R"(","maxReceiveCount":)" +
         std::to_string(max_receive_count) + "}";
}

std::string RedriveError(const std::string& policy, const std::string& reason) {
  return "Value " + policy + " for parameter RedrivePolicy is invalid. Reason: " + reason;
}

std::string SystemAttribute(const a::Message& m, const std::string& name) {
  const std::string* v = FindPair(m.attributes, name);
  return v ? *v : "<absent>";
}

template <typename T>
std::string TextOf(const api::ApiResult<T>& r) {
  return r.ok() ? std::string("<ok>") : r.error().message;
}

// =============================================================================================
// Over a MemoryStore, through the handlers
// =============================================================================================

class DeadLetterTest : public SqsServiceTest {
 protected:
  api::ApiStatus Set(const std::string& url, api::StringPairs attributes) {
    auto r = Run(&sqs::SetQueueAttributes, a::SetQueueAttributesInput{url, std::move(attributes)});
    if (r.ok()) return {};
    return r.error();
  }

  api::ApiResult<a::QueueUrlOutput> TryCreate(const std::string& name,
                                              api::StringPairs attributes) {
    return Run(&sqs::CreateQueue, a::CreateQueueInput{name, std::move(attributes), {}});
  }

  // ReceiveMessage asking for every system and message attribute.
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

  a::SendMessageOutput SendFifo(const std::string& url, const std::string& body,
                                const std::string& group) {
    a::SendMessageInput in;
    in.queue_url = url;
    in.message_body = body;
    in.message_group_id = group;
    in.message_deduplication_id = "dedup-" + body;
    auto out = Run(&sqs::SendMessage, std::move(in));
    EXPECT_TRUE(out.ok()) << TextOf(out);
    return out.ok() ? *out : a::SendMessageOutput{};
  }

  api::ApiResult<a::ListDeadLetterSourceQueuesOutput> Sources(
      const std::string& url, std::optional<std::string> token = std::nullopt,
      std::optional<int64_t> max = std::nullopt) {
    return Run(&sqs::ListDeadLetterSourceQueues,
               a::ListDeadLetterSourceQueuesInput{url, std::move(token), max});
  }

  // A DLQ and a source whose RedrivePolicy points at it (names get ".fifo" when `fifo`).
  void MakePair(int64_t max_receive_count, bool fifo = false,
                api::StringPairs source_attributes = {}) {
    const std::string suffix = fifo ? ".fifo" : "";
    api::StringPairs dlq_attributes;
    if (fifo) dlq_attributes.emplace_back("FifoQueue", "true");
    dlq_ = CreateQueue("orders-dlq" + suffix, dlq_attributes);
    dlq_arn_ = ArnOf("orders-dlq" + suffix);
    source_attributes.emplace_back("RedrivePolicy", RedrivePolicyFor(dlq_arn_, max_receive_count));
    if (fifo) source_attributes.emplace_back("FifoQueue", "true");
    source_ = CreateQueue("orders" + suffix, std::move(source_attributes));
    source_arn_ = ArnOf("orders" + suffix);
  }

  std::string dlq_, dlq_arn_, source_, source_arn_;
};

TEST_F(DeadLetterTest, MaxReceiveCountOneDeliversOnceAndMovesOnTheSecondReceive) {
  MakePair(1);
  a::SendMessageInput in;
  in.queue_url = source_;
  in.message_body = "poison \r\n pill";
  in.message_attributes = {{"Bin", BinaryAttr("Binary", std::string("\0\x01\xff", 3))},
                           {"Num", StringAttr("Number.int", "42")},
                           {"Str", StringAttr("String", "value")}};
  in.message_system_attributes = {{"AWSTraceHeader", StringAttr("String", "Root=1-abc-def")}};
  auto sent = Run(&sqs::SendMessage, std::move(in));
  ASSERT_TRUE(sent.ok()) << TextOf(sent);
  const std::string sent_millis = std::to_string(clock_.WallMillis());
  clock_.Advance(Seconds(3));

  // Receive #1 delivers it with count 1; visibility 0 makes it visible again at once.
  auto first = ReceiveFrom(source_, 10, 0);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(SystemAttribute(first[0], "ApproximateReceiveCount"), "1");
  EXPECT_EQ(SystemAttribute(first[0], "DeadLetterQueueSourceArn"), "<absent>");
  const std::string first_receive = SystemAttribute(first[0], "ApproximateFirstReceiveTimestamp");
  EXPECT_EQ(Counts(source_), Tri("1", "0", "0"));
  EXPECT_EQ(Counts(dlq_), Tri("0", "0", "0"));

  // Receive #2 moves it instead of returning it.
  clock_.Advance(Seconds(2));
  EXPECT_TRUE(ReceiveFrom(source_, 10, 0).empty());
  EXPECT_EQ(Counts(source_), Tri("0", "0", "0"));
  EXPECT_EQ(Counts(dlq_), Tri("1", "0", "0"));
  EXPECT_TRUE(ReceiveFrom(source_, 10, 0).empty()) << "a moved message never comes back";

  // In the DLQ: the same message, with the count carried over (the moving receive not counted).
  auto moved = ReceiveFrom(dlq_, 10, 30);
  ASSERT_EQ(moved.size(), 1u);
  const a::Message& m = moved[0];
  EXPECT_EQ(m.message_id, sent->message_id);
  EXPECT_EQ(m.body, "poison \r\n pill");
  EXPECT_EQ(m.md5_of_body, sent->md5_of_message_body);
  EXPECT_EQ(m.md5_of_message_attributes, sent->md5_of_message_attributes);
  ASSERT_EQ(m.message_attributes.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    const auto& [name, value] = m.message_attributes[i];
    EXPECT_EQ(name, first[0].message_attributes[i].first);
    EXPECT_EQ(value.data_type, first[0].message_attributes[i].second.data_type);
    EXPECT_EQ(value.string_value, first[0].message_attributes[i].second.string_value);
    EXPECT_EQ(value.binary_value, first[0].message_attributes[i].second.binary_value);
  }
  EXPECT_EQ(m.message_attributes[0].second.binary_value, std::string("\0\x01\xff", 3));
  EXPECT_EQ(SystemAttribute(m, "ApproximateReceiveCount"), "2");
  EXPECT_EQ(SystemAttribute(m, "SentTimestamp"), sent_millis);
  EXPECT_EQ(SystemAttribute(m, "AWSTraceHeader"), "Root=1-abc-def");
  EXPECT_EQ(SystemAttribute(m, "DeadLetterQueueSourceArn"), source_arn_);
  EXPECT_EQ(SystemAttribute(m, "ApproximateFirstReceiveTimestamp"), first_receive);
  EXPECT_EQ(Counts(dlq_), Tri("0", "1", "0"));

  // A DLQ message is an ordinary message there: it can be deleted.
  ASSERT_TRUE(Run(&sqs::DeleteMessage, a::DeleteMessageInput{dlq_, m.receipt_handle}).ok());
  EXPECT_EQ(Counts(dlq_), Tri("0", "0", "0"));
  EXPECT_EQ(Counts(source_), Tri("0", "0", "0"));
}

TEST_F(DeadLetterTest, MaxReceiveCountThreeDeliversThreeTimesWithCountersAtEveryStep) {
  MakePair(3);
  const a::SendMessageOutput sent = Send(source_, "thrice");
  for (int i = 1; i <= 3; ++i) {
    SCOPED_TRACE("receive #" + std::to_string(i));
    auto got = ReceiveFrom(source_, 10, 10);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].message_id, sent.message_id);
    EXPECT_EQ(SystemAttribute(got[0], "ApproximateReceiveCount"), std::to_string(i));
    EXPECT_EQ(Counts(source_), Tri("0", "1", "0"));
    EXPECT_EQ(Counts(dlq_), Tri("0", "0", "0"));
    // Nothing to give (and nothing moved) while it is in flight.
    EXPECT_TRUE(ReceiveFrom(source_, 10, 10).empty());
    EXPECT_EQ(Counts(dlq_), Tri("0", "0", "0"));
    clock_.Advance(Seconds(10));  // the visibility timeout runs out
    EXPECT_EQ(Counts(source_), Tri("1", "0", "0"));
  }
  EXPECT_TRUE(ReceiveFrom(source_, 10, 10).empty()) << "receive #4 moves it";
  EXPECT_EQ(Counts(source_), Tri("0", "0", "0"));
  EXPECT_EQ(Counts(dlq_), Tri("1", "0", "0"));
  auto moved = ReceiveFrom(dlq_);
  ASSERT_EQ(moved.size(), 1u);
  EXPECT_EQ(moved[0].message_id, sent.message_id);
  EXPECT_EQ(SystemAttribute(moved[0], "ApproximateReceiveCount"), "4");
  EXPECT_EQ(SystemAttribute(moved[0], "DeadLetterQueueSourceArn"), source_arn_);
}

TEST_F(DeadLetterTest, AReceiveReturnsTheMessagesNotDueAndMovesTheOthers) {
  MakePair(1);
  for (const char* body : {"old-1", "old-2", "old-3"}) Send(source_, body);
  ASSERT_EQ(ReceiveFrom(source_, 10, 0).size(), 3u);  // each received once, visible again
  Send(source_, "fresh");
  auto got = ReceiveFrom(source_, 10, 30);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].body, "fresh");
  EXPECT_EQ(Counts(source_), Tri("0", "1", "0"));
  EXPECT_EQ(Counts(dlq_), Tri("3", "0", "0"));
  std::vector<std::string> bodies;
  for (const auto& m : ReceiveFrom(dlq_)) bodies.push_back(m.body);
  std::sort(bodies.begin(), bodies.end());
  EXPECT_EQ(bodies, (std::vector<std::string>{"old-1", "old-2", "old-3"}));
}

TEST_F(DeadLetterTest, ALongPollThatOnlyFindsDueMessagesMovesThemAndKeepsWaiting) {
  MakePair(1);
  Send(source_, "due");
  ASSERT_EQ(ReceiveFrom(source_, 10, 0).size(), 1u);
  a::ReceiveMessageInput in;
  in.queue_url = source_;
  in.max_number_of_messages = 10;
  in.wait_time_seconds = 10;
  auto call = Start(&sqs::ReceiveMessage, std::move(in));
  EXPECT_FALSE(call->answered()) << "the only message went to the DLQ: nothing to answer yet";
  EXPECT_EQ(Counts(dlq_), Tri("1", "0", "0"));
  clock_.Advance(Seconds(2));
  Send(source_, "next");
  ASSERT_EQ(call->answers, 1);
  ASSERT_TRUE(call->out);
  ASSERT_EQ(call->out->messages.size(), 1u);
  EXPECT_EQ(call->out->messages[0].body, "next");
}

TEST_F(DeadLetterTest, AReceiverParkedOnTheDeadLetterQueueGetsTheMovedMessage) {
  MakePair(1);
  Send(source_, "to the parked one");
  ASSERT_EQ(ReceiveFrom(source_, 10, 0).size(), 1u);
  a::ReceiveMessageInput in;
  in.queue_url = dlq_;
  in.wait_time_seconds = 20;
  in.attribute_names = {"All"};
  auto call = Start(&sqs::ReceiveMessage, std::move(in));
  ASSERT_FALSE(call->answered());
  EXPECT_TRUE(ReceiveFrom(source_, 10, 0).empty());
  ASSERT_EQ(call->answers, 1) << "the move makes a message visible in the DLQ (§5.5)";
  ASSERT_TRUE(call->out);
  ASSERT_EQ(call->out->messages.size(), 1u);
  EXPECT_EQ(call->out->messages[0].body, "to the parked one");
  EXPECT_EQ(SystemAttribute(call->out->messages[0], "DeadLetterQueueSourceArn"), source_arn_);
}

TEST_F(DeadLetterTest, StandardDeadLetterQueueKeepsTheOriginalEnqueueTimeForRetention) {
  // §5.10: standard queues keep the original enqueue timestamp, so the message may expire in
  // the DLQ sooner than the DLQ's own retention suggests.
  MakePair(1);
  ASSERT_TRUE(Set(dlq_, {{"MessageRetentionPeriod", "60"}}).ok());
  Send(source_, "ageing");
  clock_.Advance(Seconds(50));
  ASSERT_EQ(ReceiveFrom(source_, 10, 0).size(), 1u);
  EXPECT_TRUE(ReceiveFrom(source_, 10, 0).empty());
  EXPECT_EQ(Counts(dlq_), Tri("1", "0", "0"));
  clock_.Advance(Seconds(9));
  EXPECT_EQ(Counts(dlq_), Tri("1", "0", "0")) << "59 s after the send";
  clock_.Advance(Seconds(1));
  EXPECT_EQ(Counts(dlq_), Tri("0", "0", "0")) << "60 s after the send: expired";
}

TEST_F(DeadLetterTest, FifoDeadLetterQueueRestartsTheEnqueueTimeForRetention) {
  MakePair(1, /*fifo=*/true);
  ASSERT_TRUE(Set(dlq_, {{"MessageRetentionPeriod", "60"}}).ok());
  SendFifo(source_, "ageing", "g");
  clock_.Advance(Seconds(50));
  ASSERT_EQ(ReceiveFrom(source_, 10, 0).size(), 1u);
  EXPECT_TRUE(ReceiveFrom(source_, 10, 0).empty());
  clock_.Advance(Seconds(59));
  EXPECT_EQ(Counts(dlq_), Tri("1", "0", "0")) << "59 s after the move";
  clock_.Advance(Seconds(1));
  EXPECT_EQ(Counts(dlq_), Tri("0", "0", "0")) << "60 s after the move";
}

TEST_F(DeadLetterTest, FifoHeadMovesAndTheNextMessageOfItsGroupIsReceivable) {
  MakePair(1, /*fifo=*/true);
  SendFifo(source_, "a1", "g1");
  SendFifo(source_, "a2", "g1");
  auto first = ReceiveFrom(source_, 1, 0);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].body, "a1");
  // a1 is due: it moves, which unblocks g1, and the same receive gets a2.
  auto second = ReceiveFrom(source_, 1, 30);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].body, "a2");
  EXPECT_EQ(SystemAttribute(second[0], "ApproximateReceiveCount"), "1");
  EXPECT_EQ(Counts(source_), Tri("0", "1", "0"));
  EXPECT_EQ(Counts(dlq_), Tri("1", "0", "0"));
  auto moved = ReceiveFrom(dlq_);
  ASSERT_EQ(moved.size(), 1u);
  EXPECT_EQ(moved[0].body, "a1");
  EXPECT_EQ(SystemAttribute(moved[0], "MessageGroupId"), "g1");
  EXPECT_EQ(SystemAttribute(moved[0], "MessageDeduplicationId"), "dedup-a1");
  EXPECT_EQ(SystemAttribute(moved[0], "DeadLetterQueueSourceArn"), source_arn_);
  EXPECT_EQ(SystemAttribute(moved[0], "ApproximateReceiveCount"), "2");
}

TEST_F(DeadLetterTest, FifoDeadLetterQueueKeepsTheOrderOfEachGroup) {
  MakePair(1, /*fifo=*/true);
  std::map<std::string, a::SendMessageOutput> sent;
  for (int i = 1; i <= 6; ++i) {
    for (const char* g : {"g1", "g2"}) {
      const std::string body = std::string(g) + "-" + std::to_string(i);
      sent[body] = SendFifo(source_, body, g);
    }
  }
  ASSERT_EQ(ReceiveFrom(source_, 10, 0).size(), 10u);  // g1 and g2, received once each
  ASSERT_EQ(ReceiveFrom(source_, 10, 0).size(), 2u);   // moves 10, delivers the last two
  EXPECT_EQ(Counts(dlq_), Tri("10", "0", "0"));
  EXPECT_EQ(Counts(source_), Tri("2", "0", "0"));
  EXPECT_TRUE(ReceiveFrom(source_, 10, 0).empty());  // and now those two as well
  EXPECT_EQ(Counts(source_), Tri("0", "0", "0"));
  EXPECT_EQ(Counts(dlq_), Tri("12", "0", "0"));

  // Received and deleted batch by batch: a group stays blocked while its head is in flight.
  std::map<std::string, std::vector<std::string>> order;
  for (int round = 0; round < 4; ++round) {
    for (const auto& m : ReceiveFrom(dlq_, 10, 300)) {
      const std::string group = SystemAttribute(m, "MessageGroupId");
      order[group].push_back(m.body);
      EXPECT_EQ(m.message_id, sent[m.body].message_id);
      ASSERT_TRUE(Run(&sqs::DeleteMessage, a::DeleteMessageInput{dlq_, m.receipt_handle}).ok());
    }
  }
  std::vector<std::string> g1, g2;
  for (int i = 1; i <= 6; ++i) {
    g1.push_back("g1-" + std::to_string(i));
    g2.push_back("g2-" + std::to_string(i));
  }
  EXPECT_EQ(order["g1"], g1);
  EXPECT_EQ(order["g2"], g2);
}

// --- RedrivePolicy with real queues (§3.2) -------------------------------------------------

TEST_F(DeadLetterTest, RedrivePolicyTargetMustExistInTheSameAccount) {
  const std::string missing = RedrivePolicyFor(ArnOf("nowhere"), 3);
  auto created = TryCreate("src", {{"RedrivePolicy", missing}});
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().code, ErrorCode::kInvalidParameterValue);
  EXPECT_EQ(created.error().message, RedriveError(missing, "Dead letter target does not exist."));
  EXPECT_FALSE(Run(&sqs::GetQueueUrl, a::GetQueueUrlInput{"src", std::nullopt}).ok())
      << "a rejected CreateQueue creates nothing";

  // A queue of the same name in another account is not a target for this account's queues.
  ctx_.account_id = kOtherAccount;
  CreateQueue("foreign-dlq");
  ctx_.account_id = kAccount;
  const std::string foreign = RedrivePolicyFor(ArnOf("foreign-dlq", kOtherAccount), 3);
  const std::string url = CreateQueue("src");
  api::ApiStatus s = Set(url, {{"RedrivePolicy", foreign}});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidParameterValue);
  EXPECT_EQ(s.error().message, RedriveError(foreign, "Dead letter target does not exist."));
  EXPECT_EQ(Attribute(url, "RedrivePolicy"), "<absent>") << "a rejected set changes nothing";
}

TEST_F(DeadLetterTest, RedrivePolicyTargetMustHaveTheSameType) {
  CreateQueue("std-dlq");
  CreateQueue("fifo-dlq.fifo", {{"FifoQueue", "true"}});
  const std::string to_fifo = RedrivePolicyFor(ArnOf("fifo-dlq.fifo"), 3);
  auto r = TryCreate("std-src", {{"RedrivePolicy", to_fifo}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidParameterValue);
  EXPECT_EQ(r.error().message.rfind(RedriveError(to_fifo, ""), 0), 0u) << r.error().message;
  const std::string to_std = RedrivePolicyFor(ArnOf("std-dlq"), 3);
  r = TryCreate("fifo-src.fifo", {{"FifoQueue", "true"}, {"RedrivePolicy", to_std}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidParameterValue);
  EXPECT_TRUE(
      TryCreate("fifo-src.fifo", {{"FifoQueue", "true"},
                                  {"RedrivePolicy", RedrivePolicyFor(ArnOf("fifo-dlq.fifo"), 3)}})
          .ok());
}

TEST_F(DeadLetterTest, RedrivePolicyMaxReceiveCountAndMembersHaveTheExactTexts) {
  CreateQueue("dlq");
  const std::string url = CreateQueue("src");
  const std::string arn = ArnOf("dlq");
  for (int64_t n : {0, 1001}) {
    const std::string policy = RedrivePolicyFor(arn, n);
    api::ApiStatus s = Set(url, {{"RedrivePolicy", policy}});
    ASSERT_FALSE(s.ok()) << n;
    EXPECT_EQ(s.error().code, ErrorCode::kInvalidParameterValue);
    EXPECT_EQ(s.error().message,
              RedriveError(policy, "Invalid value for maxReceiveCount: " + std::to_string(n) +
                                       ", valid values are from 1 to 1000 both inclusive."));
  }
  const std::string no_count = R"({"deadLetterTargetArn":")" + arn + R"("})";
  api::ApiStatus s = Set(url, {{"RedrivePolicy", no_count}});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message,
            RedriveError(no_count,
                         "Redrive policy does not contain mandatory attribute: maxReceiveCount."));
  const std::string no_target = R"({"maxReceiveCount":4})";
  s = Set(url, {{"RedrivePolicy", no_target}});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, RedriveError(no_target,
                                            "Redrive policy does not contain mandatory attribute: "
                                            "deadLetterTargetArn."));
  EXPECT_EQ(Attribute(url, "RedrivePolicy"), "<absent>");
  for (int64_t n : {1, 1000}) {
    ASSERT_TRUE(Set(url, {{"RedrivePolicy", RedrivePolicyFor(arn, n)}}).ok()) << n;
    EXPECT_EQ(Attribute(url, "RedrivePolicy"), RedrivePolicyFor(arn, n));
  }
}

// --- RedriveAllowPolicy (§3.3) -------------------------------------------------------------

TEST_F(DeadLetterTest, RedriveAllowPolicyDecidesWhichSourcesMayUseTheQueue) {
  const std::string dlq = CreateQueue("guarded-dlq");
  const std::string a_url = CreateQueue("source-a");
  const std::string b_url = CreateQueue("source-b");
  const std::string policy = RedrivePolicyFor(ArnOf("guarded-dlq"), 2);
  auto allowed = [&](const std::string& url) { return Set(url, {{"RedrivePolicy", policy}}); };
  auto reset = [&] {
    ASSERT_TRUE(Set(a_url, {{"RedrivePolicy", ""}}).ok());
    ASSERT_TRUE(Set(b_url, {{"RedrivePolicy", ""}}).ok());
  };

  ASSERT_TRUE(Set(dlq, {{"RedriveAllowPolicy", R"({"redrivePermission":"allowAll"})"}}).ok());
  EXPECT_TRUE(allowed(a_url).ok());
  EXPECT_TRUE(allowed(b_url).ok());
  reset();

  ASSERT_TRUE(Set(dlq, {{"RedriveAllowPolicy", R"({"redrivePermission":"denyAll"})"}}).ok());
  for (const std::string& url : {a_url, b_url}) {
    api::ApiStatus s = allowed(url);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, ErrorCode::kInvalidParameterValue);
    EXPECT_EQ(s.error().message.rfind(RedriveError(policy, ""), 0), 0u) << s.error().message;
    EXPECT_EQ(Attribute(url, "RedrivePolicy"), "<absent>");
  }
  {
    auto created = TryCreate("source-c", {{"RedrivePolicy", policy}});
    ASSERT_FALSE(created.ok()) << "CreateQueue is checked as well";
    EXPECT_EQ(created.error().code, ErrorCode::kInvalidParameterValue);
  }

  const std::string by_a =
      R"({"redrivePermission":"byQueue","sourceQueueArns":[")" + ArnOf("source-a") + R"("]})";
  ASSERT_TRUE(Set(dlq, {{"RedriveAllowPolicy", by_a}}).ok());
  EXPECT_EQ(Attribute(dlq, "RedriveAllowPolicy"), by_a);
  EXPECT_TRUE(allowed(a_url).ok()) << "byQueue with the source";
  api::ApiStatus s = allowed(b_url);
  ASSERT_FALSE(s.ok()) << "byQueue without the source";
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidParameterValue);
  EXPECT_FALSE(TryCreate("source-c", {{"RedrivePolicy", policy}}).ok());

  ASSERT_TRUE(Set(dlq, {{"RedriveAllowPolicy", ""}}).ok());
  EXPECT_EQ(Attribute(dlq, "RedriveAllowPolicy"), "<absent>");
  EXPECT_TRUE(allowed(b_url).ok()) << "no policy: allowAll";
}

TEST_F(DeadLetterTest, RedriveAllowPolicyShapeErrors) {
  const std::string dlq = CreateQueue("dlq");
  auto rejected = [&](const std::string& value) {
    SCOPED_TRACE(value);
    api::ApiStatus s = Set(dlq, {{"RedriveAllowPolicy", value}});
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, ErrorCode::kInvalidParameterValue);
    EXPECT_EQ(s.error().message.rfind(
                  "Value " + value + " for parameter RedriveAllowPolicy is invalid. Reason: ", 0),
              0u)
        << s.error().message;
    EXPECT_EQ(Attribute(dlq, "RedriveAllowPolicy"), "<absent>");
  };
  auto arns = [](int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += (i ? ",\"" : "\"") + ArnOf("s" + std::to_string(i)) + "\"";
    return out;
  };
  rejected(R"({"redrivePermission":"byQueue","sourceQueueArns":[)" + arns(11) + "]}");
  rejected(R"({"redrivePermission":"allowAll","sourceQueueArns":[)" + arns(1) + "]}");
  rejected(R"({"redrivePermission":"denyAll","sourceQueueArns":[)" + arns(1) + "]}");
  rejected(R"({"redrivePermission":"byQueue"})");
  rejected(R"({"redrivePermission":"someQueues"})");
  rejected(R"({"sourceQueueArns":[]})");
  rejected("not json");
  const std::string ten = R"({"redrivePermission":"byQueue","sourceQueueArns":[)" + arns(10) + "]}";
  EXPECT_TRUE(Set(dlq, {{"RedriveAllowPolicy", ten}}).ok()) << "10 ARNs are allowed";
}

// --- ListDeadLetterSourceQueues (§2.17) ---------------------------------------------------

TEST_F(DeadLetterTest, ListDeadLetterSourceQueuesListsExactlyTheSourcesWithPaging) {
  const std::string dlq = CreateQueue("dlq");
  const std::string other_dlq = CreateQueue("other-dlq");
  std::vector<std::string> sources;
  for (const char* name : {"src-e", "src-a", "src-d", "src-b", "src-c"}) {
    sources.push_back(CreateQueue(name, {{"RedrivePolicy", RedrivePolicyFor(ArnOf("dlq"), 5)}}));
  }
  CreateQueue("unrelated");
  CreateQueue("elsewhere", {{"RedrivePolicy", RedrivePolicyFor(ArnOf("other-dlq"), 5)}});
  std::sort(sources.begin(), sources.end());

  auto all = Sources(dlq);
  ASSERT_TRUE(all.ok()) << TextOf(all);
  EXPECT_EQ(all->queue_urls, sources);
  EXPECT_FALSE(all->next_token) << "NextToken only when MaxResults was set";

  std::vector<std::string> paged;
  std::optional<std::string> token;
  std::vector<size_t> page_sizes;
  for (int page = 0; page < 10; ++page) {
    auto r = Sources(dlq, token, 2);
    ASSERT_TRUE(r.ok()) << TextOf(r);
    page_sizes.push_back(r->queue_urls.size());
    paged.insert(paged.end(), r->queue_urls.begin(), r->queue_urls.end());
    token = r->next_token;
    if (!token) break;
  }
  EXPECT_EQ(paged, sources);
  EXPECT_EQ(page_sizes, (std::vector<size_t>{2, 2, 1}));

  auto exact = Sources(dlq, std::nullopt, 5);
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ(exact->queue_urls, sources);
  EXPECT_FALSE(exact->next_token) << "a page that holds the rest has no NextToken";

  auto others = Sources(other_dlq);
  ASSERT_TRUE(others.ok());
  EXPECT_EQ(others->queue_urls,
            std::vector<std::string>{"http://localhost:9324/000000000000/elsewhere"});

  // Removing the policy removes the source; a queue without sources lists none.
  ASSERT_TRUE(Set(sources[0], {{"RedrivePolicy", ""}}).ok());
  auto fewer = Sources(dlq);
  ASSERT_TRUE(fewer.ok());
  EXPECT_EQ(fewer->queue_urls, std::vector<std::string>(sources.begin() + 1, sources.end()));
  auto none = Sources(CreateQueue("lonely"));
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->queue_urls.empty());
}

TEST_F(DeadLetterTest, ListDeadLetterSourceQueuesErrors) {
  const std::string dlq = CreateQueue("dlq");
  for (int64_t bad : {0, 1001}) {
    auto r = Sources(dlq, std::nullopt, bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidParameterValue);
  }
  EXPECT_TRUE(Sources(dlq, std::nullopt, 1000).ok());
  auto bad_token = Sources(dlq, std::string("%%%not base64%%%"), 2);
  ASSERT_FALSE(bad_token.ok());
  EXPECT_EQ(bad_token.error().code, ErrorCode::kInvalidParameterValue);
  auto missing = Sources("http://localhost:9324/000000000000/missing");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kQueueDoesNotExist);
  auto no_url = Sources("");
  ASSERT_FALSE(no_url.ok());
  EXPECT_EQ(no_url.error().code, ErrorCode::kMissingParameter);
}

// =============================================================================================
// Over a RocksStore: restarts and power cuts
// =============================================================================================

// One server process over a data directory.
struct Node {
  Node(const std::string& directory, int64_t wall_millis, rocksdb::Env* env, ServiceOptions options)
      : clock(wall_millis) {
    storage::RocksOptions rocks_options;
    rocks_options.directory = directory;
    rocks_options.env = env;
    rocks_options.sealing_key = wharf::testing::TestStorageKey();
    auto opened = storage::RocksStore::Open(rocks_options);
    if (!opened.ok()) {
      ADD_FAILURE() << "open: " << opened.error().detail;
      return;
    }
    rocks = std::move(opened).value();
    store = std::make_unique<SyncStore>(*rocks);
    service = std::make_unique<SqsService>(clock, clock, *store, std::move(options));
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

class DeadLetterRestartTest : public ::testing::Test {
 protected:
  ~DeadLetterRestartTest() override { node_.reset(); }  // before the directory goes

  void Open(rocksdb::Env* env = nullptr, int64_t wall = 1'700'000'000'000) {
    env_ = env;
    node_ = std::make_unique<Node>((dir_ / "db").string(), wall, env, options_);
    ASSERT_NE(node_->service, nullptr);
  }
  // Closes the process and starts a new one on the same directory; its wall clock continues.
  void Restart() {
    const int64_t wall = node_->clock.WallMillis();
    node_.reset();
    ASSERT_NO_FATAL_FAILURE(Open(env_, wall));
    auto recovered = node_->service->Recover();
    ASSERT_TRUE(recovered.ok()) << recovered.error();
  }
  SqsService& service() { return *node_->service; }
  ManualClock& clock() { return node_->clock; }

  template <typename Out, typename In>
  api::ApiResult<Out> Run(void (*handler)(SqsService&, const api::RequestContext&, In,
                                          api::Reply<Out>),
                          In in) {
    auto call = std::make_shared<RecordingCall<Out>>(ctx_);
    handler(service(), call->context(), std::move(in), api::Reply<Out>(call));
    EXPECT_EQ(call->answers, 1) << "answered once, before the call returned";
    if (call->error) return *call->error;
    if (!call->out) return api::Error(ErrorCode::kInternalFailure, "no answer");
    return *call->out;
  }
  template <typename Out, typename In>
  api::ApiResult<Out> Run(api::ApiResult<Out> (*handler)(SqsService&, const api::RequestContext&,
                                                         In&),
                          In in) {
    return handler(service(), ctx_, in);
  }

  std::string CreateQueue(const std::string& name, api::StringPairs attributes = {}) {
    auto out = Run(&sqs::CreateQueue, a::CreateQueueInput{name, std::move(attributes), {}});
    EXPECT_TRUE(out.ok()) << TextOf(out);
    return out.ok() ? out->queue_url : std::string();
  }
  // SendMessage; FIFO messages go to group "g" with the body as deduplication id.
  api::ApiResult<a::SendMessageOutput> Send(const std::string& url, const std::string& body,
                                            bool fifo) {
    a::SendMessageInput in;
    in.queue_url = url;
    in.message_body = body;
    in.message_attributes = {{"Attr", StringAttr("String", "of " + body)}};
    if (fifo) {
      in.message_group_id = "g";
      in.message_deduplication_id = body;
    }
    return Run(&sqs::SendMessage, std::move(in));
  }
  api::ApiResult<a::ReceiveMessageOutput> TryReceive(const std::string& url, int64_t max,
                                                     int64_t visibility) {
    a::ReceiveMessageInput in;
    in.queue_url = url;
    in.max_number_of_messages = max;
    in.visibility_timeout = visibility;
    in.wait_time_seconds = 0;
    in.attribute_names = {"All"};
    in.message_attribute_names = {"All"};
    return Run(&sqs::ReceiveMessage, std::move(in));
  }
  std::vector<a::Message> Receive(const std::string& url, int64_t max, int64_t visibility) {
    auto out = TryReceive(url, max, visibility);
    EXPECT_TRUE(out.ok()) << TextOf(out);
    return out.ok() ? out->messages : std::vector<a::Message>{};
  }
  // Every message receivable now, received and deleted (deleting unblocks FIFO groups).
  std::vector<a::Message> Drain(const std::string& url) {
    std::vector<a::Message> out;
    for (int i = 0; i < 100; ++i) {
      auto got = Receive(url, 10, 3600);
      if (got.empty()) break;
      for (const a::Message& m : got) {
        EXPECT_TRUE(Run(&sqs::DeleteMessage, a::DeleteMessageInput{url, m.receipt_handle}).ok());
      }
      out.insert(out.end(), got.begin(), got.end());
    }
    return out;
  }
  std::tuple<int64_t, int64_t, int64_t> Counters(const std::string& name) {
    auto queue = service().queues().Find(ctx_.account_id, name);
    if (!queue) {
      ADD_FAILURE() << "no queue " << name;
      return {-1, -1, -1};
    }
    QueueCounters c = queue->Counters();
    return {c.visible, c.in_flight, c.delayed};
  }

  wharf::testing::TempDir temp_{"wharf-dead-letter-test"};
  const std::filesystem::path& dir_ = temp_.path();
  ServiceOptions options_;
  rocksdb::Env* env_ = nullptr;
  std::unique_ptr<Node> node_;
  api::RequestContext ctx_ = DefaultContext();
};

using C3 = std::tuple<int64_t, int64_t, int64_t>;

TEST_F(DeadLetterRestartTest, AMovedMessageIsInExactlyOneQueueAcrossARestartAfterEveryStep) {
  ASSERT_NO_FATAL_FAILURE(Open());
  const std::string dlq = CreateQueue("dlq");
  const std::string src =
      CreateQueue("src", {{"RedrivePolicy", RedrivePolicyFor(ArnOf("dlq"), 2)}});
  std::map<std::string, std::string> ids;  // body -> MessageId
  for (const char* body : {"m1", "m2", "m3"}) {
    auto sent = Send(src, body, false);
    ASSERT_TRUE(sent.ok()) << TextOf(sent);
    ids[body] = sent->message_id;
  }
  auto check = [&](const std::string& step, C3 source, C3 dead) {
    SCOPED_TRACE(step);
    EXPECT_EQ(Counters("src"), source);
    EXPECT_EQ(Counters("dlq"), dead);
    ASSERT_NO_FATAL_FAILURE(Restart());
    EXPECT_EQ(Counters("src"), source) << "after the restart";
    EXPECT_EQ(Counters("dlq"), dead) << "after the restart";
  };
  check("sent", {3, 0, 0}, {0, 0, 0});
  ASSERT_EQ(Receive(src, 10, 0).size(), 3u);
  check("received once", {3, 0, 0}, {0, 0, 0});
  ASSERT_EQ(Receive(src, 10, 0).size(), 3u);
  check("received twice", {3, 0, 0}, {0, 0, 0});
  EXPECT_TRUE(Receive(src, 10, 0).empty());
  check("moved", {0, 0, 0}, {3, 0, 0});
  auto dead = Receive(dlq, 10, 30);
  ASSERT_EQ(dead.size(), 3u);
  for (const auto& m : dead) {
    EXPECT_EQ(m.message_id, ids[m.body]);
    EXPECT_EQ(SystemAttribute(m, "ApproximateReceiveCount"), "3");
  }
  check("received from the DLQ", {0, 0, 0}, {0, 3, 0});
  clock().Advance(Seconds(30));
  auto again = Drain(dlq);
  ASSERT_EQ(again.size(), 3u);
  for (const auto& m : again) {
    EXPECT_EQ(m.message_id, ids[m.body]);
    EXPECT_EQ(SystemAttribute(m, "ApproximateReceiveCount"), "4") << "the count survives";
    EXPECT_EQ(SystemAttribute(m, "DeadLetterQueueSourceArn"), ArnOf("src"));
    EXPECT_EQ(SystemAttribute(m, "SentTimestamp"), "1700000000000");
    ASSERT_EQ(m.message_attributes.size(), 1u);
    EXPECT_EQ(m.message_attributes[0].second.string_value, "of " + m.body);
  }
  EXPECT_TRUE(Drain(src).empty());
}

// Power cut at the k-th write (k = 0, 1, 2, ...) while messages move into the DLQ and a move
// task takes them back: after the restart every message is in exactly one of the two queues.
// Parameters: FIFO queues; message bodies only on disk (the moves copy the stored record).
class DeadLetterPowerCutTest : public DeadLetterRestartTest,
                               public ::testing::WithParamInterface<std::tuple<bool, bool>> {
 protected:
  ~DeadLetterPowerCutTest() override { node_.reset(); }  // before the filesystem it writes to

  std::unique_ptr<storage::FaultInjection> faults_;
};

TEST_P(DeadLetterPowerCutTest, AMovedMessageIsNeverDuplicatedNorLost) {
  const auto [fifo, bodies_on_disk] = GetParam();
  constexpr int kMessages = 4;
  constexpr uint64_t kNoCut = UINT64_MAX / 2;
  if (bodies_on_disk) options_.body_memory_bytes = 1;
  const std::string suffix = fifo ? ".fifo" : "";
  api::StringPairs fifo_attributes;
  if (fifo) fifo_attributes.emplace_back("FifoQueue", "true");

  // Returns how many writes the moves made (when no fault stopped them).
  auto run = [&](uint64_t cut_after) -> uint64_t {
    node_.reset();
    faults_ = std::make_unique<storage::FaultInjection>();
    storage::FaultInjection& faults = *faults_;
    std::error_code ignored;
    std::filesystem::remove_all(dir_ / "db", ignored);
    Open(faults.env());
    if (!node_ || !node_->service) return 0;
    const std::string dlq = CreateQueue("dlq" + suffix, fifo_attributes);
    api::StringPairs src_attributes = fifo_attributes;
    src_attributes.emplace_back("RedrivePolicy", RedrivePolicyFor(ArnOf("dlq" + suffix), 1));
    const std::string src = CreateQueue("src" + suffix, src_attributes);
    std::map<std::string, std::string> ids;
    for (int i = 0; i < kMessages; ++i) {
      const std::string body = "body-" + std::to_string(i);
      auto sent = Send(src, body, fifo);
      EXPECT_TRUE(sent.ok()) << TextOf(sent);
      if (sent.ok()) ids[body] = sent->message_id;
    }
    const uint64_t before = faults.writes();
    faults.FailWritesAfter(cut_after, storage::FaultKind::kIoError);
    // One message at a time: each receive moves the message the previous one delivered (now
    // due) into the DLQ and delivers the next. Then a DLQ receive, and a redrive back to the
    // source at one message per 100 ms tick.
    for (int i = 0; i <= kMessages; ++i) {
      auto r = TryReceive(src, 1, 0);
      if (r.ok()) {
        EXPECT_LE(r->messages.size(), 1u);
      }
    }
    TryReceive(dlq, 1, 0).status().IgnoreError();
    a::StartMessageMoveTaskInput start;
    start.source_arn = ArnOf("dlq" + suffix);
    start.max_number_of_messages_per_second = 10;
    Run(&sqs::StartMessageMoveTask, std::move(start)).status().IgnoreError();
    for (int i = 0; i < kMessages + 2; ++i) clock().Advance(Millis(100));
    const uint64_t writes = faults.writes() - before;

    // The power goes; what was not synced is lost; the process starts again.
    const int64_t wall = clock().WallMillis();
    node_.reset();
    faults.DropUnsyncedDataAndRestore();
    Open(faults.env(), wall);
    if (!node_ || !node_->service) return 0;
    auto recovered = service().Recover();
    EXPECT_TRUE(recovered.ok()) << recovered.error();
    std::map<std::string, int> seen;
    int left_in_dlq = 0;
    for (const std::string& url : {src, dlq}) {
      for (const a::Message& m : Drain(url)) {
        ++seen[m.body];
        if (url == dlq) ++left_in_dlq;
        EXPECT_EQ(m.message_id, ids[m.body]) << m.body;
        EXPECT_EQ(m.md5_of_body, HexLower(Md5Of(m.body))) << m.body;
        EXPECT_EQ(SystemAttribute(m, "DeadLetterQueueSourceArn"),
                  url == dlq ? ArnOf("src" + suffix) : "<absent>")
            << m.body;
      }
    }
    for (const auto& [body, id] : ids) {
      EXPECT_EQ(seen[body], 1) << body << " after a power cut at write " << cut_after;
    }
    EXPECT_EQ(seen.size(), ids.size());
    if (cut_after == kNoCut) {
      EXPECT_EQ(left_in_dlq, 0) << "without a fault, every message went there and back";
    }
    node_.reset();
    return writes;
  };

  const uint64_t total = run(kNoCut);
  ASSERT_GT(total, 0u);
  for (uint64_t k = 0; k <= total && !HasFailure(); ++k) {
    SCOPED_TRACE("power cut after " + std::to_string(k) + " of " + std::to_string(total) +
                 " writes");
    run(k);
  }
}

INSTANTIATE_TEST_SUITE_P(Variants, DeadLetterPowerCutTest,
                         ::testing::Combine(::testing::Bool(), ::testing::Bool()),
                         [](const auto& info) {
                           return std::string(std::get<0>(info.param) ? "Fifo" : "Standard") +
                                  (std::get<1>(info.param) ? "BodiesOnDisk" : "BodiesInMemory");
                         });

}  // namespace
}  // namespace wharf::sqs::testing
