#pragma once

// QueueBackend: one queue as everything outside the engine uses it — the SQS handlers, SNS
// delivery (service_delivery.h), move tasks, /metrics and the console. It is the seam of ADR 0002
// (docs/adr/0002-authoritative-backend-seam.md): the embedded engine (`engine::Queue`, memory
// authoritative, the store as its log) implements it today, and a backend whose state lives in a
// shared database (PostgreSQL, several stateless nodes) implements it next, without a handler
// changing. So it holds only what callers outside the engine use; recovery (Restore*), record
// appends and the engine's own bookkeeping stay on the concrete class.
//
// Every operation answers through its callback, possibly before it returns and possibly on
// another thread (the store's committer, the timer thread): an implementation that waits on a
// database fits the same shape. Implementations are safe to call from any thread.
//
// The value types below are the operations' inputs and outputs; those shared with the engine's
// internals (QueueConfig, SendRules, QueueCounters, MessageContent, ReceivedMessage) still live
// in engine/ headers.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/error.h"
#include "auth/policy/policy_document.h"
#include "common/histogram.h"
#include "sqs/engine/data_keys.h"
#include "sqs/engine/message.h"
#include "sqs/engine/queue_config.h"

namespace wharf::sqs {

struct QueueIdentity {
  uint64_t id = 0;  // unique per queue incarnation; part of every receipt handle
  std::string account_id;
  std::string name;
  std::string arn;
  bool fifo = false;            // fixed at creation
  bool dedup_by_group = false;  // DeduplicationScope=messageGroup at creation (§5.13)
};

struct NewMessage {
  std::shared_ptr<const MessageContent> content;
  std::optional<int64_t> delay_seconds;  // absent: the queue's DelaySeconds
  // SSE-KMS: the record of the data key that sealed the body (content->data_key_id), stored
  // with the first message that needs it. Null for a body in clear.
  std::shared_ptr<const DataKeyRecord> data_key;
  // Size as AWS counts it (body plus attributes, before encryption), for SentMessageSize; 0: not
  // known, the body's length stands for it.
  int64_t size = 0;
};

// CloudWatch's counters of one queue (docs/metrics.md), bumped on the request path as relaxed
// atomics (no lock of their own, no lookup) and read by /metrics scrapes from any thread. They
// start at zero with the process, like every Prometheus counter.
struct QueueMetrics {
  // NumberOfMessagesSent: messages a send stored (SendMessage, SendMessageBatch entries, SNS
  // deliveries); not FIFO duplicates, not messages moved here from another queue.
  std::atomic<uint64_t> sent{0};
  // NumberOfMessagesReceived: messages ReceiveMessage returned (counted by its handler).
  std::atomic<uint64_t> received{0};
  // NumberOfMessagesDeleted: deletes by a valid receipt handle (a repeated one included, as AWS
  // counts), when the delete is accepted.
  std::atomic<uint64_t> deleted{0};
  // NumberOfEmptyReceives: ReceiveMessage calls that returned no message.
  std::atomic<uint64_t> empty_receives{0};
  // SentMessageSize: the size of each message counted in `sent`, in bytes.
  Histogram<kSizeBoundsBytes> sent_size;
};

// What a send produced for one message: its id and, on FIFO queues, its sequence number. A FIFO
// duplicate (same deduplication key within 5 minutes) reports the original's id and number.
struct SendResult {
  std::string message_id;
  std::optional<std::string> sequence_number;
  bool duplicate = false;
};
using SendDone = std::function<void(api::ApiResult<std::vector<SendResult>>)>;

// SequenceNumber as AWS formats it: a 20-digit decimal string, increasing with seq.
std::string SequenceNumberOf(uint64_t seq);

struct ReceiveOptions {
  int64_t max_messages = 1;
  std::optional<std::string> attempt_id;      // FIFO ReceiveRequestAttemptId
  std::optional<int64_t> visibility_timeout;  // absent: the queue's VisibilityTimeout
  std::optional<int64_t> wait_seconds;        // absent: the queue's ReceiveMessageWaitTimeSeconds
};

using ReceiveDone = std::function<void(api::ApiResult<std::vector<ReceivedMessage>>)>;
using Done = std::function<void(api::ApiStatus)>;

// A message as QueueBackend::Peek sees it: a snapshot without a receipt handle (a peek must not
// hand out the power to delete or hide a message), with its delivery state.
struct PeekedMessage {
  ReceivedMessage message;  // receipt_handle empty
  MessageState state = MessageState::kVisible;
  int64_t visible_at_millis = 0;  // delayed or in flight: when it becomes visible (wall clock)
};
using PeekDone = std::function<void(api::ApiResult<std::vector<PeekedMessage>>)>;

class QueueBackend {
 public:
  virtual ~QueueBackend() = default;
  QueueBackend(const QueueBackend&) = delete;
  QueueBackend& operator=(const QueueBackend&) = delete;

  // --- what a request reads (no callback: answered from the queue's current configuration) ---
  virtual const QueueIdentity& identity() const = 0;
  virtual QueueConfig config() const = 0;
  virtual SendRules send_rules() const = 0;
  // The parsed queue policy (null without one): what authorization reads on every request,
  // without copying the whole configuration.
  virtual std::shared_ptr<const auth::PolicyDocument> policy() const = 0;
  virtual api::StringPairs tags() const = 0;
  // ApproximateNumberOfMessages and friends.
  virtual QueueCounters Counters() = 0;
  // CloudWatch's counters (read by /metrics).
  virtual const QueueMetrics& metrics() const = 0;
  // A ReceiveMessage answered with `messages` messages (the handler calls it when it answers).
  virtual void CountReceive(size_t messages) = 0;

  // --- queue-level changes (answered once durable) ---
  virtual void SetAttributes(const api::StringPairs& attributes, const QueueTypeLookup& lookup,
                             Done done) = 0;
  // Read-modify-write of the Policy attribute (AddPermission, RemovePermission): `edit` gets the
  // current text and returns the new one (nullopt removes the policy) or an error. It may be
  // called after EditPolicy returns, on another thread, and more than once (a database backend
  // re-reads and edits again when another writer changed the queue first), so it must own what
  // it uses.
  using PolicyEdit = std::function<api::ApiResult<std::optional<std::string>>(
      const std::optional<std::string>& current)>;
  virtual void EditPolicy(const PolicyEdit& edit, Done done) = 0;
  virtual void Tag(const api::StringPairs& tags, Done done) = 0;
  virtual void Untag(const std::vector<std::string>& keys, Done done) = 0;
  virtual void Purge(Done done) = 0;

  // --- messages ---
  // Stores the messages, then makes them visible (or delayed) and wakes parked receivers. On
  // FIFO queues duplicates are answered with the original and not enqueued.
  virtual void Send(std::vector<NewMessage> messages, SendDone done) = 0;
  // Returns visible messages at once, or parks until one arrives or the wait ends.
  virtual void Receive(const ReceiveOptions& options, ReceiveDone done) = 0;
  virtual void Delete(std::string_view receipt_handle, Done done) = 0;
  virtual void ChangeVisibility(std::string_view receipt_handle, int64_t timeout_seconds,
                                Done done) = 0;
  // Messages of a receive that could not be delivered (their bodies could not be decrypted) go
  // back as they were before it: visible, with the receive count they had.
  virtual void ReturnUndelivered(const std::vector<ReceivedMessage>& messages) = 0;
  // Up to `max` messages, oldest first, in every state, with nothing changed.
  virtual void Peek(int64_t max, PeekDone done) = 0;

  // --- move tasks ---
  // Moves up to `max` visible messages out: each to `fixed_destination` when given, else back
  // to the queue named by its DeadLetterQueueSourceArn. `done` gets how many moved (once
  // durable) or the error that stops the task (a destination that no longer exists:
  // QueueDoesNotExist). `fixed_destination` must be a queue of the same backend.
  using MoveDone = std::function<void(api::ApiResult<int64_t>)>;
  virtual void MoveOut(int64_t max, const std::shared_ptr<QueueBackend>& fixed_destination,
                       MoveDone done) = 0;

 protected:
  QueueBackend() = default;
};

}  // namespace wharf::sqs
