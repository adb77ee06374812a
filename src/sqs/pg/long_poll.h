#pragma once

// Long polling for the PostgreSQL backend (ADR 0002 decision 5, first cut). A receive that may
// wait runs here: at once on a worker, and when it finds nothing it parks; it runs again when
//   - a send to its queue committed on this node (Wake from PgQueue::Send),
//   - another node's send committed (Wake from the node's LISTEN on sqs_wake, after commit),
//   - its periodic re-check comes (`recheck`, capped at the wait's end): messages also become
//     visible by time alone (a delay or a visibility timeout ends), and a notification can be
//     lost, so correctness rests on the re-check, never on a notification (storage.md §5.4),
//   - or its wait ends: then it answers whatever it finds, usually nothing.
// A wake-up that arrives while a waiter is running its receive is not lost: each queue has a
// wake generation, and a waiter whose receive started before the latest wake-up runs again at
// once instead of parking.
//
// Each waiter runs its own receive (no shared fetcher yet): with many waiters on one queue a
// wake-up costs one receive each. The fetcher that receives once for all of them is the next
// step (ADR 0002 decision 5).
//
// Threading: every method from any thread; attempts run on the worker pool. After Close() (or
// destruction) nothing parks or runs: timers that still fire hold only a weak reference, and
// waiters still parked are dropped unanswered (the server has stopped serving by then). Close
// before the worker pool is destroyed, destroy after it (queued jobs may still call Wake).

#include <cstdint>
#include <functional>
#include <memory>

#include "common/clock.h"
#include "common/scheduler.h"
#include "sqs/pg/worker_pool.h"

namespace wharf::sqs::pg {

class LongPollHub {
 public:
  // Runs one receive on a worker thread. `last`: the wait is over, answer even with nothing.
  // Returns true when it answered its caller (messages found, an error, or `last`).
  using Attempt = std::function<bool(bool last)>;

  LongPollHub(const Clock& clock, Scheduler& scheduler, WorkerPool& workers, Duration recheck);
  ~LongPollHub();
  LongPollHub(const LongPollHub&) = delete;
  LongPollHub& operator=(const LongPollHub&) = delete;

  // Runs `attempt` on a worker now, and again as described above until it answers; the one at
  // or after `deadline` gets `last`.
  void Start(int64_t queue_id, MonoTime deadline, Attempt attempt);
  // Something may have become receivable in `queue_id`: its waiters run again now.
  void Wake(int64_t queue_id);
  // Every waiter runs again (the LISTEN connection was lost: wake-ups may have been missed).
  void WakeAll();

  void Close();

  size_t parked() const;

 private:
  struct Shared;
  std::shared_ptr<Shared> shared_;
};

}  // namespace wharf::sqs::pg
