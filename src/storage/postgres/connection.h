#pragma once

// One libpq connection (RAII), with errors as values and named prepared statements.
//
// Every operation of the backend is a `Statement`: a name and one constant SQL text with
// positional parameters ($1, $2, ...), defined once in statements.cc. `Execute` prepares a
// statement the first time this connection runs it (PQprepare) and from then on only sends its
// name and parameters (PQexecPrepared). Parameter values travel separately from the SQL text,
// so no SQL is ever assembled from values. Parameters are text, except bytea ones, which are
// sent in binary so no escaping is involved either; results come back as text.
//
// Session settings are fixed at connect time (startup packet `options`), so every session of the
// server carries its guard-rails from its first statement (storage.md §4.2: a session idle in a
// transaction pins the xmin horizon and bloats the queue tables; statement_timeout bounds any
// statement stuck behind a lock).
//
// Threading: a Connection is used by one thread at a time (libpq connections are not
// thread-safe); the pool hands each one to a single borrower.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "storage/postgres/pg_error.h"

struct pg_conn;    // libpq's PGconn, kept out of this header
struct pg_result;  // libpq's PGresult

namespace wharf::storage::pg {

struct ConnectionOptions {
  std::string application_name = "wharf";
  // Both bound how long this session can hold locks or a snapshot (storage.md §4.2, §5.5).
  std::chrono::milliseconds statement_timeout{10'000};
  std::chrono::milliseconds idle_in_transaction_timeout{10'000};
  std::chrono::seconds connect_timeout{10};
  // Overrides the database named in the URL when not empty (tests use a database each).
  std::string database;
};

// A named statement: one constant SQL text, prepared once per connection.
struct Statement {
  std::string_view name;
  std::string_view sql;
  int param_count;
};

// One positional parameter: text, binary (for bytea columns) or NULL.
struct Param {
  std::optional<std::string> value;
  bool binary = false;

  static Param Text(std::string text) { return Param{std::move(text), false}; }
  static Param Bytes(std::string bytes) { return Param{std::move(bytes), true}; }
  static Param Int(int64_t number) { return Param{std::to_string(number), false}; }
  static Param Bool(bool flag) { return Param{flag ? "t" : "f", false}; }
  static Param Null() { return Param{std::nullopt, false}; }
  template <typename T>
  static Param IntOrNull(const std::optional<T>& number) {
    return number ? Int(static_cast<int64_t>(*number)) : Null();
  }
};

// A NOTIFY received on a channel this session LISTENs on.
struct Notification {
  std::string channel;
  std::string payload;
};

// One statement of a pipelined transaction (Connection::ExecutePipelined).
struct PipelineStep {
  const Statement* statement;
  std::vector<Param> params;
};

// The rows of one statement's answer (text format). Column accessors take the column index in
// the statement's select list; a value that does not parse is kBadResult, not a crash.
class Rows {
 public:
  explicit Rows(pg_result* result);
  Rows(Rows&& other) noexcept;
  Rows& operator=(Rows&& other) noexcept;
  Rows(const Rows&) = delete;
  Rows& operator=(const Rows&) = delete;
  ~Rows();

  int size() const;
  // Rows changed by an INSERT/UPDATE/DELETE without RETURNING (PQcmdTuples).
  int64_t affected() const;
  bool IsNull(int row, int column) const;
  std::string_view Text(int row, int column) const;
  PgResult<int64_t> Int(int row, int column) const;
  PgResult<double> Double(int row, int column) const;
  PgResult<bool> Bool(int row, int column) const;
  // A bytea column ("\x" hex output) decoded to its bytes.
  PgResult<std::string> Bytes(int row, int column) const;

 private:
  pg_result* result_;
};

class Connection {
 public:
  // Connects and applies the session settings of `options`. The URL is any libpq connection
  // string or URI ("postgresql://user@host:port/db").
  static PgResult<Connection> Open(const std::string& url, const ConnectionOptions& options);

  Connection(Connection&& other) noexcept;
  Connection& operator=(Connection&& other) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // Prepares `statement` on this connection unless it already is (Execute does this itself;
  // tests call it to check every statement against the schema).
  PgStatus Prepare(const Statement& statement);
  // Runs `statement` with `params` (exactly statement.param_count of them).
  PgResult<Rows> Execute(const Statement& statement, std::span<const Param> params);
  PgResult<Rows> Execute(const Statement& statement) {
    return Execute(statement, std::span<const Param>());
  }
  PgResult<Rows> Execute(const Statement& statement, std::initializer_list<Param> params) {
    return Execute(statement, std::span<const Param>(params.begin(), params.size()));
  }
  // Runs every step in one round trip (libpq pipeline mode) as one implicit transaction: the
  // server commits at the pipeline's Sync, or rolls every step back when one fails (the error
  // is the first failing step's). Not inside a Transaction (which would keep it open).
  PgResult<std::vector<Rows>> ExecutePipelined(std::span<const PipelineStep> steps);
  // Runs constant SQL without parameters, possibly several statements (migrations, BEGIN,
  // COMMIT). Never pass text built from values here: use a Statement.
  PgStatus ExecuteScript(std::string_view constant_sql);

  // Reads what the server has sent, without waiting, and returns the notifications received so
  // far on the channels this session LISTENs on (`LISTEN` through ExecuteScript), oldest first.
  // kConnection when the connection broke.
  PgResult<std::vector<Notification>> TakeNotifications();

  // False once libpq reports the connection broken; the pool then drops it.
  bool healthy() const;

 private:
  friend class Transaction;
  friend class WakeListener;  // waits on the socket and reads notifications (wake.h)
  explicit Connection(pg_conn* conn) : conn_(conn) {}
  // COMMIT, failing when the server rolled back instead (the transaction had failed).
  PgStatus Commit();
  PgError ErrorFrom(pg_result* result) const;

  pg_conn* conn_;
  std::unordered_set<std::string> prepared_;  // names of the statements prepared on conn_
};

// A transaction on one connection, rolled back unless committed (READ COMMITTED, the server's
// default: the statements of §5.2 rely on its per-statement snapshots and row re-checks).
class Transaction {
 public:
  static PgResult<Transaction> Begin(Connection& conn);
  Transaction(Transaction&& other) noexcept : conn_(other.conn_) { other.conn_ = nullptr; }
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  ~Transaction();

  PgStatus Commit();

 private:
  explicit Transaction(Connection& conn) : conn_(&conn) {}
  Connection* conn_;  // null once committed or rolled back
};

}  // namespace wharf::storage::pg
