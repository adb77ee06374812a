#pragma once

// MoveTaskLeases (sqs/move_task_leases.h) over PostgreSQL's `lease` table: the lease of task
// <id> is the row 'move-task:<id>', that of a source queue 'move-source:<source ARN>', held by this
// node's id (a uuid drawn once per process, so a restarted node is a new holder and waits, like any
// other node, for its old leases to expire).
//
// Threading: safe from any thread; blocks on the pool (not for an I/O thread). The leases must
// outlive this object.

#include <chrono>
#include <string>

#include "sqs/move_task_leases.h"
#include "storage/postgres/leases.h"

namespace wharf::sqs::pg {

class PgMoveTaskLeases final : public MoveTaskLeases {
 public:
  PgMoveTaskLeases(storage::pg::PgLeases& leases, std::string node_id)
      : leases_(leases), node_id_(std::move(node_id)) {}

  Result<bool, std::string> Hold(const std::string& task_id,
                                 std::chrono::milliseconds ttl) override;
  Status<std::string> Release(const std::string& task_id) override;
  Result<bool, std::string> HoldSource(const std::string& source_arn,
                                       std::chrono::milliseconds ttl) override;
  Status<std::string> ReleaseSource(const std::string& source_arn) override;

  const std::string& node_id() const { return node_id_; }
  static std::string LeaseName(const std::string& task_id) { return "move-task:" + task_id; }
  static std::string SourceLeaseName(const std::string& source_arn) {
    return "move-source:" + source_arn;
  }

 private:
  storage::pg::PgLeases& leases_;
  const std::string node_id_;
};

}  // namespace wharf::sqs::pg
