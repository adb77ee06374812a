#pragma once

// One queue's state: its messages, their delivery state, and the receivers parked on it.
//
// Concurrency: every member is guarded by `mu_`; lock order is queue, then registry (a queue
// never waits for another queue's lock); a queue has a single writer at a time and no
// lock is held across a call into the store or a completion (completions are collected under
// the lock and run after it is released). Timer callbacks hold only a weak_ptr, so a deleted
// queue is freed once the last request holding it finishes.
//
// Time: deadlines are on the injectable Clock's monotonic reading. Nothing runs in the
// background; due work (delays ending, visibility timeouts expiring, retention) is applied
// lazily whenever the queue is touched, and a Scheduler timer wakes the queue only while
// receivers are parked on it.
//
// Durability: mutations produce storage records that go through Store::Commit; a request is
// answered only in the commit's completion. Sends are committed before they are applied, so a
// message becomes receivable only once durable.

#include <atomic>
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "api/error.h"
#include "common/clock.h"
#include "common/histogram.h"
#include "common/scheduler.h"
#include "sqs/engine/body_budget.h"
#include "sqs/engine/data_keys.h"
#include "sqs/engine/dedup_window.h"
#include "sqs/engine/fair_ready.h"
#include "sqs/engine/fifo_groups.h"
#include "sqs/engine/message.h"
#include "sqs/engine/queue_config.h"
#include "sqs/engine/receipt_handle.h"
#include "sqs/engine/records.h"
#include "sqs/engine/recrypter.h"
#include "sqs/limits.h"
#include "sqs/queue_backend.h"
#include "storage/store.h"

namespace wharf::sqs {

class Queue;

struct QueueDeps {
  const Clock* clock = nullptr;
  Scheduler* scheduler = nullptr;
  storage::Store* store = nullptr;
  const Limits* limits = nullptr;
  BodyBudget* budget = nullptr;  // null: every body stays in memory
  // Finds a queue by ARN (dead-letter targets, move-task destinations). Takes the registry's
  // lock, which may be taken under a queue's lock (lock order: queue, then registry).
  std::function<std::shared_ptr<Queue>(std::string_view arn)> find_queue;
  // Re-encrypts messages that move between queues when either side uses SSE-KMS. Null (engine
  // tests without SSE): plaintext messages move as they are; sealed ones cannot move.
  Recrypter* recrypter = nullptr;
};

// A message leaving one queue for another (dead-letter move, or redrive by a move task),
// written as one atomic group of records and placed in the destination once durable.
struct Relocation {
  std::shared_ptr<Queue> destination;
  uint64_t seq = 0;  // in the destination
  std::shared_ptr<const MessageContent> content;
  uint32_t receive_count = 0;
  int64_t first_receive_millis = 0;
  std::shared_ptr<const std::string> dead_letter_source_arn;
  MonoTime enqueued_at{};
};

struct MoveTally;  // queue_relocation.cc: the moves of one MoveOut that finish later

// The embedded engine's queue: the QueueBackend (ADR 0002) whose state is authoritative in this
// process's memory. Callers outside the engine hold it as a QueueBackend; the engine and
// recovery use the concrete class for what only it has (Restore*, AppendCreated, Close, the
// relocation of dead-letter moves, the data-key table).
class Queue final : public QueueBackend, public std::enable_shared_from_this<Queue> {
 public:
  Queue(QueueIdentity identity, QueueConfig config, api::StringPairs tags, QueueDeps deps);
  ~Queue() override;

  const QueueIdentity& identity() const override { return identity_; }
  QueueConfig config() const override;
  SendRules send_rules() const override;
  std::shared_ptr<const auth::PolicyDocument> policy() const override;
  QueueCounters Counters() override;
  QueueMetrics& metrics() { return metrics_; }
  const QueueMetrics& metrics() const override { return metrics_; }
  void CountReceive(size_t messages) override {
    if (messages == 0) {
      metrics_.empty_receives.fetch_add(1, std::memory_order_relaxed);
    } else {
      metrics_.received.fetch_add(messages, std::memory_order_relaxed);
    }
  }
  api::StringPairs tags() const override;
  // Whether SSE-KMS is configured, without the queue's lock (another queue moving a message
  // here reads it under its own lock).
  bool encrypts() const { return encrypts_.load(std::memory_order_relaxed); }
  // The records of the data keys that sealed this queue's stored bodies.
  QueueDataKeys& data_keys() { return data_keys_; }

  // --- queue-level changes (answered once durable) ---
  void SetAttributes(const api::StringPairs& attributes, const QueueTypeLookup& lookup,
                     Done done) override;
  // The edit runs under the queue's lock.
  void EditPolicy(const PolicyEdit& edit, Done done) override;
  void Tag(const api::StringPairs& tags, Done done) override;
  void Untag(const std::vector<std::string>& keys, Done done) override;
  void Purge(Done done) override;
  // The queue was deleted: parked receivers get an empty answer, timers stop, messages go.
  // Every later change answers QueueDoesNotExist, so nothing is written after the delete.
  void Close();
  // Appends the record of a new queue, before the registry makes it visible (so no message
  // record of the queue can reach the disk ahead of it); returns the ticket to wait on.
  uint64_t AppendCreated();
  // Writes the deletion of a closed queue (QueueRegistry::Remove).
  void PersistDeleted(Done done);

  // --- recovery (before serving; no locks needed, but taken for uniformity) ---
  // Puts back a stored message with its state. `state` is null for a message never received.
  void Restore(uint64_t seq, std::shared_ptr<const MessageContent> content,
               int64_t visible_at_millis, const StateRecord* state);
  // A deduplication entry's own record (one whose message left while it was live).
  void RestoreDedup(std::string key, DedupEntry entry);
  // After every Restore and RestoreDedup: fills the deduplication window.
  void FinishRestore();
  // The seq floor of the stored queue record (QueueRecord::seq_floor): no lower seq is used.
  void RestoreSeqFloor(uint64_t floor);

  // --- messages ---
  // Commits the messages, then makes them visible (or delayed) and wakes parked receivers.
  // On FIFO queues duplicates are answered with the original and not enqueued.
  void Send(std::vector<NewMessage> messages, SendDone done) override;
  // Returns visible messages at once, or parks until one arrives or the wait ends.
  void Receive(const ReceiveOptions& options, ReceiveDone done) override;
  void Delete(std::string_view receipt_handle, Done done) override;
  void ChangeVisibility(std::string_view receipt_handle, int64_t timeout_seconds,
                        Done done) override;
  // Messages of a receive that could not be delivered (their bodies could not be decrypted: a
  // Kms* error fails the whole ReceiveMessage) go back as they were before it: visible, with
  // the receive count they had. Messages deleted or received again meanwhile are left alone.
  void ReturnUndelivered(const std::vector<ReceivedMessage>& messages) override;

  // --- inspection (queue_inspect.cc) ---
  // Up to `max` messages, oldest first, in every state, with nothing changed: no receive
  // count, visibility, timer or record, and no due work applied (a message whose delay or
  // visibility timeout is over is reported visible; one past its retention is left out).
  // Bodies kept on disk are read back before `done`.
  void Peek(int64_t max, PeekDone done) override;

  // --- dead-letter queues and move tasks ---
  // Places a message relocated here by another queue (after its records are durable).
  void AcceptRelocated(Relocation relocation);
  // Moves up to `max` visible messages out (a move task): each to `fixed_destination` when
  // given, else back to the queue named by its DeadLetterQueueSourceArn. `done` gets how many
  // moved (once durable) or the error that stops the task (a destination that no longer
  // exists: QueueDoesNotExist). A `fixed_destination` that is not an engine queue (another
  // backend) fails the task with InternalFailure: a move never crosses backends.
  void MoveOut(int64_t max, const std::shared_ptr<QueueBackend>& fixed_destination,
               MoveDone done) override;
  uint64_t ReserveSeq() { return next_seq_.fetch_add(1); }

 private:
  // The one locked path of attribute changes: `change` reads the current configuration and
  // returns the attributes to apply (SetAttributes: the request's; EditPolicy: the edited Policy).
  using AttributeChange =
      std::function<api::ApiResult<api::StringPairs>(const QueueConfig& current)>;
  void ChangeAttributes(const AttributeChange& change, const QueueTypeLookup& lookup, Done done);
  struct Waiter {
    uint64_t id;
    int64_t max_messages;
    int64_t visibility_seconds;
    std::optional<std::string> attempt_id;
    TimerId timer = 0;
    ReceiveDone done;
  };
  // A FIFO receive remembered by its ReceiveRequestAttemptId for 5 minutes (§5.15).
  struct Attempt {
    int64_t expires_millis = 0;
    int64_t visibility_seconds = 0;
    std::vector<ReceiptHandle> handles;
    std::vector<MonoTime> visible_at;  // each message's deadline when the attempt was answered
  };
  using Completions = std::vector<std::function<void()>>;
  // A send waiting for its records to be durable.
  struct PendingSend {
    std::vector<NewMessage> messages;
    std::vector<uint64_t> seqs;  // 0: a FIFO duplicate, not enqueued
    std::vector<SendResult> results;
    SendDone done;
  };
  void FinishSend(PendingSend& send, storage::StorageStatus status);
  static void RunAll(Completions& completions);  // answers collected under the lock, after it
  // A message held (in flight) while it is re-encrypted for the queue it moves to.
  struct PendingRecrypt {
    uint64_t seq = 0;
    uint32_t token = 0;  // StoredMessage::move_token of the hold
    std::shared_ptr<Queue> destination;
    bool back_to_source = false;
    std::shared_ptr<const MessageContent> content;
    std::shared_ptr<MoveTally> tally;  // MoveOut's, or null for a dead-letter move
  };

  // All private methods expect `mu_` held.
  void Advance(MonoTime now, std::vector<storage::Record>& records);
  void MakeVisible(StoredMessage& m);
  void Remove(StoredMessage& m);
  std::vector<ReceivedMessage> Take(int64_t max, int64_t visibility_seconds, MonoTime now,
                                    std::vector<storage::Record>& records);
  // Receive of one waiter or request: replays a FIFO attempt, or takes and remembers it.
  std::vector<ReceivedMessage> TakeFor(int64_t max, int64_t visibility_seconds,
                                       const std::optional<std::string>& attempt_id, MonoTime now,
                                       std::vector<storage::Record>& records);
  std::optional<std::vector<ReceivedMessage>> ReplayAttempt(const std::string& attempt_id,
                                                            MonoTime now,
                                                            std::vector<storage::Record>& records);
  void Publish(StoredMessage& m);  // a new or restored message joins the ready structures
  // Keeps the body in memory if the BodyBudget allows, otherwise swaps in a body-less copy.
  void PlaceBody(StoredMessage& m);
  void ReleaseBody(StoredMessage& m);
  // Completes a receive, first reading back the bodies kept on disk.
  void LoadBodiesThen(std::vector<ReceivedMessage> messages, ReceiveDone done);
  bool HasReceivable() const;
  int64_t InFlight() const;
  ReceivedMessage Snapshot(const StoredMessage& m) const;
  // Appends the records of moving `m` to `destination` and removes it here. `recrypted`: the
  // content as the destination stores it (else m's content, unchanged).
  void Relocate(StoredMessage& m, const std::shared_ptr<Queue>& destination, bool back_to_source,
                MonoTime now, std::vector<storage::Record>& records,
                const Recrypted* recrypted = nullptr);
  // Places relocations in their destinations once `ticket` is durable. Call without `mu_`.
  void ScheduleRelocations(uint64_t ticket, std::vector<Relocation> moves);
  // Whether moving `m` to `destination` must re-encrypt it (either side uses SSE-KMS).
  bool NeedsRecrypt(const StoredMessage& m, const Queue& destination) const;
  // Moves `m` (already out of the ready structures) to `destination` at once, or holds it for
  // re-encryption first (PendingRecrypt in recrypts_).
  void RelocateOrHold(StoredMessage& m, const std::shared_ptr<Queue>& destination,
                      bool back_to_source, MonoTime now, std::vector<storage::Record>& records,
                      const std::shared_ptr<MoveTally>& tally);
  // Re-encrypts held messages (reading bodies kept on disk first). Call without `mu_`.
  void ScheduleRecrypts(std::vector<PendingRecrypt> pending);
  // The re-encryption of a held message is done: moves it, or releases the hold on failure.
  void FinishRecrypt(PendingRecrypt& pending, api::ApiResult<Recrypted> result);
  void ServeWaiters(MonoTime now, Completions& completions);
  void ArmWakeTimer();
  void OnWake();
  void OnWaitExpired(uint64_t waiter_id);
  // Decodes a handle for this queue; nullopt when it is not one of ours.
  std::optional<ReceiptHandle> ParseHandle(std::string_view text) const;
  // The message `handle` was issued for, or null when it is gone (deleted, or its seq now holds
  // another message). Under mu_.
  StoredMessage* HandledMessage(const ReceiptHandle& handle);
  // Appends records to the store (under `mu_`, so disk order = state-change order) and returns
  // the ticket to wait on. Empty records: waits for everything appended before.
  uint64_t Append(std::vector<storage::Record>& records);
  // Answers once `ticket` is durable. Call without `mu_`.
  void AnswerWhenDurable(uint64_t ticket, Done done);
  void AnswerReceiveWhenDurable(uint64_t ticket, std::vector<ReceivedMessage> messages,
                                ReceiveDone done);
  // Record builders (payloads only when the store keeps them).
  void AddQueueRecord(std::vector<storage::Record>& records) const;
  void AddStateRecord(std::vector<storage::Record>& records, const StoredMessage& m) const;
  // Also the deduplication record of a FIFO message whose entry outlives it (not const: the
  // window notes the record).
  void AddDeleteRecord(std::vector<storage::Record>& records, const StoredMessage& m);
  int64_t WallOf(MonoTime t) const;

  const QueueIdentity identity_;
  const QueueDeps deps_;
  QueueMetrics metrics_;  // atomics: not guarded by mu_

  mutable std::mutex mu_;
  QueueConfig config_;
  api::StringPairs tags_;
  bool closed_ = false;
  std::atomic<uint64_t> next_seq_{1};  // atomic: a queue moving a message here reserves a seq
  std::map<uint64_t, StoredMessage> messages_;  // by seq
  FairReady ready_;    // standard queues: visible messages, fair order between groups
  FifoGroups groups_;  // FIFO queues: groups and which of them have a visible head
  int64_t fifo_visible_ = 0;
  DedupWindow dedup_;
  // The deduplication key of a message, built in a buffer reused under mu_ (no allocation per
  // send or delete); valid until the next call.
  const std::string& DedupKeyOf(const MessageContent& content);
  std::string dedup_key_scratch_;
  // The message was sent to this FIFO queue and so claimed a deduplication entry here.
  bool ClaimedDedupEntry(const StoredMessage& m) const;
  // Recovery's deduplication entries until FinishRestore sorts them into the window: the live
  // ones of stored messages (by their expiry; the key and entry are built from the message at
  // the end, so a million live entries cost 16 MB here, not a copy of every key) and the stored
  // records (few: messages that left inside their window).
  struct RestoredRecord {
    std::string key;
    DedupEntry entry;
  };
  std::vector<std::pair<int64_t, const StoredMessage*>> restored_entries_;
  std::vector<RestoredRecord> restored_records_;
  std::unordered_map<std::string, Attempt> attempts_;
  std::vector<Relocation> moves_;         // relocations appended under mu_, not yet scheduled
  std::vector<PendingRecrypt> recrypts_;  // holds taken under mu_, not yet scheduled
  std::atomic<bool> encrypts_{false};     // config_.kms_master_key_id is set
  // What every request reads before it reaches the queue's state — the resource policy (every
  // action's authorization) and the send rules (every send) — kept apart from mu_: the queue's
  // mutex is its most contended lock (receive-delete in memory mode spent about 11 % of the
  // server's CPU in futex calls on it, policy() among the callers; docs/benchmarks.md), and these
  // reads only need a consistent copy. Replaced whole when the attributes change (under mu_ and
  // view_mu_); view_mu_ is held only to copy or swap the pointer.
  struct RequestView {
    std::shared_ptr<const auth::PolicyDocument> policy;
    SendRules send_rules;
  };
  static std::shared_ptr<const RequestView> ViewOf(const QueueConfig& config);
  std::shared_ptr<const RequestView> view() const;  // the current one, without mu_
  mutable std::mutex view_mu_;
  std::shared_ptr<const RequestView> view_;  // guarded by view_mu_
  QueueDataKeys data_keys_;
  TimerHeap timers_;  // delayed and in-flight messages
  RetentionHeap retention_;
  int64_t delayed_count_ = 0;
  std::optional<MonoTime> last_purge_;
  // Sends that were appended before a purge but not yet published are dropped at publish.
  uint64_t purged_below_ = 0;
  // Stored in the queue record (QueueRecord::seq_floor): the next seq at the last purge.
  uint64_t seq_floor_ = 0;

  uint64_t next_waiter_id_ = 1;
  std::list<Waiter> waiters_;  // in arrival order: the longest-waiting receiver is served first
  std::unordered_map<uint64_t, std::list<Waiter>::iterator> waiter_index_;
  TimerId wake_timer_ = 0;
  MonoTime wake_at_{};
};

}  // namespace wharf::sqs
