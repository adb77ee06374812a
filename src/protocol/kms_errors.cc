// The names KMS gives errors on the wire (AWS JSON 1.1, security.md §1.10 and §4.5). One
// exhaustive switch with no default: a new ErrorCode does not compile until it has a KMS name.

#include "protocol/protocol.h"

namespace wharf::protocol {

std::string_view KmsErrorType(api::ErrorCode code) {
  using enum api::ErrorCode;
  switch (code) {
    // Shared codes under KMS's JSON names.
    case kAccessDenied:
      return "AccessDeniedException";
    case kValidationError:
    case kInvalidParameterValue:
    case kInvalidParameterCombination:
    case kMissingParameter:
      return "ValidationException";
    case kMalformedPolicyDocument:
      return "MalformedPolicyDocumentException";
    case kLimitExceeded:
      return "LimitExceededException";
    case kInternalFailure:
      return "KMSInternalException";
    case kServiceUnavailable:
      return "DependencyTimeoutException";
    case kThrottling:
    case kRequestThrottled:
      return "ThrottlingException";
    case kSerializationException:
      return "SerializationException";
    case kUnknownOperation:
    case kInvalidAction:
    case kMissingAction:
      return "UnknownOperationException";
    case kRequestEntityTooLarge:
      return "RequestEntityTooLarge";
    // Authentication (security.md §1.10, KMS column).
    case kMissingAuthenticationToken:
      return "MissingAuthenticationTokenException";
    case kIncompleteSignature:
      return "IncompleteSignatureException";
    case kInvalidClientTokenId:
      return "UnrecognizedClientException";
    case kExpiredToken:
      return "ExpiredTokenException";
    case kSignatureDoesNotMatch:
    case kRequestExpired:
      return "InvalidSignatureException";
    case kInvalidQueryParameter:
    case kMalformedQueryString:
      return "SerializationException";
    // KMS's own exceptions: the catalog's shape without its namespace ("NotFoundException"). SQS,
    // IAM and STS errors KMS never raises; should one reach a KMS caller by mistake, it keeps its
    // own name rather than becoming something it is not.
    case kNotFound:
    case kDisabled:
    case kKmsInvalidStateException:
    case kInvalidCiphertext:
    case kIncorrectKey:
    case kAlreadyExists:
    case kInvalidAliasName:
    case kInvalidKeyUsage:
    case kInvalidMarker:
    case kTagException:
    case kKmsUnsupportedOperation:
    case kQueueDoesNotExist:
    case kQueueNameExists:
    case kQueueDeletedRecently:
    case kInvalidAttributeName:
    case kInvalidAttributeValue:
    case kInvalidMessageContents:
    case kReceiptHandleIsInvalid:
    case kMessageNotInflight:
    case kEmptyBatchRequest:
    case kTooManyEntriesInBatchRequest:
    case kInvalidBatchEntryId:
    case kBatchEntryIdsNotDistinct:
    case kBatchRequestTooLong:
    case kPurgeQueueInProgress:
    case kOverLimit:
    case kResourceNotFound:
    case kUnsupportedOperation:
    case kInvalidAddress:
    case kInvalidSecurity:
    case kKmsAccessDenied:
    case kKmsDisabled:
    case kKmsInvalidKeyUsage:
    case kKmsInvalidState:
    case kKmsNotFound:
    case kKmsOptInRequired:
    case kKmsThrottled:
    case kNoSuchEntity:
    case kEntityAlreadyExists:
    case kDeleteConflict:
    case kInvalidInput:
    case kPackedPolicyTooLarge:
    // Not raised by KMS; SNS errors never reach a KMS caller.
    case kSnsInvalidParameter:
    case kSnsParameterValueInvalid:
    case kSnsNotFound:
    case kSnsResourceNotFound:
    case kSnsAuthorizationError:
    case kSnsInternalError:
    case kSnsTagLimitExceeded:
    case kSnsEmptyBatchRequest:
    case kSnsTooManyEntriesInBatchRequest:
    case kSnsBatchEntryIdsNotDistinct:
    case kSnsInvalidBatchEntryId:
    case kSnsBatchRequestTooLong: {
      const std::string_view type = api::InfoOf(code).json_type;
      const size_t hash = type.find('#');
      return hash == std::string_view::npos ? type : type.substr(hash + 1);
    }
  }
  return "KMSInternalException";
}

uint16_t KmsHttpStatus(api::ErrorCode code) {
  const api::ErrorInfo& info = api::InfoOf(code);
  if (info.fault == api::Fault::kReceiver) return info.http_status;  // 500, 503
  if (code == api::ErrorCode::kRequestEntityTooLarge) return info.http_status;
  return 400;
}

}  // namespace wharf::protocol
