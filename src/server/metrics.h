#pragma once

// GET /metrics: the server's figures in the Prometheus text format (docs/metrics.md lists every
// metric). The figures stay where they are kept — per-queue CloudWatch counters in each queue
// (sqs::QueueMetrics), commit histograms in the store (storage::CommitStats), connection counts
// in net, SNS delivery counters in sns, request counters here (RequestMetrics) — and a scrape
// reads them all and renders them; nothing is aggregated on the request path.
//
// Label cardinality is bounded: requests by the fixed action table and error catalog; queues
// by `max_queues`. A queue gets a label set of its own the first time a scrape sees it while
// fewer than `max_queues` queues hold one, and keeps it until it is deleted (so its series do not
// come and go); the figures of every other queue are summed under account="_other",
// queue="_other" (account ids are 12 digits, so it is not a real queue's label set), and
// wharf_sqs_metrics_queues_aggregated says how many queues that is.
//
// Threads: Serve()/Render() from any thread (I/O threads), concurrently; a scrape takes each
// queue's lock briefly (as GetQueueAttributes does) and the registry's shared lock once, and
// never a lock on the request path of its own. SetSources() before serving.

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>

#include "common/clock.h"
#include "net/http.h"
#include "server/request_metrics.h"

namespace wharf::net {
class HttpServer;
}
namespace wharf::sqs {
class SqsService;
}
namespace wharf::sns {
class SnsService;
}
namespace wharf::storage {
struct CommitStats;
class Store;
}  // namespace wharf::storage

namespace wharf::server {

class PostgresQueues;

class PrometheusText;

struct MetricsOptions {
  // Queues with label sets of their own; the rest are summed under "_other".
  size_t max_queues = 1000;
  // Non-empty: GET /metrics needs "Authorization: Bearer <token>" (401 otherwise).
  std::string token;
  std::string version;  // wharf_build_info's label
};

// Where the figures come from; any may be null (that part is left out).
struct MetricsSources {
  sqs::SqsService* sqs = nullptr;
  const sns::SnsService* sns = nullptr;
  const storage::CommitStats* commits = nullptr;
  const storage::Store* store = nullptr;  // wharf_storage_healthy
  const net::HttpServer* http = nullptr;
  const PostgresQueues* postgres = nullptr;  // --storage postgres: wharf_postgres_*
};

inline constexpr std::string_view kMetricsPath = "/metrics";
inline constexpr std::string_view kOtherQueues = "_other";

class Metrics {
 public:
  Metrics(const Clock& clock, MetricsOptions options);

  RequestMetrics& requests() { return requests_; }
  const RequestMetrics& requests() const { return requests_; }
  void SetSources(const MetricsSources& sources) { sources_ = sources; }

  // Answers GET /metrics: the exposition, or 401 when a token is set and not presented.
  net::HttpResponse Serve(const net::HttpRequest& request);
  // The exposition text of the figures now.
  std::string Render();

 private:
  void RenderRequests(PrometheusText& out) const;
  void RenderQueues(PrometheusText& out);
  void RenderServer(PrometheusText& out) const;

  const MetricsOptions options_;
  RequestMetrics requests_;
  MetricsSources sources_;

  std::mutex mu_;                          // scrapes only
  std::unordered_set<uint64_t> admitted_;  // ids of queues with label sets of their own
};

}  // namespace wharf::server
