#pragma once

// A histogram with fixed buckets for metrics (docs/metrics.md): the bucket bounds are a
// constexpr array given as a template argument, the counts are relaxed atomics, so observing a
// value costs a short search over the bounds and two atomic adds — no lock, no allocation — and
// any thread may observe while another reads a snapshot. Values are integers in the unit the
// owner picks (microseconds, bytes, records); the exposition scales them (seconds).
//
// A snapshot taken while values are observed may see a value in its bucket but not yet in the
// sum (or the other way round); its count is the sum of its buckets, so the +Inf bucket always
// equals the count, as Prometheus requires.

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <span>
#include <vector>

namespace wharf {

struct HistogramSnapshot {
  std::span<const uint64_t> bounds;  // inclusive upper bounds, increasing
  std::vector<uint64_t> counts;      // per bucket (not cumulative); the last is above every bound
  uint64_t sum = 0;

  uint64_t count() const {
    uint64_t n = 0;
    for (uint64_t c : counts) n += c;
    return n;
  }
  // Adds another snapshot over the same bounds (aggregating several histograms).
  void Add(const HistogramSnapshot& other) {
    if (counts.size() < other.counts.size()) counts.resize(other.counts.size(), 0);
    for (size_t i = 0; i < other.counts.size(); ++i) counts[i] += other.counts[i];
    sum += other.sum;
    if (bounds.empty()) bounds = other.bounds;
  }
};

// `kBounds`: a namespace-scope `constexpr std::array<uint64_t, N>` of increasing bounds. A value
// lands in the first bucket whose bound is >= it (Prometheus `le`), or in the last one.
template <const auto& kBounds>
class Histogram {
 public:
  static constexpr size_t kBuckets = std::size(kBounds) + 1;
  static_assert(std::is_sorted(kBounds.begin(), kBounds.end()));

  void Observe(uint64_t value) {
    const size_t bucket = static_cast<size_t>(
        std::lower_bound(kBounds.begin(), kBounds.end(), value) - kBounds.begin());
    counts_[bucket].fetch_add(1, std::memory_order_relaxed);
    sum_.fetch_add(value, std::memory_order_relaxed);
  }

  HistogramSnapshot Snapshot() const {
    HistogramSnapshot s;
    s.bounds = std::span<const uint64_t>(kBounds.data(), kBounds.size());
    s.counts.resize(kBuckets);
    for (size_t i = 0; i < kBuckets; ++i) s.counts[i] = counts_[i].load(std::memory_order_relaxed);
    s.sum = sum_.load(std::memory_order_relaxed);
    return s;
  }

 private:
  std::array<std::atomic<uint64_t>, kBuckets> counts_{};
  std::atomic<uint64_t> sum_{0};
};

// Bounds shared by several modules. Latencies are in microseconds.
// Request and commit latencies: 100 µs to 25 s (a long poll lasts up to 20 s).
inline constexpr std::array<uint64_t, 17> kLatencyBoundsMicros{
    100,     250,     500,     1'000,     2'500,     5'000,     10'000,     25'000,    50'000,
    100'000, 250'000, 500'000, 1'000'000, 2'500'000, 5'000'000, 10'000'000, 25'000'000};
// Sizes in bytes: 1 KiB to 16 MiB, by powers of four.
inline constexpr std::array<uint64_t, 8> kSizeBoundsBytes{1 << 10, 1 << 12, 1 << 14, 1 << 16,
                                                          1 << 18, 1 << 20, 1 << 22, 1 << 24};

}  // namespace wharf
