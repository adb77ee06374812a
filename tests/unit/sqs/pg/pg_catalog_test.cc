// PgCatalog (src/sqs/pg) against a real PostgreSQL server: create, find, list and remove of
// queues as queue rows (attributes and tags: pg_catalog_attributes_test.cc). Run with
// tests/postgres/run.sh (skips without a server).

#include "sqs/pg/pg_catalog.h"

#include <gtest/gtest.h>

#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/ids.h"
#include "pg_sqs_test_support.h"

namespace wharf::sqs::pg {
namespace {

namespace spg = storage::pg;
using testing::CreateAndWait;
using testing::NodeOptions;
using testing::RemoveAndWait;

// Queues of each test's own account: the shared database keeps other tests' rows.
class PgCatalogTest : public testing::PgSqsTest {
 protected:
  PgCatalogTest() : PgSqsTest(NodeOptions{.receipt_key = "pg-catalog-test-key"}, "cat") {}

  // Hides PgSqsTest::MustCreate: these tests also look at whether the queue is new, and pass the
  // attributes as given.
  QueueCatalog::Created MustCreate(const std::string& name, QueueConfig config = {},
                                   const api::StringPairs& given = {}) {
    auto created = CreateAndWait(node_->catalog, account_, name, std::move(config), {}, given);
    EXPECT_TRUE(created.ok()) << (created.ok() ? "" : created.error().message);
    return created.ok() ? std::move(created).value() : QueueCatalog::Created{};
  }

  static std::vector<std::string> Names(const std::vector<std::shared_ptr<QueueBackend>>& queues) {
    std::vector<std::string> out;
    for (const auto& queue : queues) out.push_back(queue->identity().name);
    return out;
  }
};

TEST_F(PgCatalogTest, CreateThenFindByNameAndArn) {
  QueueConfig config;
  config.visibility_timeout = 45;
  config.delay_seconds = 3;
  config.message_retention_period = 600;
  auto created = MustCreate("orders", config);
  ASSERT_NE(created.queue, nullptr);
  EXPECT_TRUE(created.is_new);
  const QueueIdentity& identity = created.queue->identity();
  EXPECT_GT(identity.id, 0u);
  EXPECT_EQ(identity.account_id, account_);
  EXPECT_EQ(identity.name, "orders");
  EXPECT_EQ(identity.arn, "arn:aws:sqs:us-east-1:" + account_ + ":orders");
  EXPECT_FALSE(identity.fifo);

  auto found = node_->catalog.Find(account_, "orders");
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->identity().id, identity.id);
  EXPECT_EQ(found->config().visibility_timeout, 45);
  EXPECT_EQ(found->config().delay_seconds, 3);
  EXPECT_EQ(found->config().message_retention_period, 600);

  auto by_arn = node_->catalog.FindByArn(identity.arn);
  ASSERT_NE(by_arn, nullptr);
  EXPECT_EQ(by_arn->identity().id, identity.id);

  EXPECT_EQ(node_->catalog.Find(account_, "absent"), nullptr);
  EXPECT_EQ(node_->catalog.Find(account_ + "x", "orders"), nullptr);
  EXPECT_EQ(node_->catalog.FindByArn("arn:aws:sqs:eu-west-1:" + account_ + ":orders"), nullptr);
  EXPECT_EQ(node_->catalog.FindByArn("arn:aws-cn:sqs:us-east-1:" + account_ + ":orders"), nullptr);
  EXPECT_EQ(node_->catalog.FindByArn("arn:aws:sqs:us-east-1:" + account_), nullptr);
}

// CreateQueue's idempotency (sqs-api.md §2.1), decided against the stored row.
TEST_F(PgCatalogTest, CreatingAnExistingNameComparesGivenAttributes) {
  QueueConfig config;
  config.visibility_timeout = 45;
  auto first = MustCreate("jobs", config, {{"VisibilityTimeout", "45"}});
  ASSERT_NE(first.queue, nullptr);

  auto again = MustCreate("jobs", config, {{"VisibilityTimeout", "45"}});
  ASSERT_NE(again.queue, nullptr);
  EXPECT_FALSE(again.is_new);
  EXPECT_EQ(again.queue->identity().id, first.queue->identity().id);

  QueueConfig other = config;
  other.visibility_timeout = 60;
  auto different =
      CreateAndWait(node_->catalog, account_, "jobs", other, {}, {{"VisibilityTimeout", "60"}});
  ASSERT_FALSE(different.ok());
  EXPECT_EQ(different.error().code, api::ErrorCode::kQueueNameExists);
  EXPECT_EQ(node_->catalog.Find(account_, "jobs")->config().visibility_timeout, 45);
}

TEST_F(PgCatalogTest, ListsByPrefixInNameOrderAfterAName) {
  for (const char* name : {"b-2", "a-1", "b-1", "bz"}) MustCreate(name);
  EXPECT_EQ(Names(node_->catalog.List(account_, "", "", 1000)),
            (std::vector<std::string>{"a-1", "b-1", "b-2", "bz"}));
  EXPECT_EQ(Names(node_->catalog.List(account_, "b", "", 2)),
            (std::vector<std::string>{"b-1", "b-2"}));
  EXPECT_EQ(Names(node_->catalog.List(account_, "b", "b-2", 2)), (std::vector<std::string>{"bz"}));
  EXPECT_TRUE(node_->catalog.List(account_ + "x", "", "", 1000).empty());
  auto listed = node_->catalog.List(account_, "a", "", 1000);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0]->identity().arn, node_->catalog.ArnOf(account_, "a-1"));
}

TEST_F(PgCatalogTest, RemoveDeletesTheRowForEveryNode) {
  auto created = MustCreate("gone");
  ASSERT_NE(created.queue, nullptr);
  // Another node's catalog: same database, its own objects.
  PgCatalog other_node(node_->Backend(), "us-east-1");
  ASSERT_NE(other_node.Find(account_, "gone"), nullptr);

  EXPECT_TRUE(RemoveAndWait(node_->catalog, created.queue).ok());
  EXPECT_EQ(node_->catalog.Find(account_, "gone"), nullptr);
  // The other node still has the queue cached until its next refresh (every second in the
  // server; see CachedRowsFollowOtherNodesAfterARefresh).
  ASSERT_TRUE(other_node.RefreshNow().ok());
  EXPECT_EQ(other_node.Find(account_, "gone"), nullptr);
  EXPECT_TRUE(node_->catalog.List(account_, "", "", 1000).empty());

  api::ApiStatus again = node_->catalog.Delete(*created.queue);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, api::ErrorCode::kQueueDoesNotExist);

  EXPECT_TRUE(RemoveAndWait(node_->catalog, created.queue).ok())
      << "a queue another node removed first is answered ok";

  // The name stays blocked for a while, on every node (pg_catalog_attributes_test.cc has more).
  auto recreated = CreateAndWait(other_node, account_, "gone");
  ASSERT_FALSE(recreated.ok());
  EXPECT_EQ(recreated.error().code, api::ErrorCode::kQueueDeletedRecently);
}

// The per-node cache of queue rows (queue_cache.h): one object per queue while its row is
// unchanged, this node's own changes at once, other nodes' after a refresh, metrics carried over.
TEST_F(PgCatalogTest, CachedRowsFollowOtherNodesAfterARefresh) {
  auto created = MustCreate("cached");
  ASSERT_NE(created.queue, nullptr);
  EXPECT_EQ(node_->catalog.Find(account_, "cached"), created.queue) << "one object per queue";
  PgCatalog other_node(node_->Backend(), "us-east-1");
  // Not cached there yet: read from the database, then cached.
  auto on_other = other_node.Find(account_, "cached");
  ASSERT_NE(on_other, nullptr);
  EXPECT_EQ(other_node.Find(account_, "cached"), on_other);

  // A send counted on this node's object.
  auto content = std::make_shared<MessageContent>();
  content->message_id = NewUuid();
  content->body = "counted";
  std::promise<bool> sent;
  created.queue->Send({NewMessage{content, std::nullopt, nullptr, 0}},
                      [&](api::ApiResult<std::vector<SendResult>> r) { sent.set_value(r.ok()); });
  ASSERT_TRUE(sent.get_future().get());
  EXPECT_EQ(created.queue->metrics().sent.load(), 1u);

  // Changed through this node: its catalog has the new row at once, in a new object with the
  // same counters; the other node keeps the old row until it refreshes.
  std::promise<api::ApiStatus> changed;
  created.queue->SetAttributes({{"VisibilityTimeout", "77"}}, nullptr,
                               [&](api::ApiStatus status) { changed.set_value(status); });
  ASSERT_TRUE(changed.get_future().get().ok());
  auto updated = node_->catalog.Find(account_, "cached");
  ASSERT_NE(updated, nullptr);
  EXPECT_NE(updated, created.queue);
  EXPECT_EQ(updated->config().visibility_timeout, 77);
  EXPECT_EQ(updated->metrics().sent.load(), 1u) << "per-node counters carry over";
  EXPECT_EQ(other_node.Find(account_, "cached")->config().visibility_timeout, 30);
  ASSERT_TRUE(other_node.RefreshNow().ok());
  EXPECT_EQ(other_node.Find(account_, "cached")->config().visibility_timeout, 77);

  // All() is the cache.
  bool listed = false;
  for (const auto& queue : node_->catalog.All()) listed |= queue == updated;
  EXPECT_TRUE(listed);

  // A periodic refresh picks up a queue made elsewhere and a delete made elsewhere.
  other_node.StartRefreshing(std::chrono::milliseconds(50));
  auto made_here = MustCreate("made-elsewhere");
  ASSERT_NE(made_here.queue, nullptr);
  ASSERT_TRUE(RemoveAndWait(node_->catalog, updated).ok());
  bool caught_up = false;
  for (int i = 0; i < 100 && !caught_up; ++i) {
    bool has_new = false;
    bool has_deleted = false;
    for (const auto& queue : other_node.All()) {
      has_new |=
          queue->identity().name == "made-elsewhere" && queue->identity().account_id == account_;
      has_deleted |= queue->identity().name == "cached" && queue->identity().account_id == account_;
    }
    caught_up = has_new && !has_deleted;
    if (!caught_up) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(caught_up) << "the other node's refresh did not catch up within 5 s";
}

// A database the catalog cannot reach: a lookup answers 503 ServiceUnavailable (clients retry),
// never QueueDoesNotExist, and a create 503 too.
TEST_F(PgCatalogTest, AnUnreachableDatabaseIsUnavailableNotAMissingQueue) {
  spg::ConnectionOptions options;
  options.connect_timeout = std::chrono::seconds(2);
  spg::ConnectionPool nowhere("postgresql://wharf@127.0.0.1:1/wharf", options, 1);
  spg::PgQueueOps ops(nowhere, std::chrono::milliseconds(500));
  PgCatalog cut_off(PgBackend{ops, node_->workers, node_->receipts, node_->limits,
                              node_->long_polls, node_->clock},
                    "us-east-1");
  auto found = cut_off.Lookup(account_, "anything");
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.error().code, api::ErrorCode::kServiceUnavailable);
  EXPECT_EQ(cut_off.Find(account_, "anything"), nullptr);
  auto created = CreateAndWait(cut_off, account_, "anything");
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().code, api::ErrorCode::kServiceUnavailable);
}

// SSE-KMS queues are created and read back with their key and reuse period.
TEST_F(PgCatalogTest, CreateKeepsKmsMasterKeyId) {
  QueueConfig kms;
  kms.kms_master_key_id = "alias/aws/sqs";
  kms.kms_data_key_reuse_period_seconds = 600;
  kms.sqs_managed_sse_enabled = false;
  auto created = CreateAndWait(node_->catalog, account_, "sealed", kms);
  ASSERT_TRUE(created.ok()) << created.error().message;
  auto found = node_->catalog.Find(account_, "sealed");
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->send_rules().kms_master_key_id, std::optional<std::string>("alias/aws/sqs"));
  EXPECT_EQ(found->send_rules().kms_data_key_reuse_period_seconds, 600);
  EXPECT_FALSE(found->config().sqs_managed_sse_enabled);
}

TEST_F(PgCatalogTest, CountersAreReadFromTheDatabase) {
  auto created = MustCreate("counted");
  ASSERT_NE(created.queue, nullptr);
  EXPECT_EQ(created.queue->Counters().visible, 0);
  const auto queue_id = static_cast<int64_t>(created.queue->identity().id);
  PG_ASSERT_OK(node_->ops.Send(queue_id, spg::testing::Message("one")));
  PG_ASSERT_OK(node_->ops.Send(queue_id, spg::testing::Message("two", {}, 900)));
  // Counted through another object of the same queue (as another node would see it).
  QueueCounters counters = node_->catalog.Find(account_, "counted")->Counters();
  EXPECT_EQ(counters.visible, 1);
  EXPECT_EQ(counters.delayed, 1);
  EXPECT_EQ(counters.in_flight, 0);
}

}  // namespace
}  // namespace wharf::sqs::pg
