// SSE-KMS statements (schema migration 8): the data-key records of sealed bodies, their sweep,
// and giving back the messages of a receive whose bodies could not be opened. Kept apart from
// the message statements: sealed messages go through those unchanged (sealed_frame.h).

#include "storage/postgres/statements.h"

namespace wharf::storage::pg::sql {

// $1 id, $2 queue ARN (the key's encryption context), $3 KMS key ARN, $4 ciphertext blob.
// Nothing happens when the record is stored already (a record never changes; created_at stays
// the first put's, which the sweep's age counts from). Not keyed by queue_id: a record outlives
// its queue and follows its messages into others.
const Statement kPutDataKey{"put_data_key", R"sql(
INSERT INTO data_key (id, queue_arn, key_arn, blob) VALUES ($1, $2, $3, $4::bytea)
ON CONFLICT (id) DO NOTHING)sql",
                            4};

// $1 ids (bigint[]). Rows (id, queue_arn, key_arn, blob, created_at in Unix epoch ms) of the
// records that exist, in no particular order.
const Statement kGetDataKeys{"get_data_keys", R"sql(
SELECT id, queue_arn, key_arn, blob, (extract(epoch FROM created_at) * 1000)::bigint
  FROM data_key WHERE id = ANY($1::bigint[]))sql",
                             1};

// $1 age in seconds, $2 batch size. Deletes up to $2 records older than $1 seconds that no
// message refers to (message_data_key: an index probe per record). A record that old is in no
// node's send cache (they never serve a key past KmsDataKeyReusePeriodSeconds, at most one
// day), so no new message can come to refer to it; a message moving between queues refers to it
// before and after the move, in one statement, so the NOT EXISTS sees it either way.
const Statement kSweepDataKeys{"sweep_data_keys", R"sql(
DELETE FROM data_key WHERE id IN
  (SELECT k.id FROM data_key k
    WHERE k.created_at < now() - make_interval(secs => $1::int)
      AND NOT EXISTS (SELECT 1 FROM message m
                       WHERE wharf_data_key_id(m.attrs) IS NOT NULL
                         AND wharf_data_key_id(m.attrs) = k.id)
    ORDER BY k.created_at LIMIT $2 FOR UPDATE SKIP LOCKED))sql",
                               2};

// $1 queue_id, $2 seqs (bigint[]), $3 the receipt token of each (bigint[], same length). The
// messages of a receive that could not be delivered (QueueBackend::ReturnUndelivered) as they
// were before it, if that receive still holds them: receive count one less (first receive and
// the receive's time cleared with the count back at 0), no receipt, visible now (a FIFO group's
// locked_until follows its head, sqs-api.md §5.14; the caller has locked the group rows), and
// the receive's ReceiveRequestAttemptId forgotten (a retry receives afresh). Returns the number
// of messages given back.
const Statement kReturnUndelivered{"return_undelivered", R"sql(
WITH r AS (SELECT * FROM unnest($2::bigint[], $3::bigint[]) AS r(seq, token)),
m AS (UPDATE message m
         SET visible_at = now(),
             receive_count = m.receive_count - 1,
             first_receive = CASE WHEN m.receive_count = 1 THEN NULL ELSE m.first_receive END,
             received_at = NULL, receipt = NULL
        FROM r
       WHERE m.queue_id = $1 AND m.seq = r.seq AND m.receipt = r.token AND m.receive_count > 0
         AND m.visible_at > now()
      RETURNING m.group_id, m.seq, r.token),
g AS (UPDATE fifo_group f
         SET locked_until = CASE WHEN f.head_seq IN (SELECT seq FROM m) THEN now()
                                 ELSE coalesce((SELECT h.visible_at FROM message h
                                                 WHERE h.queue_id = $1 AND h.seq = f.head_seq),
                                               '-infinity'::timestamptz) END
       WHERE f.queue_id = $1 AND f.group_id IN (SELECT group_id FROM m WHERE group_id IS NOT NULL)
      RETURNING 1),
a AS (DELETE FROM receive_attempt
       WHERE queue_id = $1 AND lock_token IN (SELECT token FROM m)
      RETURNING 1)
SELECT count(*) FROM m)sql",
                                   3};

}  // namespace wharf::storage::pg::sql
