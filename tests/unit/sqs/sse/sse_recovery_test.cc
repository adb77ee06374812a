// SSE-KMS over a RocksStore: sealed messages survive a restart and still open; the data-key
// record is stored once per data key (not per message), goes away once no message needs it
// and with its queue; bodies kept on disk are opened on receive and re-encrypted on a move; a
// message whose data key record is missing stops the start-up instead of being served.
// The key service (a fake) outlives the restarts, as the real one keeps its keys.

#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/manual_clock.h"
#include "sqs/engine/data_keys.h"
#include "sqs/service.h"
#include "sse_test_support.h"
#include "storage/rocks_store.h"
#include "storage_key.h"
#include "sync_store.h"
#include "temp_dir.h"

namespace wharf::sqs::testing {
namespace {

using api::ErrorCode;

class SseRecoveryTest : public ::testing::Test {
 protected:
  struct Node {
    Node(const std::string& directory, int64_t wall_millis, kms::DataKeyService* keys,
         int64_t body_memory_bytes)
        : clock(wall_millis) {
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
      ServiceOptions service_options;
      service_options.key_service = keys;
      service_options.body_memory_bytes = body_memory_bytes;
      service = std::make_unique<SqsService>(clock, clock, *store, service_options);
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

  SseRecoveryTest() {
    keys_.AddKey("alias/orders", kOrdersKeyArn);
    keys_.AddKey("alias/dlq", kDlqKeyArn);
  }
  ~SseRecoveryTest() override { node_.reset(); }

  void Start(int64_t body_memory_bytes = 0) {
    body_memory_bytes_ = body_memory_bytes;
    node_ = std::make_unique<Node>(temp_.db(), 1'700'000'000'000, &keys_, body_memory_bytes);
    ASSERT_NE(node_->service, nullptr);
  }
  // Restarts on the same directory; the recovery's outcome.
  Result<SqsService::RecoveryStats, std::string> Restart() {
    const int64_t wall = node_->clock.WallMillis();
    node_.reset();
    node_ = std::make_unique<Node>(temp_.db(), wall, &keys_, body_memory_bytes_);
    return node_->service->Recover();
  }

  template <typename Out, typename In>
  api::ApiResult<Out> Run(void (*handler)(SqsService&, const api::RequestContext&, In,
                                          api::Reply<Out>),
                          In in) {
    auto call = std::make_shared<RecordingCall<Out>>(ctx_);
    handler(*node_->service, call->context(), std::move(in), api::Reply<Out>(call));
    EXPECT_EQ(call->answers, 1);
    if (call->error) return *call->error;
    if (!call->out) return api::Error(ErrorCode::kInternalFailure, "no answer");
    return *call->out;
  }

  std::string Create(const std::string& name, api::StringPairs attributes) {
    auto r = Run(&sqs::CreateQueue, a::CreateQueueInput{name, std::move(attributes), {}});
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? r->queue_url : "";
  }
  void Send(const std::string& url, const std::string& body) {
    a::SendMessageInput in;
    in.queue_url = url;
    in.message_body = body;
    auto r = Run(&sqs::SendMessage, std::move(in));
    ASSERT_TRUE(r.ok()) << r.error().message;
  }
  std::vector<a::Message> Receive(const std::string& url, int64_t visibility = 30) {
    a::ReceiveMessageInput in;
    in.queue_url = url;
    in.max_number_of_messages = 10;
    in.wait_time_seconds = 0;
    in.visibility_timeout = visibility;
    auto r = Run(&sqs::ReceiveMessage, std::move(in));
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? r->messages : std::vector<a::Message>{};
  }
  std::set<std::string> BodiesOf(const std::vector<a::Message>& messages) {
    std::set<std::string> out;
    for (const a::Message& m : messages) out.insert(m.body);
    return out;
  }
  // The stored data-key objects' keys, once everything appended so far is durable.
  std::vector<std::string> DataKeyObjects() {
    node_->store->Commit({}, [](storage::StorageStatus s) { EXPECT_TRUE(s.ok()); });
    std::vector<std::string> out;
    auto scanned = node_->rocks->ScanObjects(
        kDataKeyObjectPrefix,
        [&](std::string_view key, std::string_view) { out.emplace_back(key); });
    EXPECT_TRUE(scanned.ok());
    return out;
  }
  void ActAsUser(const std::string& access_key_id, const std::string& user) {
    auto key = std::make_shared<auth::AccessKey>();
    key->access_key_id = access_key_id;
    key->principal.type = auth::PrincipalType::kUser;
    key->principal.account_id = kAccount;
    key->principal.arn = "arn:aws:iam::000000000000:user/" + user;
    ctx_.access_key_id = access_key_id;
    ctx_.caller = std::move(key);
  }

  FakeKeyService keys_;
  wharf::testing::TempDir temp_{"wharf-sse-recovery-test"};
  std::unique_ptr<Node> node_;
  int64_t body_memory_bytes_ = 0;
  api::RequestContext ctx_ = DefaultContext();
};

TEST_F(SseRecoveryTest, SealedMessagesSurviveARestartAndStillOpen) {
  ASSERT_NO_FATAL_FAILURE(Start());
  const std::string url = Create("orders", {{"KmsMasterKeyId", "alias/orders"}});
  for (const char* body : {"one", "two", "three"}) Send(url, body);
  auto recovered = Restart();
  ASSERT_TRUE(recovered.ok()) << recovered.error();
  EXPECT_EQ(recovered->messages, 3u);
  EXPECT_EQ(BodiesOf(Receive(url)), (std::set<std::string>{"one", "two", "three"}));
}

TEST_F(SseRecoveryTest, ADataKeyRecordIsStoredOncePerDataKey) {
  ASSERT_NO_FATAL_FAILURE(Start());
  const std::string url = Create("orders", {{"KmsMasterKeyId", "alias/orders"}});
  ActAsUser("AKIAALICE", "alice");
  for (int i = 0; i < 5; ++i) Send(url, "alice " + std::to_string(i));
  EXPECT_EQ(DataKeyObjects().size(), 1u);
  ActAsUser("AKIABOB", "bob");
  Send(url, "bob");
  EXPECT_EQ(DataKeyObjects().size(), 2u);
  const std::string queue_id_hex = DataKeyObjects().front().substr(kDataKeyObjectPrefix.size(), 16);
  for (const std::string& key : DataKeyObjects()) {
    EXPECT_EQ(key.substr(kDataKeyObjectPrefix.size(), 16), queue_id_hex) << "keyed by queue";
  }
}

TEST_F(SseRecoveryTest, ARecordGoesOnceNoMessageNeedsItForAReusePeriod) {
  ASSERT_NO_FATAL_FAILURE(Start());
  const std::string url = Create(
      "orders", {{"KmsMasterKeyId", "alias/orders"}, {"KmsDataKeyReusePeriodSeconds", "60"}});
  Send(url, "only");
  std::vector<a::Message> received = Receive(url);
  ASSERT_EQ(received.size(), 1u);
  ASSERT_TRUE(
      Run(&sqs::DeleteMessage, a::DeleteMessageInput{url, received[0].receipt_handle}).ok());
  EXPECT_EQ(DataKeyObjects().size(), 1u) << "kept while the producer may still use it";
  node_->clock.Advance(Seconds(61));
  Receive(url);  // any operation on the queue sweeps
  EXPECT_TRUE(DataKeyObjects().empty());
  auto recovered = Restart();
  ASSERT_TRUE(recovered.ok()) << recovered.error();
}

TEST_F(SseRecoveryTest, ACachedDataKeyWhoseRecordWasSweptIsStoredAgain) {
  ASSERT_NO_FATAL_FAILURE(Start());
  // The reuse period the sweep waits for is the queue's (60 s); the producer's cache entry was
  // made under a longer one that was shortened later, so it outlives its record.
  const std::string url = Create(
      "orders", {{"KmsMasterKeyId", "alias/orders"}, {"KmsDataKeyReusePeriodSeconds", "600"}});
  Send(url, "first");
  std::vector<a::Message> received = Receive(url);
  ASSERT_EQ(received.size(), 1u);
  ASSERT_TRUE(
      Run(&sqs::DeleteMessage, a::DeleteMessageInput{url, received[0].receipt_handle}).ok());
  ASSERT_TRUE(Run(&sqs::SetQueueAttributes,
                  a::SetQueueAttributesInput{url, {{"KmsDataKeyReusePeriodSeconds", "60"}}})
                  .ok());
  node_->clock.Advance(Seconds(61));
  Receive(url);
  ASSERT_TRUE(DataKeyObjects().empty());
  ASSERT_TRUE(Run(&sqs::SetQueueAttributes,
                  a::SetQueueAttributesInput{url, {{"KmsDataKeyReusePeriodSeconds", "600"}}})
                  .ok());
  Send(url, "second");
  EXPECT_EQ(keys_.generate_calls(), 1) << "the cached data key served";
  EXPECT_EQ(DataKeyObjects().size(), 1u) << "and its record was stored again";
  auto recovered = Restart();
  ASSERT_TRUE(recovered.ok()) << recovered.error();
  EXPECT_EQ(BodiesOf(Receive(url)), (std::set<std::string>{"second"}));
}

TEST_F(SseRecoveryTest, DeletingTheQueueDeletesItsDataKeyRecords) {
  ASSERT_NO_FATAL_FAILURE(Start());
  const std::string url = Create("orders", {{"KmsMasterKeyId", "alias/orders"}});
  Send(url, "x");
  ASSERT_EQ(DataKeyObjects().size(), 1u);
  ASSERT_TRUE(Run(&sqs::DeleteQueue, a::QueueUrlInput{url}).ok());
  EXPECT_TRUE(DataKeyObjects().empty());
}

TEST_F(SseRecoveryTest, RecordsOfQueuesThatAreGoneAreDroppedAtStartUp) {
  ASSERT_NO_FATAL_FAILURE(Start());
  const std::string url = Create("orders", {{"KmsMasterKeyId", "alias/orders"}});
  Send(url, "x");
  // A record left behind by a queue that no longer exists (as after a crash between the
  // queue's delete and its records').
  std::vector<storage::Record> orphan;
  storage::Record put{storage::RecordType::kObjectPut, 0, 0,
                      EncodeDataKeyRecord(DataKeyRecord{42, kOrdersKeyArn, "blob", 0})};
  put.key = DataKeyObjectKey(0xdead, 42);
  orphan.push_back(std::move(put));
  node_->store->Commit(std::move(orphan), [](storage::StorageStatus s) { ASSERT_TRUE(s.ok()); });
  ASSERT_EQ(DataKeyObjects().size(), 2u);
  auto recovered = Restart();
  ASSERT_TRUE(recovered.ok()) << recovered.error();
  EXPECT_EQ(DataKeyObjects().size(), 1u);
  EXPECT_EQ(BodiesOf(Receive(url)), (std::set<std::string>{"x"}));
}

TEST_F(SseRecoveryTest, AMessageWithoutItsDataKeyRecordStopsTheStartUp) {
  ASSERT_NO_FATAL_FAILURE(Start());
  const std::string url = Create("orders", {{"KmsMasterKeyId", "alias/orders"}});
  Send(url, "x");
  std::vector<std::string> objects = DataKeyObjects();
  ASSERT_EQ(objects.size(), 1u);
  std::vector<storage::Record> drop;
  storage::Record del{storage::RecordType::kObjectDelete, 0, 0, {}};
  del.key = objects.front();
  drop.push_back(std::move(del));
  node_->store->Commit(std::move(drop), [](storage::StorageStatus s) { ASSERT_TRUE(s.ok()); });
  auto recovered = Restart();
  ASSERT_FALSE(recovered.ok());
  EXPECT_NE(recovered.error().find("missing SSE-KMS data key record"), std::string::npos)
      << recovered.error();
}

TEST_F(SseRecoveryTest, BodiesKeptOnDiskAreOpenedOnReceiveAndReencryptedOnAMove) {
  ASSERT_NO_FATAL_FAILURE(Start(/*body_memory_bytes=*/1));  // every body stays on disk
  const std::string dlq = Create("dlq", {{"KmsMasterKeyId", "alias/dlq"}});
  const std::string url =
      Create("orders", {{"KmsMasterKeyId", "alias/orders"},
                        {"RedrivePolicy", R"({"deadLetterTargetArn":")" + QueueArnOf("dlq") +
                                              R"(","maxReceiveCount":1})"}});
  Send(url, "cold body");
  std::vector<a::Message> first = Receive(url, 0);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].body, "cold body");
  EXPECT_TRUE(Receive(url, 0).empty()) << "moved to the dead-letter queue";
  EXPECT_EQ(BodiesOf(Receive(dlq)), (std::set<std::string>{"cold body"}));
  auto recovered = Restart();
  ASSERT_TRUE(recovered.ok()) << recovered.error();
  node_->clock.Advance(Seconds(31));
  EXPECT_EQ(BodiesOf(Receive(dlq)), (std::set<std::string>{"cold body"}));
}

}  // namespace
}  // namespace wharf::sqs::testing
