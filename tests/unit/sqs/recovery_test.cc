// Restart: an SqsService over a RocksStore, driven through its handlers, then closed and rebuilt
// from the same directory with SqsService::Recover(). Everything a client was told must come
// back: queues with their attributes and tags, message counts, in-flight messages with their
// deadlines and receipt handles, receive counts, delays, retention from the original send time;
// and nothing deleted, purged or dropped with its queue comes back.
//
// The restarted process gets a new ManualClock whose wall clock continues where the old one
// stopped but whose monotonic clock starts again from zero, as after a real reboot. Commits are
// answered on the store's committer thread, so each handler call waits for its answer.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "common/manual_clock.h"
#include "sqs/engine/dedup_window.h"
#include "sqs/engine/records.h"
#include "sqs/handlers/handlers.h"
#include "sqs/service.h"
#include "sqs_test_support.h"
#include "storage/rocks_store.h"
#include "storage_key.h"
#include "temp_dir.h"

namespace wharf::sqs {
namespace {

namespace a = api::sqs;
using api::ErrorCode;
using testing::BinaryAttr;
using testing::FindPair;
using testing::StringAttr;

constexpr int64_t kStartWallMillis = 1'700'000'000'000;

// An api::Call whose answer may come from another thread; Wait() returns it.
template <typename Out>
class WaitingCall final : public api::Call {
 public:
  explicit WaitingCall(api::RequestContext context) : context_(std::move(context)) {}

  const api::RequestContext& context() const override { return context_; }
  api::ApiStatus Decode(api::Shape) override { return {}; }
  void Succeed(api::Shape output) override { Answer(*static_cast<Out*>(output.object)); }
  void Fail(api::ApiError error) override { Answer(std::move(error)); }

  api::ApiResult<Out> Wait() {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, std::chrono::seconds(60), [&] { return result_.has_value(); })) {
      ADD_FAILURE() << "the handler never answered";
      return api::Error(ErrorCode::kInternalFailure, "no answer");
    }
    EXPECT_EQ(answers_, 1) << "a handler answered more than once";
    return *result_;
  }

 private:
  void Answer(api::ApiResult<Out> result) {
    std::lock_guard lock(mu_);
    if (++answers_ == 1) result_ = std::move(result);
    cv_.notify_all();
  }

  api::RequestContext context_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::optional<api::ApiResult<Out>> result_;
  int answers_ = 0;
};

template <typename T>
std::string ErrorText(const api::ApiResult<T>& r) {
  return r.ok() ? std::string() : r.error().message;
}

// One server process: its clock, its store and the service over them.
struct Process {
  Process(const std::string& directory, int64_t wall_millis) : clock(wall_millis) {
    storage::RocksOptions options;
    options.directory = directory;
    options.sealing_key = wharf::testing::TestStorageKey();
    auto opened = storage::RocksStore::Open(options);
    if (!opened.ok()) {
      ADD_FAILURE() << "open: " << opened.error().detail;
      return;
    }
    store = std::move(opened).value();
    service = std::make_unique<SqsService>(clock, clock, *store, ServiceOptions{});
  }
  ~Process() {
    service.reset();  // before the store and clock it refers to
    if (store) store->Close();
  }

  ManualClock clock;
  std::unique_ptr<storage::RocksStore> store;
  std::unique_ptr<SqsService> service;
};

class RecoveryTest : public ::testing::Test {
 protected:
  ~RecoveryTest() override { process_.reset(); }  // before the directory goes

  void SetUp() override { process_ = std::make_unique<Process>(Db(), kStartWallMillis); }

  std::string Db() const { return (dir_ / "db").string(); }
  ManualClock& clock() { return process_->clock; }
  SqsService& service() { return *process_->service; }

  // Closes the store, then starts a new process on the same directory and recovers it; its
  // wall clock goes on from where the old one stopped, moved by `wall_step_millis` (negative: a
  // clock stepped back).
  void Restart(int64_t wall_step_millis = 0) {
    const int64_t wall = clock().WallMillis() + wall_step_millis;
    process_.reset();
    process_ = std::make_unique<Process>(Db(), wall);
    ASSERT_NE(process_->service, nullptr);
    auto recovered = service().Recover();
    ASSERT_TRUE(recovered.ok()) << recovered.error();
  }

  void Advance(int64_t seconds) { clock().Advance(Seconds(seconds)); }

  // Runs an asynchronous handler and waits for its answer.
  template <typename Out, typename In>
  api::ApiResult<Out> Do(void (*handler)(SqsService&, const api::RequestContext&, In,
                                         api::Reply<Out>),
                         In in) {
    auto call = std::make_shared<WaitingCall<Out>>(ctx_);
    handler(service(), call->context(), std::move(in), api::Reply<Out>(call));
    return call->Wait();
  }
  // Runs a synchronous handler.
  template <typename Out, typename In>
  api::ApiResult<Out> Do(api::ApiResult<Out> (*handler)(SqsService&, const api::RequestContext&,
                                                        In&),
                         In in) {
    return handler(service(), ctx_, in);
  }

  std::string CreateQueue(const std::string& name, api::StringPairs attributes = {},
                          api::StringPairs tags = {}) {
    auto out =
        Do(&sqs::CreateQueue, a::CreateQueueInput{name, std::move(attributes), std::move(tags)});
    EXPECT_TRUE(out.ok()) << ErrorText(out);
    return out.ok() ? out->queue_url : std::string();
  }

  a::SendMessageOutput Send(const std::string& url, std::string body,
                            a::MessageAttributeMap attributes = {},
                            std::optional<int64_t> delay = std::nullopt) {
    a::SendMessageInput in;
    in.queue_url = url;
    in.message_body = std::move(body);
    in.message_attributes = std::move(attributes);
    in.delay_seconds = delay;
    auto out = Do(&sqs::SendMessage, std::move(in));
    EXPECT_TRUE(out.ok()) << ErrorText(out);
    return out.ok() ? *out : a::SendMessageOutput{};
  }

  std::vector<a::Message> Receive(const std::string& url, int64_t max, int64_t visibility) {
    a::ReceiveMessageInput in;
    in.queue_url = url;
    in.max_number_of_messages = max;
    in.visibility_timeout = visibility;
    in.wait_time_seconds = 0;
    in.attribute_names = {"All"};
    in.message_attribute_names = {"All"};
    auto out = Do(&sqs::ReceiveMessage, std::move(in));
    EXPECT_TRUE(out.ok()) << ErrorText(out);
    return out.ok() ? out->messages : std::vector<a::Message>{};
  }

  api::ApiStatus DeleteMessage(const std::string& url, const std::string& handle) {
    auto out = Do(&sqs::DeleteMessage, a::DeleteMessageInput{url, handle});
    if (out.ok()) return {};
    return out.error();
  }

  api::ApiStatus ChangeVisibility(const std::string& url, const std::string& handle,
                                  int64_t timeout) {
    auto out =
        Do(&sqs::ChangeMessageVisibility, a::ChangeMessageVisibilityInput{url, handle, timeout});
    if (out.ok()) return {};
    return out.error();
  }

  void Expect(const api::ApiStatus& status, const std::string& what) {
    EXPECT_TRUE(status.ok()) << what << ": " << (status.ok() ? "" : status.error().message);
  }

  api::StringPairs Attributes(const std::string& url) {
    auto out = Do(&sqs::GetQueueAttributes, a::GetQueueAttributesInput{url, {"All"}});
    EXPECT_TRUE(out.ok()) << ErrorText(out);
    return out.ok() ? out->attributes : api::StringPairs{};
  }

  api::StringPairs Tags(const std::string& url) {
    auto out = Do(&sqs::ListQueueTags, a::QueueUrlInput{url});
    EXPECT_TRUE(out.ok()) << ErrorText(out);
    api::StringPairs tags = out.ok() ? out->tags : api::StringPairs{};
    std::sort(tags.begin(), tags.end());
    return tags;
  }

  std::vector<std::string> QueueUrls() {
    auto out = Do(&sqs::ListQueues, a::ListQueuesInput{});
    EXPECT_TRUE(out.ok()) << ErrorText(out);
    std::vector<std::string> urls = out.ok() ? out->queue_urls : std::vector<std::string>{};
    std::sort(urls.begin(), urls.end());
    return urls;
  }

  // (visible, in flight, delayed) from the engine's counters.
  std::tuple<int64_t, int64_t, int64_t> Counters(const std::string& name) {
    auto queue = service().queues().Find(ctx_.account_id, name);
    if (!queue) {
      ADD_FAILURE() << "no queue " << name;
      return {-1, -1, -1};
    }
    QueueCounters c = queue->Counters();
    return {c.visible, c.in_flight, c.delayed};
  }

  static std::string SystemAttribute(const a::Message& m, const std::string& name) {
    const std::string* v = FindPair(m.attributes, name);
    return v ? *v : "<absent>";
  }

  // Bodies of `messages`, sorted, for comparisons that do not depend on order.
  static std::multiset<std::string> Bodies(const std::vector<a::Message>& messages) {
    std::multiset<std::string> out;
    for (const auto& m : messages) out.insert(m.body);
    return out;
  }

  a::SendMessageOutput SendFifo(const std::string& url, const std::string& body,
                                const std::string& dedup_id, const std::string& group = "g") {
    a::SendMessageInput in;
    in.queue_url = url;
    in.message_body = body;
    in.message_group_id = group;
    in.message_deduplication_id = dedup_id;
    auto out = Do(&sqs::SendMessage, std::move(in));
    EXPECT_TRUE(out.ok()) << ErrorText(out);
    return out.ok() ? *out : a::SendMessageOutput{};
  }

  // The deduplication keys the store holds records of (any queue), read as recovery reads
  // them, with the process stopped around the read.
  std::multiset<std::string> DedupRecordKeys() {
    struct Keys final : storage::RecoveryVisitor {
      void Queue(uint64_t, std::string_view) override {}
      void Message(uint64_t, uint64_t, std::string_view, std::string_view) override {}
      void Dedup(uint64_t, std::string_view key, std::string_view) override { keys.emplace(key); }
      std::multiset<std::string> keys;
    } visitor;
    const int64_t wall = clock().WallMillis();
    process_.reset();
    {
      Process reader(Db(), wall);
      EXPECT_TRUE(reader.store->Recover(visitor).ok());
    }
    process_ = std::make_unique<Process>(Db(), wall);
    auto recovered = service().Recover();
    EXPECT_TRUE(recovered.ok()) << recovered.error();
    return visitor.keys;
  }

  wharf::testing::TempDir temp_{"wharf-recovery-test"};
  const std::filesystem::path& dir_ = temp_.path();
  std::unique_ptr<Process> process_;
  api::RequestContext ctx_ = testing::DefaultContext();
};

TEST_F(RecoveryTest, AnEmptyStoreRecoversNothing) {
  ASSERT_NO_FATAL_FAILURE(Restart());
  EXPECT_TRUE(QueueUrls().empty());
}

TEST_F(RecoveryTest, ACreatedQueueSurvivesARestartWithoutFurtherChanges) {
  const std::string url = CreateQueue("just-created", {{"VisibilityTimeout", "77"}});
  Send(url, "one");
  const api::StringPairs before = Attributes(url);
  ASSERT_NO_FATAL_FAILURE(Restart());
  ASSERT_EQ(QueueUrls(), std::vector<std::string>{url});
  EXPECT_EQ(Attributes(url), before);
  auto messages = Receive(url, 10, 30);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].body, "one");
}

TEST_F(RecoveryTest, EverythingAcknowledgedComesBackAfterARestart) {
  // --- before the restart -------------------------------------------------------------------
  const std::string dlq = CreateQueue("orders-dlq");
  const api::StringPairs dlq_attributes = Attributes(dlq);
  const std::string* dlq_arn_found = FindPair(dlq_attributes, "QueueArn");
  ASSERT_NE(dlq_arn_found, nullptr);
  const std::string dlq_arn = *dlq_arn_found;
  const std::string main = CreateQueue(
      "orders",
      {{"VisibilityTimeout", "30"},
       {"MessageRetentionPeriod", "3600"},
       {"MaximumMessageSize", "65536"},
       {"ReceiveMessageWaitTimeSeconds", "0"},
       {"Policy", R"({"Version":"2012-10-17","Statement":[]})"},
       {"RedrivePolicy", R"({"deadLetterTargetArn":")" + dlq_arn + R"(","maxReceiveCount":"5"})"}},
      {{"team", "payments"}, {"env", "test"}});
  const std::string purged = CreateQueue("purged");
  const std::string deleted = CreateQueue("deleted", {}, {{"doomed", "yes"}});
  const std::string changed = CreateQueue("changed");

  Expect(Do(&sqs::TagQueue, a::TagQueueInput{main, {{"owner", "me"}}}).status(), "TagQueue");
  Expect(Do(&sqs::UntagQueue, a::UntagQueueInput{main, {"env"}}).status(), "UntagQueue");
  Advance(5);
  Expect(
      Do(&sqs::SetQueueAttributes,
         a::SetQueueAttributesInput{changed, {{"VisibilityTimeout", "45"}, {"DelaySeconds", "3"}}})
          .status(),
      "SetQueueAttributes");

  const std::string binary("\0\x01\xff binary \0", 12);
  const int64_t sent_wall = clock().WallMillis();
  std::map<std::string, a::SendMessageOutput> sent;
  for (int i = 1; i <= 6; ++i) {
    const std::string body = "m" + std::to_string(i);
    sent[body] = Send(main, body,
                      {{"Bin", BinaryAttr("Binary", binary)},
                       {"Num", StringAttr("Number", std::to_string(i))},
                       {"Str", StringAttr("String", "value " + body)}});
  }
  sent["m7"] = Send(main, "m7", {}, 120);  // delayed until sent + 120 s
  sent["m8"] = Send(main, "m8", {}, 120);

  Advance(5);                          // t0 = sent + 5
  auto first = Receive(main, 5, 100);  // m1..m5, in flight until t0 + 100
  ASSERT_EQ(first.size(), 5u);
  std::map<std::string, a::Message> received;
  for (const auto& m : first) received[m.body] = m;
  ASSERT_EQ(received.size(), 5u);
  Expect(DeleteMessage(main, received["m4"].receipt_handle), "delete m4");
  Expect(ChangeVisibility(main, received["m2"].receipt_handle, 300), "m2 until t0 + 300");
  Expect(ChangeVisibility(main, received["m5"].receipt_handle, 500), "m5 until t0 + 500");
  Expect(ChangeVisibility(main, received["m3"].receipt_handle, 0), "m3 visible again");
  const std::string m3_first_receive =
      SystemAttribute(received["m3"], "ApproximateFirstReceiveTimestamp");

  for (const char* body : {"p1", "p2", "p3"}) Send(purged, body);
  Expect(Do(&sqs::PurgeQueue, a::QueueUrlInput{purged}).status(), "PurgeQueue");
  Send(purged, "p4 (after the purge)");

  Send(deleted, "gone with its queue");
  Expect(Do(&sqs::DeleteQueue, a::QueueUrlInput{deleted}).status(), "DeleteQueue");

  Advance(10);  // the restart happens at t0 + 10
  const std::vector<std::string> urls = QueueUrls();
  ASSERT_EQ(urls.size(), 4u);
  std::map<std::string, api::StringPairs> attributes;
  std::map<std::string, api::StringPairs> tags;
  for (const std::string& url : urls) {
    attributes[url] = Attributes(url);
    tags[url] = Tags(url);
  }
  const auto main_counters = Counters("orders");
  EXPECT_EQ(main_counters, std::make_tuple(int64_t{2}, int64_t{3}, int64_t{2}))
      << "visible m3 m6; in flight m1 m2 m5; delayed m7 m8";

  // --- the restart --------------------------------------------------------------------------
  ASSERT_NO_FATAL_FAILURE(Restart());

  // Queues, attributes (including the counts) and tags.
  EXPECT_EQ(QueueUrls(), urls);
  for (const std::string& url : urls) {
    EXPECT_EQ(Attributes(url), attributes[url]) << url;
    EXPECT_EQ(Tags(url), tags[url]) << url;
  }
  EXPECT_EQ(tags[main], (api::StringPairs{{"owner", "me"}, {"team", "payments"}}));
  EXPECT_EQ(Counters("orders"), main_counters);
  EXPECT_EQ(Counters("purged"), std::make_tuple(int64_t{1}, int64_t{0}, int64_t{0}));
  EXPECT_EQ(Attributes(changed), attributes[changed]);
  {
    const api::StringPairs changed_attributes = Attributes(changed);
    const std::string* timeout = FindPair(changed_attributes, "VisibilityTimeout");
    ASSERT_NE(timeout, nullptr);
    EXPECT_EQ(*timeout, "45");
  }
  EXPECT_FALSE(service().queues().Find(ctx_.account_id, "deleted"));
  {
    auto url = Do(&sqs::GetQueueUrl, a::GetQueueUrlInput{"deleted", std::nullopt});
    ASSERT_FALSE(url.ok());
    EXPECT_EQ(url.error().code, ErrorCode::kQueueDoesNotExist);
  }
  {
    auto sources = Do(&sqs::ListDeadLetterSourceQueues, a::ListDeadLetterSourceQueuesInput{dlq});
    ASSERT_TRUE(sources.ok()) << ErrorText(sources);
    EXPECT_EQ(sources->queue_urls, std::vector<std::string>{main});
  }

  // Visible now: m3 (received once before) and m6, content intact.
  auto visible = Receive(main, 10, 10'000);
  ASSERT_EQ(Bodies(visible), (std::multiset<std::string>{"m3", "m6"}));
  for (const auto& m : visible) {
    SCOPED_TRACE(m.body);
    EXPECT_EQ(m.message_id, sent[m.body].message_id);
    EXPECT_EQ(m.md5_of_body, sent[m.body].md5_of_message_body);
    EXPECT_EQ(m.md5_of_message_attributes, sent[m.body].md5_of_message_attributes);
    EXPECT_EQ(SystemAttribute(m, "SentTimestamp"), std::to_string(sent_wall));
    EXPECT_EQ(SystemAttribute(m, "ApproximateReceiveCount"), m.body == "m3" ? "2" : "1");
    ASSERT_EQ(m.message_attributes.size(), 3u);
    EXPECT_EQ(m.message_attributes[0].second.binary_value, binary);
    if (m.body == "m3") {
      EXPECT_EQ(SystemAttribute(m, "ApproximateFirstReceiveTimestamp"), m3_first_receive);
    }
  }

  // Receipt handles issued before the restart still work.
  Expect(DeleteMessage(main, received["m1"].receipt_handle), "delete m1 with its old handle");
  Expect(DeleteMessage(main, received["m4"].receipt_handle), "m4 deleted again");
  Expect(ChangeVisibility(main, received["m5"].receipt_handle, 490), "m5 until t0 + 500 again");
  EXPECT_EQ(Counters("orders"), std::make_tuple(int64_t{0}, int64_t{4}, int64_t{2}))
      << "in flight m2 m3 m5 m6; delayed m7 m8";

  // Delays end at sent + 120, counted from the original send (now: sent + 15).
  Advance(104);  // sent + 119
  EXPECT_TRUE(Receive(main, 10, 10'000).empty()) << "a delayed message came early";
  Advance(2);  // sent + 121
  auto delayed = Receive(main, 10, 10'000);
  EXPECT_EQ(Bodies(delayed), (std::multiset<std::string>{"m7", "m8"}));
  for (const auto& m : delayed) EXPECT_EQ(SystemAttribute(m, "ApproximateReceiveCount"), "1");

  // A second restart keeps what the first one restored and what happened since.
  const auto counters_before_second = Counters("orders");
  ASSERT_NO_FATAL_FAILURE(Restart());
  EXPECT_EQ(Counters("orders"), counters_before_second);

  // In-flight messages stay hidden until their deadline (t0 = sent + 5), not until the restart's.
  Advance(183);  // sent + 304 = t0 + 299
  EXPECT_TRUE(Receive(main, 10, 10'000).empty()) << "m2 came back early";
  Advance(2);  // t0 + 301
  auto m2 = Receive(main, 10, 10'000);
  ASSERT_EQ(Bodies(m2), std::multiset<std::string>{"m2"});
  EXPECT_EQ(SystemAttribute(m2[0], "ApproximateReceiveCount"), "2");
  Advance(198);  // t0 + 499
  EXPECT_TRUE(Receive(main, 10, 10'000).empty()) << "m5 came back early";
  Advance(2);  // t0 + 501
  auto m5 = Receive(main, 10, 10'000);
  ASSERT_EQ(Bodies(m5), std::multiset<std::string>{"m5"});
  EXPECT_EQ(SystemAttribute(m5[0], "ApproximateReceiveCount"), "2");

  // Retention (3600 s) counts from the original send time, not from a restart.
  auto purged_messages = Receive(purged, 10, 10'000);
  ASSERT_EQ(Bodies(purged_messages), std::multiset<std::string>{"p4 (after the purge)"});
  const int64_t now_after_send = (clock().WallMillis() - sent_wall) / 1000;  // 506
  Advance(3599 - now_after_send);
  EXPECT_EQ(Counters("orders"), std::make_tuple(int64_t{0}, int64_t{6}, int64_t{0}));
  Advance(2);  // sent + 3601
  EXPECT_EQ(Counters("orders"), std::make_tuple(int64_t{0}, int64_t{0}, int64_t{0}))
      << "messages outlived their retention period";
  // And the expiry itself is durable.
  ASSERT_NO_FATAL_FAILURE(Restart());
  EXPECT_EQ(Counters("orders"), std::make_tuple(int64_t{0}, int64_t{0}, int64_t{0}));
}

TEST_F(RecoveryTest, MessagesSentAfterARestartDoNotCollideWithEarlierOnes) {
  const std::string url = CreateQueue("q");
  Send(url, "before 1");
  Send(url, "before 2");
  ASSERT_NO_FATAL_FAILURE(Restart());
  Send(url, "after");
  auto messages = Receive(url, 10, 100);
  EXPECT_EQ(Bodies(messages), (std::multiset<std::string>{"before 1", "before 2", "after"}));
  ASSERT_NO_FATAL_FAILURE(Restart());
  EXPECT_EQ(Counters("q"), std::make_tuple(int64_t{0}, int64_t{3}, int64_t{0}));
}

// Issue 12: FIFO SequenceNumber must keep increasing per queue across a purge and a restart,
// even when the restart comes at the same wall-clock millisecond or with the clock stepped back
// (seqs used to restart from the wall clock when no message was left to continue from).
TEST_F(RecoveryTest, FifoSequenceNumbersKeepIncreasingAcrossPurgeAndRestart) {
  const std::string url =
      CreateQueue("seq.fifo", {{"FifoQueue", "true"}, {"ContentBasedDeduplication", "true"}});
  std::string last;
  int sent = 0;
  auto send = [&](const std::string& what) {
    a::SendMessageInput in;
    in.queue_url = url;
    in.message_body = "body " + std::to_string(++sent);
    in.message_group_id = "g";
    auto out = Do(&sqs::SendMessage, std::move(in));
    ASSERT_TRUE(out.ok()) << ErrorText(out);
    ASSERT_TRUE(out->sequence_number.has_value());
    // Same width (20 digits), so the strings compare as the numbers do.
    EXPECT_GT(*out->sequence_number, last) << what;
    last = *out->sequence_number;
  };
  for (int i = 0; i < 3; ++i) send("before the purge");
  Expect(Do(&sqs::PurgeQueue, a::QueueUrlInput{url}).status(), "PurgeQueue");
  send("after the purge");
  Advance(61);  // a second purge is allowed a minute later
  Expect(Do(&sqs::PurgeQueue, a::QueueUrlInput{url}).status(), "PurgeQueue");
  ASSERT_NO_FATAL_FAILURE(Restart(/*wall_step_millis=*/-61'000));
  send("after the purge and a restart with the clock where it was at the first send");
  Advance(61);
  Expect(Do(&sqs::PurgeQueue, a::QueueUrlInput{url}).status(), "PurgeQueue");
  ASSERT_NO_FATAL_FAILURE(Restart(/*wall_step_millis=*/-3'600'000));
  send("after a purge and a restart with the clock stepped back an hour");
  send("and the next one");
  ASSERT_NO_FATAL_FAILURE(Restart(/*wall_step_millis=*/-3'600'000));
  send("after a restart with messages left, the clock stepped back again");
}

// Deleting every message (no purge) leaves the deduplication entries, which also keep the
// sequence numbers they returned: a restart continues above them.
TEST_F(RecoveryTest, FifoSequenceNumbersKeepIncreasingAfterEveryMessageWasDeleted) {
  const std::string url =
      CreateQueue("del.fifo", {{"FifoQueue", "true"}, {"ContentBasedDeduplication", "true"}});
  a::SendMessageInput in;
  in.queue_url = url;
  in.message_body = "only";
  in.message_group_id = "g";
  auto first = Do(&sqs::SendMessage, a::SendMessageInput(in));
  ASSERT_TRUE(first.ok() && first->sequence_number);
  auto messages = Receive(url, 1, 30);
  ASSERT_EQ(messages.size(), 1u);
  Expect(DeleteMessage(url, messages[0].receipt_handle), "DeleteMessage");
  ASSERT_NO_FATAL_FAILURE(Restart(/*wall_step_millis=*/-60'000));
  in.message_body = "next";
  auto next = Do(&sqs::SendMessage, std::move(in));
  ASSERT_TRUE(next.ok() && next->sequence_number);
  EXPECT_GT(*next->sequence_number, *first->sequence_number);
}

// A FIFO message's deduplication entry is kept in its own record (issue 6): it has no record of
// its own while the message is stored, one once the message is deleted inside the window, and
// that one goes when the window ends. Both kinds answer duplicates after a restart.
TEST_F(RecoveryTest, FifoDeduplicationIdsOfStoredAndDeletedMessagesSurviveARestart) {
  const std::string url = CreateQueue("dedup.fifo", {{"FifoQueue", "true"}});
  const a::SendMessageOutput kept = SendFifo(url, "kept body", "kept");
  const a::SendMessageOutput gone = SendFifo(url, "gone body", "gone");
  auto received = Receive(url, 10, 30);
  ASSERT_EQ(received.size(), 2u);
  ASSERT_EQ(received[1].body, "gone body");
  Expect(DeleteMessage(url, received[1].receipt_handle), "DeleteMessage");
  EXPECT_EQ(DedupRecordKeys(), std::multiset<std::string>{"gone"})
      << "only the deleted message's entry needs a record of its own";

  ASSERT_NO_FATAL_FAILURE(Restart());
  Advance(240);  // 4 minutes after the sends: still inside the window
  for (const auto& [id, first] : {std::pair{"kept", kept}, std::pair{"gone", gone}}) {
    const a::SendMessageOutput again = SendFifo(url, "another body", id);
    EXPECT_EQ(again.message_id, first.message_id) << id << " is a duplicate after the restart";
    EXPECT_EQ(again.sequence_number, first.sequence_number) << id;
  }
  EXPECT_EQ(Counters("dedup.fifo"), std::make_tuple(int64_t{1}, int64_t{0}, int64_t{0}))
      << "the stored message came back; nothing was added";

  Advance(61);  // past the 5 minutes
  const a::SendMessageOutput fresh = SendFifo(url, "new body", "kept");
  EXPECT_NE(fresh.message_id, kept.message_id) << "the window ended";
  EXPECT_EQ(DedupRecordKeys(), std::multiset<std::string>{})
      << "the deleted message's record goes when its entry runs out";
  ASSERT_NO_FATAL_FAILURE(Restart());
  EXPECT_EQ(SendFifo(url, "again", "kept").message_id, fresh.message_id)
      << "the new entry was rebuilt from the new message";
}

// A message moved into a FIFO queue (here a dead-letter queue) did not claim its deduplication id
// there: after a restart a send of that id to the dead-letter queue is not a duplicate, also once
// the moved message was received there (its state record keeps saying it was moved in). In the
// source, the entry outlives the message, so it is recorded when the message moves out.
TEST_F(RecoveryTest, AMessageMovedIntoAFifoQueueClaimsNoDeduplicationIdThere) {
  const std::string dlq = CreateQueue("dead.fifo", {{"FifoQueue", "true"}});
  const api::StringPairs dlq_attributes = Attributes(dlq);
  const std::string* dlq_arn = FindPair(dlq_attributes, "QueueArn");
  ASSERT_NE(dlq_arn, nullptr);
  const std::string source =
      CreateQueue("source.fifo", {{"FifoQueue", "true"},
                                  {"RedrivePolicy", R"({"deadLetterTargetArn":")" + *dlq_arn +
                                                        R"(","maxReceiveCount":"1"})"}});
  const a::SendMessageOutput original = SendFifo(source, "poison", "x");
  ASSERT_EQ(Receive(source, 1, 0).size(), 1u);
  EXPECT_TRUE(Receive(source, 1, 0).empty()) << "moved to the dead-letter queue on this receive";
  // The dead-letter queue places the message once the move is durable (the committer's thread).
  for (int i = 0; i < 1000 && std::get<0>(Counters("dead.fifo")) == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  auto in_dlq = Receive(dlq, 1, 0);  // a receive there rewrites its state record
  ASSERT_EQ(in_dlq.size(), 1u);
  EXPECT_EQ(in_dlq[0].body, "poison");
  EXPECT_EQ(SystemAttribute(in_dlq[0], "MessageDeduplicationId"), "x");
  EXPECT_EQ(DedupRecordKeys(), std::multiset<std::string>{"x"}) << "the source's entry, kept";

  ASSERT_NO_FATAL_FAILURE(Restart());
  const a::SendMessageOutput to_dlq = SendFifo(dlq, "direct", "x");
  EXPECT_NE(to_dlq.message_id, original.message_id)
      << "the moved message claimed no deduplication id in the dead-letter queue";
  EXPECT_EQ(SendFifo(dlq, "direct again", "x").message_id, to_dlq.message_id);
  EXPECT_EQ(SendFifo(source, "poison again", "x").message_id, original.message_id)
      << "the source still knows the id";
  EXPECT_EQ(Counters("dead.fifo"), std::make_tuple(int64_t{2}, int64_t{0}, int64_t{0}));
  EXPECT_EQ(Counters("source.fifo"), std::make_tuple(int64_t{0}, int64_t{0}, int64_t{0}));
}

// A record that ran out while the server was stopped is deleted after the restart (it used to be
// skipped and kept forever); so is one an earlier version wrote for a message still stored, once
// its window ends.
TEST_F(RecoveryTest, DeduplicationRecordsAreDeletedWhenTheirEntriesRunOutAcrossRestarts) {
  const std::string url = CreateQueue("old.fifo", {{"FifoQueue", "true"}});
  SendFifo(url, "deleted", "d");
  auto received = Receive(url, 1, 30);
  ASSERT_EQ(received.size(), 1u);
  Expect(DeleteMessage(url, received[0].receipt_handle), "DeleteMessage");
  // The record an earlier version wrote with every send, for a message that is still stored.
  const a::SendMessageOutput stored = SendFifo(url, "stored", "s");
  ASSERT_TRUE(stored.sequence_number.has_value());
  DedupEntry entry;
  entry.message_id = stored.message_id;
  entry.seq = std::stoull(*stored.sequence_number) - 10'000'000'000'000'000'000ULL;
  entry.expires_millis = clock().WallMillis() + DedupWindow::kWindowMillis;
  std::promise<storage::StorageStatus> written;
  process_->store->WhenDurable(
      process_->store->Append(
          {storage::Record{storage::RecordType::kDedupPut,
                           service().queues().Find(ctx_.account_id, "old.fifo")->identity().id, 0,
                           EncodeDedupRecord(entry), "s"}}),
      [&](storage::StorageStatus s) { written.set_value(std::move(s)); });
  ASSERT_TRUE(written.get_future().get().ok());
  EXPECT_EQ(DedupRecordKeys(), (std::multiset<std::string>{"d", "s"}));

  ASSERT_NO_FATAL_FAILURE(Restart());
  EXPECT_EQ(SendFifo(url, "again", "s").message_id, stored.message_id);
  ASSERT_NO_FATAL_FAILURE(Restart(/*wall_step_millis=*/10 * 60'000));  // stopped 10 minutes
  Counters("old.fifo");  // any use of the queue sweeps its window
  EXPECT_EQ(DedupRecordKeys(), std::multiset<std::string>{});
  EXPECT_NE(SendFifo(url, "again", "s").message_id, stored.message_id);
  EXPECT_NE(SendFifo(url, "again", "d").message_id, received[0].message_id);
}

// After a restart, seqs continue above the highest *stored* one, so when the newest messages were
// deleted before it, a seq is handed out again. A receipt handle of the deleted message must not
// delete the new message that got its seq, even once that one was received more often.
TEST_F(RecoveryTest, AnOldReceiptHandleDoesNotDeleteANewMessageAfterARestart) {
  const std::string url = CreateQueue("q");
  Send(url, "old");
  auto old_messages = Receive(url, 1, 30);
  ASSERT_EQ(old_messages.size(), 1u);
  const std::string old_handle = old_messages[0].receipt_handle;
  Expect(DeleteMessage(url, old_handle), "delete old");
  ASSERT_NO_FATAL_FAILURE(Restart());

  Send(url, "new");
  ASSERT_EQ(Receive(url, 1, 0).size(), 1u);      // visible again at once
  ASSERT_EQ(Receive(url, 1, 0).size(), 1u);      // received twice now
  DeleteMessage(url, old_handle).IgnoreError();  // a client retrying its old delete
  auto remaining = Receive(url, 10, 30);
  EXPECT_EQ(Bodies(remaining), std::multiset<std::string>{"new"})
      << "the old message's receipt handle deleted the new message";
}

}  // namespace
}  // namespace wharf::sqs
