// The long-poll scenario: how fast a parked ReceiveMessage wakes up when a message arrives.
//
// One connection parks ReceiveMessage(WaitTimeSeconds=20) on an empty queue; the other waits a
// short random pause (so the receive is surely parked on the server), sends one message, and
// notes when the send is acknowledged. The wake-up latency is the time from that
// acknowledgement to the parked receive's answer; when the answer arrives first (the server
// woke the receiver before acknowledging the send) it counts as 0 and is reported separately.
// The receiver then deletes the message and parks again. On a FIFO queue (--fifo) the sender's
// messages go round-robin over the groups, each with a unique deduplication id.

#include <mutex>
#include <optional>
#include <string>

#include "bench/fifo.h"
#include "bench/response_scan.h"
#include "bench/scenario.h"
#include "common/ids.h"

namespace wharf::bench {
namespace {

constexpr int kWaitSeconds = 20;
constexpr int64_t kMinPauseNs = 20'000'000;  // 20 ms
constexpr int64_t kPauseSpreadNs = 30'000'000;
constexpr std::chrono::milliseconds kPoll{1};

// What the two connections of a pair share; they may run on different threads.
struct PairState {
  std::mutex mu;
  bool parked = false;    // a receive is outstanding
  bool sent = false;      // this round's message has been sent
  int64_t ack_ns = 0;     // this round's send acknowledged at
  int64_t answer_ns = 0;  // this round's receive answered at

  // Called with mu held by whichever side completes the round second.
  void CompleteRound(Recorder& recorder, int64_t now_ns) {
    recorder.Wakeup(answer_ns - ack_ns, answer_ns < ack_ns, now_ns);
    recorder.Messages(1, now_ns);
    sent = false;
    ack_ns = 0;
    answer_ns = 0;
  }
};

class Receiver final : public Workload {
 public:
  explicit Receiver(PairState& pair) : pair_(pair) {}

  Step Next(RequestWriter& writer, int64_t) override {
    if (handle_) {
      writer.DeleteMessage(*handle_);
      return Step::Request();
    }
    {
      std::lock_guard lock(pair_.mu);
      pair_.parked = true;
    }
    writer.ReceiveMessage(1, kWaitSeconds);
    return Step::Request();
  }

  void OnResponse(const Response& r, Recorder& recorder) override {
    if (r.op == Op::kDeleteMessage) {
      handle_.reset();
      return;
    }
    std::string_view raw;
    const bool got = r.status == 200 && ValueScanner(r.protocol, r.body, "ReceiptHandle").Next(raw);
    std::lock_guard lock(pair_.mu);
    pair_.parked = false;
    if (!got) return;  // waited 20 s in vain, or failed: park again
    handle_.emplace();
    UnescapeTo(r.protocol, raw, *handle_);
    pair_.answer_ns = r.done_ns;
    if (pair_.ack_ns != 0) pair_.CompleteRound(recorder, r.done_ns);
  }

 private:
  PairState& pair_;
  std::optional<std::string> handle_;
};

class Sender final : public Workload {
 public:
  Sender(PairState& pair, int body_size, int fifo_groups)
      : pair_(pair), body_(static_cast<size_t>(body_size), 'x') {
    if (fifo_groups > 0) fifo_.emplace(fifo_groups, 0);
  }

  Step Next(RequestWriter& writer, int64_t) override {
    bool ready = false;
    {
      std::lock_guard lock(pair_.mu);
      ready = pair_.parked && !pair_.sent;
      if (ready && paused_) pair_.sent = true;
    }
    if (!ready) {
      paused_ = false;
      return Step::Pause(kPoll);
    }
    if (!paused_) {
      paused_ = true;
      const auto spread = static_cast<int64_t>(RandomU64() % kPauseSpreadNs);
      return Step::Pause(std::chrono::nanoseconds(kMinPauseNs + spread));
    }
    paused_ = false;
    writer.SendMessage(body_, fifo_ ? fifo_->Next(1).data() : nullptr);
    return Step::Request();
  }

  void OnResponse(const Response& r, Recorder& recorder) override {
    std::lock_guard lock(pair_.mu);
    if (r.status != 200) {
      pair_.sent = false;  // try again, as a new round
      pair_.answer_ns = 0;
      return;
    }
    pair_.ack_ns = r.done_ns;
    if (pair_.answer_ns != 0) pair_.CompleteRound(recorder, r.done_ns);
  }

 private:
  PairState& pair_;
  std::string body_;
  bool paused_ = false;
  std::optional<FifoSequence> fifo_;
};

class LongPollScenario final : public Scenario {
 public:
  explicit LongPollScenario(const ScenarioOptions& o) : options_(o) {}
  int Connections(int) const override { return 2; }
  std::unique_ptr<Workload> MakeWorkload(int index, int) override {
    if (index == 0) return std::make_unique<Receiver>(pair_);
    return std::make_unique<Sender>(pair_, options_.body_size, options_.fifo ? options_.groups : 0);
  }
  std::string_view MessageUnit() const override { return "wake-ups"; }

 private:
  ScenarioOptions options_;
  PairState pair_;
};

}  // namespace

std::unique_ptr<Scenario> MakeLongPollScenario(const ScenarioOptions& options) {
  return std::make_unique<LongPollScenario>(options);
}

}  // namespace wharf::bench
