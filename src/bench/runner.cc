#include "bench/runner.h"

#include <algorithm>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdio>
#include <thread>
#include <vector>

#include "bench/connection.h"

namespace wharf::bench {
namespace {

namespace asio = boost::asio;

constexpr std::chrono::milliseconds kWatchInterval{100};
constexpr std::chrono::milliseconds kMainTick{10};
// After the window ends, in-flight requests may finish for this long before sockets are closed.
constexpr std::chrono::seconds kDrainGrace{2};

std::atomic<bool> interrupted{false};

// One I/O thread: its event loop, its connections and what they record.
struct IoThread {
  explicit IoThread(RunControl& control) : io(1), watchdog(io), recorder(control) {}

  void Watch() {
    watchdog.expires_after(kWatchInterval);
    watchdog.async_wait([this](const boost::system::error_code&) {
      const int64_t now = NowNanos();
      bool all_finished = true;
      for (auto& c : connections) {
        c->Watch(now);
        all_finished = all_finished && c->finished();
      }
      if (!all_finished) Watch();
    });
  }

  asio::io_context io;
  asio::steady_timer watchdog;
  Recorder recorder;
  std::vector<std::unique_ptr<Connection>> connections;
  std::thread thread;
  std::atomic<bool> done{false};
};

// Progress on stderr once per second: rates over the last second.
class Progress {
 public:
  Progress(const LoadPlan& plan, const std::vector<std::unique_ptr<IoThread>>& threads)
      : plan_(plan), threads_(threads), last_ns_(NowNanos()), begin_ns_(last_ns_) {}

  void MaybePrint(const RunControl& control, int64_t now_ns) {
    if (!plan_.progress || now_ns - last_ns_ < 1'000'000'000) return;
    uint64_t requests = 0, messages = 0, errors = 0;
    for (const auto& t : threads_) {
      requests += t->recorder.live_requests();
      messages += t->recorder.live_messages();
      errors += t->recorder.live_errors();
    }
    const double dt = static_cast<double>(now_ns - last_ns_) / 1e9;
    const char* phase = control.phase() == Phase::kWarmup ? " (warm-up)" : "";
    std::fprintf(stderr, "[%s %3.0fs%s] %10.0f msg/s %9.0f req/s  errors %llu\n",
                 plan_.label.c_str(), static_cast<double>(now_ns - begin_ns_) / 1e9, phase,
                 static_cast<double>(messages - messages_) / dt,
                 static_cast<double>(requests - requests_) / dt,
                 static_cast<unsigned long long>(errors));
    requests_ = requests;
    messages_ = messages;
    last_ns_ = now_ns;
  }

 private:
  const LoadPlan& plan_;
  const std::vector<std::unique_ptr<IoThread>>& threads_;
  int64_t last_ns_;
  int64_t begin_ns_;
  uint64_t requests_ = 0;
  uint64_t messages_ = 0;
};

bool AllDone(const std::vector<std::unique_ptr<IoThread>>& threads) {
  for (const auto& t : threads) {
    if (!t->done.load(std::memory_order_acquire)) return false;
  }
  return true;
}

}  // namespace

void RequestInterrupt() { interrupted.store(true, std::memory_order_relaxed); }

LoadResult RunLoad(const LoadPlan& plan) {
  LoadResult result;
  ConnectionConfig config;
  config.target = plan.target;
  config.queue_url = plan.queue_url;
  {
    asio::io_context io;
    asio::ip::tcp::resolver resolver(io);
    boost::system::error_code ec;
    config.endpoints = resolver.resolve(plan.server.host, plan.server.port, ec);
    if (ec) {
      result.error = "cannot resolve " + plan.server.host + ": " + ec.message();
      return result;
    }
  }

  RunControl control(plan.count);
  const int thread_count = std::max(1, std::min(plan.threads, plan.connections));
  std::vector<std::unique_ptr<IoThread>> threads;
  for (int i = 0; i < thread_count; ++i) threads.push_back(std::make_unique<IoThread>(control));
  for (int i = 0; i < plan.connections; ++i) {
    IoThread& t = *threads[static_cast<size_t>(i % thread_count)];
    t.connections.push_back(
        std::make_unique<Connection>(t.io, config, plan.make_workload(i), t.recorder, control));
  }

  const int64_t begin_ns = NowNanos();
  if (plan.warmup.count() == 0) control.StartMeasuring(begin_ns);
  for (auto& t : threads) {
    for (auto& c : t->connections) c->Start();
    t->Watch();
    IoThread* raw = t.get();
    t->thread = std::thread([raw] {
      raw->io.run();
      raw->done.store(true, std::memory_order_release);
    });
  }

  Progress progress(plan, threads);
  const int64_t warmup_end = begin_ns + std::chrono::nanoseconds(plan.warmup).count();
  int64_t drain_deadline = 0;
  while (!AllDone(threads)) {
    std::this_thread::sleep_for(kMainTick);
    const int64_t now = NowNanos();
    progress.MaybePrint(control, now);
    const Phase phase = control.phase();
    if (phase == Phase::kWarmup && now >= warmup_end) control.StartMeasuring(now);
    if (phase != Phase::kDraining && interrupted.load(std::memory_order_relaxed)) {
      result.interrupted = true;
      control.EndMeasuring(now);
    }
    if (phase == Phase::kMeasuring && plan.count == 0 &&
        now >= control.start_ns() + std::chrono::nanoseconds(plan.duration).count()) {
      control.EndMeasuring(now);
    }
    if (control.phase() == Phase::kDraining) {
      if (drain_deadline == 0) drain_deadline = now + std::chrono::nanoseconds(kDrainGrace).count();
      if (now >= drain_deadline) control.ForceClose();
    }
  }
  for (auto& t : threads) t->thread.join();
  // Every connection finished on its own (a drained queue): the window closes now.
  result.finished_early = control.phase() != Phase::kDraining;
  control.EndMeasuring(NowNanos());

  for (const auto& t : threads) result.totals.Merge(t->recorder.measured());
  int64_t end_ns = control.end_ns();
  // A drained queue: the work ended with the last message, not when the connections had made
  // sure the queue was empty (on a FIFO queue that takes a quiet period, see DrainWatch).
  if (result.finished_early && result.totals.last_message_ns > control.start_ns()) {
    end_ns = std::min(end_ns, result.totals.last_message_ns);
  }
  result.seconds = static_cast<double>(end_ns - control.start_ns()) / 1e9;
  result.ok = true;
  return result;
}

}  // namespace wharf::bench
