#pragma once

// FIFO message groups (sqs-api.md §5.14). Each group keeps its live messages in send order; a
// group is *available* when its head message is visible. A receive takes, group by group, the
// consecutive visible messages from each available group's head, so a group whose head is in
// flight yields nothing and its order is never broken.
//
// Available groups are served round-robin: a group joins the back of the line whenever it
// becomes available (a new group, or its head was deleted or became visible again), so one busy
// group cannot starve the others, and a receive never scans groups that have nothing to give. Owned
// by its Queue; used only under the queue's lock.

#include <deque>
#include <string>
#include <unordered_map>
#include <vector>

#include "sqs/engine/indexed_heap.h"
#include "sqs/engine/message.h"

namespace wharf::sqs {

class FifoGroups {
 public:
  // Adds a message at the tail of its group (messages arrive in seq order).
  void Add(StoredMessage* m);
  // Removes a message wherever it is in its group.
  void Remove(StoredMessage* m);
  // Re-evaluates whether `m`'s group is available after `m` changed state.
  void Changed(StoredMessage* m);
  void Clear();

  // Calls take(m) for up to `max` messages: the visible prefixes of available groups, oldest head
  // first. `take` must move the message out of the visible state.
  template <typename Take>
  void TakeVisible(size_t max, Take take) {
    size_t taken = 0;
    while (taken < max && !available_.empty()) {
      Group* g = available_.top();
      for (StoredMessage* m : g->messages) {
        if (m->state != MessageState::kVisible || taken == max) break;
        take(m);
        ++taken;
      }
      Refresh(*g);
    }
  }

  size_t group_count() const { return groups_.size(); }
  bool any_available() const { return !available_.empty(); }

 private:
  struct Group {
    std::string id;
    std::deque<StoredMessage*> messages;  // seq order
    size_t available_pos = kNotInHeap;
    uint64_t turn = 0;  // when it last became available
  };
  struct ByTurn {
    bool operator()(const Group* a, const Group* b) const { return a->turn < b->turn; }
  };

  Group* Find(const StoredMessage* m);
  void Refresh(Group& g);

  std::unordered_map<std::string, Group> groups_;
  IndexedHeap<Group, ByTurn, &Group::available_pos> available_;
  uint64_t next_turn_ = 0;
};

}  // namespace wharf::sqs
