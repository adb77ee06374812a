#include "bench/fifo.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace wharf::bench {
namespace {

std::vector<std::string> Groups(std::span<const FifoIds> ids) {
  std::vector<std::string> out;
  for (const FifoIds& id : ids) out.emplace_back(id.group_id);
  return out;
}

TEST(FifoSequenceTest, GroupsGoRoundRobinFromTheFirstPosition) {
  FifoSequence seq(3, 4);  // starts at 4 mod 3 = g1
  EXPECT_EQ(Groups(seq.Next(4)), (std::vector<std::string>{"g1", "g2", "g0", "g1"}));
  EXPECT_EQ(Groups(seq.Next(1)), (std::vector<std::string>{"g2"}));
  EXPECT_EQ(Groups(seq.Next(2)), (std::vector<std::string>{"g0", "g1"}));
}

TEST(FifoSequenceTest, OneGroup) {
  FifoSequence seq(1, 7);
  EXPECT_EQ(Groups(seq.Next(3)), (std::vector<std::string>{"g0", "g0", "g0"}));
}

TEST(FifoSequenceTest, DeduplicationIdsAreUniqueAndValid) {
  FifoSequence a(10, 0);
  FifoSequence b(10, 0);
  std::set<std::string> seen;
  for (int round = 0; round < 100; ++round) {
    for (FifoSequence* seq : {&a, &b}) {
      for (const FifoIds& id : seq->Next(10)) {
        const std::string dedup(id.deduplication_id);
        EXPECT_TRUE(seen.insert(dedup).second) << dedup;
        ASSERT_GE(dedup.size(), 1u);
        ASSERT_LE(dedup.size(), 128u);
        for (char c : dedup) EXPECT_TRUE(c > 0x20 && c < 0x7f) << dedup;
      }
    }
  }
  EXPECT_EQ(seen.size(), 2000u);
}

TEST(FifoSequenceTest, BatchSizeIsClamped) {
  FifoSequence seq(100, 0);
  EXPECT_EQ(seq.Next(25).size(), 10u);
  EXPECT_EQ(seq.Next(0).size(), 1u);
}

}  // namespace
}  // namespace wharf::bench
