#pragma once

// Scheduler backed by one timer thread. Callbacks run on that thread, one at a time, so they
// must be short (the engine's callbacks take one queue lock and hand responses to the network
// layer, which writes them on the connection's own thread).

#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "common/clock.h"
#include "common/scheduler.h"

namespace wharf {

class ThreadScheduler final : public Scheduler {
 public:
  explicit ThreadScheduler(const Clock& clock);
  ~ThreadScheduler() override;
  ThreadScheduler(const ThreadScheduler&) = delete;
  ThreadScheduler& operator=(const ThreadScheduler&) = delete;

  TimerId ScheduleAt(MonoTime when, std::function<void()> fn) override;
  void Cancel(TimerId id) override;
  // Stops the thread; pending timers are dropped. Idempotent.
  void Stop();

 private:
  void Run();

  const Clock& clock_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  TimerId next_id_ = 0;
  std::map<std::pair<MonoTime, TimerId>, std::function<void()>> timers_;
  std::unordered_map<TimerId, MonoTime> deadline_of_;
  std::thread thread_;
};

}  // namespace wharf
