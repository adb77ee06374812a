#include "sqs/pg/long_poll.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

namespace wharf::sqs::pg {

namespace {

struct Waiter {
  int64_t queue_id = 0;
  MonoTime deadline;
  LongPollHub::Attempt attempt;
  uint64_t generation = 0;  // the queue's wake generation when its last receive started
  // The pending re-check; set just after the waiter is parked, so a path that takes the waiter
  // in between may cancel nothing (the re-check then finds it not parked, or runs it once more).
  std::atomic<TimerId> timer{0};
};

}  // namespace

// What timers and posted jobs reach through a weak reference, so they do nothing once the hub
// is gone.
struct LongPollHub::Shared : std::enable_shared_from_this<Shared> {
  Shared(const Clock& c, Scheduler& s, WorkerPool& w, Duration r)
      : clock(c), scheduler(s), workers(w), recheck(r) {}

  // Takes `waiter` out of the parked set (false when it is not parked: it is running, or
  // another path took it first), then runs its receive on a worker.
  void RunIfParked(const std::shared_ptr<Waiter>& waiter) {
    {
      std::lock_guard lock(mu);
      auto it = parked.find(waiter->queue_id);
      if (it == parked.end()) return;
      auto& list = it->second;
      auto found = std::find(list.begin(), list.end(), waiter);
      if (found == list.end()) return;
      list.erase(found);
      if (list.empty()) parked.erase(it);
    }
    scheduler.Cancel(waiter->timer.load());
    Post(waiter);
  }

  void Post(std::shared_ptr<Waiter> waiter) {
    {
      std::lock_guard lock(mu);
      if (closed) return;
    }
    workers.Post([weak = weak_from_this(), waiter = std::move(waiter)] {
      if (auto self = weak.lock()) self->Run(waiter);
    });
  }

  void Run(const std::shared_ptr<Waiter>& waiter) {
    {
      std::lock_guard lock(mu);
      waiter->generation = generations[waiter->queue_id];
    }
    const bool last = clock.Now() >= waiter->deadline;
    if (waiter->attempt(last)) return;
    Park(waiter);
  }

  void Park(const std::shared_ptr<Waiter>& waiter) {
    bool woken_meanwhile = false;
    {
      std::lock_guard lock(mu);
      // Woken while its receive ran: what woke it may not have been visible to that receive.
      if (closed) return;
      woken_meanwhile = generations[waiter->queue_id] != waiter->generation;
      if (!woken_meanwhile) parked[waiter->queue_id].push_back(waiter);
    }
    if (woken_meanwhile) return Post(waiter);
    const MonoTime next = std::min(waiter->deadline, clock.Now() + recheck);
    waiter->timer = scheduler.ScheduleAt(next, [weak = weak_from_this(), waiter] {
      if (auto self = weak.lock()) self->RunIfParked(waiter);
    });
  }

  void Wake(int64_t queue_id) {
    std::vector<std::shared_ptr<Waiter>> woken;
    {
      std::lock_guard lock(mu);
      ++generations[queue_id];
      auto it = parked.find(queue_id);
      if (it == parked.end()) return;
      woken = std::move(it->second);
      parked.erase(it);
    }
    for (const auto& waiter : woken) {
      scheduler.Cancel(waiter->timer.load());
      Post(waiter);
    }
  }

  const Clock& clock;
  Scheduler& scheduler;
  WorkerPool& workers;
  const Duration recheck;
  mutable std::mutex mu;
  std::unordered_map<int64_t, std::vector<std::shared_ptr<Waiter>>> parked;
  // Wake-ups per queue so far. Entries are never removed: one integer per queue ever woken on
  // this node, the size of the catalog.
  std::unordered_map<int64_t, uint64_t> generations;
  bool closed = false;  // Close() was called: nothing parks or runs any more
};

LongPollHub::LongPollHub(const Clock& clock, Scheduler& scheduler, WorkerPool& workers,
                         Duration recheck)
    : shared_(std::make_shared<Shared>(clock, scheduler, workers, recheck)) {}

LongPollHub::~LongPollHub() { Close(); }

void LongPollHub::Close() {
  std::vector<TimerId> timers;
  {
    std::lock_guard lock(shared_->mu);
    shared_->closed = true;
    for (auto& [queue_id, list] : shared_->parked) {
      for (auto& waiter : list) timers.push_back(waiter->timer.load());
    }
    shared_->parked.clear();
  }
  for (TimerId timer : timers) shared_->scheduler.Cancel(timer);
}

void LongPollHub::Start(int64_t queue_id, MonoTime deadline, Attempt attempt) {
  auto waiter = std::make_shared<Waiter>();
  waiter->queue_id = queue_id;
  waiter->deadline = deadline;
  waiter->attempt = std::move(attempt);
  shared_->Post(std::move(waiter));
}

void LongPollHub::Wake(int64_t queue_id) { shared_->Wake(queue_id); }

void LongPollHub::WakeAll() {
  std::vector<int64_t> queues;
  {
    std::lock_guard lock(shared_->mu);
    for (const auto& [queue_id, list] : shared_->parked) queues.push_back(queue_id);
  }
  for (int64_t queue_id : queues) shared_->Wake(queue_id);
}

size_t LongPollHub::parked() const {
  std::lock_guard lock(shared_->mu);
  size_t count = 0;
  for (const auto& [queue_id, list] : shared_->parked) count += list.size();
  return count;
}

}  // namespace wharf::sqs::pg
