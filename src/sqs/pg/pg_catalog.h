#pragma once

// PgCatalog: the QueueCatalog of the PostgreSQL backend (ADR 0002 step 2) — queues are rows of
// the `queue` table, shared by every node, read and written through storage/postgres's
// PgQueueOps.
//
// What exists, what does not:
// - Standard and FIFO queues with every attribute of QueueConfig and the tags
//   (queue_row_codec.h), except SSE-KMS: KmsMasterKeyId is refused with UnsupportedOperation
//   (PgQueue stores bodies as text; sealed bodies are bytes). FIFO queues are created, but
//   PgQueue's FIFO message operations still answer UnsupportedOperation.
// - A RedrivePolicy sets the row's dlq_id to the dead-letter queue's queue_id, read when the
//   policy is stored (dead_letter_target.h).
// - A name deleted less than Limits::recreate_after_delete_seconds ago is refused with
//   QueueDeletedRecently, on any node (the database records each delete's time).
// - Every Find/FindByArn/List/All is a direct read of the database and builds a new PgQueue
//   from the row: no per-node cache yet (ADR 0002 decision 4 adds it, with the row's version and
//   pg_notify). So two Finds of one queue return two objects, and per-node metrics are per
//   object until the cache keeps one object per queue.
// - The catalog's calls block on the pool and the network (PgQueueOps), so today they must not
//   run on an I/O thread: Create and Remove answer through their callbacks before they return.
//   PgQueue's operations already run on the backend's worker pool (ADR 0002 decision 3); the
//   catalog's are to follow.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sqs/pg/pg_queue.h"
#include "sqs/queue_catalog.h"
#include "storage/postgres/queue_ops.h"

namespace wharf::sqs::pg {

class PgCatalog final : public QueueCatalog {
 public:
  // What `backend` refers to must outlive the catalog and every queue it hands out.
  // backend.limits.recreate_after_delete_seconds is the QueueDeletedRecently window (0: none).
  PgCatalog(PgBackend backend, std::string region);

  std::shared_ptr<QueueBackend> Find(std::string_view account,
                                     std::string_view name) const override;
  std::shared_ptr<QueueBackend> FindByArn(std::string_view arn) const override;
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
  // Not implemented in this slice (every queue of every account is one unbounded read; the
  // scans that use it get their own queries, ADR 0002 "Found by step 1"): logs and returns none.
  std::vector<std::shared_ptr<QueueBackend>> All() const override;
  std::string ArnOf(std::string_view account, std::string_view name) const override;

 private:
  api::ApiResult<Created> CreateRow(const std::string& account, const std::string& name,
                                    QueueConfig config, const api::StringPairs& tags,
                                    const api::StringPairs& given);
  std::shared_ptr<PgQueue> FromRow(const storage::pg::QueueRow& row) const;

  const PgBackend backend_;
  storage::pg::PgQueueOps& ops_;  // backend_.ops
  const std::string region_;
};

}  // namespace wharf::sqs::pg
