#include "sqs/move_tasks.h"

#include <algorithm>

#include "common/base64.h"
#include "common/ids.h"
#include "sqs/engine/storage_errors.h"
#include "sqs/move_task_record.h"

namespace wharf::sqs {
namespace {

constexpr Duration kTick = Millis(100);

// The JSON string of a value that is an ARN or a UUID (no characters need escaping there, but
// be safe with quotes and backslashes anyway).
std::string JsonString(std::string_view v) {
  std::string out = "\"";
  for (char c : v) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

}  // namespace

std::string EncodeTaskHandle(const std::string& task_id, const std::string& source_arn) {
  // AWS's handles are base64 of {"taskId":...,"sourceArn":...} (sqs-api.md §5.1).
  std::string json = "{\"taskId\":";
  json.append(JsonString(task_id));
  json.append(",\"sourceArn\":");
  json.append(JsonString(source_arn));
  json.push_back('}');
  return Base64Encode(json);
}

std::optional<std::pair<std::string, std::string>> DecodeTaskHandle(std::string_view handle) {
  auto json = Base64Decode(handle);
  if (!json) return std::nullopt;
  auto field = [&](std::string_view name) -> std::optional<std::string> {
    std::string key = "\"";
    key.append(name);
    key.append("\":\"");
    size_t start = json->find(key);
    if (start == std::string::npos) return std::nullopt;
    start += key.size();
    size_t end = json->find('"', start);
    if (end == std::string::npos) return std::nullopt;
    return json->substr(start, end - start);
  };
  auto id = field("taskId");
  auto arn = field("sourceArn");
  if (!id || !arn || id->empty() || arn->empty()) return std::nullopt;
  return std::make_pair(*id, *arn);
}

api::ApiError MoveTasks::AlreadyRunning() {
  return api::Error(api::ErrorCode::kInvalidParameterValue,
                    "There is already a task running. Only one active task is allowed for a "
                    "source queue arn at a given time.");
}

MoveTasks::MoveTasks(const Clock& clock, Scheduler& scheduler, storage::Store& store,
                     QueueCatalog& queues, std::optional<MoveTasksShared> shared)
    : clock_(clock), scheduler_(scheduler), store_(store), queues_(queues), shared_(shared) {}

MoveTasks::~MoveTasks() { Stop(); }

void MoveTasks::Stop() {
  std::vector<PendingStart> refused;
  {
    std::lock_guard lock(mu_);
    stopped_ = true;
    for (auto& [id, task] : tasks_) {
      if (task.timer) scheduler_.Cancel(task.timer);
      task.timer = 0;
    }
    refused.swap(pending_);
  }
  for (PendingStart& start : refused) start.done(api::Error(api::ErrorCode::kServiceUnavailable));
}

bool MoveTasks::Runs(const Task& task) const {
  return !shared() || (task.runner && clock_.Now() < task.held_until);
}

bool MoveTasks::Active(const std::string& source_arn, const std::string& except, bool here) const {
  for (const auto& [id, task] : tasks_) {
    if (id != except && task.info.source_arn == source_arn &&
        (task.info.status == "RUNNING" || task.info.status == "CANCELLING") &&
        (!here || Runs(task))) {
      return true;
    }
  }
  return false;
}

template <typename T>
void MoveTasks::AnswerWhenDurable(uint64_t ticket, T value,
                                  std::function<void(api::ApiResult<T>)> done) {
  shared_->store->WhenDurable(
      ticket, [value = std::move(value), done = std::move(done)](storage::StorageStatus s) {
        if (s.ok()) {
          done(value);
        } else {
          done(FromStorageError(s.error()));
        }
      });
}

// StartPending (move_tasks_sync.cc) answers a task id.
template void MoveTasks::AnswerWhenDurable(uint64_t, std::string,
                                           std::function<void(api::ApiResult<std::string>)>);

uint64_t MoveTasks::Persist(const MoveTaskInfo& info) {
  if (shared()) {
    std::vector<storage::Record> records;
    storage::Record put{storage::RecordType::kObjectPut};
    put.key = MoveTaskKey(info.task_id);
    put.payload = EncodeMoveTask(info);
    records.push_back(std::move(put));
    // A cancel request stays after the end (a few bytes, like the task's record): should a
    // runner's late write ever put RUNNING back, the request still ends the task.
    return shared_->store->Append(std::move(records));
  }
  if (!store_.durable()) return 0;
  storage::Record record{storage::RecordType::kTaskPut, 0, 0, EncodeMoveTask(info)};
  record.key = info.task_id;
  std::vector<storage::Record> records;
  records.push_back(std::move(record));
  return store_.Append(std::move(records));
}

void MoveTasks::Schedule(const std::string& task_id) {
  Task& task = tasks_.at(task_id);
  if (stopped_ || task.timer) return;
  task.timer = scheduler_.ScheduleAt(clock_.Now() + kTick, [this, task_id] { Tick(task_id); });
}

void MoveTasks::Start(const std::shared_ptr<QueueBackend>& source,
                      std::optional<std::string> destination_arn,
                      std::optional<int64_t> max_per_second, Started done) {
  const int64_t to_move = source->Counters().visible;
  std::unique_lock lock(mu_);
  const std::string& source_arn = source->identity().arn;
  // Shared tasks: the records as Sync last read them and the starts queued here; the source's
  // lease decides between nodes (StartPending).
  bool queued = false;
  for (const PendingStart& pending : pending_)
    queued = queued || pending.info.source_arn == source_arn;
  if (queued || Active(source_arn)) {
    lock.unlock();
    return done(AlreadyRunning());
  }
  Task task;
  task.info.task_id = NewUuid();
  task.info.source_arn = source_arn;
  task.info.destination_arn = std::move(destination_arn);
  task.info.max_per_second = max_per_second;
  task.info.status = "RUNNING";
  task.info.to_move = to_move;
  task.info.started_millis = clock_.WallMillis();
  task.last_tick = clock_.Now();
  const std::string id = task.info.task_id;
  if (!shared()) {
    Persist(task.info);
    tasks_.emplace(id, std::move(task));
    Schedule(id);
    lock.unlock();
    return done(id);
  }
  if (stopped_) {
    lock.unlock();
    return done(api::Error(api::ErrorCode::kServiceUnavailable));
  }
  // The leases block on the database: Sync's thread takes them (at once if there is a wake).
  pending_.push_back(PendingStart{std::move(task.info), std::move(done)});
  lock.unlock();
  if (shared_->wake) shared_->wake();
}

void MoveTasks::Cancel(const std::string& source_arn, const std::string& task_id, Cancelled done) {
  std::unique_lock lock(mu_);
  auto it = tasks_.find(task_id);
  if (it == tasks_.end() || it->second.info.source_arn != source_arn) {
    lock.unlock();
    return done(api::Error(api::ErrorCode::kResourceNotFound, "Task does not exist."));
  }
  Task& task = it->second;
  if (task.info.status != "RUNNING" || task.cancel_requested) {
    lock.unlock();
    return done(api::Error(api::ErrorCode::kInvalidParameterValue,
                           "Value " + task_id +
                               " for parameter TaskHandle is invalid. Reason: Only a running "
                               "task can be cancelled."));
  }
  const int64_t moved_before = task.info.moved;
  if (Runs(task)) {
    const uint64_t ticket = CancelRun(task);
    const int64_t moved = task.info.moved;
    lock.unlock();
    if (!shared()) return done(moved);
    return AnswerWhenDurable(ticket, moved, std::move(done));
  }
  // Shared, and run by another node (or by none yet): ask its runner, never write the record
  // it writes (the request is its own object, so no progress write can overwrite it).
  storage::Record request{storage::RecordType::kObjectPut};
  request.key = MoveTaskCancelKey(task_id);
  request.payload = std::to_string(clock_.WallMillis());
  std::vector<storage::Record> records;
  records.push_back(std::move(request));
  const uint64_t ticket = shared_->store->Append(std::move(records));
  task.cancel_requested = true;
  lock.unlock();
  if (shared_->wake) shared_->wake();  // carried out at once if the runner is this node
  // Answered once the request is stored: a client told the task is cancelling can count on it.
  AnswerWhenDurable(ticket, moved_before, std::move(done));
}

uint64_t MoveTasks::CancelRun(Task& task) {
  // CANCELLING until the move in progress (if any) has finished, then CANCELLED.
  task.info.status = task.moving ? "CANCELLING" : "CANCELLED";
  if (!task.moving && task.timer) {
    scheduler_.Cancel(task.timer);
    task.timer = 0;
  }
  return Persist(task.info);
}

std::vector<MoveTaskInfo> MoveTasks::List(const std::string& source_arn, size_t max) const {
  std::vector<MoveTaskInfo> out;
  {
    std::lock_guard lock(mu_);
    for (const auto& [id, task] : tasks_) {
      if (task.info.source_arn != source_arn) continue;
      out.push_back(task.info);
      // A cancel asked for through a node that does not run the task.
      if (task.cancel_requested && task.info.status == "RUNNING") out.back().status = "CANCELLING";
    }
  }
  std::sort(out.begin(), out.end(), [](const MoveTaskInfo& a, const MoveTaskInfo& b) {
    return a.started_millis > b.started_millis ||
           (a.started_millis == b.started_millis && a.task_id > b.task_id);
  });
  if (out.size() > max) out.resize(max);
  return out;
}

void MoveTasks::Restore(std::string_view payload) {
  // Shared tasks live in the shared store (Sync). A record in the node's own store was written
  // before tasks were shared: that task is not resumed (and is not listed).
  if (shared()) return;
  auto info = DecodeMoveTask(payload);
  if (!info) return;  // an unreadable task record only loses the task's history
  std::lock_guard lock(mu_);
  Task task;
  task.info = std::move(*info);
  // A task interrupted while cancelling is cancelled; a running one resumes.
  if (task.info.status == "CANCELLING") task.info.status = "CANCELLED";
  task.last_tick = clock_.Now();
  const std::string id = task.info.task_id;
  const bool running = task.info.status == "RUNNING";
  tasks_[id] = std::move(task);
  if (running) Schedule(id);
}

void MoveTasks::Tick(const std::string& task_id) {
  std::shared_ptr<QueueBackend> source, destination;
  int64_t budget = 0;
  {
    std::lock_guard lock(mu_);
    auto it = tasks_.find(task_id);
    if (stopped_ || it == tasks_.end()) return;
    Task& task = it->second;
    task.timer = 0;
    if (task.info.status != "RUNNING") return;
    if (!Runs(task)) {  // shared: the lease lapsed; Sync takes it again, or another node does
      task.runner = false;
      return;
    }
    auto fail = [&](std::string reason) {
      task.info.status = "FAILED";
      task.info.failure_reason = std::move(reason);
      Persist(task.info);
    };
    source = queues_.FindByArn(task.info.source_arn);
    if (!source) return fail("AWS.SimpleQueueService.NonExistentQueue");
    if (task.info.destination_arn) {
      destination = queues_.FindByArn(*task.info.destination_arn);
      if (!destination) return fail("AWS.SimpleQueueService.NonExistentQueue");
    }
    // Token bucket: the rate accrues per second of elapsed time, at most one second's worth is
    // kept, and only whole messages are spent (the fraction carries over), so a task never
    // moves more than rate × elapsed + 1 messages.
    const MonoTime now = clock_.Now();
    const double rate = static_cast<double>(task.info.max_per_second.value_or(kDefaultRate));
    const double elapsed = std::chrono::duration<double>(now - task.last_tick).count();
    task.last_tick = now;
    task.tokens = std::min(rate, task.tokens + rate * elapsed);
    budget = static_cast<int64_t>(task.tokens);
    if (budget == 0) {
      Schedule(task_id);
      return;
    }
    task.tokens -= static_cast<double>(budget);
    task.moving = true;
  }
  source->MoveOut(budget, destination, [this, task_id, source](api::ApiResult<int64_t> result) {
    Finished(task_id, std::move(result));
  });
}

void MoveTasks::Finished(const std::string& task_id, api::ApiResult<int64_t> result) {
  std::shared_ptr<QueueBackend> source;
  {
    std::lock_guard lock(mu_);
    auto it = tasks_.find(task_id);
    if (it == tasks_.end()) return;
    Task& task = it->second;
    task.moving = false;
    if (!Runs(task)) {
      // Shared, and the lease lapsed during the move: the record is no longer this node's to
      // write (another runner may have it). What moved stays moved; the count may lag by it.
      task.runner = false;
      return;
    }
    if (!result.ok()) {
      task.info.status = "FAILED";
      task.info.failure_reason = std::string(api::InfoOf(result.error().code).query_code);
      Persist(task.info);
      return;
    }
    task.info.moved += *result;
    if (task.info.status == "CANCELLING") {
      task.info.status = "CANCELLED";
      Persist(task.info);
      return;
    }
    if (*result > 0) {
      // Shared tasks store their progress at most every kProgressEvery (each write is a row
      // version every node reads back); the end is always stored.
      const MonoTime now = clock_.Now();
      if (!shared() || now - task.last_persist >= kProgressEvery) {
        Persist(task.info);
        task.last_persist = now;
      }
      Schedule(task_id);
      return;
    }
    source = queues_.FindByArn(task.info.source_arn);
  }
  // Nothing moved this time: done once the source has nothing visible left (messages still in
  // flight there were not "present" for the task, §5.11).
  const bool drained = !source || source->Counters().visible == 0;
  std::lock_guard lock(mu_);
  auto it = tasks_.find(task_id);
  if (it == tasks_.end() || it->second.info.status != "RUNNING") return;
  if (!Runs(it->second)) {
    it->second.runner = false;
    return;
  }
  if (drained) {
    it->second.info.status = "COMPLETED";
    Persist(it->second.info);
  } else {
    Schedule(task_id);
  }
}

}  // namespace wharf::sqs
