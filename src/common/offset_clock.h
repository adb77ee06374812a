#pragma once

// A clock running ahead of another by an adjustable offset: `wharf serve --test-mode on` gives it
// to STS sessions so that an integration test can let temporary credentials expire
// (POST /_wharf/test/clock?advance_seconds=N) instead of sleeping for 15 minutes. Never used
// outside test mode.
// Thread-safety: every method may be called from any thread.

#include <atomic>
#include <cstdint>

#include "common/clock.h"

namespace wharf {

class OffsetClock final : public Clock {
 public:
  explicit OffsetClock(const Clock& base) : base_(base) {}

  MonoTime Now() const override { return base_.Now() + Millis(offset_ms_.load()); }
  int64_t WallMillis() const override { return base_.WallMillis() + offset_ms_.load(); }

  // Moves this clock forward (only forward: clocks do not run backwards).
  void Advance(int64_t millis) {
    if (millis > 0) offset_ms_.fetch_add(millis);
  }

 private:
  const Clock& base_;
  std::atomic<int64_t> offset_ms_{0};
};

}  // namespace wharf
