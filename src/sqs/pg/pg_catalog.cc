#include "sqs/pg/pg_catalog.h"

#include <chrono>
#include <limits>
#include <utility>

#include "common/log.h"
#include "sqs/pg/dead_letter_target.h"
#include "sqs/pg/queue_row_codec.h"
#include "sqs/queue_arn.h"

namespace wharf::sqs::pg {
namespace {

// Logged; 503 when the database could not be reached (clients retry), else 500 (FromPgError).
api::ApiError DatabaseError(std::string_view what, const storage::pg::PgError& error) {
  return FromPgError(what, error);
}

}  // namespace

PgCatalog::PgCatalog(PgBackend backend, std::string region)
    : backend_(WithChangeHook(std::move(backend))),
      ops_(backend_.ops),
      region_(std::move(region)),
      cache_(ops_, [this](const storage::pg::QueueRow& row, std::shared_ptr<QueueMetrics> metrics) {
        return FromRow(row, std::move(metrics));
      }) {}

PgCatalog::~PgCatalog() { refresher_.Stop(); }

PgBackend PgCatalog::WithChangeHook(PgBackend backend) {
  backend.queue_changed = [this](int64_t queue_id) {
    if (storage::pg::PgStatus reloaded = cache_.Reload(queue_id); !reloaded.ok()) {
      // The periodic refresh will read it.
      DatabaseError("reload", reloaded.error());
    }
  };
  if (backend.data_keys == nullptr) backend.data_keys = std::make_shared<PgDataKeys>(backend.clock);
  return backend;
}

void PgCatalog::StartRefreshing(std::chrono::milliseconds interval) {
  if (storage::pg::PgStatus first = cache_.Refresh(); !first.ok()) {
    DatabaseError("refresh", first.error());
  }
  refresher_.Start("wharf-pg-catalog", interval, [this] {
    if (storage::pg::PgStatus refreshed = cache_.Refresh(); !refreshed.ok()) {
      DatabaseError("refresh", refreshed.error());
    }
  });
}

std::string PgCatalog::ArnOf(std::string_view account, std::string_view name) const {
  return QueueArnOf(region_, account, name);
}

std::shared_ptr<PgQueue> PgCatalog::FromRow(const storage::pg::QueueRow& row,
                                            std::shared_ptr<QueueMetrics> metrics) const {
  QueueRowContent content = DecodeQueueRow(row);
  QueueIdentity identity;
  identity.id = static_cast<uint64_t>(row.queue_id);
  identity.account_id = row.config.account;
  identity.name = row.config.name;
  identity.arn = ArnOf(row.config.account, row.config.name);
  identity.fifo = row.config.fifo;
  identity.dedup_by_group = content.dedup_by_group;
  return std::make_shared<PgQueue>(std::move(identity), std::move(content.config),
                                   std::move(content.tags), backend_, std::move(metrics));
}

std::shared_ptr<QueueBackend> PgCatalog::Find(std::string_view account,
                                              std::string_view name) const {
  auto found = Lookup(account, name);
  return found.ok() ? std::move(found).value() : nullptr;
}

api::ApiResult<std::shared_ptr<QueueBackend>> PgCatalog::Lookup(std::string_view account,
                                                                std::string_view name) const {
  if (auto cached = cache_.Find(account, name)) return std::shared_ptr<QueueBackend>(cached);
  // Not cached: none, or made on another node since the last refresh. A read of the database
  // (on the caller's thread: rare, and the row is cached after it).
  auto row = ops_.GetQueue(std::string(account), std::string(name));
  if (!row.ok()) return FromPgError("find", row.error());
  if (!row->has_value()) return std::shared_ptr<QueueBackend>();
  return std::shared_ptr<QueueBackend>(cache_.Put(**row));
}

std::shared_ptr<QueueBackend> PgCatalog::FindByArn(std::string_view arn) const {
  auto parsed = ParseQueueArnIn(region_, arn);
  return parsed ? Find(parsed->account, parsed->name) : nullptr;
}

void PgCatalog::Create(const std::string& account, const std::string& name, QueueConfig config,
                       api::StringPairs tags, const api::StringPairs& given, CreateDone done) {
  if (backend_.workers.OnThisPool()) {
    return done(CreateRow(account, name, std::move(config), std::move(tags), given));
  }
  // Several statements: not on an I/O thread. The pool drains its queue before the catalog goes.
  backend_.workers.Post([this, account, name, config = std::move(config), tags = std::move(tags),
                         given, done = std::move(done)]() mutable {
    done(CreateRow(account, name, std::move(config), std::move(tags), given));
  });
}

api::ApiResult<QueueCatalog::Created> PgCatalog::CreateRow(const std::string& account,
                                                           const std::string& name,
                                                           QueueConfig config,
                                                           const api::StringPairs& tags,
                                                           const api::StringPairs& given) {
  QueueRowContent content;
  // Fixed for the queue's life, as QueueRegistry fixes it.
  content.dedup_by_group = config.fifo && config.deduplication_scope == "messageGroup";
  content.config = std::move(config);
  content.tags = tags;
  storage::pg::QueueConfig row = EncodeQueueRow(account, name, content);
  if (const auto& redrive = content.config.redrive_policy) {
    auto dlq_id = ResolveDeadLetterQueue(ops_, *redrive, given, content.config.fifo);
    if (!dlq_id.ok()) return std::move(dlq_id).error();
    row.dlq_id = *dlq_id;
  }
  const std::chrono::seconds window(backend_.limits.recreate_after_delete_seconds);
  auto created = ops_.CreateQueue(row, window);
  if (!created.ok()) return DatabaseError("create", created.error());
  if (created->deleted_recently) return api::Error(api::ErrorCode::kQueueDeletedRecently);
  if (created->created) {
    // Read back for what the database set: the timestamps (its clock, as every node sees them).
    auto stored = ops_.GetQueueById(created->queue_id);
    if (!stored.ok()) return DatabaseError("create", stored.error());
    // Deleted (by another request) as soon as it was made: the caller's retry creates it again.
    if (!stored->has_value()) return api::Error(api::ErrorCode::kInternalFailure);
    return Created{cache_.Put(**stored), true};
  }
  // Another create (on any node) got there first: compare with the stored row (read now, not
  // the cached one, which may be older), not `config`.
  auto stored = ops_.GetQueue(account, name);
  if (!stored.ok()) return DatabaseError("create", stored.error());
  if (!stored->has_value()) {
    // Deleted between the create and this read; the caller's retry creates it again.
    return api::Error(api::ErrorCode::kInternalFailure);
  }
  std::shared_ptr<QueueBackend> existing = cache_.Put(**stored);
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
  if (!backend_.workers.OnThisPool()) {
    backend_.workers.Post(
        [this, queue, done = std::move(done)]() mutable { Remove(queue, std::move(done)); });
    return;
  }
  api::ApiStatus status = Delete(*queue);
  if (status.ok() || status.error().code == api::ErrorCode::kQueueDoesNotExist) {
    cache_.Erase(static_cast<int64_t>(queue->identity().id));
  }
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
  for (const storage::pg::QueueRow& row : *rows) out.push_back(cache_.Put(row));
  return out;
}

std::vector<std::shared_ptr<QueueBackend>> PgCatalog::All() const { return cache_.All(); }

}  // namespace wharf::sqs::pg
