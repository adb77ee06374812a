#pragma once

// Message move tasks (sqs-api.md §2.18–2.20, §5.11): redrive from a dead-letter queue back to
// each message's source queue or to a given destination, in the background, rate-limited.
//
// A running task is a Scheduler timer that wakes every 100 ms and asks the source queue to move
// out as many messages as the rate allows (QueueBackend::MoveOut: each message moves atomically,
// so a task never duplicates or drops one). Tasks are stored; after a restart a task that was
// running resumes where the queue stands (its moved count is the last one stored).
// Thread-safety: all methods take `mu_`; queue calls are made without it.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "api/error.h"
#include "common/clock.h"
#include "common/scheduler.h"
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

class MoveTasks {
 public:
  MoveTasks(const Clock& clock, Scheduler& scheduler, storage::Store& store, QueueCatalog& queues);
  ~MoveTasks();

  // Starts a task on a validated source (and destination, if any); returns the task id.
  api::ApiResult<std::string> Start(const std::shared_ptr<QueueBackend>& source,
                                    std::optional<std::string> destination_arn,
                                    std::optional<int64_t> max_per_second);
  // Cancels a running task; returns the messages moved so far.
  api::ApiResult<int64_t> Cancel(const std::string& source_arn, const std::string& task_id);
  // The most recent tasks of a source, newest first.
  std::vector<MoveTaskInfo> List(const std::string& source_arn, size_t max) const;
  // Recovery: a task read back from the store (resumed if it was running).
  void Restore(std::string_view payload);
  // Stops the timers (shutdown).
  void Stop();

  static constexpr int64_t kDefaultRate = 500;  // messages/s when the caller sets none

 private:
  struct Task {
    MoveTaskInfo info;
    TimerId timer = 0;
    bool moving = false;  // a MoveOut is in progress
    MonoTime last_tick{};
    double tokens = 0;  // messages the rate allows now (token bucket, at most one second's worth)
  };

  void Schedule(const std::string& task_id);  // requires mu_
  void Tick(const std::string& task_id);
  void Finished(const std::string& task_id, api::ApiResult<int64_t> result);
  void Persist(const MoveTaskInfo& info);  // requires mu_ (appends to the store, never blocks)

  const Clock& clock_;
  Scheduler& scheduler_;
  storage::Store& store_;
  QueueCatalog& queues_;

  mutable std::mutex mu_;
  bool stopped_ = false;
  std::map<std::string, Task> tasks_;  // by task id
};

std::string EncodeTaskHandle(const std::string& task_id, const std::string& source_arn);
// {task id, source ARN} from a TaskHandle; nullopt when it cannot be decoded.
std::optional<std::pair<std::string, std::string>> DecodeTaskHandle(std::string_view handle);

}  // namespace wharf::sqs
