#pragma once

// WorkerPool: a fixed set of threads that run the PostgreSQL backend's blocking calls (ADR 0002
// decision 3), so an I/O thread hands a request over and goes on. A request waits in the pool's
// queue, not on a thread; the thread count matches the connection pool, the guard-rail of
// storage.md §4.1 (more threads than connections would only wait on the pool).
//
// Written here rather than taken from Boost.Asio's thread_pool: this library stays free of Asio
// headers and needs only post-and-drain, which is twenty lines with the standard library.
//
// Destruction (or Stop) stops taking work, runs what was queued, and joins the threads.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace wharf::sqs::pg {

class WorkerPool {
 public:
  explicit WorkerPool(size_t threads);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Runs `job` on one of the threads, in posting order as threads free up. After Stop(), jobs
  // are dropped.
  void Post(std::function<void()> job);
  // Stops taking work, runs what was queued and joins the threads; idempotent. For an owner that
  // must drain the pool before what the jobs use goes away.
  void Stop();

  size_t queued() const;
  // True on one of this pool's threads: a caller already there may block on a statement.
  bool OnThisPool() const;

 private:
  void Run();

  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace wharf::sqs::pg
