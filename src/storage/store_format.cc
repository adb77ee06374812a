#include "storage/store_format.h"

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <memory>
#include <tuple>
#include <utility>
#include <vector>

#include "common/binary_codec.h"
#include "storage/keys.h"
#include "storage/rocks_status.h"

namespace wharf::storage {
namespace {

// 2: a FIFO message's deduplication entry is rebuilt from its message record; the dedup family
// holds only entries whose message left inside the window (docs/storage-format.md). A version-1
// store is a valid version-2 store (its extra records are read and deleted as they run out), so
// it is upgraded in place by rewriting this byte; the version keeps an earlier build, which
// would not know the stored FIFO messages' entries, from opening the store afterwards.
constexpr uint8_t kFormatVersion = 2;
constexpr uint8_t kFormatVersionBeforeDerivedDedup = 1;
constexpr uint8_t kMigrationVersion = 1;
// Sealing in place writes synced batches of about this many bytes or values, each with its
// progress.
constexpr size_t kMigrationBatchBytes = 4 << 20;
constexpr size_t kMigrationBatchValues = 10'000;

StorageError Corrupt(std::string detail) {
  return StorageError{StorageErrorCode::kCorruption, std::move(detail)};
}

StorageError WrongKey(const std::string& directory) {
  return StorageError{
      StorageErrorCode::kWrongKey,
      "the store in " + directory +
          " was sealed with another root key: start wharf with the root key (key file, "
          "WHARF_ROOT_KEY or passphrase) it was created with; no other key can read it"};
}

rocksdb::WriteOptions Synced() {
  rocksdb::WriteOptions options;
  options.sync = true;
  return options;
}

std::string_view View(const rocksdb::Slice& s) { return std::string_view(s.data(), s.size()); }

// --- the format record -------------------------------------------------------------------------

Status<StorageError> CheckFormat(std::string_view value, const ValueSealer& sealer,
                                 const std::string& directory) {
  BinaryReader r(value);
  const uint8_t version = r.U8();
  if (r.ok() && version != kFormatVersion && version != kFormatVersionBeforeDerivedDedup) {
    return Corrupt("the store in " + directory + " has format version " + std::to_string(version) +
                   ", which this build of wharf does not read");
  }
  const std::string check = r.Bytes();
  if (!r.ok() || !r.done()) return Corrupt("the format record of " + directory + " is damaged");
  Status<SealError> verified = sealer.VerifyKeyCheck(check);
  if (verified.ok()) return {};
  if (verified.error() == SealError::kWrongKey) return WrongKey(directory);
  return Corrupt("the key check of the store in " + directory + " does not open (" +
                 std::string(SealErrorName(verified.error())) + "): the record is damaged");
}

// --- data keys ---------------------------------------------------------------------------------

Status<StorageError> LoadDataKeys(const StoreHandles& store, ValueSealer& sealer,
                                  const std::string& directory) {
  std::unique_ptr<rocksdb::Iterator> it(store.db->NewIterator(rocksdb::ReadOptions(), store.meta));
  for (it->Seek(std::string(1, kMetaDataKey)); it->Valid(); it->Next()) {
    const std::string_view key = View(it->key());
    if (key.empty() || key[0] != kMetaDataKey) break;
    if (key.size() != 5) return Corrupt("a data key record of " + directory + " has a bad key");
    uint32_t id = 0;
    for (size_t i = 1; i < 5; ++i) id = (id << 8) | static_cast<uint8_t>(key[i]);
    Status<SealError> added = sealer.AddDataKey(id, View(it->value()));
    if (!added.ok()) {
      if (added.error() == SealError::kWrongKey) return WrongKey(directory);
      return Corrupt("data key " + std::to_string(id) + " of the store in " + directory +
                     " does not open (" + std::string(SealErrorName(added.error())) +
                     "): the record is damaged");
    }
  }
  if (!it->status().ok()) return FromRocks(it->status());
  return {};
}

// --- sealing a store written before sealing ----------------------------------------------------

// Where sealing in place stands: sealing `meta`, `msg` or `state` (after `last_key`), or every
// value sealed and the clear copies still to be dropped from the files.
enum class Stage : uint8_t { kMeta = 1, kMsg = 2, kState = 3, kDropClearCopies = 4 };

struct Progress {
  bool found = false;  // a record was there: an earlier start began sealing this store
  Stage stage = Stage::kMeta;
  std::string last_key;  // empty: the stage has not been started
};

std::string ProgressValue(Stage stage, std::string_view last_key) {
  std::string out;
  BinaryWriter w(out);
  w.U8(kMigrationVersion);
  w.U8(static_cast<uint8_t>(stage));
  out.append(last_key);
  return out;
}

Result<Progress, StorageError> ReadProgress(const StoreHandles& store,
                                            const std::string& directory) {
  std::string value;
  rocksdb::Status s = store.db->Get(rocksdb::ReadOptions(), store.meta, MigrationKey(), &value);
  if (s.IsNotFound()) return Progress{};
  if (!s.ok()) return FromRocks(s);
  const auto stage = value.size() >= 2 ? static_cast<uint8_t>(value[1]) : 0;
  if (value.size() < 2 || static_cast<uint8_t>(value[0]) != kMigrationVersion ||
      stage < static_cast<uint8_t>(Stage::kMeta) ||
      stage > static_cast<uint8_t>(Stage::kDropClearCopies)) {
    return Corrupt("the sealing progress record of " + directory + " is damaged");
  }
  return Progress{true, static_cast<Stage>(stage), value.substr(2)};
}

// Whether a `meta` key holds engine or owner data (queues, tasks, objects), as opposed to the
// store's own records, which are written sealed or need no sealing.
bool IsDataKey(std::string_view key) {
  return !key.empty() && (key[0] == kMetaObject || key[0] == kMetaQueue || key[0] == kMetaTask);
}

// Adds `value` of `key` in `family` to `batch`, sealed, with the record of the data key it was
// sealed under if that key is new.
void PutSealed(rocksdb::WriteBatch& batch, const StoreHandles& store, ValueSealer& sealer,
               rocksdb::ColumnFamilyHandle* handle, Family family, std::string_view key,
               std::string_view value, std::string& scratch) {
  if (auto started = sealer.Seal(family, key, value, scratch)) {
    batch.Put(store.meta, DataKeyKey(started->id), started->wrapped);
  }
  batch.Put(handle, key, scratch);
}

// Seals every value of `family` (at `stage`) in place from where `progress` stopped, in synced
// batches.
Status<StorageError> SealFamily(const StoreHandles& store, ValueSealer& sealer, Stage stage,
                                Family family, rocksdb::ColumnFamilyHandle* handle,
                                const Progress& progress, uint64_t& sealed) {
  // The iterator reads a snapshot, so it never meets the values this loop writes.
  std::unique_ptr<rocksdb::Iterator> it(store.db->NewIterator(rocksdb::ReadOptions(), handle));
  if (progress.stage == stage && !progress.last_key.empty()) {
    it->Seek(progress.last_key);
    if (it->Valid() && View(it->key()) == progress.last_key) it->Next();
  } else {
    it->SeekToFirst();
  }
  rocksdb::WriteBatch batch;
  std::string scratch;
  std::string last_key;
  size_t bytes = 0;
  size_t values = 0;
  auto flush = [&]() -> Status<StorageError> {
    if (values == 0) return {};
    batch.Put(store.meta, MigrationKey(), ProgressValue(stage, last_key));
    rocksdb::Status s = store.db->Write(Synced(), &batch);
    if (!s.ok()) return FromRocks(s);
    batch.Clear();
    bytes = 0;
    values = 0;
    return {};
  };
  for (; it->Valid(); it->Next()) {
    const std::string_view key = View(it->key());
    if (family == Family::kMeta && !IsDataKey(key)) continue;
    PutSealed(batch, store, sealer, handle, family, key, View(it->value()), scratch);
    last_key.assign(key);
    bytes += key.size() + scratch.size();
    ++values;
    ++sealed;
    if (bytes >= kMigrationBatchBytes || values >= kMigrationBatchValues) {
      if (auto flushed = flush(); !flushed.ok()) return flushed;
    }
  }
  if (!it->status().ok()) return FromRocks(it->status());
  return flush();
}

// The deduplication entries get digest keys, so they move: every old key is deleted and its
// entry written under the new key, in the same batch as the format record that ends the
// migration (a window of FIFO deduplication entries is small). `drop_clear_copies`: the progress
// record stays, at the last stage, until the files no longer hold the values in clear.
Status<StorageError> SealDedupAndFinish(const StoreHandles& store, ValueSealer& sealer,
                                        bool drop_clear_copies, uint64_t& sealed) {
  rocksdb::WriteBatch batch;
  std::vector<std::pair<std::string, std::string>> moved;  // new key, plaintext
  std::unique_ptr<rocksdb::Iterator> it(store.db->NewIterator(rocksdb::ReadOptions(), store.dedup));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const std::string_view key = View(it->key());
    batch.Delete(store.dedup, key);
    if (key.size() < 8) continue;  // never written by any version; dropped
    BinaryReader r(key.substr(0, 8));
    const uint64_t queue_id = r.BigEndian64();
    const std::string_view dedup_key = key.substr(8);
    moved.emplace_back(DedupKey(queue_id, sealer.DedupDigest(queue_id, dedup_key)),
                       DedupPlaintext(dedup_key, View(it->value())));
  }
  if (!it->status().ok()) return FromRocks(it->status());
  // Puts after every delete, so a new key equal to an old one is not deleted again.
  std::string scratch;
  for (const auto& [key, plaintext] : moved) {
    PutSealed(batch, store, sealer, store.dedup, Family::kDedup, key, plaintext, scratch);
    ++sealed;
  }
  batch.Put(store.meta, FormatKey(), FormatRecordValue(sealer.storage_key()));
  if (drop_clear_copies || !moved.empty()) {
    batch.Put(store.meta, MigrationKey(), ProgressValue(Stage::kDropClearCopies, {}));
  } else {
    batch.Delete(store.meta, MigrationKey());
  }
  rocksdb::Status s = store.db->Write(Synced(), &batch);
  if (!s.ok()) return FromRocks(s);
  return {};
}

// After sealing in place the clear values still lie in the WAL and in older SST files: flushing
// every family retires the WAL, and a forced compaction down to the last level rewrites every SST
// file without the overwritten versions, whose files RocksDB then deletes. Then the progress
// record goes. (The MANIFEST still names the old files' first and last keys: the caller reopens.)
Status<StorageError> DropClearCopies(const StoreHandles& store) {
  const std::vector<rocksdb::ColumnFamilyHandle*> families = {
      store.db->DefaultColumnFamily(), store.meta, store.msg, store.state, store.dedup};
  rocksdb::FlushOptions flush;
  flush.wait = true;
  rocksdb::Status s = store.db->Flush(flush, families);
  if (!s.ok()) return FromRocks(s);
  rocksdb::CompactRangeOptions compact;
  compact.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  for (auto* family : families) {
    s = store.db->CompactRange(compact, family, nullptr, nullptr);
    if (!s.ok()) return FromRocks(s);
  }
  s = store.db->Delete(Synced(), store.meta, MigrationKey());
  if (!s.ok()) return FromRocks(s);
  return {};
}

}  // namespace

std::string FormatRecordValue(const Sealer& storage_key) {
  std::string out;
  BinaryWriter w(out);
  w.U8(kFormatVersion);
  w.Bytes(ValueSealer::MakeKeyCheck(storage_key));
  return out;
}

Result<SealingReport, StorageError> PrepareSealedStore(const StoreHandles& store,
                                                       ValueSealer& sealer,
                                                       const std::string& directory) {
  SealingReport report;
  std::string format;
  rocksdb::Status s = store.db->Get(rocksdb::ReadOptions(), store.meta, FormatKey(), &format);
  if (!s.ok() && !s.IsNotFound()) return FromRocks(s);
  report.created = s.IsNotFound();
  if (!report.created) {
    if (auto checked = CheckFormat(format, sealer, directory); !checked.ok()) {
      return checked.error();
    }
    if (static_cast<uint8_t>(format[0]) == kFormatVersionBeforeDerivedDedup) {
      format[0] = static_cast<char>(kFormatVersion);  // the version byte; the key check stays
      s = store.db->Put(Synced(), store.meta, FormatKey(), format);
      if (!s.ok()) return FromRocks(s);
      report.upgraded = true;
    }
  }
  if (auto loaded = LoadDataKeys(store, sealer, directory); !loaded.ok()) return loaded.error();
  WHARF_ASSIGN_OR_RETURN(Progress progress, ReadProgress(store, directory));
  if (report.created) {
    const std::tuple<Stage, Family, rocksdb::ColumnFamilyHandle*> families[] = {
        {Stage::kMeta, Family::kMeta, store.meta},
        {Stage::kMsg, Family::kMsg, store.msg},
        {Stage::kState, Family::kState, store.state}};
    for (const auto& [stage, family, handle] : families) {
      if (stage < progress.stage) continue;  // sealed by an earlier, interrupted start
      WHARF_RETURN_IF_ERROR(
          SealFamily(store, sealer, stage, family, handle, progress, report.sealed));
    }
    WHARF_RETURN_IF_ERROR(SealDedupAndFinish(
        store, sealer, /*drop_clear_copies=*/progress.found || report.sealed > 0, report.sealed));
    WHARF_ASSIGN_OR_RETURN(progress, ReadProgress(store, directory));
  }
  if (progress.stage == Stage::kDropClearCopies) {
    // Now, or left over by a start that stopped after sealing everything.
    WHARF_RETURN_IF_ERROR(DropClearCopies(store));
    report.dropped_clear_copies = true;
  }
  report.data_keys = sealer.data_keys();
  return report;
}

}  // namespace wharf::storage
