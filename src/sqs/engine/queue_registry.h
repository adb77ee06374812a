#pragma once

// All queues, by account and name. Lookups take a shared lock; create and delete take it
// exclusively. A deleted name stays blocked for Limits::recreate_after_delete_seconds
// (QueueDeletedRecently).

#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "api/error.h"
#include "sqs/engine/queue.h"

namespace wharf::sqs {

class QueueRegistry {
 public:
  QueueRegistry(QueueDeps deps, std::string region);

  std::shared_ptr<Queue> Find(std::string_view account, std::string_view name) const;
  // "arn:aws:sqs:<region>:<account>:<name>"; nullptr when malformed or absent.
  std::shared_ptr<Queue> FindByArn(std::string_view arn) const;

  struct Created {
    std::shared_ptr<Queue> queue;
    bool is_new = false;
    uint64_t ticket = 0;  // store ticket of the new queue's record
  };
  // Creates the queue, or returns the existing one when every attribute in `given` matches
  // its current value (QueueNameExists otherwise).
  api::ApiResult<Created> Create(const std::string& account, const std::string& name,
                                 QueueConfig config, api::StringPairs tags,
                                 const api::StringPairs& given);

  // Puts back a stored queue at startup.
  std::shared_ptr<Queue> Restore(uint64_t id, const std::string& account, const std::string& name,
                                 bool dedup_by_group, QueueConfig config, api::StringPairs tags);

  // Removes the queue (if it is still `queue`), blocks its name for a while and closes it.
  void Remove(const std::shared_ptr<Queue>& queue);

  // Queues of `account` whose names start with `prefix`, in name order, after `after` (a name).
  std::vector<std::shared_ptr<Queue>> List(std::string_view account, std::string_view prefix,
                                           std::string_view after, size_t limit) const;
  // Every queue (all accounts), for scans such as ListDeadLetterSourceQueues.
  std::vector<std::shared_ptr<Queue>> All() const;

  std::string ArnOf(std::string_view account, std::string_view name) const;

 private:
  static std::string Key(std::string_view account, std::string_view name);
  // The queues' dependencies, with find_queue pointing at this registry.
  QueueDeps WithLookup(QueueDeps deps);

  const QueueDeps deps_;
  const std::string region_;
  mutable std::shared_mutex mu_;
  std::map<std::string, std::shared_ptr<Queue>> queues_;  // "account/name"
  std::unordered_map<std::string, MonoTime> deleted_at_;
};

// The partition of a region: "aws", "aws-cn", "aws-us-gov".
std::string_view PartitionOf(std::string_view region);

}  // namespace wharf::sqs
