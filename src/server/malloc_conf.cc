// jemalloc's settings for the wharf binary (linked only when wharf links jemalloc; see
// CMakeLists.txt). jemalloc reads `malloc_conf` before main; MALLOC_CONF in the environment is
// read after it and wins, so an operator can still change any of these.
//
// - thp:always: jemalloc asks for transparent huge pages on its memory (MADV_HUGEPAGE; the
//   Debian default THP mode is `madvise`, which otherwise gives none). A queue that is being
//   filled takes fresh memory for every message, and on this project's VM the page faults of
//   that growth were the largest single cost in send profiles: one fault per 2 MiB instead of
//   per 4 KiB cut the server's CPU per sent message by 10-40 % (docs/benchmarks.md, "jemalloc
//   with huge pages").
// - Freed memory is returned to the system with jemalloc's own ten-second decay. A five-minute
//   decay (`dirty_decay_ms:300000`) saved a further 20-30 % of CPU per received and deleted
//   message, but it keeps five minutes of freed memory in RSS, and the soak test's 60 s leak
//   check (tests/soak, growth of RSS) cannot tell that from a leak; not before the soak test can
//   read the allocator's own count of live bytes.
// - background_thread:true: purging runs on jemalloc's own thread, not on request threads.

extern "C" {
// NOLINTNEXTLINE(readability-identifier-naming): the name jemalloc looks up.
const char* malloc_conf = "thp:always,background_thread:true";
}
