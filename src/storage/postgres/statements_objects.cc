// The statements of keyed objects (schema migration 6; object_store.h): storage::Store's puts
// and deletes, ScanObjects, the change signature the objects watcher compares, and the NOTIFY
// after a committed write. Registered with the others in statements.cc (kAll).

#include "storage/postgres/statements.h"

namespace wharf::storage::pg::sql {

// $1 key, $2 value. Creates or replaces the object; either way its version is a new draw from
// object_version (the insert's draw, EXCLUDED.version, also on the conflict path), so versions
// only grow and every put changes object_signature.
const Statement kObjectPut{"object_put", R"sql(
INSERT INTO object (key, value, version) VALUES ($1::bytea, $2::bytea, nextval('object_version'))
ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, version = EXCLUDED.version)sql",
                           2};

// $1 key. Nothing happens when there is no such object (affected() tells).
const Statement kObjectDelete{"object_delete", R"sql(
DELETE FROM object WHERE key = $1::bytea)sql",
                              1};

// $1 lower bound (the prefix itself), $2 upper bound, exclusive (NULL: none): the prefix with its
// trailing 0xFF bytes dropped and its last byte incremented, computed by the caller
// (ObjectPrefixEnd), so the range is exactly the keys starting with the prefix and the primary
// key's index serves it. Rows (key, value) in key order: bytea compares bytewise, unsigned.
const Statement kObjectScan{"object_scan", R"sql(
SELECT key, value FROM object
 WHERE key >= $1::bytea AND ($2::bytea IS NULL OR key < $2::bytea)
 ORDER BY key)sql",
                            2};

// $1 a key prefix left out ('' leaves nothing out). (count, sum of versions) of the other
// objects: changes on every put (a new, larger version) and on every delete, and on no other
// statement. Nodes compare it with the one they loaded to notice another node's change when a
// NOTIFY was missed. A full scan of a small table.
const Statement kObjectSignature{"object_signature", R"sql(
SELECT count(*), coalesce(sum(version), 0)::bigint FROM object
 WHERE length($1::bytea) = 0 OR substring(key FROM 1 FOR length($1::bytea)) <> $1::bytea)sql",
                                 1};

// No parameters. Runs on its own after the objects' transaction committed (never inside it: a
// NOTIFY takes a cluster-wide lock held across the commit, storage.md §4.3). The payload is
// empty: listeners reload what they own. Must match kObjectsChannel (object_store.h).
const Statement kNotifyObjects{"notify_objects", R"sql(
SELECT pg_notify('wharf_objects', ''))sql",
                               0};

}  // namespace wharf::storage::pg::sql
