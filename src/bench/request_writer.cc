#include "bench/request_writer.h"

#include <array>
#include <charconv>
#include <span>

namespace wharf::bench {
namespace {

constexpr std::string_view kJsonContentType = "application/x-amz-json-1.0";
constexpr std::string_view kQueryContentType = "application/x-www-form-urlencoded; charset=utf-8";
// Batch entry ids; a batch holds at most 10 entries.
constexpr std::array<std::string_view, 10> kIds = {"0", "1", "2", "3", "4",
                                                   "5", "6", "7", "8", "9"};

void AppendInt(std::string& out, uint64_t value) {
  std::array<char, 24> buf{};
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), value);
  (void)ec;  // 24 digits always suffice
  out.append(buf.data(), end);
}

}  // namespace

std::string_view OpName(Op op) {
  switch (op) {
    case Op::kCreateQueue:
      return "CreateQueue";
    case Op::kDeleteQueue:
      return "DeleteQueue";
    case Op::kSendMessage:
      return "SendMessage";
    case Op::kSendMessageBatch:
      return "SendMessageBatch";
    case Op::kReceiveMessage:
      return "ReceiveMessage";
    case Op::kDeleteMessage:
      return "DeleteMessage";
    case Op::kDeleteMessageBatch:
      return "DeleteMessageBatch";
  }
  return "Unknown";
}

void AppendJsonEscaped(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  size_t run = 0;  // start of the current run of bytes that need no escape
  for (size_t i = 0; i < s.size(); ++i) {
    const auto u = static_cast<unsigned char>(s[i]);
    if (u >= 0x20 && u != '"' && u != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    if (u >= 0x20) {
      out.push_back('\\');
      out.push_back(static_cast<char>(u));
    } else {
      out.append("\\u00");
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0xf]);
    }
  }
  out.append(s.data() + run, s.size() - run);
}

void AppendFormEncoded(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  size_t run = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      continue;
    }
    out.append(s.data() + run, i - run);
    run = i + 1;
    const auto u = static_cast<unsigned char>(c);
    out.push_back('%');
    out.push_back(kHex[u >> 4]);
    out.push_back(kHex[u & 0xf]);
  }
  out.append(s.data() + run, s.size() - run);
}

RequestWriter::RequestWriter(const Target& target)
    : protocol_(target.protocol),
      host_(target.host),
      signer_(target.access_key, target.secret_key, target.region, "sqs") {}

void RequestWriter::set_queue_url(std::string_view queue_url) {
  json_queue_url_.clear();
  AppendJsonEscaped(json_queue_url_, queue_url);
  query_queue_url_.clear();
  AppendFormEncoded(query_queue_url_, queue_url);
}

void RequestWriter::Begin(Op op) {
  op_ = op;
  body_.clear();
  if (protocol_ == WireProtocol::kJson) {
    body_.push_back('{');
  } else {
    body_.append("Action=").append(OpName(op)).append("&Version=2012-11-05");
  }
}

void RequestWriter::QueueUrlMember() {
  if (protocol_ == WireProtocol::kJson) {
    body_.append("\"QueueUrl\":\"").append(json_queue_url_).push_back('"');
  } else {
    body_.append("&QueueUrl=").append(query_queue_url_);
  }
}

void RequestWriter::String(std::string_view name, std::string_view value, bool first) {
  if (protocol_ == WireProtocol::kJson) {
    body_.append(first ? "\"" : ",\"").append(name).append("\":\"");
    AppendJsonEscaped(body_, value);
    body_.push_back('"');
  } else {
    body_.append("&").append(name).push_back('=');
    AppendFormEncoded(body_, value);
  }
}

void RequestWriter::Int(std::string_view name, int value) {
  if (protocol_ == WireProtocol::kJson) {
    body_.append(",\"").append(name).append("\":");
  } else {
    body_.append("&").append(name).append("=");
  }
  AppendInt(body_, static_cast<uint64_t>(value));
}

// One member of a list entry: JSON `"member":"value"` (the caller frames the object), Query
// `&<query_name>.<index+1>.<member>=value`.
void RequestWriter::Member(std::string_view json_prefix, std::string_view query_name, int index,
                           std::string_view member, std::string_view value) {
  if (protocol_ == WireProtocol::kJson) {
    body_.append(json_prefix).append("\"").append(member).append("\":\"");
    AppendJsonEscaped(body_, value);
    body_.push_back('"');
  } else {
    body_.append("&").append(query_name).push_back('.');
    AppendInt(body_, static_cast<uint64_t>(index) + 1);
    body_.append(".").append(member).push_back('=');
    AppendFormEncoded(body_, value);
  }
}

void RequestWriter::End() {
  if (protocol_ == WireProtocol::kJson) body_.push_back('}');
}

void RequestWriter::CreateQueue(std::string_view queue_name,
                                std::span<const QueueAttribute> attributes) {
  Begin(Op::kCreateQueue);
  String("QueueName", queue_name, /*first=*/true);
  if (protocol_ == WireProtocol::kJson) {
    if (!attributes.empty()) {
      body_.append(",\"Attributes\":{");
      for (size_t i = 0; i < attributes.size(); ++i) {
        body_.append(i == 0 ? "\"" : ",\"");
        AppendJsonEscaped(body_, attributes[i].name);
        body_.append("\":\"");
        AppendJsonEscaped(body_, attributes[i].value);
        body_.push_back('"');
      }
      body_.push_back('}');
    }
  } else {
    for (size_t i = 0; i < attributes.size(); ++i) {
      const int index = static_cast<int>(i);
      Member("", "Attribute", index, "Name", attributes[i].name);
      Member("", "Attribute", index, "Value", attributes[i].value);
    }
  }
  End();
}

void RequestWriter::DeleteQueue() {
  Begin(Op::kDeleteQueue);
  QueueUrlMember();
  End();
}

void RequestWriter::FifoMembers(const FifoIds& fifo) {
  if (fifo.group_id.empty()) return;
  String("MessageGroupId", fifo.group_id);
  String("MessageDeduplicationId", fifo.deduplication_id);
}

void RequestWriter::SendMessage(std::string_view message_body, const FifoIds* fifo) {
  Begin(Op::kSendMessage);
  QueueUrlMember();
  String("MessageBody", message_body);
  if (fifo != nullptr) FifoMembers(*fifo);
  End();
}

void RequestWriter::SendMessageBatch(std::string_view message_body, int entries,
                                     std::span<const FifoIds> fifo) {
  Begin(Op::kSendMessageBatch);
  QueueUrlMember();
  // Every entry carries the same body: escape it once.
  escaped_.clear();
  const auto has_fifo = [&](int i) {
    return !fifo.empty() && !fifo[static_cast<size_t>(i)].group_id.empty();
  };
  if (protocol_ == WireProtocol::kJson) {
    AppendJsonEscaped(escaped_, message_body);
    body_.append(",\"Entries\":[");
    for (int i = 0; i < entries; ++i) {
      body_.append(i == 0 ? "{\"Id\":\"" : ",{\"Id\":\"");
      AppendInt(body_, static_cast<uint64_t>(i));
      body_.append("\",\"MessageBody\":\"").append(escaped_).push_back('"');
      if (has_fifo(i)) {
        const FifoIds& ids = fifo[static_cast<size_t>(i)];
        Member(",", "", i, "MessageGroupId", ids.group_id);
        Member(",", "", i, "MessageDeduplicationId", ids.deduplication_id);
      }
      body_.push_back('}');
    }
    body_.push_back(']');
  } else {
    AppendFormEncoded(escaped_, message_body);
    for (int i = 0; i < entries; ++i) {
      body_.append("&SendMessageBatchRequestEntry.");
      AppendInt(body_, static_cast<uint64_t>(i) + 1);
      body_.append(".Id=");
      AppendInt(body_, static_cast<uint64_t>(i));
      body_.append("&SendMessageBatchRequestEntry.");
      AppendInt(body_, static_cast<uint64_t>(i) + 1);
      body_.append(".MessageBody=").append(escaped_);
      if (has_fifo(i)) {
        const FifoIds& ids = fifo[static_cast<size_t>(i)];
        Member("", "SendMessageBatchRequestEntry", i, "MessageGroupId", ids.group_id);
        Member("", "SendMessageBatchRequestEntry", i, "MessageDeduplicationId",
               ids.deduplication_id);
      }
    }
  }
  End();
}

void RequestWriter::ReceiveMessage(int max_messages, int wait_seconds) {
  Begin(Op::kReceiveMessage);
  QueueUrlMember();
  Int("MaxNumberOfMessages", max_messages);
  Int("WaitTimeSeconds", wait_seconds);
  End();
}

void RequestWriter::DeleteMessage(std::string_view receipt_handle) {
  Begin(Op::kDeleteMessage);
  QueueUrlMember();
  String("ReceiptHandle", receipt_handle);
  End();
}

void RequestWriter::DeleteMessageBatch(const std::vector<std::string>& receipt_handles,
                                       size_t count) {
  Begin(Op::kDeleteMessageBatch);
  QueueUrlMember();
  if (protocol_ == WireProtocol::kJson) body_.append(",\"Entries\":[");
  for (size_t i = 0; i < count; ++i) {
    const int index = static_cast<int>(i);
    const std::string_view id = kIds[i % kIds.size()];
    Member(i == 0 ? "{" : ",{", "DeleteMessageBatchRequestEntry", index, "Id", id);
    Member(",", "DeleteMessageBatchRequestEntry", index, "ReceiptHandle", receipt_handles[i]);
    if (protocol_ == WireProtocol::kJson) body_.push_back('}');
  }
  if (protocol_ == WireProtocol::kJson) body_.push_back(']');
  End();
}

void RequestWriter::Finish() {
  const std::string_view date = date_.Now();
  const Sha256Digest payload = payload_sha256_.Of(body_);
  payload_hash_.clear();
  AppendHex(payload_hash_, payload.data(), payload.size());

  const bool json = protocol_ == WireProtocol::kJson;
  const std::string_view content_type = json ? kJsonContentType : kQueryContentType;
  const std::string_view op_name = OpName(op_);
  canonical_headers_.assign("content-type:").append(content_type);
  canonical_headers_.append("\nhost:").append(host_);
  canonical_headers_.append("\nx-amz-date:").append(date);
  if (json) canonical_headers_.append("\nx-amz-target:AmazonSQS.").append(op_name);
  canonical_headers_.push_back('\n');
  const std::string_view signed_headers =
      json ? "content-type;host;x-amz-date;x-amz-target" : "content-type;host;x-amz-date";
  const std::string_view authorization =
      signer_.Sign("POST", "/", "", canonical_headers_, signed_headers, payload_hash_, date);

  head_.assign("POST / HTTP/1.1\r\nHost: ").append(host_);
  head_.append("\r\nUser-Agent: wharf-bench\r\nContent-Type: ").append(content_type);
  if (json) head_.append("\r\nX-Amz-Target: AmazonSQS.").append(op_name);
  head_.append("\r\nX-Amz-Date: ").append(date);
  head_.append("\r\nAuthorization: ").append(authorization);
  head_.append("\r\nContent-Length: ");
  AppendInt(head_, body_.size());
  head_.append("\r\n\r\n");
}

}  // namespace wharf::bench
