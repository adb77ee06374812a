#include "api/error.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace wharf::api {
namespace {

struct ExpectedError {
  ErrorCode code;
  std::string_view json_type;
  std::string_view query_code;
  uint16_t http_status;
  Fault fault;
};

constexpr Fault S = Fault::kSender;
constexpr Fault R = Fault::kReceiver;

// sqs-api.md §6.1 (SQS errors), §6.2 (common errors) and security.md §1.10.
constexpr ExpectedError kExpected[] = {
    {ErrorCode::kQueueDoesNotExist, "com.amazonaws.sqs#QueueDoesNotExist",
     "AWS.SimpleQueueService.NonExistentQueue", 400, S},
    {ErrorCode::kQueueNameExists, "com.amazonaws.sqs#QueueNameExists", "QueueAlreadyExists", 400,
     S},
    {ErrorCode::kQueueDeletedRecently, "com.amazonaws.sqs#QueueDeletedRecently",
     "AWS.SimpleQueueService.QueueDeletedRecently", 400, S},
    {ErrorCode::kInvalidAttributeName, "com.amazonaws.sqs#InvalidAttributeName",
     "InvalidAttributeName", 400, S},
    {ErrorCode::kInvalidAttributeValue, "com.amazonaws.sqs#InvalidAttributeValue",
     "InvalidAttributeValue", 400, S},
    {ErrorCode::kInvalidParameterValue, "com.amazon.coral.service#InvalidParameterValueException",
     "InvalidParameterValue", 400, S},
    {ErrorCode::kMissingParameter, "com.amazon.coral.service#MissingRequiredParameterException",
     "MissingParameter", 400, S},
    {ErrorCode::kInvalidMessageContents, "com.amazonaws.sqs#InvalidMessageContents",
     "InvalidMessageContents", 400, S},
    {ErrorCode::kReceiptHandleIsInvalid, "com.amazonaws.sqs#ReceiptHandleIsInvalid",
     "ReceiptHandleIsInvalid", 404, S},
    {ErrorCode::kMessageNotInflight, "com.amazonaws.sqs#MessageNotInflight",
     "AWS.SimpleQueueService.MessageNotInflight", 400, S},
    {ErrorCode::kEmptyBatchRequest, "com.amazonaws.sqs#EmptyBatchRequest",
     "AWS.SimpleQueueService.EmptyBatchRequest", 400, S},
    {ErrorCode::kTooManyEntriesInBatchRequest, "com.amazonaws.sqs#TooManyEntriesInBatchRequest",
     "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", 400, S},
    {ErrorCode::kInvalidBatchEntryId, "com.amazonaws.sqs#InvalidBatchEntryId",
     "AWS.SimpleQueueService.InvalidBatchEntryId", 400, S},
    {ErrorCode::kBatchEntryIdsNotDistinct, "com.amazonaws.sqs#BatchEntryIdsNotDistinct",
     "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", 400, S},
    {ErrorCode::kBatchRequestTooLong, "com.amazonaws.sqs#BatchRequestTooLong",
     "AWS.SimpleQueueService.BatchRequestTooLong", 400, S},
    {ErrorCode::kPurgeQueueInProgress, "com.amazonaws.sqs#PurgeQueueInProgress",
     "AWS.SimpleQueueService.PurgeQueueInProgress", 403, S},
    {ErrorCode::kOverLimit, "com.amazonaws.sqs#OverLimit", "OverLimit", 403, S},
    {ErrorCode::kResourceNotFound, "com.amazonaws.sqs#ResourceNotFoundException",
     "ResourceNotFoundException", 404, S},
    {ErrorCode::kUnsupportedOperation, "com.amazonaws.sqs#UnsupportedOperation",
     "AWS.SimpleQueueService.UnsupportedOperation", 400, S},
    {ErrorCode::kRequestThrottled, "com.amazonaws.sqs#RequestThrottled", "RequestThrottled", 403,
     S},
    {ErrorCode::kInvalidAddress, "com.amazonaws.sqs#InvalidAddress", "InvalidAddress", 404, S},
    {ErrorCode::kInvalidSecurity, "com.amazonaws.sqs#InvalidSecurity", "InvalidSecurity", 403, S},
    {ErrorCode::kKmsAccessDenied, "com.amazonaws.sqs#KmsAccessDenied", "KMS.AccessDeniedException",
     400, S},
    {ErrorCode::kKmsDisabled, "com.amazonaws.sqs#KmsDisabled", "KMS.DisabledException", 400, S},
    {ErrorCode::kKmsInvalidKeyUsage, "com.amazonaws.sqs#KmsInvalidKeyUsage",
     "KMS.InvalidKeyUsageException", 400, S},
    {ErrorCode::kKmsInvalidState, "com.amazonaws.sqs#KmsInvalidState", "KMS.InvalidStateException",
     400, S},
    {ErrorCode::kKmsNotFound, "com.amazonaws.sqs#KmsNotFound", "KMS.NotFoundException", 400, S},
    {ErrorCode::kKmsOptInRequired, "com.amazonaws.sqs#KmsOptInRequired", "KMS.OptInRequired", 403,
     S},
    {ErrorCode::kKmsThrottled, "com.amazonaws.sqs#KmsThrottled", "KMS.ThrottlingException", 400, S},
    {ErrorCode::kAccessDenied, "com.amazon.coral.service#AccessDeniedException", "AccessDenied",
     403, S},
    {ErrorCode::kIncompleteSignature, "com.amazon.coral.service#IncompleteSignatureException",
     "IncompleteSignature", 400, S},
    {ErrorCode::kInternalFailure, "com.amazon.coral.service#InternalFailure", "InternalFailure",
     500, R},
    {ErrorCode::kInvalidAction, "com.amazon.coral.service#InvalidAction", "InvalidAction", 400, S},
    {ErrorCode::kInvalidClientTokenId, "com.amazon.coral.service#InvalidClientTokenId",
     "InvalidClientTokenId", 403, S},
    {ErrorCode::kInvalidParameterCombination,
     "com.amazon.coral.service#InvalidParameterCombination", "InvalidParameterCombination", 400, S},
    {ErrorCode::kInvalidQueryParameter, "com.amazon.coral.service#InvalidQueryParameter",
     "InvalidQueryParameter", 400, S},
    {ErrorCode::kMalformedQueryString, "com.amazon.coral.service#MalformedQueryString",
     "MalformedQueryString", 404, S},
    {ErrorCode::kMissingAction, "com.amazon.coral.service#MissingAction", "MissingAction", 400, S},
    {ErrorCode::kMissingAuthenticationToken,
     "com.amazon.coral.service#MissingAuthenticationTokenException", "MissingAuthenticationToken",
     403, S},
    {ErrorCode::kRequestExpired, "com.amazon.coral.service#RequestExpired", "RequestExpired", 400,
     S},
    {ErrorCode::kServiceUnavailable, "com.amazon.coral.service#ServiceUnavailableException",
     "ServiceUnavailable", 503, R},
    {ErrorCode::kSignatureDoesNotMatch, "com.amazon.coral.service#InvalidSignatureException",
     "SignatureDoesNotMatch", 403, S},
    {ErrorCode::kExpiredToken, "com.amazon.coral.service#ExpiredTokenException", "ExpiredToken",
     403, S},
    {ErrorCode::kThrottling, "com.amazon.coral.service#ThrottlingException", "ThrottlingException",
     400, S},
    {ErrorCode::kValidationError, "com.amazon.coral.service#ValidationException", "ValidationError",
     400, S},
    {ErrorCode::kSerializationException, "com.amazon.coral.service#SerializationException",
     "SerializationException", 400, S},
    {ErrorCode::kUnknownOperation, "com.amazon.coral.service#UnknownOperationException",
     "UnknownOperationException", 400, S},
    {ErrorCode::kRequestEntityTooLarge, "com.amazon.coral.service#RequestEntityTooLarge",
     "RequestEntityTooLarge", 413, S},
    {ErrorCode::kNoSuchEntity, "com.amazon.coral.service#NoSuchEntityException", "NoSuchEntity",
     404, S},
    {ErrorCode::kEntityAlreadyExists, "com.amazon.coral.service#EntityAlreadyExistsException",
     "EntityAlreadyExists", 409, S},
    {ErrorCode::kLimitExceeded, "com.amazon.coral.service#LimitExceededException", "LimitExceeded",
     409, S},
    {ErrorCode::kDeleteConflict, "com.amazon.coral.service#DeleteConflictException",
     "DeleteConflict", 409, S},
    {ErrorCode::kMalformedPolicyDocument,
     "com.amazon.coral.service#MalformedPolicyDocumentException", "MalformedPolicyDocument", 400,
     S},
    {ErrorCode::kInvalidInput, "com.amazon.coral.service#InvalidInputException", "InvalidInput",
     400, S},
    {ErrorCode::kPackedPolicyTooLarge, "com.amazon.coral.service#PackedPolicyTooLargeException",
     "PackedPolicyTooLarge", 400, S},
    // KMS (security.md §4.4–4.5): every client error is 400.
    {ErrorCode::kNotFound, "com.amazonaws.kms#NotFoundException", "NotFoundException", 400, S},
    {ErrorCode::kDisabled, "com.amazonaws.kms#DisabledException", "DisabledException", 400, S},
    {ErrorCode::kKmsInvalidStateException, "com.amazonaws.kms#KMSInvalidStateException",
     "KMSInvalidStateException", 400, S},
    {ErrorCode::kInvalidCiphertext, "com.amazonaws.kms#InvalidCiphertextException",
     "InvalidCiphertextException", 400, S},
    {ErrorCode::kIncorrectKey, "com.amazonaws.kms#IncorrectKeyException", "IncorrectKeyException",
     400, S},
    {ErrorCode::kAlreadyExists, "com.amazonaws.kms#AlreadyExistsException",
     "AlreadyExistsException", 400, S},
    {ErrorCode::kInvalidAliasName, "com.amazonaws.kms#InvalidAliasNameException",
     "InvalidAliasNameException", 400, S},
    {ErrorCode::kInvalidKeyUsage, "com.amazonaws.kms#InvalidKeyUsageException",
     "InvalidKeyUsageException", 400, S},
    {ErrorCode::kInvalidMarker, "com.amazonaws.kms#InvalidMarkerException",
     "InvalidMarkerException", 400, S},
    {ErrorCode::kTagException, "com.amazonaws.kms#TagException", "TagException", 400, S},
    {ErrorCode::kKmsUnsupportedOperation, "com.amazonaws.kms#UnsupportedOperationException",
     "UnsupportedOperationException", 400, S},
    // sns-fanout.md §1 [model].
    {ErrorCode::kSnsInvalidParameter, "com.amazonaws.sns#InvalidParameterException",
     "InvalidParameter", 400, S},
    {ErrorCode::kSnsParameterValueInvalid, "com.amazonaws.sns#InvalidParameterValueException",
     "ParameterValueInvalid", 400, S},
    {ErrorCode::kSnsNotFound, "com.amazonaws.sns#NotFoundException", "NotFound", 404, S},
    {ErrorCode::kSnsResourceNotFound, "com.amazonaws.sns#ResourceNotFoundException",
     "ResourceNotFound", 404, S},
    {ErrorCode::kSnsAuthorizationError, "com.amazonaws.sns#AuthorizationErrorException",
     "AuthorizationError", 403, S},
    {ErrorCode::kSnsInternalError, "com.amazonaws.sns#InternalErrorException", "InternalError", 500,
     R},
    {ErrorCode::kSnsTagLimitExceeded, "com.amazonaws.sns#TagLimitExceededException",
     "TagLimitExceeded", 400, S},
    {ErrorCode::kSnsEmptyBatchRequest, "com.amazonaws.sns#EmptyBatchRequestException",
     "EmptyBatchRequest", 400, S},
    {ErrorCode::kSnsTooManyEntriesInBatchRequest,
     "com.amazonaws.sns#TooManyEntriesInBatchRequestException", "TooManyEntriesInBatchRequest", 400,
     S},
    {ErrorCode::kSnsBatchEntryIdsNotDistinct, "com.amazonaws.sns#BatchEntryIdsNotDistinctException",
     "BatchEntryIdsNotDistinct", 400, S},
    {ErrorCode::kSnsInvalidBatchEntryId, "com.amazonaws.sns#InvalidBatchEntryIdException",
     "InvalidBatchEntryId", 400, S},
    {ErrorCode::kSnsBatchRequestTooLong, "com.amazonaws.sns#BatchRequestTooLongException",
     "BatchRequestTooLong", 400, S},
};
static_assert(std::size(kExpected) == kErrorCodeCount);

TEST(ErrorCatalogTest, EveryCodeHasAWellFormedRow) {
  for (size_t i = 0; i < kErrorCodeCount; ++i) {
    const auto code = static_cast<ErrorCode>(i);
    const ErrorInfo& info = InfoOf(code);
    SCOPED_TRACE(std::string(info.query_code));
    EXPECT_EQ(info.code, code);
    EXPECT_FALSE(info.query_code.empty());
    const size_t hash = info.json_type.find('#');
    ASSERT_NE(hash, std::string_view::npos) << info.json_type;
    EXPECT_TRUE(info.json_type.substr(0, hash) == "com.amazonaws.sqs" ||
                info.json_type.substr(0, hash) == "com.amazonaws.kms" ||
                info.json_type.substr(0, hash) == "com.amazonaws.sns" ||
                info.json_type.substr(0, hash) == "com.amazon.coral.service")
        << info.json_type;
    EXPECT_GT(info.json_type.size(), hash + 1);
    EXPECT_EQ(info.json_type.find('#', hash + 1), std::string_view::npos);
    EXPECT_GE(info.http_status, 400);
    EXPECT_LT(info.http_status, 600);
    // A server-side fault is exactly a 5xx.
    EXPECT_EQ(info.fault == Fault::kReceiver, info.http_status >= 500);
  }
}

TEST(ErrorCatalogTest, MatchesTheDocumentedTable) {
  for (const ExpectedError& want : kExpected) {
    const ErrorInfo& info = InfoOf(want.code);
    SCOPED_TRACE(std::string(want.query_code));
    EXPECT_EQ(info.code, want.code);
    EXPECT_EQ(info.json_type, want.json_type);
    EXPECT_EQ(info.query_code, want.query_code);
    EXPECT_EQ(info.http_status, want.http_status);
    EXPECT_EQ(info.fault, want.fault);
  }
}

TEST(ErrorCatalogTest, CodesAndShapesAreDistinct) {
  // SDKs map an error to an exception class by either; a duplicate would misroute one.
  std::set<std::string_view> query_codes, json_types;
  for (size_t i = 0; i < kErrorCodeCount; ++i) {
    const ErrorInfo& info = InfoOf(static_cast<ErrorCode>(i));
    EXPECT_TRUE(query_codes.insert(info.query_code).second) << info.query_code;
    EXPECT_TRUE(json_types.insert(info.json_type).second) << info.json_type;
  }
}

TEST(ErrorCatalogTest, DocumentedDefaultMessages) {
  EXPECT_EQ(InfoOf(ErrorCode::kQueueDoesNotExist).message, "The specified queue does not exist.");
  EXPECT_EQ(InfoOf(ErrorCode::kInvalidBatchEntryId).message,
            "A batch entry id can only contain alphanumeric characters, hyphens and underscores. "
            "It can be at most 80 letters long.");
  EXPECT_EQ(InfoOf(ErrorCode::kInvalidMessageContents).message,
            "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to "
            "#xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF");
  EXPECT_EQ(InfoOf(ErrorCode::kMissingAuthenticationToken).message,
            "Request is missing Authentication Token");
  EXPECT_EQ(InfoOf(ErrorCode::kSignatureDoesNotMatch).message,
            "The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method. Consult the service "
            "documentation for details.");
  EXPECT_EQ(InfoOf(ErrorCode::kQueueDeletedRecently).message,
            "You must wait 60 seconds after deleting a queue before you can create another with "
            "the same name.");
}

TEST(ApiErrorTest, ErrorHelper) {
  ApiError plain = Error(ErrorCode::kOverLimit);
  EXPECT_EQ(plain.code, ErrorCode::kOverLimit);
  EXPECT_TRUE(plain.message.empty());
  ApiError with = Error(ErrorCode::kMissingParameter, "The request must contain the parameter X.");
  EXPECT_EQ(with.code, ErrorCode::kMissingParameter);
  EXPECT_EQ(with.message, "The request must contain the parameter X.");

  ApiStatus status = Error(ErrorCode::kAccessDenied);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kAccessDenied);
  ApiResult<int> result = Error(ErrorCode::kInternalFailure, "boom");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().message, "boom");
}

}  // namespace
}  // namespace wharf::api
