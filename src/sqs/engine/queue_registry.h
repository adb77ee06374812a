#pragma once

// All queues, by account and name: the embedded engine's QueueCatalog (ADR 0002). Lookups take a
// shared lock; create and delete take it exclusively. A deleted name stays blocked for
// Limits::recreate_after_delete_seconds (QueueDeletedRecently).

#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "api/error.h"
#include "sqs/engine/queue.h"
#include "sqs/queue_catalog.h"

namespace wharf::sqs {

class QueueRegistry final : public QueueCatalog {
 public:
  QueueRegistry(QueueDeps deps, std::string region);

  std::shared_ptr<QueueBackend> Find(std::string_view account,
                                     std::string_view name) const override;
  std::shared_ptr<QueueBackend> FindByArn(std::string_view arn) const override;

  // The record of a new queue is appended before the queue becomes visible (findable at once);
  // `done` waits for it to be durable. Refused with the store's error while it refuses writes.
  void Create(const std::string& account, const std::string& name, QueueConfig config,
              api::StringPairs tags, const api::StringPairs& given, CreateDone done) override;

  // Puts back a stored queue at startup.
  std::shared_ptr<Queue> Restore(uint64_t id, const std::string& account, const std::string& name,
                                 bool dedup_by_group, QueueConfig config, api::StringPairs tags);

  // Out of the registry at once; `done` waits for the deletion record to be durable.
  void Remove(const std::shared_ptr<QueueBackend>& queue, Done done) override;

  std::vector<std::shared_ptr<QueueBackend>> List(std::string_view account, std::string_view prefix,
                                                  std::string_view after,
                                                  size_t limit) const override;
  std::vector<std::shared_ptr<QueueBackend>> All() const override;

  std::string ArnOf(std::string_view account, std::string_view name) const override;

 private:
  struct Inserted {
    Created created;
    uint64_t ticket = 0;  // the store ticket to wait on before answering
  };
  api::ApiResult<Inserted> Insert(const std::string& account, const std::string& name,
                                  QueueConfig config, api::StringPairs tags,
                                  const api::StringPairs& given);
  static std::string Key(std::string_view account, std::string_view name);
  // The engine queue behind a name or an ARN (null when absent): what QueueDeps::find_queue
  // gives the queues (dead-letter moves need the concrete queue).
  std::shared_ptr<Queue> FindQueue(std::string_view account, std::string_view name) const;
  std::shared_ptr<Queue> FindQueueByArn(std::string_view arn) const;
  // The queues' dependencies, with find_queue pointing at this registry.
  QueueDeps WithLookup(QueueDeps deps);

  const QueueDeps deps_;
  const std::string region_;
  mutable std::shared_mutex mu_;
  std::map<std::string, std::shared_ptr<Queue>> queues_;  // "account/name"
  std::unordered_map<std::string, MonoTime> deleted_at_;
};

}  // namespace wharf::sqs
