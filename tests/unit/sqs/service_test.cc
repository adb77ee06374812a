#include "sqs/service.h"

#include <gtest/gtest.h>

#include "sqs_test_support.h"

// Resolving a QueueUrl (sqs-api.md §2.0) and the queue URLs the service hands out (§5.1).

namespace wharf::sqs::testing {
namespace {

using api::ErrorCode;

class SqsServiceResolveTest : public SqsServiceTest {
 protected:
  void SetUp() override {
    CreateQueue("orders");
    queue_ = service_.queues().Find("000000000000", "orders");
    ASSERT_TRUE(queue_);
  }
  std::shared_ptr<QueueBackend> queue_;
};

TEST_F(SqsServiceResolveTest, AcceptsEveryUrlFormThatNamesTheQueue) {
  for (const char* url : {
           "http://localhost:9324/000000000000/orders",
           "http://localhost:9324/000000000000/orders/",
           "https://sqs.us-east-1.amazonaws.com/000000000000/orders",
           "http://some-other-host:1234/000000000000/orders",  // the host is ignored
           "https://queue.amazonaws.com/000000000000/orders", "/000000000000/orders",
           "000000000000/orders",
           "orders",  // a bare name: the caller's account
       }) {
    auto r = service_.ResolveQueue(ctx_, std::string(url));
    ASSERT_TRUE(r.ok()) << url;
    EXPECT_EQ(r.value(), queue_) << url;
  }
}

TEST_F(SqsServiceResolveTest, RejectsWhatDoesNotNameAnExistingQueue) {
  for (const char* url : {
           "http://localhost:9324/000000000000/Orders",  // case-sensitive
           "http://localhost:9324/000000000000/nope",
           "http://localhost:9324/",
           "http://localhost:9324",
       }) {
    auto r = service_.ResolveQueue(ctx_, std::string(url));
    ASSERT_FALSE(r.ok()) << url;
    EXPECT_EQ(r.error().code, ErrorCode::kQueueDoesNotExist) << url;
  }
  // Another account's queue: AccessDenied, whether or not it exists (security.md §2.7).
  auto other =
      service_.ResolveQueue(ctx_, std::string("http://localhost:9324/111111111111/orders"));
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ErrorCode::kAccessDenied);
  for (std::optional<std::string> url :
       {std::optional<std::string>(), std::optional<std::string>("")}) {
    auto r = service_.ResolveQueue(ctx_, url);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kMissingParameter);
    EXPECT_EQ(r.error().message, "The request must contain the parameter QueueUrl.");
  }
}

TEST_F(SqsServiceResolveTest, QueueUrlUsesTheRequestsBaseUrl) {
  EXPECT_EQ(service_.QueueUrlOf(ctx_, *queue_), "http://localhost:9324/000000000000/orders");
  ctx_.base_url = "https://wharf.internal:8443";
  EXPECT_EQ(service_.QueueUrlOf(ctx_, *queue_), "https://wharf.internal:8443/000000000000/orders");
}

TEST_F(SqsServiceResolveTest, TypeLookupAnswersForExistingQueuesOnly) {
  QueueTypeLookup lookup =
      service_.TypeLookup("arn:aws:sqs:us-east-1:000000000000:source", "000000000000");
  auto found = lookup("arn:aws:sqs:us-east-1:000000000000:orders");
  ASSERT_TRUE(found.has_value());
  EXPECT_FALSE(found->fifo);
  EXPECT_TRUE(found->allows_source);
  EXPECT_EQ(lookup("arn:aws:sqs:us-east-1:000000000000:nope"), std::nullopt);
  // Another account's queue is never a dead-letter target for this source.
  QueueTypeLookup other =
      service_.TypeLookup("arn:aws:sqs:us-east-1:111111111111:source", "111111111111");
  EXPECT_EQ(other("arn:aws:sqs:us-east-1:000000000000:orders"), std::nullopt);
}

}  // namespace
}  // namespace wharf::sqs::testing
