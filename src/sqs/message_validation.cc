#include "sqs/message_validation.h"

#include <algorithm>

#include "common/hashing.h"
#include "common/ids.h"
#include "common/text.h"

namespace wharf::sqs {
namespace {

using api::ErrorCode;
using api::sqs::MessageAttributeMap;
using api::sqs::MessageAttributeValue;

api::ApiError InvalidParameter(std::string message) {
  return api::Error(ErrorCode::kInvalidParameterValue, std::move(message));
}

bool IsAttributeNameChar(int32_t cp) {
  return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9') ||
         cp == '_' || cp == '-' || cp == '.' || (cp >= 0xC0 && cp <= 0x17F);
}

// 1–128 characters of alphanumerics and ASCII punctuation (MessageGroupId,
// MessageDeduplicationId).
bool IsValidTag128(std::string_view v) {
  if (v.empty() || v.size() > 128) return false;
  return std::all_of(v.begin(), v.end(), [](char c) { return c >= 0x21 && c <= 0x7e; });
}

// A number as SQS accepts it: optional sign, digits with an optional fraction, optional
// exponent; at most 38 significant digits.
bool IsValidNumber(std::string_view v) {
  size_t i = 0;
  if (i < v.size() && (v[i] == '+' || v[i] == '-')) ++i;
  size_t digits = 0, significant = 0;
  bool leading = true;
  auto take_digits = [&] {
    while (i < v.size() && v[i] >= '0' && v[i] <= '9') {
      if (v[i] != '0') leading = false;
      if (!leading) ++significant;
      ++digits;
      ++i;
    }
  };
  take_digits();
  if (i < v.size() && v[i] == '.') {
    ++i;
    take_digits();
  }
  if (digits == 0) return false;
  if (i < v.size() && (v[i] == 'e' || v[i] == 'E')) {
    ++i;
    if (i < v.size() && (v[i] == '+' || v[i] == '-')) ++i;
    size_t exp_digits = 0;
    while (i < v.size() && v[i] >= '0' && v[i] <= '9') {
      ++exp_digits;
      ++i;
    }
    if (exp_digits == 0) return false;
  }
  return i == v.size() && significant <= 38;
}

api::ApiStatus ValidateAttributeName(std::string_view name) {
  auto bad = [&](std::string_view why) {
    return InvalidParameter("Message (user) attribute name '" + std::string(name) +
                            "' is invalid. " + std::string(why));
  };
  if (name.empty()) return InvalidParameter("Message (user) attribute name must not be empty.");
  if (name.size() > 256) {
    return InvalidParameter("Message (user) attribute names must be shorter than 256 Bytes.");
  }
  if (StartsWithIgnoreCase(name, "AWS.") || StartsWithIgnoreCase(name, "Amazon.")) {
    return bad("The AWS. and Amazon. prefixes are reserved.");
  }
  if (name.front() == '.' || name.back() == '.' || name.find("..") != std::string_view::npos) {
    return bad("Names cannot start or end with a period or contain two periods in a row.");
  }
  size_t pos = 0;
  while (pos < name.size()) {
    int32_t cp = NextCodePoint(name, pos);
    if (cp < 0 || !IsAttributeNameChar(cp)) {
      return bad("Names can contain alphanumeric characters, hyphens, underscores and periods.");
    }
  }
  return {};
}

api::ApiStatus ValidateAttribute(std::string_view name, const MessageAttributeValue& value) {
  WHARF_RETURN_IF_ERROR(ValidateAttributeName(name));
  const std::string type = value.data_type.value_or("");
  if (type.empty()) {
    return InvalidParameter("The message attribute '" + std::string(name) +
                            "' must contain non-empty message attribute type.");
  }
  std::string_view base;
  for (std::string_view b : {"String", "Number", "Binary"}) {
    if (std::string_view(type).substr(0, b.size()) == b &&
        (type.size() == b.size() || type[b.size()] == '.')) {
      base = b;
    }
  }
  if (base.empty() || type.size() > 256 || (type.size() == base.size() + 1) ||
      !IsValidMessageText(type)) {
    return InvalidParameter("The type of message (user) attribute '" + std::string(name) +
                            "' is invalid. You must use only the following supported type "
                            "prefixes: Binary, Number, String.");
  }
  if (base == "Binary") {
    if (!value.binary_value || value.binary_value->empty()) {
      return InvalidParameter("Message (user) attribute '" + std::string(name) +
                              "' must contain a non-empty value of type 'Binary'.");
    }
    if (value.string_value) {
      return InvalidParameter("Message (user) attribute '" + std::string(name) +
                              "' must have only a BinaryValue for type 'Binary'.");
    }
    return {};
  }
  if (!value.string_value || value.string_value->empty()) {
    return InvalidParameter("Message (user) attribute '" + std::string(name) +
                            "' must contain a non-empty value of type '" + std::string(base) +
                            "'.");
  }
  if (value.binary_value) {
    return InvalidParameter("Message (user) attribute '" + std::string(name) +
                            "' must have only a StringValue for type '" + std::string(base) + "'.");
  }
  if (!IsValidMessageText(*value.string_value)) {
    return InvalidParameter("Message (user) attribute '" + std::string(name) +
                            "' contains invalid characters.");
  }
  if (base == "Number" && !IsValidNumber(*value.string_value)) {
    return InvalidParameter("Can't cast the value of message (user) attribute '" +
                            std::string(name) + "' to a number.");
  }
  return {};
}

api::ApiStatus ValidateAttributes(MessageAttributeMap& attributes, const Limits& limits) {
  if (static_cast<int64_t>(attributes.size()) > limits.max_message_attributes) {
    return InvalidParameter("Number of message attributes [" + std::to_string(attributes.size()) +
                            "] exceeds the allowed maximum [" +
                            std::to_string(limits.max_message_attributes) + "].");
  }
  std::sort(attributes.begin(), attributes.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (size_t i = 0; i < attributes.size(); ++i) {
    if (i > 0 && attributes[i].first == attributes[i - 1].first) {
      return InvalidParameter("Message (user) attribute name '" + attributes[i].first +
                              "' is repeated.");
    }
    WHARF_RETURN_IF_ERROR(ValidateAttribute(attributes[i].first, attributes[i].second));
  }
  return {};
}

api::ApiStatus ValidateSystemAttributes(MessageAttributeMap& attributes) {
  for (const auto& [name, value] : attributes) {
    if (name != "AWSTraceHeader") {
      return InvalidParameter("Message system attribute name '" + name + "' is invalid.");
    }
    if (value.data_type.value_or("") != "String" || !value.string_value ||
        value.string_value->empty() || value.binary_value) {
      return InvalidParameter(
          "Message system attribute 'AWSTraceHeader' must contain a non-empty value of type "
          "'String'.");
    }
    if (!IsValidMessageText(*value.string_value)) {
      return InvalidParameter(
          "Message system attribute 'AWSTraceHeader' contains invalid "
          "characters.");
    }
  }
  return {};
}

void PutLengthPrefixed(Md5& md5, std::string_view bytes) {
  const auto n = static_cast<uint32_t>(bytes.size());
  const char len[4] = {static_cast<char>(n >> 24), static_cast<char>(n >> 16),
                       static_cast<char>(n >> 8), static_cast<char>(n)};
  md5.Update(std::string_view(len, 4));
  md5.Update(bytes);
}

}  // namespace

int64_t MessageSize(const SendFields& fields) {
  int64_t size = fields.body ? static_cast<int64_t>(fields.body->size()) : 0;
  for (const auto& [name, value] : fields.attributes) {
    size += static_cast<int64_t>(name.size());
    size += static_cast<int64_t>(value.data_type.value_or("").size());
    if (value.string_value) size += static_cast<int64_t>(value.string_value->size());
    if (value.binary_value) size += static_cast<int64_t>(value.binary_value->size());
  }
  return size;
}

std::string Md5OfAttributes(const MessageAttributeMap& sorted_attributes) {
  Md5 md5;
  for (const auto& [name, value] : sorted_attributes) {
    PutLengthPrefixed(md5, name);
    const std::string& type = value.data_type.value_or(std::string());
    PutLengthPrefixed(md5, type);
    const bool binary = type.rfind("Binary", 0) == 0;
    const char transport = binary ? 2 : 1;
    md5.Update(std::string_view(&transport, 1));
    const std::optional<std::string>& v = binary ? value.binary_value : value.string_value;
    PutLengthPrefixed(md5, v.value_or(std::string()));
  }
  return HexLower(md5.Finish());
}

api::ApiResult<NewMessage> BuildMessage(SendFields f, SendKind kind, const SendRules& config,
                                        const Limits& limits, const api::RequestContext& ctx,
                                        int64_t now_millis) {
  const bool batch = kind == SendKind::kBatchEntry;
  if (!f.body || f.body->empty()) {
    if (batch) return InvalidParameter("The request must contain the parameter MessageBody.");
    return api::Error(ErrorCode::kMissingParameter,
                      "The request must contain the parameter MessageBody.");
  }
  const int64_t size = MessageSize(f);
  if (size > config.maximum_message_size) {
    return InvalidParameter(std::string(batch ? "One or more parameters cannot be validated."
                                              : "One or more parameters are invalid.") +
                            " Reason: Message must be shorter than " +
                            std::to_string(config.maximum_message_size) + " bytes.");
  }
  if (!IsValidMessageText(*f.body)) return api::Error(ErrorCode::kInvalidMessageContents);
  WHARF_RETURN_IF_ERROR(ValidateAttributes(f.attributes, limits));
  WHARF_RETURN_IF_ERROR(ValidateSystemAttributes(f.system_attributes));
  if (f.group_id && !IsValidTag128(*f.group_id)) {
    return InvalidParameter("Value " + *f.group_id +
                            " for parameter MessageGroupId is invalid. Reason: MessageGroupId can "
                            "only include alphanumeric and punctuation characters. 1 to 128 in "
                            "length.");
  }
  if (f.deduplication_id && !IsValidTag128(*f.deduplication_id)) {
    return InvalidParameter("Value " + *f.deduplication_id +
                            " for parameter MessageDeduplicationId is invalid. Reason: "
                            "MessageDeduplicationId can only include alphanumeric and punctuation "
                            "characters. 1 to 128 in length.");
  }
  if (config.fifo) {
    if (f.delay_seconds && *f.delay_seconds != 0) {
      return InvalidParameter("Value " + std::to_string(*f.delay_seconds) +
                              " for parameter DelaySeconds is invalid. Reason: The request include "
                              "parameter that is not valid for this queue type.");
    }
    if (!f.group_id) {
      if (batch) return InvalidParameter("The request must contain the parameter MessageGroupId.");
      return api::Error(ErrorCode::kMissingParameter,
                        "The request must contain the parameter MessageGroupId.");
    }
    if (!f.deduplication_id && !config.content_based_deduplication) {
      return InvalidParameter(
          "The queue should either have ContentBasedDeduplication enabled or "
          "MessageDeduplicationId provided explicitly");
    }
  }
  if (!config.fifo && f.deduplication_id) {
    return InvalidParameter("Value " + *f.deduplication_id +
                            " for parameter MessageDeduplicationId is invalid. Reason: The request "
                            "include parameter that is not valid for this queue type.");
  }
  if (f.delay_seconds && (*f.delay_seconds < 0 || *f.delay_seconds > limits.max_delay_seconds)) {
    return InvalidParameter("Value " + std::to_string(*f.delay_seconds) +
                            " for parameter DelaySeconds is invalid. Reason: DelaySeconds must be "
                            ">= 0 and <= " +
                            std::to_string(limits.max_delay_seconds) + ".");
  }

  auto content = std::make_shared<MessageContent>();
  if (config.fifo && !f.deduplication_id) {
    // Content-based deduplication: the SHA-256 of the body (attributes excluded, §5.12).
    f.deduplication_id = HexLower(Sha256Of(*f.body));
  }
  content->message_id = NewUuid();
  content->md5_of_body = HexLower(Md5Of(*f.body));
  content->body = std::move(*f.body);
  if (!f.attributes.empty()) {
    content->md5_of_attributes = Md5OfAttributes(f.attributes);
    content->attributes = std::move(f.attributes);
  }
  if (!f.system_attributes.empty()) {
    content->md5_of_system_attributes = Md5OfAttributes(f.system_attributes);
    content->trace_header = f.system_attributes.front().second.string_value;
  } else if (!ctx.trace_header.empty()) {
    // The X-Amzn-Trace-Id header stands in for a missing AWSTraceHeader (sqs-api.md §2.7).
    content->trace_header = ctx.trace_header;
  }
  content->group_id = std::move(f.group_id);
  content->deduplication_id = std::move(f.deduplication_id);
  content->sender_id = ctx.sender_id;
  content->sent_millis = now_millis;
  // On FIFO queues DelaySeconds may only be 0, which means "the queue's delay" (§2.7 step 7).
  if (config.fifo) f.delay_seconds.reset();
  NewMessage message{std::move(content), f.delay_seconds};
  message.size = size;
  return message;
}

}  // namespace wharf::sqs
