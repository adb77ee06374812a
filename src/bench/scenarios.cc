#include <algorithm>
#include <charconv>
#include <string>

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
  }

  Step Next(RequestWriter& writer, int64_t now_ns) override {
    if (interval_ns_ > 0) {
      if (next_due_ns_ == 0) next_due_ns_ = now_ns;
      if (now_ns < next_due_ns_)
        return Step::Pause(std::chrono::nanoseconds(next_due_ns_ - now_ns));
      // Catch up after a stall, but by at most one second's worth of requests.
      next_due_ns_ = std::max(next_due_ns_, now_ns - 1'000'000'000) + interval_ns_;
    }
    if (config_.timestamp) Stamp(now_ns);
    if (config_.batch == 1) {
      writer.SendMessage(body_);
    } else {
      writer.SendMessageBatch(body_, config_.batch);
    }
    return Step::Request();
  }

  void OnResponse(const Response& r, Recorder& recorder) override {
    if (r.status != 200) return;
    const int failed = r.op == Op::kSendMessageBatch ? RecordBatchFailures(r, recorder) : 0;
    const auto ok = static_cast<uint64_t>(std::max(0, config_.batch - failed));
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
};

class Consumer final : public Workload {
 public:
  explicit Consumer(const ConsumerConfig& config) : config_(config), handles_(kBatch) {}

  Step Next(RequestWriter& writer, int64_t) override {
    if (config_.stop_after_empty > 0 && empty_in_a_row_ >= config_.stop_after_empty) {
      return Step::Done();
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
      ++empty_in_a_row_;
    } else {
      empty_in_a_row_ = 0;
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
  ConsumerConfig config_;
  std::vector<std::string> handles_;  // capacity kept from one receive to the next
  size_t pending_ = 0;                // handles to delete
  int empty_in_a_row_ = 0;
};

// send / send-batch: every connection produces.
class SendScenario final : public Scenario {
 public:
  SendScenario(const ScenarioOptions& o, int batch) : options_(o), batch_(batch) {}
  std::unique_ptr<Workload> MakeWorkload(int, int connections) override {
    ProducerConfig p;
    p.batch = batch_;
    p.body_size = options_.body_size;
    p.rate = options_.rate / connections;
    return MakeProducer(p);
  }
  std::string_view MessageUnit() const override { return "sent"; }

 private:
  ScenarioOptions options_;
  int batch_;
};

// receive-delete: every connection consumes a prefilled queue, until the window ends or the
// queue is drained (three empty receives in a row on every connection).
class ReceiveDeleteScenario final : public Scenario {
 public:
  explicit ReceiveDeleteScenario(const ScenarioOptions& o) : options_(o) {}
  uint64_t Prefill() const override {
    if (options_.prefill > 0) return options_.prefill;
    // With --count, twice the count leaves room for what the warm-up consumes.
    return options_.count > 0 ? 2 * options_.count : 100'000;
  }
  std::unique_ptr<Workload> MakeWorkload(int, int) override {
    return MakeConsumer(ConsumerConfig{.stop_after_empty = 3});
  }
  std::string_view MessageUnit() const override { return "received and deleted"; }

 private:
  ScenarioOptions options_;
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
  static const std::vector<std::string_view> names = {"send", "send-batch", "receive-delete",
                                                      "pipeline", "long-poll"};
  return names;
}

std::unique_ptr<Scenario> MakeScenario(std::string_view name, const ScenarioOptions& options) {
  if (name == "send") return std::make_unique<SendScenario>(options, 1);
  if (name == "send-batch") return std::make_unique<SendScenario>(options, kBatch);
  if (name == "receive-delete") return std::make_unique<ReceiveDeleteScenario>(options);
  if (name == "pipeline") return std::make_unique<PipelineScenario>(options);
  if (name == "long-poll") return MakeLongPollScenario(options);
  return nullptr;
}

}  // namespace wharf::bench
