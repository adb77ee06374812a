#include "sqs/pg/queue_cache.h"

#include <unordered_set>
#include <utility>

namespace wharf::sqs::pg {

namespace {
constexpr int64_t kRefreshPage = 1000;
}  // namespace

QueueCache::QueueCache(storage::pg::PgQueueOps& ops, Build build)
    : ops_(ops), build_(std::move(build)) {}

std::string QueueCache::Key(std::string_view account, std::string_view name) {
  std::string key;
  key.reserve(account.size() + 1 + name.size());
  key.append(account);
  key.push_back('/');  // never in an account id (digits) or a queue name
  key.append(name);
  return key;
}

std::shared_ptr<PgQueue> QueueCache::Find(std::string_view account, std::string_view name) const {
  const std::string key = Key(account, name);
  std::lock_guard lock(mu_);
  auto it = by_name_.find(key);
  return it == by_name_.end() ? nullptr : it->second.queue;
}

std::vector<std::shared_ptr<QueueBackend>> QueueCache::List(std::string_view account,
                                                            std::string_view prefix,
                                                            std::string_view after,
                                                            size_t limit) const {
  std::vector<std::shared_ptr<QueueBackend>> out;
  const std::string account_prefix = Key(account, "");
  std::lock_guard lock(mu_);
  auto it = after.empty() ? by_name_.lower_bound(Key(account, prefix))
                          : by_name_.upper_bound(Key(account, after));
  for (; it != by_name_.end() && out.size() < limit; ++it) {
    std::string_view key = it->first;
    if (!key.starts_with(account_prefix)) break;
    std::string_view name = key.substr(account_prefix.size());
    if (!name.starts_with(prefix)) {
      if (name > prefix) break;  // past every name with the prefix
      continue;                  // `after` sorts before the prefix's names
    }
    out.push_back(it->second.queue);
  }
  return out;
}

std::vector<std::shared_ptr<QueueBackend>> QueueCache::All() const {
  std::lock_guard lock(mu_);
  std::vector<std::shared_ptr<QueueBackend>> out;
  out.reserve(by_name_.size());
  for (const auto& [key, entry] : by_name_) out.push_back(entry.queue);
  return out;
}

std::shared_ptr<PgQueue> QueueCache::Put(const storage::pg::QueueRow& row) {
  std::lock_guard lock(mu_);
  return PutLocked(row);
}

std::shared_ptr<PgQueue> QueueCache::PutLocked(const storage::pg::QueueRow& row) {
  const std::string key = Key(row.config.account, row.config.name);
  std::shared_ptr<QueueMetrics> metrics;
  if (auto id = name_of_.find(row.queue_id); id != name_of_.end()) {
    Entry& entry = by_name_.at(id->second);
    // An older row than the cached one (a read that raced with this node's own change) is not
    // put back.
    if (entry.version >= row.version) {
      entry.put_epoch = refreshes_;
      return entry.queue;
    }
    metrics = entry.queue->shared_metrics();
  }
  // The same name held by another incarnation (deleted and created again elsewhere): replaced.
  if (auto old = by_name_.find(key);
      old != by_name_.end() && old->second.queue->queue_id() != row.queue_id) {
    name_of_.erase(old->second.queue->queue_id());
  }
  Entry entry{build_(row, std::move(metrics)), row.version, refreshes_};
  std::shared_ptr<PgQueue> queue = entry.queue;
  by_name_[key] = std::move(entry);
  name_of_[row.queue_id] = key;
  return queue;
}

void QueueCache::Erase(int64_t queue_id) {
  std::lock_guard lock(mu_);
  EraseLocked(queue_id);
}

void QueueCache::EraseLocked(int64_t queue_id) {
  auto id = name_of_.find(queue_id);
  if (id == name_of_.end()) return;
  by_name_.erase(id->second);
  name_of_.erase(id);
}

storage::pg::PgStatus QueueCache::Reload(int64_t queue_id) {
  auto row = ops_.GetQueueById(queue_id);
  if (!row.ok()) return std::move(row).error();
  if (row->has_value()) {
    Put(**row);
  } else {
    Erase(queue_id);
  }
  return {};
}

storage::pg::PgStatus QueueCache::Refresh() {
  uint64_t epoch;
  {
    std::lock_guard lock(mu_);
    epoch = ++refreshes_;
  }
  std::unordered_set<int64_t> seen;
  int64_t after = 0;
  for (;;) {
    auto page = ops_.ListAllQueues(after, kRefreshPage);
    if (!page.ok()) return std::move(page).error();
    {
      std::lock_guard lock(mu_);
      for (const storage::pg::QueueRow& row : *page) {
        PutLocked(row);
        seen.insert(row.queue_id);
      }
    }
    if (static_cast<int64_t>(page->size()) < kRefreshPage) break;
    after = page->back().queue_id;
  }
  std::lock_guard lock(mu_);
  std::vector<int64_t> gone;
  for (const auto& [key, entry] : by_name_) {
    if (entry.put_epoch < epoch && !seen.contains(entry.queue->queue_id())) {
      gone.push_back(entry.queue->queue_id());
    }
  }
  for (int64_t queue_id : gone) EraseLocked(queue_id);
  return {};
}

size_t QueueCache::size() const {
  std::lock_guard lock(mu_);
  return by_name_.size();
}

}  // namespace wharf::sqs::pg
