#include "sqs/pg/pg_catalog.h"

#include <limits>
#include <utility>

#include "common/log.h"
#include "sqs/engine/queue_registry.h"  // PartitionOf

namespace wharf::sqs::pg {
namespace {

api::ApiError DatabaseError(std::string_view what, const storage::pg::PgError& error) {
  log::Line(log::Level::kWarn, "pg_catalog_failed").Str("op", what).Str("detail", error.detail);
  return api::Error(api::ErrorCode::kInternalFailure);
}

// The first setting of `config` (or tags) the queue row cannot hold yet, or empty.
std::string Unstorable(const QueueConfig& config, const api::StringPairs& tags) {
  const QueueConfig defaults;
  if (config.fifo) return "FifoQueue";
  if (config.policy) return "Policy";
  if (config.redrive_policy) return "RedrivePolicy";
  if (config.redrive_allow_policy) return "RedriveAllowPolicy";
  if (config.kms_master_key_id) return "KmsMasterKeyId";
  if (config.kms_data_key_reuse_period_seconds != defaults.kms_data_key_reuse_period_seconds) {
    return "KmsDataKeyReusePeriodSeconds";
  }
  if (config.sqs_managed_sse_enabled != defaults.sqs_managed_sse_enabled) {
    return "SqsManagedSseEnabled";
  }
  if (config.maximum_message_size != defaults.maximum_message_size) return "MaximumMessageSize";
  if (config.receive_message_wait_time_seconds != defaults.receive_message_wait_time_seconds) {
    return "ReceiveMessageWaitTimeSeconds";
  }
  if (!tags.empty()) return "tags";
  return {};
}

}  // namespace

PgCatalog::PgCatalog(PgBackend backend, std::string region)
    : backend_(backend), ops_(backend.ops), region_(std::move(region)) {}

std::string PgCatalog::ArnOf(std::string_view account, std::string_view name) const {
  std::string arn = "arn:";
  arn.append(PartitionOf(region_));
  arn.append(":sqs:");
  arn.append(region_);
  arn.push_back(':');
  arn.append(account);
  arn.push_back(':');
  arn.append(name);
  return arn;
}

std::shared_ptr<PgQueue> PgCatalog::FromRow(const storage::pg::QueueRow& row) const {
  QueueIdentity identity;
  identity.id = static_cast<uint64_t>(row.queue_id);
  identity.account_id = row.config.account;
  identity.name = row.config.name;
  identity.arn = ArnOf(row.config.account, row.config.name);
  identity.fifo = row.config.fifo;
  QueueConfig config;
  config.fifo = row.config.fifo;
  config.visibility_timeout = row.config.visibility_s;
  config.delay_seconds = row.config.delay_s;
  config.message_retention_period = row.config.retention_s;
  // created_timestamp / last_modified_timestamp: the row has no such columns yet (0).
  return std::make_shared<PgQueue>(std::move(identity), std::move(config), backend_);
}

std::shared_ptr<QueueBackend> PgCatalog::Find(std::string_view account,
                                              std::string_view name) const {
  auto row = ops_.GetQueue(std::string(account), std::string(name));
  if (!row.ok()) {
    DatabaseError("find", row.error());
    return nullptr;
  }
  if (!row->has_value()) return nullptr;
  return FromRow(**row);
}

std::shared_ptr<QueueBackend> PgCatalog::FindByArn(std::string_view arn) const {
  // arn:<partition>:sqs:<region>:<account>:<name>, as QueueRegistry parses it.
  std::string_view parts[6];
  size_t start = 0;
  for (int i = 0; i < 6; ++i) {
    size_t colon = i < 5 ? arn.find(':', start) : std::string_view::npos;
    if (i < 5 && colon == std::string_view::npos) return nullptr;
    parts[i] = arn.substr(start, colon - start);
    start = colon + 1;
  }
  if (parts[0] != "arn" || parts[1] != PartitionOf(region_) || parts[2] != "sqs" ||
      parts[3] != region_) {
    return nullptr;
  }
  return Find(parts[4], parts[5]);
}

void PgCatalog::Create(const std::string& account, const std::string& name, QueueConfig config,
                       api::StringPairs tags, const api::StringPairs& given, CreateDone done) {
  done(CreateRow(account, name, std::move(config), std::move(tags), given));
}

api::ApiResult<QueueCatalog::Created> PgCatalog::CreateRow(const std::string& account,
                                                           const std::string& name,
                                                           QueueConfig config,
                                                           const api::StringPairs& tags,
                                                           const api::StringPairs& given) {
  if (std::string unstorable = Unstorable(config, tags); !unstorable.empty()) {
    return api::Error(api::ErrorCode::kUnsupportedOperation,
                      unstorable + " is not supported by the PostgreSQL backend yet");
  }
  storage::pg::QueueConfig row;
  row.account = account;
  row.name = name;
  row.fifo = false;
  row.visibility_s = static_cast<int>(config.visibility_timeout);
  row.delay_s = static_cast<int>(config.delay_seconds);
  row.retention_s = static_cast<int>(config.message_retention_period);
  auto created = ops_.CreateQueue(row);
  if (!created.ok()) return DatabaseError("create", created.error());
  if (created->created) {
    return Created{FromRow(storage::pg::QueueRow{created->queue_id, std::move(row)}), true};
  }
  // Another create (on any node) got there first: compare with the stored row, not `config`.
  std::shared_ptr<QueueBackend> existing = Find(account, name);
  if (existing == nullptr) {
    // Deleted between the create and this read; the caller's retry creates it again.
    return api::Error(api::ErrorCode::kInternalFailure);
  }
  const QueueConfig current = existing->config();
  for (const auto& [attr, value] : given) {
    if (!AttributeMatches(current, attr, value)) {
      return api::Error(api::ErrorCode::kQueueNameExists,
                        "A queue already exists with the same name and a different value for "
                        "attribute " +
                            attr);
    }
  }
  return Created{std::move(existing), false};
}

api::ApiStatus PgCatalog::Delete(const QueueBackend& queue) {
  auto deleted = ops_.DeleteQueue(static_cast<int64_t>(queue.identity().id));
  if (!deleted.ok()) return DatabaseError("delete", deleted.error());
  if (!*deleted) return api::Error(api::ErrorCode::kQueueDoesNotExist);
  return api::ApiStatus::Ok();
}

void PgCatalog::Remove(const std::shared_ptr<QueueBackend>& queue, Done done) {
  api::ApiStatus status = Delete(*queue);
  // Gone already: another node's (or request's) delete did what this one asked for.
  if (!status.ok() && status.error().code == api::ErrorCode::kQueueDoesNotExist) {
    status = api::ApiStatus::Ok();
  }
  done(std::move(status));
}

std::vector<std::shared_ptr<QueueBackend>> PgCatalog::List(std::string_view account,
                                                           std::string_view prefix,
                                                           std::string_view after,
                                                           size_t limit) const {
  std::vector<std::shared_ptr<QueueBackend>> out;
  const auto bounded =
      static_cast<int64_t>(std::min<size_t>(limit, std::numeric_limits<int32_t>::max()));
  auto rows =
      ops_.ListQueues(std::string(account), std::string(prefix), std::string(after), bounded);
  if (!rows.ok()) {
    DatabaseError("list", rows.error());
    return out;
  }
  out.reserve(rows->size());
  for (const storage::pg::QueueRow& row : *rows) out.push_back(FromRow(row));
  return out;
}

std::vector<std::shared_ptr<QueueBackend>> PgCatalog::All() const {
  log::Line(log::Level::kWarn, "pg_catalog_all_not_implemented");
  return {};
}

}  // namespace wharf::sqs::pg
