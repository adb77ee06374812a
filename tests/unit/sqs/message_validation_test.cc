#include "sqs/message_validation.h"

#include <gtest/gtest.h>

#include <string>

#include "sqs_test_support.h"

// Message validation and digests (sqs-api.md §2.7, §4.1–4.4, §4.6 worked examples, §6.3).

namespace wharf::sqs::testing {
namespace {

using api::ErrorCode;

class MessageValidationTest : public ::testing::Test {
 protected:
  api::ApiResult<NewMessage> Build(a::SendMessageInput in, SendKind kind = SendKind::kSingle) {
    return BuildMessage(FieldsOf(in), kind, SendRulesOf(config_), limits_, ctx_, 1'735'689'600'000);
  }
  api::ApiResult<NewMessage> BuildBody(std::string body, a::MessageAttributeMap attributes = {}) {
    a::SendMessageInput in;
    in.message_body = std::move(body);
    in.message_attributes = std::move(attributes);
    return Build(std::move(in));
  }
  // Expects an InvalidParameterValue with exactly `message`.
  void ExpectInvalid(const api::ApiResult<NewMessage>& r, const std::string& message) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidParameterValue);
    EXPECT_EQ(r.error().message, message);
  }
  void ExpectInvalidAttribute(const std::string& name, a::MessageAttributeValue value) {
    auto r = BuildBody("x", {{name, std::move(value)}});
    ASSERT_FALSE(r.ok()) << "attribute '" << name << "'";
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidParameterValue) << name;
  }

  QueueConfig config_;
  Limits limits_;
  api::RequestContext ctx_ = DefaultContext();
};

// --- §4.6 MD5OfMessageAttributes worked examples -----------------------------------------------

TEST(Md5OfAttributesTest, ExampleA) {
  EXPECT_EQ(Md5OfAttributes({{"Hello", StringAttr("String", "There")}}),
            "a311262e065454b75da111d535b8dacd");
}

TEST(Md5OfAttributesTest, ExampleB) {
  EXPECT_EQ(Md5OfAttributes({{"City", StringAttr("String", "Any City")},
                             {"Population", StringAttr("Number", "1250800")},
                             {"Weight", StringAttr("Number.float", "3.14")}}),
            "37be9c66a26f6493892520be4c5f3abe");
}

TEST(Md5OfAttributesTest, ExampleC) {
  // Sorted: General < Hello < Help.Me.
  EXPECT_EQ(Md5OfAttributes({{"General", StringAttr("String", "Kenobi")},
                             {"Hello", StringAttr("String", "There")},
                             {"Help.Me", StringAttr("String", "Me")}}),
            "4c360f3fdafd970e05fae2f149d997f5");
  EXPECT_EQ(Md5OfAttributes({{"General", StringAttr("String", "Kenobi")},
                             {"Hello", StringAttr("String", "There")}}),
            "fca026605781cb4126a1e9044df24232");
  EXPECT_EQ(Md5OfAttributes({{"Hello", StringAttr("String", "There")},
                             {"Help.Me", StringAttr("String", "Me")}}),
            "83fee93c1bcd8b9a5a923ffacdc636c7");
}

TEST(Md5OfAttributesTest, ExampleD) {
  EXPECT_EQ(Md5OfAttributes({{"timestamp", StringAttr("Number", "1493147359900")}}),
            "235c5c510d26fb653d073faed50ae77c");
}

TEST(Md5OfAttributesTest, ExampleE) {
  EXPECT_EQ(Md5OfAttributes({{"attr1", BinaryAttr("Binary",
                                                  "traceparent\x1e"
                                                  "00-774062d6c37081a5a0b9b5b88e30627c-"
                                                  "2d2482211f6489da-01")}}),
            "8cbe4db156db8a94db8b801b7addb984");
}

TEST(Md5OfAttributesTest, ExampleF) {
  EXPECT_EQ(Md5OfAttributes(
                {{"AWSTraceHeader", StringAttr("String",
                                               "Root=1-5759e988-bd862e3fe1be46a994272793;Parent="
                                               "53995c3f42cd8ad8;Sampled=1")}}),
            "5ae4d5d7636402d80f4eb6d213245a88");
}

TEST(Md5OfAttributesTest, EmptyMapIsTheDigestOfNothing) {
  EXPECT_EQ(Md5OfAttributes({}), "d41d8cd98f00b204e9800998ecf8427e");
}

TEST_F(MessageValidationTest, BuildSortsAttributesBeforeDigesting) {
  auto r = BuildBody("hello world", {{"Help.Me", StringAttr("String", "Me")},
                                     {"Hello", StringAttr("String", "There")},
                                     {"General", StringAttr("String", "Kenobi")}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  const MessageContent& c = *r->content;
  EXPECT_EQ(c.md5_of_attributes, "4c360f3fdafd970e05fae2f149d997f5");
  ASSERT_EQ(c.attributes.size(), 3u);
  EXPECT_EQ(c.attributes[0].first, "General");
  EXPECT_EQ(c.attributes[1].first, "Hello");
  EXPECT_EQ(c.attributes[2].first, "Help.Me");
  EXPECT_EQ(c.md5_of_body, "5eb63bbbe01eeed093cb22bb8f5acdc3");
}

TEST_F(MessageValidationTest, BodyDigestsOfTheDocumentedExamples) {
  const std::pair<const char*, const char*> cases[] = {
      {"hello world", "5eb63bbbe01eeed093cb22bb8f5acdc3"},
      {"test", "098f6bcd4621d373cade4e832627b4f6"},
      {"msg", "6e2baaf3b97dbeef01c0043275f9a0e7"},
      {"h\xC3\xA9llo \xE2\x9C\x93", "21b1ae5bc147bb564254200a4731e337"},
      {"a\r\nb \"q\" & <x>", "7a5e9ae9ce811a18c63b710d659d1492"},
  };
  for (const auto& [body, md5] : cases) {
    auto r = BuildBody(body);
    ASSERT_TRUE(r.ok()) << body;
    EXPECT_EQ(r->content->md5_of_body, md5) << body;
    EXPECT_EQ(r->content->body, body) << "stored byte-exact";
    EXPECT_FALSE(r->content->md5_of_attributes) << "no attributes sent: no digest";
  }
}

TEST_F(MessageValidationTest, BuildFillsIdsSenderAndTimestamp) {
  auto r = BuildBody("x");
  ASSERT_TRUE(r.ok());
  const MessageContent& c = *r->content;
  EXPECT_EQ(c.message_id.size(), 36u);
  EXPECT_EQ(c.message_id[14], '4') << "a version-4 UUID";
  EXPECT_EQ(c.sender_id, "000000000000");
  EXPECT_EQ(c.sent_millis, 1'735'689'600'000);
  EXPECT_NE(BuildBody("x")->content->message_id, c.message_id);
}

// --- size (§4.2) ------------------------------------------------------------------------------

TEST_F(MessageValidationTest, SizeCountsBodyAndAttributeNameTypeAndValueBytes) {
  config_.maximum_message_size = 1024;
  const int64_t overhead = 1 + 6 + 1;  // "k" + "String" + "x"
  auto at_limit = BuildBody(std::string(1024 - overhead, 'a'), {{"k", StringAttr("String", "x")}});
  EXPECT_TRUE(at_limit.ok()) << "a message of exactly MaximumMessageSize is accepted";
  ExpectInvalid(
      BuildBody(std::string(1024 - overhead + 1, 'a'), {{"k", StringAttr("String", "x")}}),
      "One or more parameters are invalid. Reason: Message must be shorter than 1024 "
      "bytes.");
  EXPECT_TRUE(BuildBody(std::string(1024, 'a')).ok());
  ExpectInvalid(BuildBody(std::string(1025, 'a')),
                "One or more parameters are invalid. Reason: Message must be shorter than 1024 "
                "bytes.");
}

TEST_F(MessageValidationTest, BatchEntryTooLargeHasTheBatchText) {
  config_.maximum_message_size = 1024;
  a::SendMessageInput in;
  in.message_body = std::string(1025, 'a');
  ExpectInvalid(Build(std::move(in), SendKind::kBatchEntry),
                "One or more parameters cannot be validated. Reason: Message must be shorter "
                "than 1024 bytes.");
}

TEST_F(MessageValidationTest, SizeCountsUtf8BytesAndRawBinaryBytes) {
  a::SendMessageInput in;
  in.message_body = "\xC3\xA9";  // é: 2 bytes
  in.message_attributes = {{"b", BinaryAttr("Binary.gif", std::string(10, '\0'))},
                           {"s", StringAttr("String", "\xE2\x9C\x93")}};
  EXPECT_EQ(MessageSize(FieldsOf(in)), 2 + (1 + 10 + 10) + (1 + 6 + 3));
  // System attributes do not count.
  in.message_system_attributes = {{"AWSTraceHeader", StringAttr("String", "Root=1")}};
  EXPECT_EQ(MessageSize(FieldsOf(in)), 2 + (1 + 10 + 10) + (1 + 6 + 3));
}

TEST_F(MessageValidationTest, SizeIsCheckedBeforeCharacters) {
  config_.maximum_message_size = 1024;
  std::string body(1025, 'a');
  body[0] = '\x01';
  ExpectInvalid(BuildBody(body),
                "One or more parameters are invalid. Reason: Message must be shorter than 1024 "
                "bytes.");
}

// --- body characters (§4.1) -------------------------------------------------------------------

TEST_F(MessageValidationTest, InvalidCharactersAreInvalidMessageContents) {
  for (std::string body :
       {std::string("a\0b", 3), std::string("\x08"), std::string("\x13"), std::string("\x1f"),
        std::string("\xEF\xBF\xBE"),  // U+FFFE
        std::string("\xEF\xBF\xBF"),  // U+FFFF
        std::string("\xED\xA0\x80"),  // unpaired surrogate U+D800
        std::string("\xC3\x28"),      // invalid UTF-8
        std::string("\xC0\xAF"),      // overlong
        std::string("\xF4\x90\x80\x80")}) {
    auto r = BuildBody(body);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidMessageContents);
  }
  EXPECT_EQ(api::InfoOf(ErrorCode::kInvalidMessageContents).message,
            "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to "
            "#xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF");
}

TEST_F(MessageValidationTest, AllowedCharactersAreAccepted) {
  for (std::string body : {std::string("\t\n\r "), std::string("\xED\x9F\xBF"),  // U+D7FF
                           std::string("\xEE\x80\x80"),                          // U+E000
                           std::string("\xEF\xBF\xBD"),                          // U+FFFD
                           std::string("\xF0\x90\x80\x80"),                      // U+10000
                           std::string("\xF4\x8F\xBF\xBF")}) {                   // U+10FFFF
    EXPECT_TRUE(BuildBody(body).ok());
  }
}

TEST_F(MessageValidationTest, MissingBodyIsMissingParameter) {
  for (std::optional<std::string> body :
       {std::optional<std::string>(), std::optional<std::string>("")}) {
    a::SendMessageInput in;
    in.message_body = body;
    auto r = Build(std::move(in));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kMissingParameter);
    EXPECT_EQ(r.error().message, "The request must contain the parameter MessageBody.");
  }
}

// --- message attributes (§4.3) ----------------------------------------------------------------

TEST_F(MessageValidationTest, AtMostTenAttributes) {
  a::MessageAttributeMap attributes;
  for (int i = 0; i < 10; ++i) {
    attributes.emplace_back("a" + std::to_string(i), StringAttr("String", "v"));
  }
  EXPECT_TRUE(BuildBody("x", attributes).ok());
  attributes.emplace_back("a10", StringAttr("String", "v"));
  ExpectInvalid(BuildBody("x", attributes),
                "Number of message attributes [11] exceeds the allowed maximum [10].");
}

TEST_F(MessageValidationTest, AttributeNameRules) {
  for (const std::string& bad : std::vector<std::string>{
           "AWS.x", "aws.x", "aWs.Trace", "Amazon.x", "AMAZON.x", "amazon.", ".x", "x.", "a..b",
           "!", "a b", "a\"b", "\xC2\xA7", "(", "?", std::string(257, 'n')}) {
    ExpectInvalidAttribute(bad, StringAttr("String", "v"));
  }
  for (const std::string& good :
       std::vector<std::string>{"x", "attr.1", "a-b_c.d", "AWSx", "Amazonia",
                                "attr.1\xC3\xB8\xC3\x9F\xC3\xA4", std::string(256, 'n')}) {
    EXPECT_TRUE(BuildBody("x", {{good, StringAttr("String", "v")}}).ok()) << good;
  }
}

TEST_F(MessageValidationTest, EmptyStringValueHasTheAwsText) {
  ExpectInvalid(BuildBody("x", {{"ErrorDetails", StringAttr("String", "")}}),
                "Message (user) attribute 'ErrorDetails' must contain a non-empty value of type "
                "'String'.");
  a::MessageAttributeValue missing;
  missing.data_type = "String";
  ExpectInvalid(BuildBody("x", {{"ErrorDetails", missing}}),
                "Message (user) attribute 'ErrorDetails' must contain a non-empty value of type "
                "'String'.");
}

TEST_F(MessageValidationTest, NumberValuesMustBeNumbers) {
  ExpectInvalid(BuildBody("x", {{"x", StringAttr("Number", "abc")}}),
                "Can't cast the value of message (user) attribute 'x' to a number.");
  for (const char* bad : {"1a", "--1", "", ".", "1..2", "1e", "0x10", " 1"}) {
    ExpectInvalidAttribute("n", StringAttr("Number", bad));
  }
  for (const char* good : {"1250800", "3.14", "-1", "+1", "0", ".5", "1.", "1493147359900",
                           "12345678901234567890123456789012345678",  // 38 digits
                           "0000000000000000000000000000000000000000001"}) {
    auto r = BuildBody("x", {{"n", StringAttr("Number", good)}});
    ASSERT_TRUE(r.ok()) << good << ": " << r.error().message;
    EXPECT_EQ(r->content->attributes[0].second.string_value, good) << "returned exactly as sent";
  }
  ExpectInvalidAttribute("n", StringAttr("Number", "123456789012345678901234567890123456789"));
}

TEST_F(MessageValidationTest, CustomTypeLabelsAreAccepted) {
  auto r = BuildBody("x", {{"f", StringAttr("Number.float", "3.14")},
                           {"j", StringAttr("String.json", "{}")},
                           {"g", BinaryAttr("Binary.gif", "GIF89a")}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->content->md5_of_attributes,
            Md5OfAttributes({{"f", StringAttr("Number.float", "3.14")},
                             {"g", BinaryAttr("Binary.gif", "GIF89a")},
                             {"j", StringAttr("String.json", "{}")}}));
  for (const std::string& bad_type :
       std::vector<std::string>{"", "Invalid", "string", "STRING", "Number.", "Strings",
                                "Number." + std::string(250, 'x')}) {
    ExpectInvalidAttribute("a", StringAttr(bad_type, "1"));
  }
}

TEST_F(MessageValidationTest, ValueMustMatchTheType) {
  ExpectInvalidAttribute("b", BinaryAttr("Binary", ""));
  ExpectInvalidAttribute("b", StringAttr("Binary", "text"));
  ExpectInvalidAttribute("s", BinaryAttr("String", "raw"));
  ExpectInvalidAttribute("s", StringAttr("String", "bad\x08"));
  auto both = StringAttr("String", "v");
  both.binary_value = "raw";
  ExpectInvalidAttribute("s", both);
}

// --- MessageGroupId / MessageDeduplicationId / DelaySeconds ------------------------------------

TEST_F(MessageValidationTest, DeduplicationIdOnAStandardQueueIsRejected) {
  a::SendMessageInput in;
  in.message_body = "x";
  in.message_deduplication_id = "dedup-1";
  ExpectInvalid(Build(std::move(in)),
                "Value dedup-1 for parameter MessageDeduplicationId is invalid. Reason: The "
                "request include parameter that is not valid for this queue type.");
}

TEST_F(MessageValidationTest, GroupIdIsAcceptedOnAStandardQueue) {
  a::SendMessageInput in;
  in.message_body = "x";
  in.message_group_id = "tenant-1";
  auto r = Build(std::move(in));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->content->group_id, "tenant-1");
}

TEST_F(MessageValidationTest, MalformedGroupAndDeduplicationIds) {
  for (const std::string& bad :
       std::vector<std::string>{"", "a b", std::string(129, 'g'), "caf\xC3\xA9"}) {
    a::SendMessageInput in;
    in.message_body = "x";
    in.message_group_id = bad;
    ExpectInvalid(Build(std::move(in)),
                  "Value " + bad +
                      " for parameter MessageGroupId is invalid. Reason: MessageGroupId can only "
                      "include alphanumeric and punctuation characters. 1 to 128 in length.");
  }
  a::SendMessageInput in;
  in.message_body = "x";
  in.message_group_id = std::string(128, 'g');
  EXPECT_TRUE(Build(std::move(in)).ok());
  a::SendMessageInput dedup;
  dedup.message_body = "x";
  dedup.message_deduplication_id = "a b";
  ExpectInvalid(Build(std::move(dedup)),
                "Value a b for parameter MessageDeduplicationId is invalid. Reason: "
                "MessageDeduplicationId can only include alphanumeric and punctuation "
                "characters. 1 to 128 in length.");
}

TEST_F(MessageValidationTest, DelaySecondsRange) {
  for (int64_t ok : {0, 900}) {
    a::SendMessageInput in;
    in.message_body = "x";
    in.delay_seconds = ok;
    auto r = Build(std::move(in));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->delay_seconds, ok);
  }
  for (int64_t bad : {-1, 901}) {
    a::SendMessageInput in;
    in.message_body = "x";
    in.delay_seconds = bad;
    auto r = Build(std::move(in));
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidParameterValue);
  }
}

// --- system attributes (§4.4) -----------------------------------------------------------------

TEST_F(MessageValidationTest, TraceHeaderSystemAttributeHasItsOwnDigest) {
  const std::string trace =
      "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
  a::SendMessageInput in;
  in.message_body = "hello world";
  in.message_attributes = {{"Hello", StringAttr("String", "There")}};
  in.message_system_attributes = {{"AWSTraceHeader", StringAttr("String", trace)}};
  ctx_.trace_header = "Root=from-the-http-header";
  auto r = Build(std::move(in));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->content->trace_header, trace) << "the system attribute wins over the header";
  EXPECT_EQ(r->content->md5_of_system_attributes, "5ae4d5d7636402d80f4eb6d213245a88");
  EXPECT_EQ(r->content->md5_of_attributes, "a311262e065454b75da111d535b8dacd")
      << "§4.4: a system attribute does not change MD5OfMessageAttributes";
}

TEST_F(MessageValidationTest, TraceHeaderFromTheRequestWhenNoSystemAttribute) {
  ctx_.trace_header = "Root=1-abc";
  auto r = BuildBody("x");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->content->trace_header, "Root=1-abc");
  EXPECT_FALSE(r->content->md5_of_system_attributes) << "none were sent";
  ctx_.trace_header.clear();
  EXPECT_FALSE(BuildBody("x")->content->trace_header);
}

TEST_F(MessageValidationTest, OnlyAWSTraceHeaderIsASystemAttribute) {
  a::SendMessageInput in;
  in.message_body = "x";
  in.message_system_attributes = {{"SenderId", StringAttr("String", "me")}};
  auto r = Build(std::move(in));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidParameterValue);
  a::SendMessageInput binary;
  binary.message_body = "x";
  binary.message_system_attributes = {{"AWSTraceHeader", BinaryAttr("Binary", "x")}};
  r = Build(std::move(binary));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidParameterValue);
}

}  // namespace
}  // namespace wharf::sqs::testing
