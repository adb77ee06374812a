#pragma once

// A queue's settable attributes and identity (sqs-api.md §3), with the validation and rendering
// rules for the attribute maps of CreateQueue, SetQueueAttributes and GetQueueAttributes.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/error.h"
#include "api/visitor.h"
#include "auth/policy/policy_document.h"
#include "sqs/limits.h"

namespace wharf::sqs {

struct RedrivePolicy {
  std::string dead_letter_target_arn;
  int64_t max_receive_count = 10;
};

struct QueueConfig {
  bool fifo = false;
  int64_t delay_seconds = 0;
  int64_t maximum_message_size = 1'048'576;
  int64_t message_retention_period = 345'600;
  int64_t receive_message_wait_time_seconds = 0;
  int64_t visibility_timeout = 30;
  std::optional<std::string> policy;  // as the client set it (returned verbatim)
  // `policy` parsed, for authorization; set together with it.
  std::shared_ptr<const auth::PolicyDocument> policy_document;
  std::optional<RedrivePolicy> redrive_policy;
  std::optional<std::string> redrive_allow_policy;
  std::optional<std::string> kms_master_key_id;
  int64_t kms_data_key_reuse_period_seconds = 300;
  bool sqs_managed_sse_enabled = true;
  bool content_based_deduplication = false;
  std::string deduplication_scope = "queue";
  std::string fifo_throughput_limit = "perQueue";
  int64_t created_timestamp = 0;        // epoch seconds
  int64_t last_modified_timestamp = 0;  // epoch seconds
};

// What a send needs of the configuration: copied on every send instead of the whole
// QueueConfig (strings and policies included). Without SSE-KMS the key is absent, so the copy
// allocates nothing.
struct SendRules {
  bool fifo = false;
  bool content_based_deduplication = false;
  int64_t maximum_message_size = 1'048'576;
  // SSE-KMS (security.md §4.1): the key exactly as configured; absent: bodies are kept in clear
  // (SSE-SQS bodies are sealed by the store itself, like everything else it writes).
  std::optional<std::string> kms_master_key_id;
  int64_t kms_data_key_reuse_period_seconds = 300;
};

inline SendRules SendRulesOf(const QueueConfig& c) {
  return SendRules{c.fifo, c.content_based_deduplication, c.maximum_message_size,
                   c.kms_master_key_id, c.kms_data_key_reuse_period_seconds};
}

// The counters GetQueueAttributes reports, read from the queue's state, and what /metrics adds.
struct QueueCounters {
  int64_t visible = 0;
  int64_t in_flight = 0;
  int64_t delayed = 0;
  // CloudWatch's ApproximateAgeOfOldestMessage: whole seconds since the oldest message still in
  // the queue was sent (for one moved here from another queue, since it was first sent, as its
  // retention counts); 0 for an empty queue.
  int64_t oldest_age_seconds = 0;
  int64_t waiters = 0;  // receivers parked on the queue (long polls)
};

enum class AttributeMode : uint8_t { kCreate, kSet };

// What a RedrivePolicy check needs to know about its dead-letter target: whether it exists for
// the source (same account and region), its type, and whether its RedriveAllowPolicy admits the
// source. nullopt: no such queue for this source.
struct DeadLetterTarget {
  bool fifo = false;
  bool allows_source = true;
};
using QueueTypeLookup = std::function<std::optional<DeadLetterTarget>(std::string_view arn)>;

// Whether a RedriveAllowPolicy (JSON, §3.3) lets `source_arn` use its queue as dead-letter queue.
bool RedriveAllows(std::string_view redrive_allow_policy, std::string_view source_arn);

// Validates `attributes` against `config` and applies them to it; on error `config` is left
// unchanged. For kCreate, `config.fifo` must already reflect FifoQueue.
api::ApiStatus ApplyAttributes(QueueConfig& config, const api::StringPairs& attributes,
                               AttributeMode mode, const Limits& limits,
                               const QueueTypeLookup& lookup);

// The value the queue reports for a settable attribute, or nullopt when it reports none.
std::optional<std::string> ReportedValue(const QueueConfig& config, std::string_view name);

// Renders GetQueueAttributes: `names` may contain "All"; unknown names are an error.
api::ApiResult<api::StringPairs> RenderAttributes(const QueueConfig& config,
                                                  const QueueCounters& counters,
                                                  std::string_view queue_arn,
                                                  const std::vector<std::string>& names);

// Whether `given` (a value from a CreateQueue request) equals the queue's current value of
// `name`, compared the way CreateQueue's idempotency check compares (sqs-api.md §2.1).
bool AttributeMatches(const QueueConfig& config, std::string_view name, std::string_view given);

std::string SerializeRedrivePolicy(const RedrivePolicy& policy);

// A queue policy (security.md §2.8): a resource policy within SQS's quotas. The error is
// InvalidAttributeValue as SetQueueAttributes reports it.
api::ApiResult<std::shared_ptr<const auth::PolicyDocument>> ParseQueuePolicy(std::string_view text);

}  // namespace wharf::sqs
