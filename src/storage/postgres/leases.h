#pragma once

// Leases in PostgreSQL (statements kHoldLease, kReleaseLease): a named piece of work held by one
// node (a uuid) until an expiry the database sets, renewed by its holder and taken by any node
// once expired. Used for message move tasks (sqs/pg/move_task_leases.h); the maintenance leader
// is to follow.
//
// Threading: safe from any thread; calls block on the pool and the network (not for an I/O
// thread). The pool must outlive this object.

#include <chrono>
#include <string>

#include "storage/postgres/pg_error.h"
#include "storage/postgres/pool.h"

namespace wharf::storage::pg {

class PgLeases {
 public:
  explicit PgLeases(ConnectionPool& pool,
                    std::chrono::milliseconds acquire_wait = std::chrono::seconds(5))
      : pool_(pool), acquire_wait_(acquire_wait) {}

  // Takes lease `name` for `node_id` for `ttl`, or renews it; true when `node_id` holds it on
  // return, false while another node's lease is live.
  PgResult<bool> Hold(const std::string& name, const std::string& node_id,
                      std::chrono::milliseconds ttl);
  // Gives up `node_id`'s lease `name`; true when it held it.
  PgResult<bool> Release(const std::string& name, const std::string& node_id);

 private:
  ConnectionPool& pool_;
  const std::chrono::milliseconds acquire_wait_;
};

}  // namespace wharf::storage::pg
