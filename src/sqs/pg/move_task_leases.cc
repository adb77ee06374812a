#include "sqs/pg/move_task_leases.h"

namespace wharf::sqs::pg {
namespace {

Result<bool, std::string> HoldRow(storage::pg::PgLeases& leases, const std::string& name,
                                  const std::string& node_id, std::chrono::milliseconds ttl) {
  auto held = leases.Hold(name, node_id, ttl);
  if (!held.ok()) return std::move(held).error().detail;
  return *held;
}

Status<std::string> ReleaseRow(storage::pg::PgLeases& leases, const std::string& name,
                               const std::string& node_id) {
  auto released = leases.Release(name, node_id);
  if (!released.ok()) return std::move(released).error().detail;
  return {};
}

}  // namespace

Result<bool, std::string> PgMoveTaskLeases::Hold(const std::string& task_id,
                                                 std::chrono::milliseconds ttl) {
  return HoldRow(leases_, LeaseName(task_id), node_id_, ttl);
}

Status<std::string> PgMoveTaskLeases::Release(const std::string& task_id) {
  return ReleaseRow(leases_, LeaseName(task_id), node_id_);
}

Result<bool, std::string> PgMoveTaskLeases::HoldSource(const std::string& source_arn,
                                                       std::chrono::milliseconds ttl) {
  return HoldRow(leases_, SourceLeaseName(source_arn), node_id_, ttl);
}

Status<std::string> PgMoveTaskLeases::ReleaseSource(const std::string& source_arn) {
  return ReleaseRow(leases_, SourceLeaseName(source_arn), node_id_);
}

}  // namespace wharf::sqs::pg
