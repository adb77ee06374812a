#pragma once

// RocksDB statuses as storage errors. Internal to storage/.

#include <rocksdb/status.h>

#include "storage/store.h"

namespace wharf::storage {

inline StorageError FromRocks(const rocksdb::Status& s) {
  StorageErrorCode code = StorageErrorCode::kIoError;
  if (s.IsNoSpace()) code = StorageErrorCode::kNoSpace;
  if (s.IsCorruption()) code = StorageErrorCode::kCorruption;
  return StorageError{code, s.ToString()};
}

}  // namespace wharf::storage
