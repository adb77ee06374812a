#include "sqs/service.h"

#include <unordered_map>

#include "auth/policy/sqs_permissions.h"
#include "sqs/engine/records.h"

namespace wharf::sqs {

api::ApiError MissingParameter(std::string_view name) {
  return api::Error(api::ErrorCode::kMissingParameter,
                    "The request must contain the parameter " + std::string(name) + ".");
}

SqsService::SqsService(const Clock& clock, Scheduler& scheduler, storage::Store& store,
                       ServiceOptions options)
    : clock_(clock),
      store_(store),
      options_(std::move(options)),
      budget_(options_.body_memory_bytes > 0 ? options_.body_memory_bytes : INT64_MAX),
      encryption_(options_.key_service,
                  options_.key_cache_clock ? *options_.key_cache_clock : clock_, clock_),
      registry_(QueueDeps{&clock_, &scheduler, &store_, &options_.limits, &budget_, nullptr,
                          &encryption_},
                options_.region),
      catalog_(options_.catalog != nullptr ? *options_.catalog : registry_),
      move_tasks_(clock_, scheduler, store_, catalog_, options_.move_tasks_shared) {}

bool SqsService::IsDeadLetterQueue(std::string_view arn, std::string_view account) {
  for (const auto& queue : catalog_.All()) {
    if (queue->identity().account_id != account) continue;
    const QueueConfig config = queue->config();
    if (config.redrive_policy && config.redrive_policy->dead_letter_target_arn == arn) return true;
  }
  return false;
}

api::ApiResult<std::shared_ptr<QueueBackend>> SqsService::ResolveQueue(
    const api::RequestContext& ctx, const std::optional<std::string>& queue_url) {
  if (!queue_url || queue_url->empty()) return MissingParameter("QueueUrl");
  std::string_view url = *queue_url;
  // Drop scheme and host: only the path names the queue.
  if (size_t scheme = url.find("://"); scheme != std::string_view::npos) {
    size_t path = url.find('/', scheme + 3);
    url = path == std::string_view::npos ? std::string_view() : url.substr(path);
  }
  while (!url.empty() && url.back() == '/') url.remove_suffix(1);
  std::string_view account = ctx.account_id;
  std::string_view name = url;
  if (size_t slash = url.rfind('/'); slash != std::string_view::npos) {
    name = url.substr(slash + 1);
    std::string_view head = url.substr(0, slash);
    size_t prev = head.rfind('/');
    account = prev == std::string_view::npos ? head : head.substr(prev + 1);
  }
  return ResolveQueueByName(ctx, account, name);
}

api::ApiResult<std::shared_ptr<QueueBackend>> SqsService::ResolveQueueByName(
    const api::RequestContext& ctx, std::string_view account, std::string_view name) {
  std::shared_ptr<QueueBackend> queue;
  if (!name.empty() && !account.empty()) {
    auto found = catalog_.Lookup(account, name);
    if (!found.ok()) return std::move(found).error();
    queue = std::move(found).value();
  }
  if (!queue && !name.empty() && account == ctx.account_id) queue = CreateOnFirstUse(ctx, name);
  if (!queue) {
    if (account == ctx.account_id) return api::Error(api::ErrorCode::kQueueDoesNotExist);
    // Another account's queue that does not exist is denied like one that does, with the
    // same message (no queue, so no policy grants anything): existence is not revealed.
    WHARF_RETURN_IF_ERROR(Authorize(ctx, catalog_.ArnOf(account, name), account, nullptr));
    return api::Error(api::ErrorCode::kAccessDenied);
  }
  WHARF_RETURN_IF_ERROR(Authorize(ctx, queue->identity().arn, account, queue.get()));
  return queue;
}

api::ApiStatus SqsService::Authorize(const api::RequestContext& ctx, std::string_view resource,
                                     std::string_view resource_account, const QueueBackend* queue) {
  return AuthorizeAction(ctx, auth::SqsPermissionFor(ctx.action).iam_action, resource,
                         resource_account, queue);
}

api::ApiStatus SqsService::AuthorizeAction(const api::RequestContext& ctx,
                                           std::string_view iam_action, std::string_view resource,
                                           std::string_view resource_account,
                                           const QueueBackend* queue) {
  if (options_.authorizer == nullptr) {
    // No policies: callers reach their own account's queues only.
    if (resource != "*" && resource_account != ctx.account_id) {
      return api::Error(api::ErrorCode::kAccessDenied);
    }
    return {};
  }
  const std::shared_ptr<const auth::PolicyDocument> policy = queue ? queue->policy() : nullptr;
  auth::ResourceAccess access;
  access.action = iam_action;
  access.resource = resource;
  access.resource_account = resource_account;
  access.resource_policy = policy.get();
  access.resource_policy_name = "queue policy";
  return options_.authorizer->Authorize(ctx, access);
}

std::string SqsService::QueueUrlOf(const api::RequestContext& ctx,
                                   const QueueBackend& queue) const {
  return QueueUrlOf(ctx, queue.identity().account_id, queue.identity().name);
}

std::string SqsService::QueueUrlOf(const api::RequestContext& ctx, std::string_view account,
                                   std::string_view name) const {
  std::string url = ctx.base_url;
  url.push_back('/');
  url.append(account);
  url.push_back('/');
  url.append(name);
  return url;
}

namespace {

// SSE-KMS data-key records by queue id, read before the queues (keyed objects).
using DataKeysByQueue =
    std::unordered_map<uint64_t, std::vector<std::shared_ptr<const DataKeyRecord>>>;

class Rebuilder final : public storage::RecoveryVisitor {
 public:
  Rebuilder(QueueRegistry& registry, MoveTasks& tasks, DataKeysByQueue data_keys, MonoTime now)
      : registry_(registry), tasks_(tasks), data_keys_(std::move(data_keys)), now_(now) {}

  void Queue(uint64_t queue_id, std::string_view payload) override {
    if (!error_.empty()) return;
    auto record = DecodeQueueRecord(payload);
    if (!record) {
      error_ = "unreadable queue record " + std::to_string(queue_id);
      return;
    }
    std::shared_ptr<sqs::Queue> queue =
        registry_.Restore(queue_id, record->account_id, record->name, record->dedup_by_group,
                          std::move(record->config), std::move(record->tags));
    if (record->seq_floor != 0) queue->RestoreSeqFloor(record->seq_floor);
    if (auto keys = data_keys_.find(queue_id); keys != data_keys_.end()) {
      for (auto& key : keys->second) queue->data_keys().Restore(std::move(key), now_);
      data_keys_.erase(keys);
    }
    queues_[queue_id] = std::move(queue);
    ++stats_.queues;
  }

  void Message(uint64_t queue_id, uint64_t seq, std::string_view message,
               std::string_view state) override {
    if (!error_.empty()) return;
    auto queue = queues_.find(queue_id);
    if (queue == queues_.end()) return;  // left behind by a deleted queue; nothing to serve
    auto record = DecodeMessageRecord(message);
    if (!record) {
      error_ = "unreadable message record " + std::to_string(queue_id) + "/" + std::to_string(seq);
      return;
    }
    std::optional<StateRecord> decoded_state;
    if (!state.empty()) {
      decoded_state = DecodeStateRecord(state);
      if (!decoded_state) {
        error_ = "unreadable state record " + std::to_string(queue_id) + "/" + std::to_string(seq);
        return;
      }
    }
    // A sealed body needs its data key's record: without it the message could never be read.
    if (record->content.data_key_id != 0 &&
        !queue->second->data_keys().Pin(record->content.data_key_id)) {
      error_ = "message " + std::to_string(queue_id) + "/" + std::to_string(seq) +
               " refers to a missing SSE-KMS data key record";
      return;
    }
    queue->second->Restore(seq, std::make_shared<MessageContent>(std::move(record->content)),
                           record->visible_at_millis, decoded_state ? &*decoded_state : nullptr);
    ++stats_.messages;
  }

  void Dedup(uint64_t queue_id, std::string_view key, std::string_view payload) override {
    if (!error_.empty()) return;
    auto queue = queues_.find(queue_id);
    if (queue == queues_.end()) return;
    auto entry = DecodeDedupRecord(payload);
    if (!entry) {
      error_ = "unreadable deduplication record of queue " + std::to_string(queue_id);
      return;
    }
    queue->second->RestoreDedup(std::string(key), std::move(*entry));
  }

  void Task(std::string_view, std::string_view payload) override { tasks_.Restore(payload); }

  // After the store's scan: each queue sorts its deduplication entries into its window.
  void Finish() {
    for (auto& [id, queue] : queues_) queue->FinishRestore();
  }

  const std::string& error() const { return error_; }
  const SqsService::RecoveryStats& stats() const { return stats_; }
  // Records of queues that no longer exist (their deletion's object deletes were lost).
  const DataKeysByQueue& orphan_data_keys() const { return data_keys_; }

 private:
  QueueRegistry& registry_;
  MoveTasks& tasks_;
  DataKeysByQueue data_keys_;
  const MonoTime now_;
  std::unordered_map<uint64_t, std::shared_ptr<sqs::Queue>> queues_;
  SqsService::RecoveryStats stats_;
  std::string error_;
};

}  // namespace

Result<SqsService::RecoveryStats, std::string> SqsService::Recover() {
  DataKeysByQueue data_keys;
  std::string bad_key;
  storage::StorageStatus scanned =
      store_.ScanObjects(kDataKeyObjectPrefix, [&](std::string_view key, std::string_view value) {
        auto ids = ParseDataKeyObjectKey(key);
        auto record = DecodeDataKeyRecord(value);
        if (!ids || !record || record->id != ids->second) {
          if (bad_key.empty()) bad_key = std::string(key);
          return;
        }
        data_keys[ids->first].push_back(std::make_shared<const DataKeyRecord>(std::move(*record)));
      });
  if (!scanned.ok()) return "storage: " + scanned.error().detail;
  if (!bad_key.empty()) return "unreadable SSE-KMS data key record " + bad_key;
  Rebuilder rebuilder(registry_, move_tasks_, std::move(data_keys), clock_.Now());
  storage::StorageStatus status = store_.Recover(rebuilder);
  if (!status.ok()) return "storage: " + status.error().detail;
  if (!rebuilder.error().empty()) return rebuilder.error();
  rebuilder.Finish();
  // Data keys of queues that are gone: nothing can refer to them any more.
  std::vector<storage::Record> orphans;
  for (const auto& [queue_id, records] : rebuilder.orphan_data_keys()) {
    for (const auto& record : records) {
      storage::Record del{storage::RecordType::kObjectDelete, 0, 0, {}};
      del.key = DataKeyObjectKey(queue_id, record->id);
      orphans.push_back(std::move(del));
    }
  }
  if (!orphans.empty()) store_.Append(std::move(orphans));
  return rebuilder.stats();
}

QueueTypeLookup SqsService::TypeLookup(std::string source_arn, std::string source_account) {
  return [this, source_arn = std::move(source_arn), source_account = std::move(source_account)](
             std::string_view arn) -> std::optional<DeadLetterTarget> {
    auto queue = catalog_.FindByArn(arn);
    // A dead-letter queue must be in the source's account (and region, which FindByArn checks).
    if (!queue || queue->identity().account_id != source_account) return std::nullopt;
    const QueueConfig config = queue->config();
    const bool allows =
        !config.redrive_allow_policy || RedriveAllows(*config.redrive_allow_policy, source_arn);
    return DeadLetterTarget{queue->identity().fifo, allows};
  };
}

}  // namespace wharf::sqs
