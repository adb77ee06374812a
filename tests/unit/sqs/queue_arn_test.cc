#include "sqs/queue_arn.h"

#include <gtest/gtest.h>

namespace wharf::sqs {
namespace {

TEST(QueueArnTest, MadeWithThePartitionOfTheRegion) {
  EXPECT_EQ(QueueArnOf("us-east-1", "123456789012", "q"), "arn:aws:sqs:us-east-1:123456789012:q");
  EXPECT_EQ(QueueArnOf("cn-north-1", "1", "q"), "arn:aws-cn:sqs:cn-north-1:1:q");
  EXPECT_EQ(QueueArnOf("us-gov-west-1", "1", "q.fifo"),
            "arn:aws-us-gov:sqs:us-gov-west-1:1:q.fifo");
}

TEST(QueueArnTest, ParsedIntoItsPartsOnlyInTheRegionServed) {
  auto parsed = ParseQueueArnIn("eu-west-1", "arn:aws:sqs:eu-west-1:123456789012:jobs");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->account, "123456789012");
  EXPECT_EQ(parsed->name, "jobs");
  EXPECT_FALSE(ParseQueueArnIn("eu-west-1", "arn:aws:sqs:us-east-1:123456789012:jobs"));
  EXPECT_FALSE(ParseQueueArnIn("eu-west-1", "arn:aws-cn:sqs:eu-west-1:123456789012:jobs"));
  EXPECT_FALSE(ParseQueueArnIn("eu-west-1", "arn:aws:sns:eu-west-1:123456789012:jobs"));
  EXPECT_FALSE(ParseQueueArnIn("eu-west-1", "arn:aws:sqs:eu-west-1:123456789012"));
  EXPECT_FALSE(ParseQueueArnIn("eu-west-1", "urn:aws:sqs:eu-west-1:1:jobs"));
  EXPECT_FALSE(ParseQueueArn(""));
  // A name is everything after the fifth colon.
  auto odd = ParseQueueArn("arn:aws:sqs:r:1:a:b");
  ASSERT_TRUE(odd.has_value());
  EXPECT_EQ(odd->name, "a:b");
}

}  // namespace
}  // namespace wharf::sqs
