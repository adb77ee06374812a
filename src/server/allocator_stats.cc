#include "server/allocator_stats.h"

#include <cstddef>

// jemalloc's control interface, declared weak: it resolves when the wharf binary links
// jemalloc (src/server/CMakeLists.txt) and is null everywhere else, so this library needs no
// jemalloc of its own and the sanitizer builds keep their allocator.
extern "C" int mallctl(const char* name, void* oldp, size_t* oldlenp, void* newp, size_t newlen)
    __attribute__((weak));

namespace wharf::server {

namespace {

std::optional<uint64_t> ReadSize(const char* name) {
  size_t value = 0;
  size_t length = sizeof value;
  if (mallctl(name, &value, &length, nullptr, 0) != 0) return std::nullopt;
  return value;
}

}  // namespace

std::optional<AllocatorStats> ReadAllocatorStats() {
  if (mallctl == nullptr) return std::nullopt;
  // jemalloc's statistics are a snapshot taken when the epoch advances.
  uint64_t epoch = 1;
  size_t length = sizeof epoch;
  if (mallctl("epoch", &epoch, &length, &epoch, length) != 0) return std::nullopt;
  const std::optional<uint64_t> allocated = ReadSize("stats.allocated");
  const std::optional<uint64_t> resident = ReadSize("stats.resident");
  if (!allocated || !resident) return std::nullopt;  // a jemalloc built without statistics
  return AllocatorStats{*allocated, *resident};
}

}  // namespace wharf::server
