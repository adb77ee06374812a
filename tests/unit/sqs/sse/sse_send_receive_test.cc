// SSE-KMS on SendMessage, SendMessageBatch and ReceiveMessage (security.md §4.2, §4.3), with a
// fake key service: bodies are stored sealed and come back in clear, one GenerateDataKey per
// producer per reuse period and one Decrypt per consumer per data key and period, every KMS
// refusal is the right Kms* error, and a receive that fails leaves its messages where they were.

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/hashing.h"
#include "sqs/sse/body_envelope.h"
#include "sse_test_support.h"

namespace wharf::sqs::testing {
namespace {

using api::ErrorCode;

std::string Md5Hex(const std::string& s) { return HexLower(Md5Of(s)); }

std::vector<std::string> Bodies(const api::ApiResult<a::ReceiveMessageOutput>& r) {
  std::vector<std::string> out;
  if (!r.ok()) return out;
  for (const a::Message& m : r->messages) out.push_back(m.body);
  return out;
}

std::string SystemAttribute(const a::Message& m, const std::string& name) {
  const std::string* v = FindPair(m.attributes, name);
  return v ? *v : "<absent>";
}

class SseSendReceiveTest : public SseTest {};

TEST_F(SseSendReceiveTest, BodiesAreStoredSealedAndReceivedInClear) {
  const std::string url = CreateSseQueue("orders");
  const std::string body = "{\"order\":42}";
  auto sent = TrySend(url, body);
  ASSERT_TRUE(sent.ok()) << sent.error().message;
  EXPECT_EQ(sent->md5_of_message_body, Md5Hex(body)) << "MD5 of the plaintext";

  std::vector<ReceivedMessage> raw = RawReceive("orders", /*visibility=*/0);
  ASSERT_EQ(raw.size(), 1u);
  const MessageContent& stored = *raw[0].content;
  EXPECT_NE(stored.data_key_id, 0u);
  EXPECT_EQ(stored.body.size(), body.size() + kBodyEnvelopeOverhead);
  EXPECT_EQ(stored.body.find("order"), std::string::npos);
  EXPECT_EQ(stored.md5_of_body, Md5Hex(body));
  ASSERT_TRUE(raw[0].data_key);
  EXPECT_EQ(raw[0].data_key->key_arn, kOrdersKeyArn);
  EXPECT_EQ(raw[0].data_key->id, stored.data_key_id);

  auto received = TryReceive(url);
  ASSERT_TRUE(received.ok()) << received.error().message;
  ASSERT_EQ(received->messages.size(), 1u);
  const a::Message& m = received->messages[0];
  EXPECT_EQ(m.body, body);
  EXPECT_EQ(m.md5_of_body, Md5Hex(body));
  EXPECT_EQ(m.message_id, sent->message_id);
}

TEST_F(SseSendReceiveTest, KmsIsCalledThroughSqsInTheQueueOwnersAccountWithTheQueueContext) {
  const std::string url = CreateSseQueue("orders");
  ASSERT_TRUE(TrySend(url, "a").ok());
  ASSERT_TRUE(TryReceive(url).ok());
  const auto calls = keys_.calls();
  ASSERT_EQ(calls.size(), 2u);
  const kms::EncryptionContext expected{{"aws:sqs:arn", QueueArnOf("orders")}};
  EXPECT_TRUE(calls[0].generate);
  EXPECT_EQ(calls[0].key_ref, "alias/orders") << "the key as configured, alias and all";
  EXPECT_FALSE(calls[1].generate);
  for (const auto& call : calls) {
    EXPECT_TRUE(call.has_request) << "for the caller, not the server";
    EXPECT_EQ(call.access_key_id, "test");
    EXPECT_EQ(call.via_service, "sqs");
    EXPECT_EQ(call.key_account, kAccount);
    EXPECT_EQ(call.context, expected);
  }
}

TEST_F(SseSendReceiveTest, BatchEntriesAreSealedWithOneDataKeyAndLimitsApplyToThePlaintext) {
  const std::string url =
      CreateSseQueue("orders", "alias/orders", {{"MaximumMessageSize", "1024"}});
  a::SendMessageBatchInput in;
  in.queue_url = url;
  for (int i = 0; i < 3; ++i) {
    a::SendMessageBatchRequestEntry e;
    e.id = "e" + std::to_string(i);
    e.message_body = std::string(1024, static_cast<char>('a' + i));  // exactly the limit
    in.entries.push_back(std::move(e));
  }
  auto out = Run(&sqs::SendMessageBatch, std::move(in));
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->successful.size(), 3u) << "sealing adds 28 bytes, which the limit ignores";
  EXPECT_TRUE(out->failed.empty());
  EXPECT_EQ(keys_.generate_calls(), 1);
  std::set<uint64_t> data_keys;
  for (const ReceivedMessage& r : RawReceive("orders")) data_keys.insert(r.content->data_key_id);
  EXPECT_EQ(data_keys.size(), 1u);
}

TEST_F(SseSendReceiveTest, OneDataKeyPerProducerPerReusePeriod) {
  const std::string url =
      CreateSseQueue("orders", "alias/orders", {{"KmsDataKeyReusePeriodSeconds", "60"}});
  ActAsUser("AKIAALICE", "alice");
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(TrySend(url, "alice " + std::to_string(i)).ok());
  EXPECT_EQ(keys_.generate_calls(), 1);
  ActAsUser("AKIABOB", "bob");
  ASSERT_TRUE(TrySend(url, "bob").ok());
  EXPECT_EQ(keys_.generate_calls(), 2) << "another principal gets its own data key";
  ActAsUser("AKIAALICE2", "alice");  // a second access key of the same user
  ASSERT_TRUE(TrySend(url, "alice again").ok());
  EXPECT_EQ(keys_.generate_calls(), 2) << "the cache is per principal, not per access key";

  clock_.Advance(Seconds(59));
  ASSERT_TRUE(TrySend(url, "still cached").ok());
  EXPECT_EQ(keys_.generate_calls(), 2);
  clock_.Advance(Seconds(1));
  ASSERT_TRUE(TrySend(url, "expired").ok());
  EXPECT_EQ(keys_.generate_calls(), 3) << "a new data key once the reuse period is over";

  std::set<uint64_t> data_keys;
  for (const ReceivedMessage& r : RawReceive("orders")) data_keys.insert(r.content->data_key_id);
  EXPECT_EQ(data_keys.size(), 3u);
}

TEST_F(SseSendReceiveTest, SessionsOfOneRoleShareADataKeyUnlessTheyCarrySessionPolicies) {
  const std::string url = CreateSseQueue("orders");
  ActAsRoleSession("ASIAONE", "producer", "one");
  ASSERT_TRUE(TrySend(url, "1").ok());
  ActAsRoleSession("ASIATWO", "producer", "two");
  ASSERT_TRUE(TrySend(url, "2").ok());
  EXPECT_EQ(keys_.generate_calls(), 1) << "varying only RoleSessionName is the same requester";
  ActAsRoleSession("ASIATHREE", "producer", "three", /*with_session_policy=*/true);
  ASSERT_TRUE(TrySend(url, "3").ok());
  EXPECT_EQ(keys_.generate_calls(), 2) << "a narrower session must not reuse a wider one's key";
  ActAsRoleSession("ASIAFOUR", "other-role", "one");
  ASSERT_TRUE(TrySend(url, "4").ok());
  EXPECT_EQ(keys_.generate_calls(), 3);
}

TEST_F(SseSendReceiveTest, OneDecryptPerConsumerPerDataKeyAndPeriod) {
  const std::string url = CreateSseQueue("orders");
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(TrySend(url, std::to_string(i)).ok());
  ActAsUser("AKIACAROL", "carol");
  auto first = TryReceive(url, 2, /*visibility=*/0);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first->messages.size(), 2u);
  auto second = TryReceive(url, 10, /*visibility=*/0);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(keys_.decrypt_calls(), 1) << "one data key, one consumer";
  ActAsUser("AKIADAVE", "dave");
  ASSERT_TRUE(TryReceive(url, 10, 0).ok());
  EXPECT_EQ(keys_.decrypt_calls(), 2) << "another consumer decrypts for itself";
  clock_.Advance(Seconds(300));
  ASSERT_TRUE(TryReceive(url, 10, 0).ok());
  EXPECT_EQ(keys_.decrypt_calls(), 3) << "after the reuse period KMS is asked again";
}

struct FailureCase {
  kms::KmsFailure failure;
  ErrorCode code;
  int http_status;
};

TEST_F(SseSendReceiveTest, EveryKmsFailureIsTheMatchingKmsErrorOnSend) {
  const FailureCase cases[] = {
      {kms::KmsFailure::kAccessDenied, ErrorCode::kKmsAccessDenied, 400},
      {kms::KmsFailure::kDisabled, ErrorCode::kKmsDisabled, 400},
      {kms::KmsFailure::kNotFound, ErrorCode::kKmsNotFound, 400},
      {kms::KmsFailure::kInvalidState, ErrorCode::kKmsInvalidState, 400},
      {kms::KmsFailure::kInvalidKeyUsage, ErrorCode::kKmsInvalidKeyUsage, 400},
      {kms::KmsFailure::kThrottled, ErrorCode::kKmsThrottled, 400},
      {kms::KmsFailure::kInvalidCiphertext, ErrorCode::kInternalFailure, 500},
  };
  const std::string url = CreateSseQueue("orders");
  for (const FailureCase& c : cases) {
    keys_.FailAll(c.failure);
    auto sent = TrySend(url, "x");
    ExpectApiError(sent, c.code, c.http_status);
    if (c.code != ErrorCode::kInternalFailure) {
      EXPECT_EQ(sent.error().message, "injected failure") << "KMS's own message";
    } else {
      EXPECT_EQ(sent.error().message.find("injected"), std::string::npos) << "no internals";
    }
  }
  EXPECT_EQ(Counts(url), std::make_tuple("0", "0", "0")) << "nothing was sent";
}

TEST_F(SseSendReceiveTest, TheWireCodesOfTheKmsErrors) {
  EXPECT_EQ(api::InfoOf(ErrorCode::kKmsAccessDenied).query_code, "KMS.AccessDeniedException");
  EXPECT_EQ(api::InfoOf(ErrorCode::kKmsDisabled).query_code, "KMS.DisabledException");
  EXPECT_EQ(api::InfoOf(ErrorCode::kKmsOptInRequired).http_status, 403);
  auto error = KmsErrorOf(kms::KmsError{kms::KmsFailure::kNotFound, ""});
  EXPECT_EQ(error.code, ErrorCode::kKmsNotFound);
  EXPECT_FALSE(error.message.empty()) << "never an empty message";
}

TEST_F(SseSendReceiveTest, AProducerWithoutGenerateDataKeyIsDeniedAndNothingIsSent) {
  const std::string url = CreateSseQueue("orders");
  ActAsUser("AKIAMALLORY", "mallory");
  keys_.DenyGenerate("AKIAMALLORY");
  auto sent = TrySend(url, "x");
  ExpectApiError(sent, ErrorCode::kKmsAccessDenied, 400);
  EXPECT_NE(sent.error().message.find("kms:GenerateDataKey"), std::string::npos);

  a::SendMessageBatchInput in;
  in.queue_url = url;
  for (const char* id : {"a", "b"}) {
    a::SendMessageBatchRequestEntry e;
    e.id = id;
    e.message_body = "body";
    in.entries.push_back(std::move(e));
  }
  auto batch = Run(&sqs::SendMessageBatch, std::move(in));
  ExpectApiError(batch, ErrorCode::kKmsAccessDenied, 400);
  EXPECT_EQ(Counts(url), std::make_tuple("0", "0", "0"));
}

TEST_F(SseSendReceiveTest, AFailedReceiveLeavesItsMessagesVisibleWithTheirReceiveCounts) {
  const std::string url = CreateSseQueue("orders");
  ASSERT_TRUE(TrySend(url, "one").ok());
  ASSERT_TRUE(TrySend(url, "two").ok());
  ActAsUser("AKIAEVE", "eve");
  keys_.DenyDecrypt("AKIAEVE");
  auto denied = TryReceive(url);
  ExpectApiError(denied, ErrorCode::kKmsAccessDenied, 400);
  EXPECT_NE(denied.error().message.find("kms:Decrypt"), std::string::npos);
  EXPECT_EQ(Counts(url), std::make_tuple("2", "0", "0")) << "still visible";

  ActAsUser("AKIACAROL", "carol");
  auto received = TryReceive(url);
  ASSERT_TRUE(received.ok()) << received.error().message;
  ASSERT_EQ(received->messages.size(), 2u);
  for (const a::Message& m : received->messages) {
    EXPECT_EQ(SystemAttribute(m, "ApproximateReceiveCount"), "1") << "the failure did not count";
  }
}

// Wharf.PeekMessages (docs/console.md) opens sealed bodies for its caller as a receive does: one
// who may not kms:Decrypt gets the KMS error and sees nothing, and neither peek changes a thing.
TEST_F(SseSendReceiveTest, PeekOpensBodiesForTheCallerOnlyIfItMayDecrypt) {
  const std::string url = CreateSseQueue("orders");
  ASSERT_TRUE(TrySend(url, "sealed one").ok());
  ActAsUser("AKIAEVE", "eve");
  keys_.DenyDecrypt("AKIAEVE");
  auto denied = Run(&sqs::PeekMessages, a::PeekMessagesInput{url, std::nullopt});
  ExpectApiError(denied, ErrorCode::kKmsAccessDenied, 400);

  ActAsUser("AKIACAROL", "carol");
  auto peeked = Run(&sqs::PeekMessages, a::PeekMessagesInput{url, std::nullopt});
  ASSERT_TRUE(peeked.ok()) << peeked.error().message;
  ASSERT_EQ(peeked->messages.size(), 1u);
  EXPECT_EQ(peeked->messages[0].body, "sealed one");
  EXPECT_EQ(peeked->messages[0].md5_of_body, Md5Hex("sealed one"));
  EXPECT_EQ(Counts(url), std::make_tuple("1", "0", "0"));
  auto received = TryReceive(url);
  ASSERT_TRUE(received.ok()) << received.error().message;
  ASSERT_EQ(received->messages.size(), 1u);
  EXPECT_EQ(SystemAttribute(received->messages[0], "ApproximateReceiveCount"), "1");
}

TEST_F(SseSendReceiveTest, AFailedFifoReceiveUnblocksTheGroup) {
  const std::string url = CreateQueue("orders.fifo", {{"FifoQueue", "true"},
                                                      {"ContentBasedDeduplication", "true"},
                                                      {"KmsMasterKeyId", "alias/orders"}});
  for (const char* body : {"first", "second"}) {
    a::SendMessageInput in;
    in.queue_url = url;
    in.message_body = body;
    in.message_group_id = "g";
    ASSERT_TRUE(Run(&sqs::SendMessage, std::move(in)).ok());
  }
  keys_.FailAll(kms::KmsFailure::kThrottled);
  ExpectApiError(TryReceive(url), ErrorCode::kKmsThrottled, 400);
  keys_.FailAll(std::nullopt);
  auto received = TryReceive(url);
  ASSERT_TRUE(received.ok()) << received.error().message;
  EXPECT_EQ(Bodies(received), (std::vector<std::string>{"first", "second"})) << "in order";
}

TEST_F(SseSendReceiveTest, DisableAdvanceEnableLosesNothing) {
  const std::string url = CreateSseQueue("orders");
  ASSERT_TRUE(TrySend(url, "before").ok());
  ASSERT_TRUE(TryReceive(url, 10, /*visibility=*/0).ok());  // the consumer's key is cached
  keys_.SetEnabled(kOrdersKeyArn, false);

  // Within the reuse period the cached data keys still serve (AWS behaves the same).
  ASSERT_TRUE(TrySend(url, "while cached").ok());
  auto cached = TryReceive(url, 10, 0);
  ASSERT_TRUE(cached.ok()) << cached.error().message;
  EXPECT_EQ(cached->messages.size(), 2u);

  clock_.Advance(Seconds(301));
  ExpectApiError(TrySend(url, "refused"), ErrorCode::kKmsDisabled, 400,
                 std::string(kOrdersKeyArn) + " is disabled.");
  ExpectApiError(TryReceive(url), ErrorCode::kKmsDisabled, 400);
  EXPECT_EQ(Counts(url), std::make_tuple("2", "0", "0"));

  keys_.SetEnabled(kOrdersKeyArn, true);
  auto after = TryReceive(url);
  ASSERT_TRUE(after.ok()) << after.error().message;
  std::vector<std::string> bodies = Bodies(after);
  std::sort(bodies.begin(), bodies.end());
  EXPECT_EQ(bodies, (std::vector<std::string>{"before", "while cached"}));
}

TEST_F(SseSendReceiveTest, MessagesKeepTheProtectionTheyWereSentWith) {
  const std::string url = CreateQueue("orders");
  ASSERT_TRUE(TrySend(url, "clear").ok());
  auto on = Run(&sqs::SetQueueAttributes,
                a::SetQueueAttributesInput{url, {{"KmsMasterKeyId", "alias/orders"}}});
  ASSERT_TRUE(on.ok());
  ASSERT_TRUE(TrySend(url, "sealed").ok());
  auto off =
      Run(&sqs::SetQueueAttributes, a::SetQueueAttributesInput{url, {{"KmsMasterKeyId", ""}}});
  ASSERT_TRUE(off.ok());
  ASSERT_TRUE(TrySend(url, "clear again").ok());

  std::map<std::string, bool> sealed;
  for (const ReceivedMessage& r : RawReceive("orders", 0)) {
    sealed[r.content->message_id] = r.content->data_key_id != 0;
  }
  EXPECT_EQ(std::count_if(sealed.begin(), sealed.end(), [](auto& e) { return e.second; }), 1);

  auto received = TryReceive(url);
  ASSERT_TRUE(received.ok()) << received.error().message;
  std::vector<std::string> bodies = Bodies(received);
  std::sort(bodies.begin(), bodies.end());
  EXPECT_EQ(bodies, (std::vector<std::string>{"clear", "clear again", "sealed"}))
      << "the sealed one still opens after SSE-KMS was turned off";
}

TEST_F(SseSendReceiveTest, AQueueWithoutSseKmsNeverCallsKms) {
  const std::string url = CreateQueue("plain");
  ASSERT_TRUE(TrySend(url, "x").ok());
  ASSERT_TRUE(TryReceive(url).ok());
  EXPECT_TRUE(keys_.calls().empty());
  // The data-key table is the engine's: reached through the concrete queue.
  EXPECT_TRUE(std::dynamic_pointer_cast<Queue>(QueueNamed("plain"))->data_keys().empty());
}

TEST_F(SseSendReceiveTest, AnUnknownKeyIsReportedAtSendTimeNotWhenSet) {
  const std::string url = CreateSseQueue("orders", "testKeyId");
  ExpectApiError(TrySend(url, "x"), ErrorCode::kKmsNotFound, 400, "Invalid keyId 'testKeyId'");
}

class SseWithoutKeyServiceTest : public SqsServiceTest {};

TEST_F(SseWithoutKeyServiceTest, SendToAnSseKmsQueueIsKmsNotFoundWithAClearMessage) {
  const std::string url = CreateQueue("orders", {{"KmsMasterKeyId", "alias/orders"}});
  a::SendMessageInput in;
  in.queue_url = url;
  in.message_body = "x";
  auto sent = Run(&sqs::SendMessage, std::move(in));
  ExpectApiError(sent, ErrorCode::kKmsNotFound, 400);
  EXPECT_NE(sent.error().message.find("no key service"), std::string::npos) << sent.error().message;
  EXPECT_NE(sent.error().message.find("alias/orders"), std::string::npos);
}

}  // namespace
}  // namespace wharf::sqs::testing
