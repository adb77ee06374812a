#include "api/error.h"

#include <array>

namespace wharf::api {
namespace {

using enum ErrorCode;
constexpr Fault S = Fault::kSender;
constexpr Fault R = Fault::kReceiver;

// Sources: sqs-api.md §6 (SQS API Reference "Common Errors" and per-action pages),
// security.md §1.10 and §2.9. The JSON shape names of modelled SQS errors come from the SQS
// service model; unmodelled ones use the com.amazon.coral.service namespace, as AWS does.
constexpr std::array<ErrorInfo, kErrorCodeCount> kCatalog{{
    {kQueueDoesNotExist, "com.amazonaws.sqs#QueueDoesNotExist",
     "AWS.SimpleQueueService.NonExistentQueue", 400, S, "The specified queue does not exist."},
    {kQueueNameExists, "com.amazonaws.sqs#QueueNameExists", "QueueAlreadyExists", 400, S, ""},
    {kQueueDeletedRecently, "com.amazonaws.sqs#QueueDeletedRecently",
     "AWS.SimpleQueueService.QueueDeletedRecently", 400, S,
     "You must wait 60 seconds after deleting a queue before you can create another with the "
     "same name."},
    {kInvalidAttributeName, "com.amazonaws.sqs#InvalidAttributeName", "InvalidAttributeName", 400,
     S, ""},
    {kInvalidAttributeValue, "com.amazonaws.sqs#InvalidAttributeValue", "InvalidAttributeValue",
     400, S, ""},
    {kInvalidParameterValue, "com.amazon.coral.service#InvalidParameterValueException",
     "InvalidParameterValue", 400, S, ""},
    {kMissingParameter, "com.amazon.coral.service#MissingRequiredParameterException",
     "MissingParameter", 400, S, ""},
    {kInvalidMessageContents, "com.amazonaws.sqs#InvalidMessageContents", "InvalidMessageContents",
     400, S,
     "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | "
     "#xE000 to #xFFFD | #x10000 to #x10FFFF"},
    {kReceiptHandleIsInvalid, "com.amazonaws.sqs#ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid",
     404, S, ""},
    {kMessageNotInflight, "com.amazonaws.sqs#MessageNotInflight",
     "AWS.SimpleQueueService.MessageNotInflight", 400, S,
     "The message referred to isn't in flight."},
    {kEmptyBatchRequest, "com.amazonaws.sqs#EmptyBatchRequest",
     "AWS.SimpleQueueService.EmptyBatchRequest", 400, S, ""},
    {kTooManyEntriesInBatchRequest, "com.amazonaws.sqs#TooManyEntriesInBatchRequest",
     "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", 400, S, ""},
    {kInvalidBatchEntryId, "com.amazonaws.sqs#InvalidBatchEntryId",
     "AWS.SimpleQueueService.InvalidBatchEntryId", 400, S,
     "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can "
     "be at most 80 letters long."},
    {kBatchEntryIdsNotDistinct, "com.amazonaws.sqs#BatchEntryIdsNotDistinct",
     "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", 400, S, ""},
    {kBatchRequestTooLong, "com.amazonaws.sqs#BatchRequestTooLong",
     "AWS.SimpleQueueService.BatchRequestTooLong", 400, S, ""},
    {kPurgeQueueInProgress, "com.amazonaws.sqs#PurgeQueueInProgress",
     "AWS.SimpleQueueService.PurgeQueueInProgress", 403, S, ""},
    {kOverLimit, "com.amazonaws.sqs#OverLimit", "OverLimit", 403, S, ""},
    {kResourceNotFound, "com.amazonaws.sqs#ResourceNotFoundException", "ResourceNotFoundException",
     404, S, ""},
    {kUnsupportedOperation, "com.amazonaws.sqs#UnsupportedOperation",
     "AWS.SimpleQueueService.UnsupportedOperation", 400, S,
     "Error code 400. Unsupported operation."},
    {kRequestThrottled, "com.amazonaws.sqs#RequestThrottled", "RequestThrottled", 403, S,
     "Rate exceeded"},
    {kInvalidAddress, "com.amazonaws.sqs#InvalidAddress", "InvalidAddress", 404, S,
     "The address is not valid for this endpoint."},
    {kInvalidSecurity, "com.amazonaws.sqs#InvalidSecurity", "InvalidSecurity", 403, S,
     "The request was not made over HTTPS or did not use SigV4 for signing."},
    {kKmsAccessDenied, "com.amazonaws.sqs#KmsAccessDenied", "KMS.AccessDeniedException", 400, S,
     ""},
    {kKmsDisabled, "com.amazonaws.sqs#KmsDisabled", "KMS.DisabledException", 400, S, ""},
    {kKmsInvalidKeyUsage, "com.amazonaws.sqs#KmsInvalidKeyUsage", "KMS.InvalidKeyUsageException",
     400, S, ""},
    {kKmsInvalidState, "com.amazonaws.sqs#KmsInvalidState", "KMS.InvalidStateException", 400, S,
     ""},
    {kKmsNotFound, "com.amazonaws.sqs#KmsNotFound", "KMS.NotFoundException", 400, S, ""},
    {kKmsOptInRequired, "com.amazonaws.sqs#KmsOptInRequired", "KMS.OptInRequired", 403, S, ""},
    {kKmsThrottled, "com.amazonaws.sqs#KmsThrottled", "KMS.ThrottlingException", 400, S, ""},
    {kAccessDenied, "com.amazon.coral.service#AccessDeniedException", "AccessDenied", 403, S,
     "Access to the resource is denied."},
    {kIncompleteSignature, "com.amazon.coral.service#IncompleteSignatureException",
     "IncompleteSignature", 400, S, "The request signature does not conform to AWS standards."},
    {kInternalFailure, "com.amazon.coral.service#InternalFailure", "InternalFailure", 500, R,
     "The request processing has failed because of an unknown error, exception or failure."},
    {kInvalidAction, "com.amazon.coral.service#InvalidAction", "InvalidAction", 400, S, ""},
    {kInvalidClientTokenId, "com.amazon.coral.service#InvalidClientTokenId", "InvalidClientTokenId",
     403, S, "The security token included in the request is invalid."},
    {kInvalidParameterCombination, "com.amazon.coral.service#InvalidParameterCombination",
     "InvalidParameterCombination", 400, S, ""},
    {kInvalidQueryParameter, "com.amazon.coral.service#InvalidQueryParameter",
     "InvalidQueryParameter", 400, S,
     "The AWS query string is malformed or does not adhere to AWS standards."},
    {kMalformedQueryString, "com.amazon.coral.service#MalformedQueryString", "MalformedQueryString",
     404, S, "The query string contains a syntax error."},
    {kMissingAction, "com.amazon.coral.service#MissingAction", "MissingAction", 400, S,
     "The request is missing an action or a required parameter."},
    {kMissingAuthenticationToken, "com.amazon.coral.service#MissingAuthenticationTokenException",
     "MissingAuthenticationToken", 403, S, "Request is missing Authentication Token"},
    {kRequestExpired, "com.amazon.coral.service#RequestExpired", "RequestExpired", 400, S,
     "The request reached the service more than 15 minutes after the date stamp on the request "
     "or more than 15 minutes after the request expiration date, or the date stamp on the request "
     "is more than 15 minutes in the future."},
    {kServiceUnavailable, "com.amazon.coral.service#ServiceUnavailableException",
     "ServiceUnavailable", 503, R,
     "The request has failed due to a temporary failure of the server."},
    {kSignatureDoesNotMatch, "com.amazon.coral.service#InvalidSignatureException",
     "SignatureDoesNotMatch", 403, S,
     "The request signature we calculated does not match the signature you provided. Check your "
     "AWS Secret Access Key and signing method. Consult the service documentation for details."},
    {kExpiredToken, "com.amazon.coral.service#ExpiredTokenException", "ExpiredToken", 403, S,
     "The security token included in the request is expired"},
    {kThrottling, "com.amazon.coral.service#ThrottlingException", "ThrottlingException", 400, S,
     "Rate exceeded"},
    {kValidationError, "com.amazon.coral.service#ValidationException", "ValidationError", 400, S,
     ""},
    {kSerializationException, "com.amazon.coral.service#SerializationException",
     "SerializationException", 400, S, "Start of structure or map found where not expected."},
    {kUnknownOperation, "com.amazon.coral.service#UnknownOperationException",
     "UnknownOperationException", 400, S, ""},
    {kRequestEntityTooLarge, "com.amazon.coral.service#RequestEntityTooLarge",
     "RequestEntityTooLarge", 413, S, "Request body too large."},
    // IAM and STS: security.md §3.1 [model]; IAM's HTTP statuses per code.
    {kNoSuchEntity, "com.amazon.coral.service#NoSuchEntityException", "NoSuchEntity", 404, S, ""},
    {kEntityAlreadyExists, "com.amazon.coral.service#EntityAlreadyExistsException",
     "EntityAlreadyExists", 409, S, ""},
    {kLimitExceeded, "com.amazon.coral.service#LimitExceededException", "LimitExceeded", 409, S,
     ""},
    {kDeleteConflict, "com.amazon.coral.service#DeleteConflictException", "DeleteConflict", 409, S,
     ""},
    {kMalformedPolicyDocument, "com.amazon.coral.service#MalformedPolicyDocumentException",
     "MalformedPolicyDocument", 400, S, "Syntax errors in policy."},
    {kInvalidInput, "com.amazon.coral.service#InvalidInputException", "InvalidInput", 400, S, ""},
    {kPackedPolicyTooLarge, "com.amazon.coral.service#PackedPolicyTooLargeException",
     "PackedPolicyTooLarge", 400, S, "Packed policy consumes more than the allowed size."},
    // KMS: HTTP 400 (security.md §4.5; KMS API Reference, "Errors" of each action). On the wire
    // KMS writes the bare shape name (protocol::KmsErrorType strips the namespace); KMS has no
    // Query protocol, so the query code only names them in logs.
    {kNotFound, "com.amazonaws.kms#NotFoundException", "NotFoundException", 400, S, ""},
    {kDisabled, "com.amazonaws.kms#DisabledException", "DisabledException", 400, S, ""},
    {kKmsInvalidStateException, "com.amazonaws.kms#KMSInvalidStateException",
     "KMSInvalidStateException", 400, S, ""},
    // Empty on purpose: a corrupt blob and a wrong context must not be told apart (§4.6).
    {kInvalidCiphertext, "com.amazonaws.kms#InvalidCiphertextException",
     "InvalidCiphertextException", 400, S, ""},
    {kIncorrectKey, "com.amazonaws.kms#IncorrectKeyException", "IncorrectKeyException", 400, S,
     "The key ID in the request does not identify a CMK that can perform this operation."},
    {kAlreadyExists, "com.amazonaws.kms#AlreadyExistsException", "AlreadyExistsException", 400, S,
     ""},
    {kInvalidAliasName, "com.amazonaws.kms#InvalidAliasNameException", "InvalidAliasNameException",
     400, S, ""},
    {kInvalidKeyUsage, "com.amazonaws.kms#InvalidKeyUsageException", "InvalidKeyUsageException",
     400, S, ""},
    {kInvalidMarker, "com.amazonaws.kms#InvalidMarkerException", "InvalidMarkerException", 400, S,
     "The marker is not valid."},
    {kTagException, "com.amazonaws.kms#TagException", "TagException", 400, S, ""},
    {kKmsUnsupportedOperation, "com.amazonaws.kms#UnsupportedOperationException",
     "UnsupportedOperationException", 400, S, ""},
    // SNS: sns-fanout.md §1 [model] codes and statuses; messages per action (§3) [AWS-recorded].
    {kSnsInvalidParameter, "com.amazonaws.sns#InvalidParameterException", "InvalidParameter", 400,
     S, ""},
    {kSnsParameterValueInvalid, "com.amazonaws.sns#InvalidParameterValueException",
     "ParameterValueInvalid", 400, S, ""},
    {kSnsNotFound, "com.amazonaws.sns#NotFoundException", "NotFound", 404, S, ""},
    {kSnsResourceNotFound, "com.amazonaws.sns#ResourceNotFoundException", "ResourceNotFound", 404,
     S, "Resource does not exist"},
    {kSnsAuthorizationError, "com.amazonaws.sns#AuthorizationErrorException", "AuthorizationError",
     403, S, ""},
    {kSnsInternalError, "com.amazonaws.sns#InternalErrorException", "InternalError", 500, R,
     "The request processing has failed because of an unknown error, exception or failure."},
    {kSnsTagLimitExceeded, "com.amazonaws.sns#TagLimitExceededException", "TagLimitExceeded", 400,
     S, "Could not complete request: tag quota of per resource exceeded"},
    {kSnsEmptyBatchRequest, "com.amazonaws.sns#EmptyBatchRequestException", "EmptyBatchRequest",
     400, S, "The batch request doesn't contain any entries."},
    {kSnsTooManyEntriesInBatchRequest, "com.amazonaws.sns#TooManyEntriesInBatchRequestException",
     "TooManyEntriesInBatchRequest", 400, S,
     "The batch request contains more entries than permissible."},
    {kSnsBatchEntryIdsNotDistinct, "com.amazonaws.sns#BatchEntryIdsNotDistinctException",
     "BatchEntryIdsNotDistinct", 400, S,
     "Two or more batch entries in the request have the same Id."},
    {kSnsInvalidBatchEntryId, "com.amazonaws.sns#InvalidBatchEntryIdException",
     "InvalidBatchEntryId", 400, S, ""},
    {kSnsBatchRequestTooLong, "com.amazonaws.sns#BatchRequestTooLongException",
     "BatchRequestTooLong", 400, S,
     "The length of all the messages put together is more than the limit."},
}};

constexpr bool CatalogIsInEnumOrder() {
  for (size_t i = 0; i < kCatalog.size(); ++i) {
    if (static_cast<size_t>(kCatalog[i].code) != i) return false;
  }
  return true;
}
static_assert(CatalogIsInEnumOrder(), "kCatalog rows must follow the ErrorCode enum order");

}  // namespace

const ErrorInfo& InfoOf(ErrorCode code) { return kCatalog[static_cast<size_t>(code)]; }

}  // namespace wharf::api
