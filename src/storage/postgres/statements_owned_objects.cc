// The statements of objects one node owns (schema migration 10, table owned_object; the SNS
// outbox): PgObjectStore's puts, deletes and scans when it has an owner, the adoption of a gone
// node's objects, and the epoch an owner numbers its keys from. Registered with the others in
// statements.cc (kAll). No NOTIFY: no other node reads these while their owner lives.

#include "storage/postgres/statements.h"

namespace wharf::storage::pg::sql {

// $1 key, $2 value, $3 owner (uuid). Creates or replaces the object, as $3's.
const Statement kOwnedObjectPut{"owned_object_put", R"sql(
INSERT INTO owned_object (key, owner, value) VALUES ($1::bytea, $3::uuid, $2::bytea)
ON CONFLICT (key) DO UPDATE SET owner = EXCLUDED.owner, value = EXCLUDED.value)sql",
                                3};

// $1 key. Whoever owns it now: an owner deleting what another node adopted meanwhile (both
// delivered it) deletes the adopted row, which is then done as well.
const Statement kOwnedObjectDelete{"owned_object_delete", R"sql(
DELETE FROM owned_object WHERE key = $1::bytea)sql",
                                   1};

// $1 lower bound (the prefix), $2 exclusive upper bound or NULL (as object_scan), $3 owner.
// Rows (key, value) of $3's objects, in key order.
const Statement kOwnedObjectScan{"owned_object_scan", R"sql(
SELECT key, value FROM owned_object
 WHERE owner = $3::uuid AND key >= $1::bytea AND ($2::bytea IS NULL OR key < $2::bytea)
 ORDER BY key)sql",
                                 3};

// $1 the adopting owner (uuid), $2 the lease name prefix (an owner's lease is $2 || its id).
// Makes $1 the owner of every object whose owner holds no live lease of that name (it was
// killed, or stopped and gave it up) and returns them (key, value) in key order. Two nodes
// adopting at once: the second's update waits for the first's row locks, then re-checks
// `o.owner = gone.owner` on the new row (now the first adopter's) and skips it, so each object
// goes to one adopter.
const Statement kAdoptOwnedObjects{"owned_object_adopt", R"sql(
WITH gone AS (
  SELECT DISTINCT o.owner FROM owned_object o
   WHERE o.owner <> $1::uuid
     AND NOT EXISTS (SELECT 1 FROM lease l
                      WHERE l.name = $2 || o.owner::text AND l.expires_at >= now())),
adopted AS (
  UPDATE owned_object o SET owner = $1::uuid
    FROM gone WHERE o.owner = gone.owner
  RETURNING o.key, o.value)
SELECT key, value FROM adopted ORDER BY key)sql",
                                   2};

// No parameters. A number larger than any drawn before, once per owner start: the SNS outbox
// numbers its publications from it (sns/outbox.h), so keys never collide across owners.
const Statement kOwnedObjectEpoch{"owned_object_epoch", R"sql(
SELECT nextval('owned_object_epoch'))sql",
                                  0};

}  // namespace wharf::storage::pg::sql
