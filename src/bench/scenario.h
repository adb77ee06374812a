#pragma once

// A scenario is what the connections do: a factory of one Workload per connection, plus how
// many connections it wants and what the queue must hold before timing starts. New scenarios
// (FIFO ones next) are one class and one line in MakeScenario.
// Thread-safety: MakeWorkload is called on the main thread before the run; state the workloads
// share (the long-poll pair) is owned by the scenario, which outlives the run.

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "bench/workload.h"

namespace wharf::bench {

struct ScenarioOptions {
  int body_size = 256;
  double rate = 0;  // producers' total messages per second; 0 = unlimited
  uint64_t prefill = 0;
  uint64_t count = 0;
};

class Scenario {
 public:
  virtual ~Scenario() = default;
  // The number of connections to run for the requested number.
  virtual int Connections(int requested) const { return requested; }
  // Messages to send before timing starts.
  virtual uint64_t Prefill() const { return 0; }
  // The workload of connection `index` out of `connections`.
  virtual std::unique_ptr<Workload> MakeWorkload(int index, int connections) = 0;
  // The unit counted as "messages" in the report.
  virtual std::string_view MessageUnit() const = 0;
};

const std::vector<std::string_view>& ScenarioNames();
// nullptr for an unknown name.
std::unique_ptr<Scenario> MakeScenario(std::string_view name, const ScenarioOptions& options);

// Building blocks, shared by scenarios and by the prefill phase.

// Sends `batch` messages per request (SendMessage when 1, else SendMessageBatch), paced to
// `rate` messages per second when > 0. With `timestamp`, each body starts with the steady-clock
// send time in nanoseconds followed by '.', for end-to-end latency. `count_messages` says
// whether sent messages are the scenario's unit (else they count as "sent").
struct ProducerConfig {
  int batch = 1;
  int body_size = 256;
  double rate = 0;
  bool timestamp = false;
  bool count_messages = true;
};
std::unique_ptr<Workload> MakeProducer(const ProducerConfig& config);

// Receives up to 10 messages (waiting `wait_seconds`) and deletes what came back with one
// DeleteMessageBatch; with `end_to_end`, records now minus the timestamp in each body. With
// `stop_after_empty` > 0 the connection stops after that many empty receives in a row (the
// queue is drained).
struct ConsumerConfig {
  int wait_seconds = 0;
  bool end_to_end = false;
  int stop_after_empty = 0;
};
std::unique_ptr<Workload> MakeConsumer(const ConsumerConfig& config);

// The long-poll scenario (long_poll.cc).
std::unique_ptr<Scenario> MakeLongPollScenario(const ScenarioOptions& options);

}  // namespace wharf::bench
