#include "sns/envelope.h"

#include <cstdio>
#include <ctime>

#include "common/base64.h"

namespace wharf::sns {
namespace {

void AppendLine(std::string& out, std::string_view name, std::string_view value) {
  out.append(name);
  out.push_back('\n');
  out.append(value);
  out.push_back('\n');
}

void AppendMember(std::string& out, std::string_view name, std::string_view value) {
  if (out.size() > 1) out.push_back(',');
  AppendJsonString(out, name);
  out.push_back(':');
  AppendJsonString(out, value);
}

}  // namespace

void AppendJsonString(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (char c : text) {
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      case '\b':
        out.append("\\b");
        break;
      case '\f':
        out.append("\\f");
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out.append("\\u00");
          out.push_back(kHex[(c >> 4) & 0xf]);
          out.push_back(kHex[c & 0xf]);
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

std::string FormatTimestamp(int64_t millis) {
  const std::time_t seconds = static_cast<std::time_t>(millis / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<int>(millis % 1000));
  return text;
}

std::string StringToSign(const Envelope& e) {
  std::string out;
  out.reserve(e.message.size() + 256);
  AppendLine(out, "Message", e.message);
  AppendLine(out, "MessageId", e.message_id);
  if (e.subject) AppendLine(out, "Subject", *e.subject);
  AppendLine(out, "Timestamp", e.timestamp);
  AppendLine(out, "TopicArn", e.topic_arn);
  AppendLine(out, "Type", e.type);
  return out;
}

std::string EncodeEnvelope(const Envelope& e) {
  std::string out;
  out.reserve(e.message.size() + 768);
  out.push_back('{');
  AppendMember(out, "Type", e.type);
  AppendMember(out, "MessageId", e.message_id);
  if (e.sequence_number) AppendMember(out, "SequenceNumber", *e.sequence_number);
  AppendMember(out, "TopicArn", e.topic_arn);
  if (e.subject) AppendMember(out, "Subject", *e.subject);
  AppendMember(out, "Message", e.message);
  AppendMember(out, "Timestamp", e.timestamp);
  if (e.signature_version) AppendMember(out, "SignatureVersion", *e.signature_version);
  if (e.signature) AppendMember(out, "Signature", *e.signature);
  if (e.signing_cert_url) AppendMember(out, "SigningCertURL", *e.signing_cert_url);
  AppendMember(out, "UnsubscribeURL", e.unsubscribe_url);
  if (e.attributes && !e.attributes->empty()) {
    out.append(",\"MessageAttributes\":{");
    bool first = true;
    for (const auto& [name, value] : *e.attributes) {
      if (!first) out.push_back(',');
      first = false;
      AppendJsonString(out, name);
      out.append(":{\"Type\":");
      AppendJsonString(out, value.data_type.value_or(""));
      out.append(",\"Value\":");
      // Binary values travel as base64 text; String, Number and String.Array as given.
      AppendJsonString(out, value.binary_value ? Base64Encode(*value.binary_value)
                                               : value.string_value.value_or(""));
      out.push_back('}');
    }
    out.push_back('}');
  }
  out.push_back('}');
  return out;
}

}  // namespace wharf::sns
