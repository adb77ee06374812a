#include "bench/recorder.h"

#include <algorithm>
#include <chrono>

namespace wharf::bench {

int64_t NowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void RunControl::StartMeasuring(int64_t now_ns) {
  start_ns_.store(now_ns, std::memory_order_release);
  int expected = static_cast<int>(Phase::kWarmup);
  phase_.compare_exchange_strong(expected, static_cast<int>(Phase::kMeasuring),
                                 std::memory_order_acq_rel);
}

void RunControl::EndMeasuring(int64_t now_ns) {
  const int old = phase_.exchange(static_cast<int>(Phase::kDraining), std::memory_order_acq_rel);
  if (old == static_cast<int>(Phase::kDraining)) return;
  if (old == static_cast<int>(Phase::kWarmup)) start_ns_.store(now_ns, std::memory_order_release);
  end_ns_.store(now_ns, std::memory_order_release);
}

void RunControl::AddMessages(uint64_t n, int64_t now_ns) {
  if (target_messages_ == 0) return;
  const uint64_t before = messages_.fetch_add(n, std::memory_order_relaxed);
  if (before < target_messages_ && before + n >= target_messages_) EndMeasuring(now_ns);
}

RunControl::Reservation RunControl::ReserveMessages(uint64_t wanted) {
  if (target_messages_ == 0 || phase() != Phase::kMeasuring) return {wanted, false};
  uint64_t reserved = reserved_.load(std::memory_order_relaxed);
  uint64_t granted = 0;
  do {
    granted = reserved >= target_messages_ ? 0 : std::min(wanted, target_messages_ - reserved);
  } while (granted > 0 && !reserved_.compare_exchange_weak(reserved, reserved + granted,
                                                           std::memory_order_relaxed));
  return {granted, true};
}

void RunControl::ReturnMessages(uint64_t n) { reserved_.fetch_sub(n, std::memory_order_relaxed); }

void Totals::Merge(const Totals& other) {
  requests += other.requests;
  messages += other.messages;
  sent += other.sent;
  errors += other.errors;
  empty_receives += other.empty_receives;
  wakeups_before_ack += other.wakeups_before_ack;
  last_message_ns = std::max(last_message_ns, other.last_message_ns);
  for (size_t i = 0; i < latency.size(); ++i) latency[i].Merge(other.latency[i]);
  end_to_end.Merge(other.end_to_end);
  wakeup.Merge(other.wakeup);
  for (const auto& [code, n] : other.errors_by_code) errors_by_code[code] += n;
}

Histogram Totals::AllRequests() const {
  Histogram all;
  for (const Histogram& h : latency) all.Merge(h);
  return all;
}

bool Recorder::Counts(int64_t now_ns) const {
  // A sample counts if it completed inside [start, end]; the end is 0 while measuring.
  const Phase phase = control_.phase();
  if (phase == Phase::kWarmup) return false;
  if (phase == Phase::kMeasuring) return true;
  const int64_t end = control_.end_ns();
  return end == 0 || now_ns <= end;
}

void Recorder::Request(Op op, int64_t sent_ns, int64_t done_ns, std::string_view error_code) {
  Bump(live_requests_, 1);
  if (!error_code.empty()) Bump(live_errors_, 1);
  if (!Counts(done_ns)) return;
  ++measured_.requests;
  measured_.latency[static_cast<size_t>(op)].Record(
      static_cast<uint64_t>(std::max<int64_t>(0, done_ns - sent_ns)));
  if (!error_code.empty()) {
    ++measured_.errors;
    auto it = measured_.errors_by_code.find(error_code);
    if (it == measured_.errors_by_code.end()) {
      measured_.errors_by_code.emplace(std::string(error_code), 1);
    } else {
      ++it->second;
    }
  }
}

void Recorder::Error(std::string_view code, int64_t now_ns) {
  Bump(live_errors_, 1);
  if (!Counts(now_ns)) return;
  ++measured_.errors;
  auto it = measured_.errors_by_code.find(code);
  if (it == measured_.errors_by_code.end()) {
    measured_.errors_by_code.emplace(std::string(code), 1);
  } else {
    ++it->second;
  }
}

void Recorder::Messages(uint64_t n, int64_t now_ns) {
  Bump(live_messages_, n);
  if (!Counts(now_ns)) return;
  measured_.messages += n;
  measured_.last_message_ns = std::max(measured_.last_message_ns, now_ns);
  control_.AddMessages(n, now_ns);
}

void Recorder::Sent(uint64_t n, int64_t now_ns) {
  if (Counts(now_ns)) measured_.sent += n;
}

void Recorder::EmptyReceive(int64_t now_ns) {
  if (Counts(now_ns)) ++measured_.empty_receives;
}

void Recorder::EndToEnd(int64_t latency_ns, int64_t now_ns) {
  if (Counts(now_ns))
    measured_.end_to_end.Record(static_cast<uint64_t>(std::max<int64_t>(0, latency_ns)));
}

void Recorder::Wakeup(int64_t latency_ns, bool before_ack, int64_t now_ns) {
  if (!Counts(now_ns)) return;
  measured_.wakeup.Record(static_cast<uint64_t>(std::max<int64_t>(0, latency_ns)));
  if (before_ack) ++measured_.wakeups_before_ack;
}

}  // namespace wharf::bench
