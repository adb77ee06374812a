// The SSE attributes through CreateQueue, SetQueueAttributes and GetQueueAttributes, as
// security.md §4.1 records AWS's behaviour: SSE-SQS by default, KmsMasterKeyId switching to
// SSE-KMS and echoed as given, "" leaving the queue unencrypted, the reuse period shown only
// with SSE-KMS, both modes at once refused with InvalidAttributeName, keys not validated when
// set.

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "sse_test_support.h"

namespace wharf::sqs::testing {
namespace {

using api::ErrorCode;

constexpr char kBothModesText[] =
    "You can use one type of server-side encryption (SSE) at one time. You can either enable KMS "
    "SSE or SQS SSE.";

class SseAttributesTest : public SseTest {
 protected:
  std::map<std::string, std::string> All(const std::string& url) {
    std::map<std::string, std::string> out;
    for (auto& [k, v] : Attributes(url)) out[k] = v;
    return out;
  }
  api::ApiResult<a::Empty> Set(const std::string& url, api::StringPairs attributes) {
    return Run(&sqs::SetQueueAttributes, a::SetQueueAttributesInput{url, std::move(attributes)});
  }
};

TEST_F(SseAttributesTest, ANewQueueIsSseSqsWithoutKmsAttributes) {
  const std::string url = CreateQueue("fresh");
  auto all = All(url);
  EXPECT_EQ(all["SqsManagedSseEnabled"], "true");
  EXPECT_EQ(all.count("KmsMasterKeyId"), 0u);
  EXPECT_EQ(all.count("KmsDataKeyReusePeriodSeconds"), 0u);
  EXPECT_EQ(Attribute(url, "KmsMasterKeyId"), "<absent>");
  EXPECT_EQ(Attribute(url, "KmsDataKeyReusePeriodSeconds"), "<absent>");
  EXPECT_EQ(Attribute(url, "SqsManagedSseEnabled"), "true");
}

TEST_F(SseAttributesTest, KmsMasterKeyIdSwitchesToSseKmsAndIsEchoedAsGiven) {
  for (const std::string& key :
       std::vector<std::string>{"alias/orders", "alias/aws/sqs", std::string(kOrdersKeyArn),
                                "11111111-1111-4111-8111-111111111111",
                                "arn:aws:kms:us-east-1:000000000000:alias/orders"}) {
    const std::string url =
        CreateQueue("q" + std::to_string(key.size()), {{"KmsMasterKeyId", key}});
    auto all = All(url);
    EXPECT_EQ(all["KmsMasterKeyId"], key);
    EXPECT_EQ(all["KmsDataKeyReusePeriodSeconds"], "300");
    EXPECT_EQ(all["SqsManagedSseEnabled"], "false");
    EXPECT_EQ(Attribute(url, "KmsMasterKeyId"), key);
  }
}

TEST_F(SseAttributesTest, SetQueueAttributesSwitchesBetweenTheModes) {
  const std::string url = CreateQueue("q");
  ASSERT_TRUE(
      Set(url, {{"KmsMasterKeyId", "alias/orders"}, {"KmsDataKeyReusePeriodSeconds", "86400"}})
          .ok());
  auto all = All(url);
  EXPECT_EQ(all["KmsMasterKeyId"], "alias/orders");
  EXPECT_EQ(all["KmsDataKeyReusePeriodSeconds"], "86400");
  EXPECT_EQ(all["SqsManagedSseEnabled"], "false");

  // "" turns SSE-KMS off and leaves the queue unencrypted: no fallback to SSE-SQS.
  ASSERT_TRUE(Set(url, {{"KmsMasterKeyId", ""}}).ok());
  all = All(url);
  EXPECT_EQ(all.count("KmsMasterKeyId"), 0u);
  EXPECT_EQ(all.count("KmsDataKeyReusePeriodSeconds"), 0u) << "only while SSE-KMS is on";
  EXPECT_EQ(all["SqsManagedSseEnabled"], "false");
  EXPECT_EQ(Attribute(url, "KmsDataKeyReusePeriodSeconds"), "<absent>");

  ASSERT_TRUE(Set(url, {{"SqsManagedSseEnabled", "true"}}).ok());
  EXPECT_EQ(Attribute(url, "SqsManagedSseEnabled"), "true");

  // From SSE-KMS straight to SSE-SQS.
  ASSERT_TRUE(Set(url, {{"KmsMasterKeyId", "alias/orders"}}).ok());
  ASSERT_TRUE(Set(url, {{"SqsManagedSseEnabled", "true"}}).ok());
  all = All(url);
  EXPECT_EQ(all["SqsManagedSseEnabled"], "true");
  EXPECT_EQ(all.count("KmsMasterKeyId"), 0u);

  // SqsManagedSseEnabled=false: unencrypted.
  ASSERT_TRUE(Set(url, {{"SqsManagedSseEnabled", "false"}}).ok());
  all = All(url);
  EXPECT_EQ(all["SqsManagedSseEnabled"], "false");
  EXPECT_EQ(all.count("KmsMasterKeyId"), 0u);
}

TEST_F(SseAttributesTest, AnEmptyKeyOnAnSseSqsQueueChangesNothing) {
  const std::string url = CreateQueue("q", {{"KmsMasterKeyId", ""}});
  EXPECT_EQ(Attribute(url, "SqsManagedSseEnabled"), "true");
  ASSERT_TRUE(Set(url, {{"KmsMasterKeyId", ""}}).ok());
  EXPECT_EQ(Attribute(url, "SqsManagedSseEnabled"), "true");
}

TEST_F(SseAttributesTest, BothModesAtOnceAreInvalidAttributeName) {
  for (const char* flag : {"true", "TRUE"}) {
    auto created =
        Run(&sqs::CreateQueue,
            a::CreateQueueInput{
                "both", {{"SqsManagedSseEnabled", flag}, {"KmsMasterKeyId", "alias/orders"}}, {}});
    ExpectApiError(created, ErrorCode::kInvalidAttributeName, 400, kBothModesText);
  }
  EXPECT_FALSE(QueueNamed("both")) << "not created";
  const std::string url = CreateSseQueue("q");
  ExpectApiError(Set(url, {{"KmsMasterKeyId", "alias/dlq"}, {"SqsManagedSseEnabled", "true"}}),
                 ErrorCode::kInvalidAttributeName, 400, kBothModesText);
  EXPECT_EQ(Attribute(url, "KmsMasterKeyId"), "alias/orders") << "unchanged";
  // With SSE-SQS turned off, a key is fine.
  ASSERT_TRUE(Set(url, {{"KmsMasterKeyId", "alias/dlq"}, {"SqsManagedSseEnabled", "false"}}).ok());
  EXPECT_EQ(Attribute(url, "KmsMasterKeyId"), "alias/dlq");
}

TEST_F(SseAttributesTest, TheReusePeriodIsSixtyTo86400Seconds) {
  const std::string url = CreateSseQueue("q");
  for (const char* ok : {"60", "86400", "300"}) {
    ASSERT_TRUE(Set(url, {{"KmsDataKeyReusePeriodSeconds", ok}}).ok()) << ok;
    EXPECT_EQ(Attribute(url, "KmsDataKeyReusePeriodSeconds"), ok);
  }
  for (const char* bad : {"59", "86401", "0", "-1", "abc", ""}) {
    ExpectApiError(Set(url, {{"KmsDataKeyReusePeriodSeconds", bad}}),
                   ErrorCode::kInvalidAttributeValue, 400,
                   "Invalid value for the parameter KmsDataKeyReusePeriodSeconds.");
    auto created =
        Run(&sqs::CreateQueue, a::CreateQueueInput{"bad",
                                                   {{"KmsMasterKeyId", "alias/orders"},
                                                    {"KmsDataKeyReusePeriodSeconds", bad}},
                                                   {}});
    ExpectApiError(created, ErrorCode::kInvalidAttributeValue, 400);
  }
}

TEST_F(SseAttributesTest, KeysAreNotValidatedWhenSetButWhenUsed) {
  const std::string url = CreateQueue("q");
  ASSERT_TRUE(Set(url, {{"KmsMasterKeyId", "testKeyId"}}).ok());
  EXPECT_EQ(Attribute(url, "KmsMasterKeyId"), "testKeyId");
  EXPECT_EQ(keys_.generate_calls(), 0) << "SetQueueAttributes does not ask KMS";
  ExpectApiError(TrySend(url, "x"), ErrorCode::kKmsNotFound, 400);
}

TEST_F(SseAttributesTest, CreateQueueOnAnExistingQueueComparesTheSseAttributes) {
  const std::string url = CreateSseQueue("q");
  auto same =
      Run(&sqs::CreateQueue, a::CreateQueueInput{"q", {{"KmsMasterKeyId", "alias/orders"}}, {}});
  ASSERT_TRUE(same.ok()) << same.error().message;
  EXPECT_EQ(same->queue_url, url);
  auto other =
      Run(&sqs::CreateQueue, a::CreateQueueInput{"q", {{"KmsMasterKeyId", "alias/dlq"}}, {}});
  ExpectApiError(other, ErrorCode::kQueueNameExists, 400);
}

}  // namespace
}  // namespace wharf::sqs::testing
