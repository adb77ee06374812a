#include "bench/report.h"

#include <algorithm>
#include <cstdio>

#include "bench/request_writer.h"

namespace wharf::bench {
namespace {

struct Quantile {
  const char* json_name;
  const char* table_name;
  double percentile;  // < 0: the maximum
};
constexpr Quantile kQuantiles[] = {{"p50", "p50", 50},
                                   {"p90", "p90", 90},
                                   {"p99", "p99", 99},
                                   {"p99.9", "p99.9", 99.9},
                                   {"max", "max", -1}};

double Ms(uint64_t ns) { return static_cast<double>(ns) / 1e6; }
double Value(const Histogram& h, const Quantile& q) {
  return Ms(q.percentile < 0 ? h.max() : h.Percentile(q.percentile));
}
double PerSecond(uint64_t n, double seconds) {
  return seconds > 0 ? static_cast<double>(n) / seconds : 0;
}

template <typename... Args>
void Append(std::string& out, const char* format, Args... args) {
  char buf[512];
  const int n = std::snprintf(buf, sizeof(buf), format, args...);
  if (n > 0) out.append(buf, std::min(static_cast<size_t>(n), sizeof(buf) - 1));
}

void AppendJsonString(std::string& out, std::string_view s) {
  out.push_back('"');
  AppendJsonEscaped(out, s);
  out.push_back('"');
}

void TableRow(std::string& out, std::string_view name, const Histogram& h) {
  if (h.count() == 0) return;
  Append(out, "  %-20.*s", static_cast<int>(name.size()), name.data());
  for (const Quantile& q : kQuantiles) Append(out, " %9.3f", Value(h, q));
  Append(out, " %10llu\n", static_cast<unsigned long long>(h.count()));
}

void JsonLatency(std::string& out, const Histogram& h) {
  out.push_back('{');
  bool first = true;
  for (const Quantile& q : kQuantiles) {
    if (!first) out.push_back(',');
    first = false;
    AppendJsonString(out, q.json_name);
    Append(out, ":%.3f", Value(h, q));
  }
  out.push_back('}');
}

}  // namespace

std::string FormatTable(const Report& r) {
  const Options& o = *r.options;
  const Totals& t = r.totals;
  std::string out;
  Append(out, "wharf bench: %s over %s, %d connection(s) on %d thread(s), %d-byte bodies%s\n",
         r.scenario.c_str(), o.protocol.c_str(), r.connections, r.threads, o.body_size,
         r.interrupted ? " (interrupted)" : "");
  if (r.fifo) Append(out, "FIFO queue, %d message group(s)\n", r.groups);
  Append(out, "endpoint %s, queue %s%s\n", o.endpoint.c_str(), r.queue.c_str(),
         r.queue_deleted ? " (deleted)" : " (kept)");
  Append(out, "  %-20s %12.2f s%s\n", "measured", r.seconds,
         r.drained ? "   (ended early: the queue was drained; raise --prefill to measure longer)"
                   : "");
  Append(out, "  %-20s %12llu   %12.1f msg/s   (%s)\n", "messages",
         static_cast<unsigned long long>(t.messages), PerSecond(t.messages, r.seconds),
         r.message_unit.c_str());
  if (t.sent > 0) {
    Append(out, "  %-20s %12llu   %12.1f msg/s\n", "messages sent",
           static_cast<unsigned long long>(t.sent), PerSecond(t.sent, r.seconds));
  }
  Append(out, "  %-20s %12llu   %12.1f req/s\n", "requests",
         static_cast<unsigned long long>(t.requests), PerSecond(t.requests, r.seconds));
  Append(out, "  %-20s %12llu\n", "errors", static_cast<unsigned long long>(t.errors));
  for (const auto& [code, n] : t.errors_by_code) {
    Append(out, "    %-40s %llu\n", code.c_str(), static_cast<unsigned long long>(n));
  }
  if (t.empty_receives > 0) {
    Append(out, "  %-20s %12llu\n", "empty receives",
           static_cast<unsigned long long>(t.empty_receives));
  }
  Append(out, "latency (ms)          ");
  for (const Quantile& q : kQuantiles) Append(out, " %9s", q.table_name);
  Append(out, " %10s\n", "samples");
  TableRow(out, "all requests", t.AllRequests());
  for (size_t i = 0; i < kOpCount; ++i) TableRow(out, OpName(static_cast<Op>(i)), t.latency[i]);
  TableRow(out, "end-to-end", t.end_to_end);
  TableRow(out, "wake-up", t.wakeup);
  if (t.wakeup.count() > 0) {
    Append(out, "  (%llu wake-up(s) answered before the send's acknowledgement, counted as 0)\n",
           static_cast<unsigned long long>(t.wakeups_before_ack));
  }
  return out;
}

std::string FormatJson(const Report& r) {
  const Options& o = *r.options;
  const Totals& t = r.totals;
  std::string out = "{\"scenario\":";
  AppendJsonString(out, r.scenario);
  out.append(",\"protocol\":");
  AppendJsonString(out, o.protocol);
  out.append(",\"endpoint\":");
  AppendJsonString(out, o.endpoint);
  out.append(",\"queue\":");
  AppendJsonString(out, r.queue);
  Append(out, ",\"connections\":%d,\"threads\":%d,\"body_size\":%d", r.connections, r.threads,
         o.body_size);
  Append(out, ",\"fifo\":%s,\"groups\":%d", r.fifo ? "true" : "false", r.groups);
  Append(out, ",\"duration_s\":%.3f,\"messages\":%llu,\"messages_per_s\":%.1f", r.seconds,
         static_cast<unsigned long long>(t.messages), PerSecond(t.messages, r.seconds));
  if (t.sent > 0) {
    Append(out, ",\"messages_sent\":%llu,\"messages_sent_per_s\":%.1f",
           static_cast<unsigned long long>(t.sent), PerSecond(t.sent, r.seconds));
  }
  Append(out, ",\"requests\":%llu,\"requests_per_s\":%.1f",
         static_cast<unsigned long long>(t.requests), PerSecond(t.requests, r.seconds));
  Append(out, ",\"error_count\":%llu,\"errors\":{", static_cast<unsigned long long>(t.errors));
  bool first = true;
  for (const auto& [code, n] : t.errors_by_code) {
    if (!first) out.push_back(',');
    first = false;
    AppendJsonString(out, code);
    Append(out, ":%llu", static_cast<unsigned long long>(n));
  }
  out.push_back('}');
  if (t.empty_receives > 0) {
    Append(out, ",\"empty_receives\":%llu", static_cast<unsigned long long>(t.empty_receives));
  }
  out.append(",\"latency_ms\":");
  JsonLatency(out, t.AllRequests());
  out.append(",\"latency_ms_by_action\":{");
  first = true;
  for (size_t i = 0; i < kOpCount; ++i) {
    if (t.latency[i].count() == 0) continue;
    if (!first) out.push_back(',');
    first = false;
    AppendJsonString(out, OpName(static_cast<Op>(i)));
    out.push_back(':');
    JsonLatency(out, t.latency[i]);
  }
  out.push_back('}');
  if (t.end_to_end.count() > 0) {
    out.append(",\"end_to_end_latency_ms\":");
    JsonLatency(out, t.end_to_end);
  }
  if (t.wakeup.count() > 0) {
    out.append(",\"wakeup_latency_ms\":");
    JsonLatency(out, t.wakeup);
    Append(out, ",\"wakeups_before_ack\":%llu",
           static_cast<unsigned long long>(t.wakeups_before_ack));
  }
  if (r.interrupted) out.append(",\"interrupted\":true");
  if (r.drained) out.append(",\"queue_drained\":true");
  out.append("}\n");
  return out;
}

}  // namespace wharf::bench
