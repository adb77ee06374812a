#include "storage/postgres/statements.h"

#include <array>

namespace wharf::storage::pg::sql {

// ---- Queues ----
//
// The statements that read queue rows (get_queue, get_queue_by_id, list_queues) return the same
// columns, in this order: queue_id, account, name, fifo, visibility_s, delay_s, retention_s,
// dlq_id, max_receive, attrs (jsonb text), tags (jsonb text), created_at and modified_at (Unix
// epoch seconds, rounded down), version. Each spells its list out: no SQL is assembled.
//
// The catalog statements are keyed by (account, name) rather than queue_id: they are catalog
// reads and writes, not queue operations.

// $1 account, $2 name, $3 fifo, $4 visibility_s, $5 delay_s, $6 retention_s, $7 dlq_id,
// $8 max_receive, $9 attrs (a JSON object of strings), $10 tags (the same), $11 the
// deleted-recently window in seconds (0: none). Returns (queue_id, created, deleted_recently):
// - a new queue: (id, true, false);
// - an existing queue of that name: (its id, false, false), whatever the other parameters say;
// - no queue of that name, and one was deleted less than $11 seconds ago (deleted_queue_name):
//   (NULL, false, true), and nothing is inserted.
// Under a concurrent create of the same name the second branch can miss the winner's row (its
// snapshot predates the winner's commit) and return nothing: the caller runs the statement
// again. A delete of the name that commits while this insert waits for it is not seen by `recent`
// (same snapshot reasoning): the caller re-checks with deleted_queue_name_recent in the same
// transaction after a create. Invalid JSON in $9/$10 is 22P02; JSON that is no object of strings
// violates the queue_*_string_map checks (23514).
const Statement kCreateQueue{"create_queue", R"sql(
WITH recent AS (
  SELECT 1 FROM deleted_queue_name
   WHERE account = $1 AND name = $2
     AND deleted_at > now() - make_interval(secs => $11::int)),
ins AS (
  INSERT INTO queue (account, name, fifo, visibility_s, delay_s, retention_s, dlq_id, max_receive,
                     attrs, tags)
  SELECT $1::text, $2::text, $3::boolean, $4::int, $5::int, $6::int, $7::bigint, $8::int,
         $9::jsonb, $10::jsonb
   WHERE NOT EXISTS (SELECT 1 FROM recent)
  ON CONFLICT (account, name) DO NOTHING
  RETURNING queue_id)
SELECT queue_id, true, false FROM ins
UNION ALL
SELECT queue_id, false, false FROM queue
 WHERE account = $1 AND name = $2 AND NOT EXISTS (SELECT 1 FROM ins)
UNION ALL
SELECT NULL::bigint, false, true
 WHERE EXISTS (SELECT 1 FROM recent)
   AND NOT EXISTS (SELECT 1 FROM queue WHERE account = $1 AND name = $2))sql",
                             11};

// $1 account, $2 name, $3 window in seconds. A row when a queue of that name was deleted less
// than $3 seconds ago. CreateQueue runs it after a create, in the create's transaction, with a
// snapshot of its own: a delete that committed while create_queue's insert waited on the deleted
// row's unique key is seen here, and the create is rolled back.
const Statement kDeletedQueueNameRecent{"deleted_queue_name_recent", R"sql(
SELECT 1 FROM deleted_queue_name
 WHERE account = $1 AND name = $2 AND deleted_at > now() - make_interval(secs => $3::int))sql",
                                        3};

// $1 account, $2 name.
const Statement kGetQueue{"get_queue", R"sql(
SELECT queue_id, account, name, fifo, visibility_s, delay_s, retention_s, dlq_id, max_receive,
       attrs::text, tags::text, floor(extract(epoch FROM created_at))::bigint,
       floor(extract(epoch FROM modified_at))::bigint, version
  FROM queue WHERE account = $1 AND name = $2)sql",
                          2};

// $1 queue_id (e.g. a RedrivePolicy's dlq_id, to find the DLQ's account and name).
const Statement kGetQueueById{"get_queue_by_id", R"sql(
SELECT queue_id, account, name, fifo, visibility_s, delay_s, retention_s, dlq_id, max_receive,
       attrs::text, tags::text, floor(extract(epoch FROM created_at))::bigint,
       floor(extract(epoch FROM modified_at))::bigint, version
  FROM queue WHERE queue_id = $1)sql",
                              1};

// $1 account, $2 name prefix, $3 after (a name; '' for the start), $4 limit. In name order
// (byte order, as the embedded registry's; ListQueues pages by name). The prefix is compared with
// starts_with, never as a LIKE pattern, so '%' and '_' in a prefix match only themselves.
const Statement kListQueues{"list_queues", R"sql(
SELECT queue_id, account, name, fifo, visibility_s, delay_s, retention_s, dlq_id, max_receive,
       attrs::text, tags::text, floor(extract(epoch FROM created_at))::bigint,
       floor(extract(epoch FROM modified_at))::bigint, version
  FROM queue
 WHERE account = $1 AND starts_with(name, $2) AND name COLLATE "C" > $3
 ORDER BY name COLLATE "C"
 LIMIT $4)sql",
                            4};

// $1 name, $2 value. The value stored under the name: $2 when this call stored it, else the one
// stored first. Empty (no row) when a concurrent claim committed after this statement's snapshot;
// the caller runs it again.
const Statement kClaimDeploymentValue{"claim_deployment_value", R"sql(
WITH ins AS (INSERT INTO deployment (name, value) VALUES ($1, $2)
             ON CONFLICT (name) DO NOTHING RETURNING value)
SELECT value FROM ins
UNION ALL
SELECT value FROM deployment WHERE name = $1
LIMIT 1)sql",
                                      2};

// $1 queue_id, $2 interval in seconds. Marks the queue purged now unless it was purged less than
// the interval ago. Rows: (claimed, queue_exists): one row whenever the queue exists.
const Statement kClaimPurge{"claim_purge", R"sql(
WITH claimed AS (UPDATE queue SET purged_at = now()
                  WHERE queue_id = $1
                    AND (purged_at IS NULL
                         OR purged_at <= now() - make_interval(secs => $2::int))
                 RETURNING queue_id)
SELECT EXISTS (SELECT 1 FROM claimed), EXISTS (SELECT 1 FROM queue WHERE queue_id = $1))sql",
                            2};

// $1 queue_id, $2 lock tokens (bigint[]). A receive whose messages were deleted or had their
// visibility changed is no longer replayed by its ReceiveRequestAttemptId: the next call with that
// id is a new receive (sqs-api.md §5.15).
const Statement kForgetReceiveAttempts{"forget_receive_attempts", R"sql(
DELETE FROM receive_attempt WHERE queue_id = $1 AND lock_token = ANY($2::bigint[]))sql",
                                       2};

// $1 after (a queue_id; 0 for the start), $2 limit. Every account's queues in queue_id order: a
// node's cache of queue rows reads the whole catalog in pages with it.
const Statement kListAllQueues{"list_all_queues", R"sql(
SELECT queue_id, account, name, fifo, visibility_s, delay_s, retention_s, dlq_id, max_receive,
       attrs::text, tags::text, floor(extract(epoch FROM created_at))::bigint,
       floor(extract(epoch FROM modified_at))::bigint, version
  FROM queue
 WHERE queue_id > $1
 ORDER BY queue_id
 LIMIT $2)sql",
                               2};

// $1 queue_id, $2 visibility_s, $3 delay_s, $4 retention_s, $5 dlq_id, $6 max_receive, $7 attrs
// (replaces the stored object), $8 expected version (NULL: any). Bumps version and modified_at.
// Returns one row (new version, queue_exists): the version is NULL when nothing was updated,
// either because there is no such queue or because its version is not $8 (another writer changed
// it first; an UPDATE waiting on that writer re-checks the version against its committed row).
// A queue deleted while this waited reads as a version mismatch (queue_exists comes from the
// statement's snapshot): the caller's re-read then finds no queue.
const Statement kUpdateQueue{"update_queue", R"sql(
WITH upd AS (
  UPDATE queue
     SET visibility_s = $2, delay_s = $3, retention_s = $4, dlq_id = $5, max_receive = $6,
         attrs = $7::jsonb, version = version + 1, modified_at = now()
   WHERE queue_id = $1 AND ($8::bigint IS NULL OR version = $8::bigint)
  RETURNING version)
SELECT (SELECT version FROM upd), EXISTS (SELECT 1 FROM queue WHERE queue_id = $1))sql",
                             8};

// $1 queue_id, $2 tags (replaces the stored object), $3 expected version. Bumps version (nodes'
// cached rows must see new tags) but not modified_at: SQS's LastModifiedTimestamp is about
// attributes, and TagQueue does not change it. Returns (new version or NULL, queue_exists), as
// update_queue.
const Statement kSetQueueTags{"set_queue_tags", R"sql(
WITH upd AS (
  UPDATE queue SET tags = $2::jsonb, version = version + 1
   WHERE queue_id = $1 AND version = $3
  RETURNING version)
SELECT (SELECT version FROM upd), EXISTS (SELECT 1 FROM queue WHERE queue_id = $1))sql",
                              3};

// $1 queue_id. One statement, so the queue, everything in it and the record of its name's
// deletion (deleted_queue_name, for QueueDeletedRecently; a later delete of the name overwrites
// it) go atomically. A very large queue makes this one big delete; storage.md §5.5's queue
// generations are the later fix.
const Statement kDeleteQueue{"delete_queue", R"sql(
WITH m AS (DELETE FROM message WHERE queue_id = $1),
     g AS (DELETE FROM fifo_group WHERE queue_id = $1),
     d AS (DELETE FROM dedup WHERE queue_id = $1),
     a AS (DELETE FROM receive_attempt WHERE queue_id = $1),
     q AS (DELETE FROM queue WHERE queue_id = $1 RETURNING queue_id, account, name),
     n AS (INSERT INTO deleted_queue_name (account, name, deleted_at)
           SELECT account, name, now() FROM q
           ON CONFLICT (account, name) DO UPDATE SET deleted_at = EXCLUDED.deleted_at)
SELECT queue_id FROM q)sql",
                             1};

// $1 seconds, $2 batch size. Forgets deleted queue names older than $1 seconds (the longest
// window any caller passes to CreateQueue), oldest first, at most $2 rows (SKIP LOCKED: a delete
// of the same name in progress is left alone). A catalog table, so not keyed by queue_id.
const Statement kSweepDeletedQueueNames{"sweep_deleted_queue_names", R"sql(
DELETE FROM deleted_queue_name WHERE (account, name) IN
  (SELECT account, name FROM deleted_queue_name
    WHERE deleted_at < now() - make_interval(secs => $1::int)
    ORDER BY deleted_at LIMIT $2 FOR UPDATE SKIP LOCKED))sql",
                                        2};

// ---- Standard queues ----

// $1 queue_id, $2 message_id, $3 delay_s (NULL: the queue's), $4 body, $5 attrs.
// Returns seq; no row when the queue does not exist or is FIFO.
const Statement kSendStandard{"send_standard", R"sql(
INSERT INTO message (queue_id, message_id, visible_at, body, attrs)
SELECT q.queue_id, $2::uuid, now() + make_interval(secs => coalesce($3::int, q.delay_s)), $4,
       $5::bytea
  FROM queue q WHERE q.queue_id = $1 AND NOT q.fifo
RETURNING seq)sql",
                              5};

// storage.md §5.2, plus: the DLQ move only when a DLQ is set, and a first row that carries the
// number moved even when no message is returned.
// $1 queue_id, $2 max messages, $3 visibility_s (NULL: the queue's), $4 receipt token, $5 this
// queue's ARN (the DeadLetterQueueSourceArn of what moves; the receive count moves along).
// Rows: (seq, message_id, body, attrs, receive_count, sent_at_ms, first_receive_ms, dlq_source,
// moved_to_dlq); seq is NULL in the single row of a receive that returned nothing.
const Statement kReceiveStandard{"receive_standard", R"sql(
WITH q AS (SELECT dlq_id, max_receive, visibility_s FROM queue WHERE queue_id = $1 AND NOT fifo),
c AS (SELECT seq, receive_count FROM message
       WHERE queue_id = $1 AND group_id IS NULL AND visible_at <= now()
       ORDER BY visible_at LIMIT $2 FOR UPDATE SKIP LOCKED),
dead AS (DELETE FROM message m USING c, q
          WHERE m.queue_id = $1 AND m.seq = c.seq AND q.dlq_id IS NOT NULL
            AND q.max_receive IS NOT NULL AND c.receive_count >= q.max_receive
         RETURNING m.message_id, m.sent_at, m.body, m.attrs, m.receive_count),
moved AS (INSERT INTO message (queue_id, message_id, visible_at, sent_at, body, attrs,
                               receive_count, dlq_source)
          SELECT q.dlq_id, dead.message_id, now(), dead.sent_at, dead.body, dead.attrs,
                 dead.receive_count, $5
            FROM dead, q
          RETURNING seq),
upd AS (UPDATE message m
           SET visible_at = now() + make_interval(secs => coalesce($3::int, q.visibility_s)),
               receive_count = m.receive_count + 1, receipt = $4,
               first_receive = coalesce(m.first_receive, now()), received_at = now()
          FROM c, q
         WHERE m.queue_id = $1 AND m.seq = c.seq
           AND (q.dlq_id IS NULL OR q.max_receive IS NULL OR c.receive_count < q.max_receive)
        RETURNING m.seq, m.message_id, m.body, m.attrs, m.receive_count, m.sent_at,
                  m.first_receive, m.dlq_source)
SELECT u.seq, u.message_id, u.body, u.attrs, u.receive_count,
       (extract(epoch FROM u.sent_at) * 1000)::bigint,
       (extract(epoch FROM u.first_receive) * 1000)::bigint, u.dlq_source, mv.n
  FROM (SELECT count(*) AS n FROM moved) mv LEFT JOIN upd u ON true
 ORDER BY u.seq)sql",
                                 5};

// $1 queue_id, $2 seq, $3 receipt token. A stale receipt deletes nothing.
// No `group_id IS NULL` here (the caller's queue type decides, PgQueue dispatches on it): that
// condition implies message_ready's predicate, and a plan made with the statistics of an empty
// table then scanned the queue's whole message_ready range instead of the primary key (seen:
// ~100 ms per delete on a 20,000-message queue right after it filled). Without it the primary
// key is the only index that fits.
const Statement kDeleteStandard{"delete_standard", R"sql(
DELETE FROM message WHERE queue_id = $1 AND seq = $2 AND receipt = $3)sql",
                                3};

// $1 queue_id, $2 seq, $3 receipt token, $4 seconds, $5 the cap (seconds since the receive,
// Limits::max_visibility_timeout). Only a message in flight (received and not yet visible again)
// with the latest receipt changes, and only when now + $4 is within received_at + $5 (SQS's
// 12-hour cap; a message received before migration 7 counts as received now). No row: not in
// flight under this receipt; one row (within_cap): false when refused by the cap, the row then
// written back unchanged (one statement, so the check and the change see the same row). No
// `group_id IS NULL`, for the reason delete_standard has none.
const Statement kChangeVisibilityStandard{"change_visibility_standard", R"sql(
UPDATE message
   SET visible_at = CASE
         WHEN now() + make_interval(secs => $4::int)
              <= coalesce(received_at, now()) + make_interval(secs => $5::int)
         THEN now() + make_interval(secs => $4::int) ELSE visible_at END
 WHERE queue_id = $1 AND seq = $2 AND receipt = $3 AND visible_at > now()
RETURNING now() + make_interval(secs => $4::int)
          <= coalesce(received_at, now()) + make_interval(secs => $5::int) AS within_cap)sql",
                                          5};

// $1 queue_id, $2 seq. The message's latest receipt token (NULL: never received); no row when
// it is gone. Read after a visibility change found nothing in flight, to tell an expired
// receipt (SQS answers success) from one a later receive replaced, or a deleted message.
const Statement kMessageReceipt{"message_receipt", R"sql(
SELECT receipt FROM message WHERE queue_id = $1 AND seq = $2)sql",
                                2};

// ---- FIFO queues ----

// storage.md §5.2 (a duplicate returns the original id and inserts nothing; an expired dedup
// row is reused in place), plus the queue check, attributes and the queue's delay. The message's
// seq is drawn in the dedup insert (migration 3) so the dedup row can keep it for duplicates; a
// duplicate's draw is a gap in msg_seq, which nothing relies on being dense.
// $1 queue_id, $2 group_id, $3 dedup_id, $4 body, $5 message_id, $6 attrs.
// Returns (message_id, duplicate, seq, queue_exists, original_seq). Under a concurrent send of
// the same dedup id, a duplicate can come back with a NULL message_id (the original committed
// after this statement's snapshot): the caller runs the statement again. original_seq is the
// duplicate's original's seq (NULL when its dedup row predates migration 3).
const Statement kSendFifo{"send_fifo", R"sql(
WITH q AS (SELECT queue_id, delay_s FROM queue WHERE queue_id = $1 AND fifo),
d AS (INSERT INTO dedup (queue_id, dedup_id, message_id, expires_at, seq)
      SELECT q.queue_id, $3, $5::uuid, now() + interval '5 minutes', nextval('msg_seq') FROM q
      ON CONFLICT (queue_id, dedup_id) DO UPDATE
         SET message_id = EXCLUDED.message_id, expires_at = EXCLUDED.expires_at,
             seq = EXCLUDED.seq
       WHERE dedup.expires_at < now()
      RETURNING message_id, seq),
m AS (INSERT INTO message (queue_id, seq, message_id, visible_at, group_id, body, attrs)
      SELECT $1, d.seq, d.message_id, now() + make_interval(secs => q.delay_s), $2, $4, $6::bytea
        FROM d, q
      RETURNING seq),
g AS (INSERT INTO fifo_group (queue_id, group_id, head_seq) SELECT $1, $2, seq FROM m
      ON CONFLICT (queue_id, group_id) DO UPDATE  -- takes the group row lock: orders with deletes
         SET head_seq = coalesce(fifo_group.head_seq, EXCLUDED.head_seq), last_send_at = now())
SELECT coalesce((SELECT message_id FROM d),
                (SELECT message_id FROM dedup WHERE queue_id = $1 AND dedup_id = $3)),
       (SELECT count(*) FROM d) = 0,
       (SELECT seq FROM m),
       EXISTS (SELECT 1 FROM q),
       (SELECT seq FROM dedup
         WHERE queue_id = $1 AND dedup_id = $3 AND NOT EXISTS (SELECT 1 FROM d)))sql",
                          6};

// FIFO visibility is per message (sqs-api.md §5.14, schema migration 9): each message has its
// own visible_at and receipt, as on standard queues. The fifo_group row stays the serialization
// point: every statement that changes a group's messages holds the group's row lock, and
// `fifo_group.locked_until` is the head's visible_at, kept by those statements: equal to it
// whenever the head is in flight, never later ('-infinity' allowed for an empty group or a
// visible head). So the ready index (queue_id, locked_until, head_seq) still finds receivable
// groups, and a receive whose snapshot predates another receive's commit re-checks the group
// row's latest version (FOR UPDATE): locked_until shows that head in flight, the group is skipped.
// The receive's message UPDATE re-checks visible_at on each row's latest version as well.
//
// storage.md §5.2, with three changes: (0) a group whose head is over-received while the queue
// has a DLQ is not taken (the FIFO redrive below moves that head first, so it is never delivered
// past max_receive); (1) a group is taken only when its head message is visible (due, not in
// flight), and from each group only the prefix of visible messages, up to the first in flight
// or delayed (§5.14: foo, bar, baz received, bar's visibility extended, the others expired: the
// next receive gets foo alone); (2) messages are picked group by group, oldest head first, as
// many of one group as fit before the next ("SQS returns as many messages with the same message
// group ID as possible"), and only the groups that gave a message are written (locked_until =
// their head's new visible_at, lock_token = this receive's token, which a ReceiveRequestAttemptId
// replay looks groups up by): the candidate rows of the others are held FOR UPDATE only until
// this statement's commit.
// $1 queue_id, $2 max messages, $3 visibility_s (NULL: the queue's), $4 lock token (every
// message received gets it as its receipt).
// Rows: (group_id, seq, message_id, body, attrs, receive_count, sent_at_ms, first_receive_ms,
// dlq_source).
const Statement kReceiveFifo{"receive_fifo", R"sql(
WITH q AS (SELECT s.visibility_s, s.max_receive, d.queue_id AS fifo_dlq_id FROM queue s
             LEFT JOIN queue d ON d.queue_id = s.dlq_id AND d.fifo
            WHERE s.queue_id = $1 AND s.fifo),
g AS (SELECT f.group_id, f.head_seq FROM fifo_group f, q
       WHERE f.queue_id = $1 AND f.locked_until <= now() AND f.head_seq IS NOT NULL
         AND EXISTS (SELECT 1 FROM message h
                      WHERE h.queue_id = $1 AND h.seq = f.head_seq AND h.visible_at <= now()
                        AND (q.fifo_dlq_id IS NULL OR q.max_receive IS NULL
                             OR h.receive_count < q.max_receive))
       ORDER BY f.head_seq LIMIT $2 FOR UPDATE OF f SKIP LOCKED),
pick AS (SELECT x.seq, g.group_id FROM g CROSS JOIN LATERAL
           (SELECT m.seq FROM message m
             WHERE m.queue_id = $1 AND m.group_id = g.group_id
               AND m.seq < coalesce((SELECT min(d.seq) FROM message d
                                      WHERE d.queue_id = $1 AND d.group_id = g.group_id
                                        AND d.visible_at > now()),
                                    9223372036854775807)
             ORDER BY m.seq LIMIT $2) x
          ORDER BY g.head_seq, x.seq LIMIT $2),
upd AS (UPDATE message m
           SET receive_count = m.receive_count + 1, receipt = $4,
               visible_at = now() + make_interval(secs => coalesce($3::int, q.visibility_s)),
               first_receive = coalesce(m.first_receive, now()), received_at = now()
          FROM pick, q
         WHERE m.queue_id = $1 AND m.seq = pick.seq
           AND m.visible_at <= now()  -- on the latest row version: a second guard
        RETURNING m.group_id, m.seq, m.message_id, m.body, m.attrs, m.receive_count,
                  (extract(epoch FROM m.sent_at) * 1000)::bigint AS sent_ms,
                  (extract(epoch FROM m.first_receive) * 1000)::bigint AS first_ms,
                  m.dlq_source),
lk AS (UPDATE fifo_group f
          SET locked_until = now() + make_interval(secs => coalesce($3::int, q.visibility_s)),
              lock_token = $4
         FROM q
        WHERE f.queue_id = $1 AND f.group_id IN (SELECT group_id FROM upd))
SELECT group_id, seq, message_id, body, attrs, receive_count, sent_ms, first_ms, dlq_source
  FROM upd)sql",
                             4};

// FIFO delete (storage.md §5.2: three statements in one READ COMMITTED transaction). Locking
// the group row first makes the third statement's snapshot see every send to the group that
// committed, because a send takes the same row lock in its ON CONFLICT DO UPDATE (and every
// other change to the group's messages holds that lock too, so the new head's visible_at read
// there is current).
// 1/3: $1 queue_id, $2 seq. Returns the message's group_id, its group row locked; no row when
// the message is gone. Also the first statement of a FIFO visibility change, for the same
// reason.
const Statement kFifoDeleteLockGroup{"fifo_delete_lock_group", R"sql(
SELECT f.group_id FROM fifo_group f
  JOIN message m ON m.queue_id = f.queue_id AND m.group_id = f.group_id
 WHERE m.queue_id = $1 AND m.seq = $2
   FOR UPDATE OF f)sql",
                                     2};

// 2/3: $1 queue_id, $2 seq, $3 receipt token. A stale receipt deletes nothing.
const Statement kFifoDeleteMessage{"fifo_delete_message", R"sql(
DELETE FROM message WHERE queue_id = $1 AND seq = $2 AND receipt = $3 AND group_id IS NOT NULL)sql",
                                   3};

// 3/3: $1 queue_id, $2 group_id. Recomputes the head, and locked_until as the new head's
// visible_at ('-infinity' when the group is empty): deleting the head unblocks the group unless
// its next message is itself in flight (or delayed).
const Statement kFifoDeleteReleaseGroup{"fifo_delete_release_group", R"sql(
WITH h AS (SELECT seq, visible_at FROM message
            WHERE queue_id = $1 AND group_id = $2 ORDER BY seq LIMIT 1)
UPDATE fifo_group
   SET head_seq = (SELECT seq FROM h),
       locked_until = coalesce((SELECT visible_at FROM h), '-infinity'::timestamptz)
 WHERE queue_id = $1 AND group_id = $2)sql",
                                        2};

// FIFO visibility change, 2 of 2 (1 of 2 is kFifoDeleteLockGroup: the group row locked first,
// in the order a receive takes its locks, so the head read here is current). $1 queue_id, $2 seq,
// $3 receipt token, $4 seconds, $5 the cap. Changes the visibility of this one message while
// this receipt's receive holds it in flight (§5.4: the others of the group keep theirs); 0
// makes it visible now. When it is its group's head, locked_until follows. The cap is counted
// from the message's received_at, as change_visibility_standard does; returns as that statement
// does (no row: not in flight under this receipt; within_cap false: refused, unchanged).
const Statement kChangeVisibilityFifo{"change_visibility_fifo", R"sql(
WITH m AS (UPDATE message
              SET visible_at = CASE
                    WHEN now() + make_interval(secs => $4::int)
                         <= coalesce(received_at, now()) + make_interval(secs => $5::int)
                    THEN now() + make_interval(secs => $4::int) ELSE visible_at END
            WHERE queue_id = $1 AND seq = $2 AND receipt = $3 AND group_id IS NOT NULL
              AND visible_at > now()
           RETURNING seq, group_id, visible_at,
                     now() + make_interval(secs => $4::int)
                     <= coalesce(received_at, now()) + make_interval(secs => $5::int)
                       AS within_cap),
g AS (UPDATE fifo_group f SET locked_until = m.visible_at
        FROM m
       WHERE f.queue_id = $1 AND f.group_id = m.group_id AND f.head_seq = m.seq)
SELECT within_cap FROM m)sql",
                                      5};

// $1 queue_id, $2 seq, $3 receipt token. Read-only: what a FIFO receipt still controls, so a
// delete or visibility change can answer as SQS does (a gone message, an expired receive and a
// receive superseded by a later one get different answers). No row when the message is gone;
// else (current: the message's latest receive is this one, held: and the message is still in
// flight under it).
const Statement kFifoReceiptState{"fifo_receipt_state", R"sql(
SELECT coalesce(m.receipt = $3, false), coalesce(m.receipt = $3, false) AND m.visible_at > now()
  FROM message m WHERE m.queue_id = $1 AND m.seq = $2 AND m.group_id IS NOT NULL)sql",
                                  3};

// ---- Batches (SendMessageBatch / DeleteMessageBatch: up to 10 entries, one statement) ----

// $1 queue_id, $2 message ids (uuid[]), $3 delays (int[], NULL elements: the queue's delay),
// $4 bodies (text[]), $5 attrs (bytea[]); element i of each array is entry i. One statement, so
// the batch is one round trip and one transaction (all entries or none). Returns (seq,
// message_id) per entry, inserted in entry order; no row when the queue does not exist or is
// FIFO.
const Statement kSendStandardBatch{"send_standard_batch", R"sql(
WITH q AS (SELECT queue_id, delay_s FROM queue WHERE queue_id = $1 AND NOT fifo)
INSERT INTO message (queue_id, message_id, visible_at, body, attrs)
SELECT q.queue_id, e.message_id, now() + make_interval(secs => coalesce(e.delay_s, q.delay_s)),
       e.body, e.attrs
  FROM q, unnest($2::uuid[], $3::int[], $4::text[], $5::bytea[]) WITH ORDINALITY
            AS e(message_id, delay_s, body, attrs, ord)
 ORDER BY e.ord
RETURNING seq, message_id)sql",
                                   5};

// $1 queue_id, $2 seqs (bigint[]), $3 receipt tokens (bigint[]). Each entry is receipt-checked
// on its own; the rows returned are the (seq, receipt) pairs deleted, so an entry whose pair is
// missing had a stale receipt.
const Statement kDeleteStandardBatch{"delete_standard_batch", R"sql(
DELETE FROM message m USING unnest($2::bigint[], $3::bigint[]) AS r(seq, receipt)
 WHERE m.queue_id = $1 AND m.seq = r.seq AND m.receipt = r.receipt AND m.group_id IS NULL
RETURNING m.seq, m.receipt)sql",
                                     3};

// FIFO batch delete, 1 of 2: $1 queue_id, $2 seqs (bigint[]). Locks the group rows of the
// entries' messages (in group order, so two concurrent batches cannot deadlock on them) for the
// reason the single FIFO delete does: the next statement's snapshot then sees every committed
// send to those groups.
const Statement kFifoDeleteBatchLockGroups{"fifo_delete_batch_lock_groups", R"sql(
SELECT f.group_id FROM fifo_group f
 WHERE f.queue_id = $1
   AND f.group_id IN (SELECT m.group_id FROM message m
                       WHERE m.queue_id = $1 AND m.seq = ANY($2::bigint[])
                         AND m.group_id IS NOT NULL)
 ORDER BY f.group_id
   FOR UPDATE)sql",
                                           2};

// FIFO batch delete, 2 of 2: $1 queue_id, $2 seqs (bigint[]), $3 receipt tokens (bigint[]).
// Deletes the entries whose receipt is current, recomputes each touched group's head and its
// locked_until (the new head's visible_at: the single delete's rule). The rest of the statement
// cannot see its own deletes (one snapshot), hence the `NOT IN (SELECT seq FROM del)`. Returns the
// (seq, receipt) pairs deleted.
const Statement kFifoDeleteBatch{"fifo_delete_batch", R"sql(
WITH del AS (DELETE FROM message m USING unnest($2::bigint[], $3::bigint[]) AS r(seq, receipt)
              WHERE m.queue_id = $1 AND m.seq = r.seq AND m.receipt = r.receipt
                AND m.group_id IS NOT NULL
             RETURNING m.seq, m.group_id, m.receipt),
upd AS (UPDATE fifo_group f
           SET head_seq = h.seq, locked_until = coalesce(h.visible_at, '-infinity'::timestamptz)
          FROM (SELECT DISTINCT group_id FROM del) tg
          LEFT JOIN LATERAL (SELECT x.seq, x.visible_at FROM message x
                              WHERE x.queue_id = $1 AND x.group_id = tg.group_id
                                AND x.seq NOT IN (SELECT seq FROM del)
                              ORDER BY x.seq LIMIT 1) h ON true
         WHERE f.queue_id = $1 AND f.group_id = tg.group_id
        RETURNING 1)
SELECT seq, receipt FROM del)sql",
                                 3};

// $1 queue_id, $2 dedup_id. The id and seq of the message a dedup id stands for (a batch entry
// that was a duplicate of a send committed after its statement's snapshot: see kSendFifo).
const Statement kGetDedupMessage{"get_dedup_message", R"sql(
SELECT message_id, seq FROM dedup WHERE queue_id = $1 AND dedup_id = $2)sql",
                                 2};

// ---- FIFO ReceiveRequestAttemptId (storage.md §5.2) ----
// SQS: a retry with the same attempt id within 5 minutes returns the same messages and receipt
// handles, and resets their visibility timeout, instead of taking new groups.

// $1 queue_id, $2 attempt_id, $3 the new receive's lock token. Claims the attempt id for this
// receive (a row expired in place is reused); no row returned: the id is taken by an earlier
// receive (one still in progress makes this wait for its commit), so replay that one instead.
// Runs in the receive's transaction, so a failed receive leaves no claim behind.
const Statement kClaimReceiveAttempt{"claim_receive_attempt", R"sql(
INSERT INTO receive_attempt (queue_id, attempt_id, lock_token, expires_at)
VALUES ($1, $2, $3, now() + interval '5 minutes')
ON CONFLICT (queue_id, attempt_id) DO UPDATE
   SET lock_token = EXCLUDED.lock_token, expires_at = EXCLUDED.expires_at
 WHERE receive_attempt.expires_at <= now()
RETURNING lock_token)sql",
                                     3};

// $1 queue_id, $2 attempt_id, $3 visibility_s (NULL: the queue's), $4 the visibility cap in
// seconds. The messages of the claimed receive still in flight under its receipt, with their
// visibility reset (and their groups' locked_until where one is the head), ending at most $4
// after that receive (SQS's 12 hours count from the receive, not from a retry of it); receive
// counts do not change (it is the same receive).
// Groups are found by lock_token (the token of the last receive that took each) and locked
// first, as a receive locks them. Rows: (lock_token, group_id, seq, message_id, body, attrs,
// receive_count, sent_at_ms, first_receive_ms, dlq_source); no row when the attempt is unknown
// or expired, one row with NULL seq when it is known but holds no message any more (deleted,
// or its visibility ran out).
const Statement kReplayReceiveAttempt{"replay_receive_attempt", R"sql(
WITH a AS (SELECT lock_token FROM receive_attempt
            WHERE queue_id = $1 AND attempt_id = $2 AND expires_at > now()),
q AS (SELECT visibility_s FROM queue WHERE queue_id = $1 AND fifo),
lk AS (SELECT f.group_id FROM fifo_group f, a
        WHERE f.queue_id = $1 AND f.lock_token = a.lock_token
        ORDER BY f.group_id FOR UPDATE OF f),
held AS (UPDATE message m
            SET visible_at = least(now() + make_interval(secs => coalesce($3::int, q.visibility_s)),
                                   coalesce(m.received_at, now()) + make_interval(secs => $4::int))
           FROM lk, a, q
          WHERE m.queue_id = $1 AND m.group_id = lk.group_id AND m.receipt = a.lock_token
            AND m.visible_at > now()
         RETURNING m.group_id, m.seq, m.message_id, m.body, m.attrs, m.receive_count,
                   (extract(epoch FROM m.sent_at) * 1000)::bigint AS sent_ms,
                   (extract(epoch FROM m.first_receive) * 1000)::bigint AS first_ms,
                   m.dlq_source, m.visible_at),
hd AS (UPDATE fifo_group f SET locked_until = held.visible_at
         FROM held
        WHERE f.queue_id = $1 AND f.group_id = held.group_id AND f.head_seq = held.seq)
SELECT a.lock_token, h.group_id, h.seq, h.message_id, h.body, h.attrs, h.receive_count,
       h.sent_ms, h.first_ms, h.dlq_source
  FROM a LEFT JOIN held h ON true
 ORDER BY h.seq)sql",
                                      4};

// ---- Purge (one transaction) ----
// The group rows are locked first, for the reason the FIFO delete locks its group: the reset
// of head_seq then sees every send that committed to those groups.

// $1 queue_id.
const Statement kPurgeLockGroups{"purge_lock_groups", R"sql(
SELECT group_id FROM fifo_group WHERE queue_id = $1 ORDER BY group_id FOR UPDATE)sql",
                                 1};

// $1 queue_id. Rows deleted = messages purged.
const Statement kPurgeMessages{"purge_messages", R"sql(
DELETE FROM message WHERE queue_id = $1)sql",
                               1};

// $1 queue_id.
const Statement kPurgeResetGroups{"purge_reset_groups", R"sql(
UPDATE fifo_group f
   SET head_seq = (SELECT min(m.seq) FROM message m
                    WHERE m.queue_id = $1 AND m.group_id = f.group_id),
       locked_until = '-infinity', lock_token = NULL
 WHERE f.queue_id = $1)sql",
                                  1};

// $1 queue_id. The embedded store drops a purged queue's dedup entries too (store.h kQueuePurge).
const Statement kPurgeDedup{"purge_dedup", R"sql(
DELETE FROM dedup WHERE queue_id = $1)sql",
                            1};

// ---- Long polling and attributes ----

// $1 queue_id. Returns (visible, not_visible, delayed). In flight: a message received and not
// yet visible again (FIFO too: its visibility is its own, schema migration 9). Delayed: not yet
// due and never received. A full count of the queue: the maintenance leader runs it
// periodically and caches it (storage.md §5.5), not every request.
const Statement kCountMessages{"count_messages", R"sql(
SELECT count(*) FILTER (WHERE visible_at <= now()),
       count(*) FILTER (WHERE visible_at > now() AND receive_count > 0),
       count(*) FILTER (WHERE visible_at > now() AND receive_count = 0)
  FROM message WHERE queue_id = $1)sql",
                               1};

// $1 queue_id. Milliseconds until the next message becomes due (a delay ending, a standard
// visibility timeout, a FIFO head's visibility ending: locked_until, or a delayed head), NULL when
// nothing is pending. The long-poll re-check (storage.md §5.4): index probes only.
const Statement kNextVisibleIn{"next_visible_in", R"sql(
SELECT ceil(extract(epoch FROM least(
         (SELECT min(visible_at) FROM message
           WHERE queue_id = $1 AND group_id IS NULL AND visible_at > now()),
         (SELECT min(locked_until) FROM fifo_group
           WHERE queue_id = $1 AND head_seq IS NOT NULL AND locked_until > now()),
         (SELECT min(m.visible_at) FROM fifo_group f
            JOIN message m ON m.queue_id = f.queue_id AND m.seq = f.head_seq
           WHERE f.queue_id = $1 AND m.visible_at > now())) - now()) * 1000)::bigint)sql",
                               1};

// $1 queue_id as text. Runs on its own (autocommit), never inside a send transaction: a NOTIFY
// takes a cluster-wide lock held across the commit (storage.md §4.3). Must match kWakeChannel.
const Statement kNotifyWake{"notify_wake", R"sql(
SELECT pg_notify('sqs_wake', $1::text))sql",
                            1};

// ---- Guard-rails ----

// No parameters. Returns (oldest snapshot age in seconds, its age in transactions, dead tuples
// of `message`, pg_notification_queue_usage()). The oldest snapshot is the transaction of any
// other session that holds back the xmin horizon: one held for minutes turns the queue tables
// into dead tuples (storage.md §4.2 measured 3,800 -> 106 tx/s in 90 s). Cluster-wide, not keyed
// by queue: it runs on the maintenance leader, not per request.
const Statement kHealth{"health", R"sql(
SELECT coalesce((SELECT extract(epoch FROM now() - min(xact_start)) FROM pg_stat_activity
                  WHERE backend_xmin IS NOT NULL AND pid <> pg_backend_pid()), 0)::float8,
       coalesce((SELECT max(age(backend_xmin)) FROM pg_stat_activity
                  WHERE backend_xmin IS NOT NULL AND pid <> pg_backend_pid()), 0),
       coalesce((SELECT n_dead_tup FROM pg_stat_user_tables
                  WHERE relid = 'message'::regclass), 0),
       pg_notification_queue_usage())sql",
                        0};

// ---- Maintenance ----

// $1 queue_id, $2 batch size. Dedup rows expired for over a minute (the slack keeps a row
// being reused in place by a concurrent send out of the way). Rows deleted = count.
const Statement kDeleteExpiredDedup{"delete_expired_dedup", R"sql(
DELETE FROM dedup WHERE queue_id = $1 AND dedup_id IN
  (SELECT dedup_id FROM dedup WHERE queue_id = $1 AND expires_at < now() - interval '1 minute'
    LIMIT $2 FOR UPDATE SKIP LOCKED))sql",
                                    2};

// $1 queue_id, $2 batch size.
const Statement kDeleteExpiredAttempts{"delete_expired_attempts", R"sql(
DELETE FROM receive_attempt WHERE queue_id = $1 AND attempt_id IN
  (SELECT attempt_id FROM receive_attempt WHERE queue_id = $1 AND expires_at < now()
    LIMIT $2 FOR UPDATE SKIP LOCKED))sql",
                                       2};

// $1 queue_id, $2 batch size. Standard messages past the queue's retention, oldest first, in
// batches (storage.md §5.5: never one huge DELETE). Messages in flight (locked by a receive in
// progress) are skipped until the next batch. FIFO messages: kFifoRetentionSweep.
const Statement kRetentionSweep{"retention_sweep", R"sql(
WITH q AS (SELECT retention_s FROM queue WHERE queue_id = $1),
old AS (SELECT m.seq FROM message m, q
         WHERE m.queue_id = $1 AND m.group_id IS NULL
           AND m.sent_at < now() - make_interval(secs => q.retention_s)
         ORDER BY m.seq LIMIT $2 FOR UPDATE OF m SKIP LOCKED)
DELETE FROM message m USING old WHERE m.queue_id = $1 AND m.seq = old.seq)sql",
                                2};

// FIFO retention, 1 of 2: $1 queue_id, $2 at most this many groups. Locks (SKIP LOCKED) groups
// whose head is past the queue's retention; the head is the group's oldest message, so this
// finds every group with an expired message by index probes.
const Statement kFifoRetentionLockGroups{"fifo_retention_lock_groups", R"sql(
SELECT f.group_id FROM queue q
  JOIN fifo_group f ON f.queue_id = q.queue_id
  JOIN message h ON h.queue_id = f.queue_id AND h.seq = f.head_seq
 WHERE q.queue_id = $1 AND q.fifo
   AND h.sent_at < now() - make_interval(secs => q.retention_s)
 ORDER BY f.group_id LIMIT $2
   FOR UPDATE OF f SKIP LOCKED)sql",
                                         2};

// FIFO retention, 2 of 2: $1 queue_id, $2 group ids (text[], locked by 1/2 in this
// transaction), $3 batch size. Deletes expired messages of those groups (in flight or not, as
// SQS does), oldest first, and recomputes the heads and their locked_until (the FIFO batch
// delete's rules). Returns the number deleted.
const Statement kFifoRetentionSweep{"fifo_retention_sweep", R"sql(
WITH q AS (SELECT retention_s FROM queue WHERE queue_id = $1 AND fifo),
old AS (SELECT m.seq FROM message m, q
         WHERE m.queue_id = $1 AND m.group_id = ANY($2::text[])
           AND m.sent_at < now() - make_interval(secs => q.retention_s)
         ORDER BY m.seq LIMIT $3),
del AS (DELETE FROM message m USING old WHERE m.queue_id = $1 AND m.seq = old.seq
        RETURNING m.seq, m.group_id, m.receipt),
upd AS (UPDATE fifo_group f
           SET head_seq = h.seq, locked_until = coalesce(h.visible_at, '-infinity'::timestamptz)
          FROM (SELECT DISTINCT group_id FROM del) tg
          LEFT JOIN LATERAL (SELECT x.seq, x.visible_at FROM message x
                              WHERE x.queue_id = $1 AND x.group_id = tg.group_id
                                AND x.seq NOT IN (SELECT seq FROM del)
                              ORDER BY x.seq LIMIT 1) h ON true
         WHERE f.queue_id = $1 AND f.group_id = tg.group_id
        RETURNING 1)
SELECT count(*) FROM del)sql",
                                    3};

namespace {
constexpr std::array<const Statement*, 67> kAll{
    &kCreateQueue,
    &kGetQueue,
    &kListQueues,
    &kListAllQueues,
    &kClaimDeploymentValue,
    &kClaimPurge,
    &kForgetReceiveAttempts,
    &kUpdateQueue,
    &kDeleteQueue,
    &kDeletedQueueNameRecent,
    &kGetQueueById,
    &kSetQueueTags,
    &kSweepDeletedQueueNames,
    &kSendStandard,
    &kReceiveStandard,
    &kDeleteStandard,
    &kMessageReceipt,
    &kChangeVisibilityStandard,
    &kSendFifo,
    &kReceiveFifo,
    &kFifoDeleteLockGroup,
    &kFifoDeleteMessage,
    &kFifoDeleteReleaseGroup,
    &kChangeVisibilityFifo,
    &kFifoReceiptState,
    &kMoveOutStandard,
    &kMoveOutFifo,
    &kPeekMessages,
    &kPurgeLockGroups,
    &kPurgeMessages,
    &kPurgeResetGroups,
    &kPurgeDedup,
    &kCountMessages,
    &kNextVisibleIn,
    &kNotifyWake,
    &kDeleteExpiredDedup,
    &kDeleteExpiredAttempts,
    &kRetentionSweep,
    &kHealth,
    &kSendStandardBatch,
    &kDeleteStandardBatch,
    &kFifoDeleteBatchLockGroups,
    &kFifoDeleteBatch,
    &kGetDedupMessage,
    &kFifoRedriveProbe,
    &kFifoRedriveLockGroups,
    &kFifoRedriveMove,
    &kClaimReceiveAttempt,
    &kReplayReceiveAttempt,
    &kFifoRetentionLockGroups,
    &kFifoRetentionSweep,
    &kObjectPut,
    &kObjectDelete,
    &kObjectScan,
    &kObjectSignature,
    &kNotifyObjects,
    &kOwnedObjectPut,
    &kOwnedObjectDelete,
    &kOwnedObjectScan,
    &kAdoptOwnedObjects,
    &kOwnedObjectEpoch,
    &kPutDataKey,
    &kGetDataKeys,
    &kSweepDataKeys,
    &kReturnUndelivered,
    &kHoldLease,
    &kReleaseLease,
};
}  // namespace

std::span<const Statement* const> AllStatements() { return kAll; }

}  // namespace wharf::storage::pg::sql
