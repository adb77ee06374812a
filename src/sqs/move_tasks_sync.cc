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
  std::string problems;
  auto note = [&problems](std::string problem) {
    if (!problems.empty()) problems += "; ";
    problems += problem;
  };
  StartPending(note);
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
  if (!scanned.ok()) {
    note("cannot read the move tasks: " + scanned.error().detail);
    return problems;
  }

  std::vector<std::pair<std::string, std::string>> to_hold;  // task id, source ARN
  std::vector<std::string> to_release, sources_to_release;
  {
    std::lock_guard lock(mu_);
    if (stopped_) return {};
    Merge(stored, to_hold, to_release, sources_to_release);
  }
  for (const auto& [task_id, source_arn] : to_hold) {
    // Before the statements: the database starts the leases' time after this.
    const MonoTime asked = clock_.Now();
    auto held = HoldBoth(task_id, source_arn);
    if (!held.ok()) note("leases of move task " + task_id + ": " + held.error());
    std::lock_guard lock(mu_);
    if (stopped_) break;
    Held(task_id, asked, held);
  }
  // Leases not given up expire by themselves.
  for (const std::string& task_id : to_release) {
    if (Status<std::string> released = shared_->leases->Release(task_id); !released.ok()) {
      note("lease of move task " + task_id + ": " + released.error());
    }
  }
  for (const std::string& source_arn : sources_to_release) {
    if (Status<std::string> released = shared_->leases->ReleaseSource(source_arn); !released.ok()) {
      note("lease of move source " + source_arn + ": " + released.error());
    }
  }
  if (!problems.empty()) return problems;
  return {};
}

void MoveTasks::StartPending(const std::function<void(std::string)>& note) {
  std::vector<PendingStart> starts;
  {
    std::lock_guard lock(mu_);
    starts.swap(pending_);
  }
  for (PendingStart& start : starts) {
    const std::string id = start.info.task_id;
    const std::string source_arn = start.info.source_arn;
    auto refuse = [&start](api::ApiError error) { start.done(std::move(error)); };
    bool stopped = false, active = false;
    {
      std::lock_guard lock(mu_);
      stopped = stopped_;
      // A task a Sync read since the start was queued (a start through this node cannot be
      // one: Start refuses a second while one is queued).
      active = Active(source_arn);
    }
    if (stopped) {
      refuse(api::Error(api::ErrorCode::kServiceUnavailable));
      continue;
    }
    if (active) {
      refuse(AlreadyRunning());
      continue;
    }
    const MonoTime asked = clock_.Now();
    auto held = HoldBoth(id, source_arn);
    if (!held.ok()) {
      note("leases of new move task " + id + ": " + held.error());
      refuse(api::Error(api::ErrorCode::kServiceUnavailable));
      continue;
    }
    if (!*held) {  // another node's start, or the task it runs, has the source
      refuse(AlreadyRunning());
      continue;
    }
    uint64_t ticket = 0;
    {
      std::lock_guard lock(mu_);
      stopped = stopped_;
      if (!stopped) {
        // This node runs the task from the start: it holds both leases already.
        Task task;
        task.info = std::move(start.info);
        const MonoTime now = clock_.Now();
        task.runner = true;
        task.held_until = asked + kLeaseTtl - kLeaseSafety;
        task.last_tick = now;
        task.last_persist = now;
        ticket = Persist(task.info);
        tasks_.emplace(id, std::move(task));
        Schedule(id);
      }
    }
    if (stopped) {  // no record was written; the leases expire by themselves
      refuse(api::Error(api::ErrorCode::kServiceUnavailable));
      continue;
    }
    AnswerWhenDurable(ticket, id, std::move(start.done));
  }
}

Result<bool, std::string> MoveTasks::HoldBoth(const std::string& task_id,
                                              const std::string& source_arn) {
  const auto ttl = std::chrono::duration_cast<std::chrono::milliseconds>(kLeaseTtl);
  // The source's first: renewed before the task's, it never outlives it, so a node that takes
  // an expired task's lease finds the source's free too (unless a start got it meanwhile).
  auto source = shared_->leases->HoldSource(source_arn, ttl);
  if (!source.ok()) return "source: " + source.error();
  if (!*source) return false;
  auto task = shared_->leases->Hold(task_id, ttl);
  if (task.ok() && *task) return true;
  // Not this node's task: the source's lease is the task's runner's (unless this node runs
  // another active task of the source, which the late-write case of move_tasks.h allows).
  bool keep = false;
  {
    std::lock_guard lock(mu_);
    keep = Active(source_arn, task_id, /*here=*/true);
  }
  if (!keep) shared_->leases->ReleaseSource(source_arn).IgnoreError();  // or it expires
  return task;
}

void MoveTasks::HandOver() {
  if (!shared()) return Stop();
  std::vector<std::pair<std::string, std::string>> held;  // task id, source ARN
  std::vector<PendingStart> refused;
  uint64_t ticket = 0;
  {
    std::lock_guard lock(mu_);
    stopped_ = true;
    refused.swap(pending_);
    for (auto& [task_id, task] : tasks_) {
      if (task.timer) {
        scheduler_.Cancel(task.timer);
        task.timer = 0;
      }
      if (!Runs(task)) continue;
      // No write after this one: a move still in flight finishes uncounted (Finished checks).
      task.runner = false;
      held.emplace_back(task_id, task.info.source_arn);
      if (task.info.status == "RUNNING") Persist(task.info);
    }
    ticket = shared_->store->Append({});  // orders the wait after every write above
  }
  for (PendingStart& start : refused) start.done(api::Error(api::ErrorCode::kServiceUnavailable));
  std::promise<void> written;
  shared_->store->WhenDurable(ticket, [&written](storage::StorageStatus) { written.set_value(); });
  written.get_future().wait();
  for (const auto& [task_id, source_arn] : held) {
    // A lease not given up expires by itself: the task is taken over later, nothing is lost.
    shared_->leases->Release(task_id).IgnoreError();
    shared_->leases->ReleaseSource(source_arn).IgnoreError();
  }
}

void MoveTasks::Merge(Stored& stored, std::vector<std::pair<std::string, std::string>>& to_hold,
                      std::vector<std::string>& to_release,
                      std::vector<std::string>& sources_to_release) {
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
        sources_to_release.push_back(task.info.source_arn);
      } else if (task.held_until - now < kRenewWhenLeft) {
        to_hold.emplace_back(task_id, task.info.source_arn);
      }
    } else if (active) {
      // Run by another node as far as this one knows, or by none: the leases decide (the
      // source's fails while that node's is live). One statement per such task per second.
      to_hold.emplace_back(task_id, task.info.source_arn);
    }
  }
  // A source's lease stays while this node runs another active task of it (possible only
  // through the late write of move_tasks.h, or a start right after an end here).
  std::erase_if(sources_to_release,
                [this](const std::string& arn) { return Active(arn, {}, /*here=*/true); });
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
