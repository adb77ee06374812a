// `wharf bench` from options to report: create the queue, prefill it, run the scenario (warm-up
// then measurement), delete the queue, print the report.

#include <signal.h>

#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bench/admin.h"
#include "bench/bench.h"
#include "bench/report.h"
#include "bench/runner.h"
#include "bench/scenario.h"
#include "common/ids.h"

namespace wharf::bench {
namespace {

constexpr int kPrefillBatch = 10;

struct Endpoint {
  HostPort server;
  std::string host_header;
};

// "http://host[:port][/]" (IPv6 hosts in brackets).
std::optional<Endpoint> ParseEndpoint(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (url.substr(0, kScheme.size()) != kScheme) return std::nullopt;
  std::string_view authority = url.substr(kScheme.size());
  authority = authority.substr(0, authority.find('/'));
  if (authority.empty()) return std::nullopt;
  Endpoint e;
  e.host_header = std::string(authority);
  std::string_view host = authority;
  std::string_view port = "80";
  if (authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = authority.substr(1, close - 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return std::nullopt;
      port = authority.substr(close + 2);
    }
  } else if (const size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty() || port.empty()) return std::nullopt;
  e.server = HostPort{std::string(host), std::string(port)};
  return e;
}

void OnInterrupt(int) { RequestInterrupt(); }

std::string RandomSuffix() {
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%08llx",
                static_cast<unsigned long long>(RandomU64() & 0xffffffffULL));
  return buf;
}

}  // namespace

int Run(const Options& o) {
  const auto endpoint = ParseEndpoint(o.endpoint);
  if (!endpoint) {
    std::fprintf(stderr,
                 "wharf bench: --endpoint must look like http://host:port (https is not "
                 "supported)\n");
    return 2;
  }
  ScenarioOptions scenario_options;
  scenario_options.body_size = o.body_size;
  scenario_options.rate = o.rate;
  scenario_options.prefill = o.prefill;
  scenario_options.count = o.count;
  scenario_options.fifo = o.fifo || ScenarioIsFifo(o.scenario);
  scenario_options.groups = o.groups;
  if (!scenario_options.fifo && o.groups != 1) {
    std::fprintf(stderr, "wharf bench: --groups needs a FIFO queue (--fifo)\n");
    return 2;
  }
  std::unique_ptr<Scenario> scenario = MakeScenario(o.scenario, scenario_options);
  if (!scenario) {
    std::fprintf(stderr, "wharf bench: unknown scenario %s\n", o.scenario.c_str());
    return 2;
  }
  const int connections = scenario->Connections(o.connections);

  Target target;
  target.protocol = o.protocol == "query" ? WireProtocol::kQuery : WireProtocol::kJson;
  target.host = endpoint->host_header;
  target.region = o.region;
  target.access_key = o.access_key;
  target.secret_key = o.secret_key;

  signal(SIGPIPE, SIG_IGN);
  signal(SIGINT, OnInterrupt);

  const bool fifo = scenario_options.fifo;
  std::string queue = o.queue;
  if (queue.empty()) queue.append("bench-").append(o.scenario).append("-").append(RandomSuffix());
  constexpr std::string_view kFifoSuffix = ".fifo";
  if (fifo && !std::string_view(queue).ends_with(kFifoSuffix)) queue.append(kFifoSuffix);
  std::vector<QueueAttribute> attributes;
  if (fifo) attributes.push_back({"FifoQueue", "true"});
  if (!o.kms_key.empty()) attributes.push_back({"KmsMasterKeyId", o.kms_key});
  const AdminResult created = CreateQueue(endpoint->server, target, queue, attributes);
  if (!created.ok) {
    std::fprintf(stderr, "wharf bench: CreateQueue %s failed: %s\n", queue.c_str(),
                 created.error.c_str());
    return 1;
  }
  const std::string& queue_url = created.value;

  LoadPlan plan;
  plan.server = endpoint->server;
  plan.target = target;
  plan.queue_url = queue_url;
  plan.threads = o.threads;
  plan.progress = o.progress;

  bool interrupted = false;
  if (const uint64_t prefill = scenario->Prefill(); prefill > 0) {
    LoadPlan fill = plan;
    fill.label = "prefill";
    fill.connections = o.connections;
    fill.count = prefill;
    fill.make_workload = [&](int index) {
      ProducerConfig p;
      p.batch = kPrefillBatch;
      p.body_size = o.body_size;
      if (fifo) {
        p.fifo_groups = o.groups;
        p.fifo_first = static_cast<uint64_t>(index) * kPrefillBatch;
      }
      return MakeProducer(p);
    };
    if (o.progress) {
      std::fprintf(stderr, "wharf bench: prefilling %s with %llu messages\n", queue.c_str(),
                   static_cast<unsigned long long>(prefill));
    }
    const LoadResult filled = RunLoad(fill);
    interrupted = filled.interrupted;
    if (!filled.ok) {
      std::fprintf(stderr, "wharf bench: %s\n", filled.error.c_str());
      return 1;
    }
  }

  LoadResult result;
  if (!interrupted) {
    plan.label = o.scenario;
    plan.connections = connections;
    plan.warmup = o.warmup;
    plan.duration = o.duration;
    plan.count = o.count;
    plan.make_workload = [&](int index) { return scenario->MakeWorkload(index, connections); };
    result = RunLoad(plan);
    if (!result.ok) {
      std::fprintf(stderr, "wharf bench: %s\n", result.error.c_str());
      return 1;
    }
  }

  bool deleted = false;
  if (!o.keep_queue) {
    const AdminResult gone = DeleteQueue(endpoint->server, target, queue_url);
    deleted = gone.ok;
    if (!gone.ok) {
      std::fprintf(stderr, "wharf bench: DeleteQueue %s failed: %s\n", queue.c_str(),
                   gone.error.c_str());
    }
  }

  Report report;
  report.options = &o;
  report.scenario = o.scenario;
  report.fifo = fifo;
  report.groups = o.groups;
  report.message_unit = std::string(scenario->MessageUnit());
  report.connections = connections;
  report.threads = std::max(1, std::min(o.threads, connections));
  report.queue = queue;
  report.queue_deleted = deleted;
  report.interrupted = interrupted || result.interrupted;
  report.drained = result.finished_early;
  report.seconds = result.seconds;
  report.totals = std::move(result.totals);
  const std::string table = FormatTable(report);
  if (o.json) {
    std::fputs(table.c_str(), stderr);
    std::fputs(FormatJson(report).c_str(), stdout);
  } else {
    std::fputs(table.c_str(), stdout);
  }
  return 0;
}

}  // namespace wharf::bench
