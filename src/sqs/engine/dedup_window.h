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
//
// Durability (docs/storage-format.md, "Column family dedup"): a sent message's entry has no record
// of its own in the store — recovery derives it from the message's record, which holds the
// group, the deduplication id, the MessageId, the seq and the send time. Only when the message
// leaves (deleted, expired, moved) while its entry is still live does the entry need a record,
// written then (RecordIfLive); and only entries with a record need a delete when they expire.
// The window keeps, per entry, whether the store holds a record under its key.

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
  // (`fresh` true; an expired or erased entry of the key is replaced, and the store's record of
  // the key, if it holds one, is now the new entry's to delete). The same as Find followed by
  // Insert, with one search of the index instead of two.
  struct Claim {
    DedupEntry* entry;
    bool fresh;
  };
  Claim ClaimKey(const std::string& key, int64_t now_millis);
  // Adds `key`, or replaces its entry (recovery; sends use ClaimKey). `has_record`: the store
  // holds a record under `key` (it also does when the replaced entry had one). Recovery inserts
  // in expiry order, which the window's order assumes.
  void Insert(std::string key, DedupEntry entry, bool has_record);
  // A message that claimed `key` as `seq` leaves the queue: its entry, if still live at
  // `now_millis` and without a record yet, from now on has one — the caller writes it. Null when
  // nothing is to be written (expired, superseded, erased, or already recorded).
  const DedupEntry* RecordIfLive(const std::string& key, uint64_t seq, int64_t now_millis);
  // Forgets `key` (a send that failed), so that a retry is not taken for a duplicate. True when
  // the store holds a record under `key`, which the caller deletes.
  bool Erase(const std::string& key);
  // Drops expired entries; the keys of those with a record are appended to `expired` (so the
  // store can forget them).
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
    // The store holds a record under `key` (see the top of this file).
    bool has_record = false;
  };
  // Appends a new entry of `key` (not in the index) and indexes it.
  Stored& Append(std::string key, DedupEntry entry, bool has_record);
  // Takes `key` out of the index (its entry stays, superseded); whether it had a record.
  bool Unindex(const std::string& key);
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
// The same into `out`, whose capacity is reused.
void DedupKeyInto(std::string& out, bool by_group, const std::string& group_id,
                  const std::string& dedup_id);

}  // namespace wharf::sqs
