// Parse / ParsedRequest::Decode / GuessProtocol (src/protocol/router.cc).

#include <gtest/gtest.h>

#include <string>

#include "api/sqs/actions.h"
#include "protocol/protocol.h"
#include "protocol/writers.h"

namespace wharf::protocol {
namespace {

using api::Action;
using api::ErrorCode;
namespace sqs = api::sqs;

constexpr std::string_view kForm = "application/x-www-form-urlencoded; charset=utf-8";
constexpr std::string_view kJson = "application/x-amz-json-1.0";

// Owns what a RequestView points to.
struct Request {
  std::string method = "POST";
  std::string path = "/";
  std::string query;
  std::string content_type;
  std::string amz_target;
  std::string body;

  RequestView View() const {
    return RequestView{method, path, query, content_type, amz_target, &body};
  }
};

Request QueryPost(std::string body, std::string path = "/") {
  Request r;
  r.path = std::move(path);
  r.content_type = std::string(kForm);
  r.body = std::move(body);
  return r;
}
Request QueryGet(std::string query, std::string path = "/") {
  Request r;
  r.method = "GET";
  r.path = std::move(path);
  r.query = std::move(query);
  return r;
}
Request JsonPost(std::string target, std::string body) {
  Request r;
  r.content_type = std::string(kJson);
  r.amz_target = std::move(target);
  r.body = std::move(body);
  return r;
}

ParsedRequest ParseOk(const Request& request) {
  auto parsed = Parse(request.View());
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.error().error.message);
  if (!parsed.ok()) return ParsedRequest();
  return std::move(parsed).value();
}

RouteError ParseError(const Request& request) {
  auto parsed = Parse(request.View());
  EXPECT_FALSE(parsed.ok());
  if (parsed.ok()) return RouteError{Protocol::kQuery, api::Error(ErrorCode::kInternalFailure)};
  return std::move(parsed).error();
}

template <typename T>
T DecodeOk(const ParsedRequest& parsed) {
  T input{};
  api::ApiStatus status = parsed.Decode(api::Shape::Of(input));
  EXPECT_TRUE(status.ok()) << (status.ok() ? "" : status.error().message);
  return input;
}

// A canonical text of any described struct, to compare decoded inputs.
template <typename T>
std::string Canonical(T& value) {
  std::string out;
  JsonWriter writer(out);
  writer.BeginObject();
  value.Describe(writer);
  writer.EndObject();
  return out;
}

// --- routing ----------------------------------------------------------------------------------

TEST(ParseTest, AmzTargetMeansJson) {
  Request request = JsonPost("AmazonSQS.SendMessage", R"({"QueueUrl":"q","MessageBody":"hi"})");
  ParsedRequest parsed = ParseOk(request);
  EXPECT_EQ(parsed.protocol(), Protocol::kJson10);
  EXPECT_EQ(parsed.action(), Action::kSendMessage);
  auto in = DecodeOk<sqs::SendMessageInput>(parsed);
  EXPECT_EQ(in.queue_url, "q");
  EXPECT_EQ(in.message_body, "hi");
}

TEST(ParseTest, EveryActionRoutesByTargetAndByAction) {
  for (const api::ActionInfo& info : api::AllActions()) {
    const std::string name(info.name);
    ParsedRequest json = ParseOk(JsonPost("AmazonSQS." + name, "{}"));
    EXPECT_EQ(json.protocol(), Protocol::kJson10) << name;
    EXPECT_EQ(json.action(), info.action) << name;
    ParsedRequest query = ParseOk(QueryPost("Action=" + name + "&Version=2012-11-05"));
    EXPECT_EQ(query.protocol(), Protocol::kQuery) << name;
    EXPECT_EQ(query.action(), info.action) << name;
  }
}

TEST(ParseTest, AmzTargetWinsOverAnAction) {
  Request request = JsonPost("AmazonSQS.ListQueues", "{}");
  request.query = "Action=SendMessage";
  ParsedRequest parsed = ParseOk(request);
  EXPECT_EQ(parsed.protocol(), Protocol::kJson10);
  EXPECT_EQ(parsed.action(), Action::kListQueues);
}

TEST(ParseTest, ActionInFormBody) {
  ParsedRequest parsed = ParseOk(QueryPost(
      "Action=SendMessage&Version=2012-11-05&QueueUrl=http%3A%2F%2Fh%2F1%2Fq&MessageBody=a+b"));
  EXPECT_EQ(parsed.protocol(), Protocol::kQuery);
  EXPECT_EQ(parsed.action(), Action::kSendMessage);
  auto in = DecodeOk<sqs::SendMessageInput>(parsed);
  EXPECT_EQ(in.queue_url, "http://h/1/q");
  EXPECT_EQ(in.message_body, "a b");
}

TEST(ParseTest, FormBodyWithoutContentType) {
  Request request = QueryPost("Action=ListQueues");
  request.content_type.clear();
  EXPECT_EQ(ParseOk(request).action(), Action::kListQueues);
}

TEST(ParseTest, ActionInQueryString) {
  ParsedRequest parsed = ParseOk(QueryGet("Action=ListQueues&QueueNamePrefix=or%20d"));
  EXPECT_EQ(parsed.protocol(), Protocol::kQuery);
  EXPECT_EQ(parsed.action(), Action::kListQueues);
  EXPECT_EQ(DecodeOk<sqs::ListQueuesInput>(parsed).queue_name_prefix, "or d");
}

TEST(ParseTest, QueryStringAndBodyAreMerged) {
  Request request = QueryPost("QueueUrl=q&MessageBody=from+body");
  request.query = "Action=SendMessage&DelaySeconds=3";
  ParsedRequest parsed = ParseOk(request);
  EXPECT_EQ(parsed.action(), Action::kSendMessage);
  auto in = DecodeOk<sqs::SendMessageInput>(parsed);
  EXPECT_EQ(in.queue_url, "q");
  EXPECT_EQ(in.message_body, "from body");
  EXPECT_EQ(in.delay_seconds, 3);
}

TEST(ParseTest, NonFormBodyIsNotRead) {
  Request request = QueryPost("Action=SendMessage");
  request.content_type = "text/plain";
  EXPECT_EQ(ParseError(request).error.code, ErrorCode::kMissingAction);
}

TEST(ParseTest, FormContentTypeIsCaseInsensitive) {
  // BUG: router.cc IsFormContent compares the media type case-sensitively
  // (content_type.substr(0, 33) == "application/x-www-form-urlencoded"), so a form body sent
  // with "Application/X-WWW-Form-Urlencoded" is ignored and the request fails with
  // MissingAction. RFC 9110 §8.3.1: type and subtype names are case-insensitive. Fix: use
  // StartsWithIgnoreCase from common/text.h.
  Request request = QueryPost("Action=ListQueues");
  request.content_type = "Application/X-WWW-Form-Urlencoded; charset=UTF-8";
  auto parsed = Parse(request.View());
  ASSERT_TRUE(parsed.ok()) << parsed.error().error.message;
  EXPECT_EQ(parsed->action(), Action::kListQueues);
}

TEST(ParseTest, MissingAction) {
  RouteError error = ParseError(QueryPost("QueueUrl=q"));
  EXPECT_EQ(error.protocol, Protocol::kQuery);
  EXPECT_EQ(error.error.code, ErrorCode::kMissingAction);
  EXPECT_FALSE(error.unknown_operation_404);
  // Paths that are not queue URLs are not 404s either.
  for (std::string path : {"/", "/000000000000", "/000000000000/", "/a/b/c", "//q", ""}) {
    RouteError e = ParseError(QueryGet("", path));
    EXPECT_EQ(e.error.code, ErrorCode::kMissingAction) << path;
    EXPECT_FALSE(e.unknown_operation_404) << path;
  }
}

TEST(ParseTest, UnknownActionIsInvalidAction) {
  RouteError error = ParseError(QueryPost("Action=FooBar"));
  EXPECT_EQ(error.protocol, Protocol::kQuery);
  EXPECT_EQ(error.error.code, ErrorCode::kInvalidAction);
  EXPECT_EQ(error.error.message, "The action FooBar is not valid for this endpoint.");
  EncodedResponse r = EncodeRouteError(error, "rid");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("<Type>Sender</Type><Code>InvalidAction</Code><Message>The action FooBar "
                        "is not valid for this endpoint.</Message>"),
            std::string::npos)
      << r.body;
  // Wire names are case-sensitive.
  EXPECT_EQ(ParseError(QueryPost("Action=sendmessage")).error.code, ErrorCode::kInvalidAction);
  EXPECT_EQ(ParseError(QueryPost("Action=")).error.code, ErrorCode::kInvalidAction);
}

TEST(ParseTest, InvalidActionEchoIsEscaped) {
  RouteError error = ParseError(QueryGet("Action=%3Cscript%3E%FF"));
  EXPECT_EQ(error.error.code, ErrorCode::kInvalidAction);
  EncodedResponse r = EncodeRouteError(error, "rid");
  EXPECT_NE(r.body.find("The action &lt;script&gt;\xef\xbf\xbd is not valid"), std::string::npos)
      << r.body;
}

TEST(ParseTest, QueueCreationOnAQueuePathIsInvalidAction) {
  for (std::string_view action : {"CreateQueue", "ListQueues"}) {
    RouteError error =
        ParseError(QueryPost("Action=" + std::string(action) + "&QueueName=x", "/000000000000/q1"));
    EXPECT_EQ(error.error.code, ErrorCode::kInvalidAction) << action;
    EXPECT_EQ(error.error.message,
              "The action " + std::string(action) + " is not valid for this endpoint.");
    EXPECT_FALSE(error.unknown_operation_404);
  }
  EXPECT_EQ(ParseOk(QueryPost("Action=CreateQueue&QueueName=x")).action(), Action::kCreateQueue);
}

TEST(ParseTest, QueuePathWithoutActionIsA404) {
  for (std::string method : {"GET", "POST"}) {
    Request request = QueryGet("", "/000000000000/q1");
    request.method = method;
    RouteError error = ParseError(request);
    EXPECT_TRUE(error.unknown_operation_404);
    EXPECT_EQ(error.protocol, Protocol::kQuery);
    EncodedResponse r = EncodeRouteError(error, "rid");
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(r.body, "<UnknownOperationException/>");
  }
}

TEST(ParseTest, QueuePathNamesTheQueue) {
  ParsedRequest parsed = ParseOk(QueryGet("Action=SendMessage&MessageBody=x", "/000000000000/q1"));
  EXPECT_EQ(DecodeOk<sqs::SendMessageInput>(parsed).queue_url, "/000000000000/q1");
  // An explicit QueueUrl overrides the path.
  ParsedRequest explicit_url = ParseOk(QueryPost(
      "Action=DeleteQueue&QueueUrl=http%3A%2F%2Fh%2F000000000000%2Fother", "/000000000000/q1"));
  EXPECT_EQ(DecodeOk<sqs::QueueUrlInput>(explicit_url).queue_url, "http://h/000000000000/other");
}

TEST(ParseTest, UnknownJsonTarget) {
  for (std::string target : {"AmazonSQS.Nope", "AmazonSQS.", "AmazonSQS.sendmessage",
                             "DynamoDB_20120810.GetItem", "SendMessage", "amazonsqs.SendMessage"}) {
    RouteError error = ParseError(JsonPost(target, "{}"));
    EXPECT_EQ(error.protocol, Protocol::kJson10) << target;
    EXPECT_EQ(error.error.code, ErrorCode::kUnknownOperation) << target;
    EXPECT_FALSE(error.unknown_operation_404);
    EncodedResponse r = EncodeRouteError(error, "rid");
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.query_error, "UnknownOperationException;Sender");
    EXPECT_EQ(r.content_type, "application/x-amz-json-1.0");
  }
}

TEST(ParseTest, MalformedQueryStringAndBody) {
  RouteError in_query = ParseError(QueryGet("Action=ListQueues&x=%G1"));
  EXPECT_EQ(in_query.protocol, Protocol::kQuery);
  EXPECT_EQ(in_query.error.code, ErrorCode::kMalformedQueryString);
  RouteError in_body = ParseError(QueryPost("Action=ListQueues&x=%4"));
  EXPECT_EQ(in_body.protocol, Protocol::kQuery);
  EXPECT_EQ(in_body.error.code, ErrorCode::kInvalidQueryParameter);
}

TEST(ParseTest, FirstOfRepeatedParametersWins) {
  Request request = QueryPost("Action=DeleteQueue&QueueUrl=body");
  request.query = "Action=PurgeQueue&QueueUrl=query";
  ParsedRequest parsed = ParseOk(request);
  EXPECT_EQ(parsed.action(), Action::kPurgeQueue);
  EXPECT_EQ(DecodeOk<sqs::QueueUrlInput>(parsed).queue_url, "query");
}

TEST(ParseTest, JsonDecodeErrors) {
  // A JSON ParsedRequest refers to the request's body, so the Request must outlive it.
  Request malformed = JsonPost("AmazonSQS.SendMessage", "{\"QueueUrl\":");
  ParsedRequest parsed = ParseOk(malformed);
  sqs::SendMessageInput in;
  api::ApiStatus status = parsed.Decode(api::Shape::Of(in));
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kSerializationException);

  Request empty_body = JsonPost("AmazonSQS.ListQueues", "");
  ParsedRequest empty = ParseOk(empty_body);
  EXPECT_EQ(DecodeOk<sqs::ListQueuesInput>(empty).queue_name_prefix, std::nullopt);

  Request no_body = JsonPost("AmazonSQS.ListQueues", "");
  RequestView view = no_body.View();
  view.body = nullptr;
  auto parsed_no_body = Parse(view);
  ASSERT_TRUE(parsed_no_body.ok());
  EXPECT_EQ(DecodeOk<sqs::ListQueuesInput>(*parsed_no_body).max_results, std::nullopt);
}

TEST(ParseTest, QueryDecodeErrors) {
  ParsedRequest parsed = ParseOk(QueryPost("Action=ReceiveMessage&MaxNumberOfMessages=lots"));
  sqs::ReceiveMessageInput in;
  api::ApiStatus status = parsed.Decode(api::Shape::Of(in));
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kInvalidParameterValue);
}

TEST(GuessProtocolTest, ByTarget) {
  EXPECT_EQ(GuessProtocol(""), Protocol::kQuery);
  EXPECT_EQ(GuessProtocol("AmazonSQS.SendMessage"), Protocol::kJson10);
}

// --- both codecs produce the same typed input -------------------------------------------------

template <typename T>
void ExpectSameInput(Action action, const std::string& form, const std::string& json) {
  const std::string name(api::InfoOf(action).name);
  ParsedRequest query = ParseOk(QueryPost("Action=" + name + "&Version=2012-11-05&" + form));
  const Request json_request = JsonPost("AmazonSQS." + name, json);
  ParsedRequest js = ParseOk(json_request);
  ASSERT_EQ(query.action(), action);
  ASSERT_EQ(js.action(), action);
  T from_query = DecodeOk<T>(query);
  T from_json = DecodeOk<T>(js);
  EXPECT_EQ(Canonical(from_query), Canonical(from_json));
  T empty{};
  EXPECT_NE(Canonical(from_query), Canonical(empty)) << "nothing was decoded";
}

TEST(CodecEquivalenceTest, SendMessage) {
  ExpectSameInput<sqs::SendMessageInput>(
      Action::kSendMessage,
      "QueueUrl=http%3A%2F%2Flocalhost%3A9324%2F000000000000%2Fmy-queue&MessageBody=hello+"
      "world%0D%0A%E2%9C%93&DelaySeconds=5"
      "&MessageAttribute.1.Name=City&MessageAttribute.1.Value.DataType=String"
      "&MessageAttribute.1.Value.StringValue=Any+City"
      "&MessageAttribute.2.Name=Bin&MessageAttribute.2.Value.DataType=Binary"
      "&MessageAttribute.2.Value.BinaryValue=AAH%2F"
      "&MessageSystemAttribute.1.Name=AWSTraceHeader"
      "&MessageSystemAttribute.1.Value.DataType=String"
      "&MessageSystemAttribute.1.Value.StringValue=Root%3D1"
      "&MessageGroupId=g&MessageDeduplicationId=d",
      R"({"QueueUrl":"http://localhost:9324/000000000000/my-queue",)"
      R"("MessageBody":"hello world\r\n\u2713","DelaySeconds":5,)"
      R"("MessageAttributes":{"City":{"DataType":"String","StringValue":"Any City"},)"
      R"("Bin":{"DataType":"Binary","BinaryValue":"AAH/"}},)"
      R"("MessageSystemAttributes":{"AWSTraceHeader":{"DataType":"String","StringValue":"Root=1"}},)"
      R"("MessageGroupId":"g","MessageDeduplicationId":"d"})");
}

TEST(CodecEquivalenceTest, SendMessageBatch) {
  ExpectSameInput<sqs::SendMessageBatchInput>(
      Action::kSendMessageBatch,
      "QueueUrl=q&SendMessageBatchRequestEntry.2.Id=b&SendMessageBatchRequestEntry.2.MessageBody=2"
      "&SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequestEntry.1.MessageBody=1"
      "&SendMessageBatchRequestEntry.1.DelaySeconds=10"
      "&SendMessageBatchRequestEntry.1.MessageAttribute.1.Name=k"
      "&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType=Number"
      "&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue=1",
      R"({"QueueUrl":"q","Entries":[{"Id":"a","MessageBody":"1","DelaySeconds":10,)"
      R"("MessageAttributes":{"k":{"DataType":"Number","StringValue":"1"}}},)"
      R"({"Id":"b","MessageBody":"2"}]})");
}

TEST(CodecEquivalenceTest, CreateQueue) {
  ExpectSameInput<sqs::CreateQueueInput>(
      Action::kCreateQueue,
      "QueueName=orders.fifo&Attribute.1.Name=FifoQueue&Attribute.1.Value=true"
      "&Attribute.2.Name=VisibilityTimeout&Attribute.2.Value=60&Tag.1.Key=team&Tag.1.Value=core",
      R"({"QueueName":"orders.fifo","Attributes":{"FifoQueue":"true","VisibilityTimeout":"60"},)"
      R"("tags":{"team":"core"}})");
}

TEST(CodecEquivalenceTest, ReceiveMessage) {
  ExpectSameInput<sqs::ReceiveMessageInput>(
      Action::kReceiveMessage,
      "QueueUrl=q&AttributeName.1=All&MessageAttributeName.1=City&MessageAttributeName.2=.*"
      "&MaxNumberOfMessages=10&VisibilityTimeout=30&WaitTimeSeconds=20",
      R"({"QueueUrl":"q","AttributeNames":["All"],"MessageAttributeNames":["City",".*"],)"
      R"("MaxNumberOfMessages":10,"VisibilityTimeout":30,"WaitTimeSeconds":20})");
}

TEST(CodecEquivalenceTest, ChangeMessageVisibilityBatch) {
  ExpectSameInput<sqs::ChangeMessageVisibilityBatchInput>(
      Action::kChangeMessageVisibilityBatch,
      "QueueUrl=q&ChangeMessageVisibilityBatchRequestEntry.1.Id=a"
      "&ChangeMessageVisibilityBatchRequestEntry.1.ReceiptHandle=AQEB%2B%2F%3D"
      "&ChangeMessageVisibilityBatchRequestEntry.1.VisibilityTimeout=0",
      R"({"QueueUrl":"q","Entries":[{"Id":"a","ReceiptHandle":"AQEB+/=","VisibilityTimeout":0}]})");
}

TEST(CodecEquivalenceTest, TagAndUntag) {
  ExpectSameInput<sqs::TagQueueInput>(
      Action::kTagQueue, "QueueUrl=q&Tag.1.Key=a&Tag.1.Value=1&Tag.2.Key=b&Tag.2.Value=",
      R"({"QueueUrl":"q","Tags":{"a":"1","b":""}})");
  ExpectSameInput<sqs::UntagQueueInput>(Action::kUntagQueue, "QueueUrl=q&TagKey.1=a&TagKey.2=b",
                                        R"({"QueueUrl":"q","TagKeys":["a","b"]})");
}

TEST(CodecEquivalenceTest, AddPermission) {
  ExpectSameInput<sqs::AddPermissionInput>(
      Action::kAddPermission,
      "QueueUrl=q&Label=l&AWSAccountId.1=111122223333&ActionName.1=SendMessage",
      R"({"QueueUrl":"q","Label":"l","AWSAccountIds":["111122223333"],"Actions":["SendMessage"]})");
}

}  // namespace
}  // namespace wharf::protocol
