#include "storage/postgres/queue_ops.h"

#include <algorithm>
#include <chrono>
#include <set>
#include <thread>
#include <unordered_map>
#include <utility>

#include "common/ids.h"
#include "storage/postgres/arrays.h"
#include "storage/postgres/migrations.h"
#include "storage/postgres/sealed_frame.h"
#include "storage/postgres/statements.h"

namespace wharf::storage::pg {
namespace {

// Attempts for statements whose READ COMMITTED snapshot can miss a row a concurrent statement
// committed while this one waited for it (see kCreateQueue and kSendFifo): the next attempt
// takes a new snapshot, which sees it.
constexpr int kSnapshotRetries = 3;

// Attempts for a FIFO batch that the server aborted as a deadlock victim, and the pause before
// each retry: without it the victim restarts while the winner is still mid-batch and the two
// cross again (seen 2 times in 30 runs of the crossed-batches test with 3 immediate attempts).
constexpr int kDeadlockRetries = 6;
void PauseAfterDeadlock(int attempt) {
  const auto base = std::chrono::milliseconds(5 * (attempt + 1));
  const auto jitter = std::chrono::microseconds(RandomU64() % 5000);
  std::this_thread::sleep_for(base + jitter);
}

PgError NotFound(std::string what) { return PgError{PgErrorCode::kNotFound, "", std::move(what)}; }

// An optional text parameter: "" is NULL.
Param TextOrNull(const std::string& text) {
  return text.empty() ? Param::Null() : Param::Text(text);
}

// A fresh receipt / lock token: positive, so it reads the same as bigint everywhere.
int64_t NewToken() { return static_cast<int64_t>(RandomU64() >> 1); }

// The `body` and `attrs` columns of a message to store: a sealed body goes into a frame in
// attrs (sealed_frame.h), a body in clear stays where it was.
template <typename Message>
std::string StoredBody(const Message& message) {
  return message.data_key_id != 0 ? std::string() : message.body;
}
template <typename Message>
std::string StoredAttrs(const Message& message) {
  return message.data_key_id != 0 ? FrameSealed(message.data_key_id, message.attrs, message.body)
                                  : message.attrs;
}
// Attributes of a message in clear that would read back as a frame are refused.
template <typename Message>
PgStatus CheckStorable(const Message& message) {
  if (message.data_key_id == 0 && LooksFramed(message.attrs)) {
    return PgError{PgErrorCode::kBadResult, "", "message attrs start with the sealed frame tag"};
  }
  return {};
}

// `first` is the column of seq; columns follow kReceiveStandard's / kReceiveFifo's order.
PgResult<ReceivedMessage> ReadMessage(const Rows& rows, int row, int first, int64_t token) {
  ReceivedMessage message;
  message.receipt.token = token;
  WHARF_ASSIGN_OR_RETURN(message.receipt.seq, rows.Int(row, first));
  message.message_id = std::string(rows.Text(row, first + 1));
  message.body = std::string(rows.Text(row, first + 2));
  if (!rows.IsNull(row, first + 3)) {
    WHARF_ASSIGN_OR_RETURN(message.attrs, rows.Bytes(row, first + 3));
    if (auto sealed = UnframeSealed(message.attrs)) {
      message.data_key_id = sealed->data_key_id;
      message.attrs = std::move(sealed->attrs);
      message.body = std::move(sealed->sealed);
    }
  }
  WHARF_ASSIGN_OR_RETURN(int64_t receive_count, rows.Int(row, first + 4));
  message.receive_count = static_cast<int>(receive_count);
  WHARF_ASSIGN_OR_RETURN(message.sent_at_ms, rows.Int(row, first + 5));
  if (!rows.IsNull(row, first + 6)) {  // NULL only for a peek at a message never received
    WHARF_ASSIGN_OR_RETURN(message.first_receive_ms, rows.Int(row, first + 6));
  }
  if (!rows.IsNull(row, first + 7))
    message.dead_letter_source = std::string(rows.Text(row, first + 7));
  return message;
}

void SortBySeq(std::vector<ReceivedMessage>& messages) {
  std::sort(messages.begin(), messages.end(),
            [](const ReceivedMessage& a, const ReceivedMessage& b) {
              return a.receipt.seq < b.receipt.seq;
            });
}

PgError TooManyEntries(size_t entries) {
  return PgError{PgErrorCode::kBadResult, "",
                 "batch of " + std::to_string(entries) + " entries (at most " +
                     std::to_string(kMaxBatchEntries) + ")"};
}

// The seq and token columns of a batch of receipts, as the batch statements take them.
std::pair<std::vector<int64_t>, std::vector<int64_t>> Columns(std::span<const Receipt> receipts) {
  std::pair<std::vector<int64_t>, std::vector<int64_t>> columns;
  for (const Receipt& receipt : receipts) {
    columns.first.push_back(receipt.seq);
    columns.second.push_back(receipt.token);
  }
  return columns;
}

// Per entry: deleted when the statement returned its (seq, receipt) pair (an entry repeated in
// the batch with the same receipt counts as deleted both times, as SQS treats a repeated
// delete; a copy with a stale receipt does not).
PgResult<std::vector<bool>> Outcomes(std::span<const Receipt> receipts, const Rows& deleted) {
  std::set<std::pair<int64_t, int64_t>> pairs;
  for (int row = 0; row < deleted.size(); ++row) {
    WHARF_ASSIGN_OR_RETURN(int64_t seq, deleted.Int(row, 0));
    WHARF_ASSIGN_OR_RETURN(int64_t token, deleted.Int(row, 1));
    pairs.emplace(seq, token);
  }
  std::vector<bool> outcomes;
  for (const Receipt& receipt : receipts) {
    outcomes.push_back(pairs.contains({receipt.seq, receipt.token}));
  }
  return outcomes;
}

// The answer of change_visibility_standard / change_visibility_fifo: no row when nothing is in
// flight under the receipt, else whether the change was within the cap.
PgResult<VisibilityChange> VisibilityChangeOf(const Rows& rows) {
  if (rows.size() == 0) return VisibilityChange::kNotInFlight;
  WHARF_ASSIGN_OR_RETURN(bool within_cap, rows.Bool(0, 0));
  return within_cap ? VisibilityChange::kChanged : VisibilityChange::kBeyondCap;
}

}  // namespace

PgStatus PgQueueOps::Migrate() {
  WHARF_ASSIGN_OR_RETURN(PooledConnection conn, Borrow());
  WHARF_ASSIGN_OR_RETURN(MigrationReport report, pg::Migrate(*conn));
  (void)report;
  return {};
}

// ---- Queues ----

PgResult<CreatedQueue> PgQueueOps::CreateQueue(const QueueConfig& config,
                                               std::chrono::seconds deleted_recently_window) {
  const Param window = Param::Int(deleted_recently_window.count());
  WHARF_ASSIGN_OR_RETURN(PooledConnection conn, Borrow());
  for (int attempt = 0; attempt < kSnapshotRetries; ++attempt) {
    // A transaction only when there is a window to re-check after the insert (kCreateQueue).
    std::optional<Transaction> tx;
    if (deleted_recently_window.count() > 0) {
      WHARF_ASSIGN_OR_RETURN(Transaction begun, Transaction::Begin(*conn));
      tx.emplace(std::move(begun));
    }
    WHARF_ASSIGN_OR_RETURN(
        Rows rows,
        conn->Execute(sql::kCreateQueue,
                      {Param::Text(config.account), Param::Text(config.name),
                       Param::Bool(config.fifo), Param::Int(config.visibility_s),
                       Param::Int(config.delay_s), Param::Int(config.retention_s),
                       Param::IntOrNull(config.dlq_id), Param::IntOrNull(config.max_receive),
                       Param::Text(config.attrs_json), Param::Text(config.tags_json), window}));
    if (rows.size() == 0) continue;  // a concurrent create won after our snapshot (rolls back)
    CreatedQueue created;
    WHARF_ASSIGN_OR_RETURN(created.deleted_recently, rows.Bool(0, 2));
    if (created.deleted_recently) return created;  // nothing inserted; `tx` rolls back
    WHARF_ASSIGN_OR_RETURN(created.queue_id, rows.Int(0, 0));
    WHARF_ASSIGN_OR_RETURN(created.created, rows.Bool(0, 1));
    if (tx) {
      if (created.created) {
        // A delete of this name that committed while the insert waited for it: our statement's
        // snapshot could not see its record, this one can.
        WHARF_ASSIGN_OR_RETURN(Rows recent, conn->Execute(sql::kDeletedQueueNameRecent,
                                                          {Param::Text(config.account),
                                                           Param::Text(config.name), window}));
        if (recent.size() > 0) return CreatedQueue{0, false, true};  // `tx` rolls back
      }
      WHARF_RETURN_IF_ERROR(tx->Commit());
    }
    return created;
  }
  return PgError{PgErrorCode::kBadResult, "", "create_queue: no row after retries"};
}

namespace {

// One queue row in the column order of get_queue / get_queue_by_id / list_queues.
PgResult<QueueRow> ReadQueueRow(const Rows& rows, int r) {
  QueueRow row;
  WHARF_ASSIGN_OR_RETURN(row.queue_id, rows.Int(r, 0));
  row.config.account = std::string(rows.Text(r, 1));
  row.config.name = std::string(rows.Text(r, 2));
  WHARF_ASSIGN_OR_RETURN(row.config.fifo, rows.Bool(r, 3));
  WHARF_ASSIGN_OR_RETURN(int64_t visibility_s, rows.Int(r, 4));
  WHARF_ASSIGN_OR_RETURN(int64_t delay_s, rows.Int(r, 5));
  WHARF_ASSIGN_OR_RETURN(int64_t retention_s, rows.Int(r, 6));
  row.config.visibility_s = static_cast<int>(visibility_s);
  row.config.delay_s = static_cast<int>(delay_s);
  row.config.retention_s = static_cast<int>(retention_s);
  if (!rows.IsNull(r, 7)) {
    WHARF_ASSIGN_OR_RETURN(row.config.dlq_id, rows.Int(r, 7));
  }
  if (!rows.IsNull(r, 8)) {
    WHARF_ASSIGN_OR_RETURN(int64_t max_receive, rows.Int(r, 8));
    row.config.max_receive = static_cast<int>(max_receive);
  }
  row.config.attrs_json = std::string(rows.Text(r, 9));
  row.config.tags_json = std::string(rows.Text(r, 10));
  WHARF_ASSIGN_OR_RETURN(row.created_at, rows.Int(r, 11));
  WHARF_ASSIGN_OR_RETURN(row.modified_at, rows.Int(r, 12));
  WHARF_ASSIGN_OR_RETURN(row.version, rows.Int(r, 13));
  return row;
}

PgResult<std::optional<QueueRow>> ReadOptionalQueueRow(const Rows& rows) {
  if (rows.size() == 0) return std::optional<QueueRow>();
  WHARF_ASSIGN_OR_RETURN(QueueRow row, ReadQueueRow(rows, 0));
  return std::optional<QueueRow>(std::move(row));
}

// The answer of update_queue / set_queue_tags: (new version or NULL, queue_exists).
PgResult<bool> VersionedUpdateOutcome(const Rows& rows, int64_t queue_id) {
  if (rows.size() != 1) {
    return PgError{PgErrorCode::kBadResult, "", "versioned update: expected one row"};
  }
  if (!rows.IsNull(0, 0)) return true;
  WHARF_ASSIGN_OR_RETURN(bool exists, rows.Bool(0, 1));
  if (!exists) return NotFound("queue " + std::to_string(queue_id));
  return false;
}

}  // namespace

PgResult<std::optional<QueueRow>> PgQueueOps::GetQueue(const std::string& account,
                                                       const std::string& name) {
  WHARF_ASSIGN_OR_RETURN(PooledConnection conn, Borrow());
  WHARF_ASSIGN_OR_RETURN(Rows rows,
                         conn->Execute(sql::kGetQueue, {Param::Text(account), Param::Text(name)}));
  return ReadOptionalQueueRow(rows);
}

PgResult<std::optional<QueueRow>> PgQueueOps::GetQueueById(int64_t queue_id) {
  WHARF_ASSIGN_OR_RETURN(PooledConnection conn, Borrow());
  WHARF_ASSIGN_OR_RETURN(Rows rows, conn->Execute(sql::kGetQueueById, {Param::Int(queue_id)}));
  return ReadOptionalQueueRow(rows);
}

PgResult<std::vector<QueueRow>> PgQueueOps::ListQueues(const std::string& account,
                                                       const std::string& prefix,
                                                       const std::string& after, int64_t limit) {
  WHARF_ASSIGN_OR_RETURN(PooledConnection conn, Borrow());
  WHARF_ASSIGN_OR_RETURN(Rows rows,
                         conn->Execute(sql::kListQueues, {Param::Text(account), Param::Text(prefix),
                                                          Param::Text(after), Param::Int(limit)}));
  std::vector<QueueRow> out;
  out.reserve(static_cast<size_t>(rows.size()));
  for (int r = 0; r < rows.size(); ++r) {
    WHARF_ASSIGN_OR_RETURN(QueueRow row, ReadQueueRow(rows, r));
    out.push_back(std::move(row));
  }
  return out;
}

PgResult<std::vector<QueueRow>> PgQueueOps::ListAllQueues(int64_t after_id, int64_t limit) {
  WHARF_ASSIGN_OR_RETURN(PooledConnection conn, Borrow());
  WHARF_ASSIGN_OR_RETURN(
      Rows rows, conn->Execute(sql::kListAllQueues, {Param::Int(after_id), Param::Int(limit)}));
  std::vector<QueueRow> out;
  out.reserve(static_cast<size_t>(rows.size()));
  for (int r = 0; r < rows.size(); ++r) {
    WHARF_ASSIGN_OR_RETURN(QueueRow row, ReadQueueRow(rows, r));
    out.push_back(std::move(row));
  }
  return out;
}

PgStatus PgQueueOps::UpdateQueue(int64_t queue_id, const QueueConfig& config) {
  WHARF_ASSIGN_OR_RETURN(PooledConnection conn, Borrow());
  WHARF_ASSIGN_OR_RETURN(
      Rows rows,
      conn->Execute(
          sql::kUpdateQueue,
          {Param::Int(queue_id), Param::Int(config.visibility_s), Param::Int(config.delay_s),
           Param::Int(config.retention_s), Param::IntOrNull(config.dlq_id),
           Param::IntOrNull(config.max_receive), Param::Text(config.attrs_json), Param::Null()}));
  WHARF_ASSIGN_OR_RETURN(bool updated, VersionedUpdateOutcome(rows, queue_id));
  // No expected version: only a queue deleted while the update waited lands here.
  if (!updated) return NotFound("queue " + std::to_string(queue_id));
  return {};
}

PgResult<bool> PgQueueOps::UpdateQueue(int64_t queue_id, const QueueConfig& config,
                                       int64_t expected_version) {
  WHARF_ASSIGN_OR_RETURN(PooledConnection conn, Borrow());
  WHARF_ASSIGN_OR_RETURN(
      Rows rows,
      conn->Execute(sql::kUpdateQueue,
                    {Param::Int(queue_id), Param::Int(config.visibility_s),
                     Param::Int(config.delay_s), Param::Int(config.retention_s),
                     Param::IntOrNull(config.dlq_id), Param::IntOrNull(config.max_receive),
                     Param::Text(config.attrs_json), Param::Int(expected_version)}));
  return VersionedUpdateOutcome(rows, queue_id);
}

PgResult<bool> PgQueueOps::SetTags(int64_t queue_id, const std::string& tags_json,
                                   int64_t expected_version) {
  WHARF_ASSIGN_OR_RETURN(PooledConnection conn, Borrow());
  WHARF_ASSIGN_OR_RETURN(
      Rows rows, conn->Execute(sql::kSetQueueTags, {Param::Int(queue_id), Param::Text(tags_json),
                                                    Param::Int(expected_version)}));
  return VersionedUpdateOutcome(rows, queue_id);
}

PgResult<bool> PgQueueOps::DeleteQueue(int64_t queue_id) {
  WHARF_ASSIGN_OR_RETURN(PooledConnection conn, Borrow());
  WHARF_ASSIGN_OR_RETURN(Rows rows, conn->Execute(sql::kDeleteQueue, {Param::Int(queue_id)}));
  return rows.size() > 0;
}

PgResult<int64_t> PgQueueOps::SweepDeletedQueueNames(std::chrono::seconds older_than, int batch) {
  WHARF_ASSIGN_OR_RETURN(PooledConnection conn, Borrow());
  WHARF_ASSIGN_OR_RETURN(Rows rows,
                         conn->Execute(sql::kSweepDeletedQueueNames,
                                       {Param::Int(older_than.count()), Param::Int(batch)}));
  return rows.affected();
}

PgResult<std::string> PgQueueOps::ClaimDeploymentValue(const std::string& name,
                                                       const std::string& value) {
  WHARF_ASSIGN_OR_RETURN(PooledConnection conn, Borrow());
  // A claim that lost to one committed after its snapshot sees no row; the next statement's
  // snapshot has it.
  for (int attempt = 0; attempt < 3; ++attempt) {
    WHARF_ASSIGN_OR_RETURN(Rows rows, conn->Execute(sql::kClaimDeploymentValue,
                                                    {Param::Text(name), Param::Text(value)}));
    if (rows.size() == 1) return std::string(rows.Text(0, 0));
  }
  return PgError{PgErrorCode::kBadResult, "", "claim_deployment_value returned no row"};
}

// ---- Standard queues ----

PgResult<SentMessage> PgQueueOps::Send(int64_t queue_id, const NewMessage& message) {
  WHARF_RETURN_IF_ERROR(CheckStorable(message));
  WHARF_ASSIGN_OR_RETURN(PooledConnection conn, Borrow());
  WHARF_ASSIGN_OR_RETURN(
      Rows rows, conn->Execute(sql::kSendStandard,
                               {Param::Int(queue_id), Param::Text(message.message_id),
                                Param::IntOrNull(message.delay_s), Param::Text(StoredBody(message)),
                                Param::Bytes(StoredAttrs(message))}));
  if (rows.size() == 0) return NotFound("standard queue " + std::to_string(queue_id));
  SentMessage sent;
  WHARF_ASSIGN_OR_RETURN(sent.seq, rows.Int(0, 0));
  sent.message_id = message.message_id;
  return sent;
}

PgResult<ReceiveResult> PgQueueOps::Receive(int64_t queue_id, int max_messages,
                                            std::optional<int> visibility_s,
                                            const std::string& queue_arn) {
  WHARF_ASSIGN_OR_RETURN(PooledConnection conn, Borrow());
  int64_t token = NewToken();
  WHARF_ASSIGN_OR_RETURN(Rows rows, conn->Execute(sql::kReceiveStandard,
                                                  {Param::Int(queue_id), Param::Int(max_messages),
                                                   Param::IntOrNull(visibility_s),
                                                   Param::Int(token), TextOrNull(queue_arn)}));
  ReceiveResult result;
  for (int row = 0; row < rows.size(); ++row) {
    if (row == 0) {
      WHARF_ASSIGN_OR_RETURN(result.moved_to_dlq, rows.Int(0, 8));
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

PgResult<VisibilityChange> PgQueueOps::ChangeVisibility(int64_t queue_id, Receipt receipt,
                                                        int visibility_s, int max_since_receive_s) {
  WHARF_ASSIGN_OR_RETURN(PooledConnection conn, Borrow());
  WHARF_ASSIGN_OR_RETURN(
      Rows rows,
      conn->Execute(sql::kChangeVisibilityStandard,
                    {Param::Int(queue_id), Param::Int(receipt.seq), Param::Int(receipt.token),
                     Param::Int(visibility_s), Param::Int(max_since_receive_s)}));
  return VisibilityChangeOf(rows);
}

PgResult<std::optional<int64_t>> PgQueueOps::CurrentReceipt(int64_t queue_id, int64_t seq) {
  WHARF_ASSIGN_OR_RETURN(PooledConnection conn, Borrow());
  WHARF_ASSIGN_OR_RETURN(
      Rows rows, conn->Execute(sql::kMessageReceipt, {Param::Int(queue_id), Param::Int(seq)}));
  if (rows.size() == 0) return std::optional<int64_t>();
  if (rows.IsNull(0, 0)) return std::optional<int64_t>(0);
  WHARF_ASSIGN_OR_RETURN(int64_t token, rows.Int(0, 0));
  return std::optional<int64_t>(token);
}

PgResult<std::vector<SentMessage>> PgQueueOps::SendBatch(int64_t queue_id,
                                                         std::span<const NewMessage> messages) {
  if (messages.size() > kMaxBatchEntries) return TooManyEntries(messages.size());
  std::vector<SentMessage> sent;
  if (messages.empty()) return sent;
  std::vector<std::string> ids, bodies, attrs;
  std::vector<std::optional<int64_t>> delays;
  for (const NewMessage& message : messages) {
    WHARF_RETURN_IF_ERROR(CheckStorable(message));
    ids.push_back(message.message_id);
    bodies.push_back(StoredBody(message));
    attrs.push_back(StoredAttrs(message));
    delays.push_back(message.delay_s ? std::optional<int64_t>(*message.delay_s) : std::nullopt);
  }
  WHARF_ASSIGN_OR_RETURN(PooledConnection conn, Borrow());
  WHARF_ASSIGN_OR_RETURN(
      Rows rows, conn->Execute(sql::kSendStandardBatch,
                               {Param::Int(queue_id), TextArray(ids), IntOrNullArray(delays),
                                TextArray(bodies), BytesArray(attrs)}));
  if (rows.size() == 0) return NotFound("standard queue " + std::to_string(queue_id));
  if (rows.size() != static_cast<int>(messages.size())) {
    return PgError{PgErrorCode::kBadResult, "", "send_standard_batch: row count"};
  }
  // RETURNING's order is not promised: match rows to entries by message id.
  std::unordered_map<std::string, int64_t> seq_by_id;
  for (int row = 0; row < rows.size(); ++row) {
    WHARF_ASSIGN_OR_RETURN(int64_t seq, rows.Int(row, 0));
    seq_by_id[std::string(rows.Text(row, 1))] = seq;
  }
  for (const NewMessage& message : messages) {
    auto it = seq_by_id.find(message.message_id);
    if (it == seq_by_id.end()) {
      return PgError{PgErrorCode::kBadResult, "", "send_standard_batch: id not returned"};
    }
    sent.push_back(SentMessage{it->second, message.message_id});
  }
  return sent;
}

PgResult<std::vector<bool>> PgQueueOps::DeleteBatch(int64_t queue_id,
                                                    std::span<const Receipt> receipts) {
  if (receipts.size() > kMaxBatchEntries) return TooManyEntries(receipts.size());
  if (receipts.empty()) return std::vector<bool>();
  // One single-row delete by primary key per entry, pipelined in one round trip and one
  // transaction (one commit for the batch). Not delete_standard_batch's one statement: its
  // generic plan, made while the table was small, can scan the queue's whole message_ready
  // range per batch (seen: 190 ms per batch of 10 on a 20,000-message queue); an equality on
  // the whole primary key cannot degrade.
  std::vector<PipelineStep> steps;
  steps.reserve(receipts.size());
  for (const Receipt& receipt : receipts) {
    steps.push_back(
        PipelineStep{&sql::kDeleteStandard,
                     {Param::Int(queue_id), Param::Int(receipt.seq), Param::Int(receipt.token)}});
  }
  WHARF_ASSIGN_OR_RETURN(PooledConnection conn, Borrow());
  WHARF_ASSIGN_OR_RETURN(std::vector<Rows> answers, conn->ExecutePipelined(steps));
  std::vector<bool> out;
  out.reserve(receipts.size());
  for (const Rows& rows : answers) out.push_back(rows.affected() > 0);
  return out;
}

// ---- FIFO queues ----

PgResult<SentFifoMessage> PgQueueOps::SendFifo(int64_t queue_id, const NewFifoMessage& message) {
  WHARF_RETURN_IF_ERROR(CheckStorable(message));
  WHARF_ASSIGN_OR_RETURN(PooledConnection conn, Borrow());
  for (int attempt = 0; attempt < kSnapshotRetries; ++attempt) {
    WHARF_ASSIGN_OR_RETURN(
        Rows rows,
        conn->Execute(sql::kSendFifo,
                      {Param::Int(queue_id), Param::Text(message.group_id),
                       Param::Text(message.dedup_id), Param::Text(StoredBody(message)),
                       Param::Text(message.message_id), Param::Bytes(StoredAttrs(message))}));
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
    if (sent.duplicate && !rows.IsNull(0, 4)) {
      WHARF_ASSIGN_OR_RETURN(sent.original_seq, rows.Int(0, 4));
    }
    return sent;
  }
  return PgError{PgErrorCode::kBadResult, "", "send_fifo: original id not visible after retries"};
}

PgResult<ReceiveResult> PgQueueOps::ReceiveFifo(int64_t queue_id, int max_messages,
                                                std::optional<int> visibility_s,
                                                const std::optional<std::string>& attempt_id,
                                                const std::string& queue_arn) {
  WHARF_ASSIGN_OR_RETURN(PooledConnection conn, Borrow());
  ReceiveResult result;
  WHARF_ASSIGN_OR_RETURN(result.moved_to_dlq,
                         RedriveFifo(*conn, queue_id, max_messages, queue_arn));
  int64_t token = NewToken();
  std::optional<Transaction> tx;
  if (attempt_id) {
    // The claim and the receive commit together: a receive that fails leaves no claim whose
    // replay would return nothing for 5 minutes.
    WHARF_ASSIGN_OR_RETURN(Transaction begun, Transaction::Begin(*conn));
    tx.emplace(std::move(begun));
    WHARF_ASSIGN_OR_RETURN(
        Rows claimed,
        conn->Execute(sql::kClaimReceiveAttempt,
                      {Param::Int(queue_id), Param::Text(*attempt_id), Param::Int(token)}));
    if (claimed.size() == 0) {
      // Taken by an earlier receive (committed: the claim waited for it if it was in progress).
      tx.reset();  // rolls back; nothing was written
      WHARF_ASSIGN_OR_RETURN(
          Rows rows,
          conn->Execute(sql::kReplayReceiveAttempt, {Param::Int(queue_id), Param::Text(*attempt_id),
                                                     Param::IntOrNull(visibility_s)}));
      if (rows.size() == 0) {
        // Expired between the claim and the replay: rare; the caller may retry.
        return PgError{PgErrorCode::kBadResult, "", "receive attempt expired during replay"};
      }
      result.replayed = true;
      WHARF_ASSIGN_OR_RETURN(int64_t held_token, rows.Int(0, 0));
      for (int row = 0; row < rows.size(); ++row) {
        if (rows.IsNull(row, 2)) continue;  // known attempt, nothing held any more
        WHARF_ASSIGN_OR_RETURN(ReceivedMessage message, ReadMessage(rows, row, 2, held_token));
        message.group_id = std::string(rows.Text(row, 1));
        result.messages.push_back(std::move(message));
      }
      SortBySeq(result.messages);
      return result;
    }
  }
  WHARF_ASSIGN_OR_RETURN(
      Rows rows,
      conn->Execute(sql::kReceiveFifo, {Param::Int(queue_id), Param::Int(max_messages),
                                        Param::IntOrNull(visibility_s), Param::Int(token)}));
  for (int row = 0; row < rows.size(); ++row) {
    WHARF_ASSIGN_OR_RETURN(ReceivedMessage message, ReadMessage(rows, row, 1, token));
    message.group_id = std::string(rows.Text(row, 0));
    result.messages.push_back(std::move(message));
  }
  // A claim is kept only for a receive that returned messages: an empty one is rolled back, so a
  // retry (or a long poll repeating the call with the same id) receives afresh instead of
  // replaying nothing for 5 minutes.
  if (tx && !result.messages.empty()) WHARF_RETURN_IF_ERROR(tx->Commit());
  SortBySeq(result.messages);
  return result;
}

// ---- Move tasks and peeking ----

PgResult<MoveOutcome> PgQueueOps::MoveOut(int64_t queue_id, bool fifo, int max_messages,
                                          std::optional<int64_t> fixed_destination) {
  WHARF_ASSIGN_OR_RETURN(PooledConnection conn, Borrow());
  WHARF_ASSIGN_OR_RETURN(Rows rows, conn->Execute(fifo ? sql::kMoveOutFifo : sql::kMoveOutStandard,
                                                  {Param::Int(queue_id), Param::Int(max_messages),
                                                   Param::IntOrNull(fixed_destination)}));
  MoveOutcome outcome;
  for (int row = 0; row < rows.size(); ++row) {
    if (row == 0) {
      WHARF_ASSIGN_OR_RETURN(outcome.stuck, rows.Int(0, 0));
    }
    if (rows.IsNull(row, 1)) continue;  // nothing moved
    WHARF_ASSIGN_OR_RETURN(int64_t destination, rows.Int(row, 1));
    WHARF_ASSIGN_OR_RETURN(int64_t moved, rows.Int(row, 2));
    outcome.destinations.push_back(destination);
    outcome.moved += moved;
  }
  return outcome;
}

PgResult<std::vector<PeekedRow>> PgQueueOps::Peek(int64_t queue_id, int max_messages) {
  WHARF_ASSIGN_OR_RETURN(PooledConnection conn, Borrow());
  WHARF_ASSIGN_OR_RETURN(Rows rows, conn->Execute(sql::kPeekMessages, {Param::Int(queue_id),
                                                                       Param::Int(max_messages)}));
  std::vector<PeekedRow> peeked;
  peeked.reserve(static_cast<size_t>(rows.size()));
  for (int row = 0; row < rows.size(); ++row) {
    PeekedRow p;
    WHARF_ASSIGN_OR_RETURN(p.message, ReadMessage(rows, row, 0, 0));
    if (!rows.IsNull(row, 8)) p.message.group_id = std::string(rows.Text(row, 8));
    const std::string_view state = rows.Text(row, 9);
    p.state = state == "visible"   ? PeekedRow::State::kVisible
              : state == "delayed" ? PeekedRow::State::kDelayed
                                   : PeekedRow::State::kInFlight;
    WHARF_ASSIGN_OR_RETURN(p.visible_at_ms, rows.Int(row, 10));
    peeked.push_back(std::move(p));
  }
  return peeked;
}

PgResult<int64_t> PgQueueOps::RedriveFifo(Connection& conn, int64_t queue_id, int max_groups,
                                          const std::string& queue_arn) {
  // The probe keeps the common case (nothing over-received, or no DLQ) to one index probe
  // without a transaction.
  WHARF_ASSIGN_OR_RETURN(Rows probe, conn.Execute(sql::kFifoRedriveProbe, {Param::Int(queue_id)}));
  WHARF_ASSIGN_OR_RETURN(bool needed, probe.Bool(0, 0));
  if (!needed) return int64_t{0};
  // Locking the groups first, then moving in a second statement, gives the move a snapshot that
  // sees every send committed to those groups (the FIFO delete's reasoning).
  WHARF_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(conn));
  WHARF_ASSIGN_OR_RETURN(Rows locked, conn.Execute(sql::kFifoRedriveLockGroups,
                                                   {Param::Int(queue_id), Param::Int(max_groups)}));
  if (locked.size() == 0) return int64_t{0};  // taken by a concurrent receive or send
  std::vector<std::string> groups;
  for (int row = 0; row < locked.size(); ++row) groups.emplace_back(locked.Text(row, 0));
  WHARF_ASSIGN_OR_RETURN(
      Rows moved, conn.Execute(sql::kFifoRedriveMove,
                               {Param::Int(queue_id), TextArray(groups), TextOrNull(queue_arn)}));
  WHARF_ASSIGN_OR_RETURN(int64_t count, moved.Int(0, 0));
  WHARF_RETURN_IF_ERROR(tx.Commit());
  return count;
}

PgResult<std::vector<SentFifoMessage>> PgQueueOps::SendFifoBatch(
    int64_t queue_id, std::span<const NewFifoMessage> messages) {
  if (messages.size() > kMaxBatchEntries) return TooManyEntries(messages.size());
  std::vector<SentFifoMessage> sent;
  if (messages.empty()) return sent;
  std::vector<PipelineStep> steps;
  steps.reserve(messages.size());
  for (const NewFifoMessage& message : messages) {
    WHARF_RETURN_IF_ERROR(CheckStorable(message));
    steps.push_back(
        PipelineStep{&sql::kSendFifo,
                     {Param::Int(queue_id), Param::Text(message.group_id),
                      Param::Text(message.dedup_id), Param::Text(StoredBody(message)),
                      Param::Text(message.message_id), Param::Bytes(StoredAttrs(message))}});
  }
  WHARF_ASSIGN_OR_RETURN(PooledConnection conn, Borrow());
  // Two batches that touch the same dedup ids or groups in opposite orders can deadlock (each
  // statement takes its row locks in entry order, which must stay the send order); the server
  // then aborts one, which runs again from the start.
  PgResult<std::vector<Rows>> answers = PgError{PgErrorCode::kBadResult, "", "not run"};
  for (int attempt = 0; attempt < kDeadlockRetries; ++attempt) {
    answers = conn->ExecutePipelined(steps);
    if (answers.ok() || answers.error().sqlstate != kSqlStateDeadlock) break;
    if (attempt + 1 < kDeadlockRetries) PauseAfterDeadlock(attempt);
  }
  if (!answers.ok()) return std::move(answers).error();
  for (size_t i = 0; i < messages.size(); ++i) {
    const Rows& rows = (*answers)[i];
    if (rows.size() != 1) return PgError{PgErrorCode::kBadResult, "", "send_fifo: not one row"};
    WHARF_ASSIGN_OR_RETURN(bool queue_exists, rows.Bool(0, 3));
    if (!queue_exists) return NotFound("FIFO queue " + std::to_string(queue_id));
    SentFifoMessage entry;
    WHARF_ASSIGN_OR_RETURN(entry.duplicate, rows.Bool(0, 1));
    if (!rows.IsNull(0, 2)) {
      WHARF_ASSIGN_OR_RETURN(entry.seq, rows.Int(0, 2));
    }
    if (entry.duplicate && !rows.IsNull(0, 4)) {
      WHARF_ASSIGN_OR_RETURN(entry.original_seq, rows.Int(0, 4));
    }
    if (!rows.IsNull(0, 0)) {
      entry.message_id = std::string(rows.Text(0, 0));
    } else {
      // A duplicate of a send that committed after this entry's snapshot: it stored nothing, so
      // reading the original's id after the batch committed is exact.
      WHARF_ASSIGN_OR_RETURN(
          Rows original, conn->Execute(sql::kGetDedupMessage,
                                       {Param::Int(queue_id), Param::Text(messages[i].dedup_id)}));
      if (original.size() == 0) {
        return PgError{PgErrorCode::kBadResult, "", "send_fifo_batch: original id not found"};
      }
      entry.message_id = std::string(original.Text(0, 0));
      if (!original.IsNull(0, 1)) {
        WHARF_ASSIGN_OR_RETURN(entry.original_seq, original.Int(0, 1));
      }
    }
    sent.push_back(std::move(entry));
  }
  return sent;
}

PgResult<std::vector<bool>> PgQueueOps::DeleteFifoBatch(int64_t queue_id,
                                                        std::span<const Receipt> receipts) {
  if (receipts.size() > kMaxBatchEntries) return TooManyEntries(receipts.size());
  if (receipts.empty()) return std::vector<bool>();
  auto [seqs, tokens] = Columns(receipts);
  WHARF_ASSIGN_OR_RETURN(PooledConnection conn, Borrow());
  WHARF_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(*conn));
  WHARF_ASSIGN_OR_RETURN(Rows locked, conn->Execute(sql::kFifoDeleteBatchLockGroups,
                                                    {Param::Int(queue_id), IntArray(seqs)}));
  (void)locked;
  WHARF_ASSIGN_OR_RETURN(Rows deleted,
                         conn->Execute(sql::kFifoDeleteBatch,
                                       {Param::Int(queue_id), IntArray(seqs), IntArray(tokens)}));
  WHARF_ASSIGN_OR_RETURN(Rows forgotten, conn->Execute(sql::kForgetReceiveAttempts,
                                                       {Param::Int(queue_id), IntArray(tokens)}));
  (void)forgotten;
  WHARF_RETURN_IF_ERROR(tx.Commit());
  return Outcomes(receipts, deleted);
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
  WHARF_ASSIGN_OR_RETURN(
      Rows released,
      conn->Execute(sql::kFifoDeleteReleaseGroup, {Param::Int(queue_id), Param::Text(group_id)}));
  (void)released;
  const std::vector<int64_t> token{receipt.token};
  WHARF_ASSIGN_OR_RETURN(Rows forgotten, conn->Execute(sql::kForgetReceiveAttempts,
                                                       {Param::Int(queue_id), IntArray(token)}));
  (void)forgotten;
  WHARF_RETURN_IF_ERROR(tx.Commit());
  return true;
}

PgResult<VisibilityChange> PgQueueOps::ChangeVisibilityFifo(int64_t queue_id, Receipt receipt,
                                                            int visibility_s,
                                                            int max_since_receive_s) {
  WHARF_ASSIGN_OR_RETURN(PooledConnection conn, Borrow());
  // The group row first, as a receive or delete locks it: the change then reads the group's
  // current head (to move locked_until when the message is the head), and the locks are taken in
  // one order (group, then message) by every statement, so none deadlocks with a receive.
  WHARF_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(*conn));
  WHARF_ASSIGN_OR_RETURN(
      Rows group,
      conn->Execute(sql::kFifoDeleteLockGroup, {Param::Int(queue_id), Param::Int(receipt.seq)}));
  if (group.size() == 0) return VisibilityChange::kNotInFlight;  // gone (rolled back)
  WHARF_ASSIGN_OR_RETURN(
      Rows rows,
      conn->Execute(sql::kChangeVisibilityFifo,
                    {Param::Int(queue_id), Param::Int(receipt.seq), Param::Int(receipt.token),
                     Param::Int(visibility_s), Param::Int(max_since_receive_s)}));
  WHARF_ASSIGN_OR_RETURN(VisibilityChange change, VisibilityChangeOf(rows));
  if (change == VisibilityChange::kChanged) {
    // A changed receive is no longer replayed by its ReceiveRequestAttemptId (§5.15).
    const std::vector<int64_t> token{receipt.token};
    WHARF_ASSIGN_OR_RETURN(Rows forgotten, conn->Execute(sql::kForgetReceiveAttempts,
                                                         {Param::Int(queue_id), IntArray(token)}));
    (void)forgotten;
  }
  WHARF_RETURN_IF_ERROR(tx.Commit());
  return change;
}

PgResult<FifoReceiptState> PgQueueOps::FifoReceiptStateOf(int64_t queue_id, Receipt receipt) {
  WHARF_ASSIGN_OR_RETURN(PooledConnection conn, Borrow());
  WHARF_ASSIGN_OR_RETURN(Rows rows, conn->Execute(sql::kFifoReceiptState,
                                                  {Param::Int(queue_id), Param::Int(receipt.seq),
                                                   Param::Int(receipt.token)}));
  if (rows.size() == 0) return FifoReceiptState::kGone;
  WHARF_ASSIGN_OR_RETURN(bool current, rows.Bool(0, 0));
  WHARF_ASSIGN_OR_RETURN(bool held, rows.Bool(0, 1));
  if (!current) return FifoReceiptState::kReplaced;
  return held ? FifoReceiptState::kHeld : FifoReceiptState::kLapsed;
}

// ---- Both ----

PgResult<bool> PgQueueOps::ClaimPurge(int64_t queue_id, std::chrono::seconds interval) {
  WHARF_ASSIGN_OR_RETURN(PooledConnection conn, Borrow());
  WHARF_ASSIGN_OR_RETURN(
      Rows rows,
      conn->Execute(sql::kClaimPurge, {Param::Int(queue_id), Param::Int(interval.count())}));
  WHARF_ASSIGN_OR_RETURN(bool claimed, rows.Bool(0, 0));
  WHARF_ASSIGN_OR_RETURN(bool exists, rows.Bool(0, 1));
  if (!exists) return NotFound("queue " + std::to_string(queue_id));
  return claimed;
}

}  // namespace wharf::storage::pg
