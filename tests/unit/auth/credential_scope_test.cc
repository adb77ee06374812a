#include "auth/credential_scope.h"

#include <gtest/gtest.h>

#include <string>

namespace wharf::auth {
namespace {

using api::ErrorCode;

constexpr std::string_view kSignature =
    "8ea028b1d615618858d4835e003acdb339c0a3ee299882cb7998d4e97db5e5cc";

api::ApiError HeaderError(std::string_view header) {
  auto parsed = ParseAuthorizationHeader(header);
  EXPECT_FALSE(parsed.ok()) << header;
  if (parsed.ok()) return api::Error(ErrorCode::kInternalFailure, "parsed");
  return parsed.error();
}

api::ApiError ScopeError(std::string_view credential) {
  auto parsed = ParseCredentialScope(credential);
  EXPECT_FALSE(parsed.ok()) << credential;
  if (parsed.ok()) return api::Error(ErrorCode::kInternalFailure, "parsed");
  return parsed.error();
}

TEST(ParseCredentialScopeTest, ExtractsTheFiveElements) {
  auto scope = ParseCredentialScope("AKIAIOSFODNN7EXAMPLE/20250115/us-east-1/sqs/aws4_request");
  ASSERT_TRUE(scope.ok()) << scope.error().message;
  EXPECT_EQ(scope->access_key_id, "AKIAIOSFODNN7EXAMPLE");
  EXPECT_EQ(scope->date, "20250115");
  EXPECT_EQ(scope->region, "us-east-1");
  EXPECT_EQ(scope->service, "sqs");
  // Local set-ups use short ids (security.md §1.2).
  auto local = ParseCredentialScope("test/20250101/eu-west-2/sns/aws4_request");
  ASSERT_TRUE(local.ok());
  EXPECT_EQ(local->access_key_id, "test");
  EXPECT_EQ(local->region, "eu-west-2");
  EXPECT_EQ(local->service, "sns");
}

TEST(ParseCredentialScopeTest, WrongNumberOfElementsIsIncompleteSignature) {
  for (std::string_view credential :
       {"AKID/20250115/us-east-1/aws4_request", "AKID/20250115/us-east-1/sqs/aws4_request/extra",
        "AKID", "", "AKID/20250115/us-east-1/sqs/aws4_request/", "/AKID/20250115/us-east-1/sqs"}) {
    EXPECT_EQ(ScopeError(credential).code, ErrorCode::kIncompleteSignature) << credential;
  }
}

TEST(ParseCredentialScopeTest, EmptyAccessKeyIsIncompleteSignature) {
  EXPECT_EQ(ScopeError("/20250115/us-east-1/sqs/aws4_request").code,
            ErrorCode::kIncompleteSignature);
}

TEST(ParseCredentialScopeTest, BadTerminatorIsSignatureDoesNotMatch) {
  api::ApiError error = ScopeError("AKID/20250115/us-east-1/sqs/aws5_request");
  EXPECT_EQ(error.code, ErrorCode::kSignatureDoesNotMatch);
  EXPECT_EQ(error.message,
            "Credential should be scoped with a valid terminator: 'aws4_request', not "
            "'aws5_request'.");
  EXPECT_EQ(ScopeError("AKID/20250115/us-east-1/sqs/AWS4_REQUEST").code,
            ErrorCode::kSignatureDoesNotMatch);
  EXPECT_EQ(ScopeError("AKID/20250115/us-east-1/sqs/").code, ErrorCode::kSignatureDoesNotMatch);
}

TEST(ParseCredentialScopeTest, EmptyRegionIsSignatureDoesNotMatch) {
  api::ApiError error = ScopeError("AKID/20250115//sqs/aws4_request");
  EXPECT_EQ(error.code, ErrorCode::kSignatureDoesNotMatch);
  EXPECT_EQ(error.message, "Credential should be scoped to a valid region, not ''.");
}

TEST(ParseAuthorizationHeaderTest, BotocoreHeader) {
  // security.md §1.12 Example A, exactly as botocore and the JS SDK send it.
  auto info = ParseAuthorizationHeader(
      "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20250115/us-east-1/sqs/aws4_request, "
      "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
      "Signature=8ea028b1d615618858d4835e003acdb339c0a3ee299882cb7998d4e97db5e5cc");
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_EQ(info->scope.access_key_id, "AKIAIOSFODNN7EXAMPLE");
  EXPECT_EQ(info->scope.date, "20250115");
  EXPECT_EQ(info->scope.region, "us-east-1");
  EXPECT_EQ(info->scope.service, "sqs");
  EXPECT_EQ(info->signed_headers, "content-type;host;x-amz-date;x-amz-target");
  EXPECT_EQ(info->signature, kSignature);
}

TEST(ParseAuthorizationHeaderTest, CommaWithoutSpaceAndOtherOrders) {
  for (std::string_view header :
       {"AWS4-HMAC-SHA256 Credential=AKID/20250115/us-east-1/sqs/aws4_request,SignedHeaders=host;"
        "x-amz-date,Signature=abc123",
        "AWS4-HMAC-SHA256 Signature=abc123,  Credential=AKID/20250115/us-east-1/sqs/aws4_request ,"
        "\tSignedHeaders=host;x-amz-date",
        "  AWS4-HMAC-SHA256   SignedHeaders=host;x-amz-date, Signature=abc123, "
        "Credential=AKID/20250115/us-east-1/sqs/aws4_request  "}) {
    auto info = ParseAuthorizationHeader(header);
    ASSERT_TRUE(info.ok()) << header << ": " << info.error().message;
    EXPECT_EQ(info->scope.access_key_id, "AKID") << header;
    EXPECT_EQ(info->scope.region, "us-east-1") << header;
    EXPECT_EQ(info->signed_headers, "host;x-amz-date") << header;
    EXPECT_EQ(info->signature, "abc123") << header;
  }
}

TEST(ParseAuthorizationHeaderTest, MissingComponentsAreIncompleteSignature) {
  const std::string credential = "Credential=AKID/20250115/us-east-1/sqs/aws4_request";
  const std::string signed_headers = "SignedHeaders=host;x-amz-date";
  const std::string signature = "Signature=abc123";
  struct Case {
    std::string header;
    std::string_view missing;
  };
  const Case cases[] = {
      {"AWS4-HMAC-SHA256 " + signed_headers + ", " + signature, "Credential"},
      {"AWS4-HMAC-SHA256 " + credential + ", " + signature, "SignedHeaders"},
      {"AWS4-HMAC-SHA256 " + credential + ", " + signed_headers, "Signature"},
      {"AWS4-HMAC-SHA256 " + credential + ", " + signed_headers + ", Signature=", "Signature"},
      {"AWS4-HMAC-SHA256 Credential=, " + signed_headers + ", " + signature, "Credential"},
      {"AWS4-HMAC-SHA256", "Credential"},
      {"AWS4-HMAC-SHA256 ", "Credential"},
  };
  for (const Case& c : cases) {
    api::ApiError error = HeaderError(c.header);
    EXPECT_EQ(error.code, ErrorCode::kIncompleteSignature) << c.header;
    EXPECT_EQ(error.message,
              "Authorization header requires '" + std::string(c.missing) + "' parameter.")
        << c.header;
  }
}

TEST(ParseAuthorizationHeaderTest, WrongAlgorithmIsIncompleteSignature) {
  const std::string rest =
      " Credential=AKID/20250115/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=abc";
  for (std::string algorithm : {"AWS4-HMAC-SHA512", "AWS4-ECDSA-P256-SHA256", "AWS",
                                "aws4-hmac-sha256", "AWS4-HMAC-SHA2566", "AWS4-HMAC-SHA256,", ""}) {
    EXPECT_EQ(HeaderError(algorithm + rest).code, ErrorCode::kIncompleteSignature) << algorithm;
  }
  EXPECT_EQ(HeaderError("").code, ErrorCode::kIncompleteSignature);
  EXPECT_EQ(HeaderError("AWS AKID:signature").code, ErrorCode::kIncompleteSignature);
}

TEST(ParseAuthorizationHeaderTest, CredentialErrorsPropagate) {
  EXPECT_EQ(HeaderError("AWS4-HMAC-SHA256 Credential=AKID/20250115/us-east-1/aws4_request, "
                        "SignedHeaders=host, Signature=abc")
                .code,
            ErrorCode::kIncompleteSignature);
  EXPECT_EQ(HeaderError("AWS4-HMAC-SHA256 Credential=AKID/20250115/us-east-1/sqs/x/aws4_request, "
                        "SignedHeaders=host, Signature=abc")
                .code,
            ErrorCode::kIncompleteSignature);
  EXPECT_EQ(HeaderError("AWS4-HMAC-SHA256 Credential=AKID/20250115/us-east-1/sqs/aws4_reqest, "
                        "SignedHeaders=host, Signature=abc")
                .code,
            ErrorCode::kSignatureDoesNotMatch);
}

}  // namespace
}  // namespace wharf::auth
