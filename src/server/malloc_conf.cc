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
// - dirty_decay_ms:300000: freed pages are returned to the system over five minutes instead of
//   jemalloc's ten seconds. A consumer that receives and deletes a backlog frees memory as fast
//   as producers take it; with the short decay those pages went back to the system and were
//   faulted in (and zeroed) again moments later. The long decay cut the server's CPU per
//   received and deleted message by 13-40 % in the runs measured (docs/benchmarks.md, "jemalloc
//   with huge pages" and "the slow decay shipped").
//   The price: RSS keeps up to five minutes of freed memory (GET /metrics shows it apart from
//   live bytes: wharf_allocator_allocated_bytes), which is why the soak test checks live bytes
//   for leaks and bounds RSS's rise separately (docs/reliability.md).
// - background_thread:true: purging runs on jemalloc's own thread, not on request threads.

extern "C" {
// NOLINTNEXTLINE(readability-identifier-naming): the name jemalloc looks up.
const char* malloc_conf = "thp:always,dirty_decay_ms:300000,background_thread:true";
}
