#pragma once

// Who runs a message move task when several nodes share the tasks (--storage postgres, issue 11).
// Each RUNNING task has a lease; only the node holding it moves messages and writes the task's
// record, and a node that finds a RUNNING task whose lease has expired (its runner died or lost
// the database) takes the lease and resumes the task. Each source queue with an active task has a
// lease too, held by the same node: a start takes it before the task's record exists, so two
// nodes starting a task on one source at once cannot both succeed. The embedded store has no
// such object: its single node is always the runner (MoveTasks without shared options).
//
// Implemented for PostgreSQL by sqs::pg::PgMoveTaskLeases (a row of table `lease` per task);
// sqs/ does not know how. Both calls block on the database: call them from a thread that may
// wait (MoveTasks::Sync's), never from an I/O thread. Safe from any thread.

#include <chrono>
#include <string>

#include "common/result.h"

namespace wharf::sqs {

class MoveTaskLeases {
 public:
  virtual ~MoveTaskLeases() = default;
  // Takes the lease of `task_id` for this node, or renews the one it holds, until `ttl` from now
  // (the database's now). True when this node holds it on return; false while another node's
  // lease is live. An error is a sentence for the log (the lease is then as it was).
  virtual Result<bool, std::string> Hold(const std::string& task_id,
                                         std::chrono::milliseconds ttl) = 0;
  // Gives up this node's lease of `task_id` (the task ended, or the node stops); nothing happens
  // when it holds none.
  virtual Status<std::string> Release(const std::string& task_id) = 0;
  // The same for the lease of source queue `source_arn` (one active task per source).
  virtual Result<bool, std::string> HoldSource(const std::string& source_arn,
                                               std::chrono::milliseconds ttl) = 0;
  virtual Status<std::string> ReleaseSource(const std::string& source_arn) = 0;
};

}  // namespace wharf::sqs
