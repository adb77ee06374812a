#pragma once

// The AWS error catalog: every error Wharf can put on the wire, as one closed enum and one
// table (code, JSON shape, Query code, HTTP status, fault, default message). A service returns
// an ApiError; the protocol layer renders it in the caller's protocol. Messages are written
// for clients and never carry internal details.

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace wharf::api {

enum class ErrorCode : uint8_t {
  // SQS modelled errors (sqs-api.md §6.1).
  kQueueDoesNotExist,
  kQueueNameExists,
  kQueueDeletedRecently,
  kInvalidAttributeName,
  kInvalidAttributeValue,
  kInvalidParameterValue,
  kMissingParameter,
  kInvalidMessageContents,
  kReceiptHandleIsInvalid,
  kMessageNotInflight,
  kEmptyBatchRequest,
  kTooManyEntriesInBatchRequest,
  kInvalidBatchEntryId,
  kBatchEntryIdsNotDistinct,
  kBatchRequestTooLong,
  kPurgeQueueInProgress,
  kOverLimit,
  kResourceNotFound,
  kUnsupportedOperation,
  kRequestThrottled,
  kInvalidAddress,
  kInvalidSecurity,
  kKmsAccessDenied,
  kKmsDisabled,
  kKmsInvalidKeyUsage,
  kKmsInvalidState,
  kKmsNotFound,
  kKmsOptInRequired,
  kKmsThrottled,
  // Common errors (sqs-api.md §6.2, security.md §1.10).
  kAccessDenied,
  kIncompleteSignature,
  kInternalFailure,
  kInvalidAction,
  kInvalidClientTokenId,
  kInvalidParameterCombination,
  kInvalidQueryParameter,
  kMalformedQueryString,
  kMissingAction,
  kMissingAuthenticationToken,
  kRequestExpired,
  kServiceUnavailable,
  kSignatureDoesNotMatch,
  kExpiredToken,
  kThrottling,
  kValidationError,
  kSerializationException,
  kUnknownOperation,
  kRequestEntityTooLarge,
  // IAM and STS (security.md §3.1).
  kNoSuchEntity,
  kEntityAlreadyExists,
  kLimitExceeded,
  kDeleteConflict,
  kMalformedPolicyDocument,
  kInvalidInput,
  kPackedPolicyTooLarge,
  // KMS (security.md §4.4–4.5). KMS also raises kAccessDenied, kValidationError,
  // kMalformedPolicyDocument and kLimitExceeded, under its own JSON 1.1 names
  // (protocol::KmsErrorType).
  kNotFound,
  kDisabled,
  kKmsInvalidStateException,
  kInvalidCiphertext,
  kIncorrectKey,
  kAlreadyExists,
  kInvalidAliasName,
  kInvalidKeyUsage,
  kInvalidMarker,
  kTagException,
  kKmsUnsupportedOperation,
  // SNS (sns-fanout.md §1). Their Query codes differ from the SQS errors of the same idea.
  kSnsInvalidParameter,
  kSnsParameterValueInvalid,
  kSnsNotFound,
  kSnsResourceNotFound,
  kSnsAuthorizationError,
  kSnsInternalError,
  kSnsTagLimitExceeded,
  kSnsEmptyBatchRequest,
  kSnsTooManyEntriesInBatchRequest,
  kSnsBatchEntryIdsNotDistinct,
  kSnsInvalidBatchEntryId,
  kSnsBatchRequestTooLong,
};
inline constexpr size_t kErrorCodeCount =
    static_cast<size_t>(ErrorCode::kSnsBatchRequestTooLong) + 1;

enum class Fault : uint8_t { kSender, kReceiver };

struct ErrorInfo {
  ErrorCode code;
  std::string_view json_type;   // full __type, e.g. "com.amazonaws.sqs#QueueDoesNotExist"
  std::string_view query_code;  // <Code> in XML and the first half of x-amzn-query-error
  uint16_t http_status;
  Fault fault;
  std::string_view message;  // default message; "" when the raiser always supplies one
};

const ErrorInfo& InfoOf(ErrorCode code);

struct ApiError {
  ErrorCode code;
  std::string message;  // empty: use the catalog's default
};

inline ApiError Error(ErrorCode code, std::string message = {}) {
  return ApiError{code, std::move(message)};
}

using ApiStatus = Status<ApiError>;
template <typename T>
using ApiResult = Result<T, ApiError>;

}  // namespace wharf::api
