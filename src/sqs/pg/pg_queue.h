#pragma once

// PgQueue: one queue of the PostgreSQL backend (ADR 0002 step 2) as a QueueBackend, made by
// PgCatalog from the queue's row. FIRST SLICE: only what a catalog hands out is real — the
// identity, the configuration the row holds, the counts (read from the database on each call)
// and the per-node metrics. Every message and queue-level operation answers
// UnsupportedOperation until the next slice implements it over PgQueueOps.
//
// The configuration is the row as read when the catalog made this object; nothing refreshes it
// yet (ADR 0002 decision 4: the per-node cache with a version and pg_notify comes later).

#include <memory>
#include <string>

#include "sqs/queue_backend.h"
#include "storage/postgres/queue_ops.h"

namespace wharf::sqs::pg {

class PgQueue final : public QueueBackend {
 public:
  // `identity.id` is the row's queue_id.
  PgQueue(QueueIdentity identity, QueueConfig config, storage::pg::PgQueueOps& ops);

  int64_t queue_id() const { return static_cast<int64_t>(identity_.id); }

  const QueueIdentity& identity() const override { return identity_; }
  QueueConfig config() const override { return config_; }
  SendRules send_rules() const override { return SendRulesOf(config_); }
  std::shared_ptr<const auth::PolicyDocument> policy() const override {
    return config_.policy_document;
  }
  api::StringPairs tags() const override { return {}; }
  // A direct read (PgQueueOps::Counts) that blocks on the database; zeros, logged, when it
  // fails. ADR 0002 decision 8 replaces it with the maintenance leader's cached counts.
  QueueCounters Counters() override;
  const QueueMetrics& metrics() const override { return metrics_; }
  void CountReceive(size_t messages) override;

  void SetAttributes(const api::StringPairs& attributes, const QueueTypeLookup& lookup,
                     Done done) override;
  void EditPolicy(const PolicyEdit& edit, Done done) override;
  void Tag(const api::StringPairs& tags, Done done) override;
  void Untag(const std::vector<std::string>& keys, Done done) override;
  void Purge(Done done) override;
  // The catalog's Remove already deleted the row (one statement); nothing is left to write.

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
  const QueueIdentity identity_;
  const QueueConfig config_;
  storage::pg::PgQueueOps& ops_;
  QueueMetrics metrics_;
};

}  // namespace wharf::sqs::pg
