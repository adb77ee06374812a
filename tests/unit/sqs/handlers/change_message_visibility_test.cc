// ChangeMessageVisibility(+Batch) and DeleteMessage(+Batch) through their handlers
// (§2.10–2.13, §5.16).

#include <gtest/gtest.h>

#include "sqs_test_support.h"

namespace wharf::sqs::testing {
namespace {

using api::ErrorCode;

class MessageHandleTest : public SqsServiceTest {
 protected:
  void SetUp() override { url_ = CreateQueue("q"); }

  std::string SendAndReceive(const std::string& url, const std::string& body) {
    Send(url, body);
    a::ReceiveMessageInput in;
    in.queue_url = url;
    auto got = Receive(std::move(in));
    EXPECT_EQ(got.size(), 1u);
    return got.empty() ? std::string() : got[0].receipt_handle;
  }

  api::ApiResult<a::Empty> Change(std::optional<std::string> handle,
                                  std::optional<int64_t> timeout) {
    return Run(&sqs::ChangeMessageVisibility,
               a::ChangeMessageVisibilityInput{url_, std::move(handle), timeout});
  }

  std::string url_;
};

TEST_F(MessageHandleTest, ChangeVisibilityValidatesItsParameters) {
  const std::string handle = SendAndReceive(url_, "m");
  auto r = Change(handle, std::nullopt);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kMissingParameter);
  EXPECT_EQ(r.error().message, "The request must contain the parameter VisibilityTimeout.");
  for (int64_t bad : {-1, 43'201}) {
    r = Change(handle, bad);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidParameterValue);
  }
  r = Change(std::nullopt, 10);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kMissingParameter);
  EXPECT_EQ(r.error().message, "The request must contain the parameter ReceiptHandle.");
  r = Change("garbage", 10);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kReceiptHandleIsInvalid);
  EXPECT_EQ(r.error().message,
            "The input receipt handle \"garbage\" is not a valid receipt handle.");
  EXPECT_EQ(api::InfoOf(ErrorCode::kReceiptHandleIsInvalid).http_status, 404);
  EXPECT_TRUE(Change(handle, 0).ok());
  EXPECT_EQ(Counts(url_), std::make_tuple("1", "0", "0"));
}

TEST_F(MessageHandleTest, DeleteRejectsGarbageAndForeignHandles) {
  const std::string other = CreateQueue("other");
  const std::string foreign = SendAndReceive(other, "theirs");
  SendAndReceive(url_, "ours");
  for (const std::string& handle : {std::string("garbage"), foreign}) {
    auto r = Run(&sqs::DeleteMessage, a::DeleteMessageInput{url_, handle});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kReceiptHandleIsInvalid);
    EXPECT_EQ(r.error().message,
              "The input receipt handle \"" + handle + "\" is not a valid receipt handle.");
  }
  auto missing = Run(&sqs::DeleteMessage, a::DeleteMessageInput{url_, std::nullopt});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kMissingParameter);
  EXPECT_EQ(Counts(other), std::make_tuple("0", "1", "0"));
  EXPECT_EQ(Counts(url_), std::make_tuple("0", "1", "0"));
}

TEST_F(MessageHandleTest, HandleOfADeletedAndRecreatedQueueIsInvalid) {
  const std::string handle = SendAndReceive(url_, "m");
  ASSERT_TRUE(Run(&sqs::DeleteQueue, a::QueueUrlInput{url_}).ok());
  clock_.Advance(Seconds(60));
  url_ = CreateQueue("q");
  SendAndReceive(url_, "m");
  auto r = Run(&sqs::DeleteMessage, a::DeleteMessageInput{url_, handle});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kReceiptHandleIsInvalid);
}

TEST_F(MessageHandleTest, DeleteBatchReportsEachEntry) {
  const std::string h1 = SendAndReceive(url_, "a");
  auto r = Run(&sqs::DeleteMessageBatch,
               a::DeleteMessageBatchInput{
                   url_, {{"ok", h1}, {"bad", "garbage"}, {"again", h1}, {"none", std::nullopt}}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->successful.size(), 2u);
  EXPECT_EQ(r->successful[0].id, "ok");
  EXPECT_EQ(r->successful[1].id, "again") << "a repeated delete succeeds";
  ASSERT_EQ(r->failed.size(), 2u);
  EXPECT_EQ(r->failed[0].id, "bad");
  EXPECT_EQ(r->failed[0].code, "ReceiptHandleIsInvalid");
  EXPECT_TRUE(r->failed[0].sender_fault);
  EXPECT_EQ(r->failed[0].message,
            "The input receipt handle \"garbage\" is not a valid receipt handle.");
  EXPECT_EQ(r->failed[1].id, "none");
  EXPECT_EQ(r->failed[1].code, "MissingParameter");
  EXPECT_EQ(Counts(url_), std::make_tuple("0", "0", "0"));
}

TEST_F(MessageHandleTest, ChangeVisibilityBatchReportsEachEntry) {
  const std::string h1 = SendAndReceive(url_, "a");
  const std::string h2 = SendAndReceive(url_, "b");
  ASSERT_TRUE(Run(&sqs::DeleteMessage, a::DeleteMessageInput{url_, h2}).ok());
  auto r = Run(&sqs::ChangeMessageVisibilityBatch,
               a::ChangeMessageVisibilityBatchInput{url_,
                                                    {{"zero", h1, 0},
                                                     {"deleted", h2, 10},
                                                     {"no-timeout", h1, std::nullopt},
                                                     {"garbage", "x", 10}}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->successful.size(), 1u);
  EXPECT_EQ(r->successful[0].id, "zero");
  ASSERT_EQ(r->failed.size(), 3u);
  EXPECT_EQ(r->failed[0].id, "deleted");
  EXPECT_EQ(r->failed[0].code, "InvalidParameterValue");
  EXPECT_EQ(r->failed[0].message,
            "Value " + h2 +
                " for parameter ReceiptHandle is invalid. Reason: Message does not exist or is "
                "not available for visibility timeout change.");
  EXPECT_EQ(r->failed[1].id, "no-timeout");
  EXPECT_EQ(r->failed[1].code, "MissingParameter");
  EXPECT_EQ(r->failed[2].id, "garbage");
  EXPECT_EQ(r->failed[2].code, "ReceiptHandleIsInvalid");
  EXPECT_EQ(Counts(url_), std::make_tuple("1", "0", "0"));
}

TEST_F(MessageHandleTest, BatchShapeErrorsApplyToDeleteAndChangeVisibility) {
  auto empty = Run(&sqs::DeleteMessageBatch, a::DeleteMessageBatchInput{url_, {}});
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, ErrorCode::kEmptyBatchRequest);
  auto dup = Run(&sqs::ChangeMessageVisibilityBatch,
                 a::ChangeMessageVisibilityBatchInput{url_, {{"a", "x", 1}, {"a", "y", 1}}});
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, ErrorCode::kBatchEntryIdsNotDistinct);
  auto bad_id = Run(&sqs::DeleteMessageBatch, a::DeleteMessageBatchInput{url_, {{"a:b", "x"}}});
  ASSERT_FALSE(bad_id.ok());
  EXPECT_EQ(bad_id.error().code, ErrorCode::kInvalidBatchEntryId);
  // §6.4: a missing queue is reported before batch-shape errors.
  auto missing_queue =
      Run(&sqs::DeleteMessageBatch, a::DeleteMessageBatchInput{"http://h/000000000000/nope", {}});
  ASSERT_FALSE(missing_queue.ok());
  EXPECT_EQ(missing_queue.error().code, ErrorCode::kQueueDoesNotExist);
}

}  // namespace
}  // namespace wharf::sqs::testing
