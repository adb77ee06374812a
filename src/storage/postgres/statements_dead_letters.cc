// The statements of dead-letter queues (storage/postgres/statements.h): the FIFO redrive of
// over-received messages, message move tasks back out of a dead-letter queue, and the peek the
// console uses on one. Split from statements.cc, which keeps the list of all statements.

#include "storage/postgres/statements.h"

namespace wharf::storage::pg::sql {

// ---- FIFO dead-letter redrive ----
// A FIFO queue's DLQ is a FIFO queue (SQS requires it; not moved otherwise). An over-received
// message moves when its group would be received next: kReceiveFifo skips such groups, and
// ReceiveFifo first runs these statements. The move keeps the message id, group, sent time, body
// and attributes (which carry the deduplication id); in the DLQ it is not deduplicated again
// and it joins its group's order behind what is already there.

// $1 queue_id. True when some unlocked group's due head is over-received and the queue has a
// FIFO DLQ: the cheap check every FIFO receive makes (index probes only).
const Statement kFifoRedriveProbe{"fifo_redrive_probe", R"sql(
SELECT EXISTS (
  SELECT 1 FROM queue q
    JOIN queue d ON d.queue_id = q.dlq_id AND d.fifo
    JOIN fifo_group f ON f.queue_id = q.queue_id
    JOIN message h ON h.queue_id = f.queue_id AND h.seq = f.head_seq
   WHERE q.queue_id = $1 AND q.fifo AND q.max_receive IS NOT NULL
     AND f.locked_until <= now() AND h.visible_at <= now() AND h.receive_count >= q.max_receive))sql",
                                  1};

// Redrive, 1 of 2: $1 queue_id, $2 at most this many groups. Locks the groups the probe looks
// for (SKIP LOCKED: a group a send or delete is touching waits for the next receive).
const Statement kFifoRedriveLockGroups{"fifo_redrive_lock_groups", R"sql(
SELECT f.group_id FROM queue q
  JOIN queue d ON d.queue_id = q.dlq_id AND d.fifo
  JOIN fifo_group f ON f.queue_id = q.queue_id
  JOIN message h ON h.queue_id = f.queue_id AND h.seq = f.head_seq
 WHERE q.queue_id = $1 AND q.fifo AND q.max_receive IS NOT NULL
   AND f.locked_until <= now() AND h.visible_at <= now() AND h.receive_count >= q.max_receive
 ORDER BY f.group_id LIMIT $2
   FOR UPDATE OF f SKIP LOCKED)sql",
                                       2};

// Redrive, 2 of 2: $1 queue_id, $2 group ids (text[], locked by 1/2 in this transaction), $3 the
// queue's ARN (DeadLetterQueueSourceArn). Moves each group's over-received prefix to the DLQ in
// seq order with its receive count, adds the DLQ's group rows
// (taking their row lock like a send, so a DLQ delete recomputing its head sees them), and
// recomputes the source heads and their locked_until (the new head's visible_at, as a delete
// does). Returns the number moved.
const Statement kFifoRedriveMove{"fifo_redrive_move", R"sql(
WITH q AS (SELECT s.dlq_id, s.max_receive FROM queue s
             JOIN queue d ON d.queue_id = s.dlq_id AND d.fifo
            WHERE s.queue_id = $1),
dead AS (DELETE FROM message m USING q
          WHERE m.queue_id = $1 AND m.group_id = ANY($2::text[])
            AND m.receive_count >= q.max_receive
            AND m.seq < coalesce((SELECT min(k.seq) FROM message k
                                   WHERE k.queue_id = $1 AND k.group_id = m.group_id
                                     AND k.receive_count < q.max_receive),
                                 9223372036854775807)
         RETURNING m.seq, m.message_id, m.group_id, m.sent_at, m.body, m.attrs, m.receive_count),
moved AS (INSERT INTO message (queue_id, message_id, visible_at, sent_at, group_id, body, attrs,
                               receive_count, dlq_source)
          SELECT q.dlq_id, d.message_id, now(), d.sent_at, d.group_id, d.body, d.attrs,
                 d.receive_count, $3
            FROM dead d, q ORDER BY d.seq
          RETURNING seq, group_id),
dg AS (INSERT INTO fifo_group (queue_id, group_id, head_seq)
       SELECT q.dlq_id, mv.group_id, min(mv.seq) FROM moved mv, q GROUP BY q.dlq_id, mv.group_id
       ON CONFLICT (queue_id, group_id) DO UPDATE
          SET head_seq = coalesce(fifo_group.head_seq, EXCLUDED.head_seq), last_send_at = now()),
src AS (UPDATE fifo_group f
           SET head_seq = h.seq, locked_until = coalesce(h.visible_at, '-infinity'::timestamptz)
          FROM (SELECT DISTINCT group_id FROM dead) tg
          LEFT JOIN LATERAL (SELECT x.seq, x.visible_at FROM message x
                              WHERE x.queue_id = $1 AND x.group_id = tg.group_id
                                AND x.seq NOT IN (SELECT seq FROM dead)
                              ORDER BY x.seq LIMIT 1) h ON true
         WHERE f.queue_id = $1 AND f.group_id = tg.group_id)
SELECT count(*) FROM dead)sql",
                                 3};

// ---- Message move tasks and peeking (sqs-api.md §2.18, §5.11; the console's PeekMessages) ----
// A move takes messages out of a queue (usually a dead-letter queue) into a fixed destination or
// back to the queue named by each message's dlq_source, in one statement: what is deleted here is
// inserted there, or neither. A message whose destination does not exist (or is of the other
// type, or is this queue) stays where it is and is counted as stuck. Moved messages start afresh
// (receive count 0, no DeadLetterQueueSourceArn, visible now); standard queues keep their send
// time, FIFO queues restart it (the embedded engine's rules, queue_relocation.cc). The ARN's
// region is not compared: one deployment serves one region.
// Rows: (stuck, destination queue_id, moved there), one row per destination (a single row with
// a NULL destination when nothing moved).

// $1 queue_id, $2 max messages, $3 fixed destination queue_id (NULL: each message's source).
// Visible messages, oldest visible first; SKIP LOCKED leaves the ones a receive is taking.
const Statement kMoveOutStandard{"move_out_standard", R"sql(
WITH c AS (SELECT m.seq, m.dlq_source FROM message m
            WHERE m.queue_id = $1 AND m.group_id IS NULL AND m.visible_at <= now()
            ORDER BY m.visible_at LIMIT $2 FOR UPDATE SKIP LOCKED),
t AS (SELECT c.seq,
             (SELECT d.queue_id FROM queue d
               WHERE NOT d.fifo AND d.queue_id <> $1
                 AND CASE WHEN $3::bigint IS NOT NULL THEN d.queue_id = $3::bigint
                          ELSE d.account = split_part(c.dlq_source, ':', 5)
                               AND d.name = split_part(c.dlq_source, ':', 6) END) AS dest
        FROM c),
gone AS (DELETE FROM message m USING t
          WHERE m.queue_id = $1 AND m.seq = t.seq AND t.dest IS NOT NULL
         RETURNING m.seq, t.dest, m.message_id, m.sent_at, m.body, m.attrs),
moved AS (INSERT INTO message (queue_id, message_id, visible_at, sent_at, body, attrs)
          SELECT g.dest, g.message_id, now(), g.sent_at, g.body, g.attrs FROM gone g ORDER BY g.seq
          RETURNING queue_id)
SELECT s.stuck, mv.queue_id, mv.n
  FROM (SELECT count(*) AS stuck FROM t WHERE t.dest IS NULL) s
  LEFT JOIN (SELECT queue_id, count(*) AS n FROM moved GROUP BY queue_id) mv ON true)sql",
                                 3};

// $1 queue_id, $2 max messages, $3 fixed destination queue_id (NULL: each message's source).
// Groups not in flight, oldest head first (their rows locked, SKIP LOCKED as a receive does),
// each group's due prefix in order; behind a message that cannot move, the rest of its group
// stays too, so a group arrives in order. The destination's group rows are added like a send's.
const Statement kMoveOutFifo{"move_out_fifo", R"sql(
WITH g AS (SELECT f.group_id, f.head_seq FROM fifo_group f
            WHERE f.queue_id = $1 AND f.locked_until <= now() AND f.head_seq IS NOT NULL
            ORDER BY f.head_seq LIMIT $2 FOR UPDATE OF f SKIP LOCKED),
c AS (SELECT x.seq, x.group_id, x.dlq_source FROM g CROSS JOIN LATERAL
        (SELECT m.seq, m.group_id, m.dlq_source FROM message m
          WHERE m.queue_id = $1 AND m.group_id = g.group_id
            AND m.seq < coalesce((SELECT min(d.seq) FROM message d
                                   WHERE d.queue_id = $1 AND d.group_id = g.group_id
                                     AND d.visible_at > now()),
                                 9223372036854775807)
          ORDER BY m.seq LIMIT $2) x
       ORDER BY x.seq LIMIT $2),
r AS (SELECT c.seq, c.group_id,
             (SELECT d.queue_id FROM queue d
               WHERE d.fifo AND d.queue_id <> $1
                 AND CASE WHEN $3::bigint IS NOT NULL THEN d.queue_id = $3::bigint
                          ELSE d.account = split_part(c.dlq_source, ':', 5)
                               AND d.name = split_part(c.dlq_source, ':', 6) END) AS dest
        FROM c),
t AS (SELECT r.seq, r.group_id,
             CASE WHEN EXISTS (SELECT 1 FROM r b WHERE b.group_id = r.group_id
                                 AND b.dest IS NULL AND b.seq < r.seq)
                  THEN NULL ELSE r.dest END AS dest
        FROM r),
gone AS (DELETE FROM message m USING t
          WHERE m.queue_id = $1 AND m.seq = t.seq AND t.dest IS NOT NULL
         RETURNING m.seq, t.dest, m.message_id, m.group_id, m.body, m.attrs),
moved AS (INSERT INTO message (queue_id, message_id, visible_at, sent_at, group_id, body, attrs)
          SELECT x.dest, x.message_id, now(), now(), x.group_id, x.body, x.attrs
            FROM gone x ORDER BY x.seq
          RETURNING queue_id, seq, group_id),
dg AS (INSERT INTO fifo_group (queue_id, group_id, head_seq)
       SELECT mv.queue_id, mv.group_id, min(mv.seq) FROM moved mv GROUP BY mv.queue_id, mv.group_id
       ON CONFLICT (queue_id, group_id) DO UPDATE
          SET head_seq = coalesce(fifo_group.head_seq, EXCLUDED.head_seq), last_send_at = now()),
src AS (UPDATE fifo_group f
           SET head_seq = h.seq, locked_until = coalesce(h.visible_at, '-infinity'::timestamptz)
          FROM (SELECT DISTINCT group_id FROM gone) tg
          LEFT JOIN LATERAL (SELECT x.seq, x.visible_at FROM message x
                              WHERE x.queue_id = $1 AND x.group_id = tg.group_id
                                AND x.seq NOT IN (SELECT seq FROM gone)
                              ORDER BY x.seq LIMIT 1) h ON true
         WHERE f.queue_id = $1 AND f.group_id = tg.group_id)
SELECT s.stuck, mv.queue_id, mv.n
  FROM (SELECT count(*) AS stuck FROM t WHERE t.dest IS NULL) s
  LEFT JOIN (SELECT queue_id, count(*) AS n FROM moved GROUP BY queue_id) mv ON true)sql",
                             3};

// $1 queue_id, $2 max messages. Every message in seq order (oldest first), changing nothing.
// Rows: (seq, message_id, body, attrs, receive_count, sent_at_ms, first_receive_ms, dlq_source,
// group_id, state, visible_at_ms): state 'visible', 'delayed' (never received, not yet due) or
// 'inflight'; visible_at_ms is when a delayed or in-flight message becomes visible. A FIFO
// message's visibility is its own, as a standard message's (schema migration 9).
const Statement kPeekMessages{"peek_messages", R"sql(
SELECT m.seq, m.message_id, m.body, m.attrs, m.receive_count,
       (extract(epoch FROM m.sent_at) * 1000)::bigint,
       (extract(epoch FROM m.first_receive) * 1000)::bigint, m.dlq_source, m.group_id,
       CASE WHEN m.visible_at <= now() THEN 'visible'
            WHEN m.receive_count = 0 THEN 'delayed' ELSE 'inflight' END,
       (extract(epoch FROM m.visible_at) * 1000)::bigint
  FROM message m
 WHERE m.queue_id = $1
 ORDER BY m.seq LIMIT $2)sql",
                              2};

}  // namespace wharf::storage::pg::sql
