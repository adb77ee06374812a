#include "bench/fifo.h"

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "common/ids.h"

namespace wharf::bench {
namespace {

void AppendNumber(std::string& out, uint64_t value) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  (void)ec;  // 24 digits always suffice
  out.append(buf, end);
}

}  // namespace

FifoSequence::FifoSequence(int groups, uint64_t first)
    : groups_(std::max(1, groups)), position_(first % static_cast<uint64_t>(std::max(1, groups))) {
  char prefix[24];
  const int n = std::snprintf(prefix, sizeof(prefix), "%016llx-",
                              static_cast<unsigned long long>(RandomU64()));
  prefix_size_ = static_cast<size_t>(n);
  for (std::string& id : deduplication_ids_) {
    id.assign(prefix, prefix_size_);
    id.reserve(prefix_size_ + 20);
  }
  for (std::string& id : group_ids_) id.reserve(12);
}

std::span<const FifoIds> FifoSequence::Next(int n) {
  const auto count = static_cast<size_t>(std::clamp(n, 1, kMaxBatch));
  for (size_t i = 0; i < count; ++i) {
    std::string& group = group_ids_[i];
    group.clear();
    group.push_back('g');
    AppendNumber(group, position_);
    if (++position_ == groups_count()) position_ = 0;
    std::string& dedup = deduplication_ids_[i];
    dedup.resize(prefix_size_);
    AppendNumber(dedup, sequence_++);
    ids_[i] = FifoIds{group, dedup};
  }
  return {ids_.data(), count};
}

}  // namespace wharf::bench
