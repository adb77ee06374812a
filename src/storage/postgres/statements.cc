#include "storage/postgres/statements.h"

#include <array>

namespace wharf::storage::pg::sql {

// ---- Queues ----

// $1 account, $2 name, $3 fifo, $4 visibility_s, $5 delay_s, $6 retention_s, $7 dlq_id,
// $8 max_receive. Returns (queue_id, created). An existing queue of that name is returned with
// created = false. Under a concurrent create of the same name the second branch can miss the
// winner's row (its snapshot predates the winner's commit) and return nothing: the caller
// runs the statement again.
const Statement kCreateQueue{"create_queue", R"sql(
WITH ins AS (
  INSERT INTO queue (account, name, fifo, visibility_s, delay_s, retention_s, dlq_id, max_receive)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
  ON CONFLICT (account, name) DO NOTHING
  RETURNING queue_id)
SELECT queue_id, true FROM ins
UNION ALL
SELECT queue_id, false FROM queue
 WHERE account = $1 AND name = $2 AND NOT EXISTS (SELECT 1 FROM ins))sql",
                             8};

// $1 account, $2 name.
const Statement kGetQueue{"get_queue", R"sql(
SELECT queue_id, fifo, visibility_s, delay_s, retention_s, dlq_id, max_receive
  FROM queue WHERE account = $1 AND name = $2)sql",
                          2};

// $1 queue_id, $2 visibility_s, $3 delay_s, $4 retention_s, $5 dlq_id, $6 max_receive.
const Statement kUpdateQueue{"update_queue", R"sql(
UPDATE queue SET visibility_s = $2, delay_s = $3, retention_s = $4, dlq_id = $5, max_receive = $6
 WHERE queue_id = $1)sql",
                             6};

// $1 queue_id. One statement, so the queue and everything in it go atomically. A very large
// queue makes this one big delete; storage.md §5.5's queue generations are the later fix.
const Statement kDeleteQueue{"delete_queue", R"sql(
WITH m AS (DELETE FROM message WHERE queue_id = $1),
     g AS (DELETE FROM fifo_group WHERE queue_id = $1),
     d AS (DELETE FROM dedup WHERE queue_id = $1),
     a AS (DELETE FROM receive_attempt WHERE queue_id = $1)
DELETE FROM queue WHERE queue_id = $1 RETURNING queue_id)sql",
                             1};

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
// $1 queue_id, $2 max messages, $3 visibility_s (NULL: the queue's), $4 receipt token.
// Rows: (seq, message_id, body, attrs, receive_count, sent_at_ms, first_receive_ms,
// moved_to_dlq); seq is NULL in the single row of a receive that returned nothing.
const Statement kReceiveStandard{"receive_standard", R"sql(
WITH q AS (SELECT dlq_id, max_receive, visibility_s FROM queue WHERE queue_id = $1 AND NOT fifo),
c AS (SELECT seq, receive_count FROM message
       WHERE queue_id = $1 AND group_id IS NULL AND visible_at <= now()
       ORDER BY visible_at LIMIT $2 FOR UPDATE SKIP LOCKED),
dead AS (DELETE FROM message m USING c, q
          WHERE m.queue_id = $1 AND m.seq = c.seq AND q.dlq_id IS NOT NULL
            AND q.max_receive IS NOT NULL AND c.receive_count >= q.max_receive
         RETURNING m.message_id, m.sent_at, m.body, m.attrs),
moved AS (INSERT INTO message (queue_id, message_id, visible_at, sent_at, body, attrs)
          SELECT q.dlq_id, dead.message_id, now(), dead.sent_at, dead.body, dead.attrs
            FROM dead, q
          RETURNING seq),
upd AS (UPDATE message m
           SET visible_at = now() + make_interval(secs => coalesce($3::int, q.visibility_s)),
               receive_count = m.receive_count + 1, receipt = $4,
               first_receive = coalesce(m.first_receive, now())
          FROM c, q
         WHERE m.queue_id = $1 AND m.seq = c.seq
           AND (q.dlq_id IS NULL OR q.max_receive IS NULL OR c.receive_count < q.max_receive)
        RETURNING m.seq, m.message_id, m.body, m.attrs, m.receive_count, m.sent_at,
                  m.first_receive)
SELECT u.seq, u.message_id, u.body, u.attrs, u.receive_count,
       (extract(epoch FROM u.sent_at) * 1000)::bigint,
       (extract(epoch FROM u.first_receive) * 1000)::bigint, mv.n
  FROM (SELECT count(*) AS n FROM moved) mv LEFT JOIN upd u ON true
 ORDER BY u.seq)sql",
                                 4};

// $1 queue_id, $2 seq, $3 receipt token. A stale receipt deletes nothing.
const Statement kDeleteStandard{"delete_standard", R"sql(
DELETE FROM message WHERE queue_id = $1 AND seq = $2 AND receipt = $3 AND group_id IS NULL)sql",
                                3};

// $1 queue_id, $2 seq, $3 receipt token, $4 seconds. Only a message in flight (received and
// not yet visible again) with the latest receipt changes.
const Statement kChangeVisibilityStandard{"change_visibility_standard", R"sql(
UPDATE message SET visible_at = now() + make_interval(secs => $4::int)
 WHERE queue_id = $1 AND seq = $2 AND receipt = $3 AND group_id IS NULL
   AND visible_at > now())sql",
                                          4};

// ---- FIFO queues ----

// storage.md §5.2 (a duplicate returns the original id and inserts nothing; an expired dedup
// row is reused in place), plus the queue check, attributes and the queue's delay.
// $1 queue_id, $2 group_id, $3 dedup_id, $4 body, $5 message_id, $6 attrs.
// Returns (message_id, duplicate, seq, queue_exists). Under a concurrent send of the same dedup
// id, a duplicate can come back with a NULL message_id (the original committed after this
// statement's snapshot): the caller runs the statement again.
const Statement kSendFifo{"send_fifo", R"sql(
WITH q AS (SELECT queue_id, delay_s FROM queue WHERE queue_id = $1 AND fifo),
d AS (INSERT INTO dedup (queue_id, dedup_id, message_id, expires_at)
      SELECT q.queue_id, $3, $5::uuid, now() + interval '5 minutes' FROM q
      ON CONFLICT (queue_id, dedup_id) DO UPDATE
         SET message_id = EXCLUDED.message_id, expires_at = EXCLUDED.expires_at
       WHERE dedup.expires_at < now()
      RETURNING message_id),
m AS (INSERT INTO message (queue_id, message_id, visible_at, group_id, body, attrs)
      SELECT $1, d.message_id, now() + make_interval(secs => q.delay_s), $2, $4, $6::bytea
        FROM d, q
      RETURNING seq),
g AS (INSERT INTO fifo_group (queue_id, group_id, head_seq) SELECT $1, $2, seq FROM m
      ON CONFLICT (queue_id, group_id) DO UPDATE  -- takes the group row lock: orders with deletes
         SET head_seq = coalesce(fifo_group.head_seq, EXCLUDED.head_seq), last_send_at = now())
SELECT coalesce((SELECT message_id FROM d),
                (SELECT message_id FROM dedup WHERE queue_id = $1 AND dedup_id = $3)),
       (SELECT count(*) FROM d) = 0,
       (SELECT seq FROM m),
       EXISTS (SELECT 1 FROM q))sql",
                          6};

// storage.md §5.2, with two changes: (1) a group is taken only when its head message is due
// (delayed messages are not received early), and from each group only the prefix of due
// messages; (2) messages are picked heads first (row_number within the group, then seq), so
// every group this statement locks gets at least its head: the §5.2 form's final
// `ORDER BY seq LIMIT` could lock a group and return none of its messages, leaving it locked
// with nothing in flight.
// $1 queue_id, $2 max messages, $3 visibility_s (NULL: the queue's), $4 lock token.
// Rows: (group_id, seq, message_id, body, attrs, receive_count, sent_at_ms, first_receive_ms).
const Statement kReceiveFifo{"receive_fifo", R"sql(
WITH q AS (SELECT visibility_s FROM queue WHERE queue_id = $1 AND fifo),
g AS (SELECT f.group_id FROM fifo_group f
       WHERE f.queue_id = $1 AND f.locked_until <= now() AND f.head_seq IS NOT NULL
         AND EXISTS (SELECT 1 FROM message h
                      WHERE h.queue_id = $1 AND h.seq = f.head_seq AND h.visible_at <= now())
       ORDER BY f.head_seq LIMIT $2 FOR UPDATE OF f SKIP LOCKED),
lk AS (UPDATE fifo_group f
          SET locked_until = now() + make_interval(secs => coalesce($3::int, q.visibility_s)),
              lock_token = $4
         FROM g, q
        WHERE f.queue_id = $1 AND f.group_id = g.group_id
       RETURNING f.group_id),
pick AS (SELECT x.seq FROM lk CROSS JOIN LATERAL
           (SELECT m.seq, row_number() OVER (ORDER BY m.seq) AS pos FROM message m
             WHERE m.queue_id = $1 AND m.group_id = lk.group_id
               AND m.seq < coalesce((SELECT min(d.seq) FROM message d
                                      WHERE d.queue_id = $1 AND d.group_id = lk.group_id
                                        AND d.visible_at > now()),
                                    9223372036854775807)
             ORDER BY m.seq LIMIT $2) x
          ORDER BY x.pos, x.seq LIMIT $2)
UPDATE message m
   SET receive_count = m.receive_count + 1, receipt = $4,
       first_receive = coalesce(m.first_receive, now())
  FROM pick
 WHERE m.queue_id = $1 AND m.seq = pick.seq
RETURNING m.group_id, m.seq, m.message_id, m.body, m.attrs, m.receive_count,
          (extract(epoch FROM m.sent_at) * 1000)::bigint,
          (extract(epoch FROM m.first_receive) * 1000)::bigint)sql",
                             4};

// FIFO delete (storage.md §5.2: three statements in one READ COMMITTED transaction). Locking
// the group row first makes the third statement's snapshot see every send to the group that
// committed, because a send takes the same row lock in its ON CONFLICT DO UPDATE.
// 1/3: $1 queue_id, $2 seq. Returns the message's group_id, its group row locked; no row when
// the message is gone.
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

// 3/3: $1 queue_id, $2 group_id, $3 receipt token. Recomputes the head; releases the lock when
// it is this receive's and no other message of that receive is still undeleted.
const Statement kFifoDeleteReleaseGroup{"fifo_delete_release_group", R"sql(
UPDATE fifo_group
   SET head_seq = (SELECT min(seq) FROM message WHERE queue_id = $1 AND group_id = $2),
       locked_until = CASE
         WHEN lock_token = $3 AND NOT EXISTS (SELECT 1 FROM message
                                               WHERE queue_id = $1 AND group_id = $2
                                                 AND receipt = $3)
         THEN '-infinity'::timestamptz ELSE locked_until END
 WHERE queue_id = $1 AND group_id = $2)sql",
                                        3};

// $1 queue_id, $2 seq, $3 receipt token, $4 seconds. Moves the group lock that this receive
// holds (FIFO visibility is the group's); 0 releases the group.
const Statement kChangeVisibilityFifo{"change_visibility_fifo", R"sql(
UPDATE fifo_group f SET locked_until = now() + make_interval(secs => $4::int)
  FROM message m
 WHERE m.queue_id = $1 AND m.seq = $2 AND m.receipt = $3
   AND f.queue_id = $1 AND f.group_id = m.group_id AND f.lock_token = $3
   AND f.locked_until > now())sql",
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

// $1 queue_id. Returns (visible, not_visible, delayed). In flight: a standard message received
// and not yet visible again; a FIFO message holding its group's live lock. Delayed: not yet due
// and never received (standard), or not yet due (FIFO). A full count of the queue: the
// maintenance leader runs it periodically and caches it (storage.md §5.5), not every request.
const Statement kCountMessages{"count_messages", R"sql(
SELECT count(*) FILTER (WHERE NOT in_flight AND NOT delayed),
       count(*) FILTER (WHERE in_flight),
       count(*) FILTER (WHERE delayed AND NOT in_flight)
  FROM (SELECT CASE WHEN m.group_id IS NULL THEN m.visible_at > now() AND m.receive_count > 0
                    ELSE coalesce(f.locked_until > now() AND f.lock_token = m.receipt, false)
               END AS in_flight,
               m.visible_at > now() AND (m.group_id IS NOT NULL OR m.receive_count = 0) AS delayed
          FROM message m
          LEFT JOIN fifo_group f ON f.queue_id = m.queue_id AND f.group_id = m.group_id
         WHERE m.queue_id = $1) s)sql",
                               1};

// $1 queue_id. Milliseconds until the next message becomes due (a delay ending, a standard
// visibility timeout, a FIFO group lock expiring, a delayed FIFO head), NULL when nothing is
// pending. The long-poll re-check (storage.md §5.4): index probes only.
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
// progress) are skipped until the next batch. FIFO retention needs the group head recomputed
// and is not here yet.
const Statement kRetentionSweep{"retention_sweep", R"sql(
WITH q AS (SELECT retention_s FROM queue WHERE queue_id = $1),
old AS (SELECT m.seq FROM message m, q
         WHERE m.queue_id = $1 AND m.group_id IS NULL
           AND m.sent_at < now() - make_interval(secs => q.retention_s)
         ORDER BY m.seq LIMIT $2 FOR UPDATE OF m SKIP LOCKED)
DELETE FROM message m USING old WHERE m.queue_id = $1 AND m.seq = old.seq)sql",
                                2};

namespace {
constexpr std::array<const Statement*, 25> kAll{
    &kCreateQueue,
    &kGetQueue,
    &kUpdateQueue,
    &kDeleteQueue,
    &kSendStandard,
    &kReceiveStandard,
    &kDeleteStandard,
    &kChangeVisibilityStandard,
    &kSendFifo,
    &kReceiveFifo,
    &kFifoDeleteLockGroup,
    &kFifoDeleteMessage,
    &kFifoDeleteReleaseGroup,
    &kChangeVisibilityFifo,
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
};
}  // namespace

std::span<const Statement* const> AllStatements() { return kAll; }

}  // namespace wharf::storage::pg::sql
