#pragma once

// Runs a task every `interval` on a thread of its own until stopped: the background loops of
// the PostgreSQL mode (the catalog's refresh, the maintenance sweeps, the health sampler, the
// watcher of shared objects) all had the same wait-or-stop loop written out.
//
// The first run is one interval after Start (callers that need one at once run the task
// themselves before); RunSoon brings the next run forward (a notification that something
// changed). Stop() wakes the wait at once, waits for a run in progress to end and
// joins; no run starts after it returns. The destructor stops.
//
// Threading: Start/Stop from the owning thread; the task runs on the periodic thread, one run
// at a time, and must not call Stop.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace wharf {

class PeriodicThread {
 public:
  PeriodicThread() = default;
  PeriodicThread(const PeriodicThread&) = delete;
  PeriodicThread& operator=(const PeriodicThread&) = delete;
  ~PeriodicThread() { Stop(); }

  // Starts the thread, named `name` (common/thread_name.h); at most once per object.
  void Start(std::string name, std::chrono::milliseconds interval, std::function<void()> task);
  void Stop();
  // Runs the task as soon as the thread is free instead of at the end of the current wait;
  // calls made before that run starts are coalesced into it. The interval restarts after it.
  void RunSoon();
  bool running() const { return thread_.joinable(); }

 private:
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mu_
  bool soon_ = false;      // guarded by mu_: RunSoon was called
  std::thread thread_;
};

}  // namespace wharf
