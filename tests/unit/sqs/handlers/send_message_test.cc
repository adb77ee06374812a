// SendMessage and SendMessageBatch through their handlers (§2.7, §2.8, §5.16, §6.3).

#include <gtest/gtest.h>

#include "sqs_test_support.h"

namespace wharf::sqs::testing {
namespace {

using api::ErrorCode;

class SendMessageTest : public SqsServiceTest {
 protected:
  void SetUp() override { url_ = CreateQueue("q", {{"MaximumMessageSize", "1024"}}); }

  static a::SendMessageBatchRequestEntry Entry(std::string id, std::string body) {
    a::SendMessageBatchRequestEntry e;
    e.id = std::move(id);
    e.message_body = std::move(body);
    return e;
  }

  api::ApiResult<a::SendMessageBatchOutput> Batch(
      std::vector<a::SendMessageBatchRequestEntry> entries) {
    return Run(&sqs::SendMessageBatch, a::SendMessageBatchInput{url_, std::move(entries)});
  }

  std::string url_;
};

// The request of §1.3.4 / §1.4.4 and its three digests.
TEST_F(SendMessageTest, DocumentedExampleDigests) {
  a::SendMessageInput in;
  in.queue_url = url_;
  in.message_body = "hello world";
  in.delay_seconds = 5;
  in.message_attributes = {{"City", StringAttr("String", "Any City")},
                           {"Population", StringAttr("Number", "1250800")},
                           {"Weight", StringAttr("Number.float", "3.14")}};
  in.message_system_attributes = {
      {"AWSTraceHeader",
       StringAttr("String",
                  "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1")}};
  auto out = Run(&sqs::SendMessage, std::move(in));
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->md5_of_message_body, "5eb63bbbe01eeed093cb22bb8f5acdc3");
  EXPECT_EQ(out->md5_of_message_attributes, "37be9c66a26f6493892520be4c5f3abe");
  EXPECT_EQ(out->md5_of_message_system_attributes, "5ae4d5d7636402d80f4eb6d213245a88");
  EXPECT_FALSE(out->sequence_number);
  EXPECT_EQ(out->message_id.size(), 36u);
  EXPECT_EQ(Counts(url_), std::make_tuple("0", "0", "1")) << "DelaySeconds=5";
}

TEST_F(SendMessageTest, NoAttributesNoAttributeDigests) {
  a::SendMessageOutput out = Send(url_, "test");
  EXPECT_EQ(out.md5_of_message_body, "098f6bcd4621d373cade4e832627b4f6");
  EXPECT_FALSE(out.md5_of_message_attributes);
  EXPECT_FALSE(out.md5_of_message_system_attributes);
}

TEST_F(SendMessageTest, SizeLimitIsTheQueuesMaximumMessageSize) {
  a::SendMessageInput in;
  in.queue_url = url_;
  in.message_body = std::string(1025, 'a');
  auto r = Run(&sqs::SendMessage, std::move(in));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidParameterValue);
  EXPECT_EQ(r.error().message,
            "One or more parameters are invalid. Reason: Message must be shorter than 1024 "
            "bytes.");
  Send(url_, std::string(1024, 'a'));
}

TEST_F(SendMessageTest, UnknownQueueMissingQueueUrlAndMissingBody) {
  a::SendMessageInput in;
  in.queue_url = "http://localhost:9324/000000000000/nope";
  in.message_body = "x";
  auto r = Run(&sqs::SendMessage, in);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kQueueDoesNotExist);
  in.queue_url.reset();
  r = Run(&sqs::SendMessage, in);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "The request must contain the parameter QueueUrl.");
  in.queue_url = url_;
  in.message_body.reset();
  r = Run(&sqs::SendMessage, in);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kMissingParameter);
  EXPECT_EQ(r.error().message, "The request must contain the parameter MessageBody.");
  EXPECT_EQ(Counts(url_), std::make_tuple("0", "0", "0"));
}

TEST_F(SendMessageTest, DeduplicationIdIsRejectedOnAStandardQueue) {
  a::SendMessageInput in;
  in.queue_url = url_;
  in.message_body = "x";
  in.message_deduplication_id = "d-1";
  auto r = Run(&sqs::SendMessage, std::move(in));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidParameterValue);
  EXPECT_EQ(r.error().message,
            "Value d-1 for parameter MessageDeduplicationId is invalid. Reason: The request "
            "include parameter that is not valid for this queue type.");
}

TEST_F(SendMessageTest, BatchReportsPerEntryFailuresAndSendsTheRest) {
  auto big = Entry("big", std::string(1025, 'a'));
  auto bad_chars = Entry("chars", std::string("\x01"));
  auto dedup = Entry("dedup", "x");
  dedup.message_deduplication_id = "d";
  auto good = Entry("good", "hello world");
  good.message_attributes = {{"Hello", StringAttr("String", "There")}};
  auto out = Batch({big, good, bad_chars, dedup});
  ASSERT_TRUE(out.ok()) << out.error().message;
  ASSERT_EQ(out->successful.size(), 1u);
  EXPECT_EQ(out->successful[0].id, "good");
  EXPECT_EQ(out->successful[0].md5_of_message_body, "5eb63bbbe01eeed093cb22bb8f5acdc3");
  EXPECT_EQ(out->successful[0].md5_of_message_attributes, "a311262e065454b75da111d535b8dacd");
  ASSERT_EQ(out->failed.size(), 3u);
  EXPECT_EQ(out->failed[0].id, "big");
  EXPECT_TRUE(out->failed[0].sender_fault);
  EXPECT_EQ(out->failed[0].code, "InvalidParameterValue") << "Query-style code in both protocols";
  EXPECT_EQ(out->failed[0].message,
            "One or more parameters cannot be validated. Reason: Message must be shorter than "
            "1024 bytes.");
  EXPECT_EQ(out->failed[1].id, "chars");
  EXPECT_EQ(out->failed[1].code, "InvalidMessageContents");
  EXPECT_EQ(out->failed[2].id, "dedup");
  EXPECT_EQ(out->failed[2].code, "InvalidParameterValue");
  EXPECT_EQ(Counts(url_), std::make_tuple("1", "0", "0"));
}

TEST_F(SendMessageTest, BatchShapeErrors) {
  auto expect = [&](std::vector<a::SendMessageBatchRequestEntry> entries, ErrorCode code,
                    std::optional<std::string> message) {
    auto r = Batch(std::move(entries));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, code);
    if (message) {
      const std::string& text =
          r.error().message.empty() ? std::string(api::InfoOf(code).message) : r.error().message;
      EXPECT_EQ(text, *message);
    }
  };
  expect({}, ErrorCode::kEmptyBatchRequest, std::nullopt);
  std::vector<a::SendMessageBatchRequestEntry> eleven;
  for (int i = 0; i < 11; ++i) eleven.push_back(Entry("e" + std::to_string(i), "x"));
  expect(eleven, ErrorCode::kTooManyEntriesInBatchRequest,
         "Maximum number of entries per request are 10. You have sent 11.");
  const std::string bad_id_text =
      "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It "
      "can be at most 80 letters long.";
  expect({Entry("", "x")}, ErrorCode::kInvalidBatchEntryId, bad_id_text);
  expect({Entry("invalid:id", "x")}, ErrorCode::kInvalidBatchEntryId, bad_id_text);
  expect({Entry(std::string(81, 'a'), "x")}, ErrorCode::kInvalidBatchEntryId, bad_id_text);
  expect({Entry("a", "x"), Entry("a", "y")}, ErrorCode::kBatchEntryIdsNotDistinct, std::nullopt);
  EXPECT_EQ(Counts(url_), std::make_tuple("0", "0", "0")) << "whole-request errors send nothing";
}

TEST_F(SendMessageTest, BatchTotalAboveOneMebibyteIsBatchRequestTooLong) {
  const std::string q = CreateQueue("big");
  std::vector<a::SendMessageBatchRequestEntry> entries;
  for (int i = 0; i < 4; ++i)
    entries.push_back(Entry("e" + std::to_string(i), std::string(262'144, 'a')));
  entries.back().message_body->push_back('a');  // 1048577 bytes in all
  auto r = Run(&sqs::SendMessageBatch, a::SendMessageBatchInput{q, entries});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kBatchRequestTooLong);
  EXPECT_EQ(r.error().message,
            "Batch requests cannot be longer than 1048576 bytes. You have sent 1048577 bytes.");
  entries.back().message_body->pop_back();
  EXPECT_TRUE(Run(&sqs::SendMessageBatch, a::SendMessageBatchInput{q, entries}).ok());
}

}  // namespace
}  // namespace wharf::sqs::testing
