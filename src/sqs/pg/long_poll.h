#pragma once

// Long polling for the PostgreSQL backend (ADR 0002 decision 5; storage.md §5.3, §5.4). A
// receive that may wait runs here: at once on a worker, and when it finds nothing it parks; the
// parked receives of a queue run again when
//   - a send to its queue committed on this node (Wake from PgQueue::Send),
//   - another node's send committed (Wake from the node's LISTEN on sqs_wake, after commit),
//   - a parked receive's periodic re-check comes (`recheck`, capped at its wait's end): messages
//     also become visible by time alone (a delay or a visibility timeout ends), and a
//     notification can be lost, so correctness rests on the re-check, never on a notification,
//   - or a wait ends: then that receive answers whatever it finds, usually nothing.
//
// The shared fetcher (the "batched receives per queue" guard-rail of issue 11): parked receives
// of one queue with the same share key (a standard queue's receives with the same visibility
// timeout) are served by ONE receive statement for all of them: its limit is the sum of what they
// want (at most kMaxSharedWant), and the messages are handed out in the order the receives
// parked, each getting at most its MaxNumberOfMessages. So a wake-up of a queue with 1,000 parked
// receives costs one query, not 1,000. Only when that query came back full (more may be waiting)
// does the next group of parked receives run; otherwise they stay parked. A re-check runs the
// same way: the receive whose timer fired takes every parked receive of its key along. FIFO
// receives never share (share key ""): one receive takes a group's messages for one consumer,
// and a ReceiveRequestAttemptId names one receive.
//
// A wake-up that arrives while a receive is running is not lost: each queue has a wake
// generation, and receives that started before the latest wake-up and found nothing run again at
// once instead of parking.
//
// Threading: every method from any thread; fetches run on the worker pool, and answers are given
// there. After Close() (or destruction) nothing parks or runs: timers that still fire hold only a
// weak reference, and receives still parked are dropped unanswered (the server has stopped
// serving by then). Close before the worker pool is destroyed, destroy after it (queued jobs may
// still call Wake).

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "api/error.h"
#include "common/clock.h"
#include "common/scheduler.h"
#include "sqs/engine/message.h"
#include "sqs/pg/worker_pool.h"

namespace wharf::sqs::pg {

class LongPollHub {
 public:
  using Messages = api::ApiResult<std::vector<ReceivedMessage>>;
  // Receives up to `max` messages (≥ 1); runs on a worker thread.
  using Fetch = std::function<Messages(int max)>;
  // The receive's answer: messages, an error, or nothing when its wait ended empty.
  using Answer = std::function<void(Messages)>;

  struct Receive {
    int64_t queue_id = 0;
    // Receives of one queue with equal, non-empty keys may be served by one fetch (any of
    // theirs: their fetches must be interchangeable). "" never shares.
    std::string share_key;
    int want = 1;  // MaxNumberOfMessages, 1..10
    MonoTime deadline;
    Fetch fetch;
    Answer answer;
  };

  // The most messages one shared fetch asks for (ten receives of ten).
  static constexpr int kMaxSharedWant = 100;

  LongPollHub(const Clock& clock, Scheduler& scheduler, WorkerPool& workers, Duration recheck);
  ~LongPollHub();
  LongPollHub(const LongPollHub&) = delete;
  LongPollHub& operator=(const LongPollHub&) = delete;

  // Runs the receive on a worker now, and as described above until it answers; a run at or
  // after its deadline answers even with nothing.
  void Start(Receive receive);
  // Something may have become receivable in `queue_id`: its parked receives run again now.
  void Wake(int64_t queue_id);
  // Every parked receive runs again (the LISTEN connection was lost: wake-ups may have been
  // missed).
  void WakeAll();

  void Close();

  size_t parked() const;
  // Fetches run so far (every receive statement this hub ran); for tests and metrics.
  uint64_t fetches() const;

 private:
  struct Shared;
  std::shared_ptr<Shared> shared_;
};

}  // namespace wharf::sqs::pg
