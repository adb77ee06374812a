// PgObjectStore: keyed objects (IAM, KMS, SNS) in PostgreSQL behind storage::Store. Each test has
// a database of its own (the change signature covers the whole table).

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "object_test_support.h"
#include "pg_test_support.h"
#include "storage/postgres/migrations.h"
#include "storage/postgres/object_store.h"
#include "storage/postgres/statements.h"

namespace wharf::storage::pg {
namespace {

using testing::Commit;
using testing::Connect;
using testing::CreateDatabase;
using testing::Delete;
using testing::Describe;
using testing::Objects;
using testing::Put;
using testing::Scan;
using testing::ServerUrl;
using testing::TestOptions;
using testing::WaitDurable;

constexpr Statement kBackendPid{"test_objects_backend_pid", "SELECT pg_backend_pid()", 0};
constexpr Statement kTerminate{"test_objects_terminate", "SELECT pg_terminate_backend($1::int)", 1};
constexpr Statement kObjectValue{"test_object_value",
                                 "SELECT value FROM object WHERE key = $1::bytea", 1};

std::string Show(std::string_view bytes) {
  static const char* kHex = "0123456789abcdef";
  std::string shown;
  for (unsigned char c : bytes) {
    if (c >= 0x20 && c < 0x7F && c != '\\') {
      shown.push_back(static_cast<char>(c));
    } else {
      shown += "\\x";
      shown.push_back(kHex[c >> 4]);
      shown.push_back(kHex[c & 15]);
    }
  }
  return shown;
}

TEST(PgObjectPrefixTest, TheEndIsTheNextPrefix) {
  using namespace std::string_literals;
  EXPECT_EQ(ObjectPrefixEnd("iam/"), "iam0");
  EXPECT_EQ(ObjectPrefixEnd("ab"), "ac");
  EXPECT_EQ(ObjectPrefixEnd("a\xfe"), "a\xff");
  EXPECT_EQ(ObjectPrefixEnd("a\xff"), "b");
  EXPECT_EQ(ObjectPrefixEnd("a\xff\xff"), "b");
  EXPECT_EQ(ObjectPrefixEnd("\x00"s), "\x01");
  EXPECT_EQ(ObjectPrefixEnd("\x7f"), "\x80");
  EXPECT_EQ(ObjectPrefixEnd(""), std::nullopt);
  EXPECT_EQ(ObjectPrefixEnd("\xff"), std::nullopt);
  EXPECT_EQ(ObjectPrefixEnd("\xff\xff\xff"), std::nullopt);
}

class PgObjectStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WHARF_REQUIRE_POSTGRES();
    static std::atomic<int> counter{0};
    database_ = testing::DatabaseName("wharf_objects_test_" + std::to_string(counter++));
    PG_ASSERT_OK(CreateDatabase(database_));
    PG_ASSERT_OK_AND_ASSIGN(Connection conn, Connect(database_));
    PG_ASSERT_OK_AND_ASSIGN(MigrationReport migrated, Migrate(conn));
    (void)migrated;
    pool_ = NewPool();
  }

  std::unique_ptr<ConnectionPool> NewPool(size_t size = 2) {
    return std::make_unique<ConnectionPool>(ServerUrl(), TestOptions(database_), size);
  }

  std::string database_;
  std::unique_ptr<ConnectionPool> pool_;
};

TEST_F(PgObjectStoreTest, PutReplaceDeleteAndScanByPrefix) {
  PgObjectStore store(*pool_);
  EXPECT_TRUE(store.durable());
  ASSERT_TRUE(Commit(store, {Put("iam/000000000000/user/alice", "a1"),
                             Put("iam/000000000000/user/bob", "b1"), Put("kms/key/1", "k1")})
                  .ok());
  ASSERT_TRUE(Commit(store, {Put("iam/000000000000/user/alice", "a2")}).ok());  // replace
  ASSERT_TRUE(Commit(store, {Delete("kms/key/1"), Delete("kms/key/absent")}).ok());

  EXPECT_EQ(Scan(store, "iam/"),
            (Objects{{"iam/000000000000/user/alice", "a2"}, {"iam/000000000000/user/bob", "b1"}}));
  EXPECT_EQ(Scan(store, "iam/000000000000/user/b"), (Objects{{"iam/000000000000/user/bob", "b1"}}));
  EXPECT_TRUE(Scan(store, "kms/").empty());
  EXPECT_TRUE(Scan(store, "sns/").empty());
  EXPECT_EQ(Scan(store, "").size(), 2u);

  // Values are bytes: empty, NUL and 0xFF kept as they are.
  std::string binary("\x00\xff\x01'\\", 5);
  ASSERT_TRUE(Commit(store, {Put("sns/empty", ""), Put("sns/binary", binary)}).ok());
  EXPECT_EQ(Scan(store, "sns/"), (Objects{{"sns/binary", binary}, {"sns/empty", ""}}));

  // No queues here.
  struct NoVisits : RecoveryVisitor {
    void Queue(uint64_t, std::string_view) override { ADD_FAILURE() << "queue visited"; }
    void Message(uint64_t, uint64_t, std::string_view, std::string_view) override {
      ADD_FAILURE() << "message visited";
    }
    void Dedup(uint64_t, std::string_view, std::string_view) override {
      ADD_FAILURE() << "dedup visited";
    }
  } visitor;
  EXPECT_TRUE(store.Recover(visitor).ok());
  std::vector<std::string> read;
  store.ReadMessages(1, {1, 2, 3}, [&](Result<std::vector<std::string>, StorageError> records) {
    ASSERT_TRUE(records.ok());
    read = *records;
  });
  EXPECT_EQ(read, (std::vector<std::string>{"", "", ""}));
  EXPECT_TRUE(store.Health().ok());
}

TEST_F(PgObjectStoreTest, ScanIsInBytewiseOrderAndExactForPrefixesWithFFBytes) {
  using namespace std::string_literals;
  const std::vector<std::string> keys = {
      ""s,          "\x00"s,         "\x00\x00"s,        "a"s,     "a\x00"s,
      "a\x01"s,     "a\x7f"s,        "a\x80"s,           "a\xfe"s, "a\xff"s,
      "a\xff\x00"s, "a\xff\xff"s,    "a\xff\xff\xff"s,   "b"s,     "b\x00"s,
      "\x7f"s,      "\x80"s,         "\xfe\xff"s,        "\xff"s,  "\xff\x00"s,
      "\xff\xff"s,  "\xff\xff\x01"s, "\xff\xff\xff\xff"s};
  std::vector<Record> records;
  // Appended in reverse, so the order comes from the database, not from the appends.
  for (auto it = keys.rbegin(); it != keys.rend(); ++it) records.push_back(Put(*it, "v:" + *it));
  PgObjectStore store(*pool_);
  ASSERT_TRUE(Commit(store, std::move(records)).ok());

  std::vector<std::string> sorted = keys;
  std::sort(sorted.begin(), sorted.end());  // char_traits<char>: unsigned, like memcmp
  const std::vector<std::string> prefixes = {
      ""s,     "\x00"s, "a"s,    "a\x7f"s,    "a\xff"s,        "a\xff\xff"s, "b"s,
      "\x80"s, "\xfe"s, "\xff"s, "\xff\xff"s, "\xff\xff\xff"s, "c"s};
  for (const std::string& prefix : prefixes) {
    Objects expected;
    for (const std::string& key : sorted) {
      if (key.starts_with(prefix)) expected.emplace_back(key, "v:" + key);
    }
    Objects seen = Scan(store, prefix);
    std::string shown;
    for (const auto& [key, value] : seen) shown += Show(key) + " ";
    EXPECT_EQ(seen, expected) << "prefix '" << Show(prefix) << "' saw: " << shown;
  }
  EXPECT_EQ(Scan(store, "").size(), keys.size());
}

TEST_F(PgObjectStoreTest, AppendOrderIsKeptWithinAndAcrossBatches) {
  // max_batch_records 4096: the appends made while the committer waits for the only connection
  // form one or two batches; 7: many batches of a few appends each.
  for (size_t max_batch : {size_t{4096}, size_t{7}}) {
    SCOPED_TRACE("max_batch_records " + std::to_string(max_batch));
    auto single = NewPool(1);
    ObjectStoreOptions options;
    options.max_batch_records = max_batch;
    options.acquire_wait = std::chrono::seconds(30);
    PgObjectStore store(*single, options);
    uint64_t last = 0;
    {
      // Hold the pool's only connection: the committer waits, appends queue up.
      PG_ASSERT_OK_AND_ASSIGN(PooledConnection held, single->Acquire(std::chrono::seconds(5)));
      const auto start = std::chrono::steady_clock::now();
      for (int round = 0; round < 10; ++round) {
        for (int k = 0; k < 30; ++k) {
          std::string key = "order/" + std::to_string(k);
          last = round == 9 && k % 3 == 0 ? store.Append({Delete(key)})
                                          : store.Append({Put(key, "r" + std::to_string(round))});
        }
      }
      // Never blocked on the database.
      EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
      EXPECT_EQ(store.Append({}), last);
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ASSERT_TRUE(WaitDurable(store, last).ok());
    Objects expected;
    std::map<std::string, std::string> model;
    for (int k = 0; k < 30; ++k) {
      if (k % 3 != 0) model["order/" + std::to_string(k)] = "r9";
    }
    for (auto& [key, value] : model) expected.emplace_back(key, value);
    EXPECT_EQ(Scan(store, "order/"), expected);
    if (max_batch == 7) {
      EXPECT_GE(store.batches(), 300u / 7);
    } else {
      EXPECT_LE(store.batches(), 2u);
    }
    std::vector<Record> clear;
    for (int k = 0; k < 30; ++k) clear.push_back(Delete("order/" + std::to_string(k)));
    ASSERT_TRUE(Commit(store, std::move(clear)).ok());
  }

  // One append of 200 records (over the pipeline's 128 statements: the explicit transaction),
  // each key put four times: the last put of each wins.
  PgObjectStore store(*pool_);
  std::vector<Record> records;
  for (int i = 0; i < 200; ++i) {
    records.push_back(Put("big/" + std::to_string(10 + i % 50), std::to_string(i)));
  }
  records.push_back(Delete("big/10"));
  ASSERT_TRUE(Commit(store, std::move(records)).ok());
  Objects big = Scan(store, "big/");
  ASSERT_EQ(big.size(), 49u);
  for (const auto& [key, value] : big) {
    EXPECT_EQ(value, std::to_string(150 + std::stoi(key.substr(4)) - 10)) << key;
  }
}

TEST_F(PgObjectStoreTest, WhenDurableRunsAfterTheCommit) {
  PgObjectStore store(*pool_);
  // Before any append: the latest ticket is 0, and waiting on it succeeds at once (owners wait
  // on it before their start-up scan; a fresh node failed to start on this).
  bool settled = false;
  store.WhenDurable(store.Append({}), [&](StorageStatus status) {
    EXPECT_TRUE(status.ok()) << status.error().detail;
    settled = true;
  });
  EXPECT_TRUE(settled);
  PG_ASSERT_OK_AND_ASSIGN(Connection other, Connect(database_));
  for (int i = 0; i < 5; ++i) {
    std::string key = "durable/" + std::to_string(i);
    uint64_t ticket = store.Append({Put(key, "v" + std::to_string(i))});
    std::promise<std::string> seen;
    store.WhenDurable(ticket, [&](StorageStatus status) {
      EXPECT_TRUE(status.ok());
      // Another session sees the committed row from inside the callback.
      auto rows = other.Execute(kObjectValue, {Param::Bytes(key)});
      seen.set_value(rows.ok() && rows->size() == 1 ? rows->Bytes(0, 0).value() : "(none)");
    });
    EXPECT_EQ(seen.get_future().get(), "v" + std::to_string(i));
    // Already written: called on this thread before returning.
    bool called = false;
    store.WhenDurable(ticket, [&](StorageStatus status) {
      EXPECT_TRUE(status.ok());
      called = true;
    });
    EXPECT_TRUE(called);
  }
}

TEST_F(PgObjectStoreTest, AnAppendWithANonObjectRecordIsRefusedAlone) {
  auto single = NewPool(1);
  PgObjectStore store(*single);
  uint64_t before = 0;
  uint64_t refused = 0;
  uint64_t after = 0;
  {
    // In one batch with the appends around it.
    PG_ASSERT_OK_AND_ASSIGN(PooledConnection held, single->Acquire(std::chrono::seconds(5)));
    before = store.Append({Put("refuse/before", "1")});
    Record queue{RecordType::kQueuePut};
    queue.queue_id = 7;
    refused = store.Append({Put("refuse/mixed", "2"), queue});
    after = store.Append({Put("refuse/after", "3")});
  }
  StorageStatus refused_status = WaitDurable(store, refused);
  ASSERT_FALSE(refused_status.ok());
  EXPECT_EQ(refused_status.error().code, StorageErrorCode::kInvalid);
  EXPECT_TRUE(WaitDurable(store, before).ok());
  EXPECT_TRUE(WaitDurable(store, after).ok());
  EXPECT_EQ(Scan(store, "refuse/"), (Objects{{"refuse/after", "3"}, {"refuse/before", "1"}}));
  EXPECT_TRUE(store.Health().ok());

  // Alone, and every other record type.
  for (RecordType type :
       {RecordType::kQueueDelete, RecordType::kMessagePut, RecordType::kMessageState,
        RecordType::kMessageDelete, RecordType::kQueuePurge, RecordType::kDedupPut,
        RecordType::kDedupDelete, RecordType::kTaskPut, RecordType::kMessageCopy}) {
    Record record{type};
    record.key = "refuse/typed";
    StorageStatus status = Commit(store, {record});
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code, StorageErrorCode::kInvalid);
  }
  EXPECT_EQ(Scan(store, "refuse/").size(), 2u);
}

TEST_F(PgObjectStoreTest, ScanSeesAnAppendMadeJustBeforeIt) {
  PgObjectStore store(*pool_);
  for (int i = 0; i < 20; ++i) {
    std::string key = "own/" + std::to_string(100 + i);
    store.Append({Put(key, std::to_string(i))});  // no WhenDurable in between
    Objects seen = Scan(store, key);
    EXPECT_EQ(seen, (Objects{{key, std::to_string(i)}})) << i;
    store.Append({Delete(key)});
    EXPECT_TRUE(Scan(store, key).empty()) << i;
  }
}

// The watcher leaves out the objects no owner of its keeps (move tasks, which write their
// progress every second and sync themselves): their changes do not change its signature.
TEST_F(PgObjectStoreTest, SignatureLeavesOutAPrefix) {
  PgObjectStore store(*pool_);
  const std::string prefix = "skip-" + NewUuid() + "/";
  auto before = store.Signature(prefix);
  ASSERT_TRUE(before.ok());
  ASSERT_TRUE(Commit(store, {Put(prefix + "task", "1")}).ok());
  auto after_skipped = store.Signature(prefix);
  ASSERT_TRUE(after_skipped.ok());
  EXPECT_EQ(*after_skipped, *before);
  auto whole = store.Signature();
  ASSERT_TRUE(whole.ok());
  EXPECT_NE(*whole, *before) << "without the exception the put counts";
  ASSERT_TRUE(Commit(store, {Put("kept-" + NewUuid(), "1")}).ok());
  auto after_kept = store.Signature(prefix);
  ASSERT_TRUE(after_kept.ok());
  EXPECT_NE(*after_kept, *before);
  ASSERT_TRUE(Commit(store, {Delete(prefix + "task")}).ok());
}

TEST_F(PgObjectStoreTest, SignatureChangesOnPutReplaceAndDeleteOnly) {
  PgObjectStore store(*pool_);
  auto signature = [&] {
    auto read = store.Signature();
    EXPECT_TRUE(read.ok()) << (read.ok() ? "" : Describe(read.error()));
    return read.ok() ? *read : ObjectsSignature{-1, -1};
  };
  ObjectsSignature empty = signature();
  EXPECT_EQ(empty, (ObjectsSignature{0, 0}));

  ASSERT_TRUE(Commit(store, {Put("sig/a", "1")}).ok());
  ObjectsSignature put = signature();
  EXPECT_EQ(put.count, 1);
  EXPECT_NE(put, empty);

  ASSERT_TRUE(Commit(store, {Put("sig/a", "1")}).ok());  // replaced by the same value
  ObjectsSignature replaced = signature();
  EXPECT_EQ(replaced.count, 1);
  EXPECT_GT(replaced.version_sum, put.version_sum);

  // Nothing changes: reads, a delete of nothing, a refused append, an empty append.
  EXPECT_EQ(Scan(store, "").size(), 1u);
  ASSERT_TRUE(Commit(store, {Delete("sig/absent")}).ok());
  EXPECT_FALSE(Commit(store, {Record{RecordType::kQueuePut}}).ok());
  EXPECT_EQ(signature(), replaced);

  // A put and a delete at once still change it (the new version exceeds the deleted one).
  ASSERT_TRUE(Commit(store, {Put("sig/b", "2"), Delete("sig/a")}).ok());
  ObjectsSignature swapped = signature();
  EXPECT_EQ(swapped.count, 1);
  EXPECT_NE(swapped, replaced);

  ASSERT_TRUE(Commit(store, {Delete("sig/b")}).ok());
  ObjectsSignature deleted = signature();
  EXPECT_EQ(deleted, (ObjectsSignature{0, 0}));
  EXPECT_NE(deleted, swapped);
}

TEST_F(PgObjectStoreTest, TwoStoresOnOneDatabaseSeeEachOthersObjectsAndNotifies) {
  auto other_pool = NewPool(2);
  PgObjectStore a(*pool_);
  PgObjectStore b(*other_pool);
  PG_ASSERT_OK_AND_ASSIGN(Connection listener, Connect(database_));
  PG_ASSERT_OK(listener.ExecuteScript("LISTEN wharf_objects"));
  auto notifications_within = [&](std::chrono::milliseconds wait) {
    size_t count = 0;
    auto until = std::chrono::steady_clock::now() + wait;
    while (std::chrono::steady_clock::now() < until) {
      auto received = listener.TakeNotifications();
      EXPECT_TRUE(received.ok());
      if (!received.ok()) break;
      for (const Notification& n : *received) {
        EXPECT_EQ(n.channel, kObjectsChannel);
        EXPECT_EQ(n.payload, "");
        ++count;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return count;
  };

  ASSERT_TRUE(Commit(a, {Put("kms/key/1", "from a")}).ok());
  EXPECT_EQ(notifications_within(std::chrono::milliseconds(500)), 1u);
  EXPECT_EQ(Scan(b, "kms/"), (Objects{{"kms/key/1", "from a"}}));

  ASSERT_TRUE(Commit(b, {Put("kms/key/1", "from b"), Put("kms/key/2", "b2")}).ok());
  EXPECT_EQ(notifications_within(std::chrono::milliseconds(500)), 1u);  // one per transaction
  EXPECT_EQ(Scan(a, "kms/"), (Objects{{"kms/key/1", "from b"}, {"kms/key/2", "b2"}}));

  ASSERT_TRUE(Commit(a, {Delete("kms/key/1")}).ok());
  EXPECT_EQ(Scan(b, "kms/"), (Objects{{"kms/key/2", "b2"}}));
  EXPECT_EQ(notifications_within(std::chrono::milliseconds(500)), 1u);

  // A delete of nothing changes nothing: no notification.
  ASSERT_TRUE(Commit(b, {Delete("kms/key/absent")}).ok());
  EXPECT_EQ(notifications_within(std::chrono::milliseconds(500)), 0u);

  auto sig_a = a.Signature();
  auto sig_b = b.Signature();
  ASSERT_TRUE(sig_a.ok() && sig_b.ok());
  EXPECT_EQ(*sig_a, *sig_b);
}

TEST_F(PgObjectStoreTest, AnUnreachableDatabaseReportsErrorsUntilItIsBack) {
  // A database that does not exist yet: every connect fails.
  const std::string late = database_ + "_late";
  ConnectionPool pool(ServerUrl(), TestOptions(late), 1);
  PgObjectStore store(pool);
  EXPECT_TRUE(store.Health().ok());
  const uint64_t failed_ticket = store.Append({Put("late/a", "1")});
  StorageStatus failed = WaitDurable(store, failed_ticket);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, StorageErrorCode::kIoError);
  EXPECT_FALSE(store.Health().ok());
  bool visited = false;
  EXPECT_FALSE(
      store.ScanObjects("", [&](std::string_view, std::string_view) { visited = true; }).ok());
  EXPECT_FALSE(visited);
  EXPECT_FALSE(store.Signature().ok());

  // A database without the table: a server error, reported (not retried).
  PG_ASSERT_OK(CreateDatabase(late));
  StorageStatus no_table = Commit(store, {Put("late/a", "1")});
  ASSERT_FALSE(no_table.ok());
  EXPECT_NE(no_table.error().detail.find("42P01"), std::string::npos) << no_table.error().detail;

  // Migrated: writes succeed again and Health recovers. The failed puts were not kept.
  {
    PG_ASSERT_OK_AND_ASSIGN(Connection conn, Connect(late));
    PG_ASSERT_OK_AND_ASSIGN(MigrationReport migrated, Migrate(conn));
    (void)migrated;
  }
  ASSERT_TRUE(Commit(store, {Put("late/b", "2")}).ok());
  EXPECT_TRUE(store.Health().ok());
  EXPECT_EQ(Scan(store, "late/"), (Objects{{"late/b", "2"}}));
  // An earlier failed ticket still reports its failure.
  EXPECT_FALSE(WaitDurable(store, failed_ticket).ok());
  EXPECT_EQ(store.commit_stats()->failed_groups.load(), 2u);
}

TEST_F(PgObjectStoreTest, ABrokenConnectionIsRetriedOnce) {
  auto single = NewPool(1);
  PgObjectStore store(*single);
  ASSERT_TRUE(Commit(store, {Put("retry/a", "1")}).ok());
  // The committer's connection is now the pool's idle one: terminate its backend.
  int64_t pid = 0;
  {
    PG_ASSERT_OK_AND_ASSIGN(PooledConnection conn, single->Acquire(std::chrono::seconds(5)));
    PG_ASSERT_OK_AND_ASSIGN(Rows rows, conn->Execute(kBackendPid));
    pid = rows.Int(0, 0).value();
  }
  PG_ASSERT_OK_AND_ASSIGN(Connection admin, Connect(database_));
  PG_ASSERT_OK_AND_ASSIGN(Rows terminated, admin.Execute(kTerminate, {Param::Int(pid)}));
  ASSERT_EQ(terminated.Text(0, 0), "t");
  std::this_thread::sleep_for(std::chrono::milliseconds(200));

  StorageStatus status = Commit(store, {Put("retry/b", "2")});
  EXPECT_TRUE(status.ok()) << (status.ok() ? "" : status.error().detail);
  EXPECT_TRUE(store.Health().ok());
  EXPECT_EQ(Scan(store, "retry/"), (Objects{{"retry/a", "1"}, {"retry/b", "2"}}));
  EXPECT_EQ(store.commit_stats()->failed_groups.load(), 0u);
}

TEST_F(PgObjectStoreTest, DestroyingTheStoreWritesWhatIsQueued) {
  std::atomic<int> ok{0};
  std::atomic<int> called{0};
  {
    PgObjectStore store(*pool_);
    for (int i = 0; i < 50; ++i) {
      uint64_t ticket = store.Append({Put("queued/" + std::to_string(100 + i), "v")});
      store.WhenDurable(ticket, [&](StorageStatus status) {
        ++called;
        if (status.ok()) ++ok;
      });
    }
  }
  EXPECT_EQ(called.load(), 50);
  EXPECT_EQ(ok.load(), 50);
  PgObjectStore reopened(*pool_);
  EXPECT_EQ(Scan(reopened, "queued/").size(), 50u);
}

TEST_F(PgObjectStoreTest, Version5DatabaseMigratesToObjects) {
  const std::string old = database_ + "_v5";
  PG_ASSERT_OK(CreateDatabase(old));
  PG_ASSERT_OK_AND_ASSIGN(Connection conn, Connect(old));
  PG_ASSERT_OK_AND_ASSIGN(MigrationReport v5, Migrate(conn, 5));
  EXPECT_EQ(v5.schema_version, 5);
  ConnectionPool pool(ServerUrl(), TestOptions(old), 1);
  {
    PgObjectStore store(pool);
    StorageStatus before = Commit(store, {Put("v/a", "1")});
    EXPECT_FALSE(before.ok());  // no object table yet
  }
  PG_ASSERT_OK_AND_ASSIGN(MigrationReport latest, Migrate(conn, 6));
  EXPECT_EQ(latest.applied, 1);
  EXPECT_EQ(latest.schema_version, 6);
  PgObjectStore store(pool);
  ASSERT_TRUE(Commit(store, {Put("v/a", "1")}).ok());
  EXPECT_EQ(Scan(store, "v/"), (Objects{{"v/a", "1"}}));
}

}  // namespace
}  // namespace wharf::storage::pg
