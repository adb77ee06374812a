#include "bench/request_writer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace wharf::bench {
namespace {

Target MakeTarget(WireProtocol protocol) {
  Target t;
  t.protocol = protocol;
  t.host = "127.0.0.1:9324";
  t.region = "us-east-1";
  t.access_key = "test";
  t.secret_key = "test";
  return t;
}

constexpr std::string_view kUrl = "http://127.0.0.1:9324/000000000000/q";

TEST(RequestWriterTest, JsonBodies) {
  RequestWriter w(MakeTarget(WireProtocol::kJson));
  w.set_queue_url(kUrl);
  w.SendMessage("hi \"there\"");
  EXPECT_EQ(w.body(), R"({"QueueUrl":"http://127.0.0.1:9324/000000000000/q",)"
                      R"("MessageBody":"hi \"there\""})");
  w.SendMessageBatch("b", 2);
  EXPECT_EQ(w.body(), R"({"QueueUrl":"http://127.0.0.1:9324/000000000000/q","Entries":[)"
                      R"({"Id":"0","MessageBody":"b"},{"Id":"1","MessageBody":"b"}]})");
  w.ReceiveMessage(10, 1);
  EXPECT_EQ(w.body(), R"({"QueueUrl":"http://127.0.0.1:9324/000000000000/q",)"
                      R"("MaxNumberOfMessages":10,"WaitTimeSeconds":1})");
  const std::vector<std::string> handles = {"AQ+/=", "x"};
  w.DeleteMessageBatch(handles, 1);
  EXPECT_EQ(w.body(), R"({"QueueUrl":"http://127.0.0.1:9324/000000000000/q","Entries":[)"
                      R"({"Id":"0","ReceiptHandle":"AQ+/="}]})");
  w.CreateQueue("bench-q");
  EXPECT_EQ(w.body(), R"({"QueueName":"bench-q"})");
}

TEST(RequestWriterTest, QueryBodies) {
  RequestWriter w(MakeTarget(WireProtocol::kQuery));
  w.set_queue_url(kUrl);
  w.SendMessage("a b");
  EXPECT_EQ(w.body(),
            "Action=SendMessage&Version=2012-11-05"
            "&QueueUrl=http%3A%2F%2F127.0.0.1%3A9324%2F000000000000%2Fq&MessageBody=a%20b");
  const std::vector<std::string> handles = {"AQ+/=", "x"};
  w.DeleteMessageBatch(handles, 2);
  EXPECT_EQ(w.body(),
            "Action=DeleteMessageBatch&Version=2012-11-05"
            "&QueueUrl=http%3A%2F%2F127.0.0.1%3A9324%2F000000000000%2Fq"
            "&DeleteMessageBatchRequestEntry.1.Id=0"
            "&DeleteMessageBatchRequestEntry.1.ReceiptHandle=AQ%2B%2F%3D"
            "&DeleteMessageBatchRequestEntry.2.Id=1"
            "&DeleteMessageBatchRequestEntry.2.ReceiptHandle=x");
  w.ReceiveMessage(10, 0);
  EXPECT_EQ(w.body(),
            "Action=ReceiveMessage&Version=2012-11-05"
            "&QueueUrl=http%3A%2F%2F127.0.0.1%3A9324%2F000000000000%2Fq"
            "&MaxNumberOfMessages=10&WaitTimeSeconds=0");
}

TEST(RequestWriterTest, Escaping) {
  std::string json;
  AppendJsonEscaped(json, std::string_view("a\"b\\c\x01\n\xc3\xa9", 9));
  EXPECT_EQ(json, "a\\\"b\\\\c\\u0001\\u000a\xc3\xa9");
  std::string form;
  AppendFormEncoded(form, "a b+c/=~_.-\xc3\xa9");
  EXPECT_EQ(form, "a%20b%2Bc%2F%3D~_.-%C3%A9");
}

TEST(RequestWriterTest, QueryBatchRepeatsTheEscapedBody) {
  RequestWriter w(MakeTarget(WireProtocol::kQuery));
  w.set_queue_url("u");
  w.SendMessageBatch("a&b", 2);
  EXPECT_EQ(
      w.body(),
      "Action=SendMessageBatch&Version=2012-11-05&QueueUrl=u"
      "&SendMessageBatchRequestEntry.1.Id=0&SendMessageBatchRequestEntry.1.MessageBody=a%26b"
      "&SendMessageBatchRequestEntry.2.Id=1&SendMessageBatchRequestEntry.2.MessageBody=a%26b");
}

TEST(RequestWriterTest, JsonFifoSends) {
  RequestWriter w(MakeTarget(WireProtocol::kJson));
  w.set_queue_url("u");
  const FifoIds one{"g0", "d-1"};
  w.SendMessage("m", &one);
  EXPECT_EQ(w.body(), R"({"QueueUrl":"u","MessageBody":"m",)"
                      R"("MessageGroupId":"g0","MessageDeduplicationId":"d-1"})");
  const FifoIds ids[] = {{"g1", "d-2"}, {"g2", "d\"3"}};
  w.SendMessageBatch("b", 2, ids);
  EXPECT_EQ(w.body(), R"({"QueueUrl":"u","Entries":[)"
                      R"({"Id":"0","MessageBody":"b","MessageGroupId":"g1",)"
                      R"("MessageDeduplicationId":"d-2"},)"
                      R"({"Id":"1","MessageBody":"b","MessageGroupId":"g2",)"
                      R"("MessageDeduplicationId":"d\"3"}]})");
  // Without ids the entries stay standard ones.
  w.SendMessage("m", nullptr);
  EXPECT_EQ(w.body(), R"({"QueueUrl":"u","MessageBody":"m"})");
}

TEST(RequestWriterTest, QueryFifoSends) {
  RequestWriter w(MakeTarget(WireProtocol::kQuery));
  w.set_queue_url("u");
  const FifoIds one{"g0", "d-1"};
  w.SendMessage("m", &one);
  EXPECT_EQ(w.body(),
            "Action=SendMessage&Version=2012-11-05&QueueUrl=u&MessageBody=m"
            "&MessageGroupId=g0&MessageDeduplicationId=d-1");
  const FifoIds ids[] = {{"g1", "d-2"}, {"g2", "d+3"}};
  w.SendMessageBatch("b", 2, ids);
  EXPECT_EQ(w.body(),
            "Action=SendMessageBatch&Version=2012-11-05&QueueUrl=u"
            "&SendMessageBatchRequestEntry.1.Id=0&SendMessageBatchRequestEntry.1.MessageBody=b"
            "&SendMessageBatchRequestEntry.1.MessageGroupId=g1"
            "&SendMessageBatchRequestEntry.1.MessageDeduplicationId=d-2"
            "&SendMessageBatchRequestEntry.2.Id=1&SendMessageBatchRequestEntry.2.MessageBody=b"
            "&SendMessageBatchRequestEntry.2.MessageGroupId=g2"
            "&SendMessageBatchRequestEntry.2.MessageDeduplicationId=d%2B3");
}

TEST(RequestWriterTest, CreateFifoQueue) {
  const QueueAttribute fifo[] = {{"FifoQueue", "true"}};
  RequestWriter json(MakeTarget(WireProtocol::kJson));
  json.CreateQueue("q.fifo", fifo);
  EXPECT_EQ(json.body(), R"({"QueueName":"q.fifo","Attributes":{"FifoQueue":"true"}})");
  RequestWriter query(MakeTarget(WireProtocol::kQuery));
  query.CreateQueue("q.fifo", fifo);
  EXPECT_EQ(query.body(),
            "Action=CreateQueue&Version=2012-11-05&QueueName=q.fifo"
            "&Attribute.1.Name=FifoQueue&Attribute.1.Value=true");
  query.CreateQueue("q");
  EXPECT_EQ(query.body(), "Action=CreateQueue&Version=2012-11-05&QueueName=q");
}

TEST(RequestWriterTest, HeadIsSignedAndFramed) {
  RequestWriter w(MakeTarget(WireProtocol::kJson));
  w.set_queue_url(kUrl);
  w.SendMessage("x");
  w.Finish();
  const std::string head(w.head());
  EXPECT_EQ(head.rfind("POST / HTTP/1.1\r\nHost: 127.0.0.1:9324\r\n", 0), 0u);
  EXPECT_NE(head.find("\r\nX-Amz-Target: AmazonSQS.SendMessage\r\n"), std::string::npos);
  EXPECT_NE(head.find("\r\nAuthorization: AWS4-HMAC-SHA256 Credential=test/"), std::string::npos);
  EXPECT_NE(head.find("/us-east-1/sqs/aws4_request, "
                      "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature="),
            std::string::npos);
  EXPECT_NE(head.find("\r\nContent-Length: " + std::to_string(w.body().size()) + "\r\n\r\n"),
            std::string::npos);
  EXPECT_EQ(head.substr(head.size() - 4), "\r\n\r\n");
}

}  // namespace
}  // namespace wharf::bench
