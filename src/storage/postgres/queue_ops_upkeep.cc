// PgQueueOps' upkeep of a queue (queue_ops.h): purge, counts and the next visible time (long
// polling, attributes), the database's guard-rail readings, and the maintenance sweeps. Split
// from queue_ops.cc, which keeps the message operations.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "storage/postgres/arrays.h"
#include "storage/postgres/queue_ops.h"
#include "storage/postgres/statements.h"

namespace wharf::storage::pg {

PgResult<int64_t> PgQueueOps::Purge(int64_t queue_id) {
  WHARF_ASSIGN_OR_RETURN(PooledConnection conn, Borrow());
  WHARF_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(*conn));
  WHARF_ASSIGN_OR_RETURN(Rows locked, conn->Execute(sql::kPurgeLockGroups, {Param::Int(queue_id)}));
  (void)locked;
  WHARF_ASSIGN_OR_RETURN(Rows purged, conn->Execute(sql::kPurgeMessages, {Param::Int(queue_id)}));
  WHARF_ASSIGN_OR_RETURN(Rows reset, conn->Execute(sql::kPurgeResetGroups, {Param::Int(queue_id)}));
  (void)reset;
  WHARF_ASSIGN_OR_RETURN(Rows dedup, conn->Execute(sql::kPurgeDedup, {Param::Int(queue_id)}));
  (void)dedup;
  WHARF_RETURN_IF_ERROR(tx.Commit());
  return purged.affected();
}

PgResult<QueueCounts> PgQueueOps::Counts(int64_t queue_id) {
  WHARF_ASSIGN_OR_RETURN(PooledConnection conn, Borrow());
  WHARF_ASSIGN_OR_RETURN(Rows rows, conn->Execute(sql::kCountMessages, {Param::Int(queue_id)}));
  QueueCounts counts;
  WHARF_ASSIGN_OR_RETURN(counts.visible, rows.Int(0, 0));
  WHARF_ASSIGN_OR_RETURN(counts.not_visible, rows.Int(0, 1));
  WHARF_ASSIGN_OR_RETURN(counts.delayed, rows.Int(0, 2));
  return counts;
}

PgResult<std::optional<std::chrono::milliseconds>> PgQueueOps::NextVisibleIn(int64_t queue_id) {
  WHARF_ASSIGN_OR_RETURN(PooledConnection conn, Borrow());
  WHARF_ASSIGN_OR_RETURN(Rows rows, conn->Execute(sql::kNextVisibleIn, {Param::Int(queue_id)}));
  if (rows.IsNull(0, 0)) return std::optional<std::chrono::milliseconds>();
  WHARF_ASSIGN_OR_RETURN(int64_t millis, rows.Int(0, 0));
  return std::optional<std::chrono::milliseconds>(std::chrono::milliseconds(millis));
}

// ---- Guard-rails ----

PgResult<HealthReport> PgQueueOps::Health() {
  WHARF_ASSIGN_OR_RETURN(PooledConnection conn, Borrow());
  WHARF_ASSIGN_OR_RETURN(Rows rows, conn->Execute(sql::kHealth));
  HealthReport report;
  WHARF_ASSIGN_OR_RETURN(report.oldest_snapshot_s, rows.Double(0, 0));
  WHARF_ASSIGN_OR_RETURN(report.oldest_snapshot_xids, rows.Int(0, 1));
  WHARF_ASSIGN_OR_RETURN(report.message_dead_tuples, rows.Int(0, 2));
  WHARF_ASSIGN_OR_RETURN(report.notify_queue_usage, rows.Double(0, 3));
  return report;
}

// ---- Maintenance ----

PgResult<int64_t> PgQueueOps::DeleteExpiredDedup(int64_t queue_id, int batch) {
  WHARF_ASSIGN_OR_RETURN(PooledConnection conn, Borrow());
  WHARF_ASSIGN_OR_RETURN(Rows rows, conn->Execute(sql::kDeleteExpiredDedup,
                                                  {Param::Int(queue_id), Param::Int(batch)}));
  return rows.affected();
}

PgResult<int64_t> PgQueueOps::DeleteExpiredAttempts(int64_t queue_id, int batch) {
  WHARF_ASSIGN_OR_RETURN(PooledConnection conn, Borrow());
  WHARF_ASSIGN_OR_RETURN(Rows rows, conn->Execute(sql::kDeleteExpiredAttempts,
                                                  {Param::Int(queue_id), Param::Int(batch)}));
  return rows.affected();
}

PgResult<int64_t> PgQueueOps::RetentionSweep(int64_t queue_id, int batch) {
  WHARF_ASSIGN_OR_RETURN(PooledConnection conn, Borrow());
  WHARF_ASSIGN_OR_RETURN(
      Rows rows, conn->Execute(sql::kRetentionSweep, {Param::Int(queue_id), Param::Int(batch)}));
  return rows.affected();
}

PgResult<int64_t> PgQueueOps::FifoRetentionSweep(int64_t queue_id, int max_groups, int batch) {
  WHARF_ASSIGN_OR_RETURN(PooledConnection conn, Borrow());
  WHARF_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(*conn));
  WHARF_ASSIGN_OR_RETURN(
      Rows locked,
      conn->Execute(sql::kFifoRetentionLockGroups, {Param::Int(queue_id), Param::Int(max_groups)}));
  if (locked.size() == 0) return int64_t{0};
  std::vector<std::string> groups;
  for (int row = 0; row < locked.size(); ++row) groups.emplace_back(locked.Text(row, 0));
  WHARF_ASSIGN_OR_RETURN(
      Rows swept, conn->Execute(sql::kFifoRetentionSweep,
                                {Param::Int(queue_id), TextArray(groups), Param::Int(batch)}));
  WHARF_ASSIGN_OR_RETURN(int64_t count, swept.Int(0, 0));
  WHARF_RETURN_IF_ERROR(tx.Commit());
  return count;
}

}  // namespace wharf::storage::pg
