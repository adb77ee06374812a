#pragma once

// PgMaintenance: the housekeeping of the PostgreSQL backend (storage.md §5.5), run by every node
// on a thread of its own: messages past their queue's MessageRetentionPeriod are deleted (FIFO:
// group heads recomputed), expired FIFO deduplication entries and ReceiveRequestAttemptIds go,
// deleted queue names are forgotten once QueueDeletedRecently no longer applies, and SSE-KMS
// data-key records no message refers to are deleted once older than kDataKeyHold.
//
// Retention is enforced by these sweeps, not by the receive statement: a message can still be
// received for up to one interval after its retention period ended (AWS, too, deletes such
// messages in the background). One node sweeps at a time: the maintenance leader, which holds the
// `lease` row 'maintenance' (storage.md §5.3; `Lead`, renewed at every round, taken over by
// another node once it expires). The statements are also safe to run concurrently (a row
// deleted by one node is skipped by the other), so a lease lost in the middle of a round, or no
// lease at all (tests), only repeats work.
//
// Threading: RunOnce from any thread (blocks on the database); Start/destructor from the owner.

#include <chrono>
#include <cstdint>
#include <functional>

#include "common/periodic_thread.h"
#include "sqs/queue_catalog.h"
#include "storage/postgres/queue_ops.h"

namespace wharf::sqs::pg {

struct MaintenanceReport {
  int64_t expired_messages = 0;  // deleted past retention
  int64_t expired_dedup = 0;     // FIFO deduplication entries and receive attempts
  int64_t forgotten_names = 0;   // deleted queue names past the QueueDeletedRecently window
  int64_t swept_data_keys = 0;   // SSE-KMS data-key records no message needs any more
  int64_t failures = 0;          // statements that failed (logged; the next round retries)
  bool led = true;               // false: another node leads (or the lease could not be read)
};

// How old an unreferenced data-key record must be before the sweep deletes it: the longest
// KmsDataKeyReusePeriodSeconds (one day, after which no node's send cache serves the key), plus
// an hour for the nodes' clocks against the database's. Queue deletion leaves the records here.
inline constexpr std::chrono::seconds kDataKeyHold = std::chrono::hours(25);

class PgMaintenance {
 public:
  // Takes or renews this node's leadership for the round about to run; false when another node
  // leads. Blocks on the database.
  using Lead = std::function<bool()>;

  // `catalog` gives the queues to sweep (All(): this node's cache). `deleted_name_window` is the
  // QueueDeletedRecently window. Both referents must outlive this object. Without `lead` every
  // round runs.
  PgMaintenance(storage::pg::PgQueueOps& ops, const QueueCatalog& catalog,
                std::chrono::seconds deleted_name_window, Lead lead = nullptr);
  ~PgMaintenance();
  PgMaintenance(const PgMaintenance&) = delete;
  PgMaintenance& operator=(const PgMaintenance&) = delete;

  // One round over every queue, if this node leads.
  MaintenanceReport RunOnce();
  // A round every `interval` on a thread of its own until destruction.
  void Start(std::chrono::milliseconds interval);

 private:
  void Count(const storage::pg::PgResult<int64_t>& result, int64_t& into, int64_t queue_id,
             const char* what, MaintenanceReport& report);

  storage::pg::PgQueueOps& ops_;
  const QueueCatalog& catalog_;
  const std::chrono::seconds deleted_name_window_;
  const Lead lead_;
  PeriodicThread thread_;
};

}  // namespace wharf::sqs::pg
