#include "bench/histogram.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace wharf::bench {
namespace {

// Within the histogram's precision: one part in 2^kSubBits.
void ExpectNear(uint64_t actual, uint64_t expected) {
  const double tolerance = static_cast<double>(expected) / (1 << Histogram::kSubBits) + 1;
  EXPECT_NEAR(static_cast<double>(actual), static_cast<double>(expected), tolerance)
      << "expected about " << expected;
}

TEST(HistogramTest, EmptyReportsZero) {
  Histogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.Percentile(50), 0u);
  EXPECT_EQ(h.max(), 0u);
}

TEST(HistogramTest, SmallValuesAreExact) {
  Histogram h;
  for (uint64_t v = 1; v <= 100; ++v) h.Record(v);
  EXPECT_EQ(h.Percentile(50), 50u);
  EXPECT_EQ(h.Percentile(90), 90u);
  EXPECT_EQ(h.Percentile(99), 99u);
  EXPECT_EQ(h.Percentile(100), 100u);
  EXPECT_EQ(h.min(), 1u);
  EXPECT_EQ(h.max(), 100u);
}

TEST(HistogramTest, PercentilesOfAUniformRange) {
  Histogram h;
  // 1 µs .. 100 ms in nanoseconds, 100'000 samples.
  for (uint64_t i = 1; i <= 100'000; ++i) h.Record(i * 1'000);
  EXPECT_EQ(h.count(), 100'000u);
  ExpectNear(h.Percentile(50), 50'000'000);
  ExpectNear(h.Percentile(90), 90'000'000);
  ExpectNear(h.Percentile(99), 99'000'000);
  ExpectNear(h.Percentile(99.9), 99'900'000);
  EXPECT_EQ(h.Percentile(100), 100'000'000u);
  EXPECT_EQ(h.max(), 100'000'000u);
}

TEST(HistogramTest, TailOfASkewedDistribution) {
  Histogram h;
  for (int i = 0; i < 990; ++i) h.Record(1'000'000);  // 1 ms
  for (int i = 0; i < 10; ++i) h.Record(50'000'000);  // 50 ms
  ExpectNear(h.Percentile(50), 1'000'000);
  ExpectNear(h.Percentile(99), 1'000'000);
  ExpectNear(h.Percentile(99.9), 50'000'000);
  EXPECT_EQ(h.max(), 50'000'000u);
}

TEST(HistogramTest, BucketsCoverEveryValueContiguously) {
  for (uint64_t v : {uint64_t{0}, uint64_t{255}, uint64_t{256}, uint64_t{1} << 20,
                     (uint64_t{1} << 40) + 12345, UINT64_MAX}) {
    const uint32_t b = Histogram::BucketOf(v);
    EXPECT_GE(Histogram::HighestOf(b), v);
    if (b > 0) {
      EXPECT_LT(Histogram::HighestOf(b - 1), v);
    }
  }
  for (uint64_t v = 0; v < 100'000; ++v) {
    ASSERT_LE(Histogram::BucketOf(v), Histogram::BucketOf(v + 1));
    ASSERT_LE(Histogram::BucketOf(v + 1) - Histogram::BucketOf(v), 1u);
  }
}

TEST(HistogramTest, MergeAddsCounts) {
  Histogram a, b;
  for (int i = 0; i < 100; ++i) a.Record(1'000);
  for (int i = 0; i < 100; ++i) b.Record(3'000);
  a.Merge(b);
  EXPECT_EQ(a.count(), 200u);
  ExpectNear(a.Percentile(25), 1'000);
  ExpectNear(a.Percentile(75), 3'000);
  EXPECT_EQ(a.max(), 3'000u);
  a.Clear();
  EXPECT_EQ(a.count(), 0u);
}

}  // namespace
}  // namespace wharf::bench
