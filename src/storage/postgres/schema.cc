#include "storage/postgres/schema.h"

namespace wharf::storage::pg {

// storage.md §5.1, with queue ids from a sequence (the design leaves their source open).
// Every index starts with queue_id, so each statement touches one queue's index range and the
// tables can be distributed by queue_id (Citus) later.
const std::string_view kSchemaV1 = R"sql(
-- No CACHE: values are handed out in order across connections, which FIFO order relies on.
CREATE SEQUENCE msg_seq;
CREATE SEQUENCE queue_id_seq;

CREATE TABLE queue (
  queue_id     bigint PRIMARY KEY DEFAULT nextval('queue_id_seq'),
  account      text NOT NULL,
  name         text NOT NULL,
  fifo         boolean NOT NULL,
  visibility_s int NOT NULL DEFAULT 30,
  delay_s      int NOT NULL DEFAULT 0,
  retention_s  int NOT NULL DEFAULT 345600,
  dlq_id       bigint,
  max_receive  int,
  attrs        jsonb NOT NULL DEFAULT '{}',
  UNIQUE (account, name));

CREATE TABLE message (
  queue_id      bigint      NOT NULL,
  seq           bigint      NOT NULL DEFAULT nextval('msg_seq'),
  message_id    uuid        NOT NULL,
  visible_at    timestamptz NOT NULL,  -- sent_at + delay; on receive now() + visibility timeout
  receive_count int         NOT NULL DEFAULT 0,
  receipt       bigint,                -- random token, new on every receive
  first_receive timestamptz,
  sent_at       timestamptz NOT NULL DEFAULT now(),
  group_id      text,                  -- FIFO only
  body          text NOT NULL,
  attrs         bytea,
  PRIMARY KEY (queue_id, seq))
  WITH (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 5000,
        autovacuum_vacuum_cost_delay = 0);
CREATE INDEX message_ready ON message (queue_id, visible_at) WHERE group_id IS NULL;
CREATE INDEX message_group ON message (queue_id, group_id, seq) WHERE group_id IS NOT NULL;

-- The FIFO group lock (YMQ "Groups", Graphile Worker "job_queues").
CREATE TABLE fifo_group (
  queue_id     bigint NOT NULL,
  group_id     text NOT NULL,
  head_seq     bigint,  -- oldest undeleted message; NULL = empty
  locked_until timestamptz NOT NULL DEFAULT '-infinity',
  lock_token   bigint,
  last_send_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (queue_id, group_id));
CREATE INDEX fifo_group_ready ON fifo_group (queue_id, locked_until, head_seq)
  WHERE head_seq IS NOT NULL;

CREATE TABLE dedup (
  queue_id   bigint,
  dedup_id   text,
  message_id uuid NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (queue_id, dedup_id));

-- FIFO ReceiveRequestAttemptId: attempt id -> the lock token it obtained, for 5 minutes.
CREATE TABLE receive_attempt (
  queue_id   bigint,
  attempt_id text,
  lock_token bigint NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (queue_id, attempt_id));

CREATE TABLE node (node_id uuid PRIMARY KEY, addr text, heartbeat_at timestamptz NOT NULL);

-- Leases (e.g. the maintenance leader): rows, not advisory locks, so Citus and YugabyteDB work.
CREATE TABLE lease (name text PRIMARY KEY, node_id uuid, expires_at timestamptz NOT NULL);
)sql";

// The rest of the queue row. Existing rows keep their data and get the defaults: created_at and
// modified_at the migration's time (their real creation time was never recorded), version 1,
// no tags. now() is stable, so the defaults are evaluated once and the table is not rewritten.
//
// attrs (from v1, written by nothing before v2) and tags hold JSON objects of string -> string:
// the engine's SQS attributes other than the typed columns (Policy, RedrivePolicy,
// RedriveAllowPolicy, KMS settings, MaximumMessageSize, ...) and the queue's tags. The checks
// make any other JSON value a constraint violation (23514) instead of a row a node misreads
// (strict: lax mode would unwrap an array value and accept ["x"]; silent: no error on a
// non-object, which the first condition refuses).
//
// version (ADR 0002 decision 4) is bumped by every change of the row, so nodes caching rows can
// tell a stale copy and writers can update optimistically (WHERE version = expected).
//
// deleted_queue_name: when a queue of that name was last deleted, so CreateQueue can answer
// QueueDeletedRecently (SQS: a deleted name cannot be reused for 60 seconds). Written by
// delete_queue in the same statement as the delete; rows past the window are swept by
// sweep_deleted_queue_names (or overwritten by the next delete of that name).
const std::string_view kSchemaV2 = R"sql(
ALTER TABLE queue
  ADD COLUMN created_at  timestamptz NOT NULL DEFAULT now(),
  ADD COLUMN modified_at timestamptz NOT NULL DEFAULT now(),
  ADD COLUMN version     bigint      NOT NULL DEFAULT 1,
  ADD COLUMN tags        jsonb       NOT NULL DEFAULT '{}',
  ADD CONSTRAINT queue_attrs_string_map CHECK (
    jsonb_typeof(attrs) = 'object'
    AND NOT jsonb_path_exists(attrs, 'strict $.* ? (@.type() != "string")', '{}', true)),
  ADD CONSTRAINT queue_tags_string_map CHECK (
    jsonb_typeof(tags) = 'object'
    AND NOT jsonb_path_exists(tags, 'strict $.* ? (@.type() != "string")', '{}', true));

CREATE TABLE deleted_queue_name (
  account    text        NOT NULL,
  name       text        NOT NULL,
  deleted_at timestamptz NOT NULL,
  PRIMARY KEY (account, name));
CREATE INDEX deleted_queue_name_at ON deleted_queue_name (deleted_at);
)sql";

// deployment: facts every node of one deployment must agree on, claimed by the first node to
// start. 'root_key_check' is a keyed digest under a sub-key of the deployment's root key
// (hex): a node started with another root key would sign receipt handles the others refuse,
// so it refuses to start instead (ADR 0002 decision 6).
const std::string_view kSchemaV3 = R"sql(
CREATE TABLE deployment (
  name  text PRIMARY KEY,
  value text NOT NULL);
)sql";

// A duplicate FIFO send answers the original's MessageId and SequenceNumber (as SQS and the
// embedded engine do); v1's dedup row kept only the id, and the message itself may be deleted
// while its dedup row still counts. Rows written before this migration (or by a node still
// running the older send_fifo) have no seq: their duplicates are answered without one.
const std::string_view kSchemaV4 = R"sql(
ALTER TABLE dedup ADD COLUMN seq bigint;
)sql";

// queue.purged_at: when the queue was last purged, so PurgeQueue's once-per-60-seconds rule
// holds across nodes (PgQueueOps::ClaimPurge).
const std::string_view kSchemaV5 = R"sql(
ALTER TABLE queue ADD COLUMN purged_at timestamptz;
)sql";

// The keyed objects of storage::Store (IAM users, access keys and policies, KMS keys, SNS topics
// and subscriptions), so every node reads the same ones (ADR 0002 decision 7). Keys are the
// owners' opaque bytes: bytea compares bytewise (unsigned, then by length), which is
// ScanObjects' order. version is drawn from object_version on every put (insert or replace), so
// versions only grow and (count(*), sum(version)) changes on every put and every delete: the
// change signature nodes poll to notice another node's write (object_signature).
const std::string_view kSchemaV6 = R"sql(
CREATE SEQUENCE object_version;

CREATE TABLE object (
  key     bytea PRIMARY KEY,
  value   bytea NOT NULL,
  version bigint NOT NULL);
)sql";

// dlq_source: a dead-lettered message's DeadLetterQueueSourceArn. received_at: when the receive
// that issued the current receipt ran (database time; NULL: never received, or received before
// this migration), for ChangeMessageVisibility's 12-hour cap (received_at + 43200 s).
const std::string_view kSchemaV7 = R"sql(
ALTER TABLE message ADD COLUMN dlq_source text;
ALTER TABLE message ADD COLUMN received_at timestamptz;
)sql";

// SSE-KMS (security.md §4.2) without touching the message statements: a sealed body is bytes,
// which the text `body` column cannot hold, so a sealed message is stored as one frame in its
// `attrs` bytea (sealed_frame.h: 0xFF, the data key id, the caller's attributes, the sealed
// body) with `body` ''. Every statement that sends, receives, moves or redrives a message
// already carries `attrs` unchanged, so a moved message keeps its sealed body and its key.
// wharf_data_key_id reads the id back out of a frame (NULL for any other attrs) for the index
// that lets the data-key sweep find the keys still referred to.
//
// data_key: the record of each data key that sealed a stored body (the KMS ciphertext blob of
// the key, the KMS key's ARN) and the ARN of the queue it was generated for, which is its KMS
// encryption context and the body's authenticated data: a message moved to another queue is
// opened with it. Rows are put once per node per key before the first message that needs
// them, never changed, and deleted by maintenance once no message refers to them and they are
// older than any node still sends with (sweep_data_keys).
const std::string_view kSchemaV8 = R"sql(
CREATE FUNCTION wharf_data_key_id(attrs bytea) RETURNS bigint
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT CASE WHEN length(attrs) >= 9 AND substring(attrs FROM 1 FOR 1) = '\xff'::bytea
              THEN ('x' || encode(substring(attrs FROM 2 FOR 8), 'hex'))::bit(64)::bigint END
$$;

CREATE INDEX message_data_key ON message (wharf_data_key_id(attrs))
  WHERE wharf_data_key_id(attrs) IS NOT NULL;

CREATE TABLE data_key (
  id         bigint PRIMARY KEY,
  queue_arn  text NOT NULL,
  key_arn    text NOT NULL,
  blob       bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now());
CREATE INDEX data_key_created ON data_key (created_at);
)sql";

// FIFO visibility per message (sqs-api.md §5.14): a FIFO message's visible_at becomes its own
// visibility (the receive sets it, as on standard queues) and fifo_group.locked_until the head's
// visible_at (statements.cc, before kReceiveFifo). Before, a receive left its messages'
// visible_at alone and locked the group until locked_until; so the messages held by a live
// group lock (receipt = lock_token) are in flight until that lock ends, and every group's
// locked_until is then recomputed from its head. The group table is locked first so that no
// receive, delete or visibility change of a node still running the older statements slips in
// between the two updates (nodes must all run this version once it is applied: an older node's
// receive would no longer see what this one holds in flight).
const std::string_view kSchemaV9 = R"sql(
LOCK TABLE fifo_group IN EXCLUSIVE MODE;
UPDATE message m SET visible_at = f.locked_until
  FROM fifo_group f
 WHERE m.queue_id = f.queue_id AND m.group_id = f.group_id AND f.lock_token IS NOT NULL
   AND m.receipt = f.lock_token AND f.locked_until > now() AND m.visible_at < f.locked_until;
UPDATE fifo_group f
   SET locked_until = coalesce((SELECT h.visible_at FROM message h
                                 WHERE h.queue_id = f.queue_id AND h.seq = f.head_seq),
                               '-infinity'::timestamptz);
)sql";

// Objects one node owns rather than every node (PgObjectStore with an owner): the SNS outbox,
// the publications a node accepted and has not yet delivered to every subscription (sns/outbox.h).
// The owner (a node id, as in table `lease`) delivers them while it holds its lease; a node that
// finds that lease gone (the owner was killed, or stopped) adopts the rows and delivers them
// (owned_object_adopt). Keys are unique across owners: the outbox numbers its publications from
// an epoch drawn from owned_object_epoch at each start, so an adopted key never meets one of the
// adopter's own.
const std::string_view kSchemaV10 = R"sql(
CREATE TABLE owned_object (
  key   bytea PRIMARY KEY,
  owner uuid NOT NULL,
  value bytea NOT NULL);
CREATE INDEX owned_object_owner ON owned_object (owner);
CREATE SEQUENCE owned_object_epoch;
)sql";

}  // namespace wharf::storage::pg
