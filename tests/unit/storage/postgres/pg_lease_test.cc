// PgLeases (storage/postgres/leases.h): kHoldLease and kReleaseLease against a real PostgreSQL.
// A lease is taken when missing, renewed by its holder, refused to others while live, taken by
// another node once expired, given up only by its holder, and of several nodes taking one at the
// same instant exactly one gets it. Every test uses names of its own in the shared database.

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "common/ids.h"
#include "pg_test_support.h"
#include "storage/postgres/leases.h"
#include "storage/postgres/statements.h"

namespace wharf::storage::pg {
namespace {

using namespace std::chrono_literals;

constexpr Statement kLeaseRow{
    "test_lease_row", "SELECT node_id::text, expires_at > now() FROM lease WHERE name = $1", 1};

class PgLeaseTest : public testing::PgOpsTest {
 protected:
  void SetUp() override {
    testing::PgOpsTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    leases_ = std::make_unique<PgLeases>(*pool_);
  }

  bool Hold(const std::string& name, const std::string& node, std::chrono::milliseconds ttl) {
    auto held = leases_->Hold(name, node, ttl);
    EXPECT_TRUE(held.ok()) << (held.ok() ? "" : testing::Describe(held.error()));
    return held.ok() && *held;
  }
  // (holder, live) of the row, or ("", false) when there is none.
  std::pair<std::string, bool> Row(const std::string& name) {
    auto conn = pool_->Acquire(5s);
    EXPECT_TRUE(conn.ok());
    if (!conn.ok()) return {};
    auto rows = (*conn)->Execute(kLeaseRow, {Param::Text(name)});
    EXPECT_TRUE(rows.ok()) << (rows.ok() ? "" : testing::Describe(rows.error()));
    if (!rows.ok() || rows->size() == 0) return {"", false};
    return {std::string(rows->Text(0, 0)), rows->Text(0, 1) == "t"};
  }

  const std::string name_ = "test:" + NewUuid();
  const std::string node_a_ = NewUuid();
  const std::string node_b_ = NewUuid();
  std::unique_ptr<PgLeases> leases_;
};

TEST_F(PgLeaseTest, TheHolderRenewsAndOthersAreRefusedWhileItIsLive) {
  EXPECT_TRUE(Hold(name_, node_a_, 30s)) << "a missing lease is taken";
  EXPECT_EQ(Row(name_), std::make_pair(node_a_, true));
  EXPECT_FALSE(Hold(name_, node_b_, 30s)) << "another node's live lease";
  EXPECT_EQ(Row(name_), std::make_pair(node_a_, true)) << "a refused take changes nothing";
  EXPECT_TRUE(Hold(name_, node_a_, 30s)) << "the holder renews";
}

TEST_F(PgLeaseTest, AnExpiredLeaseIsTakenByAnotherNodeAndLostByItsFormerHolder) {
  ASSERT_TRUE(Hold(name_, node_a_, 200ms));
  EXPECT_FALSE(Hold(name_, node_b_, 30s));
  std::this_thread::sleep_for(400ms);  // database time: the expiry is its now() + 200 ms
  EXPECT_EQ(Row(name_), std::make_pair(node_a_, false));
  EXPECT_TRUE(Hold(name_, node_b_, 30s)) << "taken over once expired";
  EXPECT_EQ(Row(name_), std::make_pair(node_b_, true));
  EXPECT_FALSE(Hold(name_, node_a_, 30s)) << "the former holder cannot renew what it lost";
}

TEST_F(PgLeaseTest, OnlyTheHolderReleases) {
  ASSERT_TRUE(Hold(name_, node_a_, 30s));
  auto by_other = leases_->Release(name_, node_b_);
  ASSERT_TRUE(by_other.ok());
  EXPECT_FALSE(*by_other);
  EXPECT_FALSE(Hold(name_, node_b_, 30s)) << "still a's";
  auto by_holder = leases_->Release(name_, node_a_);
  ASSERT_TRUE(by_holder.ok());
  EXPECT_TRUE(*by_holder);
  EXPECT_EQ(Row(name_).first, "");
  EXPECT_TRUE(Hold(name_, node_b_, 30s)) << "free again at once";
}

TEST_F(PgLeaseTest, OfNodesTakingOneLeaseAtOnceExactlyOneGetsIt) {
  for (int round = 0; round < 5; ++round) {
    const std::string name = name_ + "-" + std::to_string(round);
    std::atomic<int> got{0};
    std::atomic<int> failed{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> nodes;
    for (int i = 0; i < 6; ++i) {
      nodes.emplace_back([&, node = NewUuid()] {
        while (!go.load()) std::this_thread::yield();
        auto held = leases_->Hold(name, node, 30s);
        if (!held.ok()) {
          ++failed;
        } else if (*held) {
          ++got;
        }
      });
    }
    go = true;
    for (auto& t : nodes) t.join();
    EXPECT_EQ(failed.load(), 0);
    EXPECT_EQ(got.load(), 1) << "round " << round;
  }
}

}  // namespace
}  // namespace wharf::storage::pg
