#include "sqs/engine/records.h"

#include "common/binary_codec.h"

namespace wharf::sqs {
namespace {

constexpr uint8_t kQueueRecordV1 = 1;
// v2 = v1 with the seq floor (a varint, never 0) after the tags; written only once the queue was
// purged, so a queue never purged is byte for byte what v1 wrote.
constexpr uint8_t kQueueRecordV2 = 2;
constexpr uint8_t kMessageRecordV1 = 1;
// v2 = v1 with the SSE-KMS data key id before the body; written only for sealed bodies, so a
// store without SSE-KMS is byte for byte what v1 wrote.
constexpr uint8_t kMessageRecordV2 = 2;
constexpr uint8_t kStateRecordV1 = 1;
// v2 = v1 with a u8 1 after the dead-letter source ARN: the message was moved into this queue
// (dead-letter move, move task) and claimed no deduplication entry in it. Written only for such
// messages, so every other state record is byte for byte what v1 wrote.
constexpr uint8_t kStateRecordV2 = 2;
constexpr uint8_t kDedupRecordV1 = 1;

void WriteAttributes(BinaryWriter& w, const api::sqs::MessageAttributeMap& attributes) {
  w.Varint(attributes.size());
  for (const auto& [name, value] : attributes) {
    w.Bytes(name);
    w.OptionalBytes(value.data_type);
    w.OptionalBytes(value.string_value);
    w.OptionalBytes(value.binary_value);
  }
}

api::sqs::MessageAttributeMap ReadAttributes(BinaryReader& r) {
  api::sqs::MessageAttributeMap out;
  uint64_t n = r.Varint();
  for (uint64_t i = 0; i < n && r.ok(); ++i) {
    std::string name = r.Bytes();
    api::sqs::MessageAttributeValue value;
    value.data_type = r.OptionalBytes();
    value.string_value = r.OptionalBytes();
    value.binary_value = r.OptionalBytes();
    out.emplace_back(std::move(name), std::move(value));
  }
  return out;
}

}  // namespace

std::string EncodeQueueRecord(const QueueRecord& q) {
  std::string out;
  BinaryWriter w(out);
  const QueueConfig& c = q.config;
  w.U8(q.seq_floor != 0 ? kQueueRecordV2 : kQueueRecordV1);
  w.Bytes(q.account_id);
  w.Bytes(q.name);
  w.Bool(c.fifo);
  w.Bool(q.dedup_by_group);
  w.Signed(c.delay_seconds);
  w.Signed(c.maximum_message_size);
  w.Signed(c.message_retention_period);
  w.Signed(c.receive_message_wait_time_seconds);
  w.Signed(c.visibility_timeout);
  w.OptionalBytes(c.policy);
  w.Bool(c.redrive_policy.has_value());
  if (c.redrive_policy) {
    w.Bytes(c.redrive_policy->dead_letter_target_arn);
    w.Signed(c.redrive_policy->max_receive_count);
  }
  w.OptionalBytes(c.redrive_allow_policy);
  w.OptionalBytes(c.kms_master_key_id);
  w.Signed(c.kms_data_key_reuse_period_seconds);
  w.Bool(c.sqs_managed_sse_enabled);
  w.Bool(c.content_based_deduplication);
  w.Bytes(c.deduplication_scope);
  w.Bytes(c.fifo_throughput_limit);
  w.Signed(c.created_timestamp);
  w.Signed(c.last_modified_timestamp);
  w.Varint(q.tags.size());
  for (const auto& [k, v] : q.tags) {
    w.Bytes(k);
    w.Bytes(v);
  }
  if (q.seq_floor != 0) w.Varint(q.seq_floor);
  return out;
}

std::optional<QueueRecord> DecodeQueueRecord(std::string_view payload) {
  BinaryReader r(payload);
  const uint8_t version = r.U8();
  if (version != kQueueRecordV1 && version != kQueueRecordV2) return std::nullopt;
  QueueRecord q;
  QueueConfig& c = q.config;
  q.account_id = r.Bytes();
  q.name = r.Bytes();
  c.fifo = r.Bool();
  q.dedup_by_group = r.Bool();
  c.delay_seconds = r.Signed();
  c.maximum_message_size = r.Signed();
  c.message_retention_period = r.Signed();
  c.receive_message_wait_time_seconds = r.Signed();
  c.visibility_timeout = r.Signed();
  c.policy = r.OptionalBytes();
  if (c.policy) {
    // Stored policies were validated when set. One that no longer parses (written by an older
    // version) grants nothing: the queue then serves its own account only.
    auto document = ParseQueuePolicy(*c.policy);
    if (document.ok()) c.policy_document = std::move(document).value();
  }
  if (r.Bool()) {
    RedrivePolicy p;
    p.dead_letter_target_arn = r.Bytes();
    p.max_receive_count = r.Signed();
    c.redrive_policy = std::move(p);
  }
  c.redrive_allow_policy = r.OptionalBytes();
  c.kms_master_key_id = r.OptionalBytes();
  c.kms_data_key_reuse_period_seconds = r.Signed();
  c.sqs_managed_sse_enabled = r.Bool();
  c.content_based_deduplication = r.Bool();
  c.deduplication_scope = r.Bytes();
  c.fifo_throughput_limit = r.Bytes();
  c.created_timestamp = r.Signed();
  c.last_modified_timestamp = r.Signed();
  uint64_t tags = r.Varint();
  for (uint64_t i = 0; i < tags && r.ok(); ++i) {
    std::string k = r.Bytes();
    std::string v = r.Bytes();
    q.tags.emplace_back(std::move(k), std::move(v));
  }
  if (version == kQueueRecordV2) {
    q.seq_floor = r.Varint();
    if (q.seq_floor == 0) return std::nullopt;  // written as v1
  }
  if (!r.ok() || !r.done()) return std::nullopt;
  return q;
}

namespace {

// An id or digest longer than its inline field (message.h) is not from a record this server
// wrote: the record does not decode.
template <size_t N>
bool ReadFixed(BinaryReader& r, FixedText<N>& out) {
  const std::string text = r.Bytes();
  if (!FixedText<N>::Fits(text)) return false;
  out = text;
  return true;
}

// The message's optional texts are never present and empty (message.h keeps them as
// empty-means-absent strings), so the writer never writes one: a record with one does not
// decode, and every accepted record is exactly what the writer would write for it.
template <class Text>
bool ReadOptionalText(BinaryReader& r, Text& out) {
  std::optional<std::string> text = r.OptionalBytes();
  if (text && text->empty()) return false;
  out = std::move(text);
  return true;
}

std::string EncodeMessage(const MessageContent& c, int64_t visible_at_millis,
                          std::string_view body) {
  std::string out;
  out.reserve(body.size() + 128);
  BinaryWriter w(out);
  w.U8(c.data_key_id != 0 ? kMessageRecordV2 : kMessageRecordV1);
  w.Bytes(c.message_id);
  w.Signed(c.sent_millis);
  w.Signed(visible_at_millis);
  w.Bytes(c.sender_id);
  w.OptionalBytes(c.trace_header);
  w.OptionalBytes(c.md5_of_system_attributes);
  w.OptionalBytes(c.group_id);
  w.OptionalBytes(c.deduplication_id);
  w.Bytes(c.md5_of_body);
  w.OptionalBytes(c.md5_of_attributes);
  WriteAttributes(w, c.attributes);
  if (c.data_key_id != 0) w.Varint(c.data_key_id);
  w.Bytes(body);
  return out;
}

}  // namespace

std::string EncodeMessageRecord(const MessageContent& c, int64_t visible_at_millis) {
  return EncodeMessage(c, visible_at_millis, c.body);
}

std::string EncodeMessageMetadata(const MessageContent& content) {
  return EncodeMessage(content, 0, {});
}

std::optional<MessageContent> DecodeMessageMetadata(std::string_view payload) {
  auto record = DecodeMessageRecord(payload);
  if (!record) return std::nullopt;
  return std::move(record->content);
}

std::optional<MessageRecord> DecodeMessageRecord(std::string_view payload) {
  BinaryReader r(payload);
  const uint8_t version = r.U8();
  if (version != kMessageRecordV1 && version != kMessageRecordV2) return std::nullopt;
  MessageRecord m;
  MessageContent& c = m.content;
  if (!ReadFixed(r, c.message_id)) return std::nullopt;
  c.sent_millis = r.Signed();
  m.visible_at_millis = r.Signed();
  c.sender_id = r.Bytes();
  if (!ReadOptionalText(r, c.trace_header) || !ReadOptionalText(r, c.md5_of_system_attributes) ||
      !ReadOptionalText(r, c.group_id) || !ReadOptionalText(r, c.deduplication_id) ||
      !ReadFixed(r, c.md5_of_body) || !ReadOptionalText(r, c.md5_of_attributes)) {
    return std::nullopt;
  }
  c.attributes = ReadAttributes(r);
  if (version == kMessageRecordV2) {
    c.data_key_id = r.Varint();
    if (c.data_key_id == 0) return std::nullopt;
  }
  c.body = r.Bytes();
  if (!r.ok() || !r.done()) return std::nullopt;
  return m;
}

std::string EncodeStateRecord(const StateRecord& s) {
  std::string out;
  BinaryWriter w(out);
  w.U8(s.moved_in ? kStateRecordV2 : kStateRecordV1);
  w.U8(static_cast<uint8_t>(s.state));
  w.Signed(s.visible_at_millis);
  w.Signed(s.received_at_millis);
  w.Varint(s.receive_count);
  w.Varint(s.receipt_nonce);
  w.Signed(s.first_receive_millis);
  w.Signed(s.enqueued_millis);
  w.OptionalBytes(s.dead_letter_source_arn);
  if (s.moved_in) w.U8(1);
  return out;
}

std::optional<StateRecord> DecodeStateRecord(std::string_view payload) {
  BinaryReader r(payload);
  const uint8_t version = r.U8();
  if (version != kStateRecordV1 && version != kStateRecordV2) return std::nullopt;
  StateRecord s;
  uint8_t state = r.U8();
  if (state > static_cast<uint8_t>(MessageState::kInFlight)) return std::nullopt;
  s.state = static_cast<MessageState>(state);
  s.visible_at_millis = r.Signed();
  s.received_at_millis = r.Signed();
  const uint64_t receive_count = r.Varint();
  const uint64_t receipt_nonce = r.Varint();
  // Written from 32-bit fields: a larger value is damage, not a count to truncate.
  if (receive_count > UINT32_MAX || receipt_nonce > UINT32_MAX) return std::nullopt;
  s.receive_count = static_cast<uint32_t>(receive_count);
  s.receipt_nonce = static_cast<uint32_t>(receipt_nonce);
  s.first_receive_millis = r.Signed();
  s.enqueued_millis = r.Signed();
  s.dead_letter_source_arn = r.OptionalBytes();
  if (version == kStateRecordV2) {
    if (r.U8() != 1) return std::nullopt;  // v2 is written only for moved messages
    s.moved_in = true;
  }
  if (!r.ok() || !r.done()) return std::nullopt;
  return s;
}

std::string EncodeDedupRecord(const DedupEntry& e) {
  std::string out;
  BinaryWriter w(out);
  w.U8(kDedupRecordV1);
  w.Bytes(e.message_id);
  w.Varint(e.seq);
  w.Signed(e.expires_millis);
  return out;
}

std::optional<DedupEntry> DecodeDedupRecord(std::string_view payload) {
  BinaryReader r(payload);
  if (r.U8() != kDedupRecordV1) return std::nullopt;
  DedupEntry e;
  if (!ReadFixed(r, e.message_id)) return std::nullopt;
  e.seq = r.Varint();
  e.expires_millis = r.Signed();
  if (!r.ok() || !r.done()) return std::nullopt;
  return e;
}

}  // namespace wharf::sqs
