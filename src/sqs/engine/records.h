#pragma once

// The on-disk records of the queue engine (docs/storage-format.md). Every record starts with a
// format version; a change to a record bumps it and keeps the reader of the old one.
// Times on disk are wall-clock milliseconds: the monotonic clock does not survive a restart.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "api/visitor.h"
#include "sqs/engine/dedup_window.h"
#include "sqs/engine/message.h"
#include "sqs/engine/queue_config.h"

namespace wharf::sqs {

struct QueueRecord {
  std::string account_id;
  std::string name;
  bool dedup_by_group = false;  // deduplication scope in effect, fixed at creation
  QueueConfig config;
  api::StringPairs tags;
  // Seqs below this are never handed out again (0: no floor): the next seq when the queue was
  // last purged, so FIFO SequenceNumbers keep increasing across a purge and a restart even when
  // no message is left to continue from and the wall clock is behind (issue 12).
  uint64_t seq_floor = 0;
};

std::string EncodeQueueRecord(const QueueRecord& record);
std::optional<QueueRecord> DecodeQueueRecord(std::string_view payload);

// A message as stored: its content, and (for a delayed send) when it becomes visible.
struct MessageRecord {
  MessageContent content;
  int64_t visible_at_millis = 0;  // 0: visible at once
};

std::string EncodeMessageRecord(const MessageContent& content, int64_t visible_at_millis);
std::optional<MessageRecord> DecodeMessageRecord(std::string_view payload);
// The same content without its body (a message record with an empty body): what a backend that
// keeps the body in a column of its own stores beside it (the PostgreSQL backend's `attrs`).
std::string EncodeMessageMetadata(const MessageContent& content);
std::optional<MessageContent> DecodeMessageMetadata(std::string_view payload);  // body empty

// Delivery state written on receive and visibility changes.
struct StateRecord {
  MessageState state = MessageState::kVisible;
  int64_t visible_at_millis = 0;
  int64_t received_at_millis = 0;
  uint32_t receive_count = 0;
  uint32_t receipt_nonce = 0;
  int64_t first_receive_millis = 0;
  // When the message entered this queue (retention counts from it); 0: its SentTimestamp.
  int64_t enqueued_millis = 0;
  std::optional<std::string> dead_letter_source_arn;  // set on messages in a dead-letter queue
  // Moved into this queue (dead-letter move, move task) rather than sent to it, so it claimed no
  // deduplication entry here: recovery derives one only from messages sent to a FIFO queue.
  bool moved_in = false;
};

std::string EncodeStateRecord(const StateRecord& state);

// FIFO deduplication entries (the window survives restarts).
std::string EncodeDedupRecord(const DedupEntry& entry);
std::optional<DedupEntry> DecodeDedupRecord(std::string_view payload);
std::optional<StateRecord> DecodeStateRecord(std::string_view payload);

}  // namespace wharf::sqs
