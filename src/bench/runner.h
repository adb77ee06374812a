#pragma once

// Runs one load phase: N connections spread over T I/O threads (one io_context each), a
// warm-up, then a measuring window that ends after a duration or a message count, then a
// drain. The main thread prints the progress line and decides when phases change; it never
// touches a connection. Boost stays in runner.cc.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "bench/recorder.h"
#include "bench/request_writer.h"
#include "bench/workload.h"

namespace wharf::bench {

struct HostPort {
  std::string host;
  std::string port;
};

struct LoadPlan {
  std::string label;  // progress line prefix
  HostPort server;
  Target target;
  std::string queue_url;
  int connections = 1;
  int threads = 1;
  std::chrono::milliseconds warmup{0};
  std::chrono::milliseconds duration{0};  // used when count == 0
  uint64_t count = 0;
  bool progress = true;
  std::function<std::unique_ptr<Workload>(int index)> make_workload;
};

struct LoadResult {
  bool ok = false;
  std::string error;  // when !ok: the endpoint could not be resolved
  Totals totals;
  // Length of the measuring window; when the queue was drained, up to the last message.
  double seconds = 0;
  bool interrupted = false;
  // Every connection stopped on its own before the window was due to end (a drained queue).
  bool finished_early = false;
};

LoadResult RunLoad(const LoadPlan& plan);

// Set from a SIGINT handler: ends the current measuring window early.
void RequestInterrupt();

}  // namespace wharf::bench
