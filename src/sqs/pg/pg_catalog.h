#pragma once

// PgCatalog: the QueueCatalog of the PostgreSQL backend (ADR 0002 step 2) — queues are rows of
// the `queue` table, shared by every node, read and written through storage/postgres's
// PgQueueOps.
//
// What exists, what does not:
// - Standard and FIFO queues with every attribute of QueueConfig and the tags
//   (queue_row_codec.h), except SSE-KMS: KmsMasterKeyId is refused with UnsupportedOperation
//   (PgQueue stores bodies as text; sealed bodies are bytes).
// - A RedrivePolicy sets the row's dlq_id to the dead-letter queue's queue_id, read when the
//   policy is stored (dead_letter_target.h).
// - A name deleted less than Limits::recreate_after_delete_seconds ago is refused with
//   QueueDeletedRecently, on any node (the database records each delete's time).
// - Queues are cached per node (QueueCache, ADR 0002 decision 4): Find, FindByArn and All read
//   the cache, refreshed from the database every StartRefreshing interval and at once for this
//   node's own changes; a name not cached is read from the database (a queue made on another
//   node since the last refresh). One object per queue while its row's version is unchanged;
//   per-node metrics carry over to the next version's object.
// - List reads the database (ListQueues answers what every node sees) and caches the rows.
// - Create and Remove run on the worker pool, like PgQueue's operations (ADR 0002 decision 3),
//   and answer there (at once on the caller's thread when it is already a worker). List and a
//   Find of an uncached name block on the pool and the network on the caller's thread: their
//   answers are synchronous (QueueCatalog), and they are rare (a name is cached after its first
//   read, and the cache is refreshed every second).

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/periodic_thread.h"
#include "sqs/pg/pg_queue.h"
#include "sqs/pg/queue_cache.h"
#include "sqs/queue_catalog.h"
#include "storage/postgres/queue_ops.h"

namespace wharf::sqs::pg {

class PgCatalog final : public QueueCatalog {
 public:
  // What `backend` refers to must outlive the catalog and every queue it hands out.
  // backend.limits.recreate_after_delete_seconds is the QueueDeletedRecently window (0: none).
  PgCatalog(PgBackend backend, std::string region);
  ~PgCatalog() override;

  // Refreshes the cache now, then every `interval` on a thread of its own until destruction.
  void StartRefreshing(std::chrono::milliseconds interval);
  // One refresh of the cache, now (blocks on the database).
  storage::pg::PgStatus RefreshNow() { return cache_.Refresh(); }

  std::shared_ptr<QueueBackend> Find(std::string_view account,
                                     std::string_view name) const override;
  // Lookup with a database error dropped (logged): null.
  std::shared_ptr<QueueBackend> FindByArn(std::string_view arn) const override;
  // The cached queue, else a read of the database; ServiceUnavailable (or InternalFailure) when
  // that read fails (FromPgError), so a client retries instead of being told the queue is gone.
  api::ApiResult<std::shared_ptr<QueueBackend>> Lookup(std::string_view account,
                                                       std::string_view name) const override;
  // Idempotent across nodes (PgQueueOps::CreateQueue: one row per account and name, even under
  // concurrent creates); an existing queue is compared with `given` as the engine compares.
  // `config` was checked by the caller (ApplyAttributes, as the CreateQueue handler does); its
  // timestamps are replaced by the database's.
  void Create(const std::string& account, const std::string& name, QueueConfig config,
              api::StringPairs tags, const api::StringPairs& given, CreateDone done) override;
  // Delete, with a row already gone answered ok (QueueCatalog::Remove).
  void Remove(const std::shared_ptr<QueueBackend>& queue, Done done) override;
  // Deletes the queue's row and everything in it (one statement). QueueDoesNotExist when the
  // row is already gone (another node deleted it); InternalFailure on a database error.
  api::ApiStatus Delete(const QueueBackend& queue);

  std::vector<std::shared_ptr<QueueBackend>> List(std::string_view account, std::string_view prefix,
                                                  std::string_view after,
                                                  size_t limit) const override;
  // Every cached queue (ListDeadLetterSourceQueues, /metrics, the console).
  std::vector<std::shared_ptr<QueueBackend>> All() const override;
  std::string ArnOf(std::string_view account, std::string_view name) const override;

 private:
  api::ApiResult<Created> CreateRow(const std::string& account, const std::string& name,
                                    QueueConfig config, const api::StringPairs& tags,
                                    const api::StringPairs& given);
  std::shared_ptr<PgQueue> FromRow(const storage::pg::QueueRow& row,
                                   std::shared_ptr<QueueMetrics> metrics) const;
  // `backend` with queue_changed reloading the changed row into the cache.
  PgBackend WithChangeHook(PgBackend backend);

  const PgBackend backend_;
  storage::pg::PgQueueOps& ops_;  // backend_.ops
  const std::string region_;
  mutable QueueCache cache_;
  PeriodicThread refresher_;
};

}  // namespace wharf::sqs::pg
