#pragma once

// A scenario is what the connections do: a factory of one Workload per connection, plus how
// many connections it wants and what the queue must hold before timing starts. New scenarios
// are one class and one line in MakeScenario.
// Thread-safety: MakeWorkload is called on the main thread before the run; state the workloads
// share (the long-poll pair) is owned by the scenario, which outlives the run.

#include <atomic>
#include <chrono>
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
  bool fifo = false;  // a FIFO queue: sends carry group and deduplication ids
  int groups = 1;     // FIFO: messages spread round-robin over g0..g<groups-1>
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
// Whether the scenario needs a FIFO queue whatever the options say (`fifo`).
bool ScenarioIsFifo(std::string_view name);
// nullptr for an unknown name.
std::unique_ptr<Scenario> MakeScenario(std::string_view name, const ScenarioOptions& options);

// Building blocks, shared by scenarios and by the prefill phase.

// Sends `batch` messages per request (SendMessage when 1, else SendMessageBatch), paced to
// `rate` messages per second when > 0. With `timestamp`, each body starts with the steady-clock
// send time in nanoseconds followed by '.', for end-to-end latency. `count_messages` says
// whether sent messages are the scenario's unit (else they count as "sent"). With
// `fifo_groups` > 0 (a FIFO queue) every message carries a MessageGroupId, round-robin over that
// many groups from position `fifo_first` (fifo.h), and a unique MessageDeduplicationId; the
// entries of one batch may belong to different groups.
struct ProducerConfig {
  int batch = 1;
  int body_size = 256;
  double rate = 0;
  bool timestamp = false;
  bool count_messages = true;
  int fifo_groups = 0;
  uint64_t fifo_first = 0;
};
std::unique_ptr<Workload> MakeProducer(const ProducerConfig& config);

// Receives up to 10 messages (waiting `wait_seconds`) and deletes what came back with one
// DeleteMessageBatch; with `end_to_end`, records now minus the timestamp in each body. With
// `stop_after_empty` > 0 the connection stops after that many empty receives in a row (the
// queue is drained).
//
// On a FIFO queue an empty receive does not mean a drained queue: a group whose head is in
// flight yields nothing (sqs-api.md §5.14), so with few groups most receives come back empty
// while another connection holds the group's batch, or while its receive, which took the batch,
// is still on its way back (a server may answer non-empty receives later than empty ones).
// The consumers of a FIFO queue therefore share a DrainWatch: an empty receive counts towards
// `stop_after_empty` only while no consumer holds messages, the streak restarts whenever any
// consumer received or deleted messages, and a consumer stops only once nobody has for
// kQuietNs; meanwhile it receives every kQuietPoll instead of in a tight loop.
struct DrainWatch {
  static constexpr int64_t kQuietNs = 250'000'000;
  static constexpr std::chrono::milliseconds kQuietPoll{20};
  std::atomic<int64_t> last_activity_ns{
      0};                       // last non-empty receive or delete answer, any consumer
  std::atomic<int> holding{0};  // consumers between a non-empty receive and its delete's answer
};
struct ConsumerConfig {
  int wait_seconds = 0;
  bool end_to_end = false;
  int stop_after_empty = 0;
  DrainWatch* drain_watch = nullptr;  // FIFO queues; outlives the consumer
};
std::unique_ptr<Workload> MakeConsumer(const ConsumerConfig& config);

// The long-poll scenario (long_poll.cc).
std::unique_ptr<Scenario> MakeLongPollScenario(const ScenarioOptions& options);

}  // namespace wharf::bench
