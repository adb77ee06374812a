#pragma once

// The queues of `--storage postgres` (ADR 0002): the connection pool, the typed statements, the
// worker threads that run them, the receipt-handle codec, the long-poll waiters with the LISTEN
// connection and the NOTIFY publisher that wake them across nodes, and the catalog the SQS
// service uses, built and the schema migrated at start-up. Everything that is not a queue (IAM,
// KMS, SNS, move tasks) stays in the embedded store under --data-dir for now (ADR 0002 step 5).

#include <memory>
#include <string>

#include "common/clock.h"
#include "common/result.h"
#include "common/scheduler.h"
#include "common/sealing.h"
#include "server/settings.h"
#include "sqs/limits.h"
#include "sqs/queue_catalog.h"

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

 private:
  struct Parts;
  explicit PostgresQueues(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace wharf::server
