// EncodeSuccess / EncodeError / EncodeRouteError (src/protocol/responses.cc).

#include <gtest/gtest.h>

#include <string>

#include "api/sqs/actions.h"
#include "protocol/protocol.h"

namespace wharf::protocol {
namespace {

using api::Action;
using api::ErrorCode;
namespace sqs = api::sqs;

constexpr std::string_view kProlog = R"(<?xml version="1.0"?>)";

TEST(EncodeSuccessTest, QuerySendMessageMatchesTheReference) {
  // sqs-api.md §1.3.4.
  sqs::SendMessageOutput out;
  out.message_id = "5fea7756-0ea4-451a-a703-a558b933e274";
  out.md5_of_message_body = "5eb63bbbe01eeed093cb22bb8f5acdc3";
  out.md5_of_message_attributes = "37be9c66a26f6493892520be4c5f3abe";
  out.md5_of_message_system_attributes = "5ae4d5d7636402d80f4eb6d213245a88";
  EncodedResponse r = EncodeSuccess(Protocol::kQuery, Action::kSendMessage,
                                    "27daac76-34dd-47df-bd01-1f6e873584a0", api::Shape::Of(out));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/xml");
  EXPECT_EQ(r.query_error, std::nullopt);
  EXPECT_EQ(
      r.body,
      R"(<?xml version="1.0"?><SendMessageResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><SendMessageResult><MessageId>5fea7756-0ea4-451a-a703-a558b933e274</MessageId><MD5OfMessageBody>5eb63bbbe01eeed093cb22bb8f5acdc3</MD5OfMessageBody><MD5OfMessageAttributes>37be9c66a26f6493892520be4c5f3abe</MD5OfMessageAttributes><MD5OfMessageSystemAttributes>5ae4d5d7636402d80f4eb6d213245a88</MD5OfMessageSystemAttributes></SendMessageResult><ResponseMetadata><RequestId>27daac76-34dd-47df-bd01-1f6e873584a0</RequestId></ResponseMetadata></SendMessageResponse>)");
}

TEST(EncodeSuccessTest, QueryReceiveMessageWithCarriageReturnMatchesTheReference) {
  // sqs-api.md §1.3.4, second example.
  sqs::ReceiveMessageOutput out;
  sqs::Message m;
  m.message_id = "5fea7756-0ea4-451a-a703-a558b933e274";
  m.receipt_handle = "AQEBexample==";
  m.md5_of_body = "7a5e9ae9ce811a18c63b710d659d1492";
  m.body = "a\r\nb \"q\" & <x>";
  m.attributes = {{"SentTimestamp", "1735689600000"}, {"ApproximateReceiveCount", "1"}};
  m.md5_of_message_attributes = "a311262e065454b75da111d535b8dacd";
  sqs::MessageAttributeValue v;
  v.data_type = "String";
  v.string_value = "There";
  m.message_attributes = {{"Hello", v}};
  out.messages = {m};
  EncodedResponse r = EncodeSuccess(Protocol::kQuery, Action::kReceiveMessage,
                                    "b5293cb5-d306-4a17-9048-b263635abe42", api::Shape::Of(out));
  EXPECT_EQ(
      r.body,
      "<?xml version=\"1.0\"?><ReceiveMessageResponse "
      "xmlns=\"http://queue.amazonaws.com/doc/2012-11-05/\"><ReceiveMessageResult><Message>"
      "<MessageId>5fea7756-0ea4-451a-a703-a558b933e274</MessageId><ReceiptHandle>AQEBexample=="
      "</ReceiptHandle><MD5OfBody>7a5e9ae9ce811a18c63b710d659d1492</MD5OfBody><Body>a&#xD;\n"
      "b &quot;q&quot; &amp; &lt;x&gt;</Body><Attribute><Name>SentTimestamp</Name><Value>"
      "1735689600000</Value></Attribute><Attribute><Name>ApproximateReceiveCount</Name><Value>1"
      "</Value></Attribute><MD5OfMessageAttributes>a311262e065454b75da111d535b8dacd"
      "</MD5OfMessageAttributes><MessageAttribute><Name>Hello</Name><Value><StringValue>There"
      "</StringValue><DataType>String</DataType></Value></MessageAttribute></Message>"
      "</ReceiveMessageResult><ResponseMetadata><RequestId>b5293cb5-d306-4a17-9048-b263635abe42"
      "</RequestId></ResponseMetadata></ReceiveMessageResponse>");
}

TEST(EncodeSuccessTest, QueryEmptyResultKeepsTheResultElement) {
  // botocore fails without the <XResult> wrapper (sqs-api.md §1.3.2).
  sqs::ReceiveMessageOutput out;
  EncodedResponse r =
      EncodeSuccess(Protocol::kQuery, Action::kReceiveMessage, "rid", api::Shape::Of(out));
  EXPECT_EQ(r.body,
            std::string(kProlog) +
                R"(<ReceiveMessageResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/">)"
                "<ReceiveMessageResult></ReceiveMessageResult>"
                "<ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata>"
                "</ReceiveMessageResponse>");
}

TEST(EncodeSuccessTest, QueryWithoutOutputHasNoResultElement) {
  sqs::Empty out;
  EncodedResponse r =
      EncodeSuccess(Protocol::kQuery, Action::kDeleteMessage, "rid-1", api::Shape::Of(out));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body,
            std::string(kProlog) +
                R"(<DeleteMessageResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/">)"
                "<ResponseMetadata><RequestId>rid-1</RequestId></ResponseMetadata>"
                "</DeleteMessageResponse>");
}

TEST(EncodeSuccessTest, ResultElementFollowsTheActionTable) {
  for (const api::ActionInfo& info : api::AllActions()) {
    sqs::Empty out;
    EncodedResponse r = EncodeSuccess(Protocol::kQuery, info.action, "rid", api::Shape::Of(out));
    const std::string name(info.name);
    SCOPED_TRACE(name);
    EXPECT_EQ(r.body.find("<" + name + "Response xmlns="), kProlog.size());
    EXPECT_EQ(r.body.find("<" + name + "Result></" + name + "Result>") != std::string::npos,
              info.has_output);
    EXPECT_EQ(r.body.substr(r.body.size() - name.size() - 11), "</" + name + "Response>");

    EncodedResponse j = EncodeSuccess(Protocol::kJson10, info.action, "rid", api::Shape::Of(out));
    EXPECT_EQ(j.body, "{}");
    EXPECT_EQ(j.status, 200);
    EXPECT_EQ(j.content_type, "application/x-amz-json-1.0");
    EXPECT_EQ(j.query_error, std::nullopt);
  }
}

TEST(EncodeSuccessTest, RequestIdIsEscaped) {
  sqs::Empty out;
  EncodedResponse r =
      EncodeSuccess(Protocol::kQuery, Action::kPurgeQueue, "a<b&c", api::Shape::Of(out));
  EXPECT_NE(r.body.find("<RequestId>a&lt;b&amp;c</RequestId>"), std::string::npos) << r.body;
}

TEST(EncodeSuccessTest, JsonSendMessage) {
  sqs::SendMessageOutput out;
  out.message_id = "5fea7756-0ea4-451a-a703-a558b933e274";
  out.md5_of_message_body = "5eb63bbbe01eeed093cb22bb8f5acdc3";
  EncodedResponse r =
      EncodeSuccess(Protocol::kJson10, Action::kSendMessage, "rid", api::Shape::Of(out));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/x-amz-json-1.0");
  EXPECT_EQ(r.body, R"({"MessageId":"5fea7756-0ea4-451a-a703-a558b933e274",)"
                    R"("MD5OfMessageBody":"5eb63bbbe01eeed093cb22bb8f5acdc3"})");
}

TEST(EncodeErrorTest, QueryQueueDoesNotExistMatchesTheReference) {
  // sqs-api.md §1.3.3.
  EncodedResponse r = EncodeError(Protocol::kQuery, "05c2f5f1-8e7f-5a3e-9c6a-3e5a0e1a8f11",
                                  api::Error(ErrorCode::kQueueDoesNotExist));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.content_type, "text/xml");
  EXPECT_EQ(r.query_error, std::nullopt);
  EXPECT_EQ(
      r.body,
      R"(<?xml version="1.0"?><ErrorResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><Error><Type>Sender</Type><Code>AWS.SimpleQueueService.NonExistentQueue</Code><Message>The specified queue does not exist for this wsdl version.</Message><Detail/></Error><RequestId>05c2f5f1-8e7f-5a3e-9c6a-3e5a0e1a8f11</RequestId></ErrorResponse>)");
}

TEST(EncodeErrorTest, JsonQueueDoesNotExistMatchesTheReference) {
  // sqs-api.md §1.4.3.
  EncodedResponse r = EncodeError(Protocol::kJson10, "27daac76-34dd-47df-bd01-1f6e873584a0",
                                  api::Error(ErrorCode::kQueueDoesNotExist));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.content_type, "application/x-amz-json-1.0");
  EXPECT_EQ(r.query_error, "AWS.SimpleQueueService.NonExistentQueue;Sender");
  EXPECT_EQ(
      r.body,
      R"({"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"The specified queue does not exist."})");
}

TEST(EncodeErrorTest, JsonInvalidParameterValueMatchesTheReference) {
  // sqs-api.md §1.4.4, JSON error example 2.
  EncodedResponse r = EncodeError(
      Protocol::kJson10, "4d1c0a8e-0d25-4d44-9a49-9b1b6a0c2f35",
      api::Error(ErrorCode::kInvalidParameterValue,
                 "Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between "
                 "1 and 10, if provided."));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.query_error, "InvalidParameterValue;Sender");
  EXPECT_EQ(
      r.body,
      R"({"__type":"com.amazon.coral.service#InvalidParameterValueException","message":"Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided."})");
}

TEST(EncodeErrorTest, ExplicitMessageOverridesTheDefaultInBothProtocols) {
  api::ApiError error = api::Error(ErrorCode::kQueueDoesNotExist, "Custom.");
  EXPECT_NE(EncodeError(Protocol::kQuery, "r", error).body.find("<Message>Custom.</Message>"),
            std::string::npos);
  EXPECT_NE(EncodeError(Protocol::kJson10, "r", error).body.find(R"("message":"Custom.")"),
            std::string::npos);
}

TEST(EncodeErrorTest, ReceiverFaults) {
  EncodedResponse json =
      EncodeError(Protocol::kJson10, "r", api::Error(ErrorCode::kInternalFailure));
  EXPECT_EQ(json.status, 500);
  EXPECT_EQ(json.query_error, "InternalFailure;Receiver");
  EncodedResponse xml = EncodeError(Protocol::kQuery, "r", api::Error(ErrorCode::kInternalFailure));
  EXPECT_EQ(xml.status, 500);
  EXPECT_NE(xml.body.find("<Type>Receiver</Type><Code>InternalFailure</Code>"), std::string::npos);
  EXPECT_EQ(
      EncodeError(Protocol::kJson10, "r", api::Error(ErrorCode::kServiceUnavailable)).query_error,
      "ServiceUnavailable;Receiver");
}

TEST(EncodeErrorTest, StatusesFromTheCatalog) {
  EXPECT_EQ(EncodeError(Protocol::kQuery, "r", api::Error(ErrorCode::kPurgeQueueInProgress)).status,
            403);
  EXPECT_EQ(
      EncodeError(Protocol::kJson10, "r", api::Error(ErrorCode::kReceiptHandleIsInvalid)).status,
      404);
  EXPECT_EQ(
      EncodeError(Protocol::kJson10, "r", api::Error(ErrorCode::kQueueNameExists)).query_error,
      "QueueAlreadyExists;Sender");
  for (size_t i = 0; i < api::kErrorCodeCount; ++i) {
    const auto code = static_cast<ErrorCode>(i);
    const api::ErrorInfo& info = api::InfoOf(code);
    for (Protocol p : {Protocol::kQuery, Protocol::kJson10}) {
      EncodedResponse r = EncodeError(p, "r", api::Error(code));
      EXPECT_EQ(r.status, info.http_status) << info.query_code;
    }
    EncodedResponse j = EncodeError(Protocol::kJson10, "r", api::Error(code));
    EXPECT_EQ(j.body.find(R"({"__type":")" + std::string(info.json_type) + R"(","message":")"), 0u)
        << j.body;
  }
}

TEST(EncodeErrorTest, MessagesAreEscaped) {
  api::ApiError error = api::Error(ErrorCode::kInvalidAction,
                                   "The action <Foo&\"Bar\"> is not valid\nfor this endpoint.");
  EXPECT_NE(EncodeError(Protocol::kQuery, "r", error)
                .body.find("<Message>The action &lt;Foo&amp;&quot;Bar&quot;&gt; is not valid\n"
                           "for this endpoint.</Message>"),
            std::string::npos);
  EXPECT_NE(
      EncodeError(Protocol::kJson10, "r", error)
          .body.find(R"("message":"The action <Foo&\"Bar\"> is not valid\nfor this endpoint.")"),
      std::string::npos);
  // Client input echoed in a message may be invalid UTF-8.
  api::ApiError bad = api::Error(ErrorCode::kInvalidAction, "x\xff");
  EXPECT_NE(EncodeError(Protocol::kJson10, "r", bad).body.find("x\xef\xbf\xbd\"}"),
            std::string::npos);
  EXPECT_NE(EncodeError(Protocol::kQuery, "r", bad).body.find("x\xef\xbf\xbd</Message>"),
            std::string::npos);
}

TEST(EncodeRouteErrorTest, UnknownOperation404) {
  RouteError error{Protocol::kQuery, api::Error(ErrorCode::kUnknownOperation), true};
  EncodedResponse r = EncodeRouteError(error, "rid");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, "<UnknownOperationException/>");
}

TEST(EncodeRouteErrorTest, OtherwiseAnOrdinaryError) {
  RouteError error{Protocol::kJson10, api::Error(ErrorCode::kUnknownOperation, "Nope."), false};
  EncodedResponse r = EncodeRouteError(error, "rid");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.query_error, "UnknownOperationException;Sender");
  EXPECT_EQ(r.body,
            R"({"__type":"com.amazon.coral.service#UnknownOperationException","message":"Nope."})");
}

}  // namespace
}  // namespace wharf::protocol
