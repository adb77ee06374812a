#pragma once

// PgDataKeys: this node's side of the SSE-KMS data-key records of the PostgreSQL backend
// (table data_key, schema migration 8), shared by every queue of the node (PgBackend).
//
// - Before a send stores its first message sealed under a data key, the key's record is put
//   (PutDataKey, idempotent), once per node per key: the ids put are remembered for 24 hours,
//   the longest KmsDataKeyReusePeriodSeconds, after which no send cache serves the key. So
//   sends under a cached key cost nothing extra, and sends in clear never come here.
// - A receive's sealed messages get their records from a cache of records by id (records never
//   change), the missing ones read in one statement (GetDataKeys). A record names the queue
//   it was generated for (DataKeyRecord::queue_arn), which a message moved in SQL keeps.
// The rows are deleted by maintenance (SweepDataKeys), never here.
//
// Thread-safety: any thread (one mutex, never held across a statement); statements block, so
// the callers are worker threads.

#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "sqs/engine/data_keys.h"
#include "storage/postgres/queue_ops.h"

namespace wharf::sqs::pg {

class PgDataKeys {
 public:
  // `clock` (monotonic) times the 24 hours the ids put are remembered.
  explicit PgDataKeys(const Clock& clock) : clock_(clock) {}
  PgDataKeys(const PgDataKeys&) = delete;
  PgDataKeys& operator=(const PgDataKeys&) = delete;

  // The record of a key generated for the queue `queue_arn` is in the database: put now unless
  // this node put it within the last 24 hours.
  storage::pg::PgStatus EnsureStored(storage::pg::PgQueueOps& ops, const DataKeyRecord& record,
                                     std::string_view queue_arn);

  // The records of `ids` (ids with no record are absent from the answer).
  using Records = std::unordered_map<uint64_t, std::shared_ptr<const DataKeyRecord>>;
  storage::pg::PgResult<Records> Find(storage::pg::PgQueueOps& ops, std::span<const uint64_t> ids);

  // The most records the cache keeps; past it, it starts again empty (records are small and
  // read back in one statement, so a simple bound beats bookkeeping).
  static constexpr size_t kMaxCachedRecords = 10'000;
  // How long an id put stays remembered.
  static constexpr Duration kRememberPut = std::chrono::hours(24);

 private:
  void ForgetOldPuts(MonoTime now);  // requires mu_

  const Clock& clock_;
  std::mutex mu_;
  std::unordered_map<uint64_t, MonoTime> put_at_;  // guarded by mu_
  MonoTime next_prune_{};                          // guarded by mu_
  Records records_;                                // guarded by mu_
};

}  // namespace wharf::sqs::pg
