#pragma once

// The SQS service: the queue catalog plus what every handler needs (clock, limits, store,
// region). One instance per server; handlers receive it by reference. Handlers reach queues only
// through QueueCatalog and QueueBackend (ADR 0002); the service owns the embedded engine's
// QueueRegistry and rebuilds it from the store (Recover).
// Thread-safety: all members are safe to use from any thread.

#include <memory>
#include <optional>
#include <string>

#include "api/error.h"
#include "api/request_context.h"
#include "auth/authorizer.h"
#include "common/clock.h"
#include "common/scheduler.h"
#include "kms/data_keys.h"
#include "sqs/engine/queue_registry.h"
#include "sqs/limits.h"
#include "sqs/move_tasks.h"
#include "sqs/queue_backend.h"
#include "sqs/queue_catalog.h"
#include "sqs/sse/message_encryption.h"
#include "storage/store.h"

namespace wharf::sqs {

struct ServiceOptions {
  std::string region = "us-east-1";
  Limits limits;
  // Message bodies kept in memory, across all queues; beyond it bodies stay on disk (only with
  // a durable store). 0: no limit.
  int64_t body_memory_bytes = 0;
  // Decides every call (security.md §2.7). Null: every caller acts as the root of its own
  // account and reaches only its own queues (unit tests of the engine).
  const auth::Authorizer* authorizer = nullptr;
  // SSE-KMS (security.md §4.2): the key service that generates and decrypts data keys. The
  // server always passes one; null only in tests that do not need it, where SSE-KMS sends and
  // receives fail with KmsNotFound.
  kms::DataKeyService* key_service = nullptr;
  // --auto-create-queues (development): a missing queue of the caller's account is created on
  // first use (GetQueueUrl, SendMessage(Batch), ReceiveMessage, GetQueueAttributes) when the
  // caller may sqs:CreateQueue it (auto_create.cc).
  bool auto_create_queues = false;
  // The clock the data-key caches measure the reuse period on. Null: the service's clock. The
  // server passes the clock that POST /_wharf/test/clock moves in test mode.
  const Clock* key_cache_clock = nullptr;
  // Where queues live (ADR 0002). Null: the embedded engine's registry over `store`, rebuilt by
  // Recover. Otherwise an authoritative catalog (the PostgreSQL backend), which must outlive the
  // service; the embedded registry then stays empty.
  QueueCatalog* catalog = nullptr;
  // Message move tasks shared by every node (--storage postgres, move_tasks.h): their records in
  // this store of keyed objects and their runners chosen by these leases, both outliving the
  // service. Unset: the tasks are kept in `store` and run on this node.
  std::optional<MoveTasksShared> move_tasks_shared;
};

class SqsService {
 public:
  SqsService(const Clock& clock, Scheduler& scheduler, storage::Store& store,
             ServiceOptions options);

  const Clock& clock() const { return clock_; }
  storage::Store& store() { return store_; }
  const Limits& limits() const { return options_.limits; }
  const std::string& region() const { return options_.region; }
  QueueCatalog& queues() { return catalog_; }
  const BodyBudget& body_budget() const { return budget_; }
  MoveTasks& move_tasks() { return move_tasks_; }
  MessageEncryption& encryption() { return encryption_; }
  // The authorizer of every call (null in engine unit tests); deliveries by service principals
  // (service_delivery.h) are decided by it too.
  const auth::Authorizer* authorizer() const { return options_.authorizer; }
  // Whether some queue of `account` uses the queue with this ARN as its dead-letter queue.
  bool IsDeadLetterQueue(std::string_view arn, std::string_view account);

  // The queue a QueueUrl names (sqs-api.md §2.0): the last two path segments are
  // <account>/<name>; a bare name means the caller's account. MissingParameter when absent,
  // QueueDoesNotExist when unknown. The caller must be allowed the action being served
  // (ctx.action) on it: AccessDenied otherwise, and for another account's queue that does not
  // exist, so that existence does not leak across accounts (security.md §2.7).
  api::ApiResult<std::shared_ptr<QueueBackend>> ResolveQueue(
      const api::RequestContext& ctx, const std::optional<std::string>& queue_url);
  // The queue `account`/`name` (GetQueueUrl), authorized the same way.
  api::ApiResult<std::shared_ptr<QueueBackend>> ResolveQueueByName(const api::RequestContext& ctx,
                                                                   std::string_view account,
                                                                   std::string_view name);
  // Authorizes the action being served on `resource` (an ARN or "*") owned by
  // `resource_account`, with `queue`'s policy when there is a queue.
  api::ApiStatus Authorize(const api::RequestContext& ctx, std::string_view resource,
                           std::string_view resource_account, const QueueBackend* queue);
  // Same, for an explicitly named IAM action (the extra checks of §2.7, e.g. sqs:TagQueue on
  // CreateQueue with tags).
  api::ApiStatus AuthorizeAction(const api::RequestContext& ctx, std::string_view iam_action,
                                 std::string_view resource, std::string_view resource_account,
                                 const QueueBackend* queue);
  std::string QueueUrlOf(const api::RequestContext& ctx, const QueueBackend& queue) const;
  std::string QueueUrlOf(const api::RequestContext& ctx, std::string_view account,
                         std::string_view name) const;
  // Rebuilds every queue and message from the store (startup). Fails on a record it cannot
  // read rather than serving a partial state.
  struct RecoveryStats {
    uint64_t queues = 0;
    uint64_t messages = 0;
  };
  Result<RecoveryStats, std::string> Recover();

  // For RedrivePolicy checks: is there a queue with this ARN, and is it FIFO?
  QueueTypeLookup TypeLookup(std::string source_arn, std::string source_account);

 private:
  // The queue `name` of the caller's account, created now if auto-creation applies to this call
  // (auto_create.cc); null otherwise.
  std::shared_ptr<QueueBackend> CreateOnFirstUse(const api::RequestContext& ctx,
                                                 std::string_view name);

  const Clock& clock_;
  storage::Store& store_;
  const ServiceOptions options_;
  BodyBudget budget_;
  MessageEncryption encryption_;
  QueueRegistry registry_;
  QueueCatalog& catalog_;  // options_.catalog, or registry_
  MoveTasks move_tasks_;
};

// MissingParameter "The request must contain the parameter <name>."
api::ApiError MissingParameter(std::string_view name);

}  // namespace wharf::sqs
