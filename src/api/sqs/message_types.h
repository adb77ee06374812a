#pragma once

// Shapes shared by the SQS message actions: message attribute values, messages as returned by
// ReceiveMessage, and the batch result entries.

#include <optional>
#include <string>
#include <vector>

#include "api/visitor.h"

namespace wharf::api::sqs {

struct MessageAttributeValue {
  std::optional<std::string> data_type;
  std::optional<std::string> string_value;
  std::optional<std::string> binary_value;  // raw bytes (base64 on the wire)

  void Describe(Visitor& v) {
    v.String("StringValue", string_value);
    v.Blob("BinaryValue", binary_value);
    v.String("DataType", data_type);
  }
};
using MessageAttributeMap = std::vector<std::pair<std::string, MessageAttributeValue>>;

struct Message {
  std::string message_id;
  std::string receipt_handle;
  std::string md5_of_body;
  std::string body;
  StringPairs attributes;  // system attributes, values as strings
  std::optional<std::string> md5_of_message_attributes;
  MessageAttributeMap message_attributes;

  void Describe(Visitor& v) {
    v.String("MessageId", message_id);
    v.String("ReceiptHandle", receipt_handle);
    v.String({"MD5OfBody", "MD5OfBody"}, md5_of_body);
    v.String("Body", body);
    v.StringMap({"Attributes", "Attribute"}, kNameValue, attributes);
    v.String("MD5OfMessageAttributes", md5_of_message_attributes);
    Map(v, {"MessageAttributes", "MessageAttribute"}, kNameValue, message_attributes);
  }
};

struct BatchResultErrorEntry {
  std::string id;
  bool sender_fault = true;
  std::string code;
  std::optional<std::string> message;

  void Describe(Visitor& v) {
    v.String("Id", id);
    v.Bool("SenderFault", sender_fault);
    v.String("Code", code);
    v.String("Message", message);
  }
};

// Result entry of DeleteMessageBatch and ChangeMessageVisibilityBatch.
struct BatchResultIdEntry {
  std::string id;
  void Describe(Visitor& v) { v.String("Id", id); }
};

}  // namespace wharf::api::sqs
