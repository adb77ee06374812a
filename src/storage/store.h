#pragma once

// The durable store seam. Every mutation of queue state passes through Store::Commit before it
// takes effect or is acknowledged: the engine builds the records of one request (or one group
// of requests), hands them over, and applies the change to its in-memory state only in the
// completion. "Acknowledged ⇒ durable" therefore depends only on the backend keeping its
// promise: `done` runs after the records are synced (or failed to be).
//
// Backends: MemoryStore (no durability, completes at once; tests and --storage=memory). The
// embedded durable backend and the distributed one implement the same interface.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/result.h"

namespace wharf::storage {

enum class RecordType : uint8_t {
  kQueuePut,       // queue created or its attributes/tags changed; payload = queue record
  kQueueDelete,    // queue and all its messages removed
  kMessagePut,     // message appended; payload = message record
  kMessageState,   // receive count / visibility deadline changed; payload = state record
  kMessageDelete,  // message removed (delete, retention, move)
  kQueuePurge,     // all messages of a queue removed
};

struct Record {
  RecordType type;
  uint64_t queue_id = 0;
  uint64_t seq = 0;     // message sequence number within the queue (message records)
  std::string payload;  // versioned encoding owned by the writer of the record type
};

enum class StorageErrorCode : uint8_t { kIoError, kNoSpace, kCorruption, kClosed };

struct StorageError {
  StorageErrorCode code;
  std::string detail;  // for logs only; never sent to clients
};

using StorageStatus = Status<StorageError>;
using CommitDone = std::function<void(StorageStatus)>;

class Store {
 public:
  virtual ~Store() = default;
  // True when the backend keeps records; the engine skips building payloads otherwise.
  virtual bool durable() const = 0;
  // Makes `records` durable, then calls `done` exactly once, possibly on another thread and
  // possibly before Commit returns.
  virtual void Commit(std::vector<Record> records, CommitDone done) = 0;
};

// Keeps nothing: every commit succeeds at once, on the calling thread.
class MemoryStore final : public Store {
 public:
  bool durable() const override { return false; }
  void Commit(std::vector<Record>, CommitDone done) override { done(StorageStatus()); }
};

}  // namespace wharf::storage
