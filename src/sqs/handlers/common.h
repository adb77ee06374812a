#pragma once

// Pieces several handlers share: name and tag rules, batch-shape rules, and adapters from engine
// completions to replies.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/error.h"
#include "api/handler_table.h"
#include "api/sqs/actions.h"
#include "sqs/engine/storage_errors.h"
#include "sqs/limits.h"
#include "sqs/queue_backend.h"

namespace wharf::sqs {

// A Done that answers an action without output.
inline Done AnswerEmpty(api::Reply<api::sqs::Empty> reply) {
  return [reply = std::move(reply)](api::ApiStatus status) {
    if (status.ok()) {
      reply.Ok({});
    } else {
      reply.Fail(std::move(status).error());
    }
  };
}

// Queue names: 1–80 of [A-Za-z0-9_-], FIFO names end in ".fifo" within the 80 (§5.2).
api::ApiStatus ValidateQueueName(std::string_view name, bool fifo, int64_t max_length);

// Tag keys 1–128 characters not starting with "aws:", values 0–256 characters (§2.22).
api::ApiStatus ValidateTags(const api::StringPairs& tags);

// Whole-request rules of the three batch actions (§5.16): 1–10 entries, ids well-formed and
// distinct. `entry_name` is e.g. "SendMessageBatchRequestEntry".
api::ApiStatus ValidateBatch(const std::vector<const std::optional<std::string>*>& ids,
                             std::string_view entry_name, int64_t max_entries);

template <typename Entry>
std::vector<const std::optional<std::string>*> IdsOf(const std::vector<Entry>& entries) {
  std::vector<const std::optional<std::string>*> ids;
  ids.reserve(entries.size());
  for (const Entry& e : entries) ids.push_back(&e.id);
  return ids;
}

// arn:<partition>:<service>:<region>:<account-id>:<resource-id>, loosely (format errors only).
bool LooksLikeArn(std::string_view arn);

// A per-entry failure as BatchResultErrorEntry reports it: the Query-style code in both
// protocols (§2.8).
api::sqs::BatchResultErrorEntry FailedEntry(std::string id, const api::ApiError& error);

// ChangeMessageVisibility's timeout: present and within 0–43200 seconds.
api::ApiStatus ValidateVisibilityTimeout(const std::optional<int64_t>& timeout,
                                         const Limits& limits);

// "Value <v> for parameter <name> is invalid. Reason: <reason>"
api::ApiError InvalidParameterValue(std::string_view value, std::string_view name,
                                    std::string_view reason);

}  // namespace wharf::sqs
