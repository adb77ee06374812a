#pragma once

// QueueCache: this node's copy of the `queue` rows (ADR 0002 decision 4), so that resolving a
// queue on a request (Find, authorization's policy, ListQueues) reads memory, not the database,
// and one queue keeps one object (with its per-node metrics) while its row is unchanged.
//
// How it stays current:
// - this node's own changes are put in (or erased) as they commit: Create, Remove, and every
//   change of attributes, tags or policy (PgBackend::queue_changed);
// - Refresh() re-reads every row (PgCatalog runs it periodically): other nodes' creates,
//   deletes and changes arrive within that period. AWS documents the same kind of delay for
//   SQS: "the change can take up to 60 seconds for most of the attributes to propagate" and
//   a new queue may need a second before it can be used.
// A row is rebuilt into a new object only when its version changed; the object's metrics are
// carried over.
//
// Threading: every method from any thread (one mutex; Refresh reads the database outside it).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sqs/pg/pg_queue.h"
#include "storage/postgres/queue_ops.h"

namespace wharf::sqs::pg {

class QueueCache {
 public:
  // Makes the object of a row, with the metrics to carry over (null for a queue new here).
  using Build = std::function<std::shared_ptr<PgQueue>(const storage::pg::QueueRow& row,
                                                       std::shared_ptr<QueueMetrics> metrics)>;

  QueueCache(storage::pg::PgQueueOps& ops, Build build);

  // Null when not cached.
  std::shared_ptr<PgQueue> Find(std::string_view account, std::string_view name) const;
  // Names of `account` starting with `prefix`, after `after`, in byte order, at most `limit`.
  std::vector<std::shared_ptr<QueueBackend>> List(std::string_view account, std::string_view prefix,
                                                  std::string_view after, size_t limit) const;
  std::vector<std::shared_ptr<QueueBackend>> All() const;

  // The row as this node just read or wrote it; returns the queue's object (the cached one when
  // the version is the same).
  std::shared_ptr<PgQueue> Put(const storage::pg::QueueRow& row);
  void Erase(int64_t queue_id);
  // Re-reads one row: put when present, erased when gone. Blocks on the database.
  storage::pg::PgStatus Reload(int64_t queue_id);
  // Re-reads every row, a page at a time. Rows that are gone are erased, unless this node put
  // them while the refresh ran (a create the pages may have missed). Blocks on the database.
  storage::pg::PgStatus Refresh();

  size_t size() const;

 private:
  struct Entry {
    std::shared_ptr<PgQueue> queue;
    int64_t version = 0;
    uint64_t put_epoch = 0;  // refreshes_ when put: a refresh erases only entries older than it
  };
  static std::string Key(std::string_view account, std::string_view name);
  std::shared_ptr<PgQueue> PutLocked(const storage::pg::QueueRow& row);
  void EraseLocked(int64_t queue_id);

  storage::pg::PgQueueOps& ops_;
  const Build build_;
  mutable std::mutex mu_;
  std::map<std::string, Entry> by_name_;  // "account/name", byte order (ListQueues pages by it)
  std::unordered_map<int64_t, std::string> name_of_;  // queue_id -> key of by_name_
  uint64_t refreshes_ = 0;                            // refreshes started
};

}  // namespace wharf::sqs::pg
