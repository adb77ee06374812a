#include "server/postgres_queues.h"

#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include "common/hashing.h"
#include "common/ids.h"
#include "common/log.h"
#include "common/periodic_thread.h"
#include "sqs/move_tasks.h"
#include "sqs/pg/maintenance.h"
#include "sqs/pg/move_task_leases.h"
#include "sqs/pg/pg_catalog.h"
#include "storage/postgres/leases.h"
#include "storage/postgres/object_store.h"
#include "storage/postgres/pool.h"
#include "storage/postgres/queue_ops.h"
#include "storage/postgres/wake.h"

namespace wharf::server {

// How often a parked receive looks at its queue again without a wake-up (ADR 0002 decision 5:
// messages also become visible by time alone, and a notification can be lost).
constexpr Duration kLongPollRecheck = std::chrono::seconds(1);
// How often the catalog re-reads every queue row (other nodes' changes; ADR 0002 decision 4).
constexpr std::chrono::milliseconds kCatalogRefresh{1000};
// How often expired messages, deduplication entries and deleted names are swept: a message can
// be received up to this long after its retention period ended.
constexpr std::chrono::milliseconds kMaintenanceInterval{5000};
// How often the database's health is read for /health and /metrics.
constexpr std::chrono::milliseconds kHealthInterval{5000};
// How often a node renews its SNS outbox lease and looks for gone nodes' outboxes, and how long
// the lease lasts: a killed node's deliveries resume on another node within about 20 s.
constexpr std::chrono::milliseconds kOutboxInterval{5000};
constexpr std::chrono::milliseconds kOutboxLease = 3 * kOutboxInterval;
constexpr std::string_view kOutboxLeasePrefix = "sns-outbox:";
// Publication numbers per outbox epoch (one epoch per node start): 2^40, so about 8 million
// starts fit below 2^63, and a run would need 35 years at 1,000 publications a second to use up
// its epoch.
constexpr int kOutboxEpochBits = 40;

// Declared in the order they must be built. Torn down by ~Parts in the order that keeps every
// reference valid: stop the LISTEN thread and close the long polls (nothing parks or wakes any
// more), let the workers finish the queued requests (they still use the statements, the
// notifier, the hub and the catalog's cache), then the rest in reverse.
struct PostgresQueues::Parts {
  Parts(const Settings& settings, std::string receipt_key, const Sealer& outbox_sealer,
        const sqs::Limits& limits, const Clock& clock, Scheduler& scheduler)
      : pool(settings.postgres_url, storage::pg::ConnectionOptions{},
             static_cast<size_t>(settings.postgres_pool_size)),
        ops(pool),
        objects(pool),
        outbox(pool, OwnedBy(node_id, outbox_sealer)),
        leases(pool),
        move_task_leases(leases, node_id),
        receipts(std::move(receipt_key)),
        notifier(pool, clock),
        long_polls(clock, scheduler, workers, kLongPollRecheck),
        workers(static_cast<size_t>(settings.postgres_pool_size)),
        listener(
            settings.postgres_url, storage::pg::ConnectionOptions{},
            [this](int64_t queue_id) { long_polls.Wake(queue_id); },
            [this] { long_polls.WakeAll(); }, ListenerOptions(*this)),
        catalog(sqs::pg::PgBackend{ops, workers, receipts, limits, long_polls, clock, &notifier},
                settings.region),
        maintenance(ops, catalog, std::chrono::seconds(limits.recreate_after_delete_seconds),
                    [this] { return LeadMaintenance(); }) {}

  ~Parts() {
    outbox_beat.Stop();
    sampler.Stop();
    listener.Stop();
    long_polls.Close();
    workers.Stop();  // queued requests finish while the catalog and the statements still exist
  }

  // The LISTEN connection also hears wharf_objects, passed on to the subscriber.
  static storage::pg::WakeListenerOptions ListenerOptions(Parts& parts) {
    storage::pg::WakeListenerOptions options;
    options.on_objects_changed = [&parts] {
      std::lock_guard lock(parts.objects_changed_mu);
      if (parts.objects_changed) parts.objects_changed();
    };
    return options;
  }
  // The outbox's publications hold message bodies: sealed at rest, as the embedded store seals
  // every value.
  static storage::pg::ObjectStoreOptions OwnedBy(const std::string& node_id, const Sealer& sealer) {
    storage::pg::ObjectStoreOptions options;
    options.owner = node_id;
    options.sealer = sealer;
    return options;
  }
  // This node's id in table `lease` and table owned_object (a uuid drawn at start).
  const std::string node_id = NewUuid();
  // Declared first: the listener's thread may use them until it is stopped.
  std::mutex objects_changed_mu;
  std::function<void()> objects_changed;  // guarded by objects_changed_mu

  storage::pg::ConnectionPool pool;
  storage::pg::PgQueueOps ops;
  // Destroyed after the workers and the catalog (declared before them): it writes what is still
  // queued before its committer stops, while the pool still exists.
  storage::pg::PgObjectStore objects;
  // This node's SNS outbox: destroyed (its queued writes written) before `objects`, after the
  // beat that adopts into it has stopped.
  storage::pg::PgObjectStore outbox;
  // Which node runs each message move task (the tasks' records are keyed objects in `objects`).
  storage::pg::PgLeases leases;
  sqs::pg::PgMoveTaskLeases move_task_leases;
  sqs::pg::PgReceiptCodec receipts;
  storage::pg::WakeNotifier notifier;
  // Holds a reference to `workers`, declared after it: the hub only stores it, and is destroyed
  // after the workers have drained (queued sends still call Wake).
  sqs::pg::LongPollHub long_polls;
  sqs::pg::WorkerPool workers;
  storage::pg::WakeListener listener;
  sqs::pg::PgCatalog catalog;
  sqs::pg::PgMaintenance maintenance;

  // The maintenance leader's lease (storage.md §5.3): held for three rounds, renewed at each, so
  // another node takes over about 15 s after the leader stopped. A database error skips the
  // round (the next one asks again).
  bool LeadMaintenance() {
    auto held = leases.Hold("maintenance", move_task_leases.node_id(), 3 * kMaintenanceInterval);
    if (!held.ok()) {
      log::Line(log::Level::kWarn, "pg_maintenance_lease_failed")
          .Str("detail", held.error().detail);
      return false;
    }
    return *held;
  }

  // One reading of the database, then the local figures.
  void Sample() {
    auto report = ops.Health();
    std::lock_guard lock(health_mu);
    latest.reachable = report.ok();
    if (report.ok()) {
      latest.oldest_snapshot_s = report->oldest_snapshot_s;
      latest.oldest_snapshot_xids = report->oldest_snapshot_xids;
      latest.message_dead_tuples = report->message_dead_tuples;
      latest.notify_queue_usage = report->notify_queue_usage;
    }
  }

  void StartSampling(std::chrono::milliseconds interval) {
    Sample();
    sampler.Start("wharf-pg-health", interval, [this] { Sample(); });
  }

  // One round of the outbox beat: renew this node's lease, then adopt the outboxes of nodes
  // that hold none. Nothing is adopted while the lease is not held: this node could itself be
  // the one others think gone.
  Status<std::string> KeepOutboxRound(const std::function<void(OwnedObjects)>& adopted) {
    const std::string lease = std::string(kOutboxLeasePrefix) + node_id;
    auto held = leases.Hold(lease, node_id, kOutboxLease);
    if (!held.ok()) return "cannot renew the SNS outbox lease: " + held.error().detail;
    if (!*held) return "the SNS outbox lease " + lease + " is held by another node";
    auto taken = outbox.Adopt(kOutboxLeasePrefix);
    if (!taken.ok()) return "cannot adopt the SNS outboxes of gone nodes: " + taken.error().detail;
    if (!taken->empty()) {
      log::Line(log::Level::kInfo, "sns_outbox_adopted")
          .Int("records", static_cast<int64_t>(taken->size()));
      adopted(std::move(*taken));
    }
    return {};
  }

  mutable std::mutex health_mu;
  Health latest;  // guarded by health_mu
  PeriodicThread sampler;
  PeriodicThread outbox_beat;
};

Result<std::unique_ptr<PostgresQueues>, std::string> PostgresQueues::Open(const Settings& settings,
                                                                          const Sealer& root,
                                                                          const sqs::Limits& limits,
                                                                          const Clock& clock,
                                                                          Scheduler& scheduler) {
  if (settings.postgres_url.empty()) {
    return std::string("--storage postgres needs --postgres-url");
  }
  // A key of its own for receipt handles (HKDF of the root key), as 32 raw bytes.
  const auto digest = root.Derive("pg-receipts v1").KeyedDigest("wharf receipt handles");
  auto parts =
      std::make_unique<Parts>(settings, std::string(digest.begin(), digest.end()),
                              root.Derive("pg-owned-objects v1"), limits, clock, scheduler);
  if (storage::pg::PgStatus migrated = parts->ops.Migrate(); !migrated.ok()) {
    return "cannot prepare the PostgreSQL database of --postgres-url: " + migrated.error().detail;
  }
  // Every node of a deployment signs receipt handles under the same root key; one with another
  // key would refuse the others' handles (and they its), so it does not start (ADR 0002
  // decision 6). The database keeps a keyed digest under a sub-key, never the key.
  const auto check = root.Derive("pg-deployment-check v1").KeyedDigest("wharf root key check");
  const std::string ours = HexLower(check);
  auto claimed = parts->ops.ClaimDeploymentValue("root_key_check", ours);
  if (!claimed.ok()) {
    return "cannot read the deployment of the PostgreSQL database of --postgres-url: " +
           claimed.error().detail;
  }
  if (*claimed != ours) {
    return std::string(
        "the PostgreSQL database of --postgres-url belongs to a deployment with another root "
        "key: every node must be started with the same root key (WHARF_ROOT_KEY, or the same "
        "key file or passphrase and parameters file) as the first node that used this database");
  }
  // Every queue row in this node's cache before the first request; then every second, as
  // other nodes create, change and delete queues.
  parts->catalog.StartRefreshing(kCatalogRefresh);
  parts->maintenance.Start(kMaintenanceInterval);
  parts->StartSampling(kHealthInterval);
  if (storage::pg::PgStatus listening = parts->listener.Start(); !listening.ok()) {
    return "cannot LISTEN on the PostgreSQL database of --postgres-url (a pooler in transaction "
           "mode does not support it; use session mode): " +
           listening.error().detail;
  }
  return std::unique_ptr<PostgresQueues>(new PostgresQueues(std::move(parts)));
}

PostgresQueues::PostgresQueues(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

PostgresQueues::~PostgresQueues() = default;

sqs::QueueCatalog& PostgresQueues::catalog() { return parts_->catalog; }

storage::Store& PostgresQueues::objects() { return parts_->objects; }

sqs::MoveTaskLeases& PostgresQueues::move_task_leases() { return parts_->move_task_leases; }

const std::string& PostgresQueues::node_id() const { return parts_->node_id; }

storage::Store& PostgresQueues::outbox() { return parts_->outbox; }

Result<uint64_t, std::string> PostgresQueues::OutboxFirstSequence() {
  auto epoch = parts_->outbox.NewEpoch();
  if (!epoch.ok()) return "cannot draw the SNS outbox's epoch: " + epoch.error().detail;
  return (static_cast<uint64_t>(*epoch) << kOutboxEpochBits) + 1;
}

Status<std::string> PostgresQueues::KeepOutbox(std::function<void(OwnedObjects)> adopted) {
  WHARF_RETURN_IF_ERROR(parts_->KeepOutboxRound(adopted));
  parts_->outbox_beat.Start("wharf-sns-outbox", kOutboxInterval, [parts = parts_.get(), adopted] {
    if (Status<std::string> kept = parts->KeepOutboxRound(adopted); !kept.ok()) {
      log::Line(log::Level::kWarn, "sns_outbox_lease").Str("detail", kept.error());
    }
  });
  return {};
}

void PostgresQueues::GiveUpOutbox() {
  parts_->outbox_beat.Stop();
  const std::string lease = std::string(kOutboxLeasePrefix) + parts_->node_id;
  if (auto released = parts_->leases.Release(lease, parts_->node_id); !released.ok()) {
    log::Line(log::Level::kWarn, "pg_lease_release_failed")  // it expires by itself
        .Str("lease", lease)
        .Str("detail", released.error().detail);
  }
}

Result<ObjectsWatcher::Signature, std::string> PostgresQueues::ObjectsSignature() {
  // Move tasks write their progress every second and sync on their own beat (MoveTasks::Sync):
  // left out, so that they do not make every node reload IAM, KMS and SNS that often.
  auto signature = parts_->objects.Signature(sqs::MoveTasks::kObjectPrefix);
  if (!signature.ok()) return signature.error().detail;
  return ObjectsWatcher::Signature{signature->count, signature->version_sum};
}

Status<std::string> PostgresQueues::RunAlone(const std::string& name, std::chrono::seconds wait,
                                             const std::function<void()>& step) {
  const auto until = std::chrono::steady_clock::now() + wait;
  for (;;) {
    auto held = parts_->leases.Hold(name, node_id(), wait);
    if (!held.ok()) return "cannot take the lease '" + name + "': " + held.error().detail;
    if (*held) break;
    if (std::chrono::steady_clock::now() >= until) {
      return "another node has held the lease '" + name + "' for more than " +
             std::to_string(wait.count()) + " s";
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  step();
  if (auto released = parts_->leases.Release(name, node_id()); !released.ok()) {
    // It expires by itself after `wait`.
    log::Line(log::Level::kWarn, "pg_lease_release_failed")
        .Str("lease", name)
        .Str("detail", released.error().detail);
  }
  return {};
}

PostgresQueues::Subscription PostgresQueues::OnObjectsChanged(std::function<void()> changed) {
  {
    std::lock_guard lock(parts_->objects_changed_mu);
    parts_->objects_changed = std::move(changed);
  }
  return Subscription([parts = parts_.get()] {
    std::lock_guard lock(parts->objects_changed_mu);
    parts->objects_changed = nullptr;
  });
}

PostgresQueues::Health PostgresQueues::health() const {
  Health health;
  {
    std::lock_guard lock(parts_->health_mu);
    health = parts_->latest;
  }
  health.pool_max = parts_->pool.max_size();
  health.pool_open = parts_->pool.open_count();
  health.pool_idle = parts_->pool.idle_count();
  health.worker_queue = parts_->workers.queued();
  health.long_polls = parts_->long_polls.parked();
  return health;
}

}  // namespace wharf::server
