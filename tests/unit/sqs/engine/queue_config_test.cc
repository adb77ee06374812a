#include "sqs/engine/queue_config.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

// Queue attribute validation and rendering (sqs-api.md §2.1, §2.5, §2.6, §3).

namespace wharf::sqs {
namespace {

using api::ErrorCode;

constexpr const char* kDlqArn = "arn:aws:sqs:us-east-1:000000000000:dlq";

class QueueConfigTest : public ::testing::Test {
 protected:
  // Standard queues exist for kDlqArn only.
  api::ApiStatus Apply(const api::StringPairs& attributes,
                       AttributeMode mode = AttributeMode::kSet) {
    return ApplyAttributes(config_, attributes, mode, limits_, [](std::string_view arn) {
      return arn == kDlqArn ? std::optional<DeadLetterTarget>(DeadLetterTarget{false, true})
                            : std::nullopt;
    });
  }

  // Expects `attributes` to fail with `code` and `message`, leaving the config unchanged.
  void ExpectRejected(const api::StringPairs& attributes, ErrorCode code,
                      const std::string& message) {
    const std::string before_vt = std::to_string(config_.visibility_timeout);
    api::ApiStatus status = Apply(attributes);
    ASSERT_FALSE(status.ok()) << attributes.front().first << "=" << attributes.front().second;
    EXPECT_EQ(status.error().code, code) << attributes.front().first;
    EXPECT_EQ(status.error().message, message);
    EXPECT_EQ(std::to_string(config_.visibility_timeout), before_vt);
  }

  std::map<std::string, std::string> All() {
    auto rendered =
        RenderAttributes(config_, counters_, "arn:aws:sqs:us-east-1:000000000000:q", {"All"});
    EXPECT_TRUE(rendered.ok());
    std::map<std::string, std::string> out;
    if (rendered.ok()) {
      for (auto& [k, v] : rendered.value()) {
        EXPECT_TRUE(out.emplace(k, v).second) << "duplicate " << k;
      }
    }
    return out;
  }

  QueueConfig config_;
  QueueCounters counters_;
  Limits limits_;
};

struct RangeCase {
  const char* name;
  int64_t min;
  int64_t max;
};

TEST_F(QueueConfigTest, IntegerAttributesAcceptTheirRangeAndRejectTheRest) {
  const RangeCase cases[] = {
      {"DelaySeconds", 0, 900},
      {"MaximumMessageSize", 1024, 1'048'576},
      {"MessageRetentionPeriod", 60, 1'209'600},
      {"ReceiveMessageWaitTimeSeconds", 0, 20},
      {"VisibilityTimeout", 0, 43'200},
      {"KmsDataKeyReusePeriodSeconds", 60, 86'400},
  };
  // The reuse period is reported only while SSE-KMS is configured (security.md §4.1).
  config_.kms_master_key_id = "alias/orders";
  for (const RangeCase& c : cases) {
    for (int64_t ok : {c.min, c.max}) {
      ASSERT_TRUE(Apply({{c.name, std::to_string(ok)}}).ok()) << c.name << "=" << ok;
      EXPECT_EQ(ReportedValue(config_, c.name).value_or(""), std::to_string(ok)) << c.name;
    }
    const std::string text = std::string("Invalid value for the parameter ") + c.name + ".";
    for (std::string bad :
         {std::to_string(c.min - 1), std::to_string(c.max + 1), std::string(""), std::string("abc"),
          std::string("1.5"), std::string(" 5"), std::string("99999999999999999999999")}) {
      ExpectRejected({{c.name, bad}}, ErrorCode::kInvalidAttributeValue, text);
    }
  }
}

TEST_F(QueueConfigTest, AFailingAttributeLeavesEveryOtherUnapplied) {
  ExpectRejected({{"VisibilityTimeout", "60"}, {"DelaySeconds", "901"}},
                 ErrorCode::kInvalidAttributeValue,
                 "Invalid value for the parameter DelaySeconds.");
  EXPECT_EQ(config_.visibility_timeout, 30);
  EXPECT_EQ(config_.delay_seconds, 0);
}

TEST_F(QueueConfigTest, BooleansAreCaseInsensitiveAndReportedLowerCase) {
  for (const char* v : {"false", "FALSE", "False"}) {
    config_ = {};
    ASSERT_TRUE(Apply({{"SqsManagedSseEnabled", v}}).ok()) << v;
    EXPECT_EQ(ReportedValue(config_, "SqsManagedSseEnabled"), "false");
  }
  ASSERT_TRUE(Apply({{"SqsManagedSseEnabled", "True"}}).ok());
  EXPECT_EQ(ReportedValue(config_, "SqsManagedSseEnabled"), "true");
  ExpectRejected({{"SqsManagedSseEnabled", "yes"}}, ErrorCode::kInvalidAttributeValue,
                 "Invalid value for the parameter SqsManagedSseEnabled.");
}

TEST_F(QueueConfigTest, FifoOnlyAttributesOnAStandardQueueAreInvalidAttributeName) {
  for (AttributeMode mode : {AttributeMode::kCreate, AttributeMode::kSet}) {
    for (const char* v : {"true", "false"}) {
      api::ApiStatus s = Apply({{"FifoQueue", v}}, mode);
      ASSERT_FALSE(s.ok());
      EXPECT_EQ(s.error().code, ErrorCode::kInvalidAttributeName);
      EXPECT_EQ(s.error().message, "Unknown Attribute FifoQueue.");
    }
    api::ApiStatus s = Apply({{"ContentBasedDeduplication", "true"}}, mode);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, ErrorCode::kInvalidAttributeName);
    EXPECT_EQ(s.error().message, "Unknown Attribute ContentBasedDeduplication.");
    s = Apply({{"DeduplicationScope", "queue"}}, mode);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, ErrorCode::kInvalidAttributeName);
    EXPECT_EQ(s.error().message,
              "You can specify the DeduplicationScope only when FifoQueue is set to true.");
    s = Apply({{"FifoThroughputLimit", "perQueue"}}, mode);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, ErrorCode::kInvalidAttributeName);
    EXPECT_EQ(s.error().message,
              "You can specify the FifoThroughputLimit only when FifoQueue is set to true.");
  }
}

TEST_F(QueueConfigTest, UnknownAndReadOnlyNamesAreUnknownAttribute) {
  for (const char* name :
       {"Foo", "visibilitytimeout", "QueueArn", "CreatedTimestamp", "LastModifiedTimestamp",
        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed", "All"}) {
    ExpectRejected({{name, "1"}}, ErrorCode::kInvalidAttributeName,
                   std::string("Unknown Attribute ") + name + ".");
  }
}

TEST_F(QueueConfigTest, PolicyEmptyStringRemovesIt) {
  const std::string policy = R"({"Version":"2012-10-17","Statement":[]})";
  ASSERT_TRUE(Apply({{"Policy", policy}}).ok());
  EXPECT_EQ(ReportedValue(config_, "Policy"), policy);
  EXPECT_EQ(All().count("Policy"), 1u);
  ASSERT_TRUE(Apply({{"Policy", ""}}).ok());
  EXPECT_EQ(ReportedValue(config_, "Policy"), std::nullopt);
  EXPECT_EQ(All().count("Policy"), 0u);
  ExpectRejected({{"Policy", "not json"}}, ErrorCode::kInvalidAttributeValue,
                 "Invalid value for the parameter Policy.");
}

TEST_F(QueueConfigTest, RedrivePolicyIsValidatedAndRenderedCompactly) {
  const std::string given =
      R"({ "maxReceiveCount" : "5", "deadLetterTargetArn" : ")" + std::string(kDlqArn) + R"(" })";
  ASSERT_TRUE(Apply({{"RedrivePolicy", given}}).ok());
  EXPECT_EQ(ReportedValue(config_, "RedrivePolicy"),
            R"({"deadLetterTargetArn":")" + std::string(kDlqArn) + R"(","maxReceiveCount":5})");
  for (int n : {1, 1000}) {
    ASSERT_TRUE(Apply({{"RedrivePolicy", R"({"deadLetterTargetArn":")" + std::string(kDlqArn) +
                                             R"(","maxReceiveCount":)" + std::to_string(n) + "}"}})
                    .ok())
        << n;
  }
  ASSERT_TRUE(Apply({{"RedrivePolicy", ""}}).ok());
  EXPECT_EQ(ReportedValue(config_, "RedrivePolicy"), std::nullopt);
}

TEST_F(QueueConfigTest, RedrivePolicyErrorsQuoteThePolicy) {
  const std::string arn = kDlqArn;
  auto expect = [&](const std::string& policy, const std::string& reason) {
    ExpectRejected(
        {{"RedrivePolicy", policy}}, ErrorCode::kInvalidParameterValue,
        "Value " + policy + " for parameter RedrivePolicy is invalid. Reason: " + reason);
  };
  expect(R"({"deadLetterTargetArn":")" + arn + R"("})",
         "Redrive policy does not contain mandatory attribute: maxReceiveCount.");
  expect(R"({"maxReceiveCount":5})",
         "Redrive policy does not contain mandatory attribute: deadLetterTargetArn.");
  for (const char* n : {"0", "1001", "-1"}) {
    expect(R"({"deadLetterTargetArn":")" + arn + R"(","maxReceiveCount":)" + n + "}",
           std::string("Invalid value for maxReceiveCount: ") + n +
               ", valid values are from 1 to 1000 both inclusive.");
  }
  expect(R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:nope",)"
         R"("maxReceiveCount":5})",
         "Dead letter target does not exist.");
  api::ApiStatus s = Apply({{"RedrivePolicy", "not json"}});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidParameterValue);
}

TEST_F(QueueConfigTest, RedrivePolicyTargetMustHaveTheSameQueueType) {
  api::ApiStatus s = ApplyAttributes(
      config_,
      {{"RedrivePolicy", R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:0:dlq.fifo",)"
                         R"("maxReceiveCount":5})"}},
      AttributeMode::kSet, limits_, [](std::string_view) {
        return std::optional<DeadLetterTarget>(DeadLetterTarget{true, true});
      });
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidParameterValue);
}

TEST_F(QueueConfigTest, RedriveAllowPolicy) {
  ASSERT_TRUE(Apply({{"RedriveAllowPolicy", R"({"redrivePermission":"allowAll"})"}}).ok());
  ASSERT_TRUE(Apply({{"RedriveAllowPolicy", R"({"redrivePermission":"byQueue",)"
                                            R"("sourceQueueArns":[")" +
                                                std::string(kDlqArn) + R"("]})"}})
                  .ok());
  EXPECT_EQ(All().count("RedriveAllowPolicy"), 1u);
  for (const char* bad :
       {R"({"redrivePermission":"byQueue"})", R"({"redrivePermission":"sometimes"})", "[]"}) {
    api::ApiStatus s = Apply({{"RedriveAllowPolicy", bad}});
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.error().code, ErrorCode::kInvalidParameterValue);
  }
  ASSERT_TRUE(Apply({{"RedriveAllowPolicy", ""}}).ok());
  EXPECT_EQ(All().count("RedriveAllowPolicy"), 0u);
}

TEST_F(QueueConfigTest, KmsAndSqsManagedSseTogetherAreInvalidAttributeName) {
  ExpectRejected({{"KmsMasterKeyId", "alias/aws/sqs"}, {"SqsManagedSseEnabled", "true"}},
                 ErrorCode::kInvalidAttributeName,
                 "You can use one type of server-side encryption (SSE) at one time. You can "
                 "either enable KMS SSE or SQS SSE.");
  ASSERT_TRUE(Apply({{"KmsMasterKeyId", "testKeyId"}, {"SqsManagedSseEnabled", "false"}}).ok());
}

TEST_F(QueueConfigTest, KmsKeySwitchesSseSqsOffAndEmptyKeyRemovesIt) {
  ASSERT_TRUE(Apply({{"KmsMasterKeyId", "testKeyId"}}).ok());
  auto all = All();
  EXPECT_EQ(all["KmsMasterKeyId"], "testKeyId");
  EXPECT_EQ(all["KmsDataKeyReusePeriodSeconds"], "300");
  EXPECT_EQ(all["SqsManagedSseEnabled"], "false");
  ASSERT_TRUE(Apply({{"KmsMasterKeyId", ""}, {"KmsDataKeyReusePeriodSeconds", "300"}}).ok());
  all = All();
  EXPECT_EQ(all.count("KmsMasterKeyId"), 0u);
  EXPECT_EQ(all.count("KmsDataKeyReusePeriodSeconds"), 0u);
  EXPECT_EQ(all["SqsManagedSseEnabled"], "false") << "§3.4: stays false";
}

TEST_F(QueueConfigTest, AllForAFreshStandardQueueIsExactlyTheDocumentedSet) {
  config_.created_timestamp = 1'700'000'000;
  config_.last_modified_timestamp = 1'700'000'001;
  counters_ = {3, 2, 1};
  const std::map<std::string, std::string> expected = {
      {"ApproximateNumberOfMessages", "3"},
      {"ApproximateNumberOfMessagesDelayed", "1"},
      {"ApproximateNumberOfMessagesNotVisible", "2"},
      {"CreatedTimestamp", "1700000000"},
      {"DelaySeconds", "0"},
      {"LastModifiedTimestamp", "1700000001"},
      {"MaximumMessageSize", "1048576"},
      {"MessageRetentionPeriod", "345600"},
      {"QueueArn", "arn:aws:sqs:us-east-1:000000000000:q"},
      {"ReceiveMessageWaitTimeSeconds", "0"},
      {"SqsManagedSseEnabled", "true"},
      {"VisibilityTimeout", "30"},
  };
  EXPECT_EQ(All(), expected);
}

TEST_F(QueueConfigTest, RenderSelectedNames) {
  auto r = RenderAttributes(config_, counters_, "arn", {});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty()) << "no names: nothing (not an error)";
  r = RenderAttributes(config_, counters_, "arn", {"VisibilityTimeout", "QueueArn"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->size(), 2u);
  // Unset and FIFO-only attributes are simply omitted on a standard queue.
  r = RenderAttributes(config_, counters_, "arn",
                       {"Policy", "RedrivePolicy", "KmsMasterKeyId", "FifoQueue",
                        "ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit"});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
  r = RenderAttributes(config_, counters_, "arn", {"VisibilityTimeout", "Bogus"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidAttributeName);
  EXPECT_EQ(r.error().message, "Unknown Attribute Bogus.");
}

TEST_F(QueueConfigTest, AttributeMatchesComparesValuesNotSpellings) {
  EXPECT_TRUE(AttributeMatches(config_, "VisibilityTimeout", "30"));
  EXPECT_FALSE(AttributeMatches(config_, "VisibilityTimeout", "31"));
  EXPECT_FALSE(AttributeMatches(config_, "VisibilityTimeout", "thirty"));
  EXPECT_TRUE(AttributeMatches(config_, "SqsManagedSseEnabled", "TRUE"));
  EXPECT_FALSE(AttributeMatches(config_, "SqsManagedSseEnabled", "false"));
  EXPECT_TRUE(AttributeMatches(config_, "Policy", ""));
  EXPECT_FALSE(AttributeMatches(config_, "Policy", "{}"));
}

}  // namespace
}  // namespace wharf::sqs
