#pragma once

// The ids a FIFO producer puts on its messages (sqs-api.md §2.7, §5.12, §5.14).
//
// Groups: the k-th message of a sequence goes to group `g<(first + k) mod groups>`, so messages
// are spread round-robin and, within one group, the sends of one sequence (one connection) are
// ordered. Deduplication ids: a random 64-bit prefix per sequence plus the message's number, so
// no two messages of a run (or of runs on a kept queue) are taken for duplicates.
// Thread-safety: none; one sequence per connection.

#include <array>
#include <cstdint>
#include <span>
#include <string>

#include "bench/request_writer.h"

namespace wharf::bench {

class FifoSequence {
 public:
  static constexpr int kMaxBatch = 10;

  // `groups` >= 1; `first` is the round-robin position of the first message.
  FifoSequence(int groups, uint64_t first);

  // The ids of the next `n` (1..kMaxBatch) messages; valid until the next call.
  std::span<const FifoIds> Next(int n);

  int groups() const { return groups_; }

 private:
  uint64_t groups_count() const { return static_cast<uint64_t>(groups_); }

  int groups_;
  uint64_t position_;      // round-robin position of the next message
  uint64_t sequence_ = 0;  // number of the next message
  size_t prefix_size_ = 0;
  std::array<std::string, kMaxBatch> group_ids_;
  std::array<std::string, kMaxBatch> deduplication_ids_;
  std::array<FifoIds, kMaxBatch> ids_;
};

}  // namespace wharf::bench
