// Sends by a service principal (sns-fanout.md §7.1): only the queue policy can admit
// sns.amazonaws.com, also within one account, for the source the policy names; a refused or
// unfit message is final, a storage failure is worth retrying.

#include "sqs/service_delivery.h"

#include <gtest/gtest.h>

#include "sqs_test_support.h"

namespace wharf::sqs {
namespace {

using testing::SqsServiceTest;

constexpr char kTopic[] = "arn:aws:sns:us-east-1:000000000000:orders";

ServiceMessage FromTopic(std::string body, std::string topic = kTopic,
                         std::string account = "000000000000") {
  ServiceMessage m;
  m.service = "sns.amazonaws.com";
  m.source_arn = std::move(topic);
  m.source_account = std::move(account);
  m.sender_id = "AIDAIT2UOQQY3AUEKVGXU";
  m.body = std::move(body);
  return m;
}

std::string Policy(const std::string& statement) {
  return R"({"Version":"2012-10-17","Statement":[)" + statement + "]}";
}

class ServiceDeliveryTest : public SqsServiceTest {
 protected:
  api::ApiResult<SendResult> Deliver(const std::string& queue, ServiceMessage m) {
    std::optional<api::ApiResult<SendResult>> result;
    SendAsService(service_, "arn:aws:sqs:us-east-1:000000000000:" + queue, std::move(m),
                  [&result](api::ApiResult<SendResult> r) { result = std::move(r); });
    EXPECT_TRUE(result) << "a memory store answers at once";
    return result ? std::move(*result) : api::Error(api::ErrorCode::kInternalFailure);
  }
  std::string QueueWithPolicy(const std::string& name, const std::string& statement) {
    return CreateQueue(name, {{"Policy", Policy(statement)}});
  }
};

TEST_F(ServiceDeliveryTest, WithoutAQueuePolicyNothingGetsIn) {
  const std::string url = CreateQueue("plain");
  auto r = Deliver("plain", FromTopic("x"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, api::ErrorCode::kAccessDenied);
  EXPECT_FALSE(IsRetryableDeliveryError(r.error()));
  EXPECT_TRUE(Receive(a::ReceiveMessageInput{url, {}, {}, {}, 10, {}, {}, {}}).empty());
}

TEST_F(ServiceDeliveryTest, TheServicePrincipalForTheNamedSourceGetsIn) {
  const std::string url = QueueWithPolicy(
      "q",
      R"({"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage",)"
      R"("Resource":"arn:aws:sqs:us-east-1:000000000000:q","Condition":{"ArnEquals":)"
      R"({"aws:SourceArn":"arn:aws:sns:us-east-1:000000000000:orders"}}})");
  auto ok = Deliver("q", FromTopic("hello"));
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  auto other = Deliver("q", FromTopic("x", "arn:aws:sns:us-east-1:000000000000:other"));
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, api::ErrorCode::kAccessDenied);
  auto got = Receive(a::ReceiveMessageInput{url, {"All"}, {}, {}, 10, {}, {}, {}});
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].body, "hello");
  EXPECT_EQ(*testing::FindPair(got[0].attributes, "SenderId"), "AIDAIT2UOQQY3AUEKVGXU");
}

TEST_F(ServiceDeliveryTest, AnyonePrincipalWithSourceAccountAndTransportGuards) {
  QueueWithPolicy("q",
                  R"({"Effect":"Allow","Principal":"*","Action":"sqs:SendMessage","Resource":"*",)"
                  R"("Condition":{"StringEquals":{"aws:SourceAccount":"000000000000"}}},)"
                  R"({"Effect":"Deny","Principal":"*","Action":"sqs:*","Resource":"*",)"
                  R"("Condition":{"Bool":{"aws:SecureTransport":"false"}}})");
  // A service always "uses TLS", so the usual HTTPS-only guard does not block it.
  EXPECT_TRUE(Deliver("q", FromTopic("x")).ok());
  auto foreign =
      Deliver("q", FromTopic("x", "arn:aws:sns:us-east-1:111122223333:t", "111122223333"));
  ASSERT_FALSE(foreign.ok());
  EXPECT_EQ(foreign.error().code, api::ErrorCode::kAccessDenied);
}

TEST_F(ServiceDeliveryTest, AMissingQueueOrAnUnfitMessageIsFinal) {
  auto missing = Deliver("nope", FromTopic("x"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, api::ErrorCode::kQueueDoesNotExist);
  EXPECT_FALSE(IsRetryableDeliveryError(missing.error()));
  CreateQueue("small", {{"MaximumMessageSize", "1024"},
                        {"Policy", Policy(R"({"Effect":"Allow","Principal":"*",)"
                                          R"("Action":"sqs:SendMessage","Resource":"*"})")}});
  auto big = Deliver("small", FromTopic(std::string(2000, 'x')));
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().code, api::ErrorCode::kInvalidParameterValue);
  EXPECT_FALSE(IsRetryableDeliveryError(big.error()));
  EXPECT_TRUE(IsRetryableDeliveryError(api::Error(api::ErrorCode::kServiceUnavailable)));
  EXPECT_TRUE(IsRetryableDeliveryError(api::Error(api::ErrorCode::kInternalFailure)));
}

// The policy and the send rules are read outside the queue's lock, from a copy the queue
// replaces on every attribute change: a change applies to the very next send.
TEST_F(ServiceDeliveryTest, AnAttributeChangeAppliesToTheNextSend) {
  const std::string url = CreateQueue("changing");
  auto before = Deliver("changing", FromTopic("x"));
  ASSERT_FALSE(before.ok());
  EXPECT_EQ(before.error().code, api::ErrorCode::kAccessDenied);

  auto allowed = Run(&sqs::SetQueueAttributes,
                     a::SetQueueAttributesInput{
                         url,
                         {{"Policy", Policy(R"({"Effect":"Allow","Principal":"*",)"
                                            R"("Action":"sqs:SendMessage","Resource":"*"})")}}});
  ASSERT_TRUE(allowed.ok()) << allowed.error().message;
  EXPECT_TRUE(Deliver("changing", FromTopic(std::string(2000, 'x'))).ok());

  auto smaller = Run(&sqs::SetQueueAttributes,
                     a::SetQueueAttributesInput{url, {{"MaximumMessageSize", "1024"}}});
  ASSERT_TRUE(smaller.ok()) << smaller.error().message;
  auto big = Deliver("changing", FromTopic(std::string(2000, 'x')));
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().code, api::ErrorCode::kInvalidParameterValue);
  EXPECT_TRUE(Deliver("changing", FromTopic("small")).ok()) << "the policy stays";
}

TEST_F(ServiceDeliveryTest, FifoQueuesGetTheGroupAndDeduplicationIds) {
  const std::string url = CreateQueue(
      "f.fifo",
      {{"FifoQueue", "true"},
       {"Policy", Policy(R"({"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},)"
                         R"("Action":"sqs:SendMessage","Resource":"*"})")}});
  ServiceMessage m = FromTopic("a");
  m.group_id = "g";
  m.deduplication_id = "d1";
  auto first = Deliver("f.fifo", m);
  ASSERT_TRUE(first.ok()) << first.error().message;
  auto repeat = Deliver("f.fifo", m);
  ASSERT_TRUE(repeat.ok());
  EXPECT_TRUE(repeat->duplicate) << "the same deduplication id within 5 minutes";
  EXPECT_EQ(repeat->message_id, first->message_id);
  ServiceMessage no_group = FromTopic("b");
  auto refused = Deliver("f.fifo", no_group);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, api::ErrorCode::kMissingParameter);
}

}  // namespace
}  // namespace wharf::sqs
