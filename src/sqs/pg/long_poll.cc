#include "sqs/pg/long_poll.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <unordered_map>
#include <utility>

namespace wharf::sqs::pg {

namespace {

struct Waiter {
  LongPollHub::Receive receive;
  uint64_t order = 0;  // when it started, among this hub's receives: the parked ones keep it
  // The pending re-check; set just after the receive is parked, so a path that takes it in
  // between may cancel nothing (the re-check then finds it not parked, or runs it once more).
  std::atomic<TimerId> timer{0};
};

// Receives that one fetch serves: one, or several of one queue with one share key.
using Batch = std::vector<std::shared_ptr<Waiter>>;

int WantOf(const Batch& batch) {
  int want = 0;
  for (const auto& waiter : batch) want += waiter->receive.want;
  return want;
}

// Moves the parked receives of `list` that share `key` into `batch`, in parking order, while
// the batch's total want stays within kMaxSharedWant. The rest keep their places.
void TakeSharing(std::vector<std::shared_ptr<Waiter>>& list, const std::string& key, Batch& batch) {
  if (key.empty()) return;
  int want = WantOf(batch);
  for (auto it = list.begin(); it != list.end();) {
    const LongPollHub::Receive& r = (*it)->receive;
    if (r.share_key != key || want + r.want > LongPollHub::kMaxSharedWant) {
      ++it;
      continue;
    }
    want += r.want;
    batch.push_back(std::move(*it));
    it = list.erase(it);
  }
}

}  // namespace

// What timers and posted jobs reach through a weak reference, so they do nothing once the hub
// is gone.
struct LongPollHub::Shared : std::enable_shared_from_this<Shared> {
  Shared(const Clock& c, Scheduler& s, WorkerPool& w, Duration r)
      : clock(c), scheduler(s), workers(w), recheck(r) {}

  // A parked receive's re-check: takes it, and every parked receive sharing its key, out of the
  // parked set and runs them (nothing when it is not parked: it is running, or another path
  // took it first).
  void RunIfParked(const std::shared_ptr<Waiter>& waiter) {
    Batch batch;
    {
      std::lock_guard lock(mu);
      auto it = parked.find(waiter->receive.queue_id);
      if (it == parked.end()) return;
      auto& list = it->second;
      auto found = std::find(list.begin(), list.end(), waiter);
      if (found == list.end()) return;
      list.erase(found);
      batch.push_back(waiter);
      TakeSharing(list, waiter->receive.share_key, batch);
      if (list.empty()) parked.erase(it);
    }
    Launch(std::move(batch));
  }

  // Cancels the re-checks of `batch` (taken out of the parked set) and runs it.
  void Launch(Batch batch) {
    for (const auto& waiter : batch) scheduler.Cancel(waiter->timer.load());
    Post(std::move(batch));
  }

  void Post(Batch batch) {
    {
      std::lock_guard lock(mu);
      if (closed) return;
    }
    workers.Post([weak = weak_from_this(), batch = std::move(batch)] {
      if (auto self = weak.lock()) self->Run(batch);
    });
  }

  void Run(const Batch& batch) {
    const int64_t queue_id = batch.front()->receive.queue_id;
    uint64_t generation = 0;
    {
      std::lock_guard lock(mu);
      generation = generations[queue_id];
    }
    const MonoTime now = clock.Now();
    const int want = WantOf(batch);
    fetches.fetch_add(1, std::memory_order_relaxed);
    Messages got = batch.front()->receive.fetch(want);
    if (!got.ok()) {
      for (const auto& waiter : batch) waiter->receive.answer(got.error());
      return;
    }
    std::vector<ReceivedMessage>& messages = *got;
    // Came back full: more may be waiting for the receives still parked.
    const bool full = messages.size() >= static_cast<size_t>(want);
    Batch unanswered;
    size_t next = 0;
    for (const auto& waiter : batch) {
      const size_t take =
          std::min(static_cast<size_t>(waiter->receive.want), messages.size() - next);
      if (take > 0) {
        std::vector<ReceivedMessage> mine(std::make_move_iterator(messages.begin() + next),
                                          std::make_move_iterator(messages.begin() + next + take));
        next += take;
        waiter->receive.answer(std::move(mine));
      } else if (now >= waiter->receive.deadline) {
        waiter->receive.answer(std::vector<ReceivedMessage>{});
      } else {
        unanswered.push_back(waiter);
      }
    }
    Park(queue_id, batch.front()->receive.share_key, std::move(unanswered), generation, full);
  }

  // Parks the receives that found nothing, unless the queue was woken since their fetch
  // started (what woke it may not have been visible to the fetch: they run again at once).
  // After a full fetch the next receives parked with the same key run too.
  void Park(int64_t queue_id, const std::string& key, Batch unanswered, uint64_t generation,
            bool full) {
    bool woken_meanwhile = false;
    Batch more;
    {
      std::lock_guard lock(mu);
      if (closed) return;
      woken_meanwhile = generations[queue_id] != generation;
      if (!woken_meanwhile) {
        // Back in their places: the receive that has waited longest is served first.
        auto& list = parked[queue_id];
        for (const auto& waiter : unanswered) {
          list.insert(
              std::upper_bound(list.begin(), list.end(), waiter,
                               [](const auto& a, const auto& b) { return a->order < b->order; }),
              waiter);
        }
      }
      if (full) {
        auto it = parked.find(queue_id);
        if (it != parked.end()) {
          TakeSharing(it->second, key, more);
          if (it->second.empty()) parked.erase(it);
        }
      }
    }
    if (!more.empty()) Launch(std::move(more));
    if (woken_meanwhile) {
      if (!unanswered.empty()) Post(std::move(unanswered));
      return;
    }
    const MonoTime now = clock.Now();
    for (const auto& waiter : unanswered) {
      const MonoTime next = std::min(waiter->receive.deadline, now + recheck);
      waiter->timer = scheduler.ScheduleAt(next, [weak = weak_from_this(), waiter] {
        if (auto self = weak.lock()) self->RunIfParked(waiter);
      });
    }
  }

  // Runs the parked receives of `queue_id`: one fetch per share key (its first kMaxSharedWant
  // worth; the rest follow if it comes back full) and one per receive that shares nothing.
  void Wake(int64_t queue_id) {
    std::vector<Batch> batches;
    {
      std::lock_guard lock(mu);
      ++generations[queue_id];
      auto it = parked.find(queue_id);
      if (it == parked.end()) return;
      auto& list = it->second;
      std::vector<std::shared_ptr<Waiter>> rest;
      std::vector<std::string> keys_taken;
      for (auto& waiter : list) {
        const std::string& key = waiter->receive.share_key;
        if (key.empty()) {
          batches.push_back(Batch{std::move(waiter)});
        } else if (std::find(keys_taken.begin(), keys_taken.end(), key) == keys_taken.end()) {
          keys_taken.push_back(key);
          batches.push_back(Batch{std::move(waiter)});
        } else {
          rest.push_back(std::move(waiter));
        }
      }
      // The first receive of each key takes its sharers along, in parking order.
      for (Batch& batch : batches) TakeSharing(rest, batch.front()->receive.share_key, batch);
      if (rest.empty()) {
        parked.erase(it);
      } else {
        list = std::move(rest);
      }
    }
    for (Batch& batch : batches) Launch(std::move(batch));
  }

  const Clock& clock;
  Scheduler& scheduler;
  WorkerPool& workers;
  const Duration recheck;
  mutable std::mutex mu;
  // Parked receives per queue, in the order they started.
  std::unordered_map<int64_t, std::vector<std::shared_ptr<Waiter>>> parked;
  // Wake-ups per queue so far. Entries are never removed: one integer per queue ever woken on
  // this node, the size of the catalog.
  std::unordered_map<int64_t, uint64_t> generations;
  bool closed = false;  // Close() was called: nothing parks or runs any more
  std::atomic<uint64_t> fetches{0};
  std::atomic<uint64_t> started{0};
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

void LongPollHub::Start(Receive receive) {
  auto waiter = std::make_shared<Waiter>();
  waiter->receive = std::move(receive);
  waiter->order = shared_->started.fetch_add(1, std::memory_order_relaxed);
  shared_->Post(Batch{std::move(waiter)});
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

uint64_t LongPollHub::fetches() const { return shared_->fetches.load(std::memory_order_relaxed); }

}  // namespace wharf::sqs::pg
