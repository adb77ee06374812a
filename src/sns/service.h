#pragma once

// The SNS service: topics and subscriptions (TopicStore), the durable outbox of published
// messages, their delivery into SQS queues, and what every handler needs: authorization of
// sns:<Action> calls with the topic policy as resource policy, topic lookup with SNS's errors,
// and answers held until the change they acknowledge is durable.
// Lifetime: built by the server at start, outlives the dispatcher. Thread-safety: every member
// may be used from any thread.

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/error.h"
#include "api/handler_table.h"
#include "api/request_context.h"
#include "auth/authorizer.h"
#include "common/clock.h"
#include "common/scheduler.h"
#include "sns/delivery.h"
#include "sns/outbox.h"
#include "sns/signing_key.h"
#include "sns/topic_store.h"
#include "sqs/service.h"
#include "storage/store.h"

namespace wharf::sns {

struct ServiceOptions {
  std::string region = "us-east-1";
  // Decides every call (security.md §2). Null: callers act as the roots of their own accounts
  // and reach only their own topics (unit tests).
  const auth::Authorizer* authorizer = nullptr;
  // scheme://host[:port] of the SNS endpoint in envelopes (UnsubscribeURL, SigningCertURL);
  // empty: the address the publisher used.
  std::string public_endpoint;
  DeliveryOptions delivery;
  // Where the outbox and its sequence ("sns/sequence") are kept; null: the topics' store. With a
  // store shared by several nodes, topics and subscriptions are shared but the outbox must stay
  // per node (each node numbers its own publications, and delivers what it published).
  storage::Store* outbox_store = nullptr;
  // Set: the outbox numbers publications from here (Outbox's `first_sequence`): an outbox store
  // of this run's own, with a new epoch drawn at each start (--storage postgres).
  std::optional<uint64_t> outbox_first_sequence;
};

class SnsService {
 public:
  SnsService(const Clock& clock, Scheduler& scheduler, storage::Store& store, sqs::SqsService& sqs,
             std::shared_ptr<const SigningKey> signing_key, ServiceOptions options);

  // Reads topics, subscriptions and the outbox (start-up, after SQS's recovery and before
  // serving), then resumes the deliveries the previous run did not finish.
  struct RecoveryStats {
    uint64_t pending_publications = 0;
  };
  Result<RecoveryStats, std::string> Recover();

  // Moves the publications left in `old_store`'s outbox into this service's (renumbered: the
  // numbers of the two need not be distinct) and starts their deliveries; returns how many.
  // For a node that kept its outbox in the embedded store before --storage postgres kept it in
  // PostgreSQL. Start-up only, after Recover; blocks until the move is durable.
  Result<size_t, std::string> ImportOutbox(storage::Store& old_store);

  // Delivers the publications of a gone node's outbox that this node's outbox store took over
  // (--storage postgres: PgObjectStore::Adopt), as (key, stored record) pairs; keys other than
  // outbox records are skipped. Each is removed from the outbox once delivered, as this node's
  // own. Returns how many deliveries started; an unreadable record is logged and left.
  size_t ResumeAdopted(const std::vector<std::pair<std::string, std::string>>& records);

  // Re-reads topics and subscriptions from their store while serving (TopicStore::Reload):
  // another node sharing the store changed them. The outbox is not touched. Any thread but the
  // store's completion thread.
  Status<std::string> ReloadTopics() { return topics_.Reload(); }

  const Clock& clock() const { return clock_; }
  TopicStore& topics() { return topics_; }
  Outbox& outbox() { return outbox_; }
  Deliveries& deliveries() { return deliveries_; }
  const DeliveryCounters& counters() const { return deliveries_.counters(); }
  const std::string& region() const { return options_.region; }
  const SigningKey* signing_key() const { return signing_key_.get(); }
  // Where envelopes say the SNS endpoint is, for a request that came in at `ctx.base_url`.
  std::string EndpointFor(const api::RequestContext& ctx) const;

  // The topic an ARN parameter names (`parameter`: "TopicArn", "ResourceArn", …), if the caller
  // may perform the action being served on it. Missing → ValidationError; malformed →
  // InvalidParameter; unknown → `not_found` (NotFound, or ResourceNotFound for tag actions); a
  // denied call → AuthorizationError, also for another account's topic that does not exist, so
  // that existence does not leak across accounts.
  // `condition_keys`: the action's own (sns:Protocol and sns:Endpoint for Subscribe).
  api::ApiResult<std::shared_ptr<const Topic>> ResolveTopic(
      const api::RequestContext& ctx, const std::optional<std::string>& arn,
      std::string_view parameter, api::ErrorCode not_found = api::ErrorCode::kSnsNotFound,
      std::vector<std::pair<std::string, std::string>> condition_keys = {});

  // Authorizes `iam_action` (sns:Publish, …) on `resource` owned by `resource_account`, with
  // `topic`'s own policy as resource policy when it has one. AuthorizationError (403) with
  // IAM's wording and SNS's spelling of the action ("SNS:Publish") otherwise.
  api::ApiStatus Authorize(const api::RequestContext& ctx, std::string_view iam_action,
                           std::string_view resource, std::string_view resource_account,
                           const Topic* topic,
                           std::vector<std::pair<std::string, std::string>> condition_keys = {});

  // Answers `out` once everything up to `ticket` is durable (InternalError if it failed).
  template <typename Out>
  void AnswerWhenDurable(uint64_t ticket, api::Reply<Out> reply, Out out) {
    store_.WhenDurable(ticket, [reply = std::move(reply),
                                out = std::move(out)](storage::StorageStatus status) mutable {
      if (!status.ok()) return reply.Fail(api::Error(api::ErrorCode::kSnsInternalError));
      reply.Ok(std::move(out));
    });
  }

  // A ticket that is durable once every change made so far is (for answers that change
  // nothing but must not overtake an earlier change, e.g. a repeated DeleteTopic).
  uint64_t LatestTicket() { return store_.Append({}); }

  // Publishes: numbers the publications and writes them to the outbox, then — once durable —
  // starts their deliveries and calls `done` with each one's outcome (FIFO repeats are not
  // delivered again). `done` gets false if the outbox could not be written.
  using PublishDone = std::function<void(bool durable, const std::vector<Outbox::Added>& added)>;
  void Publish(std::vector<Publication> publications, PublishDone done);

 private:
  const Clock& clock_;
  storage::Store& store_;         // topics and subscriptions
  storage::Store& outbox_store_;  // the outbox (ServiceOptions::outbox_store)
  const std::shared_ptr<const SigningKey> signing_key_;
  const ServiceOptions options_;
  TopicStore topics_;
  Outbox outbox_;
  Deliveries deliveries_;
  // Orders the start of deliveries as the outbox numbered them, also when the store completes
  // at once on the publishing thread (memory mode): FIFO deliveries leave in sequence order.
  std::mutex publish_mu_;
};

// The caller of a request: its verified principal, or the root of its account when signatures
// are not checked.
auth::RequestPrincipal CallerOf(const api::RequestContext& ctx);

}  // namespace wharf::sns
