#pragma once

// PgQueue: one queue of the PostgreSQL backend (ADR 0002 step 2) as a QueueBackend, made by
// PgCatalog from the queue's row. Its state is the database's: this object holds the row as read
// and the node's metrics, nothing else.
//
// What it does (src/sqs/pg/README.md has the detail and what is left):
// - Standard queues: Send (one statement per 10 messages), Receive, Delete, ChangeVisibility and
//   Purge run their PgQueueOps statement on the backend's worker pool and answer from there.
//   FIFO queues the same (pg_queue_fifo.cc). Receipt handles are PgReceiptCodec's (signed; a
//   forged one is refused without a query).
// - Receive with a wait (WaitTimeSeconds, or the queue's ReceiveMessageWaitTimeSeconds) long
//   polls through the backend's LongPollHub: woken by sends on this node and, through
//   LISTEN/NOTIFY after commit, on others; re-checked every second at most.
// - Delete with a handle from an earlier receive of a message received again deletes nothing
//   and succeeds on standard queues (AWS: the message "might not be deleted", sqs-api.md §2.10).
// - SetAttributes, EditPolicy (AddPermission, RemovePermission), Tag and Untag
//   (pg_queue_attributes.cc) re-read the row, apply the engine's rules to it and write it back
//   only if its version is unchanged (any node may write it meanwhile), retrying a few times.
// - SSE-KMS: sealed bodies stored as sent (storage sealed_frame.h) with their data-key records
//   put first (data_key_store.h); a receive attaches the records, MessageEncryption opens them.
// - Not yet: what the README lists.
//
// The configuration and tags are the row as read when the catalog made this object; a change
// makes the catalog hand out a new object (queue_cache.h), this one keeps the old row.

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "sqs/pg/pg_backend.h"
#include "sqs/queue_backend.h"
#include "storage/postgres/queue_ops.h"

namespace wharf::sqs::pg {

class PgQueue final : public QueueBackend, public std::enable_shared_from_this<PgQueue> {
 public:
  // `identity.id` is the row's queue_id. `metrics`: this node's counters of the queue, shared by
  // every object the catalog makes for it (a changed row gets a new object, the counters carry
  // on); null starts new ones.
  PgQueue(QueueIdentity identity, QueueConfig config, api::StringPairs tags, PgBackend backend,
          std::shared_ptr<QueueMetrics> metrics = nullptr);

  int64_t queue_id() const { return static_cast<int64_t>(identity_.id); }

  const QueueIdentity& identity() const override { return identity_; }
  QueueConfig config() const override { return config_; }
  SendRules send_rules() const override { return SendRulesOf(config_); }
  std::shared_ptr<const auth::PolicyDocument> policy() const override {
    return config_.policy_document;
  }
  api::StringPairs tags() const override { return tags_; }
  // A direct read (PgQueueOps::Counts) that blocks on the database; zeros, logged, when it
  // fails. ADR 0002 decision 8 replaces it with the maintenance leader's cached counts.
  QueueCounters Counters() override;
  const QueueMetrics& metrics() const override { return metrics_; }
  // The same counters, for the object the catalog makes when this queue's row changes.
  std::shared_ptr<QueueMetrics> shared_metrics() const { return metrics_owner_; }
  void CountReceive(size_t messages) override;

  void SetAttributes(const api::StringPairs& attributes, const QueueTypeLookup& lookup,
                     Done done) override;
  void EditPolicy(const PolicyEdit& edit, Done done) override;
  void Tag(const api::StringPairs& tags, Done done) override;
  void Untag(const std::vector<std::string>& keys, Done done) override;
  void Purge(Done done) override;

  void Send(std::vector<NewMessage> messages, SendDone done) override;
  void Receive(const ReceiveOptions& options, ReceiveDone done) override;
  void Delete(std::string_view receipt_handle, Done done) override;
  void ChangeVisibility(std::string_view receipt_handle, int64_t timeout_seconds,
                        Done done) override;
  void ReturnUndelivered(const std::vector<ReceivedMessage>& messages) override;
  void Peek(int64_t max, PeekDone done) override;
  void MoveOut(int64_t max, const std::shared_ptr<QueueBackend>& fixed_destination,
               MoveDone done) override;

 private:
  // The receipt of a handle this queue issued, or nullopt (garbled, forged, another queue's).
  std::optional<storage::pg::Receipt> ReceiptOf(std::string_view handle) const;
  // Runs `job` on a worker with this queue kept alive.
  void OnWorker(std::function<void(PgQueue&)> job);
  ReceivedMessage FromRow(storage::pg::ReceivedMessage& row) const;
  // One receive statement (ReceiveFifo with `attempt_id` on FIFO queues): the messages (maybe
  // none) or an error.
  api::ApiResult<std::vector<ReceivedMessage>> ReceiveNow(
      int max, std::optional<int> visibility, const std::optional<std::string>& attempt_id);
  // FIFO message operations (pg_queue_fifo.cc); the public ones dispatch here on identity_.fifo.
  void SendToFifo(std::vector<NewMessage> messages, SendDone done);
  void DeleteFromFifo(storage::pg::Receipt receipt, std::string handle, Done done);
  void ChangeFifoVisibility(storage::pg::Receipt receipt, std::string handle, int timeout_seconds,
                            Done done);
  // Stores FIFO messages (on a worker, in FifoSendOrder's turn): one transaction per 10.
  api::ApiResult<std::vector<SendResult>> SendFifoRows(
      const std::vector<storage::pg::NewFifoMessage>& rows, const std::vector<int64_t>& sizes);
  // SSE-KMS (data_key_store.h): the distinct data-key records of a send; storing them before
  // the messages (on a worker); the records of a receive's sealed messages (a failed read is
  // logged and leaves them without, so the receive fails as undecryptable); Peek's too.
  static std::vector<std::shared_ptr<const DataKeyRecord>> DataKeysOf(
      const std::vector<NewMessage>& messages);
  api::ApiStatus StoreDataKeys(const std::vector<std::shared_ptr<const DataKeyRecord>>& keys);
  void AttachDataKeys(const std::vector<ReceivedMessage*>& messages) const;
  // A send committed or a message became visible: wake this node's waiters and tell the others.
  void MessagesMayBeReceivable();
  // Runs the pending standard-queue deletes, up to 10 per statement, until none is left.
  void FlushDeletes();

  const QueueIdentity identity_;
  const QueueConfig config_;
  const api::StringPairs tags_;
  const PgBackend backend_;
  const std::shared_ptr<QueueMetrics> metrics_owner_;
  QueueMetrics& metrics_;  // *metrics_owner_

  // Standard-queue deletes waiting for a flusher (Delete, FlushDeletes): at most this many
  // flushers run at once per queue, each a worker turning 10 deletes into one statement.
  static constexpr int kMaxDeleteFlushers = 4;
  struct PendingDelete {
    storage::pg::Receipt receipt;
    Done done;
  };
  std::mutex deletes_mu_;
  std::vector<PendingDelete> pending_deletes_;  // guarded by deletes_mu_
  int delete_flushers_ = 0;                     // guarded by deletes_mu_
};

}  // namespace wharf::sqs::pg
