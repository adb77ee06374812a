// PurgeQueue through its handler (§2.14, §5.7).

#include <gtest/gtest.h>

#include "sqs_test_support.h"

namespace wharf::sqs::testing {
namespace {

using api::ErrorCode;

class PurgeQueueTest : public SqsServiceTest {};

TEST_F(PurgeQueueTest, RemovesEverythingAndIsLimitedToOncePerMinute) {
  const std::string url = CreateQueue("orders");
  Send(url, "visible");
  Send(url, "delayed", {}, 60);
  Send(url, "in-flight");
  a::ReceiveMessageInput in;
  in.queue_url = url;
  ASSERT_EQ(Receive(in).size(), 1u);
  EXPECT_EQ(Counts(url), std::make_tuple("1", "1", "1"));

  ASSERT_TRUE(Run(&sqs::PurgeQueue, a::QueueUrlInput{url}).ok());
  EXPECT_EQ(Counts(url), std::make_tuple("0", "0", "0"));

  clock_.Advance(Seconds(30));
  auto again = Run(&sqs::PurgeQueue, a::QueueUrlInput{url});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kPurgeQueueInProgress);
  EXPECT_EQ(again.error().message,
            "Only one PurgeQueue operation on orders is allowed every 60 seconds.");
  EXPECT_EQ(api::InfoOf(again.error().code).http_status, 403);

  clock_.Advance(Seconds(30));
  EXPECT_TRUE(Run(&sqs::PurgeQueue, a::QueueUrlInput{url}).ok());
}

TEST_F(PurgeQueueTest, UnknownQueue) {
  auto r = Run(&sqs::PurgeQueue, a::QueueUrlInput{"http://localhost:9324/000000000000/nope"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kQueueDoesNotExist);
}

}  // namespace
}  // namespace wharf::sqs::testing
