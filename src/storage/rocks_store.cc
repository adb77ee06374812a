#include "storage/rocks_store.h"

#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/experimental.h>
#include <rocksdb/file_system.h>
#include <rocksdb/memtablerep.h>
#include <rocksdb/options.h>
#include <rocksdb/utilities/table_properties_collectors.h>
#include <rocksdb/write_batch.h>

#include <future>

#include "common/binary_codec.h"
#include "common/hashing.h"
#include "common/thread_name.h"
#include "storage/keys.h"
#include "storage/rocks_status.h"

namespace wharf::storage {
namespace {

uint64_t MicrosSince(std::chrono::steady_clock::time_point start) {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                   std::chrono::steady_clock::now() - start)
                                   .count());
}

// Every value is sealed, so no value compresses: compressing a file only costs CPU (measured: a
// 600,000-message fill takes 5-8 % more server CPU with LZ4 in the last level, for the same size on
// disk; docs/benchmarks.md). Keys are prefix-encoded in RocksDB's blocks anyway.
rocksdb::ColumnFamilyOptions SealedFamilyOptions() {
  rocksdb::ColumnFamilyOptions cf;
  cf.compression = rocksdb::kNoCompression;
  cf.bottommost_compression = rocksdb::kNoCompression;
  return cf;
}

rocksdb::ColumnFamilyOptions MessageFamilyOptions() {
  rocksdb::ColumnFamilyOptions cf = SealedFamilyOptions();
  cf.write_buffer_size = 32 << 20;
  // Deleted messages leave tombstones; compact files dense with them so startup scans and
  // range reads stay short (storage.md §6.3).
  cf.table_properties_collector_factories.emplace_back(
      rocksdb::NewCompactOnDeletionCollectorFactory(1000, 500));
  return cf;
}

// Deduplication records are written (one per FIFO message, at send) and deleted (at expiry), and
// read only by recovery, which iterates them once. Their keys are digests, so each insert lands
// at a random place: in the default skip-list memtable, finding that place was 12 % of the
// server's CPU in a FIFO send-batch run (perf, 2026-11-29; docs/benchmarks.md). A vector memtable
// appends, and sorts once when the memtable is flushed or iterated — which is all this family
// asks of it. (It needs allow_concurrent_memtable_write off: the store has one writer thread.)
rocksdb::ColumnFamilyOptions DedupFamilyOptions() {
  rocksdb::ColumnFamilyOptions cf = MessageFamilyOptions();
  cf.memtable_factory = std::make_shared<rocksdb::VectorRepFactory>();
  return cf;
}

}  // namespace

RocksStore::RocksStore(const RocksOptions& options, const Sealer& sealing_key)
    : options_(options), sealer_(sealing_key, options.seals_per_data_key) {}

StorageStatus RocksStore::OpenDatabase() {
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.IncreaseParallelism(2);
  db_options.max_total_wal_size = 256 << 20;
  // The dedup family's vector memtable cannot take concurrent inserts; the committer is the one
  // thread that writes, so nothing is lost.
  db_options.allow_concurrent_memtable_write = false;
  // After an I/O error, stay failed instead of retrying flushes in the background: a flush
  // retried after a failed one can hit an assertion in RocksDB 7.8 when the memtable holds
  // range deletes (fixed upstream in facebook/rocksdb#12796). The committer recovers instead,
  // by reopening the database once the disk takes writes again (TryRecover).
  db_options.max_bgerror_resume_count = 0;
  // The WAL holds everything; flushing on close only adds another chance to hit the above.
  db_options.avoid_flush_during_shutdown = true;
  if (options_.env) db_options.env = options_.env;

  std::vector<rocksdb::ColumnFamilyDescriptor> families = {
      {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions()},
      {"meta", SealedFamilyOptions()},
      {"msg", MessageFamilyOptions()},
      {"state", MessageFamilyOptions()},
      {"dedup", DedupFamilyOptions()},
  };
  rocksdb::DB* db = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(db_options, options_.directory, families, &handles_, &db);
  if (!s.ok()) {
    StorageError error = FromRocks(s);
    if (s.IsIOError() && s.ToString().find("lock") != std::string::npos) {
      error.detail = "data directory " + options_.directory + " is in use by another process (" +
                     s.ToString() + ")";
    }
    return error;
  }
  db_.reset(db);
  meta_ = handles_[1];
  msg_ = handles_[2];
  state_ = handles_[3];
  dedup_ = handles_[4];
  return {};
}

void RocksStore::CloseDatabase() {
  if (!db_) return;
  if (options_.durability == Durability::kRelaxed) db_->SyncWAL().PermitUncheckedError();
  for (auto* handle : handles_) db_->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
  handles_.clear();
  db_->Close().PermitUncheckedError();
  db_.reset();
}

Result<std::unique_ptr<RocksStore>, StorageError> RocksStore::Open(const RocksOptions& options) {
  if (!options.sealing_key) {
    return StorageError{StorageErrorCode::kWrongKey,
                        "no sealing key given for the store in " + options.directory};
  }
  std::unique_ptr<RocksStore> store(new RocksStore(options, *options.sealing_key));
  WHARF_RETURN_IF_ERROR(store->OpenDatabase());
  // Before any thread starts: check the key, load the data keys, seal an old store in place.
  const StoreHandles handles{store->db_.get(), store->meta_, store->msg_, store->state_,
                             store->dedup_};
  auto prepared = PrepareSealedStore(handles, store->sealer_, options.directory);
  if (!prepared.ok()) {
    store->Close();
    return std::move(prepared).error();
  }
  store->sealing_report_ = *prepared;
  if (prepared->dropped_clear_copies) {
    // The MANIFEST still describes the files that held the clear values, with their first and
    // last keys (FIFO deduplication ids were keys then). Reopening writes a fresh MANIFEST and
    // deletes the old one.
    store->CloseDatabase();
    WHARF_RETURN_IF_ERROR(store->OpenDatabase());
  }
  store->committer_ = std::thread([s = store.get()] {
    NameThisThread("wharf-commit");
    s->Run();
  });
  store->compactor_ = std::thread([s = store.get()] {
    NameThisThread("wharf-compact");
    s->Compact();
  });
  store->reader_ = std::thread([s = store.get()] {
    NameThisThread("wharf-read");
    s->Read();
  });
  return store;
}

RocksStore::~RocksStore() { Close(); }

void RocksStore::Close() {
  {
    std::lock_guard lock(mu_);
    if (closed_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (committer_.joinable()) committer_.join();
  {
    std::lock_guard lock(compact_mu_);
    compact_stopping_ = true;
  }
  compact_cv_.notify_all();
  if (compactor_.joinable()) compactor_.join();
  {
    std::lock_guard lock(read_mu_);
    read_stopping_ = true;
  }
  read_cv_.notify_all();
  if (reader_.joinable()) reader_.join();
  std::lock_guard lock(mu_);
  closed_ = true;
  CloseDatabase();
}

StorageStatus RocksStore::Rekey(const Sealer& new_sealing_key, std::vector<Record> records) {
  {
    std::promise<StorageStatus> settled;
    WhenDurable(Append({}), [&](StorageStatus status) { settled.set_value(std::move(status)); });
    WHARF_RETURN_IF_ERROR(settled.get_future().get());
  }
  // The committer is idle (nothing else appends), so this thread may seal.
  rocksdb::WriteBatch batch;
  {
    std::lock_guard lock(mu_);
    if (closed_ || stopping_ || failure_) {
      return StorageError{StorageErrorCode::kClosed, "store is closed or failed"};
    }
    WHARF_RETURN_IF_ERROR(CopyPayloads(records));
    BuildBatch(records, batch);
  }
  // After the records: a data key they started is rewrapped too (the later put wins).
  for (const ValueSealer::DataKeyRecord& key : sealer_.RewrapDataKeys(new_sealing_key)) {
    batch.Put(meta_, DataKeyKey(key.id), key.wrapped);
  }
  batch.Put(meta_, FormatKey(), FormatRecordValue(new_sealing_key));
  rocksdb::WriteOptions sync;
  sync.sync = true;
  const rocksdb::Status s = db_->Write(sync, &batch);
  Close();
  if (!s.ok()) return FromRocks(s);
  return {};
}

uint64_t RocksStore::groups_written() const {
  std::lock_guard lock(mu_);
  return groups_written_;
}

uint64_t RocksStore::recoveries() const {
  std::lock_guard lock(mu_);
  return recoveries_;
}

StorageStatus RocksStore::Health() const {
  if (writable_.load(std::memory_order_acquire)) return {};
  std::lock_guard lock(mu_);
  if (failure_) return *failure_;
  return {};
}

StorageStatus RocksStore::Accepting() const {
  if (accepting_.load(std::memory_order_acquire)) return {};
  std::lock_guard lock(mu_);
  // Only ever false while failing; reset together with failure_ at the recovery.
  if (accepting_.load(std::memory_order_relaxed) || !failure_) return {};
  return StorageError{failure_->code, "the records kept for the recovery reached their bound (" +
                                          std::to_string(options_.max_retained_bytes) +
                                          " bytes): " + failure_->detail};
}

uint64_t RocksStore::Append(std::vector<Record> records) {
  std::lock_guard lock(mu_);
  // Nothing to write: the ticket of the last append, so the caller still waits for every
  // change made before it (a repeated delete must not be acknowledged before the first one).
  if (records.empty()) return appended_;
  const uint64_t ticket = ++appended_;
  if (pending_.empty()) {
    pending_ = std::move(records);
  } else {
    pending_.insert(pending_.end(), std::make_move_iterator(records.begin()),
                    std::make_move_iterator(records.end()));
  }
  cv_.notify_one();
  return ticket;
}

void RocksStore::WhenDurable(uint64_t ticket, CommitDone done) {
  StorageStatus status;
  {
    std::lock_guard lock(mu_);
    if (ticket <= durable_) {
      // Written (possibly only at a recovery after the first answer for it was a failure).
    } else if (ticket <= attempted_) {
      // Its group failed and the store has not recovered yet.
      status = failure_ ? *failure_ : StorageError{StorageErrorCode::kIoError, "write failed"};
    } else if (!stopping_) {
      waiters_.emplace(ticket, std::move(done));
      return;
    } else {
      status = StorageError{StorageErrorCode::kClosed, "store is closed"};
    }
  }
  done(std::move(status));
}

void RocksStore::Run() {
  const bool strict = options_.durability == Durability::kStrict;
  auto last_sync = std::chrono::steady_clock::now();
  for (;;) {
    std::vector<Record> group;
    uint64_t upto = 0;
    uint64_t attempted = 0;
    bool failing = false;
    bool recoverable = false;
    {
      std::unique_lock lock(mu_);
      auto has_work = [&] { return stopping_ || appended_ > attempted_; };
      if (failure_ && recoverable_) {
        cv_.wait_until(lock, next_recovery_, has_work);
      } else if (strict || failure_) {
        cv_.wait(lock, has_work);
      } else {
        cv_.wait_for(lock, options_.relaxed_sync_interval, has_work);
      }
      if (stopping_ && appended_ == attempted_) break;
      group.swap(pending_);
      upto = appended_;
      attempted = attempted_;
      failing = failure_.has_value();
      recoverable = recoverable_;
    }
    if (failing && recoverable && std::chrono::steady_clock::now() >= next_recovery_) {
      if (TryRecover()) {
        failing = false;
      } else {
        next_recovery_ = std::chrono::steady_clock::now() + options_.recovery_interval;
      }
    }
    if (upto > attempted) {
      // Every ticket appends at least one record, so the group is not empty.
      StorageStatus written = CopyPayloads(group);
      if (!written.ok()) {
        // A record that cannot be built cannot be kept for later either: failed for good.
        commit_stats_.failed_groups.fetch_add(1, std::memory_order_relaxed);
        EnterFailure(written.error(), /*recoverable=*/false);
        failing = true;
      } else {
        std::vector<uint64_t> reclaim;
        for (const Record& r : group) {
          if (r.type == RecordType::kQueuePurge || r.type == RecordType::kQueueDelete) {
            reclaim.push_back(r.queue_id);
          }
        }
        // While failing, the group joins the last retained batch (up to a size, so recovery
        // writes a few large batches instead of one per group).
        constexpr size_t kRetainedBatchBytes = 16 << 20;
        if (failing && !retained_.empty() &&
            retained_.back()->GetDataSize() < kRetainedBatchBytes) {
          const size_t before = retained_.back()->GetDataSize();
          BuildBatch(group, *retained_.back());
          retained_bytes_ += retained_.back()->GetDataSize() - before;
        } else {
          auto batch = std::make_unique<rocksdb::WriteBatch>();
          BuildBatch(group, *batch);
          if (!failing) {
            rocksdb::WriteOptions write_options;
            write_options.sync = strict;
            commit_stats_.batch_records.Observe(group.size());
            commit_stats_.batch_bytes.Observe(batch->GetDataSize());
            const auto write_start = std::chrono::steady_clock::now();
            const rocksdb::Status s = db_->Write(write_options, batch.get());
            if (strict) commit_stats_.sync_micros.Observe(MicrosSince(write_start));
            if (!s.ok()) {
              commit_stats_.failed_groups.fetch_add(1, std::memory_order_relaxed);
              written = FromRocks(s);
              EnterFailure(written.error(), /*recoverable=*/true);
              failing = true;
            }
          }
          if (failing) {
            retained_bytes_ += batch->GetDataSize();
            retained_.push_back(std::move(batch));
          }
        }
        if (failing) {
          retained_bytes_seen_.store(retained_bytes_, std::memory_order_relaxed);
          retained_reclaim_.insert(retained_reclaim_.end(), reclaim.begin(), reclaim.end());
        } else if (!reclaim.empty()) {
          std::lock_guard lock(compact_mu_);
          compact_queues_.insert(compact_queues_.end(), reclaim.begin(), reclaim.end());
          compact_cv_.notify_one();
        }
      }
      std::vector<std::pair<uint64_t, CommitDone>> ready;
      StorageStatus failure;
      uint64_t durable = 0;
      {
        std::lock_guard lock(mu_);
        attempted_ = upto;
        // Before the group's failures are answered, so a client retrying one is refused up
        // front instead of adding more.
        if (failing && retained_bytes_ >= options_.max_retained_bytes) {
          accepting_.store(false, std::memory_order_release);
        }
        if (!failing) {
          durable_ = upto;
          ++groups_written_;
        } else if (failure_) {
          failure = *failure_;
        }
        durable = durable_;
        auto end = waiters_.upper_bound(upto);
        for (auto it = waiters_.begin(); it != end; ++it) {
          ready.emplace_back(it->first, std::move(it->second));
        }
        waiters_.erase(waiters_.begin(), end);
      }
      for (auto& [ticket, done] : ready) done(ticket <= durable ? StorageStatus() : failure);
    }
    if (!strict && !failing &&
        std::chrono::steady_clock::now() - last_sync >= options_.relaxed_sync_interval) {
      // Acknowledged relaxed writes are in the WAL but maybe not on the disk: a failed sync
      // is a failing disk like any other.
      const auto sync_start = std::chrono::steady_clock::now();
      const rocksdb::Status s = db_->SyncWAL();
      commit_stats_.sync_micros.Observe(MicrosSince(sync_start));
      if (!s.ok()) EnterFailure(FromRocks(s), /*recoverable=*/true);
      last_sync = std::chrono::steady_clock::now();
    }
  }
  // Stopping: anyone still waiting learns the store closed. Retained batches are dropped: none
  // of them was acknowledged.
  std::multimap<uint64_t, CommitDone> left;
  {
    std::lock_guard lock(mu_);
    left.swap(waiters_);
  }
  for (auto& [ticket, done] : left)
    done(StorageError{StorageErrorCode::kClosed, "store is closed"});
}

void RocksStore::EnterFailure(const StorageError& error, bool recoverable) {
  bool first = false;
  {
    std::lock_guard lock(mu_);
    first = !failure_.has_value();
    if (first || !recoverable) failure_ = error;
    if (!recoverable) recoverable_ = false;
    writable_.store(false, std::memory_order_release);
  }
  next_recovery_ = std::chrono::steady_clock::now() + options_.recovery_interval;
  if (first && options_.on_health_change) options_.on_health_change(error);
}

bool RocksStore::ProbeDisk() const {
  rocksdb::Env* env = options_.env ? options_.env : rocksdb::Env::Default();
  const std::shared_ptr<rocksdb::FileSystem>& fs = env->GetFileSystem();
  const rocksdb::IOOptions io;
  uint64_t free_bytes = 0;
  if (fs->GetFreeSpace(options_.directory, io, &free_bytes, nullptr).ok() &&
      free_bytes < options_.recovery_headroom_bytes) {
    return false;
  }
  // A small write and sync where the database lives: the failing path itself (ENOSPC, EIO,
  // a failing sync) must work again before the database is closed for reopening.
  const std::string path = options_.directory + "/WHARF-RECOVERY-PROBE";
  std::unique_ptr<rocksdb::FSWritableFile> file;
  rocksdb::IOStatus s = fs->NewWritableFile(path, rocksdb::FileOptions(), &file, nullptr);
  if (s.ok()) {
    const std::string block(64 << 10, '\0');
    s = file->Append(block, io, nullptr);
    if (s.ok()) s = file->Sync(io, nullptr);
    rocksdb::IOStatus closed = file->Close(io, nullptr);
    if (s.ok()) s = closed;
    closed.PermitUncheckedError();
  }
  fs->DeleteFile(path, io, nullptr).PermitUncheckedError();
  return s.ok();
}

bool RocksStore::TryRecover() {
  if (!ProbeDisk()) return false;
  {
    // Closing drops RocksDB's background error; opening replays the WAL (a torn last record
    // of the failed write is dropped, a whole one is replayed) and flushes it.
    std::unique_lock db_lock(db_mu_);
    CloseDatabase();
    if (!OpenDatabase().ok()) return false;  // reads fail until the next attempt opens it
  }
  if (!retained_.empty()) {
    rocksdb::WriteOptions write_options;
    for (size_t i = 0; i < retained_.size(); ++i) {
      // One sync, after the last: it covers every write before it.
      write_options.sync = i + 1 == retained_.size();
      // A failure leaves everything retained: rewriting what did get written is harmless.
      if (!db_->Write(write_options, retained_[i].get()).ok()) return false;
    }
    retained_.clear();
  }
  retained_bytes_ = 0;
  retained_bytes_seen_.store(0, std::memory_order_relaxed);
  if (!retained_reclaim_.empty()) {
    std::lock_guard lock(compact_mu_);
    compact_queues_.insert(compact_queues_.end(), retained_reclaim_.begin(),
                           retained_reclaim_.end());
    retained_reclaim_.clear();
  }
  {
    std::lock_guard lock(mu_);
    durable_ = attempted_;
    failure_.reset();
    ++recoveries_;
    writable_.store(true, std::memory_order_release);
    accepting_.store(true, std::memory_order_release);
  }
  {
    std::lock_guard lock(compact_mu_);  // so the compactor cannot miss the wake-up
  }
  compact_cv_.notify_all();
  if (options_.on_health_change) options_.on_health_change(StorageStatus());
  return true;
}

void RocksStore::ReadMessages(uint64_t queue_id, std::vector<uint64_t> seqs, ReadDone done) {
  {
    std::lock_guard lock(read_mu_);
    if (!read_stopping_) {
      reads_.push_back(ReadRequest{queue_id, std::move(seqs), std::move(done)});
      read_cv_.notify_one();
      return;
    }
  }
  done(StorageError{StorageErrorCode::kClosed, "store is closed"});
}

void RocksStore::Read() {
  for (;;) {
    std::vector<ReadRequest> requests;
    {
      std::unique_lock lock(read_mu_);
      read_cv_.wait(lock, [&] { return read_stopping_ || !reads_.empty(); });
      if (read_stopping_ && reads_.empty()) return;
      requests.swap(reads_);
    }
    std::vector<std::string> keys;
    for (const ReadRequest& r : requests) {
      for (uint64_t seq : r.seqs) keys.push_back(MessageKey(r.queue_id, seq));
    }
    // Opened under the shared lock: the pinned values point into the database's blocks, so
    // they are released (before the lock, declared after it) before a reopen may close it.
    // The answers are given after the lock.
    std::vector<Result<std::vector<std::string>, StorageError>> answers;
    answers.reserve(requests.size());
    {
      std::shared_lock db_lock(db_mu_);
      if (!db_) {
        // Between a failed reopen and the next attempt (TryRecover).
        for (size_t i = 0; i < requests.size(); ++i) {
          answers.emplace_back(
              StorageError{StorageErrorCode::kIoError, "the store is reopening after a failure"});
        }
      } else {
        std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
        std::vector<rocksdb::PinnableSlice> values(keys.size());
        std::vector<rocksdb::Status> statuses(keys.size());
        db_->MultiGet(rocksdb::ReadOptions(), msg_, keys.size(), slices.data(), values.data(),
                      statuses.data());
        size_t k = 0;
        for (ReadRequest& r : requests) {
          std::vector<std::string> out(r.seqs.size());
          std::optional<StorageError> error;
          for (size_t i = 0; i < r.seqs.size(); ++i, ++k) {
            if (statuses[k].ok()) {
              StorageStatus opened = OpenValue(Family::kMsg, keys[k],
                                               std::string_view(values[k].data(), values[k].size()),
                                               out[i], "message record");
              if (!opened.ok() && !error) error = opened.error();
            } else if (!statuses[k].IsNotFound() && !error) {
              error = FromRocks(statuses[k]);
            }
          }
          if (error) {
            answers.emplace_back(std::move(*error));
          } else {
            answers.emplace_back(std::move(out));
          }
        }
      }
    }
    for (size_t i = 0; i < requests.size(); ++i) requests[i].done(std::move(answers[i]));
  }
}

StorageStatus RocksStore::CopyPayloads(std::vector<Record>& group) {
  for (Record& r : group) {
    if (r.type != RecordType::kMessageCopy || !r.payload.empty()) continue;
    const std::string source = MessageKey(r.src_queue_id, r.src_seq);
    std::string sealed;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), msg_, source, &sealed);
    if (s.ok()) {
      StorageStatus opened = OpenValue(Family::kMsg, source, sealed, r.payload, "message record");
      if (!opened.ok()) return opened;
      continue;
    }
    if (!s.IsNotFound()) return FromRocks(s);
    // A source written in this same group is still in `group` (in clear): look there too.
    for (const Record& earlier : group) {
      if (&earlier == &r) break;
      if (earlier.type == RecordType::kMessagePut && earlier.queue_id == r.src_queue_id &&
          earlier.seq == r.src_seq) {
        r.payload = earlier.payload;
      }
    }
  }
  return {};
}

void RocksStore::BuildBatch(const std::vector<Record>& group, rocksdb::WriteBatch& batch) {
  // A new data key's record goes in the same atomic batch as the first value sealed under it.
  auto put = [&](rocksdb::ColumnFamilyHandle* handle, Family family, const std::string& key,
                 std::string_view value) {
    if (auto started = sealer_.Seal(family, key, value, sealed_scratch_)) {
      batch.Put(meta_, DataKeyKey(started->id), started->wrapped);
    }
    batch.Put(handle, key, sealed_scratch_);
  };
  for (const Record& r : group) {
    switch (r.type) {
      case RecordType::kQueuePut:
        put(meta_, Family::kMeta, QueueKey(r.queue_id), r.payload);
        break;
      case RecordType::kQueueDelete:
      case RecordType::kQueuePurge: {
        if (r.type == RecordType::kQueueDelete) batch.Delete(meta_, QueueKey(r.queue_id));
        // One range tombstone per column family instead of a delete per message.
        const std::string from = MessageKey(r.queue_id, 0);
        const std::string to = r.type == RecordType::kQueuePurge ? MessageKey(r.queue_id, r.seq)
                                                                 : QueueRangeEnd(r.queue_id, 8);
        batch.DeleteRange(msg_, from, to);
        batch.DeleteRange(state_, from, to);
        // Purge forgets deduplication ids too (sqs-api.md §2.14).
        batch.DeleteRange(dedup_, DedupKey(r.queue_id, {}),
                          QueueRangeEnd(r.queue_id, kMaxDedupKey));
        break;
      }
      case RecordType::kDedupPut:
        put(dedup_, Family::kDedup, DedupKey(r.queue_id, sealer_.DedupDigest(r.queue_id, r.key)),
            DedupPlaintext(r.key, r.payload));
        break;
      case RecordType::kDedupDelete:
        batch.Delete(dedup_, DedupKey(r.queue_id, sealer_.DedupDigest(r.queue_id, r.key)));
        break;
      case RecordType::kTaskPut:
        put(meta_, Family::kMeta, TaskKey(r.key), r.payload);
        break;
      case RecordType::kObjectPut:
        put(meta_, Family::kMeta, ObjectKey(r.key), r.payload);
        break;
      case RecordType::kObjectDelete:
        batch.Delete(meta_, ObjectKey(r.key));
        break;
      case RecordType::kMessageCopy:
        // Resolved before the batch is built (CopyPayloads). A source that is gone (only
        // possible if its queue was deleted meanwhile) leaves nothing to copy.
        if (!r.payload.empty()) put(msg_, Family::kMsg, MessageKey(r.queue_id, r.seq), r.payload);
        break;
      case RecordType::kMessagePut:
        put(msg_, Family::kMsg, MessageKey(r.queue_id, r.seq), r.payload);
        break;
      case RecordType::kMessageState:
        put(state_, Family::kState, MessageKey(r.queue_id, r.seq), r.payload);
        break;
      case RecordType::kMessageDelete: {
        const std::string key = MessageKey(r.queue_id, r.seq);
        batch.Delete(msg_, key);
        batch.Delete(state_, key);
        break;
      }
    }
  }
}

StorageStatus RocksStore::OpenValue(Family family, std::string_view key, std::string_view sealed,
                                    std::string& out, const char* what) const {
  Status<SealError> opened = sealer_.Open(family, key, sealed, out);
  if (opened.ok()) return {};
  std::string detail = what;
  detail.append(" under key ")
      .append(HexLower(reinterpret_cast<const uint8_t*>(key.data()), key.size()));
  detail.append(" in ").append(options_.directory).append(" does not open (");
  detail.append(SealErrorName(opened.error()));
  detail.append("): the value was altered or damaged on disk, or its data key is missing");
  return StorageError{StorageErrorCode::kCorruption, std::move(detail)};
}

void RocksStore::Compact() {
  for (;;) {
    std::vector<uint64_t> queues;
    {
      // Not while writes fail: in that state a manual compaction can hit an assertion in
      // RocksDB 7.8 (fixed upstream in facebook/rocksdb#12796). Reclaiming space waits for the
      // recovery, which wakes this thread.
      std::unique_lock lock(compact_mu_);
      compact_cv_.wait(lock, [&] {
        return compact_stopping_ ||
               (!compact_queues_.empty() && writable_.load(std::memory_order_acquire));
      });
      if (compact_stopping_) return;
      queues.swap(compact_queues_);
    }
    std::shared_lock db_lock(db_mu_);
    if (!db_) continue;
    for (uint64_t queue_id : queues) {
      if (!writable_.load(std::memory_order_acquire)) break;
      const std::string from = MessageKey(queue_id, 0);
      const std::string to = QueueRangeEnd(queue_id, kMaxDedupKey);
      const rocksdb::Slice begin(from), end(to);
      for (auto* family : {msg_, state_, dedup_}) {
        // Marks the SST files of the range for background compaction. Unlike CompactRange it
        // never forces a memtable flush (the memtable's tombstones go with the next regular
        // flush), which keeps it clear of the RocksDB 7.8 assertion described in Open().
        // Failures only delay reclaiming space; the data is already deleted.
        if (!rocksdb::experimental::SuggestCompactRange(db_.get(), family, &begin, &end).ok()) {
          break;
        }
      }
    }
  }
}

namespace {
std::string_view View(const rocksdb::Slice& s) { return std::string_view(s.data(), s.size()); }
}  // namespace

StorageStatus RocksStore::Recover(RecoveryVisitor& visitor) {
  std::shared_lock db_lock(db_mu_);
  if (!db_) return StorageError{StorageErrorCode::kClosed, "store is closed"};
  std::string value;  // the opened value of the record being visited
  std::string state_value;
  {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), meta_));
    for (it->Seek(std::string(1, kMetaQueue)); it->Valid(); it->Next()) {
      const std::string_view key = View(it->key());
      if (key.size() != 9 || key[0] != kMetaQueue) break;
      WHARF_RETURN_IF_ERROR(
          OpenValue(Family::kMeta, key, View(it->value()), value, "queue record"));
      BinaryReader r(key.substr(1, 8));
      visitor.Queue(r.BigEndian64(), value);
    }
    if (!it->status().ok()) return FromRocks(it->status());
  }
  rocksdb::ReadOptions read_options;
  read_options.fill_cache = false;  // one pass at startup: do not evict anything for it
  std::unique_ptr<rocksdb::Iterator> msgs(db_->NewIterator(read_options, msg_));
  std::unique_ptr<rocksdb::Iterator> states(db_->NewIterator(read_options, state_));
  states->SeekToFirst();
  for (msgs->SeekToFirst(); msgs->Valid(); msgs->Next()) {
    const std::string_view key = View(msgs->key());
    if (key.size() != 16) continue;
    while (states->Valid() && View(states->key()) < key) states->Next();
    std::string_view state;
    if (states->Valid() && View(states->key()) == key) {
      WHARF_RETURN_IF_ERROR(
          OpenValue(Family::kState, key, View(states->value()), state_value, "state record"));
      state = state_value;
    }
    WHARF_RETURN_IF_ERROR(
        OpenValue(Family::kMsg, key, View(msgs->value()), value, "message record"));
    BinaryReader r(key);
    const uint64_t queue_id = r.BigEndian64();
    const uint64_t seq = r.BigEndian64();
    visitor.Message(queue_id, seq, value, state);
  }
  if (!msgs->status().ok()) return FromRocks(msgs->status());
  if (!states->status().ok()) return FromRocks(states->status());
  std::unique_ptr<rocksdb::Iterator> dedup(db_->NewIterator(read_options, dedup_));
  for (dedup->SeekToFirst(); dedup->Valid(); dedup->Next()) {
    const std::string_view key = View(dedup->key());
    if (key.size() < 8) continue;
    WHARF_RETURN_IF_ERROR(
        OpenValue(Family::kDedup, key, View(dedup->value()), value, "deduplication record"));
    std::string_view dedup_key, payload;
    if (!SplitDedupPlaintext(value, dedup_key, payload)) {
      return StorageError{StorageErrorCode::kCorruption,
                          "a deduplication record in " + options_.directory + " is damaged"};
    }
    BinaryReader r(key.substr(0, 8));
    visitor.Dedup(r.BigEndian64(), dedup_key, payload);
  }
  if (!dedup->status().ok()) return FromRocks(dedup->status());
  std::unique_ptr<rocksdb::Iterator> tasks(db_->NewIterator(rocksdb::ReadOptions(), meta_));
  for (tasks->Seek(std::string(1, kMetaTask)); tasks->Valid(); tasks->Next()) {
    const std::string_view key = View(tasks->key());
    if (key.empty() || key[0] != kMetaTask) break;
    WHARF_RETURN_IF_ERROR(
        OpenValue(Family::kMeta, key, View(tasks->value()), value, "task record"));
    visitor.Task(key.substr(1), value);
  }
  if (!tasks->status().ok()) return FromRocks(tasks->status());
  return {};
}

StorageStatus RocksStore::ScanObjects(
    std::string_view prefix,
    const std::function<void(std::string_view key, std::string_view payload)>& visit) {
  {
    std::lock_guard lock(mu_);
    if (closed_ || !db_) return StorageError{StorageErrorCode::kClosed, "store is closed"};
  }
  std::shared_lock db_lock(db_mu_);
  if (!db_) return StorageError{StorageErrorCode::kIoError, "the store is reopening"};
  const std::string start = ObjectKey(prefix);
  rocksdb::ReadOptions read_options;
  read_options.fill_cache = false;  // read once at start-up
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options, meta_));
  std::string value;
  for (it->Seek(start); it->Valid(); it->Next()) {
    const std::string_view key = View(it->key());
    if (!key.starts_with(start)) break;
    WHARF_RETURN_IF_ERROR(OpenValue(Family::kMeta, key, View(it->value()), value, "object"));
    visit(key.substr(1), value);
  }
  if (!it->status().ok()) return FromRocks(it->status());
  return {};
}

}  // namespace wharf::storage
