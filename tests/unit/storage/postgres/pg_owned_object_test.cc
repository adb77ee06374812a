// PgObjectStore with an owner (table owned_object, schema v10; object_store.h): the objects one
// node owns (its SNS outbox). An owner sees only its own objects; a node that finds another
// owner's lease gone adopts that owner's objects, each object going to exactly one adopter even
// when several adopt at once; epochs only grow. Each test has a database of its own (adoption
// looks at every owner of the table).

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/ids.h"
#include "common/sealing.h"
#include "object_test_support.h"
#include "pg_test_support.h"
#include "storage/postgres/leases.h"
#include "storage/postgres/migrations.h"
#include "storage/postgres/object_store.h"

namespace wharf::storage::pg {
namespace {

using namespace std::chrono_literals;
using testing::Commit;
using testing::Connect;
using testing::CreateDatabase;
using testing::Delete;
using testing::Objects;
using testing::Put;
using testing::Scan;
using testing::ServerUrl;
using testing::TestOptions;

constexpr std::string_view kLeasePrefix = "test-outbox:";
constexpr Statement kRawValue{"test_owned_raw_value",
                              "SELECT value FROM owned_object WHERE key = $1::bytea", 1};
constexpr Statement kRekey{"test_owned_rekey",
                           "UPDATE owned_object SET key = $2::bytea WHERE key = $1::bytea", 2};

Sealer KeyOf(char fill) {
  auto sealer = Sealer::FromKey(std::string(Sealer::kKeySize, fill));
  EXPECT_TRUE(sealer.ok());
  return std::move(sealer).value();
}

class PgOwnedObjectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WHARF_REQUIRE_POSTGRES();
    static std::atomic<int> counter{0};
    database_ = testing::DatabaseName("wharf_owned_test_" + std::to_string(counter++));
    PG_ASSERT_OK(CreateDatabase(database_));
    PG_ASSERT_OK_AND_ASSIGN(Connection conn, Connect(database_));
    PG_ASSERT_OK_AND_ASSIGN(MigrationReport migrated, Migrate(conn));
    (void)migrated;
    pool_ = std::make_unique<ConnectionPool>(ServerUrl(), TestOptions(database_), 4);
    leases_ = std::make_unique<PgLeases>(*pool_);
  }

  std::unique_ptr<PgObjectStore> Owner(const std::string& id,
                                       std::optional<Sealer> sealer = std::nullopt) {
    ObjectStoreOptions options;
    options.owner = id;
    options.sealer = std::move(sealer);
    return std::make_unique<PgObjectStore>(*pool_, options);
  }
  // The value column as stored.
  std::string Raw(const std::string& key) {
    auto conn = pool_->Acquire(5s);
    EXPECT_TRUE(conn.ok());
    if (!conn.ok()) return {};
    auto rows = (*conn)->Execute(kRawValue, {Param::Bytes(key)});
    EXPECT_TRUE(rows.ok() && rows->size() == 1);
    if (!rows.ok() || rows->size() != 1) return {};
    auto value = rows->Bytes(0, 0);
    return value.ok() ? *value : std::string();
  }
  PgStatus Run(const Statement& statement, std::initializer_list<Param> params) {
    WHARF_ASSIGN_OR_RETURN(PooledConnection conn, pool_->Acquire(5s));
    WHARF_ASSIGN_OR_RETURN(Rows rows, conn->Execute(statement, params));
    (void)rows;
    return {};
  }
  void HoldLease(const std::string& owner, std::chrono::milliseconds ttl = 30s) {
    auto held = leases_->Hold(std::string(kLeasePrefix) + owner, owner, ttl);
    ASSERT_TRUE(held.ok() && *held);
  }
  Objects Adopt(PgObjectStore& store) {
    auto adopted = store.Adopt(kLeasePrefix);
    EXPECT_TRUE(adopted.ok()) << (adopted.ok() ? "" : testing::Describe(adopted.error()));
    return adopted.ok() ? *adopted : Objects{};
  }

  std::string database_;
  std::unique_ptr<ConnectionPool> pool_;
  std::unique_ptr<PgLeases> leases_;
  const std::string a_ = NewUuid();
  const std::string b_ = NewUuid();
  const std::string c_ = NewUuid();
};

TEST_F(PgOwnedObjectTest, AnOwnerSeesOnlyItsOwnObjectsAndTheSharedTableNone) {
  auto a = Owner(a_);
  auto b = Owner(b_);
  PgObjectStore shared(*pool_);
  ASSERT_TRUE(Commit(*a, {Put("sns/outbox/1", "a1"), Put("sns/outbox/2", "a2")}).ok());
  ASSERT_TRUE(Commit(*b, {Put("sns/outbox/3", "b3")}).ok());
  ASSERT_TRUE(Commit(*a, {Put("sns/outbox/2", "a2'")}).ok());  // replace

  EXPECT_EQ(Scan(*a), (Objects{{"sns/outbox/1", "a1"}, {"sns/outbox/2", "a2'"}}));
  EXPECT_EQ(Scan(*b, "sns/outbox/"), (Objects{{"sns/outbox/3", "b3"}}));
  EXPECT_EQ(Scan(*a, "sns/outbox/2"), (Objects{{"sns/outbox/2", "a2'"}}));
  EXPECT_TRUE(Scan(shared).empty()) << "owned objects are not shared objects";

  // A delete removes the key whoever owns it (an owner forgetting what it delivered after
  // another node adopted it: both delivered it).
  ASSERT_TRUE(Commit(*b, {Delete("sns/outbox/1"), Delete("sns/outbox/absent")}).ok());
  EXPECT_EQ(Scan(*a), (Objects{{"sns/outbox/2", "a2'"}}));
  EXPECT_TRUE(a->Health().ok());
}

TEST_F(PgOwnedObjectTest, AdoptTakesTheObjectsOfOwnersWithoutALiveLease) {
  auto a = Owner(a_);
  auto b = Owner(b_);
  auto c = Owner(c_);
  HoldLease(a_);
  HoldLease(b_);
  ASSERT_TRUE(Commit(*a, {Put("k/a1", "1"), Put("k/a2", "2")}).ok());
  ASSERT_TRUE(Commit(*b, {Put("k/b1", "3")}).ok());
  ASSERT_TRUE(Commit(*c, {Put("k/c1", "4"), Put("k/c2", "5")}).ok());  // c never held a lease

  EXPECT_EQ(Adopt(*b), (Objects{{"k/c1", "4"}, {"k/c2", "5"}}))
      << "c's (no lease), not a's (live) nor b's own";
  EXPECT_EQ(Scan(*b), (Objects{{"k/b1", "3"}, {"k/c1", "4"}, {"k/c2", "5"}}));
  EXPECT_TRUE(Scan(*c).empty());
  EXPECT_TRUE(Adopt(*b).empty()) << "nothing is adopted twice";
  EXPECT_TRUE(Adopt(*a).empty()) << "b's lease is live";

  // a gives its lease up (a clean stop): its objects go at the next adoption.
  auto released = leases_->Release(std::string(kLeasePrefix) + a_, a_);
  ASSERT_TRUE(released.ok() && *released);
  EXPECT_EQ(Adopt(*b), (Objects{{"k/a1", "1"}, {"k/a2", "2"}}));
  EXPECT_TRUE(Scan(*a).empty());

  // An expired lease counts as gone, as a missing one does.
  HoldLease(c_, 1ms);
  ASSERT_TRUE(Commit(*c, {Put("k/c3", "6")}).ok());
  std::this_thread::sleep_for(20ms);  // the database's clock decides expiry
  EXPECT_EQ(Adopt(*a), (Objects{{"k/c3", "6"}}));
}

TEST_F(PgOwnedObjectTest, ConcurrentAdoptersTakeEachObjectOnce) {
  auto gone = Owner(c_);
  std::vector<Record> records;
  for (int i = 0; i < 300; ++i) records.push_back(Put("k/" + std::to_string(1000 + i), "v"));
  ASSERT_TRUE(Commit(*gone, std::move(records)).ok());
  auto a = Owner(a_);
  auto b = Owner(b_);
  HoldLease(a_);
  HoldLease(b_);
  std::promise<void> go;
  std::shared_future<void> start = go.get_future().share();
  auto adopt = [&](PgObjectStore& store) {
    start.wait();
    return Adopt(store);
  };
  auto by_a = std::async(std::launch::async, adopt, std::ref(*a));
  auto by_b = std::async(std::launch::async, adopt, std::ref(*b));
  go.set_value();
  Objects from_a = by_a.get();
  Objects from_b = by_b.get();
  EXPECT_EQ(from_a.size() + from_b.size(), 300u);
  std::set<std::string> keys;
  for (const auto& [key, value] : from_a) keys.insert(key);
  for (const auto& [key, value] : from_b) keys.insert(key);
  EXPECT_EQ(keys.size(), 300u) << "no object adopted by both";
  EXPECT_EQ(Scan(*a).size(), from_a.size());
  EXPECT_EQ(Scan(*b).size(), from_b.size());
}

TEST_F(PgOwnedObjectTest, SealedValuesAreNotStoredInClearAndOpenOnScanAndAdopt) {
  const std::string body = "a message body no one may read at rest";
  auto a = Owner(a_, KeyOf('k'));
  ASSERT_TRUE(Commit(*a, {Put("sns/outbox/1", body), Put("sns/outbox/2", "")}).ok());
  const std::string raw = Raw("sns/outbox/1");
  EXPECT_EQ(raw.find("no one may read"), std::string::npos) << "stored in clear";
  EXPECT_GT(raw.size(), body.size());
  EXPECT_EQ(Scan(*a), (Objects{{"sns/outbox/1", body}, {"sns/outbox/2", ""}}));

  auto b = Owner(b_, KeyOf('k'));
  HoldLease(b_);
  EXPECT_EQ(Adopt(*b), (Objects{{"sns/outbox/1", body}, {"sns/outbox/2", ""}}));

  // Another key, or a value moved under another key, does not open: an error, not bytes.
  auto other = Owner(b_, KeyOf('x'));
  Objects seen;
  EXPECT_EQ(other->ScanObjects("", [&](auto k, auto v) { seen.emplace_back(k, v); }).error().code,
            StorageErrorCode::kCorruption);
  PG_ASSERT_OK(Run(kRekey, {Param::Bytes("sns/outbox/2"), Param::Bytes("sns/outbox/3")}));
  EXPECT_FALSE(b->ScanObjects("sns/outbox/3", [](auto, auto) {}).ok());
  auto c = Owner(c_, KeyOf('k'));
  HoldLease(c_);
  auto released = leases_->Release(std::string(kLeasePrefix) + b_, b_);
  ASSERT_TRUE(released.ok() && *released);
  EXPECT_EQ(Adopt(*c), (Objects{{"sns/outbox/1", body}}))
      << "the one that does not open is left out";
}

TEST_F(PgOwnedObjectTest, EpochsGrowAndAdoptNeedsAnOwner) {
  auto a = Owner(a_);
  auto b = Owner(b_);
  auto first = a->NewEpoch();
  ASSERT_TRUE(first.ok());
  auto second = b->NewEpoch();
  ASSERT_TRUE(second.ok());
  EXPECT_GT(*second, *first);
  EXPECT_GT(*first, 0);

  PgObjectStore shared(*pool_);
  EXPECT_FALSE(shared.Adopt(kLeasePrefix).ok()) << "the shared objects have no owners";
}

}  // namespace
}  // namespace wharf::storage::pg
