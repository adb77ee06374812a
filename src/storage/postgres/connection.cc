#include "storage/postgres/connection.h"

#include <libpq-fe.h>

#include <charconv>
#include <cstdlib>
#include <optional>
#include <utility>
#include <vector>

#include "common/log.h"

namespace wharf::storage::pg {
namespace {

PgError ServerError(PGconn* conn, const PGresult* result) {
  const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const char* message =
      result != nullptr ? PQresultErrorMessage(result) : (conn ? PQerrorMessage(conn) : "");
  std::string detail = message ? message : "";
  while (!detail.empty() && detail.back() == '\n') detail.pop_back();
  if (conn == nullptr || PQstatus(conn) != CONNECTION_OK) {
    return PgError{PgErrorCode::kConnection, state ? state : "", std::move(detail)};
  }
  return PgError{PgErrorCode::kServer, state ? state : "", std::move(detail)};
}

PgError BadResult(std::string detail) {
  return PgError{PgErrorCode::kBadResult, "", std::move(detail)};
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

// ---- Rows ----

Rows::Rows(pg_result* result) : result_(result) {}
Rows::Rows(Rows&& other) noexcept : result_(std::exchange(other.result_, nullptr)) {}
Rows& Rows::operator=(Rows&& other) noexcept {
  if (this != &other) {
    if (result_ != nullptr) PQclear(result_);
    result_ = std::exchange(other.result_, nullptr);
  }
  return *this;
}
Rows::~Rows() {
  if (result_ != nullptr) PQclear(result_);
}

int Rows::size() const { return PQntuples(result_); }

int64_t Rows::affected() const {
  const char* text = PQcmdTuples(result_);
  return text && *text ? std::strtoll(text, nullptr, 10) : 0;
}

bool Rows::IsNull(int row, int column) const { return PQgetisnull(result_, row, column) != 0; }

std::string_view Rows::Text(int row, int column) const {
  return std::string_view(PQgetvalue(result_, row, column),
                          static_cast<size_t>(PQgetlength(result_, row, column)));
}

PgResult<int64_t> Rows::Int(int row, int column) const {
  std::string_view text = Text(row, column);
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return BadResult("not an integer in column " + std::to_string(column));
  }
  return value;
}

PgResult<double> Rows::Double(int row, int column) const {
  // float8 or numeric in the server's text form; the whole value must parse.
  std::string text(Text(row, column));
  char* end = nullptr;
  double value = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size()) {
    return BadResult("not a number in column " + std::to_string(column));
  }
  return value;
}

PgResult<bool> Rows::Bool(int row, int column) const {
  std::string_view text = Text(row, column);
  if (text == "t") return true;
  if (text == "f") return false;
  return BadResult("not a boolean in column " + std::to_string(column));
}

PgResult<std::string> Rows::Bytes(int row, int column) const {
  std::string_view text = Text(row, column);
  // bytea_output = hex, the default since PostgreSQL 9.0: "\x" then two digits per byte.
  if (text.size() < 2 || text[0] != '\\' || text[1] != 'x' || text.size() % 2 != 0) {
    return BadResult("not hex bytea in column " + std::to_string(column));
  }
  std::string bytes;
  bytes.reserve((text.size() - 2) / 2);
  for (size_t i = 2; i < text.size(); i += 2) {
    int high = HexDigit(text[i]);
    int low = HexDigit(text[i + 1]);
    if (high < 0 || low < 0) return BadResult("bad hex digit in column " + std::to_string(column));
    bytes.push_back(static_cast<char>(high * 16 + low));
  }
  return bytes;
}

// ---- Connection ----

PgResult<Connection> Connection::Open(const std::string& url, const ConnectionOptions& options) {
  // Session settings travel in the startup packet, so they hold from the first statement and
  // cost no extra round trip.
  std::string session_options =
      "-c statement_timeout=" + std::to_string(options.statement_timeout.count()) +
      " -c idle_in_transaction_session_timeout=" +
      std::to_string(options.idle_in_transaction_timeout.count());
  std::string connect_timeout = std::to_string(options.connect_timeout.count());
  // Later keywords override what the expanded URL set; an empty value is ignored by libpq.
  const char* keywords[] = {"dbname", "application_name", "options", "connect_timeout",
                            "dbname", "client_encoding",  nullptr};
  const char* values[] = {url.c_str(),
                          options.application_name.c_str(),
                          session_options.c_str(),
                          connect_timeout.c_str(),
                          options.database.empty() ? nullptr : options.database.c_str(),
                          "UTF8",
                          nullptr};
  PGconn* conn = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (conn == nullptr) return PgError{PgErrorCode::kConnect, "", "out of memory"};
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string detail = PQerrorMessage(conn);
    while (!detail.empty() && detail.back() == '\n') detail.pop_back();
    PQfinish(conn);
    return PgError{PgErrorCode::kConnect, "", std::move(detail)};
  }
  // The server's notices (e.g. "relation ... already exists, skipping" from the migrations'
  // IF NOT EXISTS) go to the log as debug lines, not raw to stderr as libpq would print them.
  PQsetNoticeProcessor(
      conn,
      [](void*, const char* message) {
        std::string_view text(message);
        while (!text.empty() && text.back() == '\n') text.remove_suffix(1);
        log::Line(log::Level::kDebug, "postgres_notice").Str("detail", text);
      },
      nullptr);
  return Connection(conn);
}

Connection::Connection(Connection&& other) noexcept
    : conn_(std::exchange(other.conn_, nullptr)), prepared_(std::move(other.prepared_)) {}

Connection& Connection::operator=(Connection&& other) noexcept {
  if (this != &other) {
    if (conn_ != nullptr) PQfinish(conn_);
    conn_ = std::exchange(other.conn_, nullptr);
    prepared_ = std::move(other.prepared_);
  }
  return *this;
}

Connection::~Connection() {
  if (conn_ != nullptr) PQfinish(conn_);
}

bool Connection::healthy() const { return conn_ != nullptr && PQstatus(conn_) == CONNECTION_OK; }

PgError Connection::ErrorFrom(pg_result* result) const { return ServerError(conn_, result); }

PgStatus Connection::Prepare(const Statement& statement) {
  std::string name(statement.name);
  if (prepared_.contains(name)) return {};
  // Parameter types are left to the server to infer from the SQL (casts in the text where it
  // could not).
  std::string sql(statement.sql);
  PGresult* prepared = PQprepare(conn_, name.c_str(), sql.c_str(), statement.param_count, nullptr);
  if (PQresultStatus(prepared) != PGRES_COMMAND_OK) {
    PgError error = ErrorFrom(prepared);
    PQclear(prepared);
    error.detail = name + ": " + error.detail;
    return error;
  }
  PQclear(prepared);
  prepared_.insert(std::move(name));
  return {};
}

PgResult<Rows> Connection::Execute(const Statement& statement, std::span<const Param> params) {
  if (static_cast<int>(params.size()) != statement.param_count) {
    return BadResult(std::string(statement.name) + ": expected " +
                     std::to_string(statement.param_count) + " parameters, got " +
                     std::to_string(params.size()));
  }
  WHARF_RETURN_IF_ERROR(Prepare(statement));
  std::string name(statement.name);
  std::vector<const char*> values(params.size());
  std::vector<int> lengths(params.size());
  std::vector<int> formats(params.size());
  for (size_t i = 0; i < params.size(); ++i) {
    values[i] = params[i].value ? params[i].value->data() : nullptr;
    lengths[i] = params[i].value ? static_cast<int>(params[i].value->size()) : 0;
    formats[i] = params[i].binary ? 1 : 0;
  }
  PGresult* result =
      PQexecPrepared(conn_, name.c_str(), static_cast<int>(params.size()), values.data(),
                     lengths.data(), formats.data(), /*resultFormat=*/0);
  ExecStatusType status = PQresultStatus(result);
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    PgError error = ErrorFrom(result);
    PQclear(result);
    error.detail = name + ": " + error.detail;
    return error;
  }
  return Rows(result);
}

PgResult<std::vector<Rows>> Connection::ExecutePipelined(std::span<const PipelineStep> steps) {
  // Prepared outside the pipeline (once per connection), so the pipeline only executes.
  for (const PipelineStep& step : steps) {
    if (static_cast<int>(step.params.size()) != step.statement->param_count) {
      return BadResult(std::string(step.statement->name) + ": wrong parameter count");
    }
    WHARF_RETURN_IF_ERROR(Prepare(*step.statement));
  }
  if (PQenterPipelineMode(conn_) != 1) return ServerError(conn_, nullptr);
  std::optional<PgError> error;
  size_t sent = 0;
  for (const PipelineStep& step : steps) {
    std::string name(step.statement->name);
    std::vector<const char*> values(step.params.size());
    std::vector<int> lengths(step.params.size());
    std::vector<int> formats(step.params.size());
    for (size_t i = 0; i < step.params.size(); ++i) {
      values[i] = step.params[i].value ? step.params[i].value->data() : nullptr;
      lengths[i] = step.params[i].value ? static_cast<int>(step.params[i].value->size()) : 0;
      formats[i] = step.params[i].binary ? 1 : 0;
    }
    if (PQsendQueryPrepared(conn_, name.c_str(), static_cast<int>(step.params.size()),
                            values.data(), lengths.data(), formats.data(), 0) != 1) {
      error = ServerError(conn_, nullptr);
      break;
    }
    ++sent;
  }
  // The Sync ends the implicit transaction: commit, or rollback after an error.
  bool synced = PQpipelineSync(conn_) == 1;
  if (!synced && !error) error = ServerError(conn_, nullptr);
  std::vector<Rows> answers;
  answers.reserve(sent);
  // Each step's answer is its result then a NULL; the Sync's is PGRES_PIPELINE_SYNC.
  for (size_t i = 0; i < sent; ++i) {
    PGresult* result = PQgetResult(conn_);
    if (result == nullptr) {
      if (!error) error = BadResult("pipeline: missing result");
      break;
    }
    ExecStatusType status = PQresultStatus(result);
    if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) {
      answers.emplace_back(result);
    } else {
      if (!error && status != PGRES_PIPELINE_ABORTED) {
        error = ErrorFrom(result);
        error->detail = std::string(steps[i].statement->name) + ": " + error->detail;
      }
      PQclear(result);
    }
    while (PGresult* extra = PQgetResult(conn_)) PQclear(extra);  // up to the step's NULL
  }
  // Up to the Sync's answer; a few stray NULLs are tolerated, a broken connection ends it.
  for (int nulls = 0; synced && nulls < 4;) {
    PGresult* result = PQgetResult(conn_);
    if (result == nullptr) {
      if (PQstatus(conn_) != CONNECTION_OK) break;
      ++nulls;
      continue;
    }
    ExecStatusType status = PQresultStatus(result);
    if (status != PGRES_PIPELINE_SYNC && !error) {
      error = ErrorFrom(result);  // the commit at the Sync failed
    }
    PQclear(result);
    if (status == PGRES_PIPELINE_SYNC) break;
  }
  if (PQexitPipelineMode(conn_) != 1 && !error) error = ServerError(conn_, nullptr);
  if (error) return *std::move(error);
  return answers;
}

PgStatus Connection::ExecuteScript(std::string_view constant_sql) {
  std::string sql(constant_sql);
  PGresult* result = PQexec(conn_, sql.c_str());
  ExecStatusType status = PQresultStatus(result);
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    PgError error = ErrorFrom(result);
    PQclear(result);
    return error;
  }
  PQclear(result);
  return {};
}

PgResult<std::vector<Notification>> Connection::TakeNotifications() {
  if (PQconsumeInput(conn_) == 0) return ServerError(conn_, nullptr);
  std::vector<Notification> received;
  while (PGnotify* notify = PQnotifies(conn_)) {
    received.push_back(Notification{notify->relname != nullptr ? notify->relname : "",
                                    notify->extra != nullptr ? notify->extra : ""});
    PQfreemem(notify);
  }
  return received;
}

PgStatus Connection::Commit() {
  PGresult* result = PQexec(conn_, "COMMIT");
  if (PQresultStatus(result) != PGRES_COMMAND_OK) {
    PgError error = ErrorFrom(result);
    PQclear(result);
    return error;
  }
  // COMMIT of a failed transaction "succeeds" with the tag ROLLBACK.
  bool rolled_back = std::string_view(PQcmdStatus(result)) == "ROLLBACK";
  PQclear(result);
  if (rolled_back) return PgError{PgErrorCode::kServer, "25P02", "COMMIT rolled back"};
  return {};
}

// ---- Transaction ----

PgResult<Transaction> Transaction::Begin(Connection& conn) {
  WHARF_RETURN_IF_ERROR(conn.ExecuteScript("BEGIN"));
  return Transaction(conn);
}

Transaction::~Transaction() {
  // A failed rollback leaves the session in an aborted transaction at worst; the server ends
  // it, and the next BEGIN on this connection fails, so the pool drops it.
  if (conn_ != nullptr) conn_->ExecuteScript("ROLLBACK").IgnoreError();
}

PgStatus Transaction::Commit() {
  Connection* conn = std::exchange(conn_, nullptr);
  return conn->Commit();
}

}  // namespace wharf::storage::pg
