// Fuzzes the queue engine's on-disk records (sqs/engine/records.h, docs/storage-format.md): what
// recovery reads back from the data directory after a crash, a bad disk or a bad copy. A record
// that is corrupt or truncated must be refused (recovery then stops with "unreadable ... record"
// instead of serving a wrong state), never crash, never read out of bounds, never be misread.
//
// Byte 0 picks the mode and the record kind (queue, message, state, dedup; bit 2: mode):
//   * decode: the rest is a stored payload. Checked: an accepted payload is exactly what the
//     encoder writes for the decoded record (Encode(Decode(p)) == p), so every payload that is
//     not the encoding of some record, whatever damage made it, is refused; and decoding is
//     deterministic;
//   * encode: the rest drives FuzzedDataProvider to build a valid record (any field values, the
//     extremes included). Checked: Decode(Encode(r)) returns r field by field; every proper
//     prefix of the encoding, the encoding with a byte appended, and a copy with one byte
//     changed (position and value from the input) are refused or, if accepted, re-encode to
//     exactly the changed bytes.

#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "sqs/engine/records.h"

namespace wharf::sqs {
namespace {

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "records_fuzz: %s\n", what);
  std::abort();
}

void Check(bool ok, const char* what) {
  if (!ok) Fail(what);
}

enum class Kind : uint8_t { kQueue, kMessage, kState, kDedup };

// Decodes `payload` as `kind` and re-encodes what was accepted; nullopt when refused.
std::optional<std::string> Reencode(Kind kind, std::string_view payload) {
  switch (kind) {
    case Kind::kQueue:
      if (auto q = DecodeQueueRecord(payload)) return EncodeQueueRecord(*q);
      return std::nullopt;
    case Kind::kMessage:
      if (auto m = DecodeMessageRecord(payload)) {
        return EncodeMessageRecord(m->content, m->visible_at_millis);
      }
      return std::nullopt;
    case Kind::kState:
      if (auto s = DecodeStateRecord(payload)) return EncodeStateRecord(*s);
      return std::nullopt;
    case Kind::kDedup:
      if (auto d = DecodeDedupRecord(payload)) return EncodeDedupRecord(*d);
      return std::nullopt;
  }
  return std::nullopt;
}

// Accepted ⇒ canonical: the payload is byte for byte what the encoder writes for its record.
void CheckDecode(Kind kind, std::string_view payload) {
  std::optional<std::string> first = Reencode(kind, payload);
  std::optional<std::string> second = Reencode(kind, payload);
  Check(first.has_value() == second.has_value(), "decoding is not deterministic");
  if (first) Check(*first == payload, "an accepted payload is not the encoding of its record");
}

// --- building valid records ------------------------------------------------------------------

std::string Str(FuzzedDataProvider& in) { return in.ConsumeRandomLengthString(64); }

std::optional<std::string> OptStr(FuzzedDataProvider& in) {
  if (!in.ConsumeBool()) return std::nullopt;
  return Str(in);
}

int64_t Int(FuzzedDataProvider& in) { return in.ConsumeIntegral<int64_t>(); }

QueueRecord MakeQueue(FuzzedDataProvider& in) {
  QueueRecord q;
  q.account_id = Str(in);
  q.name = Str(in);
  q.dedup_by_group = in.ConsumeBool();
  QueueConfig& c = q.config;
  c.fifo = in.ConsumeBool();
  c.delay_seconds = Int(in);
  c.maximum_message_size = Int(in);
  c.message_retention_period = Int(in);
  c.receive_message_wait_time_seconds = Int(in);
  c.visibility_timeout = Int(in);
  c.policy = OptStr(in);
  if (in.ConsumeBool()) c.redrive_policy = RedrivePolicy{Str(in), Int(in)};
  c.redrive_allow_policy = OptStr(in);
  c.kms_master_key_id = OptStr(in);
  c.kms_data_key_reuse_period_seconds = Int(in);
  c.sqs_managed_sse_enabled = in.ConsumeBool();
  c.content_based_deduplication = in.ConsumeBool();
  c.deduplication_scope = Str(in);
  c.fifo_throughput_limit = Str(in);
  c.created_timestamp = Int(in);
  c.last_modified_timestamp = Int(in);
  const size_t tags = in.ConsumeIntegralInRange<size_t>(0, 4);
  for (size_t i = 0; i < tags; ++i) q.tags.emplace_back(Str(in), Str(in));
  if (in.ConsumeBool()) q.seq_floor = in.ConsumeIntegral<uint64_t>();  // 0 is "none"
  return q;
}

MessageRecord MakeMessage(FuzzedDataProvider& in) {
  MessageRecord m;
  MessageContent& c = m.content;
  c.message_id = Str(in);
  c.sent_millis = Int(in);
  m.visible_at_millis = Int(in);
  c.sender_id = Str(in);
  c.trace_header = OptStr(in);
  c.md5_of_system_attributes = OptStr(in);
  c.group_id = OptStr(in);
  c.deduplication_id = OptStr(in);
  c.md5_of_body = Str(in);
  c.md5_of_attributes = OptStr(in);
  const size_t attributes = in.ConsumeIntegralInRange<size_t>(0, 4);
  for (size_t i = 0; i < attributes; ++i) {
    api::sqs::MessageAttributeValue value;
    std::string name = Str(in);
    value.data_type = OptStr(in);
    value.string_value = OptStr(in);
    value.binary_value = OptStr(in);
    c.attributes.emplace_back(std::move(name), std::move(value));
  }
  c.body = in.ConsumeRandomLengthString(512);
  return m;
}

StateRecord MakeState(FuzzedDataProvider& in) {
  StateRecord s;
  s.state = static_cast<MessageState>(
      in.ConsumeIntegralInRange<uint8_t>(0, static_cast<uint8_t>(MessageState::kInFlight)));
  s.visible_at_millis = Int(in);
  s.received_at_millis = Int(in);
  s.receive_count = in.ConsumeIntegral<uint32_t>();
  s.receipt_nonce = in.ConsumeIntegral<uint32_t>();
  s.first_receive_millis = Int(in);
  s.enqueued_millis = Int(in);
  s.dead_letter_source_arn = OptStr(in);
  return s;
}

DedupEntry MakeDedup(FuzzedDataProvider& in) {
  DedupEntry e;
  e.message_id = Str(in);
  e.seq = in.ConsumeIntegral<uint64_t>();
  e.expires_millis = Int(in);
  return e;
}

bool SameQueue(const QueueRecord& a, const QueueRecord& b) {
  const QueueConfig& x = a.config;
  const QueueConfig& y = b.config;
  const bool same_redrive =
      x.redrive_policy.has_value() == y.redrive_policy.has_value() &&
      (!x.redrive_policy ||
       (x.redrive_policy->dead_letter_target_arn == y.redrive_policy->dead_letter_target_arn &&
        x.redrive_policy->max_receive_count == y.redrive_policy->max_receive_count));
  return a.account_id == b.account_id && a.name == b.name && a.dedup_by_group == b.dedup_by_group &&
         a.tags == b.tags && x.fifo == y.fifo && x.delay_seconds == y.delay_seconds &&
         x.maximum_message_size == y.maximum_message_size &&
         x.message_retention_period == y.message_retention_period &&
         x.receive_message_wait_time_seconds == y.receive_message_wait_time_seconds &&
         x.visibility_timeout == y.visibility_timeout && x.policy == y.policy && same_redrive &&
         x.redrive_allow_policy == y.redrive_allow_policy &&
         x.kms_master_key_id == y.kms_master_key_id &&
         x.kms_data_key_reuse_period_seconds == y.kms_data_key_reuse_period_seconds &&
         x.sqs_managed_sse_enabled == y.sqs_managed_sse_enabled &&
         x.content_based_deduplication == y.content_based_deduplication &&
         x.deduplication_scope == y.deduplication_scope &&
         x.fifo_throughput_limit == y.fifo_throughput_limit &&
         x.created_timestamp == y.created_timestamp &&
         x.last_modified_timestamp == y.last_modified_timestamp && a.seq_floor == b.seq_floor;
}

bool SameMessage(const MessageRecord& a, const MessageRecord& b) {
  const MessageContent& x = a.content;
  const MessageContent& y = b.content;
  if (x.attributes.size() != y.attributes.size()) return false;
  for (size_t i = 0; i < x.attributes.size(); ++i) {
    const auto& [xn, xv] = x.attributes[i];
    const auto& [yn, yv] = y.attributes[i];
    if (xn != yn || xv.data_type != yv.data_type || xv.string_value != yv.string_value ||
        xv.binary_value != yv.binary_value) {
      return false;
    }
  }
  return a.visible_at_millis == b.visible_at_millis && x.message_id == y.message_id &&
         x.body == y.body && x.md5_of_body == y.md5_of_body &&
         x.md5_of_attributes == y.md5_of_attributes && x.trace_header == y.trace_header &&
         x.md5_of_system_attributes == y.md5_of_system_attributes && x.group_id == y.group_id &&
         x.deduplication_id == y.deduplication_id && x.sender_id == y.sender_id &&
         x.sent_millis == y.sent_millis && !y.body_on_disk;
}

bool SameState(const StateRecord& a, const StateRecord& b) {
  return a.state == b.state && a.visible_at_millis == b.visible_at_millis &&
         a.received_at_millis == b.received_at_millis && a.receive_count == b.receive_count &&
         a.receipt_nonce == b.receipt_nonce && a.first_receive_millis == b.first_receive_millis &&
         a.enqueued_millis == b.enqueued_millis &&
         a.dead_letter_source_arn == b.dead_letter_source_arn;
}

bool SameDedup(const DedupEntry& a, const DedupEntry& b) {
  return a.message_id == b.message_id && a.seq == b.seq && a.expires_millis == b.expires_millis;
}

// Builds a record of `kind`, checks it survives the round trip, and returns its encoding.
std::string RoundTrip(Kind kind, FuzzedDataProvider& in) {
  switch (kind) {
    case Kind::kQueue: {
      QueueRecord q = MakeQueue(in);
      std::string encoded = EncodeQueueRecord(q);
      auto decoded = DecodeQueueRecord(encoded);
      Check(decoded && SameQueue(q, *decoded), "a queue record does not survive the round trip");
      return encoded;
    }
    case Kind::kMessage: {
      MessageRecord m = MakeMessage(in);
      std::string encoded = EncodeMessageRecord(m.content, m.visible_at_millis);
      auto decoded = DecodeMessageRecord(encoded);
      Check(decoded && SameMessage(m, *decoded),
            "a message record does not survive the round trip");
      return encoded;
    }
    case Kind::kState: {
      StateRecord s = MakeState(in);
      std::string encoded = EncodeStateRecord(s);
      auto decoded = DecodeStateRecord(encoded);
      Check(decoded && SameState(s, *decoded), "a state record does not survive the round trip");
      return encoded;
    }
    case Kind::kDedup: {
      DedupEntry e = MakeDedup(in);
      std::string encoded = EncodeDedupRecord(e);
      auto decoded = DecodeDedupRecord(encoded);
      Check(decoded && SameDedup(e, *decoded), "a dedup record does not survive the round trip");
      return encoded;
    }
  }
  return {};
}

void CheckDamage(Kind kind, const std::string& encoded, FuzzedDataProvider& in) {
  for (size_t n = 0; n < encoded.size(); ++n) {
    Check(!Reencode(kind, std::string_view(encoded).substr(0, n)),
          "a truncated record is accepted");
  }
  Check(!Reencode(kind, encoded + in.ConsumeBytesAsString(1) + "x"),
        "a record with trailing bytes is accepted");
  if (encoded.empty()) return;
  std::string damaged = encoded;
  const size_t at = in.ConsumeIntegralInRange<size_t>(0, damaged.size() - 1);
  damaged[at] = static_cast<char>(damaged[at] ^ in.ConsumeIntegralInRange<uint8_t>(1, 255));
  CheckDecode(kind, damaged);
}

}  // namespace
}  // namespace wharf::sqs

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace wharf::sqs;
  if (size == 0) return 0;
  const auto kind = static_cast<Kind>(data[0] & 3);
  if ((data[0] & 4) == 0) {
    CheckDecode(kind, std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
    return 0;
  }
  FuzzedDataProvider in(data + 1, size - 1);
  const std::string encoded = RoundTrip(kind, in);
  CheckDamage(kind, encoded, in);
  return 0;
}
