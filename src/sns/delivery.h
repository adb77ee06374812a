#pragma once

// Delivering published messages into the subscribed queues (sns-fanout.md §4, §6, §7).
//
// A publication is started once its outbox record is durable. For each subscription it was
// published to that still exists and whose filter matches, the message is built — the signed
// JSON envelope, or for raw delivery the message itself with its attributes as SQS message
// attributes — and sent into the queue as the service principal sns.amazonaws.com on the
// topic's behalf (sqs/service_delivery.h: the queue policy must admit it). FIFO topics deliver to
// FIFO queues with the message's group and deduplication ids.
//
// Failures are never silent. Server-side ones are retried (retry_policy.h); client-side ones
// (the queue policy denies, the queue is gone, the queue refuses the message) and exhausted
// retries go to the subscription's dead-letter queue if it has one (RedrivePolicy), and are
// counted and logged either way. When every delivery of a publication is done — accepted,
// dead-lettered or dropped — its outbox record is removed; if a dead-letter queue could not
// take a message for a server-side reason, the record stays and the next start tries again.
//
// Threads: the work runs on the executor (a DeliveryThread in the server), in order; send
// completions arrive on the store's committer thread and only count and hand back work.
// Lifetime: must outlive the store's pending completions and the scheduler's timers (the
// server stops both before destroying it).

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/scheduler.h"
#include "sns/outbox.h"
#include "sns/records.h"
#include "sns/signing_key.h"
#include "sns/topic_store.h"
#include "sqs/service.h"
#include "sqs/service_delivery.h"

namespace wharf::sns {

// What happened to deliveries since start, for the metrics endpoint.
struct DeliveryCounters {
  std::atomic<uint64_t> delivered{0};      // accepted by the subscribed queue
  std::atomic<uint64_t> filtered_out{0};   // not for that subscription (its filter policy)
  std::atomic<uint64_t> retried{0};        // server-side failures tried again
  std::atomic<uint64_t> failed{0};         // deliveries that failed for good
  std::atomic<uint64_t> dead_lettered{0};  // of those, accepted by the subscription's DLQ
  std::atomic<uint64_t> dropped{0};        // of those, lost: no DLQ, or the DLQ refused it too
};

// The service principal and the SenderId its messages carry in SQS.
inline constexpr std::string_view kSnsServicePrincipal = "sns.amazonaws.com";
inline constexpr std::string_view kSnsSenderId = "AIDAIT2UOQQY3AUEKVGXU";

struct DeliveryOptions {
  int64_t max_retries = 100'015;
  // Runs delivery work; empty: on the caller's thread (unit tests).
  std::function<void(std::function<void()>)> executor;
  // One line per failed delivery (and what became of it); empty: not logged.
  std::function<void(std::string_view)> log;
};

class Deliveries {
 public:
  Deliveries(sqs::SqsService& sqs, TopicStore& topics, Outbox& outbox, Scheduler& scheduler,
             const Clock& clock, std::shared_ptr<const SigningKey> signing_key,
             DeliveryOptions options);

  // Delivers a publication whose outbox record is durable.
  void Start(std::shared_ptr<const Publication> publication);

  const DeliveryCounters& counters() const { return counters_; }

 private:
  struct InFlight;
  // One delivery to one subscription (or its dead-letter queue).
  struct Attempt {
    std::shared_ptr<InFlight> flight;
    std::shared_ptr<const Subscription> subscription;
    sqs::ServiceMessage message;
    int64_t retry = 0;  // how many retries came before this attempt
  };
  void Post(std::function<void()> task);
  void Fanout(const std::shared_ptr<const Publication>& publication);
  void Send(Attempt attempt);
  void OnFailure(Attempt attempt, const api::ApiError& error);
  void Finish(InFlight& flight);
  sqs::ServiceMessage MessageFor(const Publication& p, const Subscription& s,
                                 const std::optional<std::string>& signature) const;
  void Log(const Publication& p, const Subscription& s, std::string_view what) const;

  sqs::SqsService& sqs_;
  TopicStore& topics_;
  Outbox& outbox_;
  Scheduler& scheduler_;
  const Clock& clock_;
  const std::shared_ptr<const SigningKey> signing_key_;
  const DeliveryOptions options_;
  DeliveryCounters counters_;
};

}  // namespace wharf::sns
