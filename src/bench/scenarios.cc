#include <algorithm>
#include <charconv>
#include <optional>
#include <string>

#include "bench/fifo.h"
#include "bench/response_scan.h"
#include "bench/scenario.h"

namespace wharf::bench {
namespace {

constexpr int kBatch = 10;

// Counts the failed entries of a successful batch answer and records their codes.
int RecordBatchFailures(const Response& r, Recorder& recorder) {
  ValueScanner codes(r.protocol, r.body, "Code");
  std::string_view code;
  int failed = 0;
  while (codes.Next(code)) {
    recorder.Error(code, r.done_ns);
    ++failed;
  }
  return failed;
}

class Producer final : public Workload {
 public:
  explicit Producer(const ProducerConfig& config) : config_(config) {
    body_.assign(static_cast<size_t>(config.body_size), 'x');
    if (config.rate > 0) {
      interval_ns_ = static_cast<int64_t>(1e9 * config.batch / config.rate);
    }
    if (config.fifo_groups > 0) fifo_.emplace(config.fifo_groups, config.fifo_first);
  }

  Step Next(RequestWriter& writer, int64_t now_ns) override {
    if (interval_ns_ > 0) {
      if (next_due_ns_ == 0) next_due_ns_ = now_ns;
      if (now_ns < next_due_ns_)
        return Step::Pause(std::chrono::nanoseconds(next_due_ns_ - now_ns));
      // Catch up after a stall, but by at most one second's worth of requests.
      next_due_ns_ = std::max(next_due_ns_, now_ns - 1'000'000'000) + interval_ns_;
    }
    // With --count, only the messages still to be measured: the last batches may be smaller.
    reservation_ = {static_cast<uint64_t>(config_.batch), false};
    if (config_.count_messages && control_ != nullptr) {
      reservation_ = control_->ReserveMessages(reservation_.messages);
      if (reservation_.messages == 0) return Step::Done();
    }
    const auto entries = static_cast<int>(reservation_.messages);
    if (config_.timestamp) Stamp(now_ns);
    if (config_.batch == 1) {
      writer.SendMessage(body_, fifo_ ? fifo_->Next(1).data() : nullptr);
    } else if (fifo_) {
      writer.SendMessageBatch(body_, entries, fifo_->Next(entries));
    } else {
      writer.SendMessageBatch(body_, entries);
    }
    return Step::Request();
  }

  void Attach(RunControl& control) override { control_ = &control; }

  void OnResponse(const Response& r, Recorder& recorder) override {
    const auto entries = static_cast<int>(reservation_.messages);
    const int failed = r.status != 200                 ? entries
                       : r.op == Op::kSendMessageBatch ? RecordBatchFailures(r, recorder)
                                                       : 0;
    if (reservation_.from_count && failed > 0) {
      control_->ReturnMessages(static_cast<uint64_t>(failed));
    }
    if (r.status != 200) return;
    const auto ok = static_cast<uint64_t>(std::max(0, entries - failed));
    if (config_.count_messages) {
      recorder.Messages(ok, r.done_ns);
    } else {
      recorder.Sent(ok, r.done_ns);
    }
  }

 private:
  // Overwrites the start of the body with "<now_ns>." (the body grows if it is too short).
  void Stamp(int64_t now_ns) {
    char digits[24];
    auto [end, ec] = std::to_chars(digits, digits + sizeof(digits), now_ns);
    (void)ec;
    const size_t n = static_cast<size_t>(end - digits);
    if (body_.size() < n + 1) body_.resize(n + 1, 'x');
    std::copy(digits, end, body_.begin());
    body_[n] = '.';
  }

  ProducerConfig config_;
  std::string body_;
  int64_t interval_ns_ = 0;
  int64_t next_due_ns_ = 0;
  std::optional<FifoSequence> fifo_;
  RunControl* control_ = nullptr;
  RunControl::Reservation reservation_;  // of the request in flight
};

class Consumer final : public Workload {
 public:
  explicit Consumer(const ConsumerConfig& config) : config_(config), handles_(kBatch) {}

  Step Next(RequestWriter& writer, int64_t now_ns) override {
    if (config_.stop_after_empty > 0 && empty_in_a_row_ >= config_.stop_after_empty) {
      DrainWatch* watch = config_.drain_watch;
      if (watch == nullptr) return Step::Done();
      if (watch->holding.load(std::memory_order_acquire) == 0 &&
          watch->last_activity_ns.load(std::memory_order_acquire) == streak_mark_) {
        // FIFO and nothing happened since the streak began.
        if (now_ns - streak_since_ns_ >= DrainWatch::kQuietNs) return Step::Done();
        quiet_pause_ = !quiet_pause_;
        if (quiet_pause_) return Step::Pause(DrainWatch::kQuietPoll);
      }
    }
    if (pending_ > 0) {
      writer.DeleteMessageBatch(handles_, pending_);
    } else {
      writer.ReceiveMessage(kBatch, config_.wait_seconds);
    }
    return Step::Request();
  }

  void OnResponse(const Response& r, Recorder& recorder) override {
    if (r.op == Op::kDeleteMessageBatch) {
      if (config_.drain_watch != nullptr) {
        config_.drain_watch->last_activity_ns.store(r.done_ns, std::memory_order_release);
        config_.drain_watch->holding.fetch_sub(1, std::memory_order_acq_rel);
      }
      if (r.status == 200) {
        const int failed = RecordBatchFailures(r, recorder);
        recorder.Messages(static_cast<uint64_t>(std::max(0, static_cast<int>(pending_) - failed)),
                          r.done_ns);
      }
      // On failure the messages come back after their visibility timeout.
      pending_ = 0;
      return;
    }
    if (r.status != 200) return;
    ValueScanner handles(r.protocol, r.body, "ReceiptHandle");
    std::string_view raw;
    while (pending_ < handles_.size() && handles.Next(raw)) {
      std::string& handle = handles_[pending_++];
      handle.clear();
      UnescapeTo(r.protocol, raw, handle);
    }
    if (pending_ == 0) {
      recorder.EmptyReceive(r.done_ns);
      CountEmpty(r.done_ns);
    } else {
      empty_in_a_row_ = 0;
      if (config_.drain_watch != nullptr) {
        config_.drain_watch->holding.fetch_add(1, std::memory_order_acq_rel);
        config_.drain_watch->last_activity_ns.store(r.done_ns, std::memory_order_release);
      }
    }
    if (config_.end_to_end) {
      ValueScanner bodies(r.protocol, r.body, "Body");
      while (bodies.Next(raw)) {
        int64_t sent = 0;
        auto [end, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), sent);
        if (ec == std::errc() && end != raw.data() && end < raw.data() + raw.size() &&
            *end == '.') {
          recorder.EndToEnd(r.done_ns - sent, r.done_ns);
        }
      }
    }
  }

 private:
  void CountEmpty(int64_t now_ns) {
    DrainWatch* watch = config_.drain_watch;
    if (watch == nullptr) {
      ++empty_in_a_row_;
      return;
    }
    // FIFO: the receive only counts while nobody holds messages (their groups are blocked),
    // and the streak restarts whenever some consumer received or deleted messages.
    if (watch->holding.load(std::memory_order_acquire) > 0) {
      empty_in_a_row_ = 0;
      return;
    }
    const int64_t activity = watch->last_activity_ns.load(std::memory_order_acquire);
    if (activity != streak_mark_ || empty_in_a_row_ == 0) {
      empty_in_a_row_ = 0;
      streak_mark_ = activity;
      streak_since_ns_ = now_ns;
    }
    ++empty_in_a_row_;
  }

  ConsumerConfig config_;
  std::vector<std::string> handles_;  // capacity kept from one receive to the next
  size_t pending_ = 0;                // handles to delete
  int empty_in_a_row_ = 0;
  int64_t streak_mark_ = 0;      // FIFO: the shared last activity when the streak began
  int64_t streak_since_ns_ = 0;  // FIFO: when the streak began
  bool quiet_pause_ = false;     // FIFO: alternates pauses and receives while waiting for quiet
};

// FIFO producers: connection `index` starts its round-robin `index` batches further on, so the
// connections do not all begin on the same groups.
void SetFifo(ProducerConfig& p, const ScenarioOptions& o, int index) {
  if (!o.fifo) return;
  p.fifo_groups = o.groups;
  p.fifo_first = static_cast<uint64_t>(index) * static_cast<uint64_t>(p.batch);
}

// send / send-batch (and fifo: send-batch on a FIFO queue): every connection produces.
class SendScenario final : public Scenario {
 public:
  SendScenario(const ScenarioOptions& o, int batch) : options_(o), batch_(batch) {}
  std::unique_ptr<Workload> MakeWorkload(int index, int connections) override {
    ProducerConfig p;
    p.batch = batch_;
    p.body_size = options_.body_size;
    p.rate = options_.rate / connections;
    SetFifo(p, options_, index);
    return MakeProducer(p);
  }
  std::string_view MessageUnit() const override { return "sent"; }

 private:
  ScenarioOptions options_;
  int batch_;
};

// receive-delete: every connection consumes a prefilled queue, until the window ends or the
// queue is drained (three empty receives in a row on every connection; on a FIFO queue, see
// DrainWatch). On a FIFO queue at most one batch per group is in flight: with fewer groups than
// connections the others receive nothing meanwhile, which is the semantics, not a bug.
class ReceiveDeleteScenario final : public Scenario {
 public:
  explicit ReceiveDeleteScenario(const ScenarioOptions& o) : options_(o) {}
  uint64_t Prefill() const override {
    if (options_.prefill > 0) return options_.prefill;
    // With --count, twice the count leaves room for what the warm-up consumes.
    return options_.count > 0 ? 2 * options_.count : 100'000;
  }
  std::unique_ptr<Workload> MakeWorkload(int, int) override {
    return MakeConsumer(ConsumerConfig{.stop_after_empty = 3,
                                       .drain_watch = options_.fifo ? &drain_watch_ : nullptr});
  }
  std::string_view MessageUnit() const override { return "received and deleted"; }

 private:
  ScenarioOptions options_;
  DrainWatch drain_watch_;
};

// pipeline: the first half of the connections produce batches of timestamped messages, the
// rest consume them with 1-second long polls.
class PipelineScenario final : public Scenario {
 public:
  explicit PipelineScenario(const ScenarioOptions& o) : options_(o) {}
  int Connections(int requested) const override { return std::max(2, requested); }
  std::unique_ptr<Workload> MakeWorkload(int index, int connections) override {
    const int producers = connections / 2;
    if (index < producers) {
      ProducerConfig p;
      p.batch = kBatch;
      p.body_size = options_.body_size;
      p.rate = options_.rate / producers;
      p.timestamp = true;
      p.count_messages = false;
      SetFifo(p, options_, index);
      return MakeProducer(p);
    }
    return MakeConsumer(ConsumerConfig{.wait_seconds = 1, .end_to_end = true});
  }
  std::string_view MessageUnit() const override { return "consumed"; }

 private:
  ScenarioOptions options_;
};

}  // namespace

std::unique_ptr<Workload> MakeProducer(const ProducerConfig& config) {
  return std::make_unique<Producer>(config);
}

std::unique_ptr<Workload> MakeConsumer(const ConsumerConfig& config) {
  return std::make_unique<Consumer>(config);
}

const std::vector<std::string_view>& ScenarioNames() {
  static const std::vector<std::string_view> names = {"send",           "send-batch", "fifo",
                                                      "receive-delete", "pipeline",   "long-poll"};
  return names;
}

bool ScenarioIsFifo(std::string_view name) { return name == "fifo"; }

std::unique_ptr<Scenario> MakeScenario(std::string_view name, const ScenarioOptions& options) {
  if (name == "send") return std::make_unique<SendScenario>(options, 1);
  if (name == "send-batch") return std::make_unique<SendScenario>(options, kBatch);
  if (name == "fifo") {
    ScenarioOptions fifo = options;
    fifo.fifo = true;
    return std::make_unique<SendScenario>(fifo, kBatch);
  }
  if (name == "receive-delete") return std::make_unique<ReceiveDeleteScenario>(options);
  if (name == "pipeline") return std::make_unique<PipelineScenario>(options);
  if (name == "long-poll") return MakeLongPollScenario(options);
  return nullptr;
}

}  // namespace wharf::bench
