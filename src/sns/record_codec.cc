#include "sns/record_codec.h"

#include <algorithm>
#include <cstdio>

#include "common/binary_codec.h"

namespace wharf::sns {
namespace {

constexpr uint8_t kTopicVersion = 1;
constexpr uint8_t kSubscriptionVersion = 1;
constexpr uint8_t kPublicationVersion = 1;
constexpr uint8_t kSequenceVersion = 1;
// A record listing more entries than this is garbage, not data.
constexpr uint64_t kMaxEntries = 1 << 20;

void WritePairs(BinaryWriter& w, const api::StringPairs& pairs) {
  w.Varint(pairs.size());
  for (const auto& [k, v] : pairs) {
    w.Bytes(k);
    w.Bytes(v);
  }
}

bool ReadPairs(BinaryReader& r, api::StringPairs& pairs) {
  const uint64_t n = r.Varint();
  if (n > kMaxEntries) return false;
  pairs.resize(n);
  for (auto& [k, v] : pairs) {
    k = r.Bytes();
    v = r.Bytes();
  }
  return r.ok();
}

}  // namespace

std::string TopicKey(std::string_view account, std::string_view name) {
  std::string key(kTopicPrefix);
  key.append(account);
  key.push_back('/');
  key.append(name);
  return key;
}

std::string SubscriptionKey(std::string_view subscription_arn) {
  std::string key(kSubscriptionPrefix);
  key.append(subscription_arn);
  return key;
}

std::string OutboxKey(uint64_t sequence) {
  char digits[21];
  std::snprintf(digits, sizeof digits, "%020llu", static_cast<unsigned long long>(sequence));
  std::string key(kOutboxPrefix);
  key.append(digits);
  return key;
}

// Topic: u8 version, account, name, arn, fifo, attributes, tags, created_ms.
std::string EncodeTopic(const TopicRecord& t) {
  std::string out;
  BinaryWriter w(out);
  w.U8(kTopicVersion);
  w.Bytes(t.account_id);
  w.Bytes(t.name);
  w.Bytes(t.arn);
  w.Bool(t.fifo);
  WritePairs(w, t.attributes);
  w.Varint(t.tags.size());
  for (const Tag& tag : t.tags) {
    w.Bytes(tag.key);
    w.Bytes(tag.value);
  }
  w.Signed(t.created_ms);
  return out;
}

std::optional<TopicRecord> DecodeTopic(std::string_view payload) {
  BinaryReader r(payload);
  if (r.U8() != kTopicVersion) return std::nullopt;
  TopicRecord t;
  t.account_id = r.Bytes();
  t.name = r.Bytes();
  t.arn = r.Bytes();
  t.fifo = r.Bool();
  if (!ReadPairs(r, t.attributes)) return std::nullopt;
  const uint64_t tags = r.Varint();
  if (tags > kMaxEntries) return std::nullopt;
  t.tags.resize(tags);
  for (Tag& tag : t.tags) {
    tag.key = r.Bytes();
    tag.value = r.Bytes();
  }
  t.created_ms = r.Signed();
  if (!r.ok() || !r.done()) return std::nullopt;
  return t;
}

// Subscription: u8 version, arn, topic arn, owner, principal, protocol, endpoint, attributes,
// created_ms.
std::string EncodeSubscription(const SubscriptionRecord& s) {
  std::string out;
  BinaryWriter w(out);
  w.U8(kSubscriptionVersion);
  w.Bytes(s.arn);
  w.Bytes(s.topic_arn);
  w.Bytes(s.owner);
  w.Bytes(s.principal);
  w.Bytes(s.protocol);
  w.Bytes(s.endpoint);
  WritePairs(w, s.attributes);
  w.Signed(s.created_ms);
  return out;
}

std::optional<SubscriptionRecord> DecodeSubscription(std::string_view payload) {
  BinaryReader r(payload);
  if (r.U8() != kSubscriptionVersion) return std::nullopt;
  SubscriptionRecord s;
  s.arn = r.Bytes();
  s.topic_arn = r.Bytes();
  s.owner = r.Bytes();
  s.principal = r.Bytes();
  s.protocol = r.Bytes();
  s.endpoint = r.Bytes();
  if (!ReadPairs(r, s.attributes)) return std::nullopt;
  s.created_ms = r.Signed();
  if (!r.ok() || !r.done()) return std::nullopt;
  return s;
}

// Publication: u8 version, sequence (varint), topic arn, topic account, fifo, message id,
// timestamp, subject?, message, attributes (name, type?, string?, binary?), group?, dedup?,
// endpoint, signature version, subscription arns, dedup_by_group.
std::string EncodePublication(const Publication& p) {
  std::string out;
  BinaryWriter w(out);
  w.U8(kPublicationVersion);
  w.Varint(p.sequence);
  w.Bytes(p.topic_arn);
  w.Bytes(p.topic_account);
  w.Bool(p.fifo);
  w.Bytes(p.message_id);
  w.Signed(p.timestamp_ms);
  w.OptionalBytes(p.subject);
  w.Bytes(p.message);
  w.Varint(p.attributes.size());
  for (const auto& [name, value] : p.attributes) {
    w.Bytes(name);
    w.OptionalBytes(value.data_type);
    w.OptionalBytes(value.string_value);
    w.OptionalBytes(value.binary_value);
  }
  w.OptionalBytes(p.group_id);
  w.OptionalBytes(p.deduplication_id);
  w.Bytes(p.endpoint);
  w.U8(p.signature_version);
  w.Varint(p.subscription_arns.size());
  for (const std::string& arn : p.subscription_arns) w.Bytes(arn);
  w.Bool(p.dedup_by_group);
  return out;
}

std::optional<Publication> DecodePublication(std::string_view payload) {
  BinaryReader r(payload);
  if (r.U8() != kPublicationVersion) return std::nullopt;
  Publication p;
  p.sequence = r.Varint();
  p.topic_arn = r.Bytes();
  p.topic_account = r.Bytes();
  p.fifo = r.Bool();
  p.message_id = r.Bytes();
  p.timestamp_ms = r.Signed();
  p.subject = r.OptionalBytes();
  p.message = r.Bytes();
  const uint64_t attributes = r.Varint();
  if (attributes > kMaxEntries) return std::nullopt;
  p.attributes.resize(attributes);
  for (auto& [name, value] : p.attributes) {
    name = r.Bytes();
    value.data_type = r.OptionalBytes();
    value.string_value = r.OptionalBytes();
    value.binary_value = r.OptionalBytes();
  }
  p.group_id = r.OptionalBytes();
  p.deduplication_id = r.OptionalBytes();
  p.endpoint = r.Bytes();
  p.signature_version = r.U8();
  const uint64_t subscriptions = r.Varint();
  if (subscriptions > kMaxEntries) return std::nullopt;
  p.subscription_arns.resize(subscriptions);
  for (std::string& arn : p.subscription_arns) arn = r.Bytes();
  p.dedup_by_group = r.Bool();
  if (!r.ok() || !r.done()) return std::nullopt;
  return p;
}

std::string EncodeSequence(uint64_t reserved) {
  std::string out;
  BinaryWriter w(out);
  w.U8(kSequenceVersion);
  w.BigEndian64(reserved);
  return out;
}

std::optional<uint64_t> DecodeSequence(std::string_view payload) {
  BinaryReader r(payload);
  if (r.U8() != kSequenceVersion) return std::nullopt;
  const uint64_t reserved = r.BigEndian64();
  if (!r.ok() || !r.done()) return std::nullopt;
  return reserved;
}

}  // namespace wharf::sns
