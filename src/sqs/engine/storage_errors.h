#pragma once

// The one mapping from storage failures to what an SQS client sees. Exhaustive switch, no
// default: a new storage error code must be mapped here or the build fails (-Werror=switch).

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
      return api::Error(api::ErrorCode::kInternalFailure);
  }
  return api::Error(api::ErrorCode::kInternalFailure);
}

}  // namespace wharf::sqs
