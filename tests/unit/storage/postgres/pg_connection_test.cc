// The libpq layer: session settings, errors with SQLSTATEs, the pool's bound, migrations
// (fresh, repeated, concurrent) and every catalogue statement preparing against the schema.

#include <algorithm>
#include <iterator>
#include <set>
#include <thread>
#include <vector>

#include "pg_test_support.h"
#include "storage/postgres/migrations.h"
#include "storage/postgres/statements.h"

namespace wharf::storage::pg {
namespace {

using testing::Connect;
using testing::CreateDatabase;
using testing::Describe;
using testing::ServerUrl;
using testing::TestOptions;

constexpr Statement kShowSettings{
    "test_show_settings",
    "SELECT current_setting('statement_timeout'), "
    "current_setting('idle_in_transaction_session_timeout'), current_setting('application_name')",
    0};
constexpr Statement kDivideByZero{"test_divide_by_zero", "SELECT 1 / $1::int", 1};
constexpr Statement kSleep{"test_sleep", "SELECT pg_sleep($1::float8)", 1};
constexpr Statement kBackendPid{"test_backend_pid", "SELECT pg_backend_pid()", 0};
constexpr Statement kTerminate{"test_terminate", "SELECT pg_terminate_backend($1::int)", 1};
constexpr Statement kEcho{"test_echo", "SELECT $1::text, $2::bytea, $3::text IS NULL", 3};
constexpr Statement kAppliedMigrations{
    "test_applied_migrations", "SELECT count(*), count(DISTINCT version) FROM schema_migrations",
    0};

TEST(PgConnectionTest, SessionSettingsApplyFromTheFirstStatement) {
  WHARF_REQUIRE_POSTGRES();
  ConnectionOptions options = TestOptions();
  options.statement_timeout = std::chrono::milliseconds(1234);
  options.idle_in_transaction_timeout = std::chrono::milliseconds(5678);
  options.application_name = "wharf-settings-test";
  PG_ASSERT_OK_AND_ASSIGN(Connection conn, Connection::Open(ServerUrl(), options));
  PG_ASSERT_OK_AND_ASSIGN(Rows rows, conn.Execute(kShowSettings));
  ASSERT_EQ(rows.size(), 1);
  EXPECT_EQ(rows.Text(0, 0), "1234ms");
  EXPECT_EQ(rows.Text(0, 1), "5678ms");
  EXPECT_EQ(rows.Text(0, 2), "wharf-settings-test");
}

TEST(PgConnectionTest, ParametersTravelApartFromTheSql) {
  WHARF_REQUIRE_POSTGRES();
  PG_ASSERT_OK_AND_ASSIGN(Connection conn, Connect());
  // Quotes, a statement separator and binary bytes: all values, none of it SQL.
  std::string text = "it's'; DROP TABLE x; --";
  std::string bytes("\x00\x01\xff'\\", 5);
  PG_ASSERT_OK_AND_ASSIGN(
      Rows rows, conn.Execute(kEcho, {Param::Text(text), Param::Bytes(bytes), Param::Null()}));
  EXPECT_EQ(rows.Text(0, 0), text);
  auto decoded = rows.Bytes(0, 1);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, bytes);
  EXPECT_EQ(rows.Bool(0, 2).value(), true);
  // The same statement again runs the prepared one.
  PG_ASSERT_OK_AND_ASSIGN(
      Rows again, conn.Execute(kEcho, {Param::Text("x"), Param::Bytes(""), Param::Text("y")}));
  EXPECT_EQ(again.Text(0, 0), "x");
  EXPECT_EQ(again.Bool(0, 2).value(), false);
}

TEST(PgConnectionTest, ServerErrorsCarryTheirSqlState) {
  WHARF_REQUIRE_POSTGRES();
  ConnectionOptions options = TestOptions();
  options.statement_timeout = std::chrono::milliseconds(200);
  PG_ASSERT_OK_AND_ASSIGN(Connection conn, Connection::Open(ServerUrl(), options));
  auto divided = conn.Execute(kDivideByZero, {Param::Int(0)});
  ASSERT_FALSE(divided.ok());
  EXPECT_EQ(divided.error().code, PgErrorCode::kServer);
  EXPECT_EQ(divided.error().sqlstate, "22012");
  auto slept = conn.Execute(kSleep, {Param::Text("5")});
  ASSERT_FALSE(slept.ok());
  EXPECT_EQ(slept.error().sqlstate, kSqlStateQueryCanceled);
  EXPECT_TRUE(conn.healthy());
  auto wrong_arity = conn.Execute(kDivideByZero, {});
  ASSERT_FALSE(wrong_arity.ok());
  EXPECT_EQ(wrong_arity.error().code, PgErrorCode::kBadResult);
}

TEST(PgConnectionTest, ConnectFailureIsAValue) {
  WHARF_REQUIRE_POSTGRES();
  ConnectionOptions options = TestOptions();
  options.connect_timeout = std::chrono::seconds(2);
  auto conn = Connection::Open("postgresql://wharf@127.0.0.1:1/postgres", options);
  ASSERT_FALSE(conn.ok());
  EXPECT_EQ(conn.error().code, PgErrorCode::kConnect);
}

TEST(PgConnectionTest, IdleInTransactionSessionsAreEndedByTheServer) {
  WHARF_REQUIRE_POSTGRES();
  ConnectionOptions options = TestOptions();
  options.idle_in_transaction_timeout = std::chrono::milliseconds(300);
  PG_ASSERT_OK_AND_ASSIGN(Connection conn, Connection::Open(ServerUrl(), options));
  PG_ASSERT_OK(conn.ExecuteScript("BEGIN"));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  auto after = conn.Execute(kBackendPid);
  ASSERT_FALSE(after.ok()) << "the held transaction should have been terminated";
  EXPECT_FALSE(conn.healthy());
}

TEST(PgConnectionTest, TransactionRollsBackUnlessCommitted) {
  WHARF_REQUIRE_POSTGRES();
  PG_ASSERT_OK(CreateDatabase(testing::DatabaseName("wharf_tx_test")));
  PG_ASSERT_OK_AND_ASSIGN(Connection conn, Connect(testing::DatabaseName("wharf_tx_test")));
  PG_ASSERT_OK(conn.ExecuteScript("CREATE TABLE t (v int)"));
  constexpr Statement kInsert{"test_insert", "INSERT INTO t VALUES ($1)", 1};
  constexpr Statement kCount{"test_count", "SELECT count(*) FROM t", 0};
  {
    PG_ASSERT_OK_AND_ASSIGN(Transaction tx, Transaction::Begin(conn));
    PG_ASSERT_OK_AND_ASSIGN(Rows inserted, conn.Execute(kInsert, {Param::Int(1)}));
    EXPECT_EQ(inserted.affected(), 1);
  }  // not committed: rolled back
  {
    PG_ASSERT_OK_AND_ASSIGN(Transaction tx, Transaction::Begin(conn));
    PG_ASSERT_OK_AND_ASSIGN(Rows inserted, conn.Execute(kInsert, {Param::Int(2)}));
    PG_ASSERT_OK(tx.Commit());
  }
  {
    // A failed statement aborts the transaction; Commit then reports the rollback.
    PG_ASSERT_OK_AND_ASSIGN(Transaction tx, Transaction::Begin(conn));
    PG_ASSERT_OK_AND_ASSIGN(Rows inserted, conn.Execute(kInsert, {Param::Int(3)}));
    EXPECT_FALSE(conn.Execute(kDivideByZero, {Param::Int(0)}).ok());
    EXPECT_FALSE(tx.Commit().ok());
  }
  PG_ASSERT_OK_AND_ASSIGN(Rows count, conn.Execute(kCount));
  EXPECT_EQ(count.Int(0, 0).value(), 1);
}

TEST(PgPoolTest, NeverOpensMoreThanItsBound) {
  WHARF_REQUIRE_POSTGRES();
  ConnectionPool pool(ServerUrl(), TestOptions(), 2);
  PG_ASSERT_OK_AND_ASSIGN(PooledConnection a, pool.Acquire(std::chrono::seconds(5)));
  {
    PG_ASSERT_OK_AND_ASSIGN(PooledConnection b, pool.Acquire(std::chrono::seconds(5)));
    auto c = pool.Acquire(std::chrono::milliseconds(200));
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.error().code, PgErrorCode::kPoolTimeout);
    EXPECT_EQ(pool.open_count(), 2u);
  }
  // b went back: the next acquire reuses it instead of connecting.
  PG_ASSERT_OK_AND_ASSIGN(PooledConnection c, pool.Acquire(std::chrono::milliseconds(200)));
  EXPECT_EQ(pool.open_count(), 2u);
  EXPECT_EQ(pool.idle_count(), 0u);
}

TEST(PgPoolTest, AWaiterGetsTheConnectionReleasedByAnotherThread) {
  WHARF_REQUIRE_POSTGRES();
  ConnectionPool pool(ServerUrl(), TestOptions(), 1);
  auto held = std::make_unique<PooledConnection>(pool.Acquire(std::chrono::seconds(5)).value());
  std::thread releaser([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    held.reset();
  });
  auto waited = pool.Acquire(std::chrono::seconds(10));
  releaser.join();
  ASSERT_TRUE(waited.ok()) << Describe(waited.error());
  EXPECT_EQ(pool.open_count(), 1u);
}

TEST(PgPoolTest, BrokenConnectionsAreDroppedNotReused) {
  WHARF_REQUIRE_POSTGRES();
  ConnectionPool pool(ServerUrl(), TestOptions(), 2);
  {
    PG_ASSERT_OK_AND_ASSIGN(PooledConnection victim, pool.Acquire(std::chrono::seconds(5)));
    PG_ASSERT_OK_AND_ASSIGN(Rows pid, victim->Execute(kBackendPid));
    PG_ASSERT_OK_AND_ASSIGN(Connection killer, Connect());
    PG_ASSERT_OK_AND_ASSIGN(Rows killed,
                            killer.Execute(kTerminate, {Param::Text(std::string(pid.Text(0, 0)))}));
    EXPECT_EQ(killed.Text(0, 0), "t");
    // libpq notices on the next call.
    auto after = victim->Execute(kBackendPid);
    ASSERT_FALSE(after.ok());
    EXPECT_EQ(after.error().code, PgErrorCode::kConnection);
  }
  EXPECT_EQ(pool.open_count(), 0u);
  PG_ASSERT_OK_AND_ASSIGN(PooledConnection fresh, pool.Acquire(std::chrono::seconds(5)));
  PG_ASSERT_OK_AND_ASSIGN(Rows pid, fresh->Execute(kBackendPid));
  EXPECT_EQ(pid.size(), 1);
}

TEST(PgMigrationsTest, FreshDatabaseMigratesOnceAndRepeatsAsNoOp) {
  WHARF_REQUIRE_POSTGRES();
  PG_ASSERT_OK(CreateDatabase(testing::DatabaseName("wharf_migrate_test")));
  PG_ASSERT_OK_AND_ASSIGN(Connection conn, Connect(testing::DatabaseName("wharf_migrate_test")));
  const int known = static_cast<int>(AllMigrations().size());
  PG_ASSERT_OK_AND_ASSIGN(MigrationReport first, Migrate(conn));
  EXPECT_EQ(first.applied, known);
  EXPECT_EQ(first.schema_version, AllMigrations().back().version);
  PG_ASSERT_OK_AND_ASSIGN(MigrationReport second, Migrate(conn));
  EXPECT_EQ(second.applied, 0);
  EXPECT_EQ(second.schema_version, first.schema_version);
  // From another connection too (a node restarting).
  PG_ASSERT_OK_AND_ASSIGN(Connection other, Connect(testing::DatabaseName("wharf_migrate_test")));
  PG_ASSERT_OK_AND_ASSIGN(MigrationReport third, Migrate(other));
  EXPECT_EQ(third.applied, 0);
  PG_ASSERT_OK_AND_ASSIGN(Rows rows, conn.Execute(kAppliedMigrations));
  EXPECT_EQ(rows.Int(0, 0).value(), known);
}

// Without gaps except over versions reserved by work on other branches (8: SSE-KMS), which
// Migrate applies by number whenever they arrive.
TEST(PgMigrationsTest, VersionsAreOrderedWithoutGaps) {
  int expected = 1;
  for (const Migration& migration : AllMigrations()) {
    EXPECT_EQ(migration.version, expected++) << migration.name;
    EXPECT_FALSE(migration.sql.empty());
  }
}

TEST(PgMigrationsTest, NodesStartingAtOnceApplyEachMigrationOnce) {
  WHARF_REQUIRE_POSTGRES();
  for (int round = 0; round < 3; ++round) {
    PG_ASSERT_OK(CreateDatabase(testing::DatabaseName("wharf_concurrent_migrate_test")));
    constexpr int kNodes = 4;
    std::vector<PgResult<MigrationReport>> results;
    for (int i = 0; i < kNodes; ++i) results.emplace_back(PgError{PgErrorCode::kConnect, "", ""});
    std::vector<Connection> conns;
    for (int i = 0; i < kNodes; ++i) {
      PG_ASSERT_OK_AND_ASSIGN(Connection conn,
                              Connect(testing::DatabaseName("wharf_concurrent_migrate_test")));
      conns.push_back(std::move(conn));
    }
    std::atomic<int> ready{0};
    std::vector<std::thread> nodes;
    for (int i = 0; i < kNodes; ++i) {
      nodes.emplace_back([&, i] {
        ++ready;
        while (ready.load() < kNodes) std::this_thread::yield();  // start together
        results[i] = Migrate(conns[i]);
      });
    }
    for (auto& node : nodes) node.join();
    int applied = 0;
    for (auto& result : results) {
      ASSERT_TRUE(result.ok()) << Describe(result.error());
      applied += result->applied;
      EXPECT_EQ(result->schema_version, AllMigrations().back().version);
    }
    EXPECT_EQ(applied, static_cast<int>(AllMigrations().size()));
    PG_ASSERT_OK_AND_ASSIGN(Rows rows, conns[0].Execute(kAppliedMigrations));
    EXPECT_EQ(rows.Int(0, 0).value(), static_cast<int64_t>(AllMigrations().size()));
    EXPECT_EQ(rows.Int(0, 1).value(), static_cast<int64_t>(AllMigrations().size()));
  }
}

TEST(PgStatementsTest, EveryStatementPreparesAgainstTheSchema) {
  WHARF_REQUIRE_POSTGRES();
  std::string database = testing::SharedOpsDatabase();
  ASSERT_FALSE(database.empty());
  PG_ASSERT_OK_AND_ASSIGN(Connection conn, Connect(database));
  std::set<std::string_view> names;
  for (const Statement* statement : sql::AllStatements()) {
    EXPECT_TRUE(names.insert(statement->name).second) << "duplicate name " << statement->name;
    PgStatus prepared = conn.Prepare(*statement);
    EXPECT_TRUE(prepared.ok()) << statement->name << ": " << Describe(prepared.error());
  }
}

}  // namespace
}  // namespace wharf::storage::pg
