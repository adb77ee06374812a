#include "storage/rocks_store.h"

#include <rocksdb/db.h>
#include <rocksdb/experimental.h>
#include <rocksdb/options.h>
#include <rocksdb/utilities/table_properties_collectors.h>
#include <rocksdb/write_batch.h>

#include "common/binary_codec.h"

namespace wharf::storage {
namespace {

// One-byte prefixes of the `meta` column family (docs/storage-format.md). Each scan seeks its own
// prefix and stops at the first key without it, so the families of keys never mix.
constexpr char kMetaObject = 'O';
constexpr char kMetaQueue = 'Q';
constexpr char kMetaTask = 'T';

std::string ObjectKey(std::string_view key) {
  std::string out;
  out.reserve(1 + key.size());
  out.push_back(kMetaObject);
  out.append(key);
  return out;
}

std::string QueueKey(uint64_t queue_id) {
  std::string key(1, kMetaQueue);
  BinaryWriter(key).BigEndian64(queue_id);
  return key;
}

std::string MessageKey(uint64_t queue_id, uint64_t seq) {
  std::string key;
  key.reserve(16);
  BinaryWriter w(key);
  w.BigEndian64(queue_id);
  w.BigEndian64(seq);
  return key;
}

StorageError FromRocks(const rocksdb::Status& s) {
  StorageErrorCode code = StorageErrorCode::kIoError;
  if (s.IsNoSpace()) code = StorageErrorCode::kNoSpace;
  if (s.IsCorruption()) code = StorageErrorCode::kCorruption;
  return StorageError{code, s.ToString()};
}

std::string DedupKey(uint64_t queue_id, std::string_view key) {
  std::string out;
  out.reserve(8 + key.size());
  BinaryWriter(out).BigEndian64(queue_id);
  out.append(key);
  return out;
}

// The exclusive upper bound of every key of `queue_id` (its 8-byte prefix followed by at most
// `max_suffix` bytes). The next queue's prefix, or for the last possible id a run of 0xFF bytes
// longer than any such key.
std::string QueueRangeEnd(uint64_t queue_id, size_t max_suffix) {
  if (queue_id == UINT64_MAX) return std::string(8 + max_suffix + 1, '\xff');
  std::string key;
  BinaryWriter(key).BigEndian64(queue_id + 1);
  return key;
}
constexpr size_t kMaxDedupKey = 512;  // group id + NUL + dedup id, 128 characters each

struct Families {
  rocksdb::ColumnFamilyHandle* meta;
  rocksdb::ColumnFamilyHandle* msg;
  rocksdb::ColumnFamilyHandle* state;
  rocksdb::ColumnFamilyHandle* dedup;
};

void Apply(rocksdb::WriteBatch& batch, const Record& r, const Families& f) {
  rocksdb::ColumnFamilyHandle* meta = f.meta;
  rocksdb::ColumnFamilyHandle* msg = f.msg;
  rocksdb::ColumnFamilyHandle* state = f.state;
  switch (r.type) {
    case RecordType::kQueuePut:
      batch.Put(meta, QueueKey(r.queue_id), r.payload);
      return;
    case RecordType::kQueueDelete:
    case RecordType::kQueuePurge: {
      if (r.type == RecordType::kQueueDelete) batch.Delete(meta, QueueKey(r.queue_id));
      // One range tombstone per column family instead of a delete per message.
      const std::string from = MessageKey(r.queue_id, 0);
      const std::string to = r.type == RecordType::kQueuePurge ? MessageKey(r.queue_id, r.seq)
                                                               : QueueRangeEnd(r.queue_id, 8);
      batch.DeleteRange(msg, from, to);
      batch.DeleteRange(state, from, to);
      // Purge forgets deduplication ids too (sqs-api.md §2.14).
      batch.DeleteRange(f.dedup, DedupKey(r.queue_id, {}), QueueRangeEnd(r.queue_id, kMaxDedupKey));
      return;
    }
    case RecordType::kDedupPut:
      batch.Put(f.dedup, DedupKey(r.queue_id, r.key), r.payload);
      return;
    case RecordType::kTaskPut:
      batch.Put(meta, std::string(1, kMetaTask) + r.key, r.payload);
      return;
    case RecordType::kObjectPut:
      batch.Put(meta, ObjectKey(r.key), r.payload);
      return;
    case RecordType::kObjectDelete:
      batch.Delete(meta, ObjectKey(r.key));
      return;
    case RecordType::kDedupDelete:
      batch.Delete(f.dedup, DedupKey(r.queue_id, r.key));
      return;
    case RecordType::kMessageCopy:
      // Resolved by the committer before the batch is built (CopyPayloads). A source that is
      // gone (only possible if its queue was deleted meanwhile) leaves nothing to copy.
      if (!r.payload.empty()) batch.Put(msg, MessageKey(r.queue_id, r.seq), r.payload);
      return;
    case RecordType::kMessagePut:
      batch.Put(msg, MessageKey(r.queue_id, r.seq), r.payload);
      return;
    case RecordType::kMessageState:
      batch.Put(state, MessageKey(r.queue_id, r.seq), r.payload);
      return;
    case RecordType::kMessageDelete: {
      const std::string key = MessageKey(r.queue_id, r.seq);
      batch.Delete(msg, key);
      batch.Delete(state, key);
      return;
    }
  }
}

rocksdb::ColumnFamilyOptions MessageFamilyOptions() {
  rocksdb::ColumnFamilyOptions cf;
  cf.write_buffer_size = 32 << 20;
  // Most messages are deleted minutes after they are written: compressing them at every flush
  // and compaction costs CPU on the request path's two cores for data that is about to go (no
  // compression above the last level: strict send +12 %, receive-delete +23 %, docs/benchmarks.md).
  // A deep backlog settles in the last level, where LZ4 still keeps it small.
  cf.compression = rocksdb::kNoCompression;
  cf.bottommost_compression = rocksdb::kLZ4Compression;
  // Deleted messages leave tombstones; compact files dense with them so startup scans and
  // range reads stay short (storage.md §6.3).
  cf.table_properties_collector_factories.emplace_back(
      rocksdb::NewCompactOnDeletionCollectorFactory(1000, 500));
  return cf;
}

}  // namespace

RocksStore::RocksStore(const RocksOptions& options) : options_(options) {}

Result<std::unique_ptr<RocksStore>, StorageError> RocksStore::Open(const RocksOptions& options) {
  std::unique_ptr<RocksStore> store(new RocksStore(options));
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.IncreaseParallelism(2);
  db_options.max_total_wal_size = 256 << 20;
  // After an I/O error, stay failed instead of retrying flushes in the background: a flush
  // retried after a failed one can hit an assertion in RocksDB 7.8 when the memtable holds
  // range deletes (fixed upstream in facebook/rocksdb#12796). Wharf's contract is already
  // "a failed write is sticky until restart", and nothing acknowledged depends on the retry.
  db_options.max_bgerror_resume_count = 0;
  // The WAL holds everything; flushing on close only adds another chance to hit the above.
  db_options.avoid_flush_during_shutdown = true;
  if (options.env) db_options.env = options.env;

  std::vector<rocksdb::ColumnFamilyDescriptor> families = {
      {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions()},
      {"meta", rocksdb::ColumnFamilyOptions()},
      {"msg", MessageFamilyOptions()},
      {"state", MessageFamilyOptions()},
      {"dedup", MessageFamilyOptions()},
  };
  rocksdb::DB* db = nullptr;
  rocksdb::Status s =
      rocksdb::DB::Open(db_options, options.directory, families, &store->handles_, &db);
  if (!s.ok()) {
    StorageError error = FromRocks(s);
    if (s.IsIOError() && s.ToString().find("lock") != std::string::npos) {
      error.detail = "data directory " + options.directory + " is in use by another process (" +
                     s.ToString() + ")";
    }
    return error;
  }
  store->db_.reset(db);
  store->meta_ = store->handles_[1];
  store->msg_ = store->handles_[2];
  store->state_ = store->handles_[3];
  store->dedup_ = store->handles_[4];
  store->committer_ = std::thread([s = store.get()] { s->Run(); });
  store->compactor_ = std::thread([s = store.get()] { s->Compact(); });
  store->reader_ = std::thread([s = store.get()] { s->Read(); });
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
  if (db_) {
    if (options_.durability == Durability::kRelaxed) db_->SyncWAL().PermitUncheckedError();
    for (auto* handle : handles_) db_->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
    handles_.clear();
    db_->Close().PermitUncheckedError();
    db_.reset();
  }
}

uint64_t RocksStore::groups_written() const {
  std::lock_guard lock(mu_);
  return groups_written_;
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
    if (ticket > durable_) {
      if (!stopping_) {
        waiters_.emplace(ticket, std::move(done));
        return;
      }
      status = StorageError{StorageErrorCode::kClosed, "store is closed"};
    } else if (failed_from_ && ticket >= *failed_from_) {
      status = failure_;
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
    {
      std::unique_lock lock(mu_);
      if (strict) {
        cv_.wait(lock, [&] { return stopping_ || appended_ > durable_; });
      } else {
        cv_.wait_for(lock, options_.relaxed_sync_interval,
                     [&] { return stopping_ || appended_ > durable_; });
      }
      if (stopping_ && appended_ == durable_) break;
      group.swap(pending_);
      upto = appended_;
    }
    if (upto > 0) {
      rocksdb::Status s;
      if (!group.empty()) {
        rocksdb::WriteBatch batch;
        const Families families{meta_, msg_, state_, dedup_};
        CopyPayloads(group);
        for (const Record& r : group) Apply(batch, r, families);
        rocksdb::WriteOptions write_options;
        write_options.sync = strict;
        s = db_->Write(write_options, &batch);
        if (s.ok()) {
          std::vector<uint64_t> reclaim;
          for (const Record& r : group) {
            if (r.type == RecordType::kQueuePurge || r.type == RecordType::kQueueDelete) {
              reclaim.push_back(r.queue_id);
            }
          }
          if (!reclaim.empty()) {
            std::lock_guard lock(compact_mu_);
            compact_queues_.insert(compact_queues_.end(), reclaim.begin(), reclaim.end());
            compact_cv_.notify_one();
          }
        }
      }
      std::vector<std::pair<uint64_t, CommitDone>> ready;
      StorageStatus failure;
      {
        std::lock_guard lock(mu_);
        if (!s.ok() && !failed_from_) {
          failed_from_ = durable_ + 1;
          failure_ = FromRocks(s);
        }
        durable_ = std::max(durable_, upto);
        ++groups_written_;
        auto end = waiters_.upper_bound(durable_);
        for (auto it = waiters_.begin(); it != end; ++it) {
          ready.emplace_back(it->first, std::move(it->second));
        }
        waiters_.erase(waiters_.begin(), end);
        if (failed_from_) failure = failure_;
      }
      for (auto& [ticket, done] : ready) {
        const bool failed = !failure.ok() && failed_from_ && ticket >= *failed_from_;
        done(failed ? failure : StorageStatus());
      }
    }
    if (!strict && std::chrono::steady_clock::now() - last_sync >= options_.relaxed_sync_interval) {
      db_->SyncWAL().PermitUncheckedError();
      last_sync = std::chrono::steady_clock::now();
    }
  }
  // Stopping: anyone still waiting learns the store closed.
  std::multimap<uint64_t, CommitDone> left;
  {
    std::lock_guard lock(mu_);
    left.swap(waiters_);
  }
  for (auto& [ticket, done] : left)
    done(StorageError{StorageErrorCode::kClosed, "store is closed"});
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
          out[i] = values[k].ToString();
        } else if (!statuses[k].IsNotFound() && !error) {
          error = FromRocks(statuses[k]);
        }
      }
      if (error) {
        r.done(std::move(*error));
      } else {
        r.done(std::move(out));
      }
    }
  }
}

void RocksStore::CopyPayloads(std::vector<Record>& group) {
  for (Record& r : group) {
    if (r.type != RecordType::kMessageCopy || !r.payload.empty()) continue;
    std::string value;
    rocksdb::Status s =
        db_->Get(rocksdb::ReadOptions(), msg_, MessageKey(r.src_queue_id, r.src_seq), &value);
    // A source written in this same group is still in `group`: look there too.
    if (s.IsNotFound()) {
      for (const Record& earlier : group) {
        if (&earlier == &r) break;
        if (earlier.type == RecordType::kMessagePut && earlier.queue_id == r.src_queue_id &&
            earlier.seq == r.src_seq) {
          value = earlier.payload;
          s = rocksdb::Status::OK();
        }
      }
    }
    r.payload = std::move(value);
  }
}

void RocksStore::Compact() {
  for (;;) {
    std::vector<uint64_t> queues;
    {
      std::unique_lock lock(compact_mu_);
      compact_cv_.wait(lock, [&] { return compact_stopping_ || !compact_queues_.empty(); });
      if (compact_stopping_) return;
      queues.swap(compact_queues_);
    }
    {
      // After a failed write RocksDB is in an error state in which a manual compaction can
      // hit an assertion in 7.8 (fixed upstream in facebook/rocksdb#12796). Reclaiming space
      // can wait for a healthy restart.
      std::lock_guard lock(mu_);
      if (failed_from_) compaction_disabled_ = true;
    }
    if (compaction_disabled_) continue;
    for (uint64_t queue_id : queues) {
      if (compaction_disabled_) break;
      const std::string from = MessageKey(queue_id, 0);
      const std::string to = QueueRangeEnd(queue_id, kMaxDedupKey);
      const rocksdb::Slice begin(from), end(to);
      for (auto* family : {msg_, state_, dedup_}) {
        // Marks the SST files of the range for background compaction. Unlike CompactRange it
        // never forces a memtable flush (the memtable's tombstones go with the next regular
        // flush), which keeps it clear of the RocksDB 7.8 assertion described in Open().
        // Failures only delay reclaiming space; the data is already deleted.
        if (!rocksdb::experimental::SuggestCompactRange(db_.get(), family, &begin, &end).ok()) {
          compaction_disabled_ = true;
          break;
        }
      }
    }
  }
}

StorageStatus RocksStore::Recover(RecoveryVisitor& visitor) {
  {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), meta_));
    for (it->Seek(std::string(1, kMetaQueue)); it->Valid(); it->Next()) {
      rocksdb::Slice key = it->key();
      if (key.size() != 9 || key[0] != kMetaQueue) break;
      BinaryReader r(std::string_view(key.data() + 1, 8));
      visitor.Queue(r.BigEndian64(), std::string_view(it->value().data(), it->value().size()));
    }
    if (!it->status().ok()) return FromRocks(it->status());
  }
  rocksdb::ReadOptions read_options;
  read_options.fill_cache = false;  // one pass at startup: do not evict anything for it
  std::unique_ptr<rocksdb::Iterator> msgs(db_->NewIterator(read_options, msg_));
  std::unique_ptr<rocksdb::Iterator> states(db_->NewIterator(read_options, state_));
  states->SeekToFirst();
  for (msgs->SeekToFirst(); msgs->Valid(); msgs->Next()) {
    const rocksdb::Slice key = msgs->key();
    if (key.size() != 16) continue;
    while (states->Valid() && states->key().compare(key) < 0) states->Next();
    std::string_view state;
    if (states->Valid() && states->key() == key) {
      state = std::string_view(states->value().data(), states->value().size());
    }
    BinaryReader r(std::string_view(key.data(), key.size()));
    const uint64_t queue_id = r.BigEndian64();
    const uint64_t seq = r.BigEndian64();
    visitor.Message(queue_id, seq, std::string_view(msgs->value().data(), msgs->value().size()),
                    state);
  }
  if (!msgs->status().ok()) return FromRocks(msgs->status());
  if (!states->status().ok()) return FromRocks(states->status());
  std::unique_ptr<rocksdb::Iterator> dedup(db_->NewIterator(read_options, dedup_));
  for (dedup->SeekToFirst(); dedup->Valid(); dedup->Next()) {
    const rocksdb::Slice key = dedup->key();
    if (key.size() < 8) continue;
    BinaryReader r(std::string_view(key.data(), 8));
    visitor.Dedup(r.BigEndian64(), std::string_view(key.data() + 8, key.size() - 8),
                  std::string_view(dedup->value().data(), dedup->value().size()));
  }
  if (!dedup->status().ok()) return FromRocks(dedup->status());
  std::unique_ptr<rocksdb::Iterator> tasks(db_->NewIterator(rocksdb::ReadOptions(), meta_));
  for (tasks->Seek(std::string(1, kMetaTask)); tasks->Valid(); tasks->Next()) {
    const rocksdb::Slice key = tasks->key();
    if (key.size() < 1 || key[0] != kMetaTask) break;
    visitor.Task(std::string_view(key.data() + 1, key.size() - 1),
                 std::string_view(tasks->value().data(), tasks->value().size()));
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
  const std::string start = ObjectKey(prefix);
  rocksdb::ReadOptions read_options;
  read_options.fill_cache = false;  // read once at start-up
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options, meta_));
  for (it->Seek(start); it->Valid(); it->Next()) {
    const rocksdb::Slice key = it->key();
    if (!key.starts_with(start)) break;
    visit(std::string_view(key.data() + 1, key.size() - 1),
          std::string_view(it->value().data(), it->value().size()));
  }
  if (!it->status().ok()) return FromRocks(it->status());
  return {};
}

}  // namespace wharf::storage
