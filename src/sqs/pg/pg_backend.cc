#include "sqs/pg/pg_backend.h"

#include <string>

#include "common/log.h"

namespace wharf::sqs::pg {

api::ApiError BeyondVisibilityCap(int64_t timeout_seconds) {
  return api::Error(api::ErrorCode::kInvalidParameterValue,
                    "Value " + std::to_string(timeout_seconds) +
                        " for parameter VisibilityTimeout is invalid. Reason: Total "
                        "VisibilityTimeout for the message is beyond the limit [43200 seconds].");
}

api::ApiError FromPgError(std::string_view operation, const storage::pg::PgError& error) {
  using storage::pg::PgErrorCode;
  switch (error.code) {
    case PgErrorCode::kNotFound:
      return api::Error(api::ErrorCode::kQueueDoesNotExist);
    case PgErrorCode::kConnect:
    case PgErrorCode::kConnection:
    case PgErrorCode::kPoolTimeout:
      log::Line(log::Level::kWarn, "pg_unavailable")
          .Str("op", operation)
          .Str("detail", error.detail);
      return api::Error(api::ErrorCode::kServiceUnavailable);
    case PgErrorCode::kServer:
      log::Line(log::Level::kWarn, "pg_failed")
          .Str("op", operation)
          .Str("sqlstate", error.sqlstate)
          .Str("detail", error.detail);
      // A cancelled statement (statement_timeout) or a deadlock victim changed nothing.
      if (error.sqlstate == storage::pg::kSqlStateQueryCanceled ||
          error.sqlstate == storage::pg::kSqlStateDeadlock) {
        return api::Error(api::ErrorCode::kServiceUnavailable);
      }
      return api::Error(api::ErrorCode::kInternalFailure);
    case PgErrorCode::kBadResult:
      break;
  }
  log::Line(log::Level::kError, "pg_bad_result").Str("op", operation).Str("detail", error.detail);
  return api::Error(api::ErrorCode::kInternalFailure);
}

}  // namespace wharf::sqs::pg
