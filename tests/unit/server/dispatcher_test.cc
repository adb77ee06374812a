#include "server/dispatcher.h"

#include <gtest/gtest.h>

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "api/action.h"
#include "harness.h"
#include "header_edits.h"

// The in-process request path: HTTP request → protocol → handler → HTTP response, run over both
// SQS protocols (sqs-api.md §1.3, §1.4, §6). The same scenario runs as an AWS Query form POST and
// as an AWS JSON 1.0 request.

namespace wharf::server::testing {
namespace {

constexpr const char* kQueueUrl = "http://localhost:9324/000000000000/my-queue";
constexpr const char* kXmlns = "http://queue.amazonaws.com/doc/2012-11-05/";

class DispatcherTest : public ::testing::TestWithParam<Wire> {
 protected:
  Wire wire() const { return GetParam(); }
  bool json() const { return wire() == Wire::kJson; }

  net::HttpResponse Call(std::string_view action, const Params& params = {}) {
    return h_.Call(wire(), action, params);
  }
  std::optional<std::string> FieldOf(const net::HttpResponse& r, std::string_view name) {
    return Field(wire(), r.body, name);
  }
  std::optional<std::string> AttrOf(const net::HttpResponse& r, std::string_view name) {
    return AttributeOf(wire(), r.body, name);
  }
  std::string ContentType() const { return json() ? "application/x-amz-json-1.0" : "text/xml"; }

  std::string CreateQueue(const std::string& name, Params::Pairs attributes = {}) {
    Params p;
    p.Str("QueueName", name);
    if (!attributes.empty()) p.Map("Attributes", "Attribute", "Name", std::move(attributes));
    net::HttpResponse r = Call("CreateQueue", p);
    EXPECT_EQ(r.status, 200) << r.body;
    return FieldOf(r, "QueueUrl").value_or("");
  }

  // Expects an error response in the caller's protocol.
  void ExpectError(const net::HttpResponse& r, int status, std::string_view query_code,
                   std::string_view json_type, const std::string& message) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(HeaderOf(r, "Content-Type"), ContentType());
    const std::string id(HeaderOf(r, "x-amzn-RequestId"));
    if (json()) {
      EXPECT_EQ(HeaderOf(r, "x-amzn-query-error"), std::string(query_code) + ";Sender");
      EXPECT_EQ(r.body, R"({"__type":")" + std::string(json_type) + R"(","message":)" +
                            JsonQuote(message) + "}");
    } else {
      EXPECT_EQ(HeaderCount(r, "x-amzn-query-error"), 0);
      EXPECT_EQ(r.body, std::string(R"(<?xml version="1.0"?><ErrorResponse xmlns=")") + kXmlns +
                            R"("><Error><Type>Sender</Type><Code>)" + std::string(query_code) +
                            "</Code><Message>" + message +
                            "</Message><Detail/></Error><RequestId>" + id +
                            "</RequestId></ErrorResponse>");
    }
  }

  Harness h_;
};

INSTANTIATE_TEST_SUITE_P(BothProtocols, DispatcherTest,
                         ::testing::Values(Wire::kQuery, Wire::kJson),
                         [](const ::testing::TestParamInfo<Wire>& info) {
                           return WireName(info.param);
                         });

TEST_P(DispatcherTest, CreateQueueReturnsTheQueueUrl) {
  net::HttpResponse r = Call("CreateQueue", Params().Str("QueueName", "my-queue"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(HeaderOf(r, "Content-Type"), ContentType());
  const std::string id(HeaderOf(r, "x-amzn-RequestId"));
  EXPECT_EQ(id.size(), 36u) << "a UUID";
  if (json()) {
    EXPECT_EQ(r.body, R"({"QueueUrl":"http://localhost:9324/000000000000/my-queue"})");
  } else {
    EXPECT_EQ(r.body,
              std::string(R"(<?xml version="1.0"?><CreateQueueResponse xmlns=")") + kXmlns +
                  R"("><CreateQueueResult><QueueUrl>http://localhost:9324/000000000000/)"
                  R"(my-queue</QueueUrl></CreateQueueResult><ResponseMetadata><RequestId>)" +
                  id + "</RequestId></ResponseMetadata></CreateQueueResponse>");
  }
  // Each response has its own request id.
  net::HttpResponse again = Call("CreateQueue", Params().Str("QueueName", "my-queue"));
  EXPECT_NE(HeaderOf(again, "x-amzn-RequestId"), id);
}

TEST_P(DispatcherTest, CreateQueueWithAttributesAndTags) {
  Params p;
  p.Str("QueueName", "my-queue")
      .Map("Attributes", "Attribute", "Name", {{"VisibilityTimeout", "60"}, {"DelaySeconds", "3"}})
      .Map("tags", "Tag", "Key", {{"env", "dev"}});
  net::HttpResponse r = Call("CreateQueue", p);
  ASSERT_EQ(r.status, 200) << r.body;
  r = Call("GetQueueAttributes",
           Params().Str("QueueUrl", kQueueUrl).List("AttributeNames", "AttributeName", {"All"}));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(AttrOf(r, "VisibilityTimeout"), "60");
  EXPECT_EQ(AttrOf(r, "DelaySeconds"), "3");
  r = Call("ListQueueTags", Params().Str("QueueUrl", kQueueUrl));
  ASSERT_EQ(r.status, 200) << r.body;
  if (json()) {
    EXPECT_EQ(r.body, R"({"Tags":{"env":"dev"}})");
  } else {
    EXPECT_NE(r.body.find("<ListQueueTagsResult><Tag><Key>env</Key><Value>dev</Value></Tag>"
                          "</ListQueueTagsResult>"),
              std::string::npos)
        << r.body;
  }
}

// §1.3.4 / §1.4.4: the SendMessage example and its digests.
TEST_P(DispatcherTest, SendMessageWithAttributesReturnsTheDocumentedDigests) {
  CreateQueue("my-queue");
  Params p;
  p.Str("QueueUrl", kQueueUrl)
      .Str("MessageBody", "hello world")
      .Int("DelaySeconds", 5)
      .MessageAttributes("MessageAttributes", "MessageAttribute",
                         {{"City", "String", "Any City"},
                          {"Population", "Number", "1250800"},
                          {"Weight", "Number.float", "3.14"}})
      .MessageAttributes(
          "MessageSystemAttributes", "MessageSystemAttribute",
          {{"AWSTraceHeader", "String",
            "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"}});
  net::HttpResponse r = Call("SendMessage", p);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(HeaderOf(r, "Content-Type"), ContentType());
  EXPECT_EQ(FieldOf(r, "MD5OfMessageBody"), "5eb63bbbe01eeed093cb22bb8f5acdc3");
  EXPECT_EQ(FieldOf(r, "MD5OfMessageAttributes"), "37be9c66a26f6493892520be4c5f3abe");
  EXPECT_EQ(FieldOf(r, "MD5OfMessageSystemAttributes"), "5ae4d5d7636402d80f4eb6d213245a88");
  const std::string message_id = FieldOf(r, "MessageId").value_or("");
  EXPECT_EQ(message_id.size(), 36u);
  EXPECT_FALSE(FieldOf(r, "SequenceNumber"));

  // Delayed 5 s; then received with every attribute.
  Params receive;
  receive.Str("QueueUrl", kQueueUrl)
      .List("AttributeNames", "AttributeName", {"All"})
      .List("MessageAttributeNames", "MessageAttributeName", {"All"});
  r = Call("ReceiveMessage", receive);
  ASSERT_EQ(r.status, 200);
  EXPECT_FALSE(FieldOf(r, "MessageId")) << "still delayed: " << r.body;
  h_.clock_.Advance(Seconds(5));
  r = Call("ReceiveMessage", receive);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(FieldOf(r, "MessageId"), message_id);
  EXPECT_EQ(FieldOf(r, "Body"), "hello world");
  EXPECT_EQ(FieldOf(r, "MD5OfBody"), "5eb63bbbe01eeed093cb22bb8f5acdc3");
  EXPECT_EQ(FieldOf(r, "MD5OfMessageAttributes"), "37be9c66a26f6493892520be4c5f3abe");
  EXPECT_EQ(AttrOf(r, "ApproximateReceiveCount"), "1");
  EXPECT_EQ(AttrOf(r, "SenderId"), "000000000000");
  EXPECT_EQ(AttrOf(r, "AWSTraceHeader"),
            "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1");
  EXPECT_TRUE(FieldOf(r, "ReceiptHandle"));
  if (json()) {
    EXPECT_NE(r.body.find(R"("Weight":{"StringValue":"3.14","DataType":"Number.float"})"),
              std::string::npos)
        << r.body;
  } else {
    EXPECT_NE(r.body.find("<MessageAttribute><Name>Weight</Name><Value><StringValue>3.14"
                          "</StringValue><DataType>Number.float</DataType></Value>"
                          "</MessageAttribute>"),
              std::string::npos)
        << r.body;
  }
}

TEST_P(DispatcherTest, EmptyReceiveKeepsTheResultWrapper) {
  CreateQueue("my-queue");
  net::HttpResponse r = Call("ReceiveMessage", Params().Str("QueueUrl", kQueueUrl));
  ASSERT_EQ(r.status, 200);
  if (json()) {
    EXPECT_EQ(r.body, "{}");
  } else {
    EXPECT_NE(r.body.find("<ReceiveMessageResult></ReceiveMessageResult>"), std::string::npos)
        << r.body;
  }
}

TEST_P(DispatcherTest, BodyWithCarriageReturnSurvivesTheRoundTrip) {
  CreateQueue("my-queue");
  const std::string body = "a\r\nb \"q\" & <x>";
  net::HttpResponse r =
      Call("SendMessage", Params().Str("QueueUrl", kQueueUrl).Str("MessageBody", body));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(FieldOf(r, "MD5OfMessageBody"), "7a5e9ae9ce811a18c63b710d659d1492");
  r = Call("ReceiveMessage", Params().Str("QueueUrl", kQueueUrl));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(FieldOf(r, "Body"), body);
  EXPECT_EQ(FieldOf(r, "MD5OfBody"), "7a5e9ae9ce811a18c63b710d659d1492");
  if (!json()) {
    // §1.3.2: CR must travel as &#xD; or XML parsers turn it into LF.
    EXPECT_NE(r.body.find("<Body>a&#xD;\nb &quot;q&quot; &amp; &lt;x&gt;</Body>"),
              std::string::npos)
        << r.body;
  }
}

TEST_P(DispatcherTest, GetQueueAttributesAll) {
  CreateQueue("my-queue");
  Call("SendMessage", Params().Str("QueueUrl", kQueueUrl).Str("MessageBody", "x"));
  net::HttpResponse r =
      Call("GetQueueAttributes",
           Params().Str("QueueUrl", kQueueUrl).List("AttributeNames", "AttributeName", {"All"}));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(AttrOf(r, "QueueArn"), "arn:aws:sqs:us-east-1:000000000000:my-queue");
  EXPECT_EQ(AttrOf(r, "VisibilityTimeout"), "30");
  EXPECT_EQ(AttrOf(r, "MaximumMessageSize"), "1048576");
  EXPECT_EQ(AttrOf(r, "MessageRetentionPeriod"), "345600");
  EXPECT_EQ(AttrOf(r, "SqsManagedSseEnabled"), "true");
  EXPECT_EQ(AttrOf(r, "ApproximateNumberOfMessages"), "1");
  EXPECT_EQ(AttrOf(r, "ApproximateNumberOfMessagesNotVisible"), "0");
  EXPECT_EQ(AttrOf(r, "ApproximateNumberOfMessagesDelayed"), "0");
  EXPECT_FALSE(AttrOf(r, "Policy"));
  // No names: an empty result, not an error.
  r = Call("GetQueueAttributes", Params().Str("QueueUrl", kQueueUrl));
  ASSERT_EQ(r.status, 200);
  if (json()) {
    EXPECT_EQ(r.body, "{}");
  }
}

TEST_P(DispatcherTest, QueueDoesNotExistHasTheExactBodyAndHeaders) {
  net::HttpResponse r = Call("GetQueueAttributes",
                             Params().Str("QueueUrl", "http://localhost:9324/000000000000/nope"));
  ExpectError(r, 400, "AWS.SimpleQueueService.NonExistentQueue",
              "com.amazonaws.sqs#QueueDoesNotExist",
              json() ? "The specified queue does not exist."
                     : "The specified queue does not exist for this wsdl version.");
  r = Call("GetQueueUrl", Params().Str("QueueName", "nope"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(
      FieldOf(r, json() ? "message" : "Code"),
      json() ? "The specified queue does not exist." : "AWS.SimpleQueueService.NonExistentQueue");
}

TEST_P(DispatcherTest, InvalidParameterValueUsesTheCoralShapeAndQueryCode) {
  CreateQueue("my-queue");
  net::HttpResponse r =
      Call("ReceiveMessage", Params().Str("QueueUrl", kQueueUrl).Int("MaxNumberOfMessages", 11));
  ExpectError(r, 400, "InvalidParameterValue",
              "com.amazon.coral.service#InvalidParameterValueException",
              "Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 "
              "and 10, if provided.");
}

TEST_P(DispatcherTest, MissingParameter) {
  net::HttpResponse r = Call("SendMessage", Params().Str("MessageBody", "x"));
  ExpectError(r, 400, "MissingParameter",
              "com.amazon.coral.service#MissingRequiredParameterException",
              "The request must contain the parameter QueueUrl.");
}

TEST_P(DispatcherTest, PurgeQueueInProgressIs403) {
  CreateQueue("my-queue");
  ASSERT_EQ(Call("PurgeQueue", Params().Str("QueueUrl", kQueueUrl)).status, 200);
  net::HttpResponse r = Call("PurgeQueue", Params().Str("QueueUrl", kQueueUrl));
  ExpectError(r, 403, "AWS.SimpleQueueService.PurgeQueueInProgress",
              "com.amazonaws.sqs#PurgeQueueInProgress",
              "Only one PurgeQueue operation on my-queue is allowed every 60 seconds.");
  h_.clock_.Advance(Seconds(60));
  EXPECT_EQ(Call("PurgeQueue", Params().Str("QueueUrl", kQueueUrl)).status, 200);
}

TEST_P(DispatcherTest, GarbageReceiptHandle) {
  CreateQueue("my-queue");
  net::HttpResponse r =
      Call("DeleteMessage", Params().Str("QueueUrl", kQueueUrl).Str("ReceiptHandle", "garbage"));
  ExpectError(r, 404, "ReceiptHandleIsInvalid", "com.amazonaws.sqs#ReceiptHandleIsInvalid",
              json() ? "The input receipt handle \"garbage\" is not a valid receipt handle."
                     : "The input receipt handle &quot;garbage&quot; is not a valid receipt "
                       "handle.");
}

TEST_P(DispatcherTest, ReceiveDeleteAndChangeVisibilityThroughTheWire) {
  CreateQueue("my-queue");
  Call("SendMessage", Params().Str("QueueUrl", kQueueUrl).Str("MessageBody", "m1"));
  net::HttpResponse r = Call(
      "ReceiveMessage", Params()
                            .Str("QueueUrl", kQueueUrl)
                            .List("AttributeNames", "AttributeName", {"ApproximateReceiveCount"}));
  const std::string handle = FieldOf(r, "ReceiptHandle").value_or("");
  ASSERT_FALSE(handle.empty()) << r.body;
  r = Call(
      "ChangeMessageVisibility",
      Params().Str("QueueUrl", kQueueUrl).Str("ReceiptHandle", handle).Int("VisibilityTimeout", 0));
  ASSERT_EQ(r.status, 200) << r.body;
  if (json()) {
    EXPECT_EQ(r.body, "{}");
  }
  r = Call("ReceiveMessage",
           Params()
               .Str("QueueUrl", kQueueUrl)
               .List("AttributeNames", "AttributeName", {"ApproximateReceiveCount"}));
  EXPECT_EQ(AttrOf(r, "ApproximateReceiveCount"), "2");
  const std::string second = FieldOf(r, "ReceiptHandle").value_or("");
  EXPECT_NE(second, handle);
  r = Call("DeleteMessage", Params().Str("QueueUrl", kQueueUrl).Str("ReceiptHandle", second));
  ASSERT_EQ(r.status, 200) << r.body;
  if (!json()) {
    EXPECT_EQ(r.body, std::string(R"(<?xml version="1.0"?><DeleteMessageResponse xmlns=")") +
                          kXmlns + R"("><ResponseMetadata><RequestId>)" +
                          std::string(HeaderOf(r, "x-amzn-RequestId")) +
                          "</RequestId></ResponseMetadata></DeleteMessageResponse>");
  }
}

TEST_P(DispatcherTest, SendMessageBatchReportsFailedEntries) {
  CreateQueue("my-queue", {{"MaximumMessageSize", "1024"}});
  net::HttpResponse r = Call(
      "SendMessageBatch", Params()
                              .Str("QueueUrl", kQueueUrl)
                              .Entries("Entries", "SendMessageBatchRequestEntry",
                                       {{{"Id", "ok"}, {"MessageBody", "hello world"}},
                                        {{"Id", "big"}, {"MessageBody", std::string(1025, 'a')}}}));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(FieldOf(r, "MD5OfMessageBody"), "5eb63bbbe01eeed093cb22bb8f5acdc3");
  EXPECT_EQ(FieldOf(r, "Code"), "InvalidParameterValue");
  EXPECT_EQ(FieldOf(r, "Message"),
            "One or more parameters cannot be validated. Reason: Message must be shorter than "
            "1024 bytes.");
  if (json()) {
    EXPECT_NE(r.body.find(R"("SenderFault":true)"), std::string::npos) << r.body;
  } else {
    EXPECT_NE(r.body.find("<BatchResultErrorEntry><Id>big</Id><SenderFault>true</SenderFault>"),
              std::string::npos)
        << r.body;
  }
}

TEST_P(DispatcherTest, LongPollIsAnsweredBySendMessage) {
  CreateQueue("my-queue");
  auto parked = h_.Dispatch(Harness::Request(
      wire(), "ReceiveMessage", Params().Str("QueueUrl", kQueueUrl).Int("WaitTimeSeconds", 10)));
  EXPECT_EQ(parked->calls, 0);
  h_.clock_.Advance(Seconds(1));
  Call("SendMessage", Params().Str("QueueUrl", kQueueUrl).Str("MessageBody", "late"));
  ASSERT_EQ(parked->calls, 1);
  EXPECT_EQ(parked->response->status, 200);
  EXPECT_EQ(Field(wire(), parked->response->body, "Body"), "late");
  EXPECT_FALSE(HeaderOf(*parked->response, "x-amzn-RequestId").empty());
}

TEST_P(DispatcherTest, UnansweredLongPollEndsEmptyWhenItsWaitEnds) {
  CreateQueue("my-queue");
  auto parked = h_.Dispatch(Harness::Request(
      wire(), "ReceiveMessage", Params().Str("QueueUrl", kQueueUrl).Int("WaitTimeSeconds", 20)));
  h_.clock_.Advance(Seconds(19));
  EXPECT_EQ(parked->calls, 0);
  h_.clock_.Advance(Seconds(1));
  ASSERT_EQ(parked->calls, 1);
  EXPECT_EQ(parked->response->status, 200);
  EXPECT_FALSE(Field(wire(), parked->response->body, "MessageId"));
}

TEST_P(DispatcherTest, MissingAuthorizationIsMissingAuthenticationToken) {
  net::HttpResponse r = h_.Call(Harness::Request(wire(), "ListQueues", Params(), false));
  ExpectError(r, 403, "MissingAuthenticationToken",
              "com.amazon.coral.service#MissingAuthenticationTokenException",
              "Request is missing Authentication Token");
}

TEST_P(DispatcherTest, MalformedAuthorizationIsIncompleteSignature) {
  net::HttpRequest request = Harness::Request(wire(), "ListQueues", Params(), false);
  request.headers.Add("Authorization", "AWS4-HMAC-SHA256 Credential=test");
  net::HttpResponse r = h_.Call(std::move(request));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(
      FieldOf(r, json() ? "__type" : "Code"),
      json() ? "com.amazon.coral.service#IncompleteSignatureException" : "IncompleteSignature");
}

TEST_P(DispatcherTest, BodyTooLargeIs413) {
  net::HttpRequest request = Harness::Request(wire(), "SendMessage", Params());
  request.body.clear();
  request.body_too_large = true;
  net::HttpResponse r = h_.Call(std::move(request));
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(HeaderOf(r, "Content-Type"), ContentType());
  EXPECT_EQ(FieldOf(r, json() ? "__type" : "Code"),
            json() ? "com.amazon.coral.service#RequestEntityTooLarge" : "RequestEntityTooLarge");
}

// Every action reaches its handler: an empty input gets that handler's own validation error or
// a success, never UnsupportedOperation.
TEST_P(DispatcherTest, EveryImplementedActionReachesAHandler) {
  const std::set<std::string_view> implemented = {"AddPermission",
                                                  "ChangeMessageVisibility",
                                                  "ChangeMessageVisibilityBatch",
                                                  "CreateQueue",
                                                  "DeleteMessage",
                                                  "DeleteMessageBatch",
                                                  "DeleteQueue",
                                                  "GetQueueAttributes",
                                                  "GetQueueUrl",
                                                  "ListDeadLetterSourceQueues",
                                                  "ListQueues",
                                                  "ListQueueTags",
                                                  "PurgeQueue",
                                                  "ReceiveMessage",
                                                  "RemovePermission",
                                                  "SendMessage",
                                                  "StartMessageMoveTask",
                                                  "CancelMessageMoveTask",
                                                  "ListMessageMoveTasks",
                                                  "SendMessageBatch",
                                                  "SetQueueAttributes",
                                                  "TagQueue",
                                                  "UntagQueue"};
  const std::set<std::string_view> not_implemented = {};
  ASSERT_EQ(implemented.size() + not_implemented.size(), api::AllActions().size());
  for (const api::ActionInfo& info : api::AllActions()) {
    net::HttpResponse r = Call(info.name);
    const std::string code = FieldOf(r, json() ? "__type" : "Code").value_or("");
    if (implemented.count(info.name)) {
      EXPECT_EQ(code.find("UnsupportedOperation"), std::string::npos)
          << info.name << ": " << r.body;
      EXPECT_LT(r.status, 500) << info.name << ": " << r.body;
    } else {
      ASSERT_TRUE(not_implemented.count(info.name)) << info.name << " is in neither list";
      ExpectError(r, 400, "AWS.SimpleQueueService.UnsupportedOperation",
                  "com.amazonaws.sqs#UnsupportedOperation",
                  "The action " + std::string(info.name) + " is not supported by this server yet.");
    }
  }
}

TEST_P(DispatcherTest, ListQueuesWithPrefix) {
  for (const char* name : {"b-queue", "a-queue-2", "a-queue-1"}) CreateQueue(name);
  net::HttpResponse r = Call("ListQueues", Params().Str("QueueNamePrefix", "a-"));
  ASSERT_EQ(r.status, 200);
  if (json()) {
    EXPECT_EQ(r.body, R"({"QueueUrls":["http://localhost:9324/000000000000/a-queue-1",)"
                      R"("http://localhost:9324/000000000000/a-queue-2"]})");
  } else {
    EXPECT_NE(r.body.find("<ListQueuesResult><QueueUrl>http://localhost:9324/000000000000/"
                          "a-queue-1</QueueUrl><QueueUrl>http://localhost:9324/000000000000/"
                          "a-queue-2</QueueUrl></ListQueuesResult>"),
              std::string::npos)
        << r.body;
  }
  r = Call("ListQueues", Params().Str("QueueNamePrefix", "zzz"));
  ASSERT_EQ(r.status, 200);
  if (json()) {
    EXPECT_EQ(r.body, "{}") << "§1.4.2: no QueueUrls key when nothing matches";
  }
}

// --- not parameterised ----------------------------------------------------------------------

TEST(DispatcherHealthTest, HealthAnswers200) {
  Harness h;
  net::HttpRequest request;
  request.method = "GET";
  request.target = "/health";
  net::HttpResponse r = h.Call(std::move(request));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"status":"ok","storage":"ok"})");
  EXPECT_EQ(HeaderOf(r, "Content-Type"), "application/json");
}

// A store whose writes fail (a full disk) until healed: what GET /health reports meanwhile.
class FailingStore final : public storage::Store {
 public:
  bool durable() const override { return true; }
  storage::StorageStatus Health() const override {
    if (!failure) return {};
    return storage::StorageError{*failure, "/data/000123.log: No space left on device"};
  }
  uint64_t Append(std::vector<storage::Record>) override { return 0; }
  void WhenDurable(uint64_t, storage::CommitDone done) override { done({}); }
  storage::StorageStatus Recover(storage::RecoveryVisitor&) override { return {}; }
  void ReadMessages(uint64_t, std::vector<uint64_t> seqs, storage::ReadDone done) override {
    done(std::vector<std::string>(seqs.size()));
  }
  storage::StorageStatus ScanObjects(
      std::string_view, const std::function<void(std::string_view, std::string_view)>&) override {
    return {};
  }

  std::optional<storage::StorageErrorCode> failure;
};

TEST(DispatcherHealthTest, HealthSaysDegradedWhileTheStoreFailsWithoutItsDetail) {
  ManualClock clock;
  FailingStore store;
  sqs::SqsService service(clock, clock, store, sqs::ServiceOptions{});
  DispatcherOptions options;
  options.store = &store;
  Dispatcher dispatcher(service, options);
  auto health = [&] {
    net::HttpRequest request;
    request.method = "GET";
    request.target = "/health";
    net::HttpResponse response;
    dispatcher.Handle(std::move(request), [&](net::HttpResponse r) { response = std::move(r); });
    return response;
  };
  EXPECT_EQ(health().body, R"({"status":"ok","storage":"ok"})");
  store.failure = storage::StorageErrorCode::kNoSpace;
  net::HttpResponse r = health();
  EXPECT_EQ(r.status, 200) << "a liveness check: a restart does not free the disk";
  EXPECT_EQ(r.body, R"({"status":"degraded","storage":"no space"})");
  store.failure = storage::StorageErrorCode::kIoError;
  EXPECT_EQ(health().body, R"({"status":"degraded","storage":"io error"})");
  store.failure.reset();
  EXPECT_EQ(health().body, R"({"status":"ok","storage":"ok"})");
}

TEST(DispatcherQueryPathTest, QueryRequestToAQueueUrlPathNamesTheQueue) {
  Harness h;
  h.Call(Wire::kQuery, "CreateQueue", Params().Str("QueueName", "my-queue"));
  net::HttpRequest request =
      Harness::Request(Wire::kQuery, "SendMessage", Params().Str("MessageBody", "via path"));
  request.target = "/000000000000/my-queue";
  net::HttpResponse r = h.Call(std::move(request));
  ASSERT_EQ(r.status, 200) << r.body;
  // A GET with the parameters in the query string works too.
  net::HttpRequest get;
  get.method = "GET";
  get.target = "/000000000000/my-queue?Action=ReceiveMessage";
  get.headers.Add("Host", "localhost:9324");
  get.headers.Add("Authorization", std::string(kAuthorization));
  r = h.Call(std::move(get));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Field(Wire::kQuery, r.body, "Body"), "via path");
  // CreateQueue is not valid on a queue URL.
  net::HttpRequest create =
      Harness::Request(Wire::kQuery, "CreateQueue", Params().Str("QueueName", "other"));
  create.target = "/000000000000/my-queue";
  r = h.Call(std::move(create));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Field(Wire::kQuery, r.body, "Code"), "InvalidAction");
  EXPECT_EQ(Field(Wire::kQuery, r.body, "Message"),
            "The action CreateQueue is not valid for this endpoint.");
}

TEST(DispatcherQueryPathTest, QueueUrlHostFollowsTheHostHeader) {
  Harness h;
  net::HttpRequest request =
      Harness::Request(Wire::kJson, "CreateQueue", Params().Str("QueueName", "q"));
  request.headers = wharf::testing::WithHeader(request.headers, "Host", "wharf.example:8080");
  net::HttpResponse r = h.Call(std::move(request));
  EXPECT_EQ(r.body, R"({"QueueUrl":"http://wharf.example:8080/000000000000/q"})");
}

// security.md §5.2: a request that came over TLS gets queue URLs with https://, so Query clients,
// which send later requests to the queue URL, stay on TLS; plain requests keep http://.
TEST(DispatcherQueryPathTest, RequestsOverTlsGetHttpsQueueUrls) {
  Harness h;
  auto over_tls = [](net::HttpRequest request) {
    request.is_tls = true;
    request.headers = wharf::testing::WithHeader(request.headers, "Host", "localhost:9325");
    return request;
  };
  net::HttpResponse created = h.Call(
      over_tls(Harness::Request(Wire::kJson, "CreateQueue", Params().Str("QueueName", "q"))));
  EXPECT_EQ(created.body, R"({"QueueUrl":"https://localhost:9325/000000000000/q"})");
  net::HttpResponse listed = h.Call(over_tls(Harness::Request(Wire::kQuery, "ListQueues", {})));
  EXPECT_NE(listed.body.find("<QueueUrl>https://localhost:9325/000000000000/q</QueueUrl>"),
            std::string::npos)
      << listed.body;
  net::HttpResponse plain =
      h.Call(Harness::Request(Wire::kJson, "GetQueueUrl", Params().Str("QueueName", "q")));
  EXPECT_EQ(plain.body, R"({"QueueUrl":"http://localhost:9324/000000000000/q"})");
}

}  // namespace
}  // namespace wharf::server::testing

namespace wharf::server::testing {
namespace {

// POST /_wharf/test/storage-fault: served only when the server runs in test mode (the hook is
// set), never otherwise; the mode comes from the query string or a small JSON body.
class StorageFaultEndpointTest : public ::testing::Test {
 protected:
  static net::HttpRequest Post(std::string target, std::string body = {}) {
    net::HttpRequest r;
    r.method = "POST";
    r.target = std::move(target);
    r.headers.Add("Host", "localhost:9324");
    r.body = std::move(body);
    r.body.reserve(r.body.size() + net::kBodyPadding);
    return r;
  }
  static net::HttpResponse Handle(Dispatcher& dispatcher, net::HttpRequest request) {
    std::optional<net::HttpResponse> answer;
    dispatcher.Handle(std::move(request),
                      [&](net::HttpResponse response) { answer = std::move(response); });
    EXPECT_TRUE(answer.has_value()) << "answered at once";
    return answer.value_or(net::HttpResponse{0, {}, {}});
  }

  ManualClock clock_;
  storage::MemoryStore store_;
  sqs::SqsService service_{clock_, clock_, store_, sqs::ServiceOptions{}};
  std::vector<std::string> modes_;
};

TEST_F(StorageFaultEndpointTest, NotServedOutsideTestMode) {
  Dispatcher dispatcher(service_, DispatcherOptions{});
  net::HttpResponse r = Handle(dispatcher, Post("/_wharf/test/storage-fault?mode=enospc"));
  EXPECT_NE(r.status, 200) << r.body;
  EXPECT_EQ(r.body.find("\"mode\""), std::string::npos) << r.body;
}

TEST_F(StorageFaultEndpointTest, SwitchesTheFaultInTestMode) {
  DispatcherOptions options;
  options.test_storage_fault = [this](std::string_view mode) {
    if (mode != "enospc" && mode != "eio" && mode != "off") return false;
    modes_.emplace_back(mode);
    return true;
  };
  Dispatcher dispatcher(service_, std::move(options));
  net::HttpResponse r = Handle(dispatcher, Post("/_wharf/test/storage-fault?mode=enospc"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"mode":"enospc"})");
  r = Handle(dispatcher, Post("/_wharf/test/storage-fault", R"({ "mode" : "off" })"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"mode":"off"})");
  r = Handle(dispatcher, Post("/_wharf/test/storage-fault?mode=full"));
  EXPECT_EQ(r.status, 400);
  r = Handle(dispatcher, Post("/_wharf/test/storage-fault", "{}"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(modes_, (std::vector<std::string>{"enospc", "off"}));
}

}  // namespace
}  // namespace wharf::server::testing
