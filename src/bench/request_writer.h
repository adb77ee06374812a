#pragma once

// Builds signed SQS requests in either wire protocol (sqs-api.md §1.3, §1.4, Appendix A) into
// buffers that are reused from one request to the next. The static parts (host, queue URL in
// both encodings, the credential scope) are prepared once; per request only the body, its
// SHA-256, the date and the signature change.
// Thread-safety: none; one writer per connection.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bench/sigv4_signer.h"

namespace wharf::bench {

enum class WireProtocol : uint8_t { kJson, kQuery };

// The SQS actions the generator uses.
enum class Op : uint8_t {
  kCreateQueue,
  kDeleteQueue,
  kSendMessage,
  kSendMessageBatch,
  kReceiveMessage,
  kDeleteMessage,
  kDeleteMessageBatch,
};
inline constexpr size_t kOpCount = 7;
std::string_view OpName(Op op);

// Where requests go and as whom they are signed.
struct Target {
  WireProtocol protocol = WireProtocol::kJson;
  std::string host;  // the Host header: "127.0.0.1:9324"
  std::string region;
  std::string access_key;
  std::string secret_key;
};

// The FIFO members of one message (sqs-api.md §2.7): both are sent when `group_id` is not
// empty.
struct FifoIds {
  std::string_view group_id;
  std::string_view deduplication_id;
};

// One CreateQueue attribute (JSON `Attributes` map, Query `Attribute.N.Name/Value`).
struct QueueAttribute {
  std::string_view name;
  std::string_view value;
};

// Appends `s` as the inside of a JSON string (escaping quotes, backslashes, control bytes).
void AppendJsonEscaped(std::string& out, std::string_view s);
// Appends `s` percent-encoded for a form body (everything but A-Z a-z 0-9 - _ . ~).
void AppendFormEncoded(std::string& out, std::string_view s);

class RequestWriter {
 public:
  explicit RequestWriter(const Target& target);

  void set_queue_url(std::string_view queue_url);

  // Each of these starts a new request (replacing the previous one).
  void CreateQueue(std::string_view queue_name, std::span<const QueueAttribute> attributes = {});
  void DeleteQueue();
  // With `fifo`, the message carries MessageGroupId and MessageDeduplicationId.
  void SendMessage(std::string_view message_body, const FifoIds* fifo = nullptr);
  // `entries` entries (Ids "0".."n-1") all carrying `message_body`. When `fifo` is not empty it
  // holds at least `entries` elements: entry i carries fifo[i]'s group and deduplication ids.
  void SendMessageBatch(std::string_view message_body, int entries,
                        std::span<const FifoIds> fifo = {});
  void ReceiveMessage(int max_messages, int wait_seconds);
  void DeleteMessage(std::string_view receipt_handle);
  // Deletes the first `count` handles.
  void DeleteMessageBatch(const std::vector<std::string>& receipt_handles, size_t count);

  // Dates and signs the request just written, and frames its HTTP head.
  void Finish();

  Op op() const { return op_; }
  std::string_view head() const { return head_; }
  std::string_view body() const { return body_; }

 private:
  void Begin(Op op);
  void QueueUrlMember();  // the first member of every queue-level request
  // A top-level member: JSON `"name":"value"` (preceded by a comma unless first), Query
  // `&name=value`.
  void String(std::string_view name, std::string_view value, bool first = false);
  void Int(std::string_view name, int value);
  void Member(std::string_view json_prefix, std::string_view query_name, int index,
              std::string_view member, std::string_view value);
  // MessageGroupId and MessageDeduplicationId as top-level members (SendMessage).
  void FifoMembers(const FifoIds& fifo);
  void End();

  WireProtocol protocol_;
  std::string host_;
  SigV4Signer signer_;
  AmzDate date_;
  Sha256Context payload_sha256_;
  std::string json_queue_url_;   // JSON-escaped
  std::string query_queue_url_;  // form-encoded
  Op op_ = Op::kSendMessage;
  std::string body_;
  std::string escaped_;  // a batch's shared message body, escaped once
  std::string head_;
  std::string canonical_headers_;
  std::string payload_hash_;
};

}  // namespace wharf::bench
