#include "protocol/writers.h"

#include <gtest/gtest.h>

#include <string>

#include "api/sqs/actions.h"
#include "protocol/json_reader.h"

namespace wharf::protocol {
namespace {

namespace sqs = api::sqs;

template <typename T>
std::string ToXml(T& value) {
  std::string out;
  XmlWriter writer(out);
  value.Describe(writer);
  return out;
}

template <typename T>
std::string ToJson(T& value) {
  std::string out;
  JsonWriter writer(out);
  writer.BeginObject();
  value.Describe(writer);
  writer.EndObject();
  return out;
}

// Encoding, decoding with the JSON reader and encoding again gives the same text: the JSON is
// well-formed and the writer and the reader agree on every member name.
template <typename T>
void ExpectJsonRoundTrip(T& value) {
  const std::string json = ToJson(value);
  T decoded{};
  api::ApiStatus status = DecodeJson(json, api::Shape::Of(decoded));
  ASSERT_TRUE(status.ok()) << json << ": " << status.error().message;
  EXPECT_EQ(ToJson(decoded), json);
}

sqs::SendMessageOutput FullSendOutput() {
  sqs::SendMessageOutput out;
  out.message_id = "5fea7756-0ea4-451a-a703-a558b933e274";
  out.md5_of_message_body = "5eb63bbbe01eeed093cb22bb8f5acdc3";
  out.md5_of_message_attributes = "37be9c66a26f6493892520be4c5f3abe";
  out.md5_of_message_system_attributes = "5ae4d5d7636402d80f4eb6d213245a88";
  out.sequence_number = "18849496460467696128";
  return out;
}

sqs::Message SampleMessage() {
  sqs::Message m;
  m.message_id = "m-1";
  m.receipt_handle = "AQEB+/x==";
  m.md5_of_body = "7a5e9ae9ce811a18c63b710d659d1492";
  m.body = "a\r\nb \"q\" & <x>";
  m.attributes = {{"SentTimestamp", "1735689600000"}, {"ApproximateReceiveCount", "1"}};
  m.md5_of_message_attributes = "0123456789abcdef0123456789abcdef";
  sqs::MessageAttributeValue hello;
  hello.data_type = "String";
  hello.string_value = "There";
  sqs::MessageAttributeValue bin;
  bin.data_type = "Binary";
  bin.binary_value = std::string("\x00\x01\xff", 3);
  m.message_attributes = {{"Hello", hello}, {"Bin", bin}};
  return m;
}

TEST(XmlWriterTest, SendMessageOutput) {
  auto out = FullSendOutput();
  EXPECT_EQ(ToXml(out),
            "<MessageId>5fea7756-0ea4-451a-a703-a558b933e274</MessageId>"
            "<MD5OfMessageBody>5eb63bbbe01eeed093cb22bb8f5acdc3</MD5OfMessageBody>"
            "<MD5OfMessageAttributes>37be9c66a26f6493892520be4c5f3abe</MD5OfMessageAttributes>"
            "<MD5OfMessageSystemAttributes>5ae4d5d7636402d80f4eb6d213245a88"
            "</MD5OfMessageSystemAttributes>"
            "<SequenceNumber>18849496460467696128</SequenceNumber>");
}

TEST(XmlWriterTest, OptionalMembersOmitted) {
  sqs::SendMessageOutput out;
  out.message_id = "id";
  out.md5_of_message_body = "md5";
  EXPECT_EQ(ToXml(out), "<MessageId>id</MessageId><MD5OfMessageBody>md5</MD5OfMessageBody>");
}

TEST(XmlWriterTest, ReceiveMessageOutput) {
  sqs::ReceiveMessageOutput out;
  out.messages = {SampleMessage()};
  EXPECT_EQ(ToXml(out),
            "<Message><MessageId>m-1</MessageId><ReceiptHandle>AQEB+/x==</ReceiptHandle>"
            "<MD5OfBody>7a5e9ae9ce811a18c63b710d659d1492</MD5OfBody>"
            "<Body>a&#xD;\nb &quot;q&quot; &amp; &lt;x&gt;</Body>"
            "<Attribute><Name>SentTimestamp</Name><Value>1735689600000</Value></Attribute>"
            "<Attribute><Name>ApproximateReceiveCount</Name><Value>1</Value></Attribute>"
            "<MD5OfMessageAttributes>0123456789abcdef0123456789abcdef</MD5OfMessageAttributes>"
            "<MessageAttribute><Name>Hello</Name><Value><StringValue>There</StringValue>"
            "<DataType>String</DataType></Value></MessageAttribute>"
            "<MessageAttribute><Name>Bin</Name><Value><BinaryValue>AAH/</BinaryValue>"
            "<DataType>Binary</DataType></Value></MessageAttribute></Message>");
}

TEST(XmlWriterTest, EmptyListsAndMapsAreOmitted) {
  sqs::ReceiveMessageOutput receive;
  EXPECT_EQ(ToXml(receive), "");
  sqs::ListQueuesOutput list;
  EXPECT_EQ(ToXml(list), "");
  sqs::GetQueueAttributesOutput attrs;
  EXPECT_EQ(ToXml(attrs), "");
  sqs::ListDeadLetterSourceQueuesOutput dlq;
  EXPECT_EQ(ToXml(dlq), "");
  sqs::Message bare;
  bare.message_id = "m";
  bare.receipt_handle = "r";
  bare.md5_of_body = "d";
  bare.body = "";
  EXPECT_EQ(ToXml(bare),
            "<MessageId>m</MessageId><ReceiptHandle>r</ReceiptHandle><MD5OfBody>d</MD5OfBody>"
            "<Body></Body>");
}

TEST(XmlWriterTest, GetQueueAttributesAndTags) {
  sqs::GetQueueAttributesOutput attrs;
  attrs.attributes = {{"VisibilityTimeout", "30"}, {"Policy", "{\"a\":\"<b>\"}"}};
  EXPECT_EQ(ToXml(attrs),
            "<Attribute><Name>VisibilityTimeout</Name><Value>30</Value></Attribute>"
            "<Attribute><Name>Policy</Name><Value>{&quot;a&quot;:&quot;&lt;b&gt;&quot;}</Value>"
            "</Attribute>");
  sqs::ListQueueTagsOutput tags;
  tags.tags = {{"team", "core"}};
  EXPECT_EQ(ToXml(tags), "<Tag><Key>team</Key><Value>core</Value></Tag>");
}

TEST(XmlWriterTest, QueueUrlLists) {
  sqs::ListQueuesOutput list;
  list.queue_urls = {"http://h/1/a", "http://h/1/b"};
  list.next_token = "tok";
  EXPECT_EQ(ToXml(list),
            "<QueueUrl>http://h/1/a</QueueUrl><QueueUrl>http://h/1/b</QueueUrl>"
            "<NextToken>tok</NextToken>");
  sqs::ListDeadLetterSourceQueuesOutput dlq;
  dlq.queue_urls = {"http://h/1/src"};
  EXPECT_EQ(ToXml(dlq), "<QueueUrl>http://h/1/src</QueueUrl>");
}

TEST(XmlWriterTest, BatchOutputWithFailures) {
  sqs::SendMessageBatchOutput out;
  sqs::SendMessageBatchResultEntry ok;
  ok.id = "a";
  ok.message_id = "m";
  ok.md5_of_message_body = "d";
  out.successful = {ok};
  sqs::BatchResultErrorEntry failed;
  failed.id = "b";
  failed.code = "InvalidParameterValue";
  failed.message = "Bad <thing>";
  sqs::BatchResultErrorEntry internal;
  internal.id = "c";
  internal.sender_fault = false;
  internal.code = "InternalError";
  out.failed = {failed, internal};
  EXPECT_EQ(ToXml(out),
            "<SendMessageBatchResultEntry><Id>a</Id><MessageId>m</MessageId>"
            "<MD5OfMessageBody>d</MD5OfMessageBody></SendMessageBatchResultEntry>"
            "<BatchResultErrorEntry><Id>b</Id><SenderFault>true</SenderFault>"
            "<Code>InvalidParameterValue</Code><Message>Bad &lt;thing&gt;</Message>"
            "</BatchResultErrorEntry>"
            "<BatchResultErrorEntry><Id>c</Id><SenderFault>false</SenderFault>"
            "<Code>InternalError</Code></BatchResultErrorEntry>");

  sqs::DeleteMessageBatchOutput del;
  del.successful = {{"x"}, {"y"}};
  EXPECT_EQ(ToXml(del),
            "<DeleteMessageBatchResultEntry><Id>x</Id></DeleteMessageBatchResultEntry>"
            "<DeleteMessageBatchResultEntry><Id>y</Id></DeleteMessageBatchResultEntry>");
  sqs::ChangeMessageVisibilityBatchOutput cmv;
  cmv.successful = {{"x"}};
  EXPECT_EQ(ToXml(cmv),
            "<ChangeMessageVisibilityBatchResultEntry><Id>x</Id>"
            "</ChangeMessageVisibilityBatchResultEntry>");
}

TEST(XmlWriterTest, MessageMoveTasks) {
  sqs::CancelMessageMoveTaskOutput cancel;
  cancel.approximate_number_of_messages_moved = 42;
  EXPECT_EQ(ToXml(cancel),
            "<ApproximateNumberOfMessagesMoved>42</ApproximateNumberOfMessagesMoved>");
  sqs::ListMessageMoveTasksOutput list;
  sqs::ListMessageMoveTasksResultEntry e;
  e.status = "RUNNING";
  e.source_arn = "arn:src";
  e.approximate_number_of_messages_moved = 1;
  e.approximate_number_of_messages_to_move = 2;
  e.started_timestamp = 1735689600000;
  list.results = {e};
  EXPECT_EQ(ToXml(list),
            "<ListMessageMoveTasksResultEntry><Status>RUNNING</Status><SourceArn>arn:src"
            "</SourceArn><ApproximateNumberOfMessagesMoved>1</ApproximateNumberOfMessagesMoved>"
            "<ApproximateNumberOfMessagesToMove>2</ApproximateNumberOfMessagesToMove>"
            "<StartedTimestamp>1735689600000</StartedTimestamp></ListMessageMoveTasksResultEntry>");
}

TEST(JsonWriterTest, SendMessageOutput) {
  auto out = FullSendOutput();
  EXPECT_EQ(ToJson(out), R"({"MessageId":"5fea7756-0ea4-451a-a703-a558b933e274",)"
                         R"("MD5OfMessageBody":"5eb63bbbe01eeed093cb22bb8f5acdc3",)"
                         R"("MD5OfMessageAttributes":"37be9c66a26f6493892520be4c5f3abe",)"
                         R"("MD5OfMessageSystemAttributes":"5ae4d5d7636402d80f4eb6d213245a88",)"
                         R"("SequenceNumber":"18849496460467696128"})");
  ExpectJsonRoundTrip(out);
  sqs::SendMessageOutput minimal;
  minimal.message_id = "id";
  minimal.md5_of_message_body = "md5";
  EXPECT_EQ(ToJson(minimal), R"({"MessageId":"id","MD5OfMessageBody":"md5"})");
}

TEST(JsonWriterTest, ReceiveMessageOutput) {
  sqs::ReceiveMessageOutput out;
  out.messages = {SampleMessage()};
  EXPECT_EQ(ToJson(out),
            R"({"Messages":[{"MessageId":"m-1","ReceiptHandle":"AQEB+/x==",)"
            R"("MD5OfBody":"7a5e9ae9ce811a18c63b710d659d1492","Body":"a\r\nb \"q\" & <x>",)"
            R"("Attributes":{"SentTimestamp":"1735689600000","ApproximateReceiveCount":"1"},)"
            R"("MD5OfMessageAttributes":"0123456789abcdef0123456789abcdef",)"
            R"("MessageAttributes":{"Hello":{"StringValue":"There","DataType":"String"},)"
            R"("Bin":{"BinaryValue":"AAH/","DataType":"Binary"}}}]})");
  ExpectJsonRoundTrip(out);
}

TEST(JsonWriterTest, SeveralMessagesAreCommaSeparated) {
  sqs::ReceiveMessageOutput out;
  sqs::Message plain;
  plain.message_id = "2";
  plain.body = "two";
  out.messages = {SampleMessage(), plain, SampleMessage()};
  const std::string json = ToJson(out);
  EXPECT_NE(json.find(R"(}}},{"MessageId":"2","ReceiptHandle":"","MD5OfBody":"","Body":"two"},{)"),
            std::string::npos)
      << json;
  ExpectJsonRoundTrip(out);
}

TEST(JsonWriterTest, EmptyResultsAreEmptyObjects) {
  sqs::ReceiveMessageOutput receive;
  EXPECT_EQ(ToJson(receive), "{}");
  sqs::ListQueuesOutput list;
  EXPECT_EQ(ToJson(list), "{}");
  sqs::GetQueueAttributesOutput attrs;
  EXPECT_EQ(ToJson(attrs), "{}");
  sqs::SendMessageBatchOutput batch;
  EXPECT_EQ(ToJson(batch), "{}");
  sqs::Empty empty;
  EXPECT_EQ(ToJson(empty), "{}");
}

TEST(JsonWriterTest, DeadLetterSourceQueuesKeepsAnEmptyList) {
  sqs::ListDeadLetterSourceQueuesOutput out;
  EXPECT_EQ(ToJson(out), R"({"queueUrls":[]})");
  out.queue_urls = {"u1", "u2"};
  out.next_token = "t";
  EXPECT_EQ(ToJson(out), R"({"queueUrls":["u1","u2"],"NextToken":"t"})");
  ExpectJsonRoundTrip(out);
}

TEST(JsonWriterTest, ListsAndMaps) {
  sqs::ListQueuesOutput list;
  list.queue_urls = {"a", "b"};
  EXPECT_EQ(ToJson(list), R"({"QueueUrls":["a","b"]})");
  sqs::GetQueueAttributesOutput attrs;
  attrs.attributes = {{"VisibilityTimeout", "30"}, {"Policy", "{\"a\":1}"}};
  EXPECT_EQ(ToJson(attrs), R"({"Attributes":{"VisibilityTimeout":"30","Policy":"{\"a\":1}"}})");
  ExpectJsonRoundTrip(attrs);
  sqs::ListQueueTagsOutput tags;
  tags.tags = {{"k", "v"}};
  EXPECT_EQ(ToJson(tags), R"({"Tags":{"k":"v"}})");
}

TEST(JsonWriterTest, BatchOutputWithFailures) {
  sqs::SendMessageBatchOutput out;
  sqs::SendMessageBatchResultEntry ok;
  ok.id = "a";
  ok.message_id = "m";
  ok.md5_of_message_body = "d";
  ok.md5_of_message_attributes = "e";
  out.successful = {ok};
  sqs::BatchResultErrorEntry failed;
  failed.id = "b";
  failed.code = "InvalidParameterValue";
  failed.message = "Bad \"thing\"";
  sqs::BatchResultErrorEntry internal;
  internal.id = "c";
  internal.sender_fault = false;
  internal.code = "InternalError";
  out.failed = {failed, internal};
  EXPECT_EQ(ToJson(out), R"({"Successful":[{"Id":"a","MessageId":"m","MD5OfMessageBody":"d",)"
                         R"("MD5OfMessageAttributes":"e"}],)"
                         R"("Failed":[{"Id":"b","SenderFault":true,"Code":"InvalidParameterValue",)"
                         R"("Message":"Bad \"thing\""},)"
                         R"({"Id":"c","SenderFault":false,"Code":"InternalError"}]})");
  ExpectJsonRoundTrip(out);

  sqs::DeleteMessageBatchOutput only_failed;
  only_failed.failed = {failed};
  EXPECT_EQ(ToJson(only_failed),
            R"({"Failed":[{"Id":"b","SenderFault":true,"Code":"InvalidParameterValue",)"
            R"("Message":"Bad \"thing\""}]})");
  ExpectJsonRoundTrip(only_failed);
}

TEST(JsonWriterTest, IntegersAreNumbers) {
  sqs::CancelMessageMoveTaskOutput cancel;
  EXPECT_EQ(ToJson(cancel), R"({"ApproximateNumberOfMessagesMoved":0})");
  cancel.approximate_number_of_messages_moved = -9223372036854775807 - 1;
  EXPECT_EQ(ToJson(cancel), R"({"ApproximateNumberOfMessagesMoved":-9223372036854775808})");
  sqs::ListMessageMoveTasksOutput list;
  sqs::ListMessageMoveTasksResultEntry e;
  e.task_handle = "h";
  e.status = "COMPLETED";
  e.source_arn = "arn:src";
  e.max_number_of_messages_per_second = 10;
  e.approximate_number_of_messages_moved = 5;
  e.started_timestamp = 1735689600000;
  list.results = {e};
  EXPECT_EQ(ToJson(list),
            R"({"Results":[{"TaskHandle":"h","Status":"COMPLETED","SourceArn":"arn:src",)"
            R"("MaxNumberOfMessagesPerSecond":10,"ApproximateNumberOfMessagesMoved":5,)"
            R"("ApproximateNumberOfMessagesToMove":0,"StartedTimestamp":1735689600000}]})");
  ExpectJsonRoundTrip(list);
}

TEST(WritersTest, MapKeysAreEscaped) {
  sqs::GetQueueAttributesOutput attrs;
  attrs.attributes = {{"a\"<b>", "c&d"}};
  EXPECT_EQ(ToJson(attrs), R"({"Attributes":{"a\"<b>":"c&d"}})");
  EXPECT_EQ(ToXml(attrs),
            "<Attribute><Name>a&quot;&lt;b&gt;</Name><Value>c&amp;d</Value></Attribute>");
  sqs::ReceiveMessageOutput out;
  sqs::Message m;
  sqs::MessageAttributeValue v;
  v.data_type = "String";
  v.string_value = "x";
  m.message_attributes = {{"k\n\"", v}};
  out.messages = {m};
  EXPECT_NE(ToJson(out).find(R"("MessageAttributes":{"k\n\"":{"StringValue":"x")"),
            std::string::npos)
      << ToJson(out);
  EXPECT_NE(ToXml(out).find("<MessageAttribute><Name>k\n&quot;</Name>"), std::string::npos);
  ExpectJsonRoundTrip(out);
}

TEST(JsonWriterTest, EscapesAndReplacesInvalidUtf8) {
  sqs::QueueUrlOutput out;
  out.queue_url = std::string("a\x01\xff\"\\\n", 6);
  EXPECT_EQ(ToJson(out), "{\"QueueUrl\":\"a\\u0001\xef\xbf\xbd\\\"\\\\\\n\"}");
  std::string xml = ToXml(out);
  EXPECT_EQ(xml, "<QueueUrl>a\xef\xbf\xbd\xef\xbf\xbd&quot;\\\n</QueueUrl>");
}

}  // namespace
}  // namespace wharf::protocol
