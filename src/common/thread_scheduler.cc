#include "common/thread_scheduler.h"

#include "common/thread_name.h"

namespace wharf {

ThreadScheduler::ThreadScheduler(const Clock& clock) : clock_(clock) {
  thread_ = std::thread([this] {
    NameThisThread("wharf-timers");
    Run();
  });
}

ThreadScheduler::~ThreadScheduler() { Stop(); }

void ThreadScheduler::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  // Destroy the pending callbacks outside the lock: they may own objects whose destructors
  // schedule or cancel timers.
  std::map<std::pair<MonoTime, TimerId>, std::function<void()>> timers;
  {
    std::lock_guard lock(mu_);
    timers.swap(timers_);
    deadline_of_.clear();
  }
}

TimerId ThreadScheduler::ScheduleAt(MonoTime when, std::function<void()> fn) {
  TimerId id;
  bool earliest;
  {
    std::lock_guard lock(mu_);
    id = ++next_id_;
    if (stopping_) return id;  // never runs: the scheduler is shutting down
    timers_.emplace(std::make_pair(when, id), std::move(fn));
    deadline_of_.emplace(id, when);
    earliest = timers_.begin()->first.second == id;
  }
  if (earliest) cv_.notify_one();
  return id;
}

void ThreadScheduler::Cancel(TimerId id) {
  std::lock_guard lock(mu_);
  auto it = deadline_of_.find(id);
  if (it == deadline_of_.end()) return;
  timers_.erase(std::make_pair(it->second, id));
  deadline_of_.erase(it);
}

void ThreadScheduler::Run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    if (timers_.empty()) {
      cv_.wait(lock);
      continue;
    }
    MonoTime next = timers_.begin()->first.first;
    MonoTime now = clock_.Now();
    if (next > now) {
      // The clock is monotonic, so waiting for the difference on steady_clock is exact enough.
      cv_.wait_for(lock, next - now);
      continue;
    }
    auto it = timers_.begin();
    std::function<void()> fn = std::move(it->second);
    deadline_of_.erase(it->first.second);
    timers_.erase(it);
    lock.unlock();
    fn();
    lock.lock();
  }
}

}  // namespace wharf
