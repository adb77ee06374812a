#pragma once

// Counts every AWS request the dispatcher answers: by action (the fixed action table) and by
// error code (the fixed error catalog), with a latency histogram per action. The label sets are
// bounded by construction: (kAllActionCount + 1) actions × (kErrorCodeCount + 1) outcomes, all
// preallocated, so counting is an index into arrays of relaxed atomics — no lock, no map, no
// allocation on the request path.
//
// Threads: Finish() from any thread (I/O threads, the committer answering a gated call);
// snapshots from any thread (a scrape). Lives as long as the dispatcher that uses it.

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>

#include "api/action.h"
#include "api/error.h"
#include "common/clock.h"
#include "common/histogram.h"

namespace wharf::server {

class RequestMetrics {
 public:
  // The slot of requests refused before their action was known (no route, body too large).
  static constexpr size_t kUnrouted = api::kAllActionCount;
  static constexpr size_t kSlots = api::kAllActionCount + 1;
  static size_t SlotOf(api::Action action) { return static_cast<size_t>(action); }

  explicit RequestMetrics(const Clock& clock) : clock_(clock), rows_(new Row[kSlots]) {}

  MonoTime Start() const { return clock_.Now(); }
  // A request answered: `error` empty for a success. Latency runs from `start` to now.
  void Finish(size_t slot, std::optional<api::ErrorCode> error, MonoTime start) {
    Row& row = rows_[slot];
    row.total.fetch_add(1, std::memory_order_relaxed);
    if (error) row.errors[static_cast<size_t>(*error)].fetch_add(1, std::memory_order_relaxed);
    const auto micros =
        std::chrono::duration_cast<std::chrono::microseconds>(clock_.Now() - start).count();
    row.latency.Observe(micros > 0 ? static_cast<uint64_t>(micros) : 0);
  }

  uint64_t total(size_t slot) const { return rows_[slot].total.load(std::memory_order_relaxed); }
  uint64_t errors(size_t slot, api::ErrorCode code) const {
    return rows_[slot].errors[static_cast<size_t>(code)].load(std::memory_order_relaxed);
  }
  HistogramSnapshot latency_micros(size_t slot) const { return rows_[slot].latency.Snapshot(); }

 private:
  struct Row {
    std::atomic<uint64_t> total{0};
    std::array<std::atomic<uint64_t>, api::kErrorCodeCount> errors{};
    Histogram<kLatencyBoundsMicros> latency;
  };

  const Clock& clock_;
  const std::unique_ptr<Row[]> rows_;  // about 120 KiB: on the heap
};

}  // namespace wharf::server
