#pragma once

// Shared pieces of the PostgreSQL backend's tests. The server comes from
// WHARF_TEST_POSTGRES_URL (tests/postgres/run.sh starts a private cluster and sets it); without
// it every test skips itself. Each test that needs a clean schema gets a database of its own
// (FreshDatabase); the queue-operation tests share one migrated database and keep apart by
// using queues of their own (every statement is keyed by queue_id).
//
// Waiting for database time (visibility timeouts, delays) polls with a generous deadline, so a
// slow machine makes a test slower, not failed.

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/ids.h"
#include "storage/postgres/connection.h"
#include "storage/postgres/pool.h"
#include "storage/postgres/queue_ops.h"

namespace wharf::storage::pg::testing {

inline const char* ServerUrl() { return std::getenv("WHARF_TEST_POSTGRES_URL"); }

#define WHARF_REQUIRE_POSTGRES()                                                            \
  do {                                                                                      \
    if (::wharf::storage::pg::testing::ServerUrl() == nullptr) {                            \
      GTEST_SKIP() << "WHARF_TEST_POSTGRES_URL is not set (tests/postgres/run.sh sets it)"; \
    }                                                                                       \
  } while (0)

inline std::string Describe(const PgError& error) {
  return "code " + std::to_string(static_cast<int>(error.code)) + " sqlstate '" + error.sqlstate +
         "': " + error.detail;
}

// The value of a Result, failing the test (and aborting it) when it is an error.
#define PG_ASSERT_OK_AND_ASSIGN(lhs, expr)                                                     \
  auto WHARF_CONCAT_(pg_result_, __LINE__) = (expr);                                           \
  ASSERT_TRUE(WHARF_CONCAT_(pg_result_, __LINE__).ok())                                        \
      << ::wharf::storage::pg::testing::Describe(WHARF_CONCAT_(pg_result_, __LINE__).error()); \
  lhs = std::move(WHARF_CONCAT_(pg_result_, __LINE__)).value()

#define PG_ASSERT_OK(expr)                                                                       \
  do {                                                                                           \
    auto pg_status_ = (expr);                                                                    \
    ASSERT_TRUE(pg_status_.ok()) << ::wharf::storage::pg::testing::Describe(pg_status_.error()); \
  } while (0)

inline ConnectionOptions TestOptions(std::string database = {}) {
  ConnectionOptions options;
  options.application_name = "wharf-test";
  options.database = std::move(database);
  return options;
}

inline PgResult<Connection> Connect(std::string database = {}) {
  return Connection::Open(ServerUrl(), TestOptions(std::move(database)));
}

// `base` made unique to this process: ctest runs each test in a process of its own, possibly
// in parallel, and one process must not drop another's database.
inline std::string DatabaseName(const std::string& base) {
  return base + "_" + std::to_string(::getpid());
}

// A new, empty database named `name` (dropped first if a previous run left it).
// CREATE/DROP DATABASE take no parameters and cannot be prepared; the names are constants of
// the tests, never input.
inline PgStatus CreateDatabase(const std::string& name) {
  WHARF_ASSIGN_OR_RETURN(Connection admin, Connect());
  WHARF_RETURN_IF_ERROR(admin.ExecuteScript("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"));
  return admin.ExecuteScript("CREATE DATABASE " + name);
}

// The database the queue-operation tests share, created and migrated once per process.
inline std::string SharedOpsDatabase() {
  static std::once_flag once;
  static bool ready = false;
  static const std::string kOpsDatabase = DatabaseName("wharf_ops_test");
  std::call_once(once, [] {
    PgStatus created = CreateDatabase(kOpsDatabase);
    if (!created.ok()) {
      ADD_FAILURE() << "creating " << kOpsDatabase << ": " << Describe(created.error());
      return;
    }
    ConnectionPool pool(ServerUrl(), TestOptions(kOpsDatabase), 1);
    PgQueueOps ops(pool);
    PgStatus migrated = ops.Migrate();
    if (!migrated.ok()) {
      ADD_FAILURE() << "migrating: " << Describe(migrated.error());
      return;
    }
    ready = true;
  });
  return ready ? kOpsDatabase : "";
}

// A fixture with a pool and PgQueueOps on the shared, migrated database.
class PgOpsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WHARF_REQUIRE_POSTGRES();
    std::string database = SharedOpsDatabase();
    ASSERT_FALSE(database.empty());
    pool_ = std::make_unique<ConnectionPool>(ServerUrl(), TestOptions(database), 8);
    ops_ = std::make_unique<PgQueueOps>(*pool_);
  }

  // A queue of this test's own (unique name), created with `config`'s settings.
  int64_t NewQueue(QueueConfig config = {}) {
    static std::atomic<int> counter{0};
    config.account = "000000000000";
    config.name = std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) +
                  "-" + std::to_string(counter++) + "-" + NewUuid().substr(0, 8) +
                  (config.fifo ? ".fifo" : "");
    auto created = ops_->CreateQueue(config);
    EXPECT_TRUE(created.ok()) << (created.ok() ? "" : Describe(created.error()));
    return created.ok() ? created->queue_id : -1;
  }

  // Polls `receive` until it returns at least one message or `deadline` passes.
  ReceiveResult ReceiveWithin(std::chrono::seconds deadline,
                              const std::function<PgResult<ReceiveResult>()>& receive) {
    auto until = std::chrono::steady_clock::now() + deadline;
    for (;;) {
      auto result = receive();
      EXPECT_TRUE(result.ok()) << (result.ok() ? "" : Describe(result.error()));
      if (!result.ok()) return {};
      if (!result->messages.empty() || std::chrono::steady_clock::now() > until) {
        return std::move(result).value();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }

  std::unique_ptr<ConnectionPool> pool_;
  std::unique_ptr<PgQueueOps> ops_;
};

inline NewMessage Message(std::string body, std::string attrs = {},
                          std::optional<int> delay_s = std::nullopt) {
  return NewMessage{NewUuid(), std::move(body), std::move(attrs), delay_s};
}

inline NewFifoMessage FifoMessage(std::string group, std::string dedup, std::string body) {
  return NewFifoMessage{NewUuid(), std::move(group), std::move(dedup), std::move(body), {}};
}

}  // namespace wharf::storage::pg::testing
