// ReceiveMessage through its handler: attribute filters and the digest over what is returned
// (§2.9, §4.5, §4.6 Example C), system attributes, validation, long polling via the handler.

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "sqs/message_validation.h"
#include "sqs_test_support.h"

namespace wharf::sqs::testing {
namespace {

using api::ErrorCode;

class ReceiveMessageTest : public SqsServiceTest {
 protected:
  void SetUp() override { url_ = CreateQueue("q"); }

  a::ReceiveMessageInput In(std::vector<std::string> attribute_names = {},
                            std::vector<std::string> system_names = {},
                            std::vector<std::string> legacy_names = {}) {
    a::ReceiveMessageInput in;
    in.queue_url = url_;
    in.message_attribute_names = std::move(attribute_names);
    in.message_system_attribute_names = std::move(system_names);
    in.attribute_names = std::move(legacy_names);
    in.visibility_timeout = 0;  // receivable again by the next call
    return in;
  }

  a::Message ReceiveOne(a::ReceiveMessageInput in) {
    auto messages = Receive(std::move(in));
    EXPECT_EQ(messages.size(), 1u);
    return messages.empty() ? a::Message{} : messages.front();
  }

  static std::map<std::string, std::string> SystemAttributes(const a::Message& m) {
    std::map<std::string, std::string> out;
    for (const auto& [k, v] : m.attributes) EXPECT_TRUE(out.emplace(k, v).second) << k;
    return out;
  }
  static std::vector<std::string> AttributeNames(const a::Message& m) {
    std::vector<std::string> names;
    for (const auto& [k, v] : m.message_attributes) names.push_back(k);
    return names;
  }

  std::string url_;
};

// §4.6 Example C: four filters, four digests, each over the attributes actually returned.
TEST_F(ReceiveMessageTest, MessageAttributeFiltersAndTheirDigests) {
  Send(url_, "hello",
       {{"Help.Me", StringAttr("String", "Me")},
        {"Hello", StringAttr("String", "There")},
        {"General", StringAttr("String", "Kenobi")}});
  struct Case {
    std::vector<std::string> filter;
    std::vector<std::string> names;
    std::optional<std::string> md5;
  };
  const Case cases[] = {
      {{"All"}, {"General", "Hello", "Help.Me"}, "4c360f3fdafd970e05fae2f149d997f5"},
      {{".*"}, {"General", "Hello", "Help.Me"}, "4c360f3fdafd970e05fae2f149d997f5"},
      {{"*"}, {"General", "Hello", "Help.Me"}, "4c360f3fdafd970e05fae2f149d997f5"},
      {{"Hel.*"}, {"Hello", "Help.Me"}, "83fee93c1bcd8b9a5a923ffacdc636c7"},
      {{"General", "Hello"}, {"General", "Hello"}, "fca026605781cb4126a1e9044df24232"},
      {{"Hello", "General"}, {"General", "Hello"}, "fca026605781cb4126a1e9044df24232"},
      {{"Hello"}, {"Hello"}, "a311262e065454b75da111d535b8dacd"},
      {{"General", "Hel.*"}, {"General", "Hello", "Help.Me"}, "4c360f3fdafd970e05fae2f149d997f5"},
      {{}, {}, std::nullopt},
      {{"Nope"}, {}, std::nullopt},
      {{"AWS.", "..foo", "hello"}, {}, std::nullopt},  // illegal or mismatched: ignored
  };
  for (const Case& c : cases) {
    a::Message m = ReceiveOne(In(c.filter));
    std::string label = ::testing::PrintToString(c.filter);
    EXPECT_EQ(AttributeNames(m), c.names) << label;
    EXPECT_EQ(m.md5_of_message_attributes, c.md5) << label;
    EXPECT_EQ(m.body, "hello");
    EXPECT_EQ(m.md5_of_body, "5d41402abc4b2a76b9719d911017c592");
  }
  a::Message all = ReceiveOne(In({"All"}));
  ASSERT_EQ(all.message_attributes.size(), 3u);
  EXPECT_EQ(all.message_attributes[0].second.data_type, "String");
  EXPECT_EQ(all.message_attributes[0].second.string_value, "Kenobi");
}

TEST_F(ReceiveMessageTest, BinaryAndNumberAttributesRoundTrip) {
  const std::string bytes("\x00\x01\xff", 3);
  Send(url_, "x",
       {{"img", BinaryAttr("Binary.png", bytes)}, {"n", StringAttr("Number.float", "3.14")}});
  a::Message m = ReceiveOne(In({"All"}));
  ASSERT_EQ(m.message_attributes.size(), 2u);
  EXPECT_EQ(m.message_attributes[0].first, "img");
  EXPECT_EQ(m.message_attributes[0].second.binary_value, bytes);
  EXPECT_FALSE(m.message_attributes[0].second.string_value);
  EXPECT_EQ(m.message_attributes[1].second.string_value, "3.14");
  EXPECT_EQ(m.md5_of_message_attributes,
            Md5OfAttributes({{"img", BinaryAttr("Binary.png", bytes)},
                             {"n", StringAttr("Number.float", "3.14")}}));
  a::Message only_n = ReceiveOne(In({"n"}));
  EXPECT_EQ(only_n.md5_of_message_attributes,
            Md5OfAttributes({{"n", StringAttr("Number.float", "3.14")}}));
}

TEST_F(ReceiveMessageTest, SystemAttributesAllOnAStandardQueue) {
  const int64_t sent = clock_.WallMillis();
  a::SendMessageOutput out = Send(url_, "x");
  clock_.Advance(Seconds(5));
  a::Message m = ReceiveOne(In({}, {"All"}));
  EXPECT_EQ(m.message_id, out.message_id);
  const std::map<std::string, std::string> expected = {
      {"ApproximateFirstReceiveTimestamp", std::to_string(sent + 5000)},
      {"ApproximateReceiveCount", "1"},
      {"SenderId", "000000000000"},
      {"SentTimestamp", std::to_string(sent)},
  };
  EXPECT_EQ(SystemAttributes(m), expected);
  clock_.Advance(Seconds(5));
  a::Message again = ReceiveOne(In({}, {"All"}));
  EXPECT_EQ(SystemAttributes(again)["ApproximateReceiveCount"], "2");
  EXPECT_EQ(SystemAttributes(again)["ApproximateFirstReceiveTimestamp"],
            std::to_string(sent + 5000))
      << "the first receive's time, not this one's";
  EXPECT_EQ(SystemAttributes(again)["SentTimestamp"], std::to_string(sent));
}

TEST_F(ReceiveMessageTest, SystemAttributeSelection) {
  Send(url_, "x");
  EXPECT_TRUE(ReceiveOne(In()).attributes.empty()) << "none requested";
  auto single = SystemAttributes(ReceiveOne(In({}, {"SenderId"})));
  EXPECT_EQ(single, (std::map<std::string, std::string>{{"SenderId", "000000000000"}}));
  // The legacy AttributeNames list works alone and is unioned with the new one.
  auto legacy = SystemAttributes(ReceiveOne(In({}, {}, {"ApproximateReceiveCount"})));
  EXPECT_EQ(legacy.size(), 1u);
  EXPECT_EQ(legacy.count("ApproximateReceiveCount"), 1u);
  auto both = SystemAttributes(ReceiveOne(In({}, {"SenderId"}, {"All"})));
  EXPECT_EQ(both.size(), 4u) << "All in either list means all";
  // Names that do not apply to a standard queue, or do not exist, return nothing.
  EXPECT_TRUE(ReceiveOne(In({}, {"SequenceNumber", "MessageDeduplicationId", "MessageGroupId",
                                 "AWSTraceHeader", "DeadLetterQueueSourceArn", "Bogus"}))
                  .attributes.empty());
}

TEST_F(ReceiveMessageTest, AWSTraceHeaderComesFromTheRequestHeaderWhenNotGiven) {
  ctx_.trace_header = "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1";
  a::SendMessageOutput out = Send(url_, "traced");
  EXPECT_FALSE(out.md5_of_message_system_attributes)
      << "no MessageSystemAttributes were sent, so there is no digest to check";
  ctx_.trace_header.clear();
  auto all = SystemAttributes(ReceiveOne(In({}, {"All"})));
  EXPECT_EQ(all["AWSTraceHeader"], "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1");
  EXPECT_EQ(all.size(), 5u);
  auto only = SystemAttributes(ReceiveOne(In({}, {"AWSTraceHeader"})));
  EXPECT_EQ(only.size(), 1u);
  EXPECT_EQ(only["AWSTraceHeader"], "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1");
}

TEST_F(ReceiveMessageTest, AWSTraceHeaderSystemAttributeIsReturned) {
  a::SendMessageInput in;
  in.queue_url = url_;
  in.message_body = "x";
  in.message_system_attributes = {{"AWSTraceHeader", StringAttr("String", "Root=1-abc")}};
  ctx_.trace_header = "Root=header";
  auto out = Run(&sqs::SendMessage, std::move(in));
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->md5_of_message_system_attributes,
            Md5OfAttributes({{"AWSTraceHeader", StringAttr("String", "Root=1-abc")}}));
  EXPECT_EQ(SystemAttributes(ReceiveOne(In({}, {"All"})))["AWSTraceHeader"], "Root=1-abc");
}

TEST_F(ReceiveMessageTest, MessageGroupIdOnAStandardQueueIsASystemAttribute) {
  a::SendMessageInput in;
  in.queue_url = url_;
  in.message_body = "x";
  in.message_group_id = "tenant-7";
  auto out = Run(&sqs::SendMessage, std::move(in));
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_FALSE(out->sequence_number) << "standard queue: no SequenceNumber";
  auto all = SystemAttributes(ReceiveOne(In({}, {"All"})));
  EXPECT_EQ(all["MessageGroupId"], "tenant-7");
  auto only = SystemAttributes(ReceiveOne(In({}, {"MessageGroupId"})));
  EXPECT_EQ(only, (std::map<std::string, std::string>{{"MessageGroupId", "tenant-7"}}));
}

TEST_F(ReceiveMessageTest, ParameterRangesHaveTheAwsTexts) {
  auto expect = [&](a::ReceiveMessageInput in, const std::string& message) {
    auto r = Run(&sqs::ReceiveMessage, std::move(in));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidParameterValue);
    EXPECT_EQ(r.error().message, message);
  };
  for (int64_t n : {0, 11}) {
    a::ReceiveMessageInput in = In();
    in.max_number_of_messages = n;
    expect(in, "Value " + std::to_string(n) +
                   " for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and "
                   "10, if provided.");
  }
  for (int64_t w : {-1, 21}) {
    a::ReceiveMessageInput in = In();
    in.wait_time_seconds = w;
    expect(in, "Value " + std::to_string(w) +
                   " for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if "
                   "provided.");
  }
  for (int64_t v : {-1, 43'201}) {
    a::ReceiveMessageInput in = In();
    in.visibility_timeout = v;
    auto r = Run(&sqs::ReceiveMessage, std::move(in));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidParameterValue);
  }
  a::ReceiveMessageInput ten = In();
  ten.max_number_of_messages = 10;
  EXPECT_TRUE(Run(&sqs::ReceiveMessage, std::move(ten)).ok());
}

TEST_F(ReceiveMessageTest, UnknownQueueAndMissingQueueUrl) {
  a::ReceiveMessageInput in = In();
  in.queue_url = "http://localhost:9324/000000000000/nope";
  auto r = Run(&sqs::ReceiveMessage, std::move(in));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kQueueDoesNotExist);
  in = In();
  in.queue_url.reset();
  r = Run(&sqs::ReceiveMessage, std::move(in));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kMissingParameter);
  EXPECT_EQ(r.error().message, "The request must contain the parameter QueueUrl.");
}

TEST_F(ReceiveMessageTest, LongPollThroughTheHandlerIsAnsweredBySendMessage) {
  a::ReceiveMessageInput in = In({"All"}, {"All"});
  in.visibility_timeout.reset();
  in.wait_time_seconds = 10;
  auto call = Start(&sqs::ReceiveMessage, std::move(in));
  EXPECT_FALSE(call->answered());
  clock_.Advance(Seconds(1));
  Send(url_, "late", {{"Hello", StringAttr("String", "There")}});
  ASSERT_EQ(call->answers, 1);
  ASSERT_TRUE(call->out);
  ASSERT_EQ(call->out->messages.size(), 1u);
  EXPECT_EQ(call->out->messages[0].body, "late");
  EXPECT_EQ(call->out->messages[0].md5_of_message_attributes, "a311262e065454b75da111d535b8dacd");
  clock_.Advance(Seconds(20));
  EXPECT_EQ(call->answers, 1);
}

TEST_F(ReceiveMessageTest, UnansweredLongPollThroughTheHandlerEndsEmpty) {
  a::ReceiveMessageInput in = In();
  in.wait_time_seconds = 20;
  auto call = Start(&sqs::ReceiveMessage, std::move(in));
  clock_.Advance(Seconds(20) - Millis(1));
  EXPECT_FALSE(call->answered());
  clock_.Advance(Millis(1));
  ASSERT_EQ(call->answers, 1);
  ASSERT_TRUE(call->out);
  EXPECT_TRUE(call->out->messages.empty());
}

TEST_F(ReceiveMessageTest, DeleteQueueAnswersParkedReceivers) {
  a::ReceiveMessageInput in = In();
  in.wait_time_seconds = 20;
  auto call = Start(&sqs::ReceiveMessage, std::move(in));
  ASSERT_FALSE(call->answered());
  ASSERT_TRUE(Run(&sqs::DeleteQueue, a::QueueUrlInput{url_}).ok());
  ASSERT_EQ(call->answers, 1);
  ASSERT_TRUE(call->out) << "§5.5: empty (or QueueDoesNotExist); Wharf answers empty";
  EXPECT_TRUE(call->out->messages.empty());
  clock_.Advance(Seconds(30));
  EXPECT_EQ(call->answers, 1);
}

}  // namespace
}  // namespace wharf::sqs::testing
