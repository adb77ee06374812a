#pragma once

// The request log (--request-log on): one line per answered request, event "request", with the
// request id, action, the resource it named (queue, topic, key or user), HTTP status, error code,
// latency, principal and peer address. Never a secret: no signature, no security token, no
// message body, no attribute values (the access key id is named, as CloudTrail does: it
// identifies, it does not authenticate). Off by default: a
// line per request costs more than some requests do (docs/benchmarks.md has no figures with it).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "api/error.h"
#include "api/handler_table.h"
#include "api/request_context.h"

namespace wharf::server {

void EnableRequestLog(bool on);
bool RequestLogEnabled();

// The resource a decoded input names, for the log: the queue name of a QueueUrl (its last path
// segment), a QueueName, TopicArn, SubscriptionArn, ResourceArn, KeyId, UserName or RoleName; ""
// when it names none. Top-level members only.
std::string ResourceOf(api::Shape input);

struct RequestOutcome {
  std::optional<api::Action> action;  // none: refused before the action was known
  uint16_t status = 0;
  std::optional<api::ErrorCode> error;
  std::chrono::steady_clock::duration latency{};
};

// Writes the line if the request log is on (and the log level admits info).
void LogRequest(const api::RequestContext& context, std::string_view resource,
                const RequestOutcome& outcome);

}  // namespace wharf::server
