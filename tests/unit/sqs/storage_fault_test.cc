// A full or failing disk under the SQS service (docs/reliability.md "Fault injection"): an
// SqsService over a RocksStore on the fault-injecting filesystem, driven through its handlers.
// While writes fail, sends (and everything else that must be durable before it is answered) get
// the retryable ServiceUnavailable (HTTP 503; a batch as a whole), a send that failed never
// becomes receivable, standard receives keep working, FIFO receives and deletes are refused but
// leave nothing stuck; once the disk is freed the store recovers by itself and the service takes
// sends again, with no restart. After a restart, every acknowledged message is there exactly once,
// no deleted or failed one comes back. With a tiny bound on the records the store keeps through
// the outage, everything that would write is refused up front once it is reached, changing
// nothing, and is accepted again after the recovery.
//
// Time is a ManualClock; the only waits are for answers from the store's committer thread and
// for its recovery (both with generous deadlines, no sleeps).

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/manual_clock.h"
#include "sqs/handlers/handlers.h"
#include "sqs/service.h"
#include "sqs_test_support.h"
#include "storage/fault_injection.h"
#include "storage/rocks_store.h"
#include "storage_key.h"
#include "temp_dir.h"

namespace wharf::sqs {
namespace {

namespace a = api::sqs;
using api::ErrorCode;
using storage::FaultKind;
using testing::FindPair;

constexpr int64_t kStartWallMillis = 1'700'000'000'000;
constexpr std::chrono::seconds kDeadline{60};

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
    if (!cv_.wait_for(lock, kDeadline, [&] { return result_.has_value(); })) {
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

// Counts the store's recoveries (RocksOptions::on_health_change, on its committer thread).
class Recoveries {
 public:
  void Report(const storage::StorageStatus& status) {
    std::lock_guard lock(mu_);
    if (status.ok()) ++count_;
    cv_.notify_all();
  }
  bool Wait(int n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, kDeadline, [&] { return count_ >= n; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int count_ = 0;
};

// One server process over the fault-injecting filesystem (shared across restarts, as the disk).
struct Process {
  Process(const std::string& directory, int64_t wall_millis, storage::FaultInjection& faults,
          Recoveries& recoveries, uint64_t max_retained_bytes)
      : clock(wall_millis) {
    storage::RocksOptions options;
    options.directory = directory;
    options.sealing_key = wharf::testing::TestStorageKey();
    options.env = faults.env();
    options.recovery_interval = std::chrono::milliseconds(20);
    options.recovery_headroom_bytes = 0;
    options.max_retained_bytes = max_retained_bytes;
    options.on_health_change = [&recoveries](const storage::StorageStatus& status) {
      recoveries.Report(status);
    };
    auto opened = storage::RocksStore::Open(options);
    if (!opened.ok()) {
      ADD_FAILURE() << "open: " << opened.error().detail;
      return;
    }
    store = std::move(opened).value();
    service = std::make_unique<SqsService>(clock, clock, *store, ServiceOptions{});
  }
  ~Process() {
    service.reset();
    if (store) store->Close();
  }

  ManualClock clock;
  std::unique_ptr<storage::RocksStore> store;
  std::unique_ptr<SqsService> service;
};

class StorageFaultTest : public ::testing::Test {
 protected:
  ~StorageFaultTest() override { process_.reset(); }

  void SetUp() override {
    process_ = std::make_unique<Process>(Db(), kStartWallMillis, faults_, recoveries_,
                                         max_retained_bytes_);
    ASSERT_NE(process_->service, nullptr);
  }

  std::string Db() const { return dir_.db(); }
  SqsService& service() { return *process_->service; }
  void Advance(int64_t seconds) { process_->clock.Advance(Seconds(seconds)); }

  void Restart() {
    const int64_t wall = process_->clock.WallMillis() + 1000;
    process_.reset();
    process_ = std::make_unique<Process>(Db(), wall, faults_, recoveries_, max_retained_bytes_);
    ASSERT_NE(process_->service, nullptr);
    auto recovered = service().Recover();
    ASSERT_TRUE(recovered.ok()) << recovered.error();
  }

  // The disk is full (or failing) from now on.
  void FailDisk(FaultKind kind = FaultKind::kNoSpace) { faults_.FailWrites(kind); }
  // Frees the disk and waits for the store to recover by itself.
  void FreeDisk() {
    faults_.Heal();
    ASSERT_TRUE(recoveries_.Wait(++expected_recoveries_)) << "the store did not recover";
    ASSERT_TRUE(process_->store->Health().ok());
  }

  template <typename Out, typename In>
  api::ApiResult<Out> Do(void (*handler)(SqsService&, const api::RequestContext&, In,
                                         api::Reply<Out>),
                         In in) {
    auto call = std::make_shared<WaitingCall<Out>>(ctx_);
    handler(service(), call->context(), std::move(in), api::Reply<Out>(call));
    return call->Wait();
  }

  api::ApiResult<a::QueueUrlOutput> CreateQueue(const std::string& name,
                                                api::StringPairs attributes = {}) {
    return Do(&sqs::CreateQueue, a::CreateQueueInput{name, std::move(attributes), {}});
  }

  api::ApiResult<a::SendMessageOutput> Send(const std::string& url, std::string body,
                                            std::optional<std::string> group = std::nullopt,
                                            std::optional<std::string> dedup = std::nullopt) {
    a::SendMessageInput in;
    in.queue_url = url;
    in.message_body = std::move(body);
    in.message_group_id = std::move(group);
    in.message_deduplication_id = std::move(dedup);
    return Do(&sqs::SendMessage, std::move(in));
  }

  api::ApiResult<a::ReceiveMessageOutput> Receive(const std::string& url, int64_t visibility,
                                                  std::optional<std::string> attempt = {}) {
    a::ReceiveMessageInput in;
    in.queue_url = url;
    in.max_number_of_messages = 10;
    in.visibility_timeout = visibility;
    in.wait_time_seconds = 0;
    in.attribute_names = {"All"};
    in.receive_request_attempt_id = std::move(attempt);
    return Do(&sqs::ReceiveMessage, std::move(in));
  }

  std::set<std::string> Bodies(const api::ApiResult<a::ReceiveMessageOutput>& received) {
    std::set<std::string> bodies;
    EXPECT_TRUE(received.ok()) << (received.ok() ? "" : received.error().message);
    if (!received.ok()) return bodies;
    for (const a::Message& m : received->messages) {
      EXPECT_TRUE(bodies.insert(m.body).second) << "received twice in one answer: " << m.body;
    }
    return bodies;
  }

  api::ApiStatus Delete(const std::string& url, const std::string& handle) {
    auto out = Do(&sqs::DeleteMessage, a::DeleteMessageInput{url, handle});
    if (out.ok()) return {};
    return out.error();
  }

  static void ExpectUnavailable(const api::ApiStatus& status, const std::string& what) {
    ASSERT_FALSE(status.ok()) << what << " succeeded on a failing disk";
    EXPECT_EQ(status.error().code, ErrorCode::kServiceUnavailable) << what;
  }
  template <typename T>
  static void ExpectUnavailable(const api::ApiResult<T>& result, const std::string& what) {
    ASSERT_FALSE(result.ok()) << what << " succeeded on a failing disk";
    EXPECT_EQ(result.error().code, ErrorCode::kServiceUnavailable) << what;
  }

  // RocksOptions::max_retained_bytes of every process (set before SetUp to change it).
  uint64_t max_retained_bytes_ = storage::RocksOptions{}.max_retained_bytes;
  wharf::testing::TempDir dir_;
  storage::FaultInjection faults_;
  Recoveries recoveries_;
  int expected_recoveries_ = 0;
  std::unique_ptr<Process> process_;
  api::RequestContext ctx_ = testing::DefaultContext();
};

TEST_F(StorageFaultTest, StandardQueueRefusesSendsServesReceivesAndRecoversWithoutRestart) {
  auto created = CreateQueue("jobs");
  ASSERT_TRUE(created.ok());
  const std::string url = created->queue_url;
  for (const char* body : {"a1", "a2", "a3"}) ASSERT_TRUE(Send(url, body).ok());

  FailDisk();
  // The first send finds the failure in its commit; the next ones are refused up front.
  ExpectUnavailable(Send(url, "f1"), "a send whose commit failed");
  ExpectUnavailable(Send(url, "f2"), "a send while the store is failing");
  {
    a::SendMessageBatchInput batch;
    batch.queue_url = url;
    for (const char* id : {"x", "y"}) {
      a::SendMessageBatchRequestEntry entry;
      entry.id = id;
      entry.message_body = std::string("batch-") + id;
      batch.entries.push_back(std::move(entry));
    }
    // The whole batch fails (retried as a whole by the SDKs), not some entries.
    ExpectUnavailable(Do(&sqs::SendMessageBatch, std::move(batch)), "SendMessageBatch");
  }
  // Receives keep working and see exactly the acknowledged messages.
  auto received = Receive(url, 30);
  EXPECT_EQ(Bodies(received), (std::set<std::string>{"a1", "a2", "a3"}));
  ASSERT_TRUE(received.ok());
  ASSERT_EQ(received->messages.size(), 3u);
  // A delete cannot be acknowledged before it is durable: refused, retried after recovery.
  const a::Message deleted = received->messages[0];
  ExpectUnavailable(Delete(url, deleted.receipt_handle), "a delete while failing");
  // A batch of them fails as a whole (SDKs retry a 503, not a failed entry).
  a::DeleteMessageBatchInput batch;
  batch.queue_url = url;
  for (size_t i = 0; i < received->messages.size(); ++i) {
    a::DeleteMessageBatchRequestEntry entry;
    entry.id = "e" + std::to_string(i);
    entry.receipt_handle = received->messages[i].receipt_handle;
    batch.entries.push_back(std::move(entry));
  }
  ExpectUnavailable(Do(&sqs::DeleteMessageBatch, a::DeleteMessageBatchInput(batch)),
                    "DeleteMessageBatch while failing");

  FreeDisk();
  EXPECT_TRUE(Delete(url, deleted.receipt_handle).ok()) << "the retried delete";
  // The retried batch succeeds for every entry, the one deleted since included.
  auto retried = Do(&sqs::DeleteMessageBatch, std::move(batch));
  ASSERT_TRUE(retried.ok()) << retried.error().message;
  EXPECT_EQ(retried->successful.size(), 3u);
  EXPECT_TRUE(retried->failed.empty());
  ASSERT_TRUE(Send(url, "after").ok()) << "a send after recovery, without a restart";
  Advance(31);  // nothing received during the fault comes back: the batch deleted all three
  const std::set<std::string> expected = {"after"};
  EXPECT_EQ(Bodies(Receive(url, 0)), expected);

  // A restart finds the same: no failed send and no deleted message comes back.
  Restart();
  EXPECT_EQ(Bodies(Receive(url, 30)), expected);
}

TEST_F(StorageFaultTest, FifoQueueFailedSendIsUndoneAndItsRetryIsNotADuplicate) {
  auto created = CreateQueue("orders.fifo", {{"FifoQueue", "true"}});
  ASSERT_TRUE(created.ok());
  const std::string url = created->queue_url;
  auto first = Send(url, "o1", "g", "d1");
  ASSERT_TRUE(first.ok());

  FailDisk(FaultKind::kIoError);
  // Its records reach the store's retained batches (written at recovery); the undo follows.
  ExpectUnavailable(Send(url, "o2", "g", "d2"), "a FIFO send whose commit failed");
  // A FIFO receive must be durable before it is answered: refused, and the message goes back
  // at once instead of staying in flight for the visibility timeout.
  ExpectUnavailable(Receive(url, 300, "attempt-1"), "a FIFO receive while failing");

  FreeDisk();
  // The retry of the failed send is a new message, not a duplicate of the failed one.
  auto retried = Send(url, "o2", "g", "d2");
  ASSERT_TRUE(retried.ok());
  ASSERT_TRUE(retried->sequence_number.has_value());
  EXPECT_GT(*retried->sequence_number, *first->sequence_number);
  // And the retry of a send acknowledged before the fault still is one.
  auto duplicate = Send(url, "o1", "g", "d1");
  ASSERT_TRUE(duplicate.ok());
  EXPECT_EQ(duplicate->message_id, first->message_id);

  // The receive refused during the fault left nothing in flight: o1 comes at once, first
  // receive counted once.
  auto received = Receive(url, 300, "attempt-2");
  ASSERT_TRUE(received.ok());
  ASSERT_EQ(received->messages.size(), 2u);
  EXPECT_EQ(received->messages[0].body, "o1");
  EXPECT_EQ(received->messages[1].body, "o2");
  const std::string* count = FindPair(received->messages[0].attributes, "ApproximateReceiveCount");
  ASSERT_NE(count, nullptr);
  EXPECT_EQ(*count, "1");
  for (const a::Message& m : received->messages) EXPECT_TRUE(Delete(url, m.receipt_handle).ok());

  // After a restart: nothing left, the failed send did not come back from the retained batch.
  Restart();
  auto after = Receive(url, 300);
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after->messages.empty())
      << after->messages.size() << " message(s) came back, first " << after->messages.front().body;
}

TEST_F(StorageFaultTest, QueueCreatedDuringTheFaultIsAnsweredOnlyOnceDurable) {
  FailDisk();
  ExpectUnavailable(CreateQueue("late"), "CreateQueue on a failing disk");
  // The queue exists in memory; asking again is still refused until it is durable.
  ExpectUnavailable(CreateQueue("late"), "CreateQueue again on a failing disk");
  FreeDisk();
  auto created = CreateQueue("late");
  ASSERT_TRUE(created.ok());
  ASSERT_TRUE(Send(created->queue_url, "kept").ok());
  Restart();
  EXPECT_EQ(Bodies(Receive(created->queue_url, 30)), (std::set<std::string>{"kept"}));
}

TEST_F(StorageFaultTest, FailingSyncsAreAFailingDiskToo) {
  auto created = CreateQueue("synced");
  ASSERT_TRUE(created.ok());
  const std::string url = created->queue_url;
  ASSERT_TRUE(Send(url, "before").ok());
  faults_.FailSyncs(FaultKind::kNoSpace);
  ExpectUnavailable(Send(url, "written, not synced"), "a send whose sync failed");
  EXPECT_EQ(Bodies(Receive(url, 0)), (std::set<std::string>{"before"}));
  FreeDisk();
  ASSERT_TRUE(Send(url, "after").ok());
  Restart();
  EXPECT_EQ(Bodies(Receive(url, 30)), (std::set<std::string>{"before", "after"}));
}

// A long outage with a tiny bound on what the store keeps for its recovery: once the bound is
// reached, every operation that would write (receives, deletes, visibility and queue changes)
// gets the retryable 503 before it changes anything: no message changes state in memory and the
// store keeps no more records. After the recovery the retried calls succeed, and a restart shows
// every acknowledged change exactly once.
class BoundedStorageFaultTest : public StorageFaultTest {
 protected:
  void SetUp() override {
    max_retained_bytes_ = 1;  // the first failed group reaches it
    StorageFaultTest::SetUp();
  }

  // ApproximateNumberOfMessages / ...NotVisible: what the engine holds in memory.
  std::pair<std::string, std::string> Counts(const std::string& url) {
    a::GetQueueAttributesInput in;
    in.queue_url = url;
    in.attribute_names = {"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"};
    auto out = GetQueueAttributes(service(), ctx_, in);
    EXPECT_TRUE(out.ok());
    if (!out.ok()) return {};
    const std::string* visible = FindPair(out->attributes, "ApproximateNumberOfMessages");
    const std::string* hidden = FindPair(out->attributes, "ApproximateNumberOfMessagesNotVisible");
    return {visible ? *visible : "?", hidden ? *hidden : "?"};
  }
};

TEST_F(BoundedStorageFaultTest, PastTheBoundWritesAreRefusedUpFrontAndAcceptedAfterRecovery) {
  auto created = CreateQueue("bounded");
  ASSERT_TRUE(created.ok());
  const std::string url = created->queue_url;
  for (const char* body : {"m1", "m2", "m3", "m4"}) ASSERT_TRUE(Send(url, body).ok());
  auto received = Receive(url, 300);
  ASSERT_EQ(Bodies(received), (std::set<std::string>{"m1", "m2", "m3", "m4"}));
  std::map<std::string, std::string> handles;
  for (const a::Message& m : received->messages) handles[m.body] = m.receipt_handle;

  FailDisk();
  // The first delete is applied in memory; its commit fails, and its records are kept (the
  // retried delete succeeds after the recovery). They reach the bound.
  ExpectUnavailable(Delete(url, handles["m1"]), "a delete whose commit failed");
  ASSERT_FALSE(process_->store->Accepting().ok());
  const uint64_t kept = process_->store->retained_bytes();
  const auto counts = Counts(url);
  EXPECT_EQ(counts, std::make_pair(std::string("0"), std::string("3")));

  // Everything that would write is refused up front from now on.
  ExpectUnavailable(Receive(url, 0), "a receive past the bound");
  ExpectUnavailable(Delete(url, handles["m2"]), "a delete past the bound");
  {
    a::DeleteMessageBatchInput batch;
    batch.queue_url = url;
    batch.entries.push_back(a::DeleteMessageBatchRequestEntry{"e2", handles["m2"]});
    ExpectUnavailable(Do(&sqs::DeleteMessageBatch, std::move(batch)), "a delete batch");
  }
  ExpectUnavailable(
      Do(&sqs::ChangeMessageVisibility, a::ChangeMessageVisibilityInput{url, handles["m3"], 0}),
      "a visibility change past the bound");
  ExpectUnavailable(
      Do(&sqs::SetQueueAttributes, a::SetQueueAttributesInput{url, {{"VisibilityTimeout", "5"}}}),
      "SetQueueAttributes past the bound");
  ExpectUnavailable(Do(&sqs::TagQueue, a::TagQueueInput{url, {{"team", "a"}}}),
                    "TagQueue past the bound");
  ExpectUnavailable(Do(&sqs::PurgeQueue, a::QueueUrlInput{url}), "PurgeQueue past the bound");
  ExpectUnavailable(Do(&sqs::DeleteQueue, a::QueueUrlInput{url}), "DeleteQueue past the bound");
  ExpectUnavailable(CreateQueue("other"), "CreateQueue past the bound");
  ExpectUnavailable(Send(url, "refused"), "a send past the bound");

  // Nothing changed in memory and nothing more was kept: m2 to m4 are still in flight, m3 was
  // not made visible, the queue and its attributes are as they were.
  EXPECT_EQ(Counts(url), counts);
  EXPECT_EQ(process_->store->retained_bytes(), kept);
  {
    a::GetQueueUrlInput in;
    in.queue_name = "other";
    EXPECT_FALSE(GetQueueUrl(service(), ctx_, in).ok()) << "a refused CreateQueue made a queue";
    a::QueueUrlInput tags_in{url};
    auto tags = ListQueueTags(service(), ctx_, tags_in);
    ASSERT_TRUE(tags.ok());
    EXPECT_TRUE(tags->tags.empty());
  }

  FreeDisk();
  ASSERT_TRUE(process_->store->Accepting().ok());
  // The retried calls succeed, without a restart.
  EXPECT_TRUE(Delete(url, handles["m1"]).ok()) << "the retried first delete";
  EXPECT_TRUE(Delete(url, handles["m2"]).ok()) << "the retried delete";
  EXPECT_TRUE(
      Do(&sqs::ChangeMessageVisibility, a::ChangeMessageVisibilityInput{url, handles["m3"], 0})
          .ok());
  EXPECT_TRUE(Do(&sqs::TagQueue, a::TagQueueInput{url, {{"team", "a"}}}).ok());
  ASSERT_TRUE(CreateQueue("other").ok());
  ASSERT_TRUE(Send(url, "m5").ok());
  auto again = Receive(url, 300);
  EXPECT_EQ(Bodies(again), (std::set<std::string>{"m3", "m5"}));
  ASSERT_TRUE(again.ok());
  for (const a::Message& m : again->messages) {
    if (m.body == "m3") {
      const std::string* count = FindPair(m.attributes, "ApproximateReceiveCount");
      ASSERT_NE(count, nullptr);
      EXPECT_EQ(*count, "2") << "m3 received once before the outage, once now";
      EXPECT_TRUE(Delete(url, m.receipt_handle).ok());
    }
  }

  // A restart shows every acknowledged change exactly once: m1 to m3 deleted, m4 and m5 in
  // flight (their visibility timeouts were kept), the tag and the other queue there.
  Restart();
  EXPECT_EQ(Counts(url), std::make_pair(std::string("0"), std::string("2")));
  Advance(301);
  EXPECT_EQ(Bodies(Receive(url, 30)), (std::set<std::string>{"m4", "m5"}));
  a::QueueUrlInput tags_in{url};
  auto tags = ListQueueTags(service(), ctx_, tags_in);
  ASSERT_TRUE(tags.ok());
  EXPECT_EQ(tags->tags, (api::StringPairs{{"team", "a"}}));
  a::GetQueueUrlInput other;
  other.queue_name = "other";
  EXPECT_TRUE(GetQueueUrl(service(), ctx_, other).ok());
}

}  // namespace
}  // namespace wharf::sqs
