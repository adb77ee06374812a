// The engine's on-disk records (src/sqs/engine/records.h, docs/storage-format.md): every field
// survives Encode/Decode, a damaged payload (any truncation, trailing bytes, an unknown version)
// decodes to nullopt instead of to a wrong record, and the v1 layouts are pinned by vectors
// written from the format document, so a layout change without a version bump is caught.

#include "sqs/engine/records.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wharf::sqs {
namespace {

using api::sqs::MessageAttributeValue;

// --- comparisons -----------------------------------------------------------------------------

void ExpectSameConfig(const QueueConfig& a, const QueueConfig& b) {
  EXPECT_EQ(a.fifo, b.fifo);
  EXPECT_EQ(a.delay_seconds, b.delay_seconds);
  EXPECT_EQ(a.maximum_message_size, b.maximum_message_size);
  EXPECT_EQ(a.message_retention_period, b.message_retention_period);
  EXPECT_EQ(a.receive_message_wait_time_seconds, b.receive_message_wait_time_seconds);
  EXPECT_EQ(a.visibility_timeout, b.visibility_timeout);
  EXPECT_EQ(a.policy, b.policy);
  ASSERT_EQ(a.redrive_policy.has_value(), b.redrive_policy.has_value());
  if (a.redrive_policy) {
    EXPECT_EQ(a.redrive_policy->dead_letter_target_arn, b.redrive_policy->dead_letter_target_arn);
    EXPECT_EQ(a.redrive_policy->max_receive_count, b.redrive_policy->max_receive_count);
  }
  EXPECT_EQ(a.redrive_allow_policy, b.redrive_allow_policy);
  EXPECT_EQ(a.kms_master_key_id, b.kms_master_key_id);
  EXPECT_EQ(a.kms_data_key_reuse_period_seconds, b.kms_data_key_reuse_period_seconds);
  EXPECT_EQ(a.sqs_managed_sse_enabled, b.sqs_managed_sse_enabled);
  EXPECT_EQ(a.content_based_deduplication, b.content_based_deduplication);
  EXPECT_EQ(a.deduplication_scope, b.deduplication_scope);
  EXPECT_EQ(a.fifo_throughput_limit, b.fifo_throughput_limit);
  EXPECT_EQ(a.created_timestamp, b.created_timestamp);
  EXPECT_EQ(a.last_modified_timestamp, b.last_modified_timestamp);
}

void ExpectSameQueue(const QueueRecord& a, const QueueRecord& b) {
  EXPECT_EQ(a.account_id, b.account_id);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.dedup_by_group, b.dedup_by_group);
  ExpectSameConfig(a.config, b.config);
  EXPECT_EQ(a.tags, b.tags);
  EXPECT_EQ(a.seq_floor, b.seq_floor);
}

void ExpectSameAttributes(const api::sqs::MessageAttributeMap& a,
                          const api::sqs::MessageAttributeMap& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    SCOPED_TRACE("attribute " + a[i].first);
    EXPECT_EQ(a[i].first, b[i].first);
    EXPECT_EQ(a[i].second.data_type, b[i].second.data_type);
    EXPECT_EQ(a[i].second.string_value, b[i].second.string_value);
    EXPECT_EQ(a[i].second.binary_value, b[i].second.binary_value);
  }
}

void ExpectSameContent(const MessageContent& a, const MessageContent& b) {
  EXPECT_EQ(a.message_id, b.message_id);
  EXPECT_EQ(a.body, b.body);
  ExpectSameAttributes(a.attributes, b.attributes);
  EXPECT_EQ(a.md5_of_body, b.md5_of_body);
  EXPECT_EQ(a.md5_of_attributes, b.md5_of_attributes);
  EXPECT_EQ(a.trace_header, b.trace_header);
  EXPECT_EQ(a.md5_of_system_attributes, b.md5_of_system_attributes);
  EXPECT_EQ(a.group_id, b.group_id);
  EXPECT_EQ(a.deduplication_id, b.deduplication_id);
  EXPECT_EQ(a.sender_id, b.sender_id);
  EXPECT_EQ(a.sent_millis, b.sent_millis);
  EXPECT_EQ(a.data_key_id, b.data_key_id);
}

void ExpectSameState(const StateRecord& a, const StateRecord& b) {
  EXPECT_EQ(a.state, b.state);
  EXPECT_EQ(a.visible_at_millis, b.visible_at_millis);
  EXPECT_EQ(a.received_at_millis, b.received_at_millis);
  EXPECT_EQ(a.receive_count, b.receive_count);
  EXPECT_EQ(a.receipt_nonce, b.receipt_nonce);
  EXPECT_EQ(a.first_receive_millis, b.first_receive_millis);
  EXPECT_EQ(a.enqueued_millis, b.enqueued_millis);
  EXPECT_EQ(a.dead_letter_source_arn, b.dead_letter_source_arn);
  EXPECT_EQ(a.moved_in, b.moved_in);
}

// --- samples ---------------------------------------------------------------------------------

std::string EveryByte() {
  std::string out;
  for (int b = 0; b < 256; ++b) out.push_back(static_cast<char>(b));
  return out;
}

QueueRecord FullQueue() {
  QueueRecord q;
  q.account_id = "123456789012";
  q.name = "orders-eu.fifo";
  q.dedup_by_group = true;
  QueueConfig& c = q.config;
  c.fifo = true;
  c.delay_seconds = 900;
  c.maximum_message_size = 1024;
  c.message_retention_period = 1'209'600;
  c.receive_message_wait_time_seconds = 20;
  c.visibility_timeout = 43'200;
  c.policy = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*"}]})";
  c.redrive_policy = RedrivePolicy{"arn:aws:sqs:eu-west-1:123456789012:orders-dlq.fifo", 3};
  c.redrive_allow_policy = R"({"redrivePermission":"allowAll"})";
  c.kms_master_key_id = "alias/aws/sqs";
  c.kms_data_key_reuse_period_seconds = 86'400;
  c.sqs_managed_sse_enabled = false;
  c.content_based_deduplication = true;
  c.deduplication_scope = "messageGroup";
  c.fifo_throughput_limit = "perMessageGroupId";
  c.created_timestamp = 1'700'000'000;
  c.last_modified_timestamp = 1'700'000'123;
  q.tags = {{"team", "payments"}, {"empty", ""}, {"unicode-ключ", "значение ✓"}};
  return q;
}

QueueRecord MinimalQueue() {
  QueueRecord q;
  q.account_id = "000000000000";
  q.name = "q";
  return q;  // every optional absent, no tags
}

MessageContent FullMessage() {
  MessageContent c;
  c.message_id = "5fea7756-0ea4-451a-a703-a558b933e274";
  constexpr char kBody[] = "body with \0 NUL, unicode ✓ and \xff\xfe bytes";
  c.body = std::string(kBody, sizeof(kBody) - 1);
  c.attributes = {
      {"Binary", MessageAttributeValue{"Binary", std::nullopt, EveryByte()}},
      {"BinaryNul", MessageAttributeValue{"Binary.raw", std::nullopt, std::string("\0\0\0", 3)}},
      {"Empty", MessageAttributeValue{"String", "", std::nullopt}},
      {"Number", MessageAttributeValue{"Number.float", "-1.5e300", std::nullopt}},
      {"String", MessageAttributeValue{"String", "hello", std::nullopt}},
  };
  c.md5_of_body = "0123456789abcdef0123456789abcdef";
  c.md5_of_attributes = "fedcba9876543210fedcba9876543210";
  c.trace_header = "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1";
  c.md5_of_system_attributes = "5ae4d5d7636402d80f4eb6d213245a88";
  c.group_id = "group-1";
  c.deduplication_id = "dedup-1";
  c.sender_id = "AIDAEXAMPLE";
  c.sent_millis = 1'700'000'000'123;
  return c;
}

MessageContent MinimalMessage() {
  MessageContent c;
  c.message_id = "m";
  c.md5_of_body = "d41d8cd98f00b204e9800998ecf8427e";
  return c;  // empty body, no attributes, every optional absent
}

StateRecord InFlightState() {
  StateRecord s;
  s.state = MessageState::kInFlight;
  s.visible_at_millis = 1'700'000'030'000;
  s.received_at_millis = 1'700'000'000'000;
  s.receive_count = 7;
  s.receipt_nonce = 0xdeadbeef;
  s.first_receive_millis = 1'699'999'000'000;
  s.enqueued_millis = 1'699'998'000'000;
  s.dead_letter_source_arn = "arn:aws:sqs:us-east-1:000000000000:source";
  return s;
}

// A message moved into its queue (state record v2).
StateRecord MovedState() {
  StateRecord s = InFlightState();
  s.moved_in = true;
  return s;
}

// --- round trips -------------------------------------------------------------------------------

TEST(QueueRecordTest, EveryFieldRoundTrips) {
  const QueueRecord q = FullQueue();
  auto decoded = DecodeQueueRecord(EncodeQueueRecord(q));
  ASSERT_TRUE(decoded.has_value());
  ExpectSameQueue(q, *decoded);
}

TEST(QueueRecordTest, AbsentOptionalsStayAbsent) {
  const QueueRecord q = MinimalQueue();
  auto decoded = DecodeQueueRecord(EncodeQueueRecord(q));
  ASSERT_TRUE(decoded.has_value());
  ExpectSameQueue(q, *decoded);
  EXPECT_FALSE(decoded->config.policy.has_value());
  EXPECT_FALSE(decoded->config.redrive_policy.has_value());
  EXPECT_FALSE(decoded->config.redrive_allow_policy.has_value());
  EXPECT_FALSE(decoded->config.kms_master_key_id.has_value());
  EXPECT_TRUE(decoded->tags.empty());
}

TEST(QueueRecordTest, PresentButEmptyOptionalsStayPresent) {
  QueueRecord q = MinimalQueue();
  q.config.policy = "";
  q.config.kms_master_key_id = "";
  q.config.redrive_policy = RedrivePolicy{"", 0};
  auto decoded = DecodeQueueRecord(EncodeQueueRecord(q));
  ASSERT_TRUE(decoded.has_value());
  ExpectSameQueue(q, *decoded);
  EXPECT_TRUE(decoded->config.policy.has_value());
}

TEST(QueueRecordTest, ExtremeNumbersRoundTrip) {
  for (int64_t v : {std::numeric_limits<int64_t>::min(), int64_t{-1}, int64_t{0}, int64_t{1},
                    int64_t{63}, int64_t{64}, std::numeric_limits<int64_t>::max()}) {
    QueueRecord q = MinimalQueue();
    QueueConfig& c = q.config;
    c.delay_seconds = c.maximum_message_size = c.message_retention_period = v;
    c.receive_message_wait_time_seconds = c.visibility_timeout = v;
    c.kms_data_key_reuse_period_seconds = c.created_timestamp = c.last_modified_timestamp = v;
    c.redrive_policy = RedrivePolicy{"arn", v};
    auto decoded = DecodeQueueRecord(EncodeQueueRecord(q));
    ASSERT_TRUE(decoded.has_value()) << v;
    ExpectSameQueue(q, *decoded);
  }
}

TEST(QueueRecordTest, ManyTagsInOrder) {
  QueueRecord q = MinimalQueue();
  for (int i = 0; i < 50; ++i)
    q.tags.emplace_back("key" + std::to_string(i), std::string(256, 'v'));
  auto decoded = DecodeQueueRecord(EncodeQueueRecord(q));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->tags, q.tags);
}

// v2 adds the seq floor of a purged queue; a queue never purged is still written as v1, and a
// v2 record whose floor is 0 (which v1 stands for) is refused: one encoding per record.
TEST(QueueRecordTest, SeqFloorIsVersionTwoAndOnlyWhenSet) {
  QueueRecord q = FullQueue();
  const std::string v1 = EncodeQueueRecord(q);
  ASSERT_FALSE(v1.empty());
  EXPECT_EQ(v1[0], 1);
  q.seq_floor = 1'700'000'000'123'456ULL;
  const std::string v2 = EncodeQueueRecord(q);
  EXPECT_EQ(v2[0], 2);
  EXPECT_EQ(v2.substr(1, v1.size() - 1), v1.substr(1)) << "v2 is v1 plus the floor";
  auto decoded = DecodeQueueRecord(v2);
  ASSERT_TRUE(decoded.has_value());
  ExpectSameQueue(q, *decoded);
  auto old = DecodeQueueRecord(v1);
  ASSERT_TRUE(old.has_value());
  EXPECT_EQ(old->seq_floor, 0u);
  std::string zero_floor = v1;
  zero_floor[0] = 2;
  zero_floor.push_back('\0');
  EXPECT_FALSE(DecodeQueueRecord(zero_floor).has_value());
  EXPECT_FALSE(DecodeQueueRecord(v2.substr(0, v2.size() - 1)).has_value()) << "truncated floor";
}

TEST(MessageRecordTest, EveryFieldAndAttributeTypeRoundTrips) {
  const MessageContent c = FullMessage();
  auto decoded = DecodeMessageRecord(EncodeMessageRecord(c, 1'700'000'900'123));
  ASSERT_TRUE(decoded.has_value());
  ExpectSameContent(c, decoded->content);
  EXPECT_EQ(decoded->visible_at_millis, 1'700'000'900'123);
  // Binary values are bytes: the NULs and every byte value survive.
  EXPECT_EQ(decoded->content.attributes[0].second.binary_value, EveryByte());
  EXPECT_EQ(decoded->content.attributes[1].second.binary_value->size(), 3u);
}

TEST(MessageRecordTest, AbsentOptionalsStayAbsent) {
  const MessageContent c = MinimalMessage();
  auto decoded = DecodeMessageRecord(EncodeMessageRecord(c, 0));
  ASSERT_TRUE(decoded.has_value());
  ExpectSameContent(c, decoded->content);
  EXPECT_EQ(decoded->visible_at_millis, 0);
  EXPECT_FALSE(decoded->content.md5_of_attributes.has_value());
  EXPECT_FALSE(decoded->content.trace_header.has_value());
  EXPECT_FALSE(decoded->content.md5_of_system_attributes.has_value());
  EXPECT_FALSE(decoded->content.group_id.has_value());
  EXPECT_FALSE(decoded->content.deduplication_id.has_value());
}

TEST(MessageRecordTest, AttributeWithEveryPartAbsentOrPresent) {
  MessageContent c = MinimalMessage();
  c.attributes = {
      {"a", MessageAttributeValue{std::nullopt, std::nullopt, std::nullopt}},
      {"b", MessageAttributeValue{"String", "s", std::string("\0b", 2)}},
      {"", MessageAttributeValue{"", "", ""}},
  };
  auto decoded = DecodeMessageRecord(EncodeMessageRecord(c, 0));
  ASSERT_TRUE(decoded.has_value());
  ExpectSameAttributes(c.attributes, decoded->content.attributes);
}

TEST(MessageRecordTest, OneMebibyteBodyRoundTrips) {
  MessageContent c = MinimalMessage();
  c.body.resize(1 << 20);
  for (size_t i = 0; i < c.body.size(); ++i) c.body[i] = static_cast<char>((i * 131) >> 3);
  auto decoded = DecodeMessageRecord(EncodeMessageRecord(c, 0));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->content.body, c.body);
}

TEST(StateRecordTest, EveryStateAndFieldRoundTrips) {
  for (MessageState state :
       {MessageState::kDelayed, MessageState::kVisible, MessageState::kInFlight}) {
    for (bool moved_in : {false, true}) {
      StateRecord s = InFlightState();
      s.state = state;
      s.moved_in = moved_in;
      auto decoded = DecodeStateRecord(EncodeStateRecord(s));
      ASSERT_TRUE(decoded.has_value());
      ExpectSameState(s, *decoded);
    }
  }
}

TEST(StateRecordTest, ExtremeValuesRoundTrip) {
  StateRecord s;
  s.receive_count = std::numeric_limits<uint32_t>::max();
  s.receipt_nonce = std::numeric_limits<uint32_t>::max();
  s.visible_at_millis = std::numeric_limits<int64_t>::max();
  s.received_at_millis = std::numeric_limits<int64_t>::min();
  s.first_receive_millis = -1;
  auto decoded = DecodeStateRecord(EncodeStateRecord(s));
  ASSERT_TRUE(decoded.has_value());
  ExpectSameState(s, *decoded);
}

TEST(StateRecordTest, UnknownStateByteIsRejected) {
  std::string payload = EncodeStateRecord(InFlightState());
  for (int state : {3, 0x7f, 0xff}) {
    payload[1] = static_cast<char>(state);
    EXPECT_FALSE(DecodeStateRecord(payload).has_value()) << "state byte " << state;
  }
}

// Message ids and body digests are kept inline (message.h: 36 and 32 characters); a record with a
// longer one was not written by this server and does not decode.
TEST(MessageRecordTest, AnIdOrDigestLongerThanItsFieldDoesNotDecode) {
  const std::string record = EncodeMessageRecord(MinimalMessage(), 0);
  ASSERT_EQ(record.substr(1, 2), std::string("\x01m", 2)) << "version, then the id's length";
  for (size_t id_length : {36u, 37u}) {
    std::string patched = record.substr(0, 1);
    patched.push_back(static_cast<char>(id_length));
    patched.append(id_length, 'i');
    patched.append(record.substr(3));
    EXPECT_EQ(DecodeMessageRecord(patched).has_value(), id_length == 36) << id_length;
  }
  const std::string md5 = "d41d8cd98f00b204e9800998ecf8427e";
  const size_t at = record.find(md5);
  ASSERT_NE(at, std::string::npos);
  ASSERT_EQ(record[at - 1], 32);
  std::string long_digest = record;
  long_digest[at - 1] = 33;
  long_digest.insert(at, "0");
  EXPECT_FALSE(DecodeMessageRecord(long_digest).has_value());
}

// The optional texts are kept as empty-means-absent strings, so the writer never writes a
// present empty one; a record with one is not what the writer writes and does not decode.
TEST(MessageRecordTest, APresentButEmptyOptionalTextDoesNotDecode) {
  MessageContent c = MinimalMessage();
  c.group_id = "g";
  const std::string record = EncodeMessageRecord(c, 0);
  const std::string present_g("\x01\x01g", 3);  // present, length 1, "g"
  const size_t at = record.find(present_g);
  ASSERT_NE(at, std::string::npos);
  std::string empty_group = record;
  empty_group.replace(at, 3, std::string("\x01\x00", 2));
  EXPECT_FALSE(DecodeMessageRecord(empty_group).has_value());
  std::string absent_group = record;
  absent_group.replace(at, 3, std::string("\x00", 1));
  auto decoded = DecodeMessageRecord(absent_group);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_FALSE(decoded->content.group_id.has_value());
}

TEST(DedupRecordTest, AnIdLongerThanAUuidDoesNotDecode) {
  const std::string record = EncodeDedupRecord(DedupEntry{"m", 7, 1'700'000'300'000});
  ASSERT_EQ(record.substr(1, 2), std::string("\x01m", 2));
  std::string patched = record.substr(0, 1) + std::string(1, 37) + std::string(37, 'i');
  patched.append(record.substr(3));
  EXPECT_FALSE(DecodeDedupRecord(patched).has_value());
  patched = record.substr(0, 1) + std::string(1, 36) + std::string(36, 'i') + record.substr(3);
  auto decoded = DecodeDedupRecord(patched);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->message_id, std::string(36, 'i'));
  EXPECT_EQ(decoded->seq, 7u);
}

TEST(DedupRecordTest, RoundTrips) {
  DedupEntry e{"5fea7756-0ea4-451a-a703-a558b933e274", 0xffff'ffff'ffffULL, 1'700'000'300'000};
  auto decoded = DecodeDedupRecord(EncodeDedupRecord(e));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->message_id, e.message_id);
  EXPECT_EQ(decoded->seq, e.seq);
  EXPECT_EQ(decoded->expires_millis, e.expires_millis);
}

// --- damaged payloads --------------------------------------------------------------------------

struct Sample {
  std::string name;
  std::string payload;
  bool (*decodes)(std::string_view);
  uint8_t latest_version = 1;  // the newest version its reader knows
};

// A message whose body is sealed under an SSE-KMS data key (message record v2).
MessageContent SealedMessage() {
  MessageContent c = FullMessage();
  c.body = std::string(40, '\xa5');  // nonce ‖ ciphertext ‖ tag: opaque bytes here
  c.data_key_id = 0x8badf00ddeadbeefULL;
  return c;
}

std::vector<Sample> Samples() {
  return {
      {"full queue", EncodeQueueRecord(FullQueue()),
       [](std::string_view p) { return DecodeQueueRecord(p).has_value(); }},
      {"minimal queue", EncodeQueueRecord(MinimalQueue()),
       [](std::string_view p) { return DecodeQueueRecord(p).has_value(); }},
      {"full message", EncodeMessageRecord(FullMessage(), 1'700'000'900'123),
       [](std::string_view p) { return DecodeMessageRecord(p).has_value(); }, 2},
      {"minimal message", EncodeMessageRecord(MinimalMessage(), 0),
       [](std::string_view p) { return DecodeMessageRecord(p).has_value(); }, 2},
      {"sealed message", EncodeMessageRecord(SealedMessage(), 0),
       [](std::string_view p) { return DecodeMessageRecord(p).has_value(); }, 2},
      {"data key", EncodeDataKeyRecord(DataKeyRecord{7, "arn:aws:kms:k", "blob", 1}),
       [](std::string_view p) { return DecodeDataKeyRecord(p).has_value(); }},
      {"state", EncodeStateRecord(InFlightState()),
       [](std::string_view p) { return DecodeStateRecord(p).has_value(); }, 2},
      {"moved state", EncodeStateRecord(MovedState()),
       [](std::string_view p) { return DecodeStateRecord(p).has_value(); }, 2},
      {"dedup", EncodeDedupRecord(DedupEntry{"id", 42, 1'700'000'300'000}),
       [](std::string_view p) { return DecodeDedupRecord(p).has_value(); }},
  };
}

TEST(RecordDamageTest, EveryTruncationDecodesToNothing) {
  for (const Sample& s : Samples()) {
    ASSERT_TRUE(s.decodes(s.payload)) << s.name << " does not decode whole";
    for (size_t n = 0; n < s.payload.size(); ++n) {
      EXPECT_FALSE(s.decodes(std::string_view(s.payload).substr(0, n)))
          << s.name << " truncated to " << n << " of " << s.payload.size() << " bytes";
    }
  }
}

TEST(RecordDamageTest, TrailingBytesAreRejected) {
  for (const Sample& s : Samples()) {
    for (std::string_view tail :
         {std::string_view("\0", 1), std::string_view("x"), std::string_view("\x80\x80")}) {
      EXPECT_FALSE(s.decodes(s.payload + std::string(tail))) << s.name;
    }
  }
}

TEST(RecordDamageTest, UnknownVersionsAreRejected) {
  for (const Sample& s : Samples()) {
    for (int version : {0, s.latest_version + 1, 0x7f, 0x80, 0xff}) {
      std::string payload = s.payload;
      payload[0] = static_cast<char>(version);
      EXPECT_FALSE(s.decodes(payload)) << s.name << " with version " << version;
    }
  }
}

TEST(RecordDamageTest, HugeLengthPrefixesAreRejected) {
  // A length claiming more bytes than there are must not read past the end (ASan watches).
  std::string payload = "\x01";
  payload += "\xff\xff\xff\xff\xff\xff\xff\xff\x7f";  // varint near 2^63
  payload += "abc";
  EXPECT_FALSE(DecodeQueueRecord(payload).has_value());
  EXPECT_FALSE(DecodeMessageRecord(payload).has_value());
  EXPECT_FALSE(DecodeDedupRecord(payload).has_value());
  // An eleven-byte varint (too long for 64 bits).
  std::string endless = "\x01" + std::string(11, '\x80') + "\x01";
  EXPECT_FALSE(DecodeQueueRecord(endless).has_value());
  EXPECT_FALSE(DecodeMessageRecord(endless).has_value());
}

// Found by records_fuzz: a damaged record must not decode as a different record. Each payload
// below is one byte away from a valid encoding and is not itself the encoding of any record.
TEST(RecordDamageTest, NonCanonicalEncodingsAreRejected) {
  StateRecord plain = InFlightState();
  plain.dead_letter_source_arn.reset();
  // The dead-letter ARN flag (the last byte, 0 = absent) as 2: not a boolean the writer writes.
  std::string bad_bool = EncodeStateRecord(plain);
  ASSERT_EQ(bad_bool.back(), '\0');
  bad_bool.back() = '\x02';
  EXPECT_FALSE(DecodeStateRecord(bad_bool).has_value());
  // State record v2's moved-in byte is always 1: 0 would be a v1 record written as v2.
  for (char flag : {'\0', '\x02'}) {
    std::string moved = EncodeStateRecord(MovedState());
    ASSERT_EQ(moved.back(), '\x01');
    moved.back() = flag;
    EXPECT_FALSE(DecodeStateRecord(moved).has_value()) << int{flag};
  }

  // An overlong varint: seq 5 written as 0x85 0x00 instead of 0x05.
  const std::string dedup = EncodeDedupRecord(DedupEntry{"id", 5, 7});
  ASSERT_EQ(dedup, std::string("\x01\x02id\x05\x0e", 6));
  EXPECT_FALSE(DecodeDedupRecord(std::string("\x01\x02id\x85\x00\x0e", 7)).has_value());

  // A receive count beyond 32 bits must not be truncated into a small one: version, state,
  // visible_at 0, received_at 0, receive count 2^32, nonce 1, first receive 0, enqueued 0, no ARN.
  const std::string payload("\x01\x02\x00\x00\x80\x80\x80\x80\x10\x01\x00\x00\x00", 13);
  EXPECT_FALSE(DecodeStateRecord(payload).has_value());
  std::string fits = payload;
  fits.replace(4, 5, std::string("\xff\xff\xff\xff\x0f", 5));  // 2^32 - 1
  EXPECT_TRUE(DecodeStateRecord(fits).has_value());
}

// --- the v1 layouts, from docs/storage-format.md ---------------------------------------------

// An encoder written from the format document, independent of common/binary_codec.h.
class DocWriter {
 public:
  DocWriter& U8(uint8_t v) {
    out_.push_back(static_cast<char>(v));
    return *this;
  }
  DocWriter& Bool(bool v) { return U8(v ? 1 : 0); }
  DocWriter& Varint(uint64_t v) {  // LEB128
    do {
      uint8_t byte = v & 0x7f;
      v >>= 7;
      U8(v ? (byte | 0x80) : byte);
    } while (v);
    return *this;
  }
  DocWriter& Signed(int64_t v) {  // zigzag
    const uint64_t u = v < 0 ? ~(static_cast<uint64_t>(v) << 1) : static_cast<uint64_t>(v) << 1;
    return Varint(u);
  }
  DocWriter& Bytes(std::string_view v) {
    Varint(v.size());
    out_.append(v);
    return *this;
  }
  DocWriter& Opt(const std::optional<std::string>& v) {
    Bool(v.has_value());
    if (v) Bytes(*v);
    return *this;
  }
  const std::string& str() const { return out_; }

 private:
  std::string out_;
};

TEST(RecordFormatV1Test, StateRecordMatchesTheDocument) {
  const StateRecord s = InFlightState();
  DocWriter w;
  w.U8(1).U8(2).Signed(s.visible_at_millis).Signed(s.received_at_millis);
  w.Varint(s.receive_count).Varint(s.receipt_nonce).Signed(s.first_receive_millis);
  w.Signed(s.enqueued_millis).Opt(s.dead_letter_source_arn);
  EXPECT_EQ(EncodeStateRecord(s), w.str());
  auto decoded = DecodeStateRecord(w.str());
  ASSERT_TRUE(decoded.has_value());
  ExpectSameState(s, *decoded);
}

TEST(RecordFormatV1Test, MessageRecordMatchesTheDocument) {
  const MessageContent c = FullMessage();
  const int64_t visible_at = 1'700'000'900'123;
  DocWriter w;
  w.U8(1).Bytes(c.message_id).Signed(c.sent_millis).Signed(visible_at).Bytes(c.sender_id);
  w.Opt(c.trace_header).Opt(c.md5_of_system_attributes).Opt(c.group_id).Opt(c.deduplication_id);
  w.Bytes(c.md5_of_body).Opt(c.md5_of_attributes).Varint(c.attributes.size());
  for (const auto& [name, value] : c.attributes) {
    w.Bytes(name).Opt(value.data_type).Opt(value.string_value).Opt(value.binary_value);
  }
  w.Bytes(c.body);
  EXPECT_EQ(EncodeMessageRecord(c, visible_at), w.str());
  auto decoded = DecodeMessageRecord(w.str());
  ASSERT_TRUE(decoded.has_value());
  ExpectSameContent(c, decoded->content);
  EXPECT_EQ(decoded->visible_at_millis, visible_at);
}

// The queue record as docs/storage-format.md describes v1 decodes to the same queue.
TEST(RecordFormatV1Test, QueueRecordMatchesTheDocument) {
  // Version 1 was never written by a release before dedup_by_group joined it, so v1 is the
  // layout with the flag (docs/storage-format.md).
  QueueRecord q = FullQueue();
  q.dedup_by_group = true;
  const QueueConfig& c = q.config;
  DocWriter w;
  w.U8(1).Bytes(q.account_id).Bytes(q.name).Bool(c.fifo).Bool(q.dedup_by_group);
  w.Signed(c.delay_seconds).Signed(c.maximum_message_size).Signed(c.message_retention_period);
  w.Signed(c.receive_message_wait_time_seconds).Signed(c.visibility_timeout).Opt(c.policy);
  w.Bool(true).Bytes(c.redrive_policy->dead_letter_target_arn);
  w.Signed(c.redrive_policy->max_receive_count);
  w.Opt(c.redrive_allow_policy).Opt(c.kms_master_key_id);
  w.Signed(c.kms_data_key_reuse_period_seconds).Bool(c.sqs_managed_sse_enabled);
  w.Bool(c.content_based_deduplication).Bytes(c.deduplication_scope);
  w.Bytes(c.fifo_throughput_limit).Signed(c.created_timestamp).Signed(c.last_modified_timestamp);
  w.Varint(q.tags.size());
  for (const auto& [k, v] : q.tags) w.Bytes(k).Bytes(v);
  // A record as the v1 writer wrote it must still be read.
  auto decoded = DecodeQueueRecord(w.str());
  ASSERT_TRUE(decoded.has_value()) << "a v1 queue record no longer decodes";
  ExpectSameQueue(q, *decoded);
}

TEST(MessageRecordTest, AClearBodyIsStillWrittenAsVersionOne) {
  EXPECT_EQ(EncodeMessageRecord(FullMessage(), 0)[0], 1);
  EXPECT_EQ(EncodeMessageRecord(SealedMessage(), 0)[0], 2);
}

TEST(MessageRecordTest, ASealedMessageRoundTripsWithItsDataKeyId) {
  const MessageContent c = SealedMessage();
  auto decoded = DecodeMessageRecord(EncodeMessageRecord(c, 5));
  ASSERT_TRUE(decoded.has_value());
  ExpectSameContent(c, decoded->content);
  EXPECT_EQ(decoded->visible_at_millis, 5);
}

TEST(RecordFormatV2Test, StateRecordOfAMovedMessageMatchesTheDocument) {
  const StateRecord s = MovedState();
  DocWriter w;
  w.U8(2).U8(2).Signed(s.visible_at_millis).Signed(s.received_at_millis);
  w.Varint(s.receive_count).Varint(s.receipt_nonce).Signed(s.first_receive_millis);
  w.Signed(s.enqueued_millis).Opt(s.dead_letter_source_arn).U8(1);
  EXPECT_EQ(EncodeStateRecord(s), w.str());
  auto decoded = DecodeStateRecord(w.str());
  ASSERT_TRUE(decoded.has_value());
  ExpectSameState(s, *decoded);
}

TEST(RecordFormatV2Test, SealedMessageRecordMatchesTheDocument) {
  const MessageContent c = SealedMessage();
  DocWriter w;
  w.U8(2).Bytes(c.message_id).Signed(c.sent_millis).Signed(0).Bytes(c.sender_id);
  w.Opt(c.trace_header).Opt(c.md5_of_system_attributes).Opt(c.group_id).Opt(c.deduplication_id);
  w.Bytes(c.md5_of_body).Opt(c.md5_of_attributes).Varint(c.attributes.size());
  for (const auto& [name, value] : c.attributes) {
    w.Bytes(name).Opt(value.data_type).Opt(value.string_value).Opt(value.binary_value);
  }
  w.Varint(c.data_key_id).Bytes(c.body);
  EXPECT_EQ(EncodeMessageRecord(c, 0), w.str());
  // A v2 record with data key id 0 would be a body in clear written as v2: never written.
  DocWriter zero;
  zero.U8(2).Bytes("m").Signed(0).Signed(0).Bytes("").Opt({}).Opt({}).Opt({}).Opt({});
  zero.Bytes("").Opt({}).Varint(0).Varint(0).Bytes("b");
  EXPECT_FALSE(DecodeMessageRecord(zero.str()).has_value());
}

TEST(DataKeyRecordTest, RoundTripsAndMatchesTheDocument) {
  const DataKeyRecord r{
      0xfeedfacecafebeefULL,
      "arn:aws:kms:us-east-1:000000000000:key/11111111-1111-4111-8111-111111111111",
      std::string("\x01\x00blob\xff", 7), 1'700'000'000'123};
  DocWriter w;
  w.U8(1).Varint(r.id).Bytes(r.key_arn).Bytes(r.ciphertext_blob).Signed(r.created_millis);
  EXPECT_EQ(EncodeDataKeyRecord(r), w.str());
  auto decoded = DecodeDataKeyRecord(w.str());
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->id, r.id);
  EXPECT_EQ(decoded->key_arn, r.key_arn);
  EXPECT_EQ(decoded->ciphertext_blob, r.ciphertext_blob);
  EXPECT_EQ(decoded->created_millis, r.created_millis);
  EXPECT_FALSE(DecodeDataKeyRecord(EncodeDataKeyRecord(DataKeyRecord{0, "k", "b", 0})))
      << "id 0 is no data key";
}

TEST(DataKeyRecordTest, ObjectKeysNameTheQueueAndTheKey) {
  const std::string key = DataKeyObjectKey(0x0123456789abcdefULL, 42);
  EXPECT_EQ(key, "sqs/dk/0123456789abcdef/000000000000002a");
  auto parsed = ParseDataKeyObjectKey(key);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->first, 0x0123456789abcdefULL);
  EXPECT_EQ(parsed->second, 42u);
  for (std::string_view bad :
       {"sqs/dk/", "sqs/dk/0123456789abcdef", "sqs/dk/0123456789abcdef/2a",
        "sqs/dk/0123456789ABCDEF/000000000000002a", "iam/dk/0123456789abcdef/000000000000002a",
        "sqs/dk/0123456789abcdef-000000000000002a", "sqs/dk/0123456789abcdef/000000000000002a0"}) {
    EXPECT_FALSE(ParseDataKeyObjectKey(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace wharf::sqs
