#include "sqs/pg/move_task_leases.h"

namespace wharf::sqs::pg {

Result<bool, std::string> PgMoveTaskLeases::Hold(const std::string& task_id,
                                                 std::chrono::milliseconds ttl) {
  auto held = leases_.Hold(LeaseName(task_id), node_id_, ttl);
  if (!held.ok()) return std::move(held).error().detail;
  return *held;
}

Status<std::string> PgMoveTaskLeases::Release(const std::string& task_id) {
  auto released = leases_.Release(LeaseName(task_id), node_id_);
  if (!released.ok()) return std::move(released).error().detail;
  return {};
}

}  // namespace wharf::sqs::pg
