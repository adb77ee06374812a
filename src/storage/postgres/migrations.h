#pragma once

// Versioned schema migrations. The database records what it has applied in
// `schema_migrations (version, name, applied_at)`; Migrate applies every missing migration, in
// order, each in its own transaction together with its row in schema_migrations, so a migration
// is applied entirely or not at all, and exactly once.
//
// Several nodes may start at once: each migration's transaction first takes
// `LOCK TABLE schema_migrations IN EXCLUSIVE MODE` (other migrators wait; plain readers do not)
// and then re-reads whether the version is applied. A table lock rather than an advisory lock,
// because storage.md prefers row/table locks for Citus and YugabyteDB compatibility.
//
// Threading: uses only the connection it is given.

#include <span>
#include <string_view>

#include "storage/postgres/connection.h"

namespace wharf::storage::pg {

struct Migration {
  int version;  // 1, 2, 3, ... without gaps
  std::string_view name;
  std::string_view sql;  // constant SQL; may hold several statements
};

// Every migration this build knows, in version order.
std::span<const Migration> AllMigrations();

struct MigrationReport {
  int applied = 0;         // migrations this call applied
  int schema_version = 0;  // the database's version afterwards
};

PgResult<MigrationReport> Migrate(Connection& conn);
// Applies only the missing migrations up to and including `up_to_version` (tests build a
// database of an older version this way; a node always runs the one above).
PgResult<MigrationReport> Migrate(Connection& conn, int up_to_version);

}  // namespace wharf::storage::pg
