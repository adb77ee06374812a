#pragma once

// The final report: a human table and one JSON object with the same figures.

#include <string>

#include "bench/bench.h"
#include "bench/recorder.h"

namespace wharf::bench {

struct Report {
  const Options* options = nullptr;
  std::string scenario;
  std::string message_unit;  // "sent", "consumed", ...
  bool fifo = false;
  int groups = 1;  // FIFO message groups
  int connections = 0;
  int threads = 0;
  std::string queue;
  bool queue_deleted = false;
  bool interrupted = false;
  bool drained = false;  // the run ended because the queue was empty
  double seconds = 0;
  Totals totals;
};

std::string FormatTable(const Report& report);
std::string FormatJson(const Report& report);

}  // namespace wharf::bench
