// Deliveries by a service principal (SNS, sns-fanout.md §7) into SSE-KMS queues: the body is
// sealed under a data key the service itself gets from KMS, so the key policy must let the
// service use the key; a refusal is the SQS Kms* error, final (the subscription's DLQ takes it).

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "common/hashing.h"
#include "sqs/service_delivery.h"
#include "sqs/sse/body_envelope.h"
#include "sse_test_support.h"

namespace wharf::sqs::testing {
namespace {

using api::ErrorCode;

std::string Md5Hex(const std::string& s) { return HexLower(Md5Of(s)); }

constexpr char kTopic[] = "arn:aws:sns:us-east-1:000000000000:orders";
constexpr char kSns[] = "sns.amazonaws.com";

class SseServiceDeliveryTest : public SseTest {
 protected:
  // An SSE-KMS queue whose policy admits deliveries from kTopic.
  std::string CreateSubscribedQueue(const std::string& name) {
    const std::string policy =
        R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":")" +
        std::string(kSns) + R"("},"Action":"sqs:SendMessage","Resource":")" + QueueArnOf(name) +
        R"(","Condition":{"ArnEquals":{"aws:SourceArn":")" + kTopic + R"("}}}]})";
    return CreateSseQueue(name, "alias/orders", {{"Policy", policy}});
  }

  api::ApiResult<SendResult> Deliver(const std::string& queue, std::string body) {
    ServiceMessage m;
    m.service = kSns;
    m.source_arn = kTopic;
    m.source_account = kAccount;
    m.sender_id = "AIDAIT2UOQQY3AUEKVGXU";
    m.body = std::move(body);
    std::optional<api::ApiResult<SendResult>> result;
    SendAsService(service_, QueueArnOf(queue), std::move(m),
                  [&result](api::ApiResult<SendResult> r) { result = std::move(r); });
    EXPECT_TRUE(result) << "a memory store answers at once";
    return result ? std::move(*result) : api::Error(ErrorCode::kInternalFailure);
  }
};

TEST_F(SseServiceDeliveryTest, TheServiceSealsTheBodyUnderItsOwnDataKey) {
  const std::string url = CreateSubscribedQueue("encrypted");
  const std::string body = R"({"Type":"Notification","Message":"secret order 42"})";
  auto delivered = Deliver("encrypted", body);
  ASSERT_TRUE(delivered.ok()) << delivered.error().message;

  const auto calls = keys_.calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_TRUE(calls[0].generate);
  EXPECT_TRUE(calls[0].has_request) << "on the service's authority, not the server's";
  EXPECT_EQ(calls[0].access_key_id, kSns);
  EXPECT_EQ(calls[0].key_account, kAccount);

  std::vector<ReceivedMessage> raw = RawReceive("encrypted", /*visibility=*/0);
  ASSERT_EQ(raw.size(), 1u);
  EXPECT_NE(raw[0].content->data_key_id, 0u);
  EXPECT_EQ(raw[0].content->body.find("secret"), std::string::npos) << "stored sealed";
  EXPECT_EQ(raw[0].content->body.size(), body.size() + kBodyEnvelopeOverhead);

  auto received = TryReceive(url);
  ASSERT_TRUE(received.ok()) << received.error().message;
  ASSERT_EQ(received->messages.size(), 1u);
  EXPECT_EQ(received->messages[0].body, body);
  EXPECT_EQ(received->messages[0].md5_of_body, Md5Hex(body));
}

TEST_F(SseServiceDeliveryTest, AKeyPolicyWithoutTheServiceRefusesTheDeliveryForGood) {
  const std::string url = CreateSubscribedQueue("locked");
  keys_.DenyGenerate(kSns);
  auto delivered = Deliver("locked", "x");
  ASSERT_FALSE(delivered.ok());
  EXPECT_EQ(delivered.error().code, ErrorCode::kKmsAccessDenied);
  EXPECT_NE(delivered.error().message.find("kms:GenerateDataKey"), std::string::npos);
  EXPECT_FALSE(IsRetryableDeliveryError(delivered.error())) << "goes to the DLQ, not retried";
  EXPECT_EQ(Counts(url), std::make_tuple("0", "0", "0"));
}

TEST_F(SseServiceDeliveryTest, ADisabledKeyRefusesAndThrottlingIsRetried) {
  CreateSubscribedQueue("q");
  keys_.SetEnabled(kOrdersKeyArn, false);
  auto disabled = Deliver("q", "x");
  ASSERT_FALSE(disabled.ok());
  EXPECT_EQ(disabled.error().code, ErrorCode::kKmsDisabled);
  EXPECT_FALSE(IsRetryableDeliveryError(disabled.error()));
  keys_.SetEnabled(kOrdersKeyArn, true);
  keys_.FailAll(kms::KmsFailure::kThrottled);
  auto throttled = Deliver("q", "x");
  ASSERT_FALSE(throttled.ok());
  EXPECT_EQ(throttled.error().code, ErrorCode::kKmsThrottled);
  EXPECT_TRUE(IsRetryableDeliveryError(throttled.error()));
}

}  // namespace
}  // namespace wharf::sqs::testing
