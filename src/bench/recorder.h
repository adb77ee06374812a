#pragma once

// What a run measures, and when.
//
// RunControl is shared by every thread of one run: the phase (warm-up, measuring, draining),
// the measuring window and, in --count mode, the shared message count that ends it.
// A Recorder belongs to one I/O thread (single writer). Its live counters are relaxed atomics
// so the main thread can print progress; everything in `measured()` is read only after the
// thread has ended. Samples count only when they complete inside the measuring window.

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "bench/histogram.h"
#include "bench/request_writer.h"

namespace wharf::bench {

enum class Phase : int { kWarmup, kMeasuring, kDraining };

int64_t NowNanos();  // steady clock

class RunControl {
 public:
  explicit RunControl(uint64_t target_messages) : target_messages_(target_messages) {}

  Phase phase() const { return static_cast<Phase>(phase_.load(std::memory_order_acquire)); }
  void StartMeasuring(int64_t now_ns);
  // Ends the window (once); later calls are ignored.
  void EndMeasuring(int64_t now_ns);
  // --count mode: adds measured messages and ends the window when the target is reached.
  void AddMessages(uint64_t n, int64_t now_ns);

  // --count mode, for a request about to send messages: up to `wanted` of the messages still to
  // be measured, reserved for it, so that the connections together send exactly the count (and
  // not the count plus whatever was in flight when it was reached); 0 once it is spoken for.
  // `wanted` itself, with `from_count` false, while not measuring or without a count.
  struct Reservation {
    uint64_t messages = 0;
    bool from_count = false;
  };
  Reservation ReserveMessages(uint64_t wanted);
  // Gives back messages of a reservation from the count that its request did not deliver (an
  // error, a failed batch entry), so that another request sends them.
  void ReturnMessages(uint64_t n);

  int64_t start_ns() const { return start_ns_.load(std::memory_order_acquire); }
  int64_t end_ns() const { return end_ns_.load(std::memory_order_acquire); }
  // Asks every connection to close its socket now (the run's end, after a grace period).
  void ForceClose() { force_close_.store(true, std::memory_order_release); }
  bool force_close() const { return force_close_.load(std::memory_order_acquire); }

 private:
  const uint64_t target_messages_;
  std::atomic<int> phase_{static_cast<int>(Phase::kWarmup)};
  std::atomic<int64_t> start_ns_{0};
  std::atomic<int64_t> end_ns_{0};
  std::atomic<uint64_t> messages_{0};
  std::atomic<uint64_t> reserved_{0};  // --count: reserved by requests while measuring
  std::atomic<bool> force_close_{false};
};

// Everything measured inside the window, merged across threads for the report.
struct Totals {
  uint64_t requests = 0;
  uint64_t messages = 0;  // the scenario's unit: sent, consumed or woken
  uint64_t sent = 0;      // pipeline: messages produced
  uint64_t errors = 0;
  uint64_t empty_receives = 0;
  uint64_t wakeups_before_ack = 0;          // long-poll: receive answered before the send's ack
  int64_t last_message_ns = 0;              // when the last counted message was recorded
  std::array<Histogram, kOpCount> latency;  // request latency (ns) per action
  Histogram end_to_end;                     // pipeline (ns)
  Histogram wakeup;                         // long-poll (ns)
  std::map<std::string, uint64_t, std::less<>> errors_by_code;

  void Merge(const Totals& other);
  Histogram AllRequests() const;
};

class Recorder {
 public:
  explicit Recorder(RunControl& control) : control_(control) {}

  // One finished request (any outcome); `error_code` is empty on success.
  void Request(Op op, int64_t sent_ns, int64_t done_ns, std::string_view error_code);
  // An error that is not a request's outcome (a failed batch entry).
  void Error(std::string_view code, int64_t now_ns);
  // The scenario's unit of work completed (a message sent, consumed or woken).
  void Messages(uint64_t n, int64_t now_ns);
  void Sent(uint64_t n, int64_t now_ns);
  void EmptyReceive(int64_t now_ns);
  void EndToEnd(int64_t latency_ns, int64_t now_ns);
  void Wakeup(int64_t latency_ns, bool before_ack, int64_t now_ns);

  // For the progress line (any thread).
  uint64_t live_requests() const { return live_requests_.load(std::memory_order_relaxed); }
  uint64_t live_messages() const { return live_messages_.load(std::memory_order_relaxed); }
  uint64_t live_errors() const { return live_errors_.load(std::memory_order_relaxed); }

  // After the thread has ended.
  const Totals& measured() const { return measured_; }

 private:
  bool Counts(int64_t now_ns) const;
  static void Bump(std::atomic<uint64_t>& counter, uint64_t n) {
    counter.store(counter.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }

  RunControl& control_;
  std::atomic<uint64_t> live_requests_{0};
  std::atomic<uint64_t> live_messages_{0};
  std::atomic<uint64_t> live_errors_{0};
  Totals measured_;
};

}  // namespace wharf::bench
