#pragma once

// The FIFO deduplication window (sqs-api.md §5.12): a deduplication key seen within the last
// 5 minutes makes a send a duplicate that returns the original MessageId and SequenceNumber and
// enqueues nothing. Entries expire in insertion order (the window is the same for all), so
// expiry is a pop from the front. Owned by its Queue; used only under the queue's lock.

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
  void Insert(std::string key, DedupEntry entry);
  void Erase(const std::string& key);
  // Drops expired entries; their keys are appended to `expired` (so the store can forget them).
  void Expire(int64_t now_millis, std::vector<std::string>& expired);
  void Clear();
  size_t size() const { return entries_.size(); }

 private:
  std::unordered_map<std::string, DedupEntry> entries_;
  std::deque<std::pair<int64_t, std::string>> order_;  // (expires, key) in insertion order
};

// The key under which a message is deduplicated: the id alone (scope "queue") or the group and
// the id (scope "messageGroup", fixed when the queue was created).
std::string DedupKey(bool by_group, const std::string& group_id, const std::string& dedup_id);

}  // namespace wharf::sqs
