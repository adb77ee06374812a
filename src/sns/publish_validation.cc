#include "sns/publish_validation.h"

#include <simdjson.h>

#include <algorithm>
#include <cstdio>

#include "common/hashing.h"
#include "common/text.h"
#include "sns/identifiers.h"

namespace wharf::sns {
namespace {

using api::ErrorCode;

api::ApiError ValueInvalid(std::string message) {
  return api::Error(ErrorCode::kSnsParameterValueInvalid, std::move(message));
}

bool IsValidUtf8(std::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    if (NextCodePoint(text, pos) < 0) return false;
  }
  return true;
}

// 1–128 characters of alphanumerics and ASCII punctuation (MessageGroupId,
// MessageDeduplicationId).
bool IsValidId128(std::string_view v) {
  return !v.empty() && v.size() <= 128 &&
         std::all_of(v.begin(), v.end(), [](char c) { return c >= 0x21 && c <= 0x7e; });
}

// Optional sign, digits with an optional fraction, optional exponent.
bool IsNumber(std::string_view v) {
  size_t i = 0;
  if (i < v.size() && (v[i] == '+' || v[i] == '-')) ++i;
  size_t digits = 0;
  auto take_digits = [&] {
    while (i < v.size() && v[i] >= '0' && v[i] <= '9') {
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
    const size_t before = i;
    while (i < v.size() && v[i] >= '0' && v[i] <= '9') ++i;
    if (i == before) return false;
  }
  return i == v.size();
}

// A JSON array whose elements are strings, numbers, booleans or null.
bool IsStringArray(std::string_view value) {
  simdjson::dom::parser parser;
  simdjson::padded_string json(value);
  simdjson::dom::array array;
  if (parser.parse(json).get(array) != simdjson::SUCCESS) return false;
  for (simdjson::dom::element e : array) {
    if (e.is_array() || e.is_object()) return false;
  }
  return true;
}

api::ApiStatus ValidateAttributeName(std::string_view name) {
  if (name.empty() || name.size() >= 256) {
    return ValueInvalid("Message attribute name must be between 1 and 255 bytes long.");
  }
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    if (!ok) {
      char code[8];
      std::snprintf(code, sizeof code, "#x%02X", static_cast<unsigned char>(c));
      return ValueInvalid("Invalid non-alphanumeric character '" + std::string(code) +
                          "' was found in the message attribute name. Can only include "
                          "alphanumeric characters, hyphens, underscores, or dots.");
    }
  }
  if (name.front() == '.') {
    return ValueInvalid("Invalid message attribute name starting with character '.' was found.");
  }
  if (name.back() == '.') {
    return ValueInvalid("Invalid message attribute name ending with character '.' was found.");
  }
  if (name.find("..") != std::string_view::npos) {
    return ValueInvalid("Message attribute name can not have successive '.' character.");
  }
  // SQS reserves these prefixes, so raw delivery could never carry them (sns-fanout.md §3).
  if (StartsWithIgnoreCase(name, "AWS.") || StartsWithIgnoreCase(name, "Amazon.")) {
    return ValueInvalid("Message attribute name '" + std::string(name) +
                        "' uses a reserved prefix (AWS. or Amazon.).");
  }
  return {};
}

api::ApiStatus ValidateAttribute(const std::string& name,
                                 const api::sns::MessageAttributeValue& value) {
  if (!value.data_type) {
    return api::Error(ErrorCode::kValidationError,
                      "1 validation error detected: Value null at 'messageAttributes." + name +
                          ".member.dataType' failed to satisfy constraint: Member must not be "
                          "null");
  }
  WHARF_RETURN_IF_ERROR(ValidateAttributeName(name));
  const std::string& type = *value.data_type;
  std::string_view base;
  for (std::string_view b : {"String", "Number", "Binary"}) {
    if (type.compare(0, b.size(), b) == 0 && (type.size() == b.size() || type[b.size()] == '.')) {
      base = b;
    }
  }
  if (base.empty() || type.size() == base.size() + 1 || type.size() > 256) {
    return ValueInvalid("The message attribute '" + name +
                        "' has an invalid message attribute type, the set of supported type "
                        "prefixes is Binary, Number, and String.");
  }
  const bool binary = base == "Binary";
  if (binary ? !value.binary_value : !value.string_value) {
    return ValueInvalid("The message attribute '" + name + "' with type '" + std::string(base) +
                        "' must use field '" + (binary ? "Binary" : "String") + "'.");
  }
  if (binary ? value.binary_value->empty() : value.string_value->empty()) {
    return ValueInvalid("The message attribute '" + name +
                        "' must contain non-empty message attribute value for message attribute "
                        "type '" +
                        std::string(base) + "'.");
  }
  if (!binary && !IsValidUtf8(*value.string_value)) {
    return ValueInvalid("The message attribute '" + name + "' must contain valid UTF-8 text.");
  }
  if (base == "Number" && !IsNumber(*value.string_value)) {
    return ValueInvalid("Could not cast message attribute '" + name + "' value to number.");
  }
  if (type == "String.Array" && !IsStringArray(*value.string_value)) {
    return ValueInvalid("The message attribute '" + name +
                        "' with type 'String.Array' must be a JSON array of strings, numbers, "
                        "booleans or null.");
  }
  return {};
}

// MessageStructure=json: the text queues get, the "sqs" entry or else "default".
api::ApiResult<std::string> MessageForQueues(const std::string& structured) {
  simdjson::dom::parser parser;
  simdjson::padded_string json(structured);
  simdjson::dom::object root;
  if (parser.parse(json).get(root) != simdjson::SUCCESS) {
    return InvalidParameter("Message Structure - JSON message body failed to parse");
  }
  std::string_view text;
  if (root["sqs"].get(text) == simdjson::SUCCESS) return std::string(text);
  if (root["default"].get(text) != simdjson::SUCCESS) {
    return InvalidParameter("Message Structure - No default entry in JSON message body");
  }
  return std::string(text);
}

}  // namespace

int64_t PublishedSize(const PublishFields& fields) {
  int64_t size = fields.message ? static_cast<int64_t>(fields.message->size()) : 0;
  for (const auto& [name, value] : fields.attributes) {
    size += static_cast<int64_t>(name.size() + value.data_type.value_or("").size());
    if (value.string_value) size += static_cast<int64_t>(value.string_value->size());
    if (value.binary_value) size += static_cast<int64_t>(value.binary_value->size());
  }
  return size;
}

api::ApiStatus ValidateMessageAttributes(api::sns::MessageAttributeMap& attributes) {
  std::sort(attributes.begin(), attributes.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (size_t i = 0; i < attributes.size(); ++i) {
    WHARF_RETURN_IF_ERROR(ValidateAttribute(attributes[i].first, attributes[i].second));
    if (i > 0 && attributes[i].first == attributes[i - 1].first) {
      return ValueInvalid("Message attribute name '" + attributes[i].first + "' is repeated.");
    }
  }
  return {};
}

api::ApiResult<Publication> BuildPublication(PublishFields f, const TopicSettings& settings) {
  if (!f.message) return MissingMember("message");
  if (f.message->empty()) return InvalidParameter("Empty message");
  if (!IsValidUtf8(*f.message)) return InvalidParameter("Message");
  if (PublishedSize(f) > kMaxMessageBytes) return InvalidParameter("Message too long");
  if (f.subject) {
    const bool control = std::any_of(f.subject->begin(), f.subject->end(), [](char c) {
      return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
    });
    if (f.subject->empty() || control || !IsValidUtf8(*f.subject) ||
        CodePointCount(*f.subject) >= 100) {
      return InvalidParameter("Subject");
    }
  }
  std::string message;
  if (f.message_structure) {
    if (*f.message_structure != "json") return InvalidParameter("MessageStructure");
    WHARF_ASSIGN_OR_RETURN(message, MessageForQueues(*f.message));
  } else {
    message = std::move(*f.message);
  }
  WHARF_RETURN_IF_ERROR(ValidateMessageAttributes(f.attributes));
  if (f.group_id && !IsValidId128(*f.group_id)) {
    return InvalidParameter(
        "MessageGroupId Reason: MessageGroupId can only include alphanumeric and punctuation "
        "characters. 1 to 128 in length.");
  }
  if (f.deduplication_id && !IsValidId128(*f.deduplication_id)) {
    return InvalidParameter(
        "MessageDeduplicationId Reason: MessageDeduplicationId can only include alphanumeric and "
        "punctuation characters. 1 to 128 in length.");
  }
  if (settings.fifo) {
    if (!f.group_id) {
      return InvalidParameter("The MessageGroupId parameter is required for FIFO topics");
    }
    if (!f.deduplication_id) {
      if (!settings.content_based_deduplication) {
        return InvalidParameter(
            "The topic should either have ContentBasedDeduplication enabled or "
            "MessageDeduplicationId provided explicitly");
      }
      // Content-based: the SHA-256 of the message body (sns-fanout.md §6).
      f.deduplication_id = HexLower(Sha256Of(message));
    }
  } else if (f.deduplication_id) {
    return InvalidParameter(
        "MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter "
        "that is not valid for this topic type");
  }
  Publication p;
  p.fifo = settings.fifo;
  p.subject = std::move(f.subject);
  p.message = std::move(message);
  p.attributes = std::move(f.attributes);
  p.group_id = std::move(f.group_id);
  p.deduplication_id = std::move(f.deduplication_id);
  p.signature_version = settings.signature_version;
  p.dedup_by_group = settings.dedup_by_group;
  return p;
}

}  // namespace wharf::sns
