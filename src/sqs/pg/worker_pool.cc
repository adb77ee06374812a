#include "sqs/pg/worker_pool.h"

#include <utility>

#include "common/thread_name.h"

namespace wharf::sqs::pg {
namespace {
// The pool whose thread this is (null on every other thread).
thread_local const WorkerPool* current_pool = nullptr;
}  // namespace

WorkerPool::WorkerPool(size_t threads) {
  threads_.reserve(threads);
  for (size_t i = 0; i < threads; ++i) {
    threads_.emplace_back([this] {
      NameThisThread("wharf-pg-work");
      Run();
    });
  }
}

WorkerPool::~WorkerPool() { Stop(); }

void WorkerPool::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

void WorkerPool::Post(std::function<void()> job) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    jobs_.push_back(std::move(job));
  }
  wake_.notify_one();
}

size_t WorkerPool::queued() const {
  std::lock_guard lock(mu_);
  return jobs_.size();
}

bool WorkerPool::OnThisPool() const { return current_pool == this; }

void WorkerPool::Run() {
  current_pool = this;
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      // Queued jobs still run when stopping: each carries a request that must be answered.
      if (jobs_.empty()) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    job();
  }
}

}  // namespace wharf::sqs::pg
