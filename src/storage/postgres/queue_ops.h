#pragma once

// The queue operations of the PostgreSQL backend as typed calls (storage.md §5.2): each call
// borrows a connection from the pool, runs the operation's named statement(s) and returns a
// typed answer or a PgError. The database is authoritative for every piece of state: several
// nodes may run these calls against the same queues at once, and every time is the database's
// now().
//
// What this class does not do (src/storage/postgres/README.md "Next"): it is not yet behind the
// engine's seam, it does not wake long-pollers itself (its caller calls WakeNotifier::Note,
// wake.h, once a send has returned: the send has committed by then), and it does not build
// receipt handles (the engine signs (queue_id, seq, token) into one).
//
// Threading: safe from any thread (all state is in the database and the pool). Calls block on
// the pool and the network, so they must not run on an I/O thread.

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "storage/postgres/pg_error.h"
#include "storage/postgres/pool.h"

namespace wharf::storage::pg {

struct QueueConfig {
  std::string account;
  std::string name;
  bool fifo = false;
  int visibility_s = 30;
  int delay_s = 0;
  int retention_s = 345'600;
  std::optional<int64_t> dlq_id;  // redrive target; both or neither of these two
  std::optional<int> max_receive;
  // Every other SQS attribute of the queue (Policy, RedrivePolicy as given, RedriveAllowPolicy,
  // KmsMasterKeyId, KmsDataKeyReusePeriodSeconds, SqsManagedSseEnabled, MaximumMessageSize,
  // ReceiveMessageWaitTimeSeconds, ContentBasedDeduplication, DeduplicationScope,
  // FifoThroughputLimit, ...): a JSON object of string -> string built by the caller, stored as
  // jsonb. What this layer reads back is jsonb's text form (keys in jsonb's order, `": "` and
  // `", "` separators), equal as JSON, not byte for byte. Anything but an object of strings is a
  // PgError (kServer: SQLSTATE 22P02 invalid JSON, 23514 not an object of strings).
  std::string attrs_json = "{}";
  // The queue's tags, the same way. Written by CreateQueue and SetTags; UpdateQueue keeps them.
  std::string tags_json = "{}";
};

struct QueueRow {
  int64_t queue_id = 0;
  QueueConfig config;
  // Set by the database (its now()), never by the caller: Unix epoch seconds, rounded down.
  int64_t created_at = 0;
  int64_t modified_at = 0;  // the last CreateQueue or UpdateQueue (SetTags leaves it)
  // 1 when created, +1 on every UpdateQueue and SetTags (ADR 0002 decision 4): a node caching the
  // row compares versions, and writers pass the version they read to update optimistically.
  int64_t version = 0;
};

// SQS: a deleted queue's name cannot be reused for 60 seconds (QueueDeletedRecently). The
// window CreateQueue is given; the engine passes this (tests pass shorter ones).
inline constexpr std::chrono::seconds kQueueDeletedRecentlyWindow{60};

struct CreatedQueue {
  int64_t queue_id = 0;
  bool created = false;  // false: a queue of that name already existed (its id is returned)
  // True when no queue of that name existed but one was deleted within the window: nothing was
  // created, queue_id is 0 and `created` false (SQS: QueueDeletedRecently).
  bool deleted_recently = false;
};

struct NewMessage {
  std::string message_id;      // a UUID, made by the caller (common/ids.h NewUuid)
  std::string body;            // text; with a data_key_id, the sealed body (any bytes)
  std::string attrs;           // opaque bytes encoded by the engine; not starting with 0xFF
  std::optional<int> delay_s;  // the queue's delay when absent
  // SSE-KMS: the id of the data key (data_key table) that sealed `body`; 0: `body` is in clear.
  // Stored as a frame in the attrs column (sealed_frame.h).
  int64_t data_key_id = 0;
};

struct NewFifoMessage {
  std::string message_id;  // used only if the message is not a duplicate
  std::string group_id;
  std::string dedup_id;     // MessageDeduplicationId, or the content hash
  std::string body;         // as NewMessage::body
  std::string attrs;        // as NewMessage::attrs
  int64_t data_key_id = 0;  // as NewMessage::data_key_id
};

struct SentMessage {
  int64_t seq = 0;
  std::string message_id;
};

struct SentFifoMessage {
  std::string message_id;  // the original's id when `duplicate`
  bool duplicate = false;
  std::optional<int64_t> seq;  // absent for a duplicate
  // A duplicate's original's seq (its SequenceNumber); absent when not a duplicate, or when the
  // original's dedup row was written before schema migration 3.
  std::optional<int64_t> original_seq;
};

// What identifies one receive of one message (the engine signs it into a receipt handle).
struct Receipt {
  int64_t seq = 0;
  int64_t token = 0;
};

struct ReceivedMessage {
  Receipt receipt;
  std::string message_id;
  std::string group_id;  // empty on standard queues
  std::string body;      // with a data_key_id, the sealed body as sent (bytes)
  std::string attrs;
  int64_t data_key_id = 0;  // the send's NewMessage::data_key_id, kept by moves and redrives
  int receive_count = 0;
  int64_t sent_at_ms = 0;  // Unix epoch milliseconds, database time
  int64_t first_receive_ms = 0;
  // DeadLetterQueueSourceArn: set on a message dead-lettered from another queue.
  std::optional<std::string> dead_letter_source;
};

// What a FIFO receipt controls now (PgQueueOps::FifoReceiptStateOf).
enum class FifoReceiptState {
  kGone,      // the message is deleted (or purged, or past retention)
  kHeld,      // this receive is the message's latest and the message is still in flight
  kLapsed,    // this receive is the latest, but its visibility timeout ran out
  kReplaced,  // the message was received again since
};

// What a visibility change did (PgQueueOps::ChangeVisibility, ChangeVisibilityFifo).
enum class VisibilityChange {
  kChanged,
  kNotInFlight,  // no message in flight under this receipt (stale, expired or gone)
  kBeyondCap,    // refused, nothing changed: now + the timeout is past the receive + the cap
};

// SQS's cap on a message's visibility, counted from the receive that issued its receipt
// (Limits::max_visibility_timeout).
inline constexpr int kMaxVisibilitySinceReceive = 43'200;

struct ReceiveResult {
  std::vector<ReceivedMessage> messages;  // in seq order
  int64_t moved_to_dlq = 0;               // over-received messages this receive redrove
  // FIFO with a ReceiveRequestAttemptId: true when the id was already used, so `messages` are
  // that receive's (same receipts, visibility reset), not new ones.
  bool replayed = false;
};

// The most entries SendMessageBatch / DeleteMessageBatch take (the engine validates requests;
// the backend refuses more with kBadResult).
inline constexpr size_t kMaxBatchEntries = 10;

// What one MoveOut did.
struct MoveOutcome {
  int64_t moved = 0;
  // Messages that could not move: their destination does not exist (or is of the other queue
  // type, or is the queue itself); a FIFO group's messages behind one such message stay too.
  int64_t stuck = 0;
  std::vector<int64_t> destinations;  // the queues that received messages (to wake their waiters)
};

// A message as a peek sees it (nothing changed, no receipt).
struct PeekedRow {
  ReceivedMessage message;  // receipt.token 0
  enum class State { kVisible, kDelayed, kInFlight } state = State::kVisible;
  int64_t visible_at_ms = 0;  // delayed or in flight: when it becomes visible
};

struct QueueCounts {
  int64_t visible = 0;
  int64_t not_visible = 0;  // in flight
  int64_t delayed = 0;
};

// An SSE-KMS data key's record (table data_key, schema migration 8).
struct StoredDataKey {
  int64_t id = 0;          // never 0; the engine's uint64 id, bit for bit
  std::string queue_arn;   // the queue it was generated for: its KMS encryption context
  std::string key_arn;     // the KMS key that protects it
  std::string blob;        // the data key as KMS encrypted it (never the plaintext)
  int64_t created_ms = 0;  // read back: the first put's time (database); ignored by PutDataKey
};

// The database's guard-rail readings (storage.md §4.2, §5.5).
struct HealthReport {
  double oldest_snapshot_s = 0;      // age of the oldest transaction holding a snapshot
  int64_t oldest_snapshot_xids = 0;  // the same, in transactions (xid age of backend_xmin)
  int64_t message_dead_tuples = 0;   // n_dead_tup of `message` (statistics lag ~1 s)
  double notify_queue_usage = 0;     // pg_notification_queue_usage(), 0..1
};

class PgQueueOps {
 public:
  // `acquire_wait` bounds how long a call waits for a free pooled connection.
  explicit PgQueueOps(ConnectionPool& pool,
                      std::chrono::milliseconds acquire_wait = std::chrono::seconds(5))
      : pool_(pool), acquire_wait_(acquire_wait) {}

  // Applies the schema migrations this build knows (migrations.h).
  PgStatus Migrate();

  // Creates the queue of `config` (attributes and tags included) unless one of that account and
  // name exists, in which case that queue's id is returned with created = false and `config` is
  // not compared (the caller reads the row). With a positive `deleted_recently_window`, a name
  // with no queue whose queue was deleted less than that long ago is refused with
  // deleted_recently = true and nothing is created, also when the delete commits while this
  // create runs (re-checked in the create's transaction). The default, 0, checks nothing; SQS's
  // window is kQueueDeletedRecentlyWindow.
  PgResult<CreatedQueue> CreateQueue(
      const QueueConfig& config,
      std::chrono::seconds deleted_recently_window = std::chrono::seconds(0));
  PgResult<std::optional<QueueRow>> GetQueue(const std::string& account, const std::string& name);
  // The queue with this id, e.g. a RedrivePolicy's dlq_id back to its account and name.
  PgResult<std::optional<QueueRow>> GetQueueById(int64_t queue_id);
  // Queues of `account` whose names start with `prefix`, after the name `after` (empty: from
  // the start), in byte order of the name, at most `limit`.
  PgResult<std::vector<QueueRow>> ListQueues(const std::string& account, const std::string& prefix,
                                             const std::string& after, int64_t limit);
  // The deployment's value of `name` (table `deployment`): `value` when this call is the first
  // to claim it, else what the first claim stored. Several nodes may claim at once; one wins.
  PgResult<std::string> ClaimDeploymentValue(const std::string& name, const std::string& value);
  // Queues of every account with ids above `after_id`, in id order, at most `limit`: the whole
  // catalog a page at a time (a node's cache of queue rows).
  PgResult<std::vector<QueueRow>> ListAllQueues(int64_t after_id, int64_t limit);
  // Sets visibility, delay, retention, redrive and attrs_json (replacing the stored object) of
  // `queue_id`; account, name, type and tags stay. Bumps version and modified_at. kNotFound when
  // there is no such queue.
  PgStatus UpdateQueue(int64_t queue_id, const QueueConfig& config);
  // The same, only if the row's version is still `expected_version` (the version the caller
  // read): true when updated (the version is now expected_version + 1), false when another
  // writer (any node) changed the row first; the caller re-reads and retries. kNotFound when
  // there is no such queue (a queue deleted while this waited may read as false instead).
  PgResult<bool> UpdateQueue(int64_t queue_id, const QueueConfig& config, int64_t expected_version);
  // Replaces the queue's tags with `tags_json` (an object of strings) if its version is still
  // `expected_version`: true when set (version + 1; modified_at stays), false on a version
  // conflict, kNotFound when there is no such queue. Separate from UpdateQueue because
  // TagQueue / UntagQueue change only tags and SetQueueAttributes only attributes; both bump the
  // row's one version, so a conflict on either means "re-read the row and retry".
  PgResult<bool> SetTags(int64_t queue_id, const std::string& tags_json, int64_t expected_version);
  // False when there was no such queue. Records the name's deletion time (deleted_queue_name)
  // in the same statement, for CreateQueue's deleted-recently window.
  PgResult<bool> DeleteQueue(int64_t queue_id);
  // Forgets up to `batch` deleted names older than `older_than` (at least the longest window
  // passed to CreateQueue). Returns the number forgotten. A later delete of a name overwrites
  // its record, so the table holds one row per deleted name even without sweeps.
  PgResult<int64_t> SweepDeletedQueueNames(std::chrono::seconds older_than, int batch);

  // Standard queues. kNotFound when `queue_id` is no standard queue.
  PgResult<SentMessage> Send(int64_t queue_id, const NewMessage& message);
  // Claims up to `max_messages` due messages (SKIP LOCKED: concurrent receivers on any node
  // never claim the same one) and redrives over-received ones to the DLQ, each with its receive
  // count and `queue_arn` (this queue's) as its DeadLetterQueueSourceArn.
  PgResult<ReceiveResult> Receive(int64_t queue_id, int max_messages,
                                  std::optional<int> visibility_s,
                                  const std::string& queue_arn = {});
  // False when the receipt is stale (the message was received again, or is gone).
  PgResult<bool> Delete(int64_t queue_id, Receipt receipt);
  // kNotInFlight unless the message is in flight under this receipt; kBeyondCap (nothing
  // changed) when now + `visibility_s` is more than `max_since_receive_s` after the receive that
  // issued the receipt (database time).
  PgResult<VisibilityChange> ChangeVisibility(int64_t queue_id, Receipt receipt, int visibility_s,
                                              int max_since_receive_s = kMaxVisibilitySinceReceive);
  // The latest receipt token of a message (0 when never received); nullopt when it is gone.
  PgResult<std::optional<int64_t>> CurrentReceipt(int64_t queue_id, int64_t seq);

  // Up to kMaxBatchEntries messages in one statement (one round trip, one transaction: all are
  // stored or none); answers in entry order.
  PgResult<std::vector<SentMessage>> SendBatch(int64_t queue_id,
                                               std::span<const NewMessage> messages);
  // Per entry: true when deleted, false when its receipt was stale. One statement.
  PgResult<std::vector<bool>> DeleteBatch(int64_t queue_id, std::span<const Receipt> receipts);

  // FIFO queues. kNotFound when `queue_id` is no FIFO queue.
  PgResult<SentFifoMessage> SendFifo(int64_t queue_id, const NewFifoMessage& message);
  // Up to kMaxBatchEntries messages in one round trip and one transaction (a pipeline of the
  // single-message statement): entries of one group keep their entry order, an entry whose
  // dedup id an earlier entry used is a duplicate of it. Answers in entry order.
  PgResult<std::vector<SentFifoMessage>> SendFifoBatch(int64_t queue_id,
                                                       std::span<const NewFifoMessage> messages);
  // First redrives over-received group heads to the queue's FIFO DLQ (counted in moved_to_dlq),
  // then takes up to `max_messages` groups whose head is visible, oldest head first, and returns
  // from each its visible messages in order, up to the first one in flight or delayed (§5.14;
  // every group taken gives at least its head), each in flight on its own from then. With an
  // `attempt_id` (ReceiveRequestAttemptId) used by an earlier receive within 5 minutes, returns
  // that receive's messages still held, with the same receipts and their visibility reset,
  // instead of taking new groups (`replayed`). A receive that got no message does not keep its
  // attempt id (the next call with it receives afresh).
  PgResult<ReceiveResult> ReceiveFifo(int64_t queue_id, int max_messages,
                                      std::optional<int> visibility_s,
                                      const std::optional<std::string>& attempt_id = std::nullopt,
                                      const std::string& queue_arn = {});
  // Per entry: true when deleted, false when its receipt was stale. Heads advance as by
  // DeleteFifo.
  PgResult<std::vector<bool>> DeleteFifoBatch(int64_t queue_id, std::span<const Receipt> receipts);
  // False when the receipt is stale. Deleting the head unblocks the group (unless its next
  // message is itself in flight).
  PgResult<bool> DeleteFifo(int64_t queue_id, Receipt receipt);
  // Changes this one message's visibility while it is in flight under `receipt` (the others of
  // its group keep theirs, §5.4); kNotInFlight when it is not (expired, stale or gone),
  // kBeyondCap as ChangeVisibility (from the receipt's message's receive).
  PgResult<VisibilityChange> ChangeVisibilityFifo(
      int64_t queue_id, Receipt receipt, int visibility_s,
      int max_since_receive_s = kMaxVisibilitySinceReceive);
  // What `receipt` still controls, read without changing anything (the answer may be stale by
  // the time the caller acts on it). SQS answers a FIFO delete or visibility change differently
  // for each: DeleteFifo and ChangeVisibilityFifo alone cannot tell them apart.
  PgResult<FifoReceiptState> FifoReceiptStateOf(int64_t queue_id, Receipt receipt);

  // Both queue types. Returns the number of messages removed.
  PgResult<int64_t> Purge(int64_t queue_id);
  // Message move tasks: moves up to `max_messages` visible messages of a queue (FIFO: of groups
  // not in flight, each group's due prefix in order) to `fixed_destination`, or back to the
  // queue named by each message's DeadLetterQueueSourceArn. One statement: each message is
  // either moved or left where it was.
  PgResult<MoveOutcome> MoveOut(int64_t queue_id, bool fifo, int max_messages,
                                std::optional<int64_t> fixed_destination);
  // Up to `max_messages` messages in every state, oldest first, changing nothing.
  PgResult<std::vector<PeekedRow>> Peek(int64_t queue_id, int max_messages);
  // PurgeQueue's rule (one per queue per `interval`, on any node): true when this purge may go
  // ahead (the time is recorded), false when another came less than `interval` ago; kNotFound
  // without the queue.
  PgResult<bool> ClaimPurge(int64_t queue_id, std::chrono::seconds interval);
  PgResult<QueueCounts> Counts(int64_t queue_id);
  // How long until the next message of the queue becomes due; nullopt when none is pending.
  PgResult<std::optional<std::chrono::milliseconds>> NextVisibleIn(int64_t queue_id);

  // SSE-KMS data keys (queue_ops_data_keys.cc). PutDataKey stores a record unless one with its
  // id exists (then nothing changes). GetDataKeys reads the records of `ids` that exist, in
  // one statement. SweepDataKeys deletes up to `batch` records older than `older_than` that no
  // message refers to; returns how many.
  PgStatus PutDataKey(const StoredDataKey& key);
  PgResult<std::vector<StoredDataKey>> GetDataKeys(std::span<const int64_t> ids);
  PgResult<int64_t> SweepDataKeys(std::chrono::seconds older_than, int batch);
  // Gives back the messages of a receive that could not be delivered, where that receive still
  // holds them (both queue types): receive count as before it, visible again (FIFO: the group
  // released, the ReceiveRequestAttemptId forgotten). Returns how many were given back.
  PgResult<int64_t> ReturnUndelivered(int64_t queue_id, std::span<const Receipt> receipts);

  // Guard-rail readings for health checks and metrics.
  PgResult<HealthReport> Health();

  // Maintenance, in batches of at most `batch` rows; each returns the rows removed.
  PgResult<int64_t> DeleteExpiredDedup(int64_t queue_id, int batch);
  PgResult<int64_t> DeleteExpiredAttempts(int64_t queue_id, int batch);
  PgResult<int64_t> RetentionSweep(int64_t queue_id, int batch);
  // FIFO messages past retention in up to `max_groups` groups, at most `batch` messages; heads
  // are recomputed and a receive that lost its last message releases its group.
  PgResult<int64_t> FifoRetentionSweep(int64_t queue_id, int max_groups, int batch);

 private:
  PgResult<PooledConnection> Borrow() { return pool_.Acquire(acquire_wait_); }
  // The FIFO redrive ReceiveFifo runs first; returns the number of messages moved.
  PgResult<int64_t> RedriveFifo(Connection& conn, int64_t queue_id, int max_groups,
                                const std::string& queue_arn);

  ConnectionPool& pool_;
  const std::chrono::milliseconds acquire_wait_;
};

}  // namespace wharf::storage::pg
