#pragma once

// Errors of the PostgreSQL backend, as values. Every failure that comes from the server carries
// its SQLSTATE (e.g. "40001" serialization failure, "57014" statement timeout, "23505" unique
// violation), so callers decide on retries by code, not by parsing messages.

#include <string>
#include <string_view>

#include "common/result.h"

namespace wharf::storage::pg {

enum class PgErrorCode : uint8_t {
  kConnect,      // could not connect, or the session settings were refused
  kConnection,   // the connection broke during a call; the pool drops it
  kServer,       // the server answered with an error; `sqlstate` says which
  kPoolTimeout,  // no connection became free before the deadline
  kBadResult,    // the server answered with a shape this code does not expect (a bug)
  kNotFound,     // the queue (or other named row) does not exist
};

struct PgError {
  PgErrorCode code;
  std::string sqlstate;  // five characters for kServer, empty otherwise
  std::string detail;    // for logs only; never sent to clients
};

using PgStatus = Status<PgError>;
template <typename T>
using PgResult = Result<T, PgError>;

// SQLSTATEs the backend reacts to.
inline constexpr std::string_view kSqlStateUniqueViolation = "23505";
inline constexpr std::string_view kSqlStateDuplicateTable = "42P07";
inline constexpr std::string_view kSqlStateDeadlock = "40P01";
inline constexpr std::string_view kSqlStateQueryCanceled = "57014";  // statement_timeout too

}  // namespace wharf::storage::pg
