#include "bench/response_scan.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace wharf::bench {
namespace {

std::vector<std::string> Values(WireProtocol p, std::string_view body, std::string_view key) {
  std::vector<std::string> out;
  ValueScanner scanner(p, body, key);
  std::string_view raw;
  while (scanner.Next(raw)) {
    out.emplace_back();
    UnescapeTo(p, raw, out.back());
  }
  return out;
}

// sqs-api.md Appendix A, with a second message and an escaped handle.
constexpr std::string_view kJsonReceive =
    R"({"Messages":[{"MessageId":"5fea7756-0ea4-451a-a703-a558b933e274",)"
    R"("ReceiptHandle":"AQEBexample==","MD5OfBody":"7a5e9ae9ce811a18c63b710d659d1492",)"
    R"("Body":"a\r\nb \"q\" & <x>","Attributes":{"SentTimestamp":"1735689600000"}},)"
    R"({"MessageId":"m2", "ReceiptHandle" : "AQ\/E+=", "MD5OfBody":"x","Body":"\"Body\":\"no\""}]})";

TEST(ResponseScanTest, JsonReceiptHandlesAndBodies) {
  EXPECT_EQ(Values(WireProtocol::kJson, kJsonReceive, "ReceiptHandle"),
            (std::vector<std::string>{"AQEBexample==", "AQ/E+="}));
  EXPECT_EQ(Values(WireProtocol::kJson, kJsonReceive, "Body"),
            (std::vector<std::string>{"a\r\nb \"q\" & <x>", "\"Body\":\"no\""}));
  EXPECT_TRUE(Values(WireProtocol::kJson, "{}", "ReceiptHandle").empty());
}

// sqs-api.md §1.3.4.
constexpr std::string_view kXmlReceive =
    R"(<?xml version="1.0"?><ReceiveMessageResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/">)"
    R"(<ReceiveMessageResult><Message><MessageId>5fea7756</MessageId><ReceiptHandle>AQEBexample==</ReceiptHandle>)"
    R"(<MD5OfBody>7a5e9ae9ce811a18c63b710d659d1492</MD5OfBody><Body>a&#xD;
b &quot;q&quot; &amp; &lt;x&gt;</Body></Message></ReceiveMessageResult>)"
    R"(<ResponseMetadata><RequestId>b5293cb5</RequestId></ResponseMetadata></ReceiveMessageResponse>)";

TEST(ResponseScanTest, XmlReceiptHandlesAndBodies) {
  EXPECT_EQ(Values(WireProtocol::kQuery, kXmlReceive, "ReceiptHandle"),
            (std::vector<std::string>{"AQEBexample=="}));
  EXPECT_EQ(Values(WireProtocol::kQuery, kXmlReceive, "Body"),
            (std::vector<std::string>{"a\r\nb \"q\" & <x>"}));
}

TEST(ResponseScanTest, ErrorCodes) {
  EXPECT_EQ(ErrorCode(WireProtocol::kJson, "AWS.SimpleQueueService.NonExistentQueue;Sender",
                      R"({"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"x"})"),
            "AWS.SimpleQueueService.NonExistentQueue");
  EXPECT_EQ(ErrorCode(WireProtocol::kJson, "",
                      R"({"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"x"})"),
            "QueueDoesNotExist");
  EXPECT_EQ(ErrorCode(WireProtocol::kQuery, "",
                      "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidParameterValue</Code>"
                      "<Message>m</Message></Error></ErrorResponse>"),
            "InvalidParameterValue");
  EXPECT_EQ(ErrorCode(WireProtocol::kJson, "", "<html>"), "");
}

TEST(ResponseScanTest, BatchFailureCodes) {
  constexpr std::string_view json =
      R"({"Successful":[{"Id":"a","MessageId":"m","MD5OfMessageBody":"c"}],)"
      R"("Failed":[{"Id":"b","SenderFault":true,"Code":"InvalidParameterValue","Message":"m"}]})";
  EXPECT_EQ(Values(WireProtocol::kJson, json, "Code"),
            (std::vector<std::string>{"InvalidParameterValue"}));
  constexpr std::string_view xml =
      "<SendMessageBatchResult><SendMessageBatchResultEntry><Id>a</Id></"
      "SendMessageBatchResultEntry>"
      "<BatchResultErrorEntry><Id>b</Id><SenderFault>true</SenderFault>"
      "<Code>InvalidMessageContents</Code><Message>m</Message></BatchResultErrorEntry>"
      "</SendMessageBatchResult>";
  EXPECT_EQ(Values(WireProtocol::kQuery, xml, "Code"),
            (std::vector<std::string>{"InvalidMessageContents"}));
}

TEST(ResponseScanTest, JsonUnicodeEscapes) {
  std::string out;
  UnescapeTo(WireProtocol::kJson, R"(\u00e9\ud83d\ude00\/)", out);
  EXPECT_EQ(out, "\xc3\xa9\xf0\x9f\x98\x80/");
}

}  // namespace
}  // namespace wharf::bench
