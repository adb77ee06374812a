#pragma once

// The visible messages of a standard queue, in fair order (sqs-api.md §5.17, "fair queues").
// Messages are kept per MessageGroupId (messages without one form one group of their own), each
// group in send order, and groups take turns: a receive takes the next message of the group
// whose turn is first, and that group goes to the back of the line. So a group with a large
// backlog delays another group's new message by at most one message per active group, while a
// queue without group ids is plain send order, and a redelivered message keeps its place
// within its own group.
// Owned by its Queue; used only under the queue's lock.

#include <string>
#include <unordered_map>

#include "sqs/engine/indexed_heap.h"
#include "sqs/engine/message.h"

namespace wharf::sqs {

class FairReady {
 public:
  void Push(StoredMessage* m);
  void Erase(StoredMessage* m);
  StoredMessage* Pop();  // requires !empty()
  void Clear();
  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }
  static bool Contains(const StoredMessage* m) { return ReadyHeap::Contains(m); }

 private:
  struct Group {
    ReadyHeap messages;  // by seq
    size_t turn_pos = kNotInHeap;
    uint64_t turn = 0;
  };
  struct ByTurn {
    bool operator()(const Group* a, const Group* b) const { return a->turn < b->turn; }
  };
  using Groups = std::unordered_map<std::string, Group>;

  Groups::iterator GroupOf(const StoredMessage* m);
  void Drop(Groups::iterator it);  // an emptied group leaves the line

  Groups groups_;
  IndexedHeap<Group, ByTurn, &Group::turn_pos> turns_;
  uint64_t next_turn_ = 0;
  size_t size_ = 0;
};

}  // namespace wharf::sqs
