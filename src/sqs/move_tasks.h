#pragma once

// Message move tasks (sqs-api.md §2.18–2.20, §5.11): redrive from a dead-letter queue back to
// each message's source queue or to a given destination, in the background, rate-limited.
//
// A running task is a Scheduler timer that wakes every 100 ms and asks the source queue to move
// out as many messages as the rate allows (QueueBackend::MoveOut: each message moves atomically,
// so a task never duplicates or drops one). Tasks are stored; after a restart a task that was
// running resumes where the queue stands (its moved count is the last one stored).
//
// Shared tasks (--storage postgres, MoveTasksShared given): every node of the deployment sees,
// lists and cancels every task, and exactly one node runs each RUNNING one.
// - Records: task records are keyed objects of the shared store (PgObjectStore, table `object`)
//   rather than rows of a table of their own: they already have a committer that never blocks
//   the caller, a change signature and a prefix scan, with no migration; a task is a handful of
//   small writes a second at most, which that store is made for. Every node reads them back in
//   Sync, once a second (MoveTasksShared's caller runs it); so another node's start, progress,
//   cancel or end is seen here within about a second (until then this node answers a cancel of
//   a task it has not read yet with "Task does not exist."). The cost: while a task runs, its
//   progress writes change the object table's signature, so every node's ObjectsWatcher reloads
//   IAM, KMS and SNS about once a second; a table of its own is the way out if that matters.
// - Runner: a task's lease (MoveTaskLeases) says which node runs it. Only the holder moves
//   messages and writes the task's record, and only while its lease is live by its own clock
//   (taken with a safety margin), so two runners never write one record, except through a write
//   appended in time but committed by the store more than that margin late: it can overwrite the
//   new runner's record once (the next write corrects the count; a stale RUNNING over an end
//   makes a node take the task over again, which finds the source drained, or the cancel request
//   kept for this, and ends it again). A RUNNING task whose lease expired (its runner died) is
//   taken over by the first node whose Sync gets the lease: its moved count continues from the
//   last stored one (stored at most every kProgressEvery, so the count can lag what was moved by
//   that much; MoveOut being atomic, no message moves twice).
// - Cancel from another node writes a cancel request, a keyed object of its own, instead of the
//   task record: the runner's progress writes therefore never overwrite a cancel. The runner (or
//   the node that takes the task over) finds the request in its Sync and ends the task CANCELLED
//   with its moved count; the request stays (see above). Meanwhile every node lists the task as
//   CANCELLING.
// - One active task per source: a start takes the source's lease (MoveTaskLeases::HoldSource)
//   and the new task's lease before it writes the task's record, and is refused, as a second
//   start on one node is, when another node holds the source's lease; so of two starts on two
//   nodes at once exactly one succeeds. The runner holds both leases, renews them together
//   (source first, so the source's lease never outlives the task's) and gives both up when the
//   task ends; a node taking a task over takes the source's lease first, and runs the task only
//   with both. The lease calls block, so a shared start is answered later: Start queues it and
//   wakes Sync, whose thread takes the leases, writes the record and answers once it is durable.
//   Start also refuses at once when the records as last read show an active task on the source
//   (a task that ended less than a second ago can still be refused so, as can one whose runner
//   has not yet given up the source's lease).
// - A cancel is answered once what it wrote (the task's end, or the cancel request) is durable.
// Embedded tasks (no MoveTasksShared): records in the node's own store, the node always runs
// them, Sync does nothing.
//
// Thread-safety: all methods take `mu_`; queue calls, store scans and lease calls are made
// without it. Sync blocks on the database: not for an I/O thread.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/error.h"
#include "common/clock.h"
#include "common/scheduler.h"
#include "sqs/move_task_leases.h"
#include "sqs/queue_backend.h"
#include "sqs/queue_catalog.h"
#include "storage/store.h"

namespace wharf::sqs {

struct MoveTaskInfo {
  std::string task_id;
  std::string source_arn;
  std::optional<std::string> destination_arn;
  std::optional<int64_t> max_per_second;
  std::string status;  // RUNNING, COMPLETED, CANCELLING, CANCELLED, FAILED
  int64_t moved = 0;
  int64_t to_move = 0;
  std::optional<std::string> failure_reason;
  int64_t started_millis = 0;
};

// The shared store and leases of --storage postgres (see the top of this file).
struct MoveTasksShared {
  storage::Store* store = nullptr;  // keyed objects every node reads (PgObjectStore)
  MoveTaskLeases* leases = nullptr;
  // Optional: asks for a Sync soon (the server's beat). Called, without locks held, after a
  // start or a cancel request through this node, so the task starts, or the request is carried
  // out when this node runs the task, within milliseconds instead of at the next beat. Must not
  // call back into MoveTasks.
  std::function<void()> wake;
};

class MoveTasks {
 public:
  // `shared`: null for embedded tasks; otherwise both members set, outliving this object.
  MoveTasks(const Clock& clock, Scheduler& scheduler, storage::Store& store, QueueCatalog& queues,
            std::optional<MoveTasksShared> shared = std::nullopt);
  ~MoveTasks();

  using Started = std::function<void(api::ApiResult<std::string>)>;
  using Cancelled = std::function<void(api::ApiResult<int64_t>)>;
  // Starts a task on a validated source (and destination, if any); answers the task id.
  // Embedded tasks answer before Start returns; shared tasks answer from Sync's thread (or at
  // once when refused by the records as last read), after the leases and the durable record.
  void Start(const std::shared_ptr<QueueBackend>& source,
             std::optional<std::string> destination_arn, std::optional<int64_t> max_per_second,
             Started done);
  // Cancels a running task; answers the messages moved so far. Embedded tasks answer before
  // Cancel returns; shared ones once the end or the cancel request is durable (the store's
  // committer may answer on its own thread).
  void Cancel(const std::string& source_arn, const std::string& task_id, Cancelled done);
  // The most recent tasks of a source, newest first.
  std::vector<MoveTaskInfo> List(const std::string& source_arn, size_t max) const;
  // Recovery: a task read back from the store (resumed if it was running).
  void Restore(std::string_view payload);
  // Shared tasks: starts the tasks Start queued, reads every task and cancel request back from
  // the shared store, renews the leases of the tasks this node runs, takes over RUNNING tasks
  // nobody runs, carries out cancel requests of the tasks it runs and gives up the leases of
  // tasks that ended. Once a second (and once before serving, and soon after a start). An error (a
  // sentence) leaves the tasks as they were. Embedded tasks: does nothing. Blocks on the database;
  // one caller at a time.
  Status<std::string> Sync();
  // Stops the timers (shutdown); shared starts still queued are refused.
  void Stop();
  // Shared tasks, at a clean shutdown (instead of Stop): stops the timers, stores the progress of
  // the tasks this node runs, waits until it is written and gives up their leases, so that
  // another node takes them over at its next Sync, with their exact counts, instead of once the
  // leases expire. Blocks on the database. Embedded tasks: Stop.
  void HandOver();

  static constexpr int64_t kDefaultRate = 500;  // messages/s when the caller sets none
  // Shared tasks: how long a lease lasts, how much of it a runner trusts (its own clock starts
  // before the database's does, and timers may fire late), when it renews, and how often it
  // stores its progress at most.
  static constexpr Duration kLeaseTtl = std::chrono::seconds(12);
  static constexpr Duration kLeaseSafety = std::chrono::seconds(2);
  static constexpr Duration kRenewWhenLeft = std::chrono::seconds(6);
  static constexpr Duration kProgressEvery = std::chrono::seconds(1);

  // The keyed objects of shared tasks: "<prefix>task/<id>" and "<prefix>cancel/<id>".
  static constexpr std::string_view kObjectPrefix = "sqs/move-tasks/";

 private:
  struct Task {
    MoveTaskInfo info;
    TimerId timer = 0;
    bool moving = false;  // a MoveOut is in progress
    MonoTime last_tick{};
    double tokens = 0;  // messages the rate allows now (token bucket, at most one second's worth)
    // Shared tasks only.
    bool runner = false;            // this node holds the lease (until held_until)
    MonoTime held_until{};          // when this node stops trusting its lease
    bool cancel_requested = false;  // a cancel request is stored (or was just written here)
    MonoTime last_persist{};        // when progress was last stored
  };
  struct Stored;  // what Sync read back
  // Shared tasks: a start waiting for Sync's thread to take its leases.
  struct PendingStart {
    MoveTaskInfo info;
    Started done;
  };

  bool shared() const { return shared_.has_value(); }
  // The refusal of a second active task on a source, as AWS words it.
  static api::ApiError AlreadyRunning();
  // Shared tasks: this node may move and write `task` now. Requires mu_.
  bool Runs(const Task& task) const;
  void Schedule(const std::string& task_id);  // requires mu_
  void Tick(const std::string& task_id);
  void Finished(const std::string& task_id, api::ApiResult<int64_t> result);
  // Appends the task's record (to the shared store for shared tasks), never blocks; returns the
  // store's ticket (0 when nothing was written). Requires mu_.
  uint64_t Persist(const MoveTaskInfo& info);
  // A task of `source_arn` other than `except` is RUNNING or CANCELLING as far as this node
  // knows, or (with `here`) is so and run by this node. Requires mu_.
  bool Active(const std::string& source_arn, const std::string& except = {},
              bool here = false) const;
  // Answers `done` with the result of the write `ticket` (a task id or a moved count).
  template <typename T>
  void AnswerWhenDurable(uint64_t ticket, T value, std::function<void(api::ApiResult<T>)> done);
  // Ends a task this node runs whose cancel was asked for. Requires mu_.
  uint64_t CancelRun(Task& task);  // returns Persist's ticket
  // Sync's steps (move_tasks_sync.cc). StartPending and HoldBoth take mu_ themselves; the
  // others require it.
  void StartPending(const std::function<void(std::string)>& note);
  Result<bool, std::string> HoldBoth(const std::string& task_id, const std::string& source_arn);
  void Merge(Stored& stored, std::vector<std::pair<std::string, std::string>>& to_hold,
             std::vector<std::string>& to_release, std::vector<std::string>& sources_to_release);
  void Held(const std::string& task_id, MonoTime asked, Result<bool, std::string>& held);

  const Clock& clock_;
  Scheduler& scheduler_;
  storage::Store& store_;
  QueueCatalog& queues_;
  const std::optional<MoveTasksShared> shared_;

  mutable std::mutex mu_;
  bool stopped_ = false;
  std::map<std::string, Task> tasks_;  // by task id
  std::vector<PendingStart> pending_;  // shared starts for Sync's thread
};

std::string EncodeTaskHandle(const std::string& task_id, const std::string& source_arn);
// {task id, source ARN} from a TaskHandle; nullopt when it cannot be decoded.
std::optional<std::pair<std::string, std::string>> DecodeTaskHandle(std::string_view handle);

}  // namespace wharf::sqs
