// KMS on the wire (security.md §4.5): AWS JSON 1.1 routing by X-Amz-Target: TrentService.*,
// decoding of blobs, maps and tag lists, and KMS's plain error shapes with HTTP 400.

#include <gtest/gtest.h>

#include "api/kms/actions.h"
#include "protocol/protocol.h"

namespace wharf::kms {
namespace {

using protocol::Protocol;

Result<protocol::ParsedRequest, protocol::RouteError> Route(std::string target, std::string body) {
  static std::string kept_target, kept_body;
  kept_target = std::move(target);
  kept_body = std::move(body);
  protocol::RequestView view;
  view.method = "POST";
  view.path = "/";
  view.content_type = "application/x-amz-json-1.1";
  view.amz_target = kept_target;
  view.body = &kept_body;
  return protocol::Parse(view);
}

TEST(KmsWireTest, RoutesTrentServiceTargetsAsJson11) {
  auto parsed = Route("TrentService.GenerateDataKey",
                      R"({"KeyId":"alias/orders","KeySpec":"AES_256","EncryptionContext":)"
                      R"({"aws:sqs:arn":"arn:aws:sqs:us-east-1:123456789012:orders"}})");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->protocol(), Protocol::kJson11);
  EXPECT_EQ(parsed->action(), api::Action::kGenerateDataKey);
  EXPECT_EQ(parsed->service(), api::Service::kKms);
  api::kms::GenerateDataKeyInput in;
  ASSERT_TRUE(parsed->Decode(api::Shape::Of(in)).ok());
  EXPECT_EQ(in.key_id, "alias/orders");
  EXPECT_EQ(in.key_spec, "AES_256");
  ASSERT_EQ(in.encryption_context.size(), 1u);
  EXPECT_EQ(in.encryption_context[0].first, "aws:sqs:arn");
  EXPECT_EQ(protocol::GuessProtocol("TrentService.Encrypt"), Protocol::kJson11);
}

TEST(KmsWireTest, DecodesBlobsBooleansAndTags) {
  auto parsed = Route("TrentService.CreateKey",
                      R"({"Description":"d","BypassPolicyLockoutSafetyCheck":true,)"
                      R"("Tags":[{"TagKey":"team","TagValue":"core"}],"MultiRegion":false})");
  ASSERT_TRUE(parsed.ok());
  api::kms::CreateKeyInput create;
  ASSERT_TRUE(parsed->Decode(api::Shape::Of(create)).ok());
  EXPECT_TRUE(create.bypass_policy_lockout_safety_check);
  ASSERT_EQ(create.tags.size(), 1u);
  EXPECT_EQ(create.tags[0].tag_value, "core");

  auto encrypt = Route("TrentService.Encrypt", R"({"KeyId":"k","Plaintext":"aGVsbG8="})");
  api::kms::EncryptInput in;
  ASSERT_TRUE(encrypt->Decode(api::Shape::Of(in)).ok());
  EXPECT_EQ(in.plaintext, "hello");
  auto bad = Route("TrentService.Encrypt", R"({"KeyId":"k","Plaintext":"***"})");
  api::kms::EncryptInput bad_in;
  auto status = bad->Decode(api::Shape::Of(bad_in));
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, api::ErrorCode::kSerializationException);
}

TEST(KmsWireTest, UnknownOperationsAreJson11Errors) {
  auto unknown = Route("TrentService.Sign", "{}");
  ASSERT_FALSE(unknown.ok());
  auto encoded = protocol::EncodeRouteError(unknown.error(), "rid");
  EXPECT_EQ(encoded.status, 400);
  EXPECT_EQ(encoded.content_type, "application/x-amz-json-1.1");
  EXPECT_EQ(encoded.body, R"({"__type":"UnknownOperationException","message":"Unknown operation )"
                          R"(TrentService.Sign."})");
  EXPECT_FALSE(encoded.query_error) << "KMS has no query-compatible errors";
  EXPECT_FALSE(Route("TrentService.encrypt", "{}").ok()) << "names are case-sensitive";
}

TEST(KmsWireTest, ErrorsUseKmsNamesAndStatus400) {
  const auto encode = [](api::ErrorCode code, std::string message = {}) {
    return protocol::EncodeError(Protocol::kJson11, "rid", api::Error(code, std::move(message)),
                                 api::Service::kKms);
  };
  auto not_found = encode(api::ErrorCode::kNotFound, "Key 'arn' does not exist");
  EXPECT_EQ(not_found.status, 400);
  EXPECT_EQ(not_found.body,
            R"({"__type":"NotFoundException","message":"Key 'arn' does not exist"})");
  auto denied = encode(api::ErrorCode::kAccessDenied, "User: x is not authorized");
  EXPECT_EQ(denied.status, 400) << "AccessDeniedException is 400 in KMS";
  EXPECT_EQ(denied.body,
            R"({"__type":"AccessDeniedException","message":"User: x is not authorized"})");
  EXPECT_EQ(encode(api::ErrorCode::kInvalidCiphertext).body,
            R"({"__type":"InvalidCiphertextException","message":""})");
  EXPECT_EQ(encode(api::ErrorCode::kKmsInvalidStateException, "m").body,
            R"({"__type":"KMSInvalidStateException","message":"m"})");
  EXPECT_EQ(encode(api::ErrorCode::kValidationError, "v").body,
            R"({"__type":"ValidationException","message":"v"})");
  EXPECT_EQ(encode(api::ErrorCode::kMalformedPolicyDocument, "p").body,
            R"({"__type":"MalformedPolicyDocumentException","message":"p"})");
  auto internal = encode(api::ErrorCode::kInternalFailure);
  EXPECT_EQ(internal.status, 500);
  EXPECT_NE(internal.body.find(R"("__type":"KMSInternalException")"), std::string::npos);
  // Authentication errors under their JSON names (security.md §1.10).
  EXPECT_EQ(protocol::KmsErrorType(api::ErrorCode::kInvalidClientTokenId),
            "UnrecognizedClientException");
  EXPECT_EQ(protocol::KmsErrorType(api::ErrorCode::kSignatureDoesNotMatch),
            "InvalidSignatureException");
  EXPECT_EQ(protocol::KmsErrorType(api::ErrorCode::kMissingAuthenticationToken),
            "MissingAuthenticationTokenException");
  EXPECT_EQ(protocol::KmsErrorType(api::ErrorCode::kExpiredToken), "ExpiredTokenException");
  EXPECT_EQ(encode(api::ErrorCode::kInvalidClientTokenId).status, 400);
  // Every code has a name without a namespace.
  for (size_t i = 0; i < api::kErrorCodeCount; ++i) {
    const std::string_view type = protocol::KmsErrorType(static_cast<api::ErrorCode>(i));
    EXPECT_FALSE(type.empty()) << i;
    EXPECT_EQ(type.find('#'), std::string_view::npos) << type;
  }
}

TEST(KmsWireTest, EncodesKeyMetadataAndEmptyLists) {
  api::kms::KeyMetadataOutput out;
  out.key_metadata.emplace();
  api::kms::KeyMetadata& m = *out.key_metadata;
  m.aws_account_id = "123456789012";
  m.key_id = "k";
  m.arn = "arn";
  m.creation_date = 1736942400;
  m.enabled = true;
  m.key_usage = "ENCRYPT_DECRYPT";
  m.key_state = "Enabled";
  m.origin = "AWS_KMS";
  m.key_manager = "CUSTOMER";
  m.customer_master_key_spec = "SYMMETRIC_DEFAULT";
  m.key_spec = "SYMMETRIC_DEFAULT";
  m.encryption_algorithms = {"SYMMETRIC_DEFAULT"};
  auto encoded = protocol::EncodeSuccess(Protocol::kJson11, api::Action::kDescribeKey, "rid",
                                         api::Shape::Of(out));
  EXPECT_EQ(encoded.status, 200);
  EXPECT_EQ(encoded.content_type, "application/x-amz-json-1.1");
  EXPECT_EQ(encoded.body,
            R"({"KeyMetadata":{"AWSAccountId":"123456789012","KeyId":"k","Arn":"arn",)"
            R"("CreationDate":1736942400,"Enabled":true,"Description":"",)"
            R"("KeyUsage":"ENCRYPT_DECRYPT","KeyState":"Enabled","Origin":"AWS_KMS",)"
            R"("KeyManager":"CUSTOMER","CustomerMasterKeySpec":"SYMMETRIC_DEFAULT",)"
            R"("KeySpec":"SYMMETRIC_DEFAULT","EncryptionAlgorithms":["SYMMETRIC_DEFAULT"],)"
            R"("MultiRegion":false}})");

  api::kms::ListKeysOutput empty;
  EXPECT_EQ(protocol::EncodeSuccess(Protocol::kJson11, api::Action::kListKeys, "rid",
                                    api::Shape::Of(empty))
                .body,
            R"({"Keys":[],"Truncated":false})");

  api::kms::EncryptOutput enc;
  enc.ciphertext_blob = std::string("\x01\x02", 2);
  enc.key_id = "arn";
  enc.encryption_algorithm = "SYMMETRIC_DEFAULT";
  EXPECT_EQ(
      protocol::EncodeSuccess(Protocol::kJson11, api::Action::kEncrypt, "rid", api::Shape::Of(enc))
          .body,
      R"({"CiphertextBlob":"AQI=","KeyId":"arn","EncryptionAlgorithm":"SYMMETRIC_DEFAULT"})");
}

}  // namespace
}  // namespace wharf::kms
