#pragma once

// All time in Wharf comes from a Clock so tests can advance a ManualClock instead of sleeping.
// Two readings: a monotonic one for deadlines (visibility, delays, long polls) and a wall-clock
// one for timestamps reported to clients (SentTimestamp, CreatedTimestamp).
// Thread-safety: every Clock may be read from any thread.

#include <chrono>
#include <cstdint>

namespace wharf {

using Duration = std::chrono::nanoseconds;
using MonoTime = std::chrono::time_point<std::chrono::steady_clock, Duration>;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual MonoTime Now() const = 0;
  // Milliseconds since the Unix epoch.
  virtual int64_t WallMillis() const = 0;
};

class SystemClock final : public Clock {
 public:
  MonoTime Now() const override {
    return std::chrono::time_point_cast<Duration>(std::chrono::steady_clock::now());
  }
  int64_t WallMillis() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

inline constexpr Duration Seconds(int64_t s) { return std::chrono::seconds(s); }
inline constexpr Duration Millis(int64_t ms) { return std::chrono::milliseconds(ms); }

}  // namespace wharf
