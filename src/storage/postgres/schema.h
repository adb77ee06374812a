#pragma once

// The SQL of each schema migration, in order. A migration, once released, is never edited:
// a change to the schema is a new migration appended to kMigrations (migrations.cc).

#include <string_view>

namespace wharf::storage::pg {

// Version 1: the tables of storage.md §5.1.
extern const std::string_view kSchemaV1;

// Version 2: the rest of the queue row (timestamps, version, tags, the attributes' jsonb as a
// string map) and deleted queue names for QueueDeletedRecently.
extern const std::string_view kSchemaV2;

// Version 3: the deployment's facts (the root key check every node compares at start-up).
extern const std::string_view kSchemaV3;

// Version 4: the seq of the message a FIFO deduplication id stands for, so a duplicate send can
// answer the original's SequenceNumber.
extern const std::string_view kSchemaV4;

// Version 5: when each queue was last purged (PurgeQueue's interval, across nodes).
extern const std::string_view kSchemaV5;

// Version 6: keyed objects (IAM, KMS, SNS) shared by every node (PgObjectStore, object_store.h).
extern const std::string_view kSchemaV6;

// Version 7: message.dlq_source, the ARN of the queue a dead-lettered message came from
// (DeadLetterQueueSourceArn; NULL for a message sent to the queue).
extern const std::string_view kSchemaV7;

// Version 8: SSE-KMS. Sealed bodies framed in message.attrs (sealed_frame.h), the
// wharf_data_key_id(attrs) function and its index, and the data_key table.
extern const std::string_view kSchemaV8;

// Version 9: FIFO visibility per message (message.visible_at; fifo_group.locked_until is the
// head's visible_at). Data only: converts the messages held by live group locks.
extern const std::string_view kSchemaV9;
// Objects one node owns (the SNS outbox), taken over when the node's lease is gone.
extern const std::string_view kSchemaV10;

}  // namespace wharf::storage::pg
