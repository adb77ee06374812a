#pragma once

// A log-linear latency histogram in the manner of HdrHistogram: values below 2^(kSubBits+1)
// have a bucket each, and every further power of two is split into 2^kSubBits equal buckets, so
// a reported percentile is within 1/2^kSubBits (0.8%) of the true value. Recording is an index
// computation and an increment; the bucket array is allocated on the first Record and never
// again, so recording allocates nothing on the hot path.
// Thread-safety: none; keep one per thread and Merge them afterwards.

#include <cstdint>
#include <vector>

namespace wharf::bench {

class Histogram {
 public:
  static constexpr int kSubBits = 7;

  void Record(uint64_t value) {
    if (buckets_.empty()) buckets_.assign(kBucketCount, 0);
    ++buckets_[BucketOf(value)];
    ++count_;
    if (value > max_) max_ = value;
    if (value < min_) min_ = value;
  }
  void Merge(const Histogram& other);
  void Clear();

  uint64_t count() const { return count_; }
  uint64_t max() const { return max_; }
  uint64_t min() const { return count_ == 0 ? 0 : min_; }
  // The value at percentile `p` (0..100): the highest value of the bucket holding that rank,
  // capped at the recorded maximum. 0 when empty.
  uint64_t Percentile(double p) const;

  // Exposed for tests.
  static uint32_t BucketOf(uint64_t value) {
    if (value < (uint64_t{2} << kSubBits)) return static_cast<uint32_t>(value);
    const int msb = 63 - __builtin_clzll(value);
    const int shift = msb - kSubBits;
    return static_cast<uint32_t>(((shift + 1) << kSubBits) +
                                 ((value >> shift) - (uint64_t{1} << kSubBits)));
  }
  static uint64_t HighestOf(uint32_t bucket);

 private:
  static constexpr uint32_t kBucketCount = (64 - kSubBits + 1) << kSubBits;

  std::vector<uint64_t> buckets_;
  uint64_t count_ = 0;
  uint64_t max_ = 0;
  uint64_t min_ = UINT64_MAX;
};

}  // namespace wharf::bench
