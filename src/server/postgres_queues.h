#pragma once

// The queues of `--storage postgres` (ADR 0002): the connection pool, the typed statements, the
// worker threads that run them, the receipt-handle codec, the long-poll waiters with the LISTEN
// connection and the NOTIFY publisher that wake them across nodes, and the catalog the SQS
// service uses, built and the schema migrated at start-up; and the keyed objects of IAM, KMS and
// SNS (PgObjectStore), shared by every node (ADR 0002 decision 7), with the records of message
// move tasks and the leases that say which node runs each (sqs/move_tasks.h); and each node's SNS
// outbox (the deliveries it accepted), its own but in PostgreSQL, so that another node delivers
// them when this one is killed and never comes back.

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "common/scheduler.h"
#include "common/sealing.h"
#include "server/objects_watcher.h"
#include "server/settings.h"
#include "sqs/limits.h"
#include "sqs/move_task_leases.h"
#include "sqs/queue_catalog.h"
#include "storage/store.h"

namespace wharf::server {

class PostgresQueues {
 public:
  // Connects, applies missing migrations (safe with several nodes starting at once) and builds
  // the catalog. `root` is the deployment's root key: receipt handles are signed under a key
  // derived from it, so every node of a deployment needs the same one (WHARF_ROOT_KEY or the
  // same key file). The error is a sentence for the operator.
  // `limits` are the SQS service's (attribute ranges, tags, QueueDeletedRecently). Long polls
  // wait by `clock` and re-check on `scheduler`. All three must outlive this object.
  static Result<std::unique_ptr<PostgresQueues>, std::string> Open(const Settings& settings,
                                                                   const Sealer& root,
                                                                   const sqs::Limits& limits,
                                                                   const Clock& clock,
                                                                   Scheduler& scheduler);
  ~PostgresQueues();

  sqs::QueueCatalog& catalog();
  // The keyed objects every node shares (IAM identities, KMS keys, SNS topics, subscriptions
  // and signing key). Safe from any thread.
  storage::Store& objects();
  // The leases of message move tasks, held under this process's node id. Safe from any thread;
  // blocks on the database.
  sqs::MoveTaskLeases& move_task_leases();
  // This node's SNS outbox (sns/outbox.h): objects it owns in table owned_object, adopted by
  // another node once this one's outbox lease is gone. Safe from any thread.
  storage::Store& outbox();
  // The first publication number of this run's outbox: a new epoch, above every earlier run's
  // numbers (Outbox's `first_sequence`). Blocks on the database; the error is a sentence.
  Result<uint64_t, std::string> OutboxFirstSequence();
  // Holds this node's outbox lease ('sns-outbox:<node id>'), renewed every few seconds, and
  // hands `adopted` the outbox records of nodes whose lease is gone (killed, or stopped with
  // deliveries left), which are then this node's own. The first round runs before this returns
  // (an error: the lease could not be taken, and nothing may be published); then `adopted` runs
  // on a thread of its own. Once only.
  using OwnedObjects = std::vector<std::pair<std::string, std::string>>;
  Status<std::string> KeepOutbox(std::function<void(OwnedObjects)> adopted);
  // Stops that thread and gives the lease up, so another node adopts what is left at its next
  // round instead of once the lease expires (a clean stop, after the deliveries stopped).
  void GiveUpOutbox();
  // This process's id in table `lease` (a uuid drawn at start; logged at start-up).
  const std::string& node_id() const;
  // The change signature of the shared objects (ObjectsWatcher); blocks on the database.
  Result<ObjectsWatcher::Signature, std::string> ObjectsSignature();

  // Ends a subscription when destroyed: after that its function never runs again.
  class Subscription {
   public:
    explicit Subscription(std::function<void()> cancel) : cancel_(std::move(cancel)) {}
    Subscription(const Subscription&) = delete;
    Subscription& operator=(const Subscription&) = delete;
    Subscription(Subscription&& other) noexcept : cancel_(std::exchange(other.cancel_, {})) {}
    ~Subscription() {
      if (cancel_) cancel_();
    }

   private:
    std::function<void()> cancel_;
  };
  // Runs `step` while this node holds the lease `name` (table `lease`), then gives it up: a
  // first-start step two nodes must not take at once (creating the SNS signing key). Waits up to
  // `wait` while another node holds it (its lease lasts `wait` too, so a node killed in the step
  // delays the others by at most that). Blocks on the database; the error is a sentence.
  Status<std::string> RunAlone(const std::string& name, std::chrono::seconds wait,
                               const std::function<void()>& step);

  // Runs `changed` whenever a node NOTIFYs a change of the shared objects, and after the LISTEN
  // connection was re-established (notifications may have been lost). On the LISTEN thread: it
  // must not block (ObjectsWatcher::CheckSoon). One subscriber at a time.
  [[nodiscard]] Subscription OnObjectsChanged(std::function<void()> changed);

  // The database's guard-rail readings (storage.md §4.2, §5.5) and this node's pool, workers and
  // waiters, as last sampled (every few seconds, on a thread of its own: /health and /metrics
  // never wait on the database). `reachable` is false while the sample's query fails.
  struct Health {
    bool reachable = true;
    double oldest_snapshot_s = 0;
    int64_t oldest_snapshot_xids = 0;
    int64_t message_dead_tuples = 0;
    double notify_queue_usage = 0;
    size_t pool_max = 0;
    size_t pool_open = 0;
    size_t pool_idle = 0;
    size_t worker_queue = 0;
    size_t long_polls = 0;
  };
  Health health() const;

 private:
  struct Parts;
  explicit PostgresQueues(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace wharf::server
