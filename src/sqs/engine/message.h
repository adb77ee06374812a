#pragma once

// A message as the engine keeps it: the immutable content, shared (so handing a message to a
// receiver under the queue lock is a reference-count bump, not a copy of up to 1 MiB), and the
// mutable delivery state, owned by the queue and touched only under its lock.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "api/sqs/message_types.h"
#include "common/clock.h"
#include "common/fixed_text.h"
#include "common/optional_text.h"
#include "sqs/engine/data_keys.h"
#include "sqs/engine/indexed_heap.h"

namespace wharf::sqs {

// A message's id: a UUID, 36 characters.
using MessageIdText = FixedText<36>;
// An MD5 digest in lowercase hex.
using Md5Text = FixedText<32>;

// Ids and digests are kept inline, the optional texts as OptionalText (empty = absent) and the
// rare ones behind a pointer (RareText): the block with its shared_ptr count fits jemalloc's
// 320-byte class (448 before), and two 48-byte heap blocks fewer. Every byte of a growing queue
// is memory touched for the first time, which on this project's machine is most of the cost of
// keeping it (docs/benchmarks.md, "Fewer bytes per message").
struct MessageContent {
  MessageIdText message_id;
  Md5Text md5_of_body;
  // The body is not in memory (over the BodyBudget); `body` is empty and a receive reads the
  // message record back from the store. (Here, it fills the two texts' padding.)
  bool body_on_disk = false;
  std::string body;
  api::sqs::MessageAttributeMap attributes;  // sorted by name
  OptionalText md5_of_attributes;            // over all attributes; absent when none
  RareText trace_header;                     // AWSTraceHeader
  RareText md5_of_system_attributes;
  OptionalText group_id;
  OptionalText deduplication_id;
  std::string sender_id;
  int64_t sent_millis = 0;  // wall clock, SentTimestamp
  // SSE-KMS (security.md §4.6): the id of the data key (QueueDataKeys) that sealed the body;
  // `body` is then nonce ‖ ciphertext ‖ tag (sqs/sse/body_envelope.h). 0: the body is in clear.
  uint64_t data_key_id = 0;
};

enum class MessageState : uint8_t { kDelayed, kVisible, kInFlight };

struct StoredMessage {
  uint64_t seq = 0;  // per queue, increasing in send order
  std::shared_ptr<const MessageContent> content;
  MonoTime sent_at{};  // monotonic twin of content->sent_millis, for retention
  MessageState state = MessageState::kVisible;
  // Moved here from another queue (dead-letter move, move task), not sent here: it claimed no
  // deduplication entry in this queue (StateRecord::moved_in).
  bool moved_in = false;
  MonoTime visible_at{};   // end of the delay or of the visibility timeout
  MonoTime received_at{};  // start of the current receive (12-hour visibility cap)
  uint32_t receive_count = 0;
  uint32_t receipt_nonce = 0;  // changes on every receive; part of the receipt handle
  int64_t first_receive_millis = 0;
  uint32_t budget_bytes = 0;  // body bytes this message holds in the BodyBudget
  // Nonzero while the message is held (in flight) for a move that re-encrypts it: the move
  // applies only if the hold is still this one (Queue::FinishRecrypt).
  uint32_t move_token = 0;
  // Set on a message moved to a dead-letter queue: the ARN of the queue it came from.
  std::shared_ptr<const std::string> dead_letter_source_arn;

  // Positions in the queue's heaps (IndexedHeap).
  size_t ready_pos = kNotInHeap;
  size_t timer_pos = kNotInHeap;
  size_t retention_pos = kNotInHeap;
};

// Visible messages of one group leave in send order.
struct BySeq {
  bool operator()(const StoredMessage* a, const StoredMessage* b) const { return a->seq < b->seq; }
};
// Delayed and in-flight messages come due by visible_at.
struct ByVisibleAt {
  bool operator()(const StoredMessage* a, const StoredMessage* b) const {
    return a->visible_at < b->visible_at || (a->visible_at == b->visible_at && a->seq < b->seq);
  }
};
// Retention expires the oldest first.
struct BySentAt {
  bool operator()(const StoredMessage* a, const StoredMessage* b) const {
    return a->sent_at < b->sent_at || (a->sent_at == b->sent_at && a->seq < b->seq);
  }
};

using ReadyHeap = IndexedHeap<StoredMessage, BySeq, &StoredMessage::ready_pos>;
using TimerHeap = IndexedHeap<StoredMessage, ByVisibleAt, &StoredMessage::timer_pos>;
using RetentionHeap = IndexedHeap<StoredMessage, BySentAt, &StoredMessage::retention_pos>;

// A message handed to a receiver: a snapshot taken under the queue lock.
struct ReceivedMessage {
  std::shared_ptr<const MessageContent> content;
  uint64_t seq = 0;
  std::shared_ptr<const std::string> dead_letter_source_arn;
  std::string receipt_handle;
  uint32_t receive_count = 0;
  int64_t first_receive_millis = 0;
  // The record of the data key that sealed the body (content->data_key_id != 0), else null.
  std::shared_ptr<const DataKeyRecord> data_key;
};

}  // namespace wharf::sqs
