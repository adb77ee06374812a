#pragma once

// The seam between the HTTP client and the scenarios. A connection asks its Workload for the
// next request, sends it, and hands back the answer; the workload decides what comes next and
// records what the answer means (messages, end-to-end and wake-up latencies, batch errors).
// A scenario (scenario.h) is a set of workloads, one per connection.
// Thread-safety: a workload is called only from its connection's I/O thread.

#include <chrono>
#include <cstdint>
#include <string_view>

#include "bench/recorder.h"
#include "bench/request_writer.h"

namespace wharf::bench {

struct Response {
  Op op;
  int status = 0;               // HTTP status; 0 when the transport failed
  std::string_view error_code;  // empty on success
  std::string_view body;
  int64_t sent_ns = 0;  // steady clock, just before the request was written
  int64_t done_ns = 0;  // when the whole answer had been read
  WireProtocol protocol = WireProtocol::kJson;
};

struct Step {
  enum class Kind : uint8_t { kRequest, kPause, kDone };
  Kind kind = Kind::kRequest;
  std::chrono::nanoseconds pause{0};

  static Step Request() { return Step{}; }
  static Step Pause(std::chrono::nanoseconds d) { return Step{Kind::kPause, d}; }
  static Step Done() { return Step{Kind::kDone, {}}; }
};

class Workload {
 public:
  virtual ~Workload() = default;
  // Writes the next request into `writer` (Kind::kRequest), or asks to wait or to stop.
  virtual Step Next(RequestWriter& writer, int64_t now_ns) = 0;
  // Exactly one call per request written by Next.
  virtual void OnResponse(const Response& response, Recorder& recorder) = 0;
  // The run the workload's connection belongs to, before its first Next.
  virtual void Attach(RunControl& /*control*/) {}
};

}  // namespace wharf::bench
