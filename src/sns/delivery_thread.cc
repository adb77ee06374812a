#include "sns/delivery_thread.h"

#include "common/thread_name.h"

namespace wharf::sns {

DeliveryThread::DeliveryThread()
    : thread_([this] {
        NameThisThread("wharf-sns");
        Run();
      }) {}

DeliveryThread::~DeliveryThread() { Stop(); }

void DeliveryThread::Post(std::function<void()> task) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    tasks_.push_back(std::move(task));
  }
  cv_.notify_one();
}

void DeliveryThread::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void DeliveryThread::Run() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
      if (tasks_.empty()) return;  // stopping, and everything posted before has run
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task();
  }
}

}  // namespace wharf::sns
