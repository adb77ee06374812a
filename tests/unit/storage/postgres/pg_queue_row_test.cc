// The rest of the queue row (migration version 2): migrating a version-1 database that holds
// rows (alone and by two nodes at once), attributes and tags as JSON string maps, created /
// modified times, the version bump and optimistic updates, GetQueueById, and deleted names
// refused for a window (QueueDeletedRecently), including a delete that commits while a create
// waits for it.

#include <atomic>
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "pg_test_support.h"
#include "storage/postgres/migrations.h"
#include "storage/postgres/statements.h"

namespace wharf::storage::pg {
namespace {

using namespace std::chrono_literals;
using testing::Connect;
using testing::CreateDatabase;
using testing::Describe;
using testing::PgOpsTest;
using testing::ServerUrl;
using testing::TestOptions;

// Version-1 rows, written the way a version-1 node wrote them (its statements are gone).
constexpr Statement kInsertV1Queue{"test_insert_v1_queue", R"sql(
INSERT INTO queue (account, name, fifo, visibility_s, delay_s, dlq_id, max_receive)
VALUES ($1, $2, false, 45, 2, $3, 5) RETURNING queue_id)sql",
                                   3};
constexpr Statement kInsertV1Message{"test_insert_v1_message", R"sql(
INSERT INTO message (queue_id, message_id, visible_at, body)
VALUES ($1, $2::uuid, now() - interval '1 second', $3))sql",
                                     3};
constexpr Statement kDatabaseNow{"test_database_now",
                                 "SELECT floor(extract(epoch FROM now()))::bigint", 0};
constexpr Statement kAppliedVersions{"test_applied_versions",
                                     "SELECT count(*), max(version) FROM schema_migrations", 0};
constexpr Statement kLockWaiters{"test_lock_waiters", R"sql(
SELECT count(*) FROM pg_stat_activity
 WHERE datname = current_database() AND wait_event_type = 'Lock')sql",
                                 0};

int64_t DatabaseNow(Connection& conn) {
  auto rows = conn.Execute(kDatabaseNow);
  EXPECT_TRUE(rows.ok());
  return rows.ok() ? rows->Int(0, 0).value() : 0;
}

void ExpectServerError(const PgStatus& status, std::string_view sqlstate) {
  ASSERT_FALSE(status.ok()) << "expected SQLSTATE " << sqlstate;
  EXPECT_EQ(status.error().code, PgErrorCode::kServer) << Describe(status.error());
  EXPECT_EQ(status.error().sqlstate, sqlstate) << Describe(status.error());
}

TEST(PgQueueRowMigrationTest, VersionOneRowsKeepTheirDataAndGetTheDefaults) {
  WHARF_REQUIRE_POSTGRES();
  const std::string database = testing::DatabaseName("wharf_migrate_v2_test");
  PG_ASSERT_OK(CreateDatabase(database));
  PG_ASSERT_OK_AND_ASSIGN(Connection conn, Connect(database));
  PG_ASSERT_OK_AND_ASSIGN(MigrationReport v1, Migrate(conn, 1));
  EXPECT_EQ(v1.applied, 1);
  EXPECT_EQ(v1.schema_version, 1);

  PG_ASSERT_OK_AND_ASSIGN(
      Rows dlq, conn.Execute(kInsertV1Queue,
                             {Param::Text("000000000000"), Param::Text("old-dlq"), Param::Null()}));
  const int64_t dlq_id = dlq.Int(0, 0).value();
  PG_ASSERT_OK_AND_ASSIGN(
      Rows source, conn.Execute(kInsertV1Queue, {Param::Text("000000000000"),
                                                 Param::Text("old-source"), Param::Int(dlq_id)}));
  const int64_t source_id = source.Int(0, 0).value();
  PG_ASSERT_OK_AND_ASSIGN(
      Rows message, conn.Execute(kInsertV1Message, {Param::Int(source_id), Param::Text(NewUuid()),
                                                    Param::Text("kept")}));
  EXPECT_EQ(message.affected(), 1);

  PG_ASSERT_OK_AND_ASSIGN(MigrationReport v2, Migrate(conn, 2));
  EXPECT_EQ(v2.applied, 1);
  EXPECT_EQ(v2.schema_version, 2);
  PG_ASSERT_OK_AND_ASSIGN(MigrationReport latest, Migrate(conn));
  EXPECT_EQ(latest.schema_version, AllMigrations().back().version)
      << "later migrations apply on top";
  const int64_t now = DatabaseNow(conn);

  ConnectionPool pool(ServerUrl(), TestOptions(database), 2);
  PgQueueOps ops(pool);
  PG_ASSERT_OK_AND_ASSIGN(std::optional<QueueRow> row, ops.GetQueue("000000000000", "old-source"));
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->queue_id, source_id);
  EXPECT_EQ(row->config.visibility_s, 45);
  EXPECT_EQ(row->config.delay_s, 2);
  EXPECT_EQ(row->config.retention_s, 345'600);
  EXPECT_EQ(row->config.dlq_id, std::optional<int64_t>(dlq_id));
  EXPECT_EQ(row->config.max_receive, std::optional<int>(5));
  EXPECT_EQ(row->config.attrs_json, "{}");
  EXPECT_EQ(row->config.tags_json, "{}");
  EXPECT_EQ(row->version, 1);
  // The migration's time: the real creation time was never recorded.
  EXPECT_GE(row->created_at, now - 60);
  EXPECT_LE(row->created_at, now);
  EXPECT_EQ(row->modified_at, row->created_at);
  PG_ASSERT_OK_AND_ASSIGN(QueueCounts counts, ops.Counts(source_id));
  EXPECT_EQ(counts.visible, 1);
  PG_ASSERT_OK_AND_ASSIGN(std::optional<QueueRow> by_id, ops.GetQueueById(dlq_id));
  ASSERT_TRUE(by_id.has_value());
  EXPECT_EQ(by_id->config.name, "old-dlq");

  // The migrated rows take part in everything version 2 adds.
  QueueConfig config = row->config;
  config.attrs_json = R"({"MaximumMessageSize": "1024"})";
  PG_ASSERT_OK_AND_ASSIGN(bool updated, ops.UpdateQueue(source_id, config, 1));
  EXPECT_TRUE(updated);
  PG_ASSERT_OK_AND_ASSIGN(bool deleted, ops.DeleteQueue(dlq_id));
  EXPECT_TRUE(deleted);
  QueueConfig again;
  again.account = "000000000000";
  again.name = "old-dlq";
  PG_ASSERT_OK_AND_ASSIGN(CreatedQueue refused, ops.CreateQueue(again, 60s));
  EXPECT_TRUE(refused.deleted_recently);
}

TEST(PgQueueRowMigrationTest, TwoNodesMigratingFromVersionOneApplyVersionTwoOnce) {
  WHARF_REQUIRE_POSTGRES();
  const std::string database = testing::DatabaseName("wharf_concurrent_v2_test");
  for (int round = 0; round < 3; ++round) {
    PG_ASSERT_OK(CreateDatabase(database));
    std::vector<Connection> conns;
    for (int i = 0; i < 2; ++i) {
      PG_ASSERT_OK_AND_ASSIGN(Connection conn, Connect(database));
      conns.push_back(std::move(conn));
    }
    PG_ASSERT_OK(Migrate(conns[0], 1).status());
    PG_ASSERT_OK_AND_ASSIGN(
        Rows queue, conns[0].Execute(kInsertV1Queue, {Param::Text("000000000000"), Param::Text("q"),
                                                      Param::Null()}));
    (void)queue;
    std::vector<PgResult<MigrationReport>> results(2, PgError{PgErrorCode::kConnect, "", ""});
    std::atomic<int> ready{0};
    std::vector<std::thread> nodes;
    for (int i = 0; i < 2; ++i) {
      nodes.emplace_back([&, i] {
        ++ready;
        while (ready.load() < 2) std::this_thread::yield();  // start together
        results[i] = Migrate(conns[i], 2);
      });
    }
    for (auto& node : nodes) node.join();
    int applied = 0;
    for (auto& result : results) {
      ASSERT_TRUE(result.ok()) << Describe(result.error());
      applied += result->applied;
      EXPECT_EQ(result->schema_version, 2);
    }
    EXPECT_EQ(applied, 1);
    PG_ASSERT_OK_AND_ASSIGN(Rows versions, conns[1].Execute(kAppliedVersions));
    EXPECT_EQ(versions.Int(0, 0).value(), 2);
    EXPECT_EQ(versions.Int(0, 1).value(), 2);
  }
}

using PgQueueRowTest = PgOpsTest;

// Attributes and tags are stored as jsonb and read back in its text form (keys ordered by
// length, then bytes; `": "` and `", "`), by GetQueue, GetQueueById and ListQueues alike.
TEST_F(PgQueueRowTest, AttributesAndTagsRoundTrip) {
  PG_ASSERT_OK_AND_ASSIGN(PooledConnection conn, pool_->Acquire(5s));
  QueueConfig config;
  config.account = "rt" + NewUuid().substr(0, 8);
  config.name = "attrs";
  config.attrs_json =
      R"({"MaximumMessageSize":"1024","Policy":"{\"Version\":\"2012-10-17\",\"Statement\":[]}",)"
      R"("RedrivePolicy":"{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:0:dlq\",)"
      R"(\"maxReceiveCount\":\"3\"}","KmsMasterKeyId":"alias/a\\b\n"})";
  config.tags_json = R"({"team":"queues","cost-centre":"42","empty":""})";
  const int64_t before = DatabaseNow(*conn);
  PG_ASSERT_OK_AND_ASSIGN(CreatedQueue created, ops_->CreateQueue(config));
  ASSERT_TRUE(created.created);

  const std::string attrs =
      R"({"Policy": "{\"Version\":\"2012-10-17\",\"Statement\":[]}", "RedrivePolicy": )"
      R"("{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:0:dlq\",\"maxReceiveCount\":)"
      R"(\"3\"}", "KmsMasterKeyId": "alias/a\\b\n", "MaximumMessageSize": "1024"})";
  const std::string tags = R"({"team": "queues", "empty": "", "cost-centre": "42"})";
  auto check = [&](const QueueRow& row) {
    EXPECT_EQ(row.queue_id, created.queue_id);
    EXPECT_EQ(row.config.account, config.account);
    EXPECT_EQ(row.config.name, "attrs");
    EXPECT_EQ(row.config.attrs_json, attrs);
    EXPECT_EQ(row.config.tags_json, tags);
    EXPECT_EQ(row.version, 1);
    EXPECT_GE(row.created_at, before);
    EXPECT_LE(row.created_at, DatabaseNow(*conn));
    EXPECT_EQ(row.modified_at, row.created_at);
  };
  PG_ASSERT_OK_AND_ASSIGN(std::optional<QueueRow> row, ops_->GetQueue(config.account, "attrs"));
  ASSERT_TRUE(row.has_value());
  check(*row);
  PG_ASSERT_OK_AND_ASSIGN(row, ops_->GetQueueById(created.queue_id));
  ASSERT_TRUE(row.has_value());
  check(*row);
  PG_ASSERT_OK_AND_ASSIGN(auto listed, ops_->ListQueues(config.account, "", "", 10));
  ASSERT_EQ(listed.size(), 1u);
  check(listed[0]);

  // What jsonb reads back, written again, reads back the same (a node re-writing what it read
  // changes nothing).
  QueueConfig rewritten = row->config;
  PG_ASSERT_OK(ops_->UpdateQueue(created.queue_id, rewritten));
  PG_ASSERT_OK_AND_ASSIGN(row, ops_->GetQueueById(created.queue_id));
  EXPECT_EQ(row->config.attrs_json, attrs);
  EXPECT_EQ(row->config.tags_json, tags);
}

TEST_F(PgQueueRowTest, GetQueueByIdPresentAndAbsent) {
  QueueConfig dlq_config;
  int64_t dlq = NewQueue(dlq_config);
  QueueConfig source_config;
  source_config.dlq_id = dlq;
  source_config.max_receive = 3;
  int64_t source = NewQueue(source_config);

  PG_ASSERT_OK_AND_ASSIGN(std::optional<QueueRow> row, ops_->GetQueueById(source));
  ASSERT_TRUE(row.has_value());
  ASSERT_TRUE(row->config.dlq_id.has_value());
  // RedrivePolicy's dlq_id back to a queue (account and name make its ARN).
  PG_ASSERT_OK_AND_ASSIGN(std::optional<QueueRow> target, ops_->GetQueueById(*row->config.dlq_id));
  ASSERT_TRUE(target.has_value());
  EXPECT_EQ(target->queue_id, dlq);
  EXPECT_EQ(target->config.account, "000000000000");
  PG_ASSERT_OK_AND_ASSIGN(std::optional<QueueRow> by_name,
                          ops_->GetQueue("000000000000", target->config.name));
  ASSERT_TRUE(by_name.has_value());
  EXPECT_EQ(by_name->queue_id, dlq);

  PG_ASSERT_OK_AND_ASSIGN(std::optional<QueueRow> absent, ops_->GetQueueById(-1));
  EXPECT_FALSE(absent.has_value());
  PG_ASSERT_OK_AND_ASSIGN(bool deleted, ops_->DeleteQueue(dlq));
  EXPECT_TRUE(deleted);
  PG_ASSERT_OK_AND_ASSIGN(absent, ops_->GetQueueById(dlq));
  EXPECT_FALSE(absent.has_value());
}

// Every change bumps the version; a write expecting an older one changes nothing and says so.
TEST_F(PgQueueRowTest, UpdatesBumpTheVersionAndAStaleVersionConflicts) {
  int64_t queue = NewQueue();
  PG_ASSERT_OK_AND_ASSIGN(std::optional<QueueRow> read, ops_->GetQueueById(queue));
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->version, 1);
  const int64_t created_at = read->created_at;

  std::this_thread::sleep_for(1100ms);  // modified_at has whole seconds
  QueueConfig config = read->config;
  config.visibility_s = 99;
  config.attrs_json = R"({"ReceiveMessageWaitTimeSeconds": "20"})";
  PG_ASSERT_OK_AND_ASSIGN(bool updated, ops_->UpdateQueue(queue, config, 1));
  EXPECT_TRUE(updated);
  PG_ASSERT_OK_AND_ASSIGN(read, ops_->GetQueueById(queue));
  EXPECT_EQ(read->version, 2);
  EXPECT_EQ(read->config.visibility_s, 99);
  EXPECT_EQ(read->config.attrs_json, config.attrs_json);
  EXPECT_EQ(read->created_at, created_at);
  EXPECT_GT(read->modified_at, created_at);
  const int64_t modified_at = read->modified_at;

  // Another node still holding version 1.
  QueueConfig stale = config;
  stale.visibility_s = 1;
  stale.attrs_json = R"({"Policy": "stale"})";
  PG_ASSERT_OK_AND_ASSIGN(updated, ops_->UpdateQueue(queue, stale, 1));
  EXPECT_FALSE(updated);
  PG_ASSERT_OK_AND_ASSIGN(read, ops_->GetQueueById(queue));
  EXPECT_EQ(read->version, 2);
  EXPECT_EQ(read->config.visibility_s, 99);
  EXPECT_EQ(read->config.attrs_json, config.attrs_json);

  // Unconditional update: bumps as well.
  config.delay_s = 7;
  PG_ASSERT_OK(ops_->UpdateQueue(queue, config));
  PG_ASSERT_OK_AND_ASSIGN(read, ops_->GetQueueById(queue));
  EXPECT_EQ(read->version, 3);
  EXPECT_EQ(read->config.delay_s, 7);

  const int64_t modified_by_update = read->modified_at;
  EXPECT_GE(modified_by_update, modified_at);

  // Tags: their own write, the same version; modified_at stays; UpdateQueue keeps tags.
  PG_ASSERT_OK_AND_ASSIGN(bool tagged, ops_->SetTags(queue, R"({"env": "test"})", 3));
  EXPECT_TRUE(tagged);
  PG_ASSERT_OK_AND_ASSIGN(tagged, ops_->SetTags(queue, R"({"env": "stale"})", 3));
  EXPECT_FALSE(tagged);
  PG_ASSERT_OK_AND_ASSIGN(read, ops_->GetQueueById(queue));
  EXPECT_EQ(read->version, 4);
  EXPECT_EQ(read->config.tags_json, R"({"env": "test"})");
  EXPECT_EQ(read->modified_at, modified_by_update);
  config.tags_json = R"({"ignored": "by UpdateQueue"})";
  PG_ASSERT_OK_AND_ASSIGN(updated, ops_->UpdateQueue(queue, config, 4));
  EXPECT_TRUE(updated);
  PG_ASSERT_OK_AND_ASSIGN(read, ops_->GetQueueById(queue));
  EXPECT_EQ(read->version, 5);
  EXPECT_EQ(read->config.tags_json, R"({"env": "test"})");

  // No such queue: kNotFound from all three, never "conflict".
  PG_ASSERT_OK_AND_ASSIGN(bool deleted, ops_->DeleteQueue(queue));
  EXPECT_TRUE(deleted);
  auto gone = ops_->UpdateQueue(queue, config, 5);
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().code, PgErrorCode::kNotFound);
  auto gone_tags = ops_->SetTags(queue, "{}", 5);
  ASSERT_FALSE(gone_tags.ok());
  EXPECT_EQ(gone_tags.error().code, PgErrorCode::kNotFound);
  auto gone_plain = ops_->UpdateQueue(queue, config);
  ASSERT_FALSE(gone_plain.ok());
  EXPECT_EQ(gone_plain.error().code, PgErrorCode::kNotFound);
}

// Nodes doing read-modify-write with the version they read lose no update.
TEST_F(PgQueueRowTest, ConcurrentOptimisticWritersLoseNoUpdate) {
  QueueConfig initial;
  initial.visibility_s = 0;
  int64_t queue = NewQueue(initial);
  constexpr int kWriters = 4;
  constexpr int kIncrements = 5;
  std::atomic<int> conflicts{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&] {
      for (int i = 0; i < kIncrements;) {
        auto read = ops_->GetQueueById(queue);
        if (!read.ok() || !read->has_value()) {
          ++failures;
          return;
        }
        QueueConfig config = (*read)->config;
        ++config.visibility_s;
        auto updated = ops_->UpdateQueue(queue, config, (*read)->version);
        if (!updated.ok()) {
          ++failures;
          return;
        }
        if (*updated) {
          ++i;
        } else {
          ++conflicts;
        }
      }
    });
  }
  for (auto& writer : writers) writer.join();
  EXPECT_EQ(failures.load(), 0);
  PG_ASSERT_OK_AND_ASSIGN(std::optional<QueueRow> row, ops_->GetQueueById(queue));
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->config.visibility_s, kWriters * kIncrements);
  EXPECT_EQ(row->version, 1 + kWriters * kIncrements);
  std::printf("optimistic writers: %d conflicts retried\n", conflicts.load());
}

// Invalid JSON, or JSON that is no object of strings, is a PgError with the server's SQLSTATE,
// and nothing is stored.
TEST_F(PgQueueRowTest, BadAttributesOrTagsAreErrorsAndStoreNothing) {
  QueueConfig config;
  config.account = "bad" + NewUuid().substr(0, 8);
  config.name = "q";
  for (const char* attrs : {"{not json", "", "{\"a\": \"b\""}) {
    config.attrs_json = attrs;
    ExpectServerError(ops_->CreateQueue(config).status(), "22P02");
  }
  config.attrs_json = "\xff\xfe";  // not UTF-8: refused before it is parsed
  auto not_utf8 = ops_->CreateQueue(config);
  ASSERT_FALSE(not_utf8.ok());
  EXPECT_EQ(not_utf8.error().code, PgErrorCode::kServer);
  for (const char* attrs : {"[]", "\"text\"", "null", R"({"a": 1})", R"({"a": {"b": "c"}})",
                            R"({"a": null})", R"({"a": ["x"]})", R"({"a": "b", "c": true})"}) {
    config.attrs_json = attrs;
    ExpectServerError(ops_->CreateQueue(config).status(), "23514");
  }
  config.attrs_json = "{}";
  config.tags_json = R"({"n": 2})";
  ExpectServerError(ops_->CreateQueue(config, 60s).status(), "23514");
  config.tags_json = "{";
  ExpectServerError(ops_->CreateQueue(config, 60s).status(), "22P02");
  PG_ASSERT_OK_AND_ASSIGN(std::optional<QueueRow> none, ops_->GetQueue(config.account, "q"));
  EXPECT_FALSE(none.has_value());

  config.tags_json = "{}";
  PG_ASSERT_OK_AND_ASSIGN(CreatedQueue created, ops_->CreateQueue(config));
  config.attrs_json = R"({"Policy": 7})";
  ExpectServerError(ops_->UpdateQueue(created.queue_id, config, 1).status(), "23514");
  config.attrs_json = "}";
  ExpectServerError(ops_->UpdateQueue(created.queue_id, config), "22P02");
  ExpectServerError(ops_->SetTags(created.queue_id, "[\"a\"]", 1).status(), "23514");
  ExpectServerError(ops_->SetTags(created.queue_id, "nope", 1).status(), "22P02");
  PG_ASSERT_OK_AND_ASSIGN(std::optional<QueueRow> row, ops_->GetQueueById(created.queue_id));
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->version, 1);
  EXPECT_EQ(row->config.attrs_json, "{}");
  EXPECT_EQ(row->config.tags_json, "{}");
}

// QueueDeletedRecently: within the window a deleted name is refused and nothing is created;
// without a window, after it, or once swept, it is created again. An existing queue of the name
// is returned even while its predecessor's deletion is recent.
TEST_F(PgQueueRowTest, ADeletedNameIsRefusedWithinTheWindow) {
  QueueConfig config;
  config.account = "del" + NewUuid().substr(0, 8);
  config.name = "reused";
  PG_ASSERT_OK_AND_ASSIGN(CreatedQueue first, ops_->CreateQueue(config, 60s));
  ASSERT_TRUE(first.created);
  PG_ASSERT_OK_AND_ASSIGN(bool deleted, ops_->DeleteQueue(first.queue_id));
  ASSERT_TRUE(deleted);

  PG_ASSERT_OK_AND_ASSIGN(CreatedQueue refused, ops_->CreateQueue(config, 60s));
  EXPECT_TRUE(refused.deleted_recently);
  EXPECT_FALSE(refused.created);
  EXPECT_EQ(refused.queue_id, 0);
  PG_ASSERT_OK_AND_ASSIGN(std::optional<QueueRow> none, ops_->GetQueue(config.account, "reused"));
  EXPECT_FALSE(none.has_value());
  // A sweep of the records older than an hour keeps this one.
  PG_ASSERT_OK(ops_->SweepDeletedQueueNames(3600s, 1000).status());
  PG_ASSERT_OK_AND_ASSIGN(refused, ops_->CreateQueue(config, 60s));
  EXPECT_TRUE(refused.deleted_recently);

  // Window 0 (the default): no check.
  PG_ASSERT_OK_AND_ASSIGN(CreatedQueue second, ops_->CreateQueue(config));
  EXPECT_TRUE(second.created);
  EXPECT_FALSE(second.deleted_recently);
  EXPECT_NE(second.queue_id, first.queue_id);
  // It exists now: returned as existing, not refused, although the deletion is recent.
  PG_ASSERT_OK_AND_ASSIGN(CreatedQueue existing, ops_->CreateQueue(config, 60s));
  EXPECT_FALSE(existing.created);
  EXPECT_FALSE(existing.deleted_recently);
  EXPECT_EQ(existing.queue_id, second.queue_id);

  // Deleted again (the record is overwritten): a 1 s window refuses until it has passed.
  PG_ASSERT_OK_AND_ASSIGN(deleted, ops_->DeleteQueue(second.queue_id));
  ASSERT_TRUE(deleted);
  PG_ASSERT_OK_AND_ASSIGN(refused, ops_->CreateQueue(config, 60s));
  EXPECT_TRUE(refused.deleted_recently);
  std::optional<CreatedQueue> third;
  int refusals = 0;
  for (auto until = std::chrono::steady_clock::now() + 10s;
       std::chrono::steady_clock::now() < until;) {
    PG_ASSERT_OK_AND_ASSIGN(CreatedQueue attempt, ops_->CreateQueue(config, 1s));
    if (!attempt.deleted_recently) {
      third = attempt;
      break;
    }
    ++refusals;
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_TRUE(third.has_value()) << "still refused after 10 s with a 1 s window";
  EXPECT_TRUE(third->created);
  std::printf("refused %d times within the 1 s window\n", refusals);

  // Sweeping every record old enough frees the name for any window.
  PG_ASSERT_OK_AND_ASSIGN(deleted, ops_->DeleteQueue(third->queue_id));
  ASSERT_TRUE(deleted);
  std::this_thread::sleep_for(50ms);  // the sweep's now() must be past the deletion's
  PG_ASSERT_OK_AND_ASSIGN(int64_t swept, ops_->SweepDeletedQueueNames(0s, 100'000));
  EXPECT_GE(swept, 1);
  PG_ASSERT_OK_AND_ASSIGN(CreatedQueue fourth, ops_->CreateQueue(config, 60s));
  EXPECT_TRUE(fourth.created);
}

// A delete that commits while a create of its name waits on the deleted row's unique key: the
// create's statement cannot see the deletion record (its snapshot is older), so CreateQueue's
// re-check in the same transaction must, and nothing may be created.
TEST_F(PgQueueRowTest, ADeleteCommittingWhileACreateWaitsIsSeen) {
  QueueConfig config;
  config.account = "race" + NewUuid().substr(0, 8);
  config.name = "contended";
  PG_ASSERT_OK_AND_ASSIGN(CreatedQueue created, ops_->CreateQueue(config));
  ASSERT_TRUE(created.created);

  PG_ASSERT_OK_AND_ASSIGN(PooledConnection deleter, pool_->Acquire(5s));
  PG_ASSERT_OK_AND_ASSIGN(PooledConnection observer, pool_->Acquire(5s));
  std::optional<Transaction> tx;
  {
    PG_ASSERT_OK_AND_ASSIGN(Transaction begun, Transaction::Begin(*deleter));
    tx.emplace(std::move(begun));
  }
  PG_ASSERT_OK_AND_ASSIGN(Rows deleted,
                          deleter->Execute(sql::kDeleteQueue, {Param::Int(created.queue_id)}));
  ASSERT_EQ(deleted.size(), 1);

  std::optional<PgResult<CreatedQueue>> result;
  std::thread creator([&] { result.emplace(ops_->CreateQueue(config, 60s)); });
  bool waited = false;
  for (auto until = std::chrono::steady_clock::now() + 10s;
       std::chrono::steady_clock::now() < until;) {
    auto waiters = observer->Execute(kLockWaiters);
    if (!waiters.ok()) {
      ADD_FAILURE() << Describe(waiters.error());  // no ASSERT: the creator thread must be joined
      break;
    }
    if (waiters->Int(0, 0).value() > 0) {
      waited = true;
      break;
    }
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(waited) << "the create never waited on the delete";
  PgStatus committed = tx->Commit();
  creator.join();
  PG_ASSERT_OK(committed);
  ASSERT_TRUE(result.has_value());
  ASSERT_TRUE(result->ok()) << Describe(result->error());
  EXPECT_TRUE((*result)->deleted_recently);
  EXPECT_FALSE((*result)->created);
  PG_ASSERT_OK_AND_ASSIGN(std::optional<QueueRow> none,
                          ops_->GetQueue(config.account, "contended"));
  EXPECT_FALSE(none.has_value());
}

}  // namespace
}  // namespace wharf::storage::pg
