#include "sqs/pg/queue_row_codec.h"

#include <simdjson.h>

#include <array>
#include <limits>
#include <utility>

#include "common/log.h"
#include "protocol/escape.h"

namespace wharf::sqs::pg {
namespace {

constexpr std::string_view kDedupByGroupKey = "wharf:dedupByGroup";

// The attributes attrs_json holds, as ReportedValue renders them. The queue type and the
// attributes with columns of their own are not among them; KmsDataKeyReusePeriodSeconds is
// written apart (ReportedValue hides it while no KMS key is set, but the engine keeps it).
constexpr std::array<std::string_view, 10> kReportedInAttrs = {
    "MaximumMessageSize",
    "ReceiveMessageWaitTimeSeconds",
    "Policy",
    "RedrivePolicy",
    "RedriveAllowPolicy",
    "KmsMasterKeyId",
    "SqsManagedSseEnabled",
    "ContentBasedDeduplication",
    "DeduplicationScope",
    "FifoThroughputLimit",
};

// Stored values were checked against the limits of the node that wrote them; reading one back
// checks its form only, so a node with other limits still reads every queue.
Limits AnyStoredValue() {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  Limits limits;
  limits.min_message_size = 0;
  limits.max_message_size = kMax;
  limits.max_delay_seconds = kMax;
  limits.max_visibility_timeout = kMax;
  limits.max_wait_time_seconds = kMax;
  limits.min_retention_seconds = 0;
  limits.max_retention_seconds = kMax;
  return limits;
}

api::StringPairs DecodeStringMap(std::string_view json, int64_t queue_id, std::string_view what) {
  api::StringPairs out;
  simdjson::dom::parser parser;
  simdjson::dom::object object;
  if (parser.parse(json.data(), json.size()).get(object) != simdjson::SUCCESS) {
    // The column's check constraint makes this unreachable short of a hand-edited row.
    log::Line(log::Level::kError, "pg_queue_row_unreadable")
        .Int("queue_id", queue_id)
        .Str("column", what);
    return out;
  }
  for (auto field : object) {
    std::string_view value;
    if (field.value.get(value) != simdjson::SUCCESS) continue;  // the same check: only strings
    out.emplace_back(std::string(field.key), std::string(value));
  }
  return out;
}

}  // namespace

std::string EncodeStringMap(const api::StringPairs& pairs) {
  std::string out = "{";
  for (const auto& [key, value] : pairs) {
    if (out.size() > 1) out.push_back(',');
    out.push_back('"');
    protocol::AppendJsonEscaped(out, key);
    out.append("\":\"");
    protocol::AppendJsonEscaped(out, value);
    out.push_back('"');
  }
  out.push_back('}');
  return out;
}

storage::pg::QueueConfig EncodeQueueRow(const std::string& account, const std::string& name,
                                        const QueueRowContent& content) {
  const QueueConfig& config = content.config;
  storage::pg::QueueConfig row;
  row.account = account;
  row.name = name;
  row.fifo = config.fifo;
  // Within int: the engine's limits bound them far below (43200, 900, 1209600 seconds).
  row.visibility_s = static_cast<int>(config.visibility_timeout);
  row.delay_s = static_cast<int>(config.delay_seconds);
  row.retention_s = static_cast<int>(config.message_retention_period);
  if (config.redrive_policy) {
    row.max_receive = static_cast<int>(config.redrive_policy->max_receive_count);
  }
  api::StringPairs attrs;
  for (std::string_view attr : kReportedInAttrs) {
    if (auto value = ReportedValue(config, attr)) attrs.emplace_back(attr, std::move(*value));
  }
  attrs.emplace_back("KmsDataKeyReusePeriodSeconds",
                     std::to_string(config.kms_data_key_reuse_period_seconds));
  if (content.dedup_by_group) attrs.emplace_back(kDedupByGroupKey, "true");
  row.attrs_json = EncodeStringMap(attrs);
  row.tags_json = EncodeStringMap(content.tags);
  return row;
}

QueueRowContent DecodeQueueRow(const storage::pg::QueueRow& row) {
  QueueRowContent out;
  QueueConfig& config = out.config;
  config.fifo = row.config.fifo;
  config.visibility_timeout = row.config.visibility_s;
  config.delay_seconds = row.config.delay_s;
  config.message_retention_period = row.config.retention_s;
  config.created_timestamp = row.created_at;
  config.last_modified_timestamp = row.modified_at;

  api::StringPairs attrs = DecodeStringMap(row.config.attrs_json, row.queue_id, "attrs");
  std::erase_if(attrs, [&](const auto& attr) {
    if (attr.first != kDedupByGroupKey) return false;
    out.dedup_by_group = attr.second == "true";
    return true;
  });
  // The dead-letter queue's existence was checked when the policy was set (as AttributeMatches
  // reads a stored policy back): only the value is read here.
  const QueueTypeLookup as_stored = [fifo = config.fifo](std::string_view) {
    return std::optional<DeadLetterTarget>(DeadLetterTarget{fifo, true});
  };
  const Limits limits = AnyStoredValue();
  if (!ApplyAttributes(config, attrs, AttributeMode::kCreate, limits, as_stored).ok()) {
    // One at a time, so one unreadable attribute costs only itself.
    for (const auto& attr : attrs) {
      api::ApiStatus applied =
          ApplyAttributes(config, {attr}, AttributeMode::kCreate, limits, as_stored);
      if (!applied.ok()) {
        log::Line(log::Level::kError, "pg_queue_attribute_unreadable")
            .Int("queue_id", row.queue_id)
            .Str("attribute", attr.first)
            .Str("detail", applied.error().message);
      }
    }
  }
  out.tags = DecodeStringMap(row.config.tags_json, row.queue_id, "tags");
  return out;
}

}  // namespace wharf::sqs::pg
