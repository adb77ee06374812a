#include "sns/retry_policy.h"

#include <cmath>

namespace wharf::sns {

Duration RetryDelay(int64_t retry) {
  constexpr int64_t kImmediate = 3;
  constexpr int64_t kPreBackoff = 2;  // 1 s apart
  constexpr int64_t kBackoff = 10;    // 1 s → 20 s
  if (retry <= kImmediate) return Duration::zero();
  if (retry <= kImmediate + kPreBackoff) return Seconds(1);
  if (retry <= kImmediate + kPreBackoff + kBackoff) {
    // Geometric from 1 s (first backoff retry) to 20 s (tenth).
    const double step = static_cast<double>(retry - kImmediate - kPreBackoff - 1) / (kBackoff - 1);
    return Millis(static_cast<int64_t>(std::llround(1000.0 * std::pow(20.0, step))));
  }
  return Seconds(20);
}

}  // namespace wharf::sns
