#include "common/periodic_thread.h"

#include <cassert>
#include <utility>

namespace wharf {

void PeriodicThread::Start(std::chrono::milliseconds interval, std::function<void()> task) {
  assert(!thread_.joinable());
  thread_ = std::thread([this, interval, task = std::move(task)] {
    std::unique_lock lock(mu_);
    for (;;) {
      wake_.wait_for(lock, interval, [this] { return stopping_ || soon_; });
      if (stopping_) return;
      soon_ = false;
      lock.unlock();
      task();
      lock.lock();
    }
  });
}

void PeriodicThread::RunSoon() {
  {
    std::lock_guard lock(mu_);
    soon_ = true;
  }
  wake_.notify_all();
}

void PeriodicThread::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace wharf
