#pragma once

// The store-level records of the embedded store and what RocksStore::Open does with them before
// anything else is read or written (docs/storage-format.md "Sealing"):
//
//   'F'          format record: u8 version = 2 (every value sealed; FIFO deduplication
//                entries rebuilt from message records), bytes key check
//   'K' · u32 id a data key, wrapped under the storage key (ValueSealer)
//   'M'          progress of sealing a store written before sealing existed
//
// At open: a store with a format record must have been sealed with this storage key (its key
// check opens) or the start-up stops with kWrongKey; every data key is loaded; a store without
// one (new, or written before sealing) has every value sealed in place, in synced batches that
// record their progress so an interrupted start resumes where it stopped, then gets its format
// record. Data keys are drawn when the first value is sealed, and their records written in the
// same batch as that value.
//
// Internal to storage/; runs on the opening thread before the store's threads start.

#include <cstdint>
#include <string>

#include "storage/store.h"
#include "storage/value_sealer.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
}  // namespace rocksdb

namespace wharf::storage {

struct StoreHandles {
  rocksdb::DB* db;
  rocksdb::ColumnFamilyHandle* meta;
  rocksdb::ColumnFamilyHandle* msg;
  rocksdb::ColumnFamilyHandle* state;
  rocksdb::ColumnFamilyHandle* dedup;
};

struct SealingReport {
  bool created = false;  // the store had no format record: new, or written before sealing
  uint64_t sealed = 0;   // values sealed in place (written before sealing)
  size_t data_keys = 0;  // data keys known after the start
  bool dropped_clear_copies = false;  // files rewritten: reopen for a fresh MANIFEST
  bool upgraded = false;              // a version-1 format record was rewritten as version 2
};

// The value of the format record for a store sealed under `storage_key`.
std::string FormatRecordValue(const Sealer& storage_key);

// `directory` names the store in messages.
Result<SealingReport, StorageError> PrepareSealedStore(const StoreHandles& store,
                                                       ValueSealer& sealer,
                                                       const std::string& directory);

}  // namespace wharf::storage
