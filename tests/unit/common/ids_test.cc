#include "common/ids.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

namespace wharf {
namespace {

bool IsLowerHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

// RFC 4122 layout: 8-4-4-4-12 lower-case hex, version nibble 4, variant bits 10.
void ExpectUuidV4(const std::string& id) {
  ASSERT_EQ(id.size(), 36u) << id;
  for (size_t i = 0; i < id.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      EXPECT_EQ(id[i], '-') << id << " at " << i;
    } else {
      EXPECT_TRUE(IsLowerHex(id[i])) << id << " at " << i;
    }
  }
  EXPECT_EQ(id[14], '4') << id;
  EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos) << id;
}

TEST(NewUuidTest, HasVersion4Layout) {
  for (int i = 0; i < 1000; ++i) ExpectUuidV4(NewUuid());
}

TEST(NewUuidTest, AllVariantNibblesAndRandomPositionsOccur) {
  std::unordered_set<char> variants;
  std::unordered_set<char> first_chars;
  for (int i = 0; i < 2000; ++i) {
    std::string id = NewUuid();
    variants.insert(id[19]);
    first_chars.insert(id[0]);
  }
  EXPECT_EQ(variants.size(), 4u);      // 8, 9, a, b: the two low variant bits are random
  EXPECT_EQ(first_chars.size(), 16u);  // the random part really is random
}

TEST(NewUuidTest, UniqueOver10k) {
  std::unordered_set<std::string> seen;
  for (int i = 0; i < 10'000; ++i) EXPECT_TRUE(seen.insert(NewUuid()).second);
}

TEST(NewUuidTest, UniqueAcrossThreads) {
  // Each thread has its own generator; they must not be seeded alike.
  constexpr int kThreads = 4;
  constexpr int kPerThread = 2'500;
  std::vector<std::vector<std::string>> ids(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&ids, t] {
      for (int i = 0; i < kPerThread; ++i) ids[t].push_back(NewUuid());
    });
  }
  for (auto& th : threads) th.join();
  std::unordered_set<std::string> seen;
  for (const auto& list : ids) {
    for (const auto& id : list) EXPECT_TRUE(seen.insert(id).second) << id;
  }
  EXPECT_EQ(seen.size(), static_cast<size_t>(kThreads * kPerThread));
}

TEST(RandomU64Test, EveryBitVaries) {
  uint64_t any_one = 0;
  uint64_t all_ones = ~uint64_t{0};
  std::unordered_set<uint64_t> seen;
  for (int i = 0; i < 1000; ++i) {
    uint64_t v = RandomU64();
    any_one |= v;
    all_ones &= v;
    seen.insert(v);
  }
  EXPECT_EQ(any_one, ~uint64_t{0});
  EXPECT_EQ(all_ones, 0u);
  EXPECT_EQ(seen.size(), 1000u);
}

}  // namespace
}  // namespace wharf
