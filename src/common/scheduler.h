#pragma once

// Runs callbacks at a monotonic time. The queue engine uses it to end long polls and to wake
// parked receivers when a visibility timeout or a delay runs out. Production uses
// ThreadScheduler (one timer thread); tests use ManualClock, which runs due callbacks when the
// test advances time.
//
// A callback may run on any thread; it must take whatever lock it needs. Cancel() is
// best-effort: a callback that is already running may still finish, so callbacks must check
// that what they act on is still current (the engine uses ids for that).

#include <cstdint>
#include <functional>

#include "common/clock.h"

namespace wharf {

using TimerId = uint64_t;

class Scheduler {
 public:
  virtual ~Scheduler() = default;
  virtual TimerId ScheduleAt(MonoTime when, std::function<void()> fn) = 0;
  virtual void Cancel(TimerId id) = 0;
};

}  // namespace wharf
