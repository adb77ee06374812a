#pragma once

// How many bytes of message bodies the engine keeps in memory, across all queues. Beyond the
// budget, new (and recovered) messages keep only their metadata in memory and their body on
// disk; a receive reads those bodies back through the store (storage.md §6.2: backlogs much
// larger than memory are a goal). Thread-safe.

#include <atomic>
#include <cstdint>

namespace wharf::sqs {

class BodyBudget {
 public:
  explicit BodyBudget(int64_t limit_bytes) : limit_(limit_bytes) {}

  // Reserves room for a body of `bytes`; false when the budget is spent (keep it on disk).
  bool TryReserve(int64_t bytes) {
    int64_t used = used_.load(std::memory_order_relaxed);
    do {
      if (used + bytes > limit_) return false;
    } while (!used_.compare_exchange_weak(used, used + bytes, std::memory_order_relaxed));
    return true;
  }
  void Release(int64_t bytes) { used_.fetch_sub(bytes, std::memory_order_relaxed); }

  int64_t used() const { return used_.load(std::memory_order_relaxed); }
  int64_t limit() const { return limit_; }

 private:
  const int64_t limit_;
  std::atomic<int64_t> used_{0};
};

}  // namespace wharf::sqs
