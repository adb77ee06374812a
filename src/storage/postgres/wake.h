#pragma once

// Wake-up hints for long polling across nodes (storage.md §5.4, item 2).
//
// Correctness never depends on these: a fetcher always re-checks the queue (NextVisibleIn) at
// least every cap interval. A hint only lets a waiter on another node see a message sent there
// sooner than its next re-check.
//
// - WakeNotifier: after a send has COMMITTED, the sending node calls Note(queue_id). The notifier
//   runs `SELECT pg_notify('sqs_wake', queue_id)` as its own statement on a pooled connection,
//   never inside the send transaction (storage.md §4.3: NOTIFY in the send transaction takes a
//   global lock across the commit and halved send throughput), and at most once per queue per
//   window (WakeCoalescer).
// - WakeListener: one dedicated connection per node doing `LISTEN sqs_wake`; it hands the queue
//   id of every notification to a callback, and reconnects (with backoff) when the connection
//   drops, after which it reports that wake-ups may have been missed.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "storage/postgres/connection.h"
#include "storage/postgres/pg_error.h"
#include "storage/postgres/pool.h"

namespace wharf::storage::pg {

// The NOTIFY channel every node listens on. Payloads are decimal queue ids (the 8 kB payload
// limit is never near).
inline constexpr std::string_view kWakeChannel = "sqs_wake";

// The coalescing rule, without threads or I/O (time from an injectable Clock, so it is tested
// with a ManualClock and no sleeps). Per queue:
// - the first committed send when no window is open is published at once and opens a window;
// - later sends inside the window publish nothing at once but leave the queue "pending";
// - when the window ends with the queue pending, one more wake-up is published and a new window
//   opens; without a pending send the queue is forgotten.
// The trailing wake-up is what makes coalescing safe: a waiter woken by the first one may have
// run its receive before a later send of the window committed, and would otherwise sleep until
// its re-check cap.
//
// Threading: not thread-safe; WakeNotifier guards it with its mutex.
class WakeCoalescer {
 public:
  WakeCoalescer(const Clock& clock, Duration window) : clock_(clock), window_(window) {}

  // A send to `queue_id` committed. True when a wake-up is to be published now.
  bool Note(int64_t queue_id);
  // The queues whose window has ended with a send pending: publish one wake-up each now (their
  // next window opens now).
  std::vector<int64_t> TakeDue();
  // Every pending queue, window ended or not, and forgets all windows (the notifier's shutdown).
  std::vector<int64_t> TakeAllPending();
  // When the earliest open window ends with a send pending; nullopt when none is pending.
  std::optional<MonoTime> NextDue() const;
  size_t open_windows() const { return windows_.size(); }

 private:
  struct Window {
    MonoTime ends;
    bool pending = false;
  };
  const Clock& clock_;
  const Duration window_;
  std::unordered_map<int64_t, Window> windows_;
};

// Publishes coalesced wake-ups from a thread of its own, so a sender never waits for the
// notify's round trip and a notify is never part of the send's transaction.
//
// Threading: Note() from any thread; a publishing thread owned by the object, from the
// constructor to the destructor (which publishes what is still pending, then joins). The pool
// must outlive the notifier.
class WakeNotifier {
 public:
  struct Stats {
    uint64_t published = 0;  // pg_notify statements that succeeded
    uint64_t failed = 0;     // ones that failed (logged; the waiters' re-check covers them)
    uint64_t coalesced = 0;  // Note() calls that published nothing at once
  };

  WakeNotifier(ConnectionPool& pool, const Clock& clock,
               Duration window = std::chrono::milliseconds(20),
               std::chrono::milliseconds acquire_wait = std::chrono::seconds(1));
  WakeNotifier(const WakeNotifier&) = delete;
  WakeNotifier& operator=(const WakeNotifier&) = delete;
  ~WakeNotifier();

  // A send to `queue_id` has committed (call it after the commit, never before).
  void Note(int64_t queue_id);
  Stats stats() const;

 private:
  void Run();
  PgStatus Publish(int64_t queue_id);

  ConnectionPool& pool_;
  const Clock& clock_;
  const std::chrono::milliseconds acquire_wait_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  WakeCoalescer coalescer_;     // guarded by mutex_
  std::vector<int64_t> ready_;  // guarded by mutex_: to publish at once
  bool stopping_ = false;       // guarded by mutex_
  Stats stats_;                 // guarded by mutex_
  std::thread thread_;
};

struct WakeListenerOptions {
  // How long the listening thread waits on the socket before it looks at the stop flag: bounds
  // how long Stop() takes.
  std::chrono::milliseconds poll_interval{100};
  // Reconnect backoff: doubles from `backoff_initial` up to `backoff_max`.
  std::chrono::milliseconds backoff_initial{50};
  std::chrono::milliseconds backoff_max{2'000};
  // When set, the connection also LISTENs on wharf_objects (PgObjectStore's NOTIFY after each
  // write) and this runs once per batch of such notifications, and after a reconnect (some may
  // have been missed). It runs on the listener's thread and must not block.
  std::function<void()> on_objects_changed;
};

// One dedicated LISTEN connection and the thread that reads it.
//
// Threading: Start/Stop from one owning thread. The callbacks run on the listener's thread, one
// at a time, and must not block for long (they should only poke waiters). Lifetime: Stop() (or
// the destructor) joins the thread; no callback runs after it returns.
class WakeListener {
 public:
  using OnWake = std::function<void(int64_t queue_id)>;
  // Called after a reconnect: notifications sent while the connection was down are lost, so
  // every waiter should re-check its queue.
  using OnMaybeMissed = std::function<void()>;

  WakeListener(std::string url, ConnectionOptions options, OnWake on_wake,
               OnMaybeMissed on_maybe_missed, WakeListenerOptions listener_options = {});
  WakeListener(const WakeListener&) = delete;
  WakeListener& operator=(const WakeListener&) = delete;
  ~WakeListener();

  // Connects and runs LISTEN before returning, so a notify committed after Start() returned OK
  // reaches this listener; then starts the thread. An error leaves nothing running.
  PgStatus Start();
  void Stop();

  // The server process id of the current LISTEN connection, 0 while disconnected (tests
  // terminate it to simulate a dropped connection).
  int backend_pid() const { return backend_pid_.load(); }
  uint64_t reconnects() const { return reconnects_.load(); }
  // Payloads that were not a queue id (someone else NOTIFYing on the channel): ignored.
  uint64_t bad_payloads() const { return bad_payloads_.load(); }

 private:
  PgResult<Connection> ConnectAndListen();
  void Run(Connection conn);
  // Reads what is on the socket and dispatches notifications; false when the connection broke.
  bool Drain(Connection& conn);
  // Waits up to `wait` unless stopping; true when stopping.
  bool WaitForStop(std::chrono::milliseconds wait);

  const std::string url_;
  const ConnectionOptions options_;
  const OnWake on_wake_;
  const OnMaybeMissed on_maybe_missed_;
  const WakeListenerOptions listener_options_;

  std::mutex mutex_;
  std::condition_variable stop_changed_;
  bool stopping_ = false;  // guarded by mutex_
  std::thread thread_;
  std::atomic<int> backend_pid_{0};
  std::atomic<uint64_t> reconnects_{0};
  std::atomic<uint64_t> bad_payloads_{0};
};

}  // namespace wharf::storage::pg
