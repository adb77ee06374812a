#include "bench/histogram.h"

#include <algorithm>
#include <cmath>

namespace wharf::bench {

uint64_t Histogram::HighestOf(uint32_t bucket) {
  if (bucket < (uint32_t{2} << kSubBits)) return bucket;
  const int shift = static_cast<int>(bucket >> kSubBits) - 1;
  const uint64_t mantissa = (bucket & ((uint32_t{1} << kSubBits) - 1)) + (uint64_t{1} << kSubBits);
  const uint64_t next = (mantissa + 1) << shift;
  return next - 1;
}

void Histogram::Merge(const Histogram& other) {
  if (other.count_ == 0) return;
  if (buckets_.empty()) buckets_.assign(kBucketCount, 0);
  for (uint32_t i = 0; i < kBucketCount; ++i) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
  max_ = std::max(max_, other.max_);
  min_ = std::min(min_, other.min_);
}

void Histogram::Clear() {
  std::fill(buckets_.begin(), buckets_.end(), 0);
  count_ = 0;
  max_ = 0;
  min_ = UINT64_MAX;
}

uint64_t Histogram::Percentile(double p) const {
  if (count_ == 0) return 0;
  p = std::clamp(p, 0.0, 100.0);
  // The rank (1-based) of the sample at percentile p.
  const uint64_t rank = std::max<uint64_t>(
      1, static_cast<uint64_t>(std::ceil(p / 100.0 * static_cast<double>(count_))));
  uint64_t seen = 0;
  for (uint32_t i = 0; i < kBucketCount; ++i) {
    seen += buckets_[i];
    if (seen >= rank) return std::min(HighestOf(i), max_);
  }
  return max_;
}

}  // namespace wharf::bench
