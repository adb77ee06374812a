#pragma once

// The FIFO deduplication window (sqs-api.md §5.12): a deduplication key seen within the last
// 5 minutes makes a send a duplicate that returns the original MessageId and SequenceNumber and
// enqueues nothing. Entries expire in insertion order (the window is the same for all), so
// expiry is a pop from the front. Owned by its Queue; used only under the queue's lock.
//
// A busy FIFO queue holds every id of the last five minutes (30 million at 100,000 sends/s), so
// each key is kept once: the expiry order points at the map's entries (whose addresses survive
// rehashing) instead of holding a second copy of the key.

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/clock.h"

namespace wharf::sqs {

struct DedupEntry {
  std::string message_id;
  uint64_t seq = 0;
  int64_t expires_millis = 0;  // wall clock, so the window survives a restart
};

class DedupWindow {
 public:
  static constexpr int64_t kWindowMillis = 5 * 60 * 1000;

  // The entry for `key` if it is still inside the window at `now_millis`.
  const DedupEntry* Find(const std::string& key, int64_t now_millis) const;
  // Adds `key`, or replaces its expired or erased entry.
  void Insert(std::string key, DedupEntry entry);
  void Erase(const std::string& key);
  // Drops expired entries; their keys are appended to `expired` (so the store can forget them).
  void Expire(int64_t now_millis, std::vector<std::string>& expired);
  void Clear();
  size_t size() const { return entries_.size() - erased_; }

 private:
  struct Stored {
    DedupEntry entry;
    // Which insertion of the key this is: only the slot of the latest one removes the entry.
    uint64_t insertion = 0;
    // Erased (a send that failed): absent for Find, removed without a report when its slot
    // comes up. The entry stays until then because that slot points at it.
    bool erased = false;
  };
  using Entries = std::unordered_map<std::string, Stored>;
  struct Slot {
    Entries::value_type* entry;  // valid while its key's latest slot is in `order_`
    uint64_t insertion;
  };

  Entries entries_;
  // In insertion order. Older slots of a key come before its latest one, so they are popped
  // first (as stale) and the entry they point at is still there when they are.
  std::deque<Slot> order_;
  uint64_t insertions_ = 0;
  size_t erased_ = 0;
};

// The key under which a message is deduplicated: the id alone (scope "queue") or the group and
// the id (scope "messageGroup", fixed when the queue was created).
std::string DedupKey(bool by_group, const std::string& group_id, const std::string& dedup_id);

}  // namespace wharf::sqs
