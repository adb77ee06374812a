#pragma once

// What every queue of the PostgreSQL backend shares on one node: the typed statements over the
// connection pool, the worker threads that run them (no blocking call on an I/O thread, ADR 0002
// decision 3), the receipt-handle codec, the service's limits (attribute ranges, the tag limit,
// the QueueDeletedRecently window), the long-poll waiters and the clock they wait by, and
// (optionally) the notifier that tells other nodes about committed sends. All must outlive the
// catalog and its queues.

#include <functional>
#include <memory>
#include <string_view>

#include "api/error.h"
#include "common/clock.h"
#include "sqs/limits.h"
#include "sqs/pg/data_key_store.h"
#include "sqs/pg/fifo_send_order.h"
#include "sqs/pg/long_poll.h"
#include "sqs/pg/pg_receipt.h"
#include "sqs/pg/worker_pool.h"
#include "storage/postgres/queue_ops.h"
#include "storage/postgres/wake.h"

namespace wharf::sqs::pg {

struct PgBackend {
  storage::pg::PgQueueOps& ops;
  WorkerPool& workers;
  const PgReceiptCodec& receipts;
  const Limits& limits;
  LongPollHub& long_polls;
  const Clock& clock;
  // Null: no other node is told (tests of one node).
  storage::pg::WakeNotifier* wake_notifier = nullptr;
  // A queue's row was changed by this node (SetQueueAttributes, tags, policy): the catalog
  // re-reads it. Set by PgCatalog on the copy its queues get.
  std::function<void(int64_t queue_id)> queue_changed;
  // Keeps this node's FIFO sends in call order per group (shared by every copy of the backend,
  // so by every version of a queue's object).
  std::shared_ptr<FifoSendOrder> fifo_send_order = std::make_shared<FifoSendOrder>();
  // This node's SSE-KMS data-key records (data_key_store.h), shared the same way. Null: made by
  // PgCatalog on the backend's clock.
  std::shared_ptr<PgDataKeys> data_keys;
};

// The client's answer to a failed statement: 503 (retryable, nothing happened) when the
// database could not be reached or gave up under load, QueueDoesNotExist when the queue's row is
// gone (deleted on another node), 500 otherwise. The detail goes to the log, never to the client.
api::ApiError FromPgError(std::string_view operation, const storage::pg::PgError& error);

// ChangeMessageVisibility refused by the 12-hour cap (VisibilityChange::kBeyondCap): the
// engine's answer (queue_handles.cc), InvalidParameterValue with the same text.
api::ApiError BeyondVisibilityCap(int64_t timeout_seconds);

}  // namespace wharf::sqs::pg
