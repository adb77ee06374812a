#pragma once

// The embedded durable store: RocksDB under the data directory (docs/adr/0001-embedded-store.md),
// holding the durable record while all scheduling state lives in the engine's memory
// (storage.md §6). Column families: `meta` (queues, move tasks, keyed objects), `msg` (message
// records), `state` (receive
// state, kept apart so a receive never rewrites a body), `dedup` (FIFO deduplication window). Keys
// are big-endian, so a queue's messages are one contiguous range in send order.
//
// Group commit: Append() only enqueues. One committer thread takes everything queued, writes it
// as one WriteBatch with one sync, then runs the completions of every ticket it covered — so no I/O
// thread ever waits for the disk, and concurrent requests share a sync. With Durability::kRelaxed
// the batch is written without sync and the WAL is synced every `relaxed_sync_interval` instead
// (the documented window of loss).
//
// Disk failures (docs/reliability.md "Fault injection"): RocksDB stops accepting writes after
// an I/O error (ENOSPC, EIO, a failed sync). The group that hit it and every group appended
// while the store is failing are answered with the error (clients get a retryable 503), but
// their records are not dropped: they are kept, in order, as built batches ("retained"), and
// Health() reports the failure so the engine can refuse new sends up front. Every
// `recovery_interval` the committer probes the disk (a small file written and synced, and
// `recovery_headroom_bytes` free); once the probe passes it closes and reopens the database (the
// WAL replays whatever reached it; reopening, not DB::Resume, because RocksDB 7.8 can abort in a
// flush retried after a failed one, facebook/rocksdb#12796) and writes the retained batches,
// synced. Only then is the store healthy again: a failed commit is therefore "in doubt", not
// undone — it becomes durable at recovery unless the process stops first — and a caller that
// backs out a change after a failure must append the records that undo it (store.h). Rewriting
// a retained batch that did reach the WAL is harmless: every record is idempotent (puts of the
// same sealed bytes, deletes). A record that cannot even be built (a copied message that does
// not open: kCorruption) fails the store for good, until a restart.
//
// The retained batches are bounded (`max_retained_bytes`): sends are refused while failing, but
// receives, deletes and visibility changes would otherwise keep adding records for as long as
// the outage lasts. Once the retained batches reach the bound, Accepting() reports the failure
// and the engine refuses every operation that would append, before changing anything in memory
// (store.h). Nothing is dropped: records appended past the bound (timers, an operation admitted
// just before it was reached) are retained as well, so the bound can be exceeded by that much,
// which is limited by the state already in memory since nothing new is admitted. The recovery
// that writes the retained batches makes the store accept again.
//
// RocksDB's LOCK file keeps a second process from opening the same directory.
//
// Sealing: every value written is sealed (value_sealer.h) under the storage key the caller passes
// (the root key's sub-key "storage v1"), with the column family and the key as associated data,
// and opened on every read (recovery, body reads, object scans, copies); keys stay in clear and
// hold only ids. Open refuses a store sealed with another key (kWrongKey), seals a store written
// before sealing in place (store_format.h), and a value that does not open stops the read with
// kCorruption instead of being misread.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/result.h"
#include "common/sealing.h"
#include "storage/store.h"
#include "storage/store_format.h"
#include "storage/value_sealer.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
class Env;
class WriteBatch;
}  // namespace rocksdb

namespace wharf::storage {

enum class Durability : uint8_t { kStrict, kRelaxed };

struct RocksOptions {
  std::string directory;
  // The key every value is sealed under (the root key's sub-key "storage v1"). Required: Open
  // refuses to run without one.
  std::optional<Sealer> sealing_key;
  // Seals under one data key before a new one is drawn (tests lower it to see keys change).
  uint64_t seals_per_data_key = ValueSealer::kSealsPerDataKey;
  Durability durability = Durability::kStrict;
  std::chrono::milliseconds relaxed_sync_interval{100};
  // Tests inject a fault-injecting Env here; nullptr means the default one.
  rocksdb::Env* env = nullptr;
  // While writes fail, how often the committer probes the disk and tries to recover.
  std::chrono::milliseconds recovery_interval{1000};
  // Free space the disk must report (when it reports any) before recovery is tried: reopening
  // flushes the replayed memtables, which needs room.
  uint64_t recovery_headroom_bytes = 64ull << 20;
  // While writes fail: the bytes of retained batches (failed, not yet rewritten) past which the
  // store stops accepting new work (Accepting()) until it recovers. Bounds the memory a long
  // outage takes; nothing retained is ever dropped for it.
  uint64_t max_retained_bytes = 64ull << 20;
  // Called on the committer thread when writes start failing (with the error) and when the
  // store has recovered (OK): the server logs both. Must not call back into the store.
  std::function<void(const StorageStatus&)> on_health_change;
};

class RocksStore final : public Store {
 public:
  static Result<std::unique_ptr<RocksStore>, StorageError> Open(const RocksOptions& options);
  ~RocksStore() override;

  bool durable() const override { return true; }
  StorageStatus Health() const override;
  StorageStatus Accepting() const override;
  uint64_t Append(std::vector<Record> records) override;
  void WhenDurable(uint64_t ticket, CommitDone done) override;
  StorageStatus Recover(RecoveryVisitor& visitor) override;
  void ReadMessages(uint64_t queue_id, std::vector<uint64_t> seqs, ReadDone done) override;
  StorageStatus ScanObjects(
      std::string_view prefix,
      const std::function<void(std::string_view key, std::string_view payload)>& visit) override;

  // Finishes queued commits and closes the database. Idempotent.
  void Close();

  // Root key rotation (`wharf rekey`), on a store nothing else appends to: waits for every
  // appended record, then writes in one synced batch every data key wrapped under
  // `new_sealing_key`, the key check for it and `records` (an owner's objects sealed again under
  // keys derived from the new root key), and closes the store. Values sealed before stay as they
  // are: they are sealed under the data keys. From then on only `new_sealing_key` opens the store.
  StorageStatus Rekey(const Sealer& new_sealing_key, std::vector<Record> records);

  // Groups written so far (for tests and metrics: concurrent commits share groups).
  uint64_t groups_written() const;
  const CommitStats* commit_stats() const override { return &commit_stats_; }
  // Times the store recovered from a disk failure by itself (for tests and metrics).
  uint64_t recoveries() const;
  // Bytes of retained batches waiting for the recovery (for tests and metrics).
  uint64_t retained_bytes() const { return retained_bytes_seen_.load(std::memory_order_relaxed); }
  // What Open found and did about sealing (for the start-up log and tests).
  const SealingReport& sealing_report() const { return sealing_report_; }

 private:
  RocksStore(const RocksOptions& options, const Sealer& sealing_key);
  StorageStatus OpenDatabase();
  void CloseDatabase();
  void Run();
  // Committer thread, while failing: probes the disk, reopens the database and writes the
  // retained batches. True once the store is healthy again.
  bool TryRecover();
  bool ProbeDisk() const;
  // Committer thread: writes fail from now on with `error` (recoverable or for good).
  void EnterFailure(const StorageError& error, bool recoverable);
  // Fills the payload of kMessageCopy records from the source records, opened (committer
  // thread). A source that does not open fails the group.
  StorageStatus CopyPayloads(std::vector<Record>& group);
  // Builds the group's batch, every value sealed (committer thread).
  void BuildBatch(const std::vector<Record>& group, rocksdb::WriteBatch& batch);
  // Opens a value read from `family` under `key`; kCorruption naming `what` if it does not.
  StorageStatus OpenValue(Family family, std::string_view key, std::string_view sealed,
                          std::string& out, const char* what) const;

  const RocksOptions options_;
  ValueSealer sealer_;
  SealingReport sealing_report_;
  std::string sealed_scratch_;  // committer thread
  std::unique_ptr<rocksdb::DB> db_;
  rocksdb::ColumnFamilyHandle* meta_ = nullptr;
  rocksdb::ColumnFamilyHandle* msg_ = nullptr;
  rocksdb::ColumnFamilyHandle* state_ = nullptr;
  rocksdb::ColumnFamilyHandle* dedup_ = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;

  // Readers of db_ on other threads (body reads, compaction hints, start-up scans) hold it
  // shared; the committer holds it exclusively while it reopens the database. The committer's
  // own writes need no lock: only it replaces db_.
  mutable std::shared_mutex db_mu_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Record> pending_;          // appended, not yet written
  uint64_t appended_ = 0;                // last ticket handed out
  uint64_t attempted_ = 0;               // every ticket up to this one was written or failed
  uint64_t durable_ = 0;                 // every ticket up to this one is written
  std::optional<StorageError> failure_;  // set while writes fail
  bool recoverable_ = true;              // false: failed for good (until a restart)
  std::multimap<uint64_t, CommitDone> waiters_;
  bool stopping_ = false;
  bool closed_ = false;
  uint64_t groups_written_ = 0;
  CommitStats commit_stats_;  // written by the committer thread
  uint64_t recoveries_ = 0;
  std::atomic<bool> writable_{true};  // !failure_, readable without mu_
  // False from when the retained batches reach max_retained_bytes until the recovery that
  // writes them (set under mu_, readable without it).
  std::atomic<bool> accepting_{true};
  std::atomic<uint64_t> retained_bytes_seen_{0};  // retained_bytes_, for other threads
  std::thread committer_;

  // Committer thread only: the batches of groups that failed or came while failing, in order,
  // and the queues whose ranges they delete (compacted once written).
  std::vector<std::unique_ptr<rocksdb::WriteBatch>> retained_;
  std::vector<uint64_t> retained_reclaim_;
  uint64_t retained_bytes_ = 0;  // the data size of retained_
  std::chrono::steady_clock::time_point next_recovery_{};

  // Space reclamation: after a purge or queue deletion, the covered key range is compacted on
  // this thread, so the committer never waits for a compaction.
  void Compact();
  std::mutex compact_mu_;
  std::condition_variable compact_cv_;
  std::vector<uint64_t> compact_queues_;  // queue ids whose messages were range-deleted
  bool compact_stopping_ = false;
  std::thread compactor_;

  // Reads of bodies kept only on disk, on their own thread so neither I/O threads nor the
  // committer wait for the disk. Requests queued together are read with one MultiGet.
  struct ReadRequest {
    uint64_t queue_id;
    std::vector<uint64_t> seqs;
    ReadDone done;
  };
  void Read();
  std::mutex read_mu_;
  std::condition_variable read_cv_;
  std::vector<ReadRequest> reads_;
  bool read_stopping_ = false;
  std::thread reader_;
};

}  // namespace wharf::storage
