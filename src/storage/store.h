#pragma once

// The durable store seam. Every mutation of queue state passes through the Store: the engine
// appends the records of a change under the queue's lock (so they reach the disk in the order
// the state changed) and answers the request only when the store reports them durable. Sends
// are appended before the messages become receivable and published only once durable.
// "Acknowledged ⇒ durable" therefore depends only on the backend keeping its promise: `done`
// runs after the records are synced (or failed to be).
//
// Backends: MemoryStore (no durability, completes at once; tests and --storage=memory). The
// embedded durable backend and the distributed one implement the same interface.
//
// Keyed objects: besides queues and messages, owners of small named objects (IAM users, access
// keys, roles and policies; later KMS keys, SNS topics) persist them through the same Store, so
// they share its group commit and its durability promise. An object is a key (opaque bytes chosen
// by its owner, namespaced by a prefix such as "iam/000000000000/user/alice") and a value
// (kObjectPut / kObjectDelete records, in the same Append as any other record, so a change that
// touches a queue and an object is one atomic write). ScanObjects reads them back at start-up.
// Owners keep their own in-memory state while serving; the store is never read on a request.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/histogram.h"
#include "common/result.h"

namespace wharf::storage {

enum class RecordType : uint8_t {
  kQueuePut,       // queue created or its attributes/tags changed; payload = queue record
  kQueueDelete,    // queue and all its messages removed
  kMessagePut,     // message appended; payload = message record
  kMessageState,   // receive count / visibility deadline changed; payload = state record
  kMessageDelete,  // message removed (delete, retention, move)
  kQueuePurge,     // messages with seq below `seq` removed, and the queue's dedup entries
  kDedupPut,       // FIFO deduplication entry under `key`; payload = entry record
  kDedupDelete,    // FIFO deduplication entry under `key` expired
  kTaskPut,        // message move task under `key` (its id); payload = task record
  kMessageCopy,    // message record of (src_queue_id, src_seq) copied to (queue_id, seq): a move
                   // to a dead-letter queue or back; the source was written in an earlier group
  kObjectPut,      // keyed object `key` created or replaced; payload = its value (ScanObjects)
  kObjectDelete,   // keyed object `key` removed (nothing happens if there is none)
};

struct Record {
  RecordType type;
  uint64_t queue_id = 0;
  uint64_t seq = 0;           // message sequence number within the queue (message records)
  std::string payload;        // versioned encoding owned by the writer of the record type
  std::string key;            // dedup records: the deduplication key; tasks: the task id;
                              // objects: the object key
  uint64_t src_queue_id = 0;  // kMessageCopy: where the record comes from
  uint64_t src_seq = 0;
};

enum class StorageErrorCode : uint8_t {
  kIoError,
  kNoSpace,
  kCorruption,  // a record does not decode, or a sealed value does not open (tampered, damaged)
  kClosed,
  kWrongKey,  // at open: the store was sealed with another root key
  kInvalid,   // the backend refuses these records (a record type it does not keep); a caller bug
};

struct StorageError {
  StorageErrorCode code;
  std::string detail;  // for logs only; never sent to clients
};

// A short, fixed name of the kind of failure ("no space"), safe to show without authentication:
// unlike StorageError::detail it never carries a path or a message from the filesystem.
inline std::string_view StorageErrorName(StorageErrorCode code) {
  switch (code) {
    case StorageErrorCode::kIoError:
      return "io error";
    case StorageErrorCode::kNoSpace:
      return "no space";
    case StorageErrorCode::kCorruption:
      return "corruption";
    case StorageErrorCode::kClosed:
      return "closed";
    case StorageErrorCode::kWrongKey:
      return "wrong key";
    case StorageErrorCode::kInvalid:
      return "invalid records";
  }
  return "io error";
}

using StorageStatus = Status<StorageError>;
using CommitDone = std::function<void(StorageStatus)>;
// Message records read back (in the order asked; an empty string for a record that is gone).
using ReadDone = std::function<void(Result<std::vector<std::string>, StorageError>)>;

// What a backend hands back at startup: every queue record, then every message with its latest
// state record (empty when the message was never received or delayed), in (queue, seq) order,
// then every FIFO deduplication entry, then every message move task.
class RecoveryVisitor {
 public:
  virtual ~RecoveryVisitor() = default;
  virtual void Queue(uint64_t queue_id, std::string_view payload) = 0;
  virtual void Message(uint64_t queue_id, uint64_t seq, std::string_view message,
                       std::string_view state) = 0;
  virtual void Dedup(uint64_t queue_id, std::string_view key, std::string_view payload) = 0;
  virtual void Task(std::string_view /*id*/, std::string_view /*payload*/) {}
};

// Records per commit group: 1 to 4096, by powers of two.
inline constexpr std::array<uint64_t, 13> kBatchRecordBounds{1,   2,   4,   8,    16,   32,  64,
                                                             128, 256, 512, 1024, 2048, 4096};

// What a committing backend measures (docs/metrics.md). Written by its committer thread only,
// read by metrics scrapes from any thread (relaxed atomics).
struct CommitStats {
  Histogram<kBatchRecordBounds> batch_records;  // records per group written
  Histogram<kSizeBoundsBytes> batch_bytes;      // bytes per group written (the batch's size)
  // Microseconds per sync: in strict durability the synced write of one group (WAL append and
  // fsync); in relaxed durability each periodic WAL sync.
  Histogram<kLatencyBoundsMicros> sync_micros;
  std::atomic<uint64_t> failed_groups{0};  // groups whose write failed
};

class Store {
 public:
  virtual ~Store() = default;
  // What the backend measures about its commits; null when it does not commit (MemoryStore).
  virtual const CommitStats* commit_stats() const { return nullptr; }
  // True when the backend keeps records; the engine skips building payloads otherwise.
  virtual bool durable() const = 0;
  // OK while writes are expected to succeed; the current failure while they fail (a full or
  // failing disk the backend is recovering from). The engine refuses new sends up front while
  // it is not OK, instead of queueing records that can only fail. Cheap; any thread.
  virtual StorageStatus Health() const { return {}; }
  // OK while the store takes new records: always while healthy, and while failing as long as
  // what it keeps for its recovery stays under its bound (RocksStore: RocksOptions::
  // max_retained_bytes; a backend that keeps nothing for later has no bound). Not OK (the current
  // failure) once that bound is reached: the engine then refuses, up front and before changing
  // anything in memory, every operation that would append records (receives, deletes, visibility
  // and queue changes), as it refuses sends while Health() is not OK. Records appended anyway
  // (timers, an operation admitted just before the bound was reached) are still kept: the bound is
  // how much the store keeps before it stops admitting work, never a reason to drop a change the
  // engine made. Cheap; any thread.
  virtual StorageStatus Accepting() const { return {}; }
  // Queues `records` to be written and returns a ticket. Never blocks on the disk and never
  // calls back, so the engine calls it under the queue lock: records reach the disk in the
  // order the engine's state changed. Appending nothing returns the latest ticket, so waiting
  // on it still orders the answer after every earlier change.
  virtual uint64_t Append(std::vector<Record> records) = 0;
  // Calls `done` once everything appended up to `ticket` is durable (or failed), possibly on
  // another thread, possibly before returning. Call it without holding engine locks.
  //
  // A failure means "not known to be durable", not "undone": a backend that recovers from a
  // disk failure by itself (RocksStore) still writes the failed records, in order, before
  // anything appended after them, unless the process stops first. An engine change that is
  // applied regardless of the outcome (receives, deletes, attribute changes) thus reaches the
  // disk eventually; a change the engine backs out on failure (a send that never becomes
  // receivable) must be undone by appending the records that undo it.
  virtual void WhenDurable(uint64_t ticket, CommitDone done) = 0;
  // Replays the stored state into `visitor`. Called once, before serving.
  virtual StorageStatus Recover(RecoveryVisitor& visitor) = 0;
  // Reads the message records of `seqs` of a queue, off the caller's thread, and calls `done`
  // with them (possibly on another thread). Used for message bodies kept only on disk.
  virtual void ReadMessages(uint64_t queue_id, std::vector<uint64_t> seqs, ReadDone done) = 0;
  // Calls `visit` with every stored object whose key starts with `prefix` (all of them for an
  // empty prefix), in key order (bytewise, unsigned), on the caller's thread, before returning.
  // Meant for start-up, before serving: each owner scans its own prefix, in any order, any
  // number of times, independently of Recover. It sees what has been written; records appended
  // but not yet durable may be missing, so call it before appending or after WhenDurable. The
  // views are valid only during the call. An error stops the scan (objects already visited
  // stay visited); the owner should refuse to start instead of serving a partial state.
  virtual StorageStatus ScanObjects(
      std::string_view prefix,
      const std::function<void(std::string_view key, std::string_view payload)>& visit) = 0;

  void Commit(std::vector<Record> records, CommitDone done) {
    WhenDurable(Append(std::move(records)), std::move(done));
  }
};

// Keeps nothing: every append is "durable" at once.
//
// That includes keyed objects: ScanObjects visits nothing. Memory mode keeps nothing across a
// restart, so there is nothing to read back at start-up; while running, owners serve from their
// own in-memory state, exactly as the queue engine does with messages. Keeping objects here
// would make memory mode half-durable (objects "survive" only within one process, never across
// a restart) and give owners a second source of truth to keep in step with. Tests that need
// objects to come back use a RocksStore on a temporary directory.
class MemoryStore final : public Store {
 public:
  bool durable() const override { return false; }
  uint64_t Append(std::vector<Record>) override { return 0; }
  void WhenDurable(uint64_t, CommitDone done) override { done(StorageStatus()); }
  StorageStatus Recover(RecoveryVisitor&) override { return {}; }
  void ReadMessages(uint64_t, std::vector<uint64_t> seqs, ReadDone done) override {
    done(std::vector<std::string>(seqs.size()));  // keeps nothing, so nothing is on "disk"
  }
  StorageStatus ScanObjects(
      std::string_view, const std::function<void(std::string_view, std::string_view)>&) override {
    return {};  // keeps nothing (see above)
  }
};

}  // namespace wharf::storage
