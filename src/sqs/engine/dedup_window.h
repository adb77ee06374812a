#pragma once

// The FIFO deduplication window (sqs-api.md §5.12): a deduplication key seen within the last
// 5 minutes makes a send a duplicate that returns the original MessageId and SequenceNumber and
// enqueues nothing. Entries expire in insertion order (the window is the same for all), so
// expiry is a pop from the front. Owned by its Queue; used only under the queue's lock.
//
// A busy FIFO queue holds every id of the last five minutes (30 million at 100,000 sends/s), and
// every send looks its id up: with std::unordered_map that lookup was 10-14 % of the server's CPU
// in a FIFO send-batch run with the table at a million ids (perf, memory mode; docs/benchmarks.md),
// nearly all of it cache misses — the bucket, the node before the bucket's first, the node, and a
// division per node visited. So the entries live in a deque in insertion order (which is also the
// expiry order), each key once, and an open-addressing index (boost::unordered_flat_map: one probe
// of a group of slots, mostly one cache miss) maps a key, viewed inside its entry, to the entry's
// insertion number. Deque elements never move while others are added or popped at the ends, so
// the views stay valid for as long as their entry is in the deque. (The index is defined in the
// .cc file: Boost.Unordered's header would otherwise be compiled by every file that sees a Queue.)

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/fixed_text.h"

namespace wharf::sqs {

struct DedupEntry {
  FixedText<36> message_id;  // a UUID (sqs::MessageIdText)
  uint64_t seq = 0;
  int64_t expires_millis = 0;  // wall clock, so the window survives a restart
};

class DedupWindow {
 public:
  static constexpr int64_t kWindowMillis = 5 * 60 * 1000;

  DedupWindow();
  ~DedupWindow();

  // The entry for `key` if it is still inside the window at `now_millis`.
  const DedupEntry* Find(const std::string& key, int64_t now_millis) const;
  // A send's one lookup: the entry of an earlier send of `key` still inside the window at
  // `now_millis` (a duplicate: `fresh` false), or a new entry of `key` for the caller to fill in
  // (`fresh` true; an expired or erased entry of the key is replaced). The same as Find followed
  // by Insert, with one search of the index instead of two.
  struct Claim {
    DedupEntry* entry;
    bool fresh;
  };
  Claim ClaimKey(const std::string& key, int64_t now_millis);
  // Adds `key`, or replaces its entry (recovery; sends use ClaimKey).
  void Insert(std::string key, DedupEntry entry);
  // Forgets `key` (a send that failed), so that a retry is not taken for a duplicate.
  void Erase(const std::string& key);
  // Drops expired entries; their keys are appended to `expired` (so the store can forget them).
  void Expire(int64_t now_millis, std::vector<std::string>& expired);
  void Clear();
  size_t size() const;

 private:
  struct Stored {
    std::string key;
    DedupEntry entry;
    uint64_t insertion = 0;
    // The key was inserted again, or erased: no longer in the index, and dropped without a
    // report when it comes up for expiry.
    bool superseded = false;
  };
  // Appends a new entry of `key` (not in the index) and indexes it.
  Stored& Append(std::string key, DedupEntry entry);
  Stored& At(uint64_t insertion) { return order_[insertion - order_.front().insertion]; }
  const Stored& At(uint64_t insertion) const {
    return order_[insertion - order_.front().insertion];
  }

  // In insertion order: numbers order_.front().insertion, +1, ... Older entries of a key were
  // superseded, so expiry only ever removes a key's latest entry from the index.
  std::deque<Stored> order_;
  // Live keys (a view of Stored::key) -> insertion number of their entry.
  struct Index;
  std::unique_ptr<Index> index_;
  uint64_t insertions_ = 0;
};

// The key under which a message is deduplicated: the id alone (scope "queue") or the group and
// the id (scope "messageGroup", fixed when the queue was created).
std::string DedupKey(bool by_group, const std::string& group_id, const std::string& dedup_id);

}  // namespace wharf::sqs
