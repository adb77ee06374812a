// MoveTasks::Sync: shared message move tasks (--storage postgres) read back from the shared store
// and their leases kept, taken over and given up (move_tasks.h explains the design).

#include <future>
#include <set>

#include "sqs/move_task_record.h"
#include "sqs/move_tasks.h"

namespace wharf::sqs {

struct MoveTasks::Stored {
  std::map<std::string, MoveTaskInfo> tasks;  // by task id
  std::set<std::string> cancels;              // task ids with a cancel request
};

Status<std::string> MoveTasks::Sync() {
  if (!shared()) return {};
  Stored stored;
  storage::StorageStatus scanned =
      shared_->store->ScanObjects(kObjectPrefix, [&](std::string_view key, std::string_view value) {
        auto object = ParseMoveTaskKey(key);
        if (!object) return;
        if (object->cancel) {
          stored.cancels.insert(std::move(object->task_id));
          return;
        }
        // An unreadable record (a newer version's) only loses that task here, as in Restore.
        auto info = DecodeMoveTask(value);
        if (info && info->task_id == object->task_id) stored.tasks.emplace(info->task_id, *info);
      });
  if (!scanned.ok()) return "cannot read the move tasks: " + scanned.error().detail;

  std::vector<std::string> to_hold, to_release;
  {
    std::lock_guard lock(mu_);
    if (stopped_) return {};
    Merge(stored, to_hold, to_release);
  }
  std::string problems;
  auto note = [&problems](std::string problem) {
    if (!problems.empty()) problems += "; ";
    problems += problem;
  };
  for (const std::string& task_id : to_hold) {
    // Before the statement: the database starts the lease's time after this.
    const MonoTime asked = clock_.Now();
    auto held = shared_->leases->Hold(
        task_id, std::chrono::duration_cast<std::chrono::milliseconds>(kLeaseTtl));
    if (!held.ok()) note("lease of move task " + task_id + ": " + held.error());
    std::lock_guard lock(mu_);
    if (stopped_) break;
    Held(task_id, asked, held);
  }
  for (const std::string& task_id : to_release) {
    if (Status<std::string> released = shared_->leases->Release(task_id); !released.ok()) {
      note("lease of move task " + task_id + ": " + released.error());  // expires by itself
    }
  }
  if (!problems.empty()) return problems;
  return {};
}

void MoveTasks::HandOver() {
  if (!shared()) return Stop();
  std::vector<std::string> held;
  uint64_t ticket = 0;
  {
    std::lock_guard lock(mu_);
    stopped_ = true;
    for (auto& [task_id, task] : tasks_) {
      if (task.timer) {
        scheduler_.Cancel(task.timer);
        task.timer = 0;
      }
      if (!Runs(task)) continue;
      // No write after this one: a move still in flight finishes uncounted (Finished checks).
      task.runner = false;
      held.push_back(task_id);
      if (task.info.status == "RUNNING") Persist(task.info);
    }
    ticket = shared_->store->Append({});  // orders the wait after every write above
  }
  std::promise<void> written;
  shared_->store->WhenDurable(ticket, [&written](storage::StorageStatus) { written.set_value(); });
  written.get_future().wait();
  for (const std::string& task_id : held) {
    // A lease not given up expires by itself: the task is taken over later, nothing is lost.
    shared_->leases->Release(task_id).IgnoreError();
  }
}

void MoveTasks::Merge(Stored& stored, std::vector<std::string>& to_hold,
                      std::vector<std::string>& to_release) {
  for (auto& [task_id, info] : stored.tasks) {
    const bool cancel = stored.cancels.contains(task_id);
    auto it = tasks_.find(task_id);
    if (it == tasks_.end()) {  // started through another node
      Task task;
      task.info = std::move(info);
      task.cancel_requested = cancel;
      tasks_.emplace(task_id, std::move(task));
      continue;
    }
    Task& task = it->second;
    if (Runs(task)) {
      // This node writes the record: its own state is the newest. Only a request is news.
      task.cancel_requested = task.cancel_requested || cancel;
      continue;
    }
    // Another node's task, or one whose lease lapsed here: the stored state is the truth.
    if (task.timer) {
      scheduler_.Cancel(task.timer);
      task.timer = 0;
    }
    task.runner = false;
    task.info = std::move(info);
    task.cancel_requested = cancel;
  }
  // Tasks this node has and the store has not (a start whose write is still queued, or failed)
  // stay as they are: a runner that takes one writes it again.
  const MonoTime now = clock_.Now();
  for (auto& [task_id, task] : tasks_) {
    const bool active = task.info.status == "RUNNING" || task.info.status == "CANCELLING";
    if (Runs(task)) {
      if (task.info.status == "RUNNING" && task.cancel_requested) CancelRun(task);
      if (task.info.status != "RUNNING" && task.info.status != "CANCELLING") {
        task.runner = false;
        to_release.push_back(task_id);
      } else if (task.held_until - now < kRenewWhenLeft) {
        to_hold.push_back(task_id);
      }
    } else if (active) {
      // Run by another node as far as this one knows, or by none: the lease decides (it fails
      // while that node's lease is live). One statement per such task per second.
      to_hold.push_back(task_id);
    }
  }
}

void MoveTasks::Held(const std::string& task_id, MonoTime asked, Result<bool, std::string>& held) {
  auto it = tasks_.find(task_id);
  if (it == tasks_.end() || !held.ok()) return;  // on an error the lease lapses by itself here
  Task& task = it->second;
  if (!*held) {  // another node's lease is live
    if (task.timer) {
      scheduler_.Cancel(task.timer);
      task.timer = 0;
    }
    task.runner = false;
    return;
  }
  const bool renewed = Runs(task);
  task.runner = true;
  task.held_until = asked + kLeaseTtl - kLeaseSafety;
  if (renewed) return;
  // Taken: just started, or over from a node that stopped renewing; the moved count goes on
  // from the stored one.
  if (task.info.status == "CANCELLING" ||
      (task.info.status == "RUNNING" && task.cancel_requested)) {
    CancelRun(task);  // its runner was asked to cancel (or was cancelling) and is gone
    return;
  }
  if (task.info.status != "RUNNING") return;  // ended meanwhile: the next Sync releases it
  const MonoTime now = clock_.Now();
  task.last_tick = now;
  task.last_persist = now;
  task.tokens = 0;
  if (!task.moving) Schedule(task_id);
}

}  // namespace wharf::sqs
