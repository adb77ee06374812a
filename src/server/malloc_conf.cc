// jemalloc's settings for the wharf binary (linked only when wharf links jemalloc; see
// CMakeLists.txt). jemalloc reads `malloc_conf` before main; MALLOC_CONF in the environment is
// read after it and wins, so an operator can still change any of these.
//
// - thp:always: jemalloc asks for transparent huge pages on its memory (MADV_HUGEPAGE; the
//   Debian default THP mode is `madvise`, which otherwise gives none). A queue that is being
//   filled takes fresh memory for every message, and on this project's VM the page faults of
//   that growth were the largest single cost in send profiles: one fault per 2 MiB instead of
//   per 4 KiB cut the server's CPU per message by about a third (docs/benchmarks.md,
//   "jemalloc: huge pages and a slower decay").
// - dirty_decay_ms:300000: memory freed by deleted messages is returned to the system over five
//   minutes instead of ten seconds. A queue's memory turns over with its messages; returning it
//   sooner meant faulting it back in (and splitting huge pages) under steady load. Five minutes
//   is also the FIFO deduplication window, whose entries are the longest-lived per-message
//   memory.
// - background_thread:true: that purging runs on jemalloc's own thread, not on request threads.

extern "C" {
// NOLINTNEXTLINE(readability-identifier-naming): the name jemalloc looks up.
const char* malloc_conf = "thp:always,background_thread:true,dirty_decay_ms:300000";
}
