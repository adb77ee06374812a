#include "sqs/pg/maintenance.h"

#include <utility>

#include "common/log.h"

namespace wharf::sqs::pg {

namespace {
// Rows per statement, and statements per queue and round: a large backlog of expired messages
// is worked off over several rounds instead of holding one long transaction.
constexpr int kBatch = 1000;
constexpr int kBatchesPerRound = 10;
constexpr int kFifoGroupsPerBatch = 100;
}  // namespace

PgMaintenance::PgMaintenance(storage::pg::PgQueueOps& ops, const QueueCatalog& catalog,
                             std::chrono::seconds deleted_name_window, Lead lead)
    : ops_(ops),
      catalog_(catalog),
      deleted_name_window_(deleted_name_window),
      lead_(std::move(lead)) {}

PgMaintenance::~PgMaintenance() { thread_.Stop(); }

void PgMaintenance::Start(std::chrono::milliseconds interval) {
  thread_.Start("wharf-pg-sweep", interval, [this] { RunOnce(); });
}

void PgMaintenance::Count(const storage::pg::PgResult<int64_t>& result, int64_t& into,
                          int64_t queue_id, const char* what, MaintenanceReport& report) {
  if (result.ok()) {
    into += *result;
    return;
  }
  ++report.failures;
  log::Line(log::Level::kWarn, "pg_maintenance_failed")
      .Str("op", what)
      .Int("queue_id", queue_id)
      .Str("detail", result.error().detail);
}

MaintenanceReport PgMaintenance::RunOnce() {
  MaintenanceReport report;
  if (lead_ && !lead_()) {
    report.led = false;
    return report;
  }
  for (const auto& queue : catalog_.All()) {
    const auto id = static_cast<int64_t>(queue->identity().id);
    for (int round = 0; round < kBatchesPerRound; ++round) {
      auto swept = queue->identity().fifo ? ops_.FifoRetentionSweep(id, kFifoGroupsPerBatch, kBatch)
                                          : ops_.RetentionSweep(id, kBatch);
      const int64_t before = report.expired_messages;
      Count(swept, report.expired_messages, id, "retention", report);
      if (!swept.ok() || report.expired_messages - before < kBatch) break;
    }
    if (queue->identity().fifo) {
      Count(ops_.DeleteExpiredDedup(id, kBatch), report.expired_dedup, id, "dedup", report);
      Count(ops_.DeleteExpiredAttempts(id, kBatch), report.expired_dedup, id, "attempts", report);
    }
  }
  Count(ops_.SweepDeletedQueueNames(deleted_name_window_, kBatch), report.forgotten_names, 0,
        "deleted_names", report);
  Count(ops_.SweepDataKeys(kDataKeyHold, kBatch), report.swept_data_keys, 0, "data_keys", report);
  if (report.expired_messages > 0 || report.failures > 0) {
    log::Line(log::Level::kDebug, "pg_maintenance")
        .Int("expired_messages", report.expired_messages)
        .Int("expired_dedup", report.expired_dedup)
        .Int("forgotten_names", report.forgotten_names)
        .Int("swept_data_keys", report.swept_data_keys)
        .Int("failures", report.failures);
  }
  return report;
}

}  // namespace wharf::sqs::pg
