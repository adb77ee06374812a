#include "sqs/engine/fifo_groups.h"

#include <algorithm>

namespace wharf::sqs {

FifoGroups::Group* FifoGroups::Find(const StoredMessage* m) {
  auto it = groups_.find(*m->content->group_id);
  return it == groups_.end() ? nullptr : &it->second;
}

void FifoGroups::Refresh(Group& g) {
  const bool available = !g.messages.empty() && g.messages.front()->state == MessageState::kVisible;
  const bool listed = decltype(available_)::Contains(&g);
  if (available && !listed) {
    g.turn = ++next_turn_;
    available_.Push(&g);
  } else if (!available && listed) {
    available_.Erase(&g);
  }
}

void FifoGroups::Add(StoredMessage* m) {
  const std::string& id = *m->content->group_id;
  auto [it, inserted] = groups_.try_emplace(id);
  Group& g = it->second;
  if (inserted) g.id = id;
  // Messages normally arrive in seq order; keep the deque sorted if one does not.
  if (g.messages.empty() || g.messages.back()->seq < m->seq) {
    g.messages.push_back(m);
  } else {
    auto pos = std::lower_bound(
        g.messages.begin(), g.messages.end(), m,
        [](const StoredMessage* a, const StoredMessage* b) { return a->seq < b->seq; });
    g.messages.insert(pos, m);
  }
  Refresh(g);
}

void FifoGroups::Remove(StoredMessage* m) {
  auto it = groups_.find(*m->content->group_id);
  if (it == groups_.end()) return;
  Group* g = &it->second;
  if (!g->messages.empty() && g->messages.front() == m) {
    g->messages.pop_front();
  } else {
    auto pos = std::find(g->messages.begin(), g->messages.end(), m);
    if (pos != g->messages.end()) g->messages.erase(pos);
  }
  if (g->messages.empty()) {
    if (decltype(available_)::Contains(g)) available_.Erase(g);
    groups_.erase(it);
    return;
  }
  Refresh(*g);
}

void FifoGroups::Changed(StoredMessage* m) {
  if (Group* g = Find(m)) Refresh(*g);
}

void FifoGroups::Clear() {
  available_.Clear();
  groups_.clear();
}

}  // namespace wharf::sqs
