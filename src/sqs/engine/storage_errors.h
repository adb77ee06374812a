#pragma once

// The one mapping from storage failures to what an SQS client sees. Exhaustive switch, no
// default: a new storage error code must be mapped here or the build fails (-Werror=switch).

#include <optional>

#include "api/error.h"
#include "storage/store.h"

namespace wharf::sqs {

inline api::ApiError FromStorageError(const storage::StorageError& error) {
  switch (error.code) {
    case storage::StorageErrorCode::kIoError:
    case storage::StorageErrorCode::kNoSpace:
    case storage::StorageErrorCode::kClosed:
      // Retryable: SDKs retry 503 with backoff, and nothing was acknowledged.
      return api::Error(api::ErrorCode::kServiceUnavailable);
    case storage::StorageErrorCode::kCorruption:
    case storage::StorageErrorCode::kWrongKey:  // only at open, never on a request
    case storage::StorageErrorCode::kInvalid:   // a record the backend does not keep: a bug
      return api::Error(api::ErrorCode::kInternalFailure);
  }
  return api::Error(api::ErrorCode::kInternalFailure);
}

// The answer to an operation that would append records while the store no longer takes any
// (Store::Accepting: the records kept through a long disk outage reached their bound), or
// nullopt. Checked up front, before any state changes in memory: a refused operation changes
// nothing, so nothing is left in memory that would not reach the disk, and the client retries
// the 503 once the store has recovered.
inline std::optional<api::ApiError> RefusedByStore(const storage::Store& store) {
  if (storage::StorageStatus accepting = store.Accepting(); !accepting.ok()) {
    return FromStorageError(accepting.error());
  }
  return std::nullopt;
}

}  // namespace wharf::sqs
