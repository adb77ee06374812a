#pragma once

// The memory allocator's own counts, for GET /metrics and the soak test's leak check. RSS mixes
// what the server holds with freed memory the allocator keeps for reuse (jemalloc returns it to
// the system only after its decay time), so a leak check on RSS cannot tell a leak from a
// retained free page; the allocator's count of live bytes can.

#include <cstdint>
#include <optional>

namespace wharf::server {

struct AllocatorStats {
  uint64_t allocated = 0;  // bytes in live allocations (jemalloc `stats.allocated`)
  uint64_t resident = 0;   // bytes of the allocator's pages in physical memory (`stats.resident`)
};

// The figures of now; none when the binary does not run on jemalloc (sanitizer builds, unit
// tests, a build without libjemalloc-dev).
std::optional<AllocatorStats> ReadAllocatorStats();

}  // namespace wharf::server
