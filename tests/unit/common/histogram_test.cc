#include "common/histogram.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

// The fixed-bucket histogram behind the metrics (docs/metrics.md): Prometheus `le` placement
// (a value equal to a bound lands in that bound's bucket), the overflow bucket, the sum, and
// snapshots that add up.

namespace wharf {
namespace {

constexpr std::array<uint64_t, 3> kBounds{10, 100, 1000};

TEST(HistogramTest, AValueLandsInTheFirstBucketWhoseBoundIsAtLeastIt) {
  Histogram<kBounds> h;
  for (uint64_t v : {0, 10, 11, 100, 999, 1000, 1001, 5'000'000}) h.Observe(v);
  HistogramSnapshot s = h.Snapshot();
  ASSERT_EQ(s.bounds.size(), 3u);
  EXPECT_EQ(s.counts, (std::vector<uint64_t>{2, 2, 2, 2}));  // ≤10, ≤100, ≤1000, above
  EXPECT_EQ(s.count(), 8u);
  EXPECT_EQ(s.sum, 0u + 10 + 11 + 100 + 999 + 1000 + 1001 + 5'000'000);
}

TEST(HistogramTest, AnEmptyHistogramHasEveryBucketAtZero) {
  Histogram<kBounds> h;
  HistogramSnapshot s = h.Snapshot();
  EXPECT_EQ(s.counts, (std::vector<uint64_t>{0, 0, 0, 0}));
  EXPECT_EQ(s.count(), 0u);
  EXPECT_EQ(s.sum, 0u);
}

TEST(HistogramTest, SnapshotsAddBucketByBucket) {
  Histogram<kBounds> a;
  Histogram<kBounds> b;
  a.Observe(5);
  b.Observe(50);
  b.Observe(5000);
  HistogramSnapshot total;  // empty: takes the other's shape
  total.Add(a.Snapshot());
  total.Add(b.Snapshot());
  EXPECT_EQ(total.bounds.size(), 3u);
  EXPECT_EQ(total.counts, (std::vector<uint64_t>{1, 1, 0, 1}));
  EXPECT_EQ(total.sum, 5055u);
}

TEST(HistogramTest, ConcurrentObserversLoseNothing) {
  Histogram<kLatencyBoundsMicros> h;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&h] {
      for (uint64_t i = 0; i < 10'000; ++i) h.Observe(i);
    });
  }
  for (auto& t : threads) t.join();
  HistogramSnapshot s = h.Snapshot();
  EXPECT_EQ(s.count(), 40'000u);
  EXPECT_EQ(s.sum, 4u * (9'999u * 10'000u / 2));
}

}  // namespace
}  // namespace wharf
