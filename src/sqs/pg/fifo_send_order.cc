#include "sqs/pg/fifo_send_order.h"

#include <algorithm>
#include <set>
#include <utility>

namespace wharf::sqs::pg {
namespace {

bool Shares(const std::vector<std::string>& groups, const std::set<std::string>& taken) {
  return std::any_of(groups.begin(), groups.end(),
                     [&](const std::string& g) { return taken.count(g) > 0; });
}

}  // namespace

void FifoSendOrder::Submit(int64_t queue_id, std::vector<std::string> groups,
                           std::function<void()> start) {
  {
    std::lock_guard lock(mu_);
    QueueState& q = queues_[queue_id];
    // Behind a running send of one of its groups, or behind a waiting one (which is itself
    // behind a running one): waits, keeping its place.
    bool blocked = std::any_of(groups.begin(), groups.end(),
                               [&](const std::string& g) { return q.running.count(g) > 0; });
    for (const Waiting& w : q.waiting) {
      if (blocked) break;
      blocked = std::any_of(w.groups.begin(), w.groups.end(), [&](const std::string& g) {
        return std::find(groups.begin(), groups.end(), g) != groups.end();
      });
    }
    if (blocked) {
      q.waiting.push_back(Waiting{std::move(groups), std::move(start)});
      return;
    }
    for (const std::string& g : groups) ++q.running[g];
  }
  start();
}

void FifoSendOrder::Finished(int64_t queue_id, const std::vector<std::string>& groups) {
  std::vector<std::function<void()>> ready;
  {
    std::lock_guard lock(mu_);
    auto it = queues_.find(queue_id);
    if (it == queues_.end()) return;
    QueueState& q = it->second;
    for (const std::string& g : groups) {
      auto running = q.running.find(g);
      if (running != q.running.end() && --running->second <= 0) q.running.erase(running);
    }
    if (q.waiting.empty()) {  // the usual case: nothing held back, nothing to start
      if (q.running.empty()) queues_.erase(it);
      return;
    }
    // In submission order: a waiting send starts when none of its groups is running or held by
    // an earlier waiting send.
    std::set<std::string> held;
    for (const auto& [group, count] : q.running) held.insert(group);
    for (auto w = q.waiting.begin(); w != q.waiting.end();) {
      if (Shares(w->groups, held)) {
        held.insert(w->groups.begin(), w->groups.end());
        ++w;
        continue;
      }
      for (const std::string& g : w->groups) {
        ++q.running[g];
        held.insert(g);
      }
      ready.push_back(std::move(w->start));
      w = q.waiting.erase(w);
    }
    if (q.running.empty() && q.waiting.empty()) queues_.erase(it);
  }
  for (auto& start : ready) start();
}

size_t FifoSendOrder::waiting() const {
  std::lock_guard lock(mu_);
  size_t n = 0;
  for (const auto& [id, q] : queues_) n += q.waiting.size();
  return n;
}

}  // namespace wharf::sqs::pg
