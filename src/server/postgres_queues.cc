#include "server/postgres_queues.h"

#include <utility>

#include "sqs/pg/pg_catalog.h"
#include "storage/postgres/pool.h"
#include "storage/postgres/queue_ops.h"

namespace wharf::server {

// Declared in the order they must be built; destroyed in reverse: the catalog and its queues
// first, then the workers (which finish queued requests, so they still need the statements),
// then the statements and the pool.
struct PostgresQueues::Parts {
  Parts(const Settings& settings, std::string receipt_key)
      : pool(settings.postgres_url, storage::pg::ConnectionOptions{},
             static_cast<size_t>(settings.postgres_pool_size)),
        ops(pool),
        receipts(std::move(receipt_key)),
        workers(static_cast<size_t>(settings.postgres_pool_size)),
        catalog(sqs::pg::PgBackend{ops, workers, receipts}, settings.region) {}

  storage::pg::ConnectionPool pool;
  storage::pg::PgQueueOps ops;
  sqs::pg::PgReceiptCodec receipts;
  sqs::pg::WorkerPool workers;
  sqs::pg::PgCatalog catalog;
};

Result<std::unique_ptr<PostgresQueues>, std::string> PostgresQueues::Open(const Settings& settings,
                                                                          const Sealer& root) {
  if (settings.postgres_url.empty()) {
    return std::string("--storage postgres needs --postgres-url");
  }
  // A key of its own for receipt handles (HKDF of the root key), as 32 raw bytes.
  const auto digest = root.Derive("pg-receipts v1").KeyedDigest("wharf receipt handles");
  auto parts = std::make_unique<Parts>(settings, std::string(digest.begin(), digest.end()));
  if (storage::pg::PgStatus migrated = parts->ops.Migrate(); !migrated.ok()) {
    return "cannot prepare the PostgreSQL database of --postgres-url: " + migrated.error().detail;
  }
  return std::unique_ptr<PostgresQueues>(new PostgresQueues(std::move(parts)));
}

PostgresQueues::PostgresQueues(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

PostgresQueues::~PostgresQueues() = default;

sqs::QueueCatalog& PostgresQueues::catalog() { return parts_->catalog; }

}  // namespace wharf::server
