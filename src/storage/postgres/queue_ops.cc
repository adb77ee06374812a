#include "storage/postgres/queue_ops.h"

#include <algorithm>
#include <utility>

#include "common/ids.h"
#include "storage/postgres/migrations.h"
#include "storage/postgres/statements.h"

namespace wharf::storage::pg {
namespace {

// Attempts for statements whose READ COMMITTED snapshot can miss a row a concurrent statement
// committed while this one waited for it (see kCreateQueue and kSendFifo): the next attempt
// takes a new snapshot, which sees it.
constexpr int kSnapshotRetries = 3;

PgError NotFound(std::string what) { return PgError{PgErrorCode::kNotFound, "", std::move(what)}; }

// A fresh receipt / lock token: positive, so it reads the same as bigint everywhere.
int64_t NewToken() { return static_cast<int64_t>(RandomU64() >> 1); }

// `first` is the column of seq; columns follow kReceiveStandard's / kReceiveFifo's order.
PgResult<ReceivedMessage> ReadMessage(const Rows& rows, int row, int first, int64_t token) {
  ReceivedMessage message;
  message.receipt.token = token;
  WHARF_ASSIGN_OR_RETURN(message.receipt.seq, rows.Int(row, first));
  message.message_id = std::string(rows.Text(row, first + 1));
  message.body = std::string(rows.Text(row, first + 2));
  if (!rows.IsNull(row, first + 3)) {
    WHARF_ASSIGN_OR_RETURN(message.attrs, rows.Bytes(row, first + 3));
  }
  WHARF_ASSIGN_OR_RETURN(int64_t receive_count, rows.Int(row, first + 4));
  message.receive_count = static_cast<int>(receive_count);
  WHARF_ASSIGN_OR_RETURN(message.sent_at_ms, rows.Int(row, first + 5));
  WHARF_ASSIGN_OR_RETURN(message.first_receive_ms, rows.Int(row, first + 6));
  return message;
}

void SortBySeq(std::vector<ReceivedMessage>& messages) {
  std::sort(messages.begin(), messages.end(),
            [](const ReceivedMessage& a, const ReceivedMessage& b) {
              return a.receipt.seq < b.receipt.seq;
            });
}

}  // namespace

PgStatus PgQueueOps::Migrate() {
  WHARF_ASSIGN_OR_RETURN(PooledConnection conn, Borrow());
  WHARF_ASSIGN_OR_RETURN(MigrationReport report, pg::Migrate(*conn));
  (void)report;
  return {};
}

// ---- Queues ----

PgResult<CreatedQueue> PgQueueOps::CreateQueue(const QueueConfig& config) {
  WHARF_ASSIGN_OR_RETURN(PooledConnection conn, Borrow());
  for (int attempt = 0; attempt < kSnapshotRetries; ++attempt) {
    WHARF_ASSIGN_OR_RETURN(
        Rows rows,
        conn->Execute(sql::kCreateQueue,
                      {Param::Text(config.account), Param::Text(config.name),
                       Param::Bool(config.fifo), Param::Int(config.visibility_s),
                       Param::Int(config.delay_s), Param::Int(config.retention_s),
                       Param::IntOrNull(config.dlq_id), Param::IntOrNull(config.max_receive)}));
    if (rows.size() == 0) continue;  // a concurrent create won after our snapshot
    CreatedQueue created;
    WHARF_ASSIGN_OR_RETURN(created.queue_id, rows.Int(0, 0));
    WHARF_ASSIGN_OR_RETURN(created.created, rows.Bool(0, 1));
    return created;
  }
  return PgError{PgErrorCode::kBadResult, "", "create_queue: no row after retries"};
}

PgResult<std::optional<QueueRow>> PgQueueOps::GetQueue(const std::string& account,
                                                       const std::string& name) {
  WHARF_ASSIGN_OR_RETURN(PooledConnection conn, Borrow());
  WHARF_ASSIGN_OR_RETURN(Rows rows,
                         conn->Execute(sql::kGetQueue, {Param::Text(account), Param::Text(name)}));
  if (rows.size() == 0) return std::optional<QueueRow>();
  QueueRow row;
  row.config.account = account;
  row.config.name = name;
  WHARF_ASSIGN_OR_RETURN(row.queue_id, rows.Int(0, 0));
  WHARF_ASSIGN_OR_RETURN(row.config.fifo, rows.Bool(0, 1));
  WHARF_ASSIGN_OR_RETURN(int64_t visibility_s, rows.Int(0, 2));
  WHARF_ASSIGN_OR_RETURN(int64_t delay_s, rows.Int(0, 3));
  WHARF_ASSIGN_OR_RETURN(int64_t retention_s, rows.Int(0, 4));
  row.config.visibility_s = static_cast<int>(visibility_s);
  row.config.delay_s = static_cast<int>(delay_s);
  row.config.retention_s = static_cast<int>(retention_s);
  if (!rows.IsNull(0, 5)) {
    WHARF_ASSIGN_OR_RETURN(row.config.dlq_id, rows.Int(0, 5));
  }
  if (!rows.IsNull(0, 6)) {
    WHARF_ASSIGN_OR_RETURN(int64_t max_receive, rows.Int(0, 6));
    row.config.max_receive = static_cast<int>(max_receive);
  }
  return std::optional<QueueRow>(std::move(row));
}

PgStatus PgQueueOps::UpdateQueue(int64_t queue_id, const QueueConfig& config) {
  WHARF_ASSIGN_OR_RETURN(PooledConnection conn, Borrow());
  WHARF_ASSIGN_OR_RETURN(
      Rows rows,
      conn->Execute(sql::kUpdateQueue,
                    {Param::Int(queue_id), Param::Int(config.visibility_s),
                     Param::Int(config.delay_s), Param::Int(config.retention_s),
                     Param::IntOrNull(config.dlq_id), Param::IntOrNull(config.max_receive)}));
  if (rows.affected() == 0) return NotFound("queue " + std::to_string(queue_id));
  return {};
}

PgResult<bool> PgQueueOps::DeleteQueue(int64_t queue_id) {
  WHARF_ASSIGN_OR_RETURN(PooledConnection conn, Borrow());
  WHARF_ASSIGN_OR_RETURN(Rows rows, conn->Execute(sql::kDeleteQueue, {Param::Int(queue_id)}));
  return rows.size() > 0;
}

// ---- Standard queues ----

PgResult<SentMessage> PgQueueOps::Send(int64_t queue_id, const NewMessage& message) {
  WHARF_ASSIGN_OR_RETURN(PooledConnection conn, Borrow());
  WHARF_ASSIGN_OR_RETURN(
      Rows rows,
      conn->Execute(sql::kSendStandard, {Param::Int(queue_id), Param::Text(message.message_id),
                                         Param::IntOrNull(message.delay_s),
                                         Param::Text(message.body), Param::Bytes(message.attrs)}));
  if (rows.size() == 0) return NotFound("standard queue " + std::to_string(queue_id));
  SentMessage sent;
  WHARF_ASSIGN_OR_RETURN(sent.seq, rows.Int(0, 0));
  sent.message_id = message.message_id;
  return sent;
}

PgResult<ReceiveResult> PgQueueOps::Receive(int64_t queue_id, int max_messages,
                                            std::optional<int> visibility_s) {
  WHARF_ASSIGN_OR_RETURN(PooledConnection conn, Borrow());
  int64_t token = NewToken();
  WHARF_ASSIGN_OR_RETURN(
      Rows rows,
      conn->Execute(sql::kReceiveStandard, {Param::Int(queue_id), Param::Int(max_messages),
                                            Param::IntOrNull(visibility_s), Param::Int(token)}));
  ReceiveResult result;
  for (int row = 0; row < rows.size(); ++row) {
    if (row == 0) {
      WHARF_ASSIGN_OR_RETURN(result.moved_to_dlq, rows.Int(0, 7));
    }
    if (rows.IsNull(row, 0)) continue;  // the one row of a receive that returned nothing
    WHARF_ASSIGN_OR_RETURN(ReceivedMessage message, ReadMessage(rows, row, 0, token));
    result.messages.push_back(std::move(message));
  }
  SortBySeq(result.messages);
  return result;
}

PgResult<bool> PgQueueOps::Delete(int64_t queue_id, Receipt receipt) {
  WHARF_ASSIGN_OR_RETURN(PooledConnection conn, Borrow());
  WHARF_ASSIGN_OR_RETURN(
      Rows rows, conn->Execute(sql::kDeleteStandard, {Param::Int(queue_id), Param::Int(receipt.seq),
                                                      Param::Int(receipt.token)}));
  return rows.affected() > 0;
}

PgResult<bool> PgQueueOps::ChangeVisibility(int64_t queue_id, Receipt receipt, int visibility_s) {
  WHARF_ASSIGN_OR_RETURN(PooledConnection conn, Borrow());
  WHARF_ASSIGN_OR_RETURN(Rows rows,
                         conn->Execute(sql::kChangeVisibilityStandard,
                                       {Param::Int(queue_id), Param::Int(receipt.seq),
                                        Param::Int(receipt.token), Param::Int(visibility_s)}));
  return rows.affected() > 0;
}

// ---- FIFO queues ----

PgResult<SentFifoMessage> PgQueueOps::SendFifo(int64_t queue_id, const NewFifoMessage& message) {
  WHARF_ASSIGN_OR_RETURN(PooledConnection conn, Borrow());
  for (int attempt = 0; attempt < kSnapshotRetries; ++attempt) {
    WHARF_ASSIGN_OR_RETURN(
        Rows rows, conn->Execute(sql::kSendFifo,
                                 {Param::Int(queue_id), Param::Text(message.group_id),
                                  Param::Text(message.dedup_id), Param::Text(message.body),
                                  Param::Text(message.message_id), Param::Bytes(message.attrs)}));
    if (rows.size() != 1) return PgError{PgErrorCode::kBadResult, "", "send_fifo: not one row"};
    WHARF_ASSIGN_OR_RETURN(bool queue_exists, rows.Bool(0, 3));
    if (!queue_exists) return NotFound("FIFO queue " + std::to_string(queue_id));
    if (rows.IsNull(0, 0)) continue;  // duplicate of a send committed after our snapshot
    SentFifoMessage sent;
    sent.message_id = std::string(rows.Text(0, 0));
    WHARF_ASSIGN_OR_RETURN(sent.duplicate, rows.Bool(0, 1));
    if (!rows.IsNull(0, 2)) {
      WHARF_ASSIGN_OR_RETURN(sent.seq, rows.Int(0, 2));
    }
    return sent;
  }
  return PgError{PgErrorCode::kBadResult, "", "send_fifo: original id not visible after retries"};
}

PgResult<ReceiveResult> PgQueueOps::ReceiveFifo(int64_t queue_id, int max_messages,
                                                std::optional<int> visibility_s) {
  WHARF_ASSIGN_OR_RETURN(PooledConnection conn, Borrow());
  int64_t token = NewToken();
  WHARF_ASSIGN_OR_RETURN(
      Rows rows,
      conn->Execute(sql::kReceiveFifo, {Param::Int(queue_id), Param::Int(max_messages),
                                        Param::IntOrNull(visibility_s), Param::Int(token)}));
  ReceiveResult result;
  for (int row = 0; row < rows.size(); ++row) {
    WHARF_ASSIGN_OR_RETURN(ReceivedMessage message, ReadMessage(rows, row, 1, token));
    message.group_id = std::string(rows.Text(row, 0));
    result.messages.push_back(std::move(message));
  }
  SortBySeq(result.messages);
  return result;
}

PgResult<bool> PgQueueOps::DeleteFifo(int64_t queue_id, Receipt receipt) {
  WHARF_ASSIGN_OR_RETURN(PooledConnection conn, Borrow());
  WHARF_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(*conn));
  WHARF_ASSIGN_OR_RETURN(
      Rows group,
      conn->Execute(sql::kFifoDeleteLockGroup, {Param::Int(queue_id), Param::Int(receipt.seq)}));
  if (group.size() == 0) return false;  // the message is gone (rolled back: nothing changed)
  std::string group_id(group.Text(0, 0));
  WHARF_ASSIGN_OR_RETURN(Rows deleted, conn->Execute(sql::kFifoDeleteMessage,
                                                     {Param::Int(queue_id), Param::Int(receipt.seq),
                                                      Param::Int(receipt.token)}));
  if (deleted.affected() == 0) return false;  // stale receipt
  WHARF_ASSIGN_OR_RETURN(Rows released, conn->Execute(sql::kFifoDeleteReleaseGroup,
                                                      {Param::Int(queue_id), Param::Text(group_id),
                                                       Param::Int(receipt.token)}));
  (void)released;
  WHARF_RETURN_IF_ERROR(tx.Commit());
  return true;
}

PgResult<bool> PgQueueOps::ChangeVisibilityFifo(int64_t queue_id, Receipt receipt,
                                                int visibility_s) {
  WHARF_ASSIGN_OR_RETURN(PooledConnection conn, Borrow());
  WHARF_ASSIGN_OR_RETURN(Rows rows,
                         conn->Execute(sql::kChangeVisibilityFifo,
                                       {Param::Int(queue_id), Param::Int(receipt.seq),
                                        Param::Int(receipt.token), Param::Int(visibility_s)}));
  return rows.affected() > 0;
}

// ---- Both ----

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

}  // namespace wharf::storage::pg
