#include "sqs/engine/fair_ready.h"

namespace wharf::sqs {

FairReady::Groups::iterator FairReady::GroupOf(const StoredMessage* m) {
  return groups_.find(*m->content->group_id);
}

void FairReady::Push(StoredMessage* m) {
  auto [it, inserted] = groups_.try_emplace(*m->content->group_id);
  Group& g = it->second;
  g.messages.Push(m);
  if (g.messages.size() == 1) {  // a group with something to give joins the back of the line
    g.turn = ++next_turn_;
    turns_.Push(&g);
  }
  ++size_;
}

void FairReady::Drop(Groups::iterator it) {
  if (decltype(turns_)::Contains(&it->second)) turns_.Erase(&it->second);
  groups_.erase(it);
}

void FairReady::Erase(StoredMessage* m) {
  auto it = GroupOf(m);
  if (it == groups_.end()) return;
  it->second.messages.Erase(m);
  --size_;
  if (it->second.messages.empty()) Drop(it);
}

StoredMessage* FairReady::Pop() {
  Group* g = turns_.top();
  StoredMessage* m = g->messages.Pop();
  --size_;
  if (g->messages.empty()) {
    Drop(GroupOf(m));
  } else {
    g->turn = ++next_turn_;  // served: to the back of the line
    turns_.Fix(g);
  }
  return m;
}

void FairReady::Clear() {
  for (auto& [id, g] : groups_) g.messages.Clear();
  turns_.Clear();
  groups_.clear();
  size_ = 0;
}

}  // namespace wharf::sqs
