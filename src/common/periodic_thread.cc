#include "common/periodic_thread.h"

#include <cassert>
#include <utility>

#include "common/thread_name.h"

namespace wharf {

void PeriodicThread::Start(std::string name, std::chrono::milliseconds interval,
                           std::function<void()> task) {
  assert(!thread_.joinable());
  thread_ = std::thread([this, name = std::move(name), interval, task = std::move(task)] {
    NameThisThread(name);
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
