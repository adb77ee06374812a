#pragma once

// The statement catalogue: every operation of the PostgreSQL backend is one named statement
// with positional parameters (storage.md §5.2). Parameters are listed in each definition
// (statements.cc); PgQueueOps (queue_ops.h) is the only caller and gives them types.
//
// Every statement is keyed by queue_id first, so each touches one queue's index range and
// stays a single-shard ("router") query if the tables are ever distributed by queue_id (Citus).
// Every time comes from the database's now(): nodes need no clock agreement.

#include <span>

#include "storage/postgres/connection.h"

namespace wharf::storage::pg::sql {

// Queues.
extern const Statement kCreateQueue;
extern const Statement kDeletedQueueNameRecent;  // CreateQueue's re-check, in its transaction
extern const Statement kGetQueue;
extern const Statement kGetQueueById;
extern const Statement kListQueues;
extern const Statement kListAllQueues;
extern const Statement kClaimDeploymentValue;
extern const Statement kClaimPurge;
extern const Statement kForgetReceiveAttempts;
extern const Statement kUpdateQueue;
extern const Statement kSetQueueTags;
extern const Statement kDeleteQueue;
extern const Statement kSweepDeletedQueueNames;  // maintenance (QueueDeletedRecently records)

// Standard queues.
extern const Statement kSendStandard;
extern const Statement kReceiveStandard;
extern const Statement kDeleteStandard;
extern const Statement kChangeVisibilityStandard;
extern const Statement kMessageReceipt;

// FIFO queues.
extern const Statement kSendFifo;
extern const Statement kReceiveFifo;
extern const Statement kFifoDeleteLockGroup;     // FIFO delete, 1 of 3
extern const Statement kFifoDeleteMessage;       // FIFO delete, 2 of 3
extern const Statement kFifoDeleteReleaseGroup;  // FIFO delete, 3 of 3
extern const Statement kChangeVisibilityFifo;
extern const Statement kFifoReceiptState;  // read-only, for FIFO delete / visibility errors

// Batches (SendMessageBatch / DeleteMessageBatch).
extern const Statement kSendStandardBatch;
extern const Statement kDeleteStandardBatch;
extern const Statement kFifoDeleteBatchLockGroups;  // FIFO batch delete, 1 of 2
extern const Statement kFifoDeleteBatch;            // FIFO batch delete, 2 of 2
extern const Statement kGetDedupMessage;            // FIFO batch send (pipelined kSendFifo)

// FIFO dead-letter redrive.
extern const Statement kFifoRedriveProbe;
extern const Statement kFifoRedriveLockGroups;  // 1 of 2
extern const Statement kFifoRedriveMove;        // 2 of 2

// FIFO ReceiveRequestAttemptId.
extern const Statement kClaimReceiveAttempt;
extern const Statement kReplayReceiveAttempt;

// Message move tasks and the console's peek.
extern const Statement kMoveOutStandard;
extern const Statement kMoveOutFifo;
extern const Statement kPeekMessages;

// Purge: one transaction of four statements.
extern const Statement kPurgeLockGroups;
extern const Statement kPurgeMessages;
extern const Statement kPurgeResetGroups;
extern const Statement kPurgeDedup;

// Long polling and attributes.
extern const Statement kCountMessages;
extern const Statement kNextVisibleIn;
// The cross-node wake-up (wake.h): its own statement, after the send committed.
extern const Statement kNotifyWake;

// Guard-rails (storage.md §4.2, §5.5): what a health check or the metrics report.
extern const Statement kHealth;

// Maintenance (the maintenance leader's batched deletes, storage.md §5.3, §5.5).
extern const Statement kDeleteExpiredDedup;
extern const Statement kDeleteExpiredAttempts;
extern const Statement kRetentionSweep;
extern const Statement kFifoRetentionLockGroups;  // 1 of 2
extern const Statement kFifoRetentionSweep;       // 2 of 2

// Keyed objects (PgObjectStore, object_store.h): not queue operations, so keyed by the object's
// key (bytea) instead of queue_id.
extern const Statement kObjectPut;
extern const Statement kObjectDelete;
extern const Statement kObjectScan;
extern const Statement kObjectSignature;
extern const Statement kNotifyObjects;  // after a commit that changed objects

// Objects one node owns (PgObjectStore with an owner; statements_owned_objects.cc).
extern const Statement kOwnedObjectPut;
extern const Statement kOwnedObjectDelete;
extern const Statement kOwnedObjectScan;
extern const Statement kAdoptOwnedObjects;
extern const Statement kOwnedObjectEpoch;

// SSE-KMS (statements_data_keys.cc): data-key records, their sweep, undelivered receives.
extern const Statement kPutDataKey;
extern const Statement kGetDataKeys;
extern const Statement kSweepDataKeys;
extern const Statement kReturnUndelivered;

// Leases (leases.h; statements_leases.cc): keyed by the lease's name.
extern const Statement kHoldLease;
extern const Statement kReleaseLease;

// Every statement above, for tests that prepare them all.
std::span<const Statement* const> AllStatements();

}  // namespace wharf::storage::pg::sql
