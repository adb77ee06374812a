#pragma once

// A queue's configuration and tags <-> its `queue` row (storage::pg::QueueConfig): the columns
// the statements use (fifo, visibility_s, delay_s, retention_s; max_receive from the
// RedrivePolicy) and, in attrs_json, every other attribute as the engine reports it
// (ReportedValue), read back through the engine's own ApplyAttributes, so this file holds no
// second copy of the attribute rules.
//
// attrs_json also keeps one key of Wharf's own, "wharf:dedupByGroup" ("true" when set): FIFO
// deduplication scope as it was at creation, which the engine fixes for the queue's life
// (QueueIdentity::dedup_by_group) while DeduplicationScope may change later. No SQS attribute name
// contains ':'.
//
// The row's dlq_id is the caller's: it needs a read of the dead-letter queue's row
// (dead_letter_target.h).

#include <string>
#include <string_view>

#include "api/visitor.h"
#include "sqs/engine/queue_config.h"
#include "storage/postgres/queue_ops.h"

namespace wharf::sqs::pg {

// What a queue row holds besides its id, account and name.
struct QueueRowContent {
  QueueConfig config;  // created/last-modified timestamps from the row's columns
  api::StringPairs tags;
  bool dedup_by_group = false;
};

// The row of `content` (dlq_id unset).
storage::pg::QueueConfig EncodeQueueRow(const std::string& account, const std::string& name,
                                        const QueueRowContent& content);

// A JSON object of the pairs, as attrs_json and tags_json hold them.
std::string EncodeStringMap(const api::StringPairs& pairs);

// Never fails: what the database holds was validated when written. An attribute that no longer
// reads back (a policy an older version accepted, a key a newer version wrote) is logged and left
// at its default, as the embedded engine treats a stored policy that no longer parses.
QueueRowContent DecodeQueueRow(const storage::pg::QueueRow& row);

}  // namespace wharf::sqs::pg
