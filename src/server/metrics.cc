#include "server/metrics.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <map>
#include <vector>

#include "api/service_name.h"
#include "net/http_server.h"
#include "server/allocator_stats.h"
#include "server/postgres_queues.h"
#include "server/prometheus_text.h"
#include "sns/service.h"
#include "sqs/service.h"
#include "storage/store.h"

namespace wharf::server {
namespace {

// The error's name as AWS's service models (and so the SDKs' exception classes) spell it: the
// shape name of its JSON __type, e.g. "QueueDoesNotExist", "AccessDeniedException".
std::string_view CodeLabel(api::ErrorCode code) {
  std::string_view type = api::InfoOf(code).json_type;
  const size_t hash = type.rfind('#');
  return hash == std::string_view::npos ? type : type.substr(hash + 1);
}

// One queue's figures at the time of a scrape (or the sum of the queues beyond the cap).
struct QueueFigures {
  std::string_view account;
  std::string_view name;
  sqs::QueueCounters counters;
  uint64_t sent = 0;
  uint64_t received = 0;
  uint64_t deleted = 0;
  uint64_t empty_receives = 0;
  HistogramSnapshot sent_size;

  void Add(const QueueFigures& other) {
    counters.visible += other.counters.visible;
    counters.in_flight += other.counters.in_flight;
    counters.delayed += other.counters.delayed;
    counters.oldest_age_seconds =
        std::max(counters.oldest_age_seconds, other.counters.oldest_age_seconds);
    sent += other.sent;
    received += other.received;
    deleted += other.deleted;
    empty_receives += other.empty_receives;
    sent_size.Add(other.sent_size);
  }
};

QueueFigures FiguresOf(sqs::QueueBackend& queue) {
  QueueFigures f;
  f.account = queue.identity().account_id;
  f.name = queue.identity().name;
  f.counters = queue.Counters();
  const sqs::QueueMetrics& m = queue.metrics();
  f.sent = m.sent.load(std::memory_order_relaxed);
  f.received = m.received.load(std::memory_order_relaxed);
  f.deleted = m.deleted.load(std::memory_order_relaxed);
  f.empty_receives = m.empty_receives.load(std::memory_order_relaxed);
  f.sent_size = m.sent_size.Snapshot();
  return f;
}

bool SameSecret(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

// --storage postgres: the guard-rails of storage.md §4.2/§5.5 as last sampled, and this node's
// pool, workers and parked long polls.
void WritePostgres(PrometheusText& out, const PostgresQueues::Health& h) {
  out.Family("wharf_postgres_up", "gauge",
             "1 while the queue database answered the last health reading (every 5 s); 0 when "
             "it did not (the figures below are then from the last reading that succeeded).");
  out.Sample("wharf_postgres_up", {}, uint64_t{h.reachable ? 1u : 0u});
  out.Family("wharf_postgres_oldest_snapshot_seconds", "gauge",
             "Age of the oldest transaction holding a snapshot on the database: a long one keeps "
             "vacuum from removing deleted messages and slows every receive (storage.md).");
  out.Sample("wharf_postgres_oldest_snapshot_seconds", {}, h.oldest_snapshot_s);
  out.Family("wharf_postgres_oldest_snapshot_xids", "gauge",
             "The same age in transactions (xid age of the oldest backend_xmin).");
  out.Sample("wharf_postgres_oldest_snapshot_xids", {}, h.oldest_snapshot_xids);
  out.Family("wharf_postgres_message_dead_tuples", "gauge",
             "Dead rows in the message table not yet vacuumed (n_dead_tup).");
  out.Sample("wharf_postgres_message_dead_tuples", {}, h.message_dead_tuples);
  out.Family("wharf_postgres_notify_queue_usage_ratio", "gauge",
             "How full PostgreSQL's NOTIFY queue is (0..1); long-poll wake-ups use it.");
  out.Sample("wharf_postgres_notify_queue_usage_ratio", {}, h.notify_queue_usage);
  out.Family("wharf_postgres_pool_connections", "gauge",
             "This node's connections to the database: open (idle and lent) and idle, of at most "
             "max (--postgres-pool-size).");
  out.Sample("wharf_postgres_pool_connections", {{"state", "open"}}, uint64_t{h.pool_open});
  out.Sample("wharf_postgres_pool_connections", {{"state", "idle"}}, uint64_t{h.pool_idle});
  out.Sample("wharf_postgres_pool_connections", {{"state", "max"}}, uint64_t{h.pool_max});
  out.Family("wharf_postgres_worker_queue", "gauge",
             "Queue operations waiting for a worker thread (one per pooled connection).");
  out.Sample("wharf_postgres_worker_queue", {}, uint64_t{h.worker_queue});
  out.Family("wharf_postgres_long_polls", "gauge", "Receives parked waiting for messages.");
  out.Sample("wharf_postgres_long_polls", {}, uint64_t{h.long_polls});
}

}  // namespace

Metrics::Metrics(const Clock& clock, MetricsOptions options)
    : options_(std::move(options)), requests_(clock) {}

net::HttpResponse Metrics::Serve(const net::HttpRequest& request) {
  net::HttpResponse response;
  if (!options_.token.empty()) {
    constexpr std::string_view kBearer = "Bearer ";
    const std::string_view authorization = request.Header("Authorization");
    if (authorization.substr(0, kBearer.size()) != kBearer ||
        !SameSecret(authorization.substr(kBearer.size()), options_.token)) {
      response.status = 401;
      response.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
      response.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"wharf metrics\"");
      response.body = "401 Unauthorized: GET /metrics needs the metrics bearer token\n";
      return response;
    }
  }
  response.headers.emplace_back("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
  response.headers.emplace_back("Cache-Control", "no-store");
  response.body = Render();
  return response;
}

std::string Metrics::Render() {
  PrometheusText out;
  out.Family("wharf_build_info", "gauge", "Always 1; the version of the running server.");
  out.Sample("wharf_build_info", {{"version", options_.version}}, int64_t{1});
  RenderRequests(out);
  RenderQueues(out);
  RenderServer(out);
  return out.Take();
}

void Metrics::RenderRequests(PrometheusText& out) const {
  // Only the actions that have been called: the table has about 140 rows.
  std::vector<size_t> used;
  for (size_t slot = 0; slot < RequestMetrics::kSlots; ++slot) {
    if (requests_.total(slot) > 0) used.push_back(slot);
  }
  auto labels_of = [](size_t slot) -> std::pair<std::string_view, std::string_view> {
    if (slot == RequestMetrics::kUnrouted) return {"unknown", "unknown"};
    const api::ActionInfo& info = api::InfoOf(static_cast<api::Action>(slot));
    return {api::ServiceName(info.service), info.name};
  };
  out.Family("wharf_requests_total", "counter",
             "AWS API requests answered, by service and action (action \"unknown\": refused "
             "before the action was known).");
  for (size_t slot : used) {
    auto [service, action] = labels_of(slot);
    out.Sample("wharf_requests_total", {{"service", service}, {"action", action}},
               requests_.total(slot));
  }
  out.Family("wharf_request_errors_total", "counter",
             "AWS API requests answered with an error, by service, action and error code.");
  for (size_t slot : used) {
    auto [service, action] = labels_of(slot);
    // Two catalog entries may share a name (KMS's and SNS's NotFoundException): summed.
    std::map<std::string_view, uint64_t> by_code;
    for (size_t code = 0; code < api::kErrorCodeCount; ++code) {
      const uint64_t n = requests_.errors(slot, static_cast<api::ErrorCode>(code));
      if (n > 0) by_code[CodeLabel(static_cast<api::ErrorCode>(code))] += n;
    }
    for (const auto& [code, n] : by_code) {
      out.Sample("wharf_request_errors_total",
                 {{"service", service}, {"action", action}, {"code", code}}, n);
    }
  }
  out.Family("wharf_request_duration_seconds", "histogram",
             "Time from a request reaching the dispatcher to its answer being handed to the "
             "connection (long polls included), by service and action.");
  for (size_t slot : used) {
    auto [service, action] = labels_of(slot);
    out.Histogram("wharf_request_duration_seconds", {{"service", service}, {"action", action}},
                  requests_.latency_micros(slot), 1e6);
  }
}

void Metrics::RenderQueues(PrometheusText& out) {
  if (!sources_.sqs) return;
  const std::vector<std::shared_ptr<sqs::QueueBackend>> queues = sources_.sqs->queues().All();
  std::vector<QueueFigures> rows;
  QueueFigures other;
  other.account = kOtherQueues;
  other.name = kOtherQueues;
  size_t aggregated = 0;
  int64_t waiters = 0;
  {
    std::lock_guard lock(mu_);
    // Deleted queues give their label sets back.
    std::unordered_set<uint64_t> present;
    present.reserve(queues.size());
    for (const auto& q : queues) present.insert(q->identity().id);
    std::erase_if(admitted_, [&](uint64_t id) { return !present.contains(id); });
    for (const auto& q : queues) {
      const uint64_t id = q->identity().id;
      const bool own = admitted_.contains(id) ||
                       (admitted_.size() < options_.max_queues && admitted_.insert(id).second);
      QueueFigures figures = FiguresOf(*q);
      waiters += figures.counters.waiters;
      if (own) {
        rows.push_back(std::move(figures));
      } else {
        other.Add(figures);
        ++aggregated;
      }
    }
  }
  if (aggregated > 0) rows.push_back(std::move(other));

  out.Family("wharf_sqs_queues", "gauge", "Queues, all accounts.");
  out.Sample("wharf_sqs_queues", {}, static_cast<uint64_t>(queues.size()));
  out.Family("wharf_sqs_metrics_queues_aggregated", "gauge",
             "Queues beyond --metrics-max-queues, whose figures are summed under "
             "account=\"_other\",queue=\"_other\".");
  out.Sample("wharf_sqs_metrics_queues_aggregated", {}, static_cast<uint64_t>(aggregated));
  out.Family("wharf_sqs_long_poll_waiters", "gauge",
             "ReceiveMessage calls parked on a queue waiting for a message (long polls).");
  out.Sample("wharf_sqs_long_poll_waiters", {}, waiters);

  struct Gauge {
    const char* name;
    const char* help;
    int64_t sqs::QueueCounters::*field;
  };
  static constexpr Gauge kGauges[] = {
      {"wharf_sqs_approximate_number_of_messages_visible",
       "CloudWatch ApproximateNumberOfMessagesVisible: messages available for retrieval.",
       &sqs::QueueCounters::visible},
      {"wharf_sqs_approximate_number_of_messages_not_visible",
       "CloudWatch ApproximateNumberOfMessagesNotVisible: messages in flight (received, not "
       "deleted, visibility timeout running).",
       &sqs::QueueCounters::in_flight},
      {"wharf_sqs_approximate_number_of_messages_delayed",
       "CloudWatch ApproximateNumberOfMessagesDelayed: messages not yet available because of "
       "a delay.",
       &sqs::QueueCounters::delayed},
      {"wharf_sqs_approximate_age_of_oldest_message_seconds",
       "CloudWatch ApproximateAgeOfOldestMessage: age of the oldest message in the queue, in "
       "seconds (0 when empty; the maximum for \"_other\").",
       &sqs::QueueCounters::oldest_age_seconds},
  };
  for (const Gauge& g : kGauges) {
    out.Family(g.name, "gauge", g.help);
    for (const QueueFigures& r : rows) {
      out.Sample(g.name, {{"account", r.account}, {"queue", r.name}}, r.counters.*(g.field));
    }
  }
  struct Counter {
    const char* name;
    const char* help;
    uint64_t QueueFigures::*field;
  };
  static constexpr Counter kCounters[] = {
      {"wharf_sqs_number_of_messages_sent_total",
       "CloudWatch NumberOfMessagesSent: messages added to the queue by sends (not FIFO "
       "duplicates, not dead-letter moves).",
       &QueueFigures::sent},
      {"wharf_sqs_number_of_messages_received_total",
       "CloudWatch NumberOfMessagesReceived: messages returned by ReceiveMessage.",
       &QueueFigures::received},
      {"wharf_sqs_number_of_messages_deleted_total",
       "CloudWatch NumberOfMessagesDeleted: deletes with a valid receipt handle.",
       &QueueFigures::deleted},
      {"wharf_sqs_number_of_empty_receives_total",
       "CloudWatch NumberOfEmptyReceives: ReceiveMessage calls that returned no message.",
       &QueueFigures::empty_receives},
  };
  for (const Counter& c : kCounters) {
    out.Family(c.name, "counter", c.help);
    for (const QueueFigures& r : rows) {
      out.Sample(c.name, {{"account", r.account}, {"queue", r.name}}, r.*(c.field));
    }
  }
  out.Family("wharf_sqs_sent_message_size_bytes", "histogram",
             "CloudWatch SentMessageSize: size of each message counted in "
             "wharf_sqs_number_of_messages_sent_total (body and attributes), in bytes.");
  for (const QueueFigures& r : rows) {
    out.Histogram("wharf_sqs_sent_message_size_bytes", {{"account", r.account}, {"queue", r.name}},
                  r.sent_size);
  }
}

void Metrics::RenderServer(PrometheusText& out) const {
  if (sources_.http) {
    const net::HttpServer::ConnectionCounts connections = sources_.http->connections();
    out.Family("wharf_http_open_connections", "gauge",
               "Client connections open now (HTTP and HTTPS).");
    out.Sample("wharf_http_open_connections", {}, connections.open);
    out.Family("wharf_http_connections_accepted_total", "counter",
               "Client connections accepted (HTTP and HTTPS).");
    out.Sample("wharf_http_connections_accepted_total", {}, connections.accepted);
  }
  if (sources_.commits) {
    const storage::CommitStats& c = *sources_.commits;
    out.Family("wharf_storage_commit_batch_records", "histogram",
               "Records per group commit (one write, one sync, shared by every request in it).");
    out.Histogram("wharf_storage_commit_batch_records", {}, c.batch_records.Snapshot());
    out.Family("wharf_storage_commit_batch_bytes", "histogram",
               "Bytes written per group commit (sealed values and keys).");
    out.Histogram("wharf_storage_commit_batch_bytes", {}, c.batch_bytes.Snapshot());
    out.Family("wharf_storage_sync_duration_seconds", "histogram",
               "Duration of each sync to disk: in strict durability the synced write of a "
               "group (WAL append and fsync), in relaxed durability each periodic WAL sync.");
    out.Histogram("wharf_storage_sync_duration_seconds", {}, c.sync_micros.Snapshot(), 1e6);
    out.Family("wharf_storage_commit_failures_total", "counter",
               "Group commits whose write failed (the store keeps them and writes them again "
               "once the disk works; sends are refused meanwhile).");
    out.Sample("wharf_storage_commit_failures_total", {},
               c.failed_groups.load(std::memory_order_relaxed));
  }
  if (sources_.store && sources_.store->durable()) {
    out.Family("wharf_storage_healthy", "gauge",
               "1 while the store's writes succeed; 0 while they fail (full or failing disk: "
               "sends are refused with a retryable 503 until the store recovers by itself).");
    out.Sample("wharf_storage_healthy", {}, uint64_t{sources_.store->Health().ok() ? 1u : 0u});
  }
  if (const std::optional<AllocatorStats> memory = ReadAllocatorStats()) {
    out.Family("wharf_allocator_allocated_bytes", "gauge",
               "Bytes in live allocations (jemalloc): what the server's structures hold, without "
               "the freed memory the allocator keeps for reuse that RSS also counts.");
    out.Sample("wharf_allocator_allocated_bytes", {}, memory->allocated);
    out.Family("wharf_allocator_resident_bytes", "gauge",
               "Bytes of the allocator's pages in physical memory (jemalloc), freed ones not yet "
               "returned to the system included.");
    out.Sample("wharf_allocator_resident_bytes", {}, memory->resident);
  }
  if (sources_.postgres) WritePostgres(out, sources_.postgres->health());
  if (sources_.sns) {
    const sns::DeliveryCounters& d = sources_.sns->counters();
    struct Counter {
      const char* name;
      const char* help;
      const std::atomic<uint64_t>& value;
    };
    const Counter counters[] = {
        {"wharf_sns_deliveries_total", "SNS deliveries accepted by the subscribed queue.",
         d.delivered},
        {"wharf_sns_filtered_out_total",
         "SNS publications not delivered to a subscription because its filter policy did not "
         "match.",
         d.filtered_out},
        {"wharf_sns_delivery_retries_total",
         "SNS deliveries tried again after a server-side failure.", d.retried},
        {"wharf_sns_delivery_failures_total", "SNS deliveries that failed for good.", d.failed},
        {"wharf_sns_dead_lettered_total",
         "SNS deliveries that failed for good and were accepted by the subscription's "
         "dead-letter queue.",
         d.dead_lettered},
        {"wharf_sns_dropped_total",
         "SNS deliveries that failed for good and were lost (no dead-letter queue, or it "
         "refused them too).",
         d.dropped},
    };
    for (const Counter& c : counters) {
      out.Family(c.name, "counter", c.help);
      out.Sample(c.name, {}, c.value.load(std::memory_order_relaxed));
    }
  }
}

}  // namespace wharf::server
