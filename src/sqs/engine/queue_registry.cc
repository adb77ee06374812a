#include "sqs/engine/queue_registry.h"

#include <mutex>

#include "common/ids.h"
#include "sqs/engine/storage_errors.h"
#include "sqs/queue_arn.h"

namespace wharf::sqs {

QueueRegistry::QueueRegistry(QueueDeps deps, std::string region)
    : deps_(WithLookup(std::move(deps))), region_(std::move(region)) {}

QueueDeps QueueRegistry::WithLookup(QueueDeps deps) {
  deps.find_queue = [this](std::string_view arn) { return FindQueueByArn(arn); };
  return deps;
}

std::string QueueRegistry::Key(std::string_view account, std::string_view name) {
  std::string key(account);
  key.push_back('/');
  key.append(name);
  return key;
}

std::string QueueRegistry::ArnOf(std::string_view account, std::string_view name) const {
  return QueueArnOf(region_, account, name);
}

std::shared_ptr<QueueBackend> QueueRegistry::Find(std::string_view account,
                                                  std::string_view name) const {
  return FindQueue(account, name);
}

std::shared_ptr<QueueBackend> QueueRegistry::FindByArn(std::string_view arn) const {
  return FindQueueByArn(arn);
}

std::shared_ptr<Queue> QueueRegistry::FindQueue(std::string_view account,
                                                std::string_view name) const {
  std::shared_lock lock(mu_);
  auto it = queues_.find(Key(account, name));
  return it == queues_.end() ? nullptr : it->second;
}

std::shared_ptr<Queue> QueueRegistry::FindQueueByArn(std::string_view arn) const {
  auto parsed = ParseQueueArnIn(region_, arn);
  return parsed ? FindQueue(parsed->account, parsed->name) : nullptr;
}

void QueueRegistry::Create(const std::string& account, const std::string& name, QueueConfig config,
                           api::StringPairs tags, const api::StringPairs& given, CreateDone done) {
  // Before a new queue exists in memory: its record could not be kept for the recovery.
  if (auto refused = RefusedByStore(*deps_.store)) return done(std::move(*refused));
  auto inserted = Insert(account, name, std::move(config), std::move(tags), given);
  if (!inserted.ok()) return done(std::move(inserted).error());
  // An existing queue is answered once everything appended so far is durable: it may be one a
  // concurrent CreateQueue just made, or one whose creation failed on a full disk and is
  // written only when the store recovers.
  const uint64_t ticket = inserted->created.is_new ? inserted->ticket : deps_.store->Append({});
  deps_.store->WhenDurable(ticket, [created = std::move(inserted->created),
                                    done = std::move(done)](storage::StorageStatus status) {
    if (status.ok()) {
      done(created);
    } else {
      done(FromStorageError(status.error()));
    }
  });
}

api::ApiResult<QueueRegistry::Inserted> QueueRegistry::Insert(const std::string& account,
                                                              const std::string& name,
                                                              QueueConfig config,
                                                              api::StringPairs tags,
                                                              const api::StringPairs& given) {
  const std::string key = Key(account, name);
  std::shared_ptr<Queue> existing;
  {
    std::unique_lock lock(mu_);
    if (auto it = queues_.find(key); it != queues_.end()) {
      existing = it->second;
    } else {
      const MonoTime now = deps_.clock->Now();
      if (auto d = deleted_at_.find(key); d != deleted_at_.end()) {
        if (now - d->second < Seconds(deps_.limits->recreate_after_delete_seconds)) {
          return api::Error(api::ErrorCode::kQueueDeletedRecently);
        }
        deleted_at_.erase(d);
      }
      QueueIdentity identity;
      identity.id = RandomU64();
      identity.account_id = account;
      identity.name = name;
      identity.arn = ArnOf(account, name);
      identity.fifo = config.fifo;
      identity.dedup_by_group = config.fifo && config.deduplication_scope == "messageGroup";
      auto queue =
          std::make_shared<Queue>(std::move(identity), std::move(config), std::move(tags), deps_);
      // The queue's record goes to the store before the queue becomes visible, so no message
      // record of it can reach the disk first.
      const uint64_t ticket = queue->AppendCreated();
      queues_.emplace(key, queue);
      return Inserted{Created{std::move(queue), true}, ticket};
    }
  }
  // Compared outside the registry lock: lock order is always queue, then registry.
  QueueConfig current = existing->config();
  for (const auto& [attr, value] : given) {
    if (!AttributeMatches(current, attr, value)) {
      return api::Error(api::ErrorCode::kQueueNameExists,
                        "A queue already exists with the same name and a different value for "
                        "attribute " +
                            attr);
    }
  }
  return Inserted{Created{std::move(existing), false}, 0};
}

std::shared_ptr<Queue> QueueRegistry::Restore(uint64_t id, const std::string& account,
                                              const std::string& name, bool dedup_by_group,
                                              QueueConfig config, api::StringPairs tags) {
  const bool fifo = config.fifo;
  QueueIdentity identity{id, account, name, ArnOf(account, name), fifo, dedup_by_group};
  auto queue =
      std::make_shared<Queue>(std::move(identity), std::move(config), std::move(tags), deps_);
  std::unique_lock lock(mu_);
  queues_[Key(account, name)] = queue;
  return queue;
}

void QueueRegistry::Remove(const std::shared_ptr<QueueBackend>& queue, Done done) {
  // Before the queue leaves the registry: once removed in memory its deletion must be written.
  if (auto refused = RefusedByStore(*deps_.store)) return done(std::move(*refused));
  const std::string key = Key(queue->identity().account_id, queue->identity().name);
  std::shared_ptr<Queue> removed;  // `queue` itself, as the engine queue it is
  {
    std::unique_lock lock(mu_);
    auto it = queues_.find(key);
    if (it == queues_.end() || it->second != queue) {
      // Removed by a concurrent call, whose deletion record is appended: answer once it is
      // durable, as that call will.
      lock.unlock();
      deps_.store->WhenDurable(deps_.store->Append({}),
                               [done = std::move(done)](storage::StorageStatus status) {
                                 if (status.ok()) {
                                   done({});
                                 } else {
                                   done(FromStorageError(status.error()));
                                 }
                               });
      return;
    }
    removed = std::move(it->second);
    queues_.erase(it);
    const MonoTime now = deps_.clock->Now();
    deleted_at_[key] = now;
    // Forget names whose window has passed, so the map does not grow forever.
    std::erase_if(deleted_at_, [&](const auto& entry) {
      return now - entry.second >= Seconds(deps_.limits->recreate_after_delete_seconds);
    });
  }
  removed->Close();
  removed->PersistDeleted(std::move(done));
}

std::vector<std::shared_ptr<QueueBackend>> QueueRegistry::List(std::string_view account,
                                                               std::string_view prefix,
                                                               std::string_view after,
                                                               size_t limit) const {
  std::vector<std::shared_ptr<QueueBackend>> out;
  const std::string account_prefix = Key(account, "");
  const std::string start = Key(account, after.empty() ? prefix : after);
  std::shared_lock lock(mu_);
  auto it = after.empty() ? queues_.lower_bound(start) : queues_.upper_bound(start);
  for (; it != queues_.end() && out.size() < limit; ++it) {
    std::string_view key = it->first;
    if (key.substr(0, account_prefix.size()) != account_prefix) break;
    std::string_view name = key.substr(account_prefix.size());
    if (name.substr(0, prefix.size()) != prefix) {
      if (name > prefix) break;
      continue;
    }
    out.push_back(it->second);
  }
  return out;
}

std::vector<std::shared_ptr<QueueBackend>> QueueRegistry::All() const {
  std::shared_lock lock(mu_);
  std::vector<std::shared_ptr<QueueBackend>> out;
  out.reserve(queues_.size());
  for (const auto& [key, queue] : queues_) out.push_back(queue);
  return out;
}

}  // namespace wharf::sqs
