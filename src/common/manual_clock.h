#pragma once

// A Clock and Scheduler for tests: time moves only when the test calls Advance(), which runs
// every timer that has come due, in deadline order, on the calling thread.

#include <map>
#include <mutex>
#include <utility>

#include "common/clock.h"
#include "common/scheduler.h"

namespace wharf {

class ManualClock final : public Clock, public Scheduler {
 public:
  explicit ManualClock(int64_t wall_millis = 1'700'000'000'000) : wall_start_(wall_millis) {}

  MonoTime Now() const override {
    std::lock_guard lock(mu_);
    return now_;
  }
  int64_t WallMillis() const override {
    std::lock_guard lock(mu_);
    return wall_start_ +
           std::chrono::duration_cast<std::chrono::milliseconds>(now_.time_since_epoch()).count();
  }

  TimerId ScheduleAt(MonoTime when, std::function<void()> fn) override {
    std::lock_guard lock(mu_);
    TimerId id = ++next_id_;
    timers_.emplace(std::make_pair(when, id), std::move(fn));
    return id;
  }
  void Cancel(TimerId id) override {
    std::lock_guard lock(mu_);
    for (auto it = timers_.begin(); it != timers_.end(); ++it) {
      if (it->first.second == id) {
        timers_.erase(it);
        return;
      }
    }
  }

  // Moves time forward by `d`, running due timers (each at its own deadline) as it goes.
  void Advance(Duration d) {
    MonoTime target;
    {
      std::lock_guard lock(mu_);
      target = now_ + d;
    }
    for (;;) {
      std::function<void()> fn;
      {
        std::lock_guard lock(mu_);
        if (timers_.empty() || timers_.begin()->first.first > target) {
          now_ = std::max(now_, target);  // a callback may have advanced past target
          return;
        }
        auto it = timers_.begin();
        now_ = std::max(now_, it->first.first);
        fn = std::move(it->second);
        timers_.erase(it);
      }
      fn();
    }
  }

  size_t pending_timers() const {
    std::lock_guard lock(mu_);
    return timers_.size();
  }

 private:
  mutable std::mutex mu_;
  MonoTime now_{};
  int64_t wall_start_;
  TimerId next_id_ = 0;
  std::map<std::pair<MonoTime, TimerId>, std::function<void()>> timers_;
};

}  // namespace wharf
