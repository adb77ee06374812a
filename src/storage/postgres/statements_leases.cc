// The statements of leases (storage/postgres/statements.h, leases.h): rows of table `lease`
// (schema v1: name text PRIMARY KEY, node_id uuid, expires_at timestamptz) that say which node
// does a piece of work until when. Rows rather than advisory locks, so a lease outlives no
// connection and works on Citus and YugabyteDB; times are the database's now(), so nodes need no
// clock agreement.

#include "storage/postgres/statements.h"

namespace wharf::storage::pg::sql {

// $1 name, $2 node id (uuid), $3 milliseconds. Takes the lease for $2 until now() + $3 when
// there is none, when it has expired, or when $2 holds it already (a renewal). Returns one row
// (the new expiry) when $2 holds it afterwards and none while another node's lease is live. Two
// nodes taking a missing lease at once: the second insert waits for the first's row and then
// sees it live, so exactly one gets it.
const Statement kHoldLease{"hold_lease", R"sql(
INSERT INTO lease AS l (name, node_id, expires_at)
VALUES ($1, $2::uuid, now() + $3::bigint * interval '1 millisecond')
ON CONFLICT (name) DO UPDATE SET node_id = excluded.node_id, expires_at = excluded.expires_at
 WHERE l.expires_at < now() OR l.node_id = excluded.node_id
RETURNING l.expires_at)sql",
                           3};

// $1 name, $2 node id. Gives the lease up if $2 holds it; returns the rows deleted (0 or 1).
const Statement kReleaseLease{"release_lease", R"sql(
DELETE FROM lease WHERE name = $1 AND node_id = $2::uuid)sql",
                              2};

}  // namespace wharf::storage::pg::sql
