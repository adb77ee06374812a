#include "storage/postgres/migrations.h"

#include <array>
#include <limits>

#include "storage/postgres/schema.h"

namespace wharf::storage::pg {
namespace {

const std::array<Migration, 10> kMigrations{{
    {1, "queues, messages, FIFO groups, dedup, receive attempts, nodes, leases", kSchemaV1},
    {2, "queue timestamps, version, attributes and tags; deleted queue names", kSchemaV2},
    {3, "deployment facts (the root key check)", kSchemaV3},
    {4, "dedup.seq: the original's sequence number for duplicate FIFO sends", kSchemaV4},
    {5, "queue.purged_at: PurgeQueue's interval across nodes", kSchemaV5},
    {6, "keyed objects (IAM, KMS, SNS) shared by every node", kSchemaV6},
    {7,
     "message.dlq_source: DeadLetterQueueSourceArn of dead-lettered messages; "
     "message.received_at: the current receive's time (the 12-hour visibility cap)",
     kSchemaV7},
    {8, "SSE-KMS: sealed bodies framed in message.attrs, wharf_data_key_id(), data_key", kSchemaV8},
    {9, "FIFO visibility per message: held messages' visible_at, locked_until = head's", kSchemaV9},
    {10, "objects one node owns (the SNS outbox), adopted when its lease is gone", kSchemaV10},
}};

// Two nodes creating the table at the same moment can both pass IF NOT EXISTS; the loser gets
// a unique violation on the catalog (or "already exists"), which means the table is there.
constexpr std::string_view kCreateMigrationsTable = R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations (
  version    int PRIMARY KEY,
  name       text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()))sql";

constexpr std::string_view kLockMigrations = "LOCK TABLE schema_migrations IN EXCLUSIVE MODE";

constexpr Statement kMigrationApplied{"migration_applied",
                                      "SELECT 1 FROM schema_migrations WHERE version = $1", 1};
constexpr Statement kRecordMigration{
    "migration_record", "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", 2};
constexpr Statement kSchemaVersion{"migration_version",
                                   "SELECT coalesce(max(version), 0) FROM schema_migrations", 0};

bool AlreadyExists(const PgError& error) {
  return error.code == PgErrorCode::kServer &&
         (error.sqlstate == kSqlStateUniqueViolation || error.sqlstate == kSqlStateDuplicateTable);
}

// Applies `migration` unless it is applied; true when this call applied it.
PgResult<bool> ApplyOne(Connection& conn, const Migration& migration) {
  WHARF_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(conn));
  WHARF_RETURN_IF_ERROR(conn.ExecuteScript(kLockMigrations));
  WHARF_ASSIGN_OR_RETURN(Rows applied,
                         conn.Execute(kMigrationApplied, {Param::Int(migration.version)}));
  if (applied.size() > 0) return false;  // another node (or an earlier run) applied it
  WHARF_RETURN_IF_ERROR(conn.ExecuteScript(migration.sql));
  WHARF_ASSIGN_OR_RETURN(
      Rows recorded, conn.Execute(kRecordMigration, {Param::Int(migration.version),
                                                     Param::Text(std::string(migration.name))}));
  (void)recorded;
  WHARF_RETURN_IF_ERROR(tx.Commit());
  return true;
}

}  // namespace

std::span<const Migration> AllMigrations() { return kMigrations; }

PgResult<MigrationReport> Migrate(Connection& conn) {
  return Migrate(conn, std::numeric_limits<int>::max());
}

PgResult<MigrationReport> Migrate(Connection& conn, int up_to_version) {
  PgStatus created = conn.ExecuteScript(kCreateMigrationsTable);
  if (!created.ok() && !AlreadyExists(created.error())) return created.error();

  MigrationReport report;
  for (const Migration& migration : kMigrations) {
    if (migration.version > up_to_version) break;
    WHARF_ASSIGN_OR_RETURN(bool applied_now, ApplyOne(conn, migration));
    if (applied_now) ++report.applied;
  }
  WHARF_ASSIGN_OR_RETURN(Rows version, conn.Execute(kSchemaVersion));
  WHARF_ASSIGN_OR_RETURN(int64_t schema_version, version.Int(0, 0));
  report.schema_version = static_cast<int>(schema_version);
  return report;
}

}  // namespace wharf::storage::pg
