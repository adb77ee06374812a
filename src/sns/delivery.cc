#include "sns/delivery.h"

#include <algorithm>

#include "sns/envelope.h"
#include "sns/identifiers.h"
#include "sns/retry_policy.h"

namespace wharf::sns {

struct Deliveries::InFlight {
  std::shared_ptr<const Publication> publication;
  std::atomic<size_t> pending{0};
  // A delivery could not be settled (its dead-letter queue failed on the server's side): keep
  // the outbox record so the next start tries again.
  std::atomic<bool> unsettled{false};
};

namespace {

api::sqs::MessageAttributeMap ToSqsAttributes(const api::sns::MessageAttributeMap& attributes) {
  api::sqs::MessageAttributeMap out;
  out.reserve(attributes.size());
  for (const auto& [name, value] : attributes) {
    api::sqs::MessageAttributeValue v;
    v.data_type = value.data_type;
    v.string_value = value.string_value;
    v.binary_value = value.binary_value;
    out.emplace_back(name, std::move(v));
  }
  return out;
}

// How a delivery failure reads in the log: AWS's delivery-log wording for a denied queue.
std::string Describe(const api::ApiError& error, std::string_view queue_arn) {
  std::string text(api::InfoOf(error.code).query_code);
  text.append(": ");
  if (error.code == api::ErrorCode::kAccessDenied) {
    text.append("Access to the resource ");
    text.append(queue_arn);
    text.append(" is denied.");
  } else {
    text.append(error.message.empty() ? api::InfoOf(error.code).message : error.message);
  }
  return text;
}

}  // namespace

Deliveries::Deliveries(sqs::SqsService& sqs, TopicStore& topics, Outbox& outbox,
                       Scheduler& scheduler, const Clock& clock,
                       std::shared_ptr<const SigningKey> signing_key, DeliveryOptions options)
    : sqs_(sqs),
      topics_(topics),
      outbox_(outbox),
      scheduler_(scheduler),
      clock_(clock),
      signing_key_(std::move(signing_key)),
      options_(std::move(options)) {}

void Deliveries::Post(std::function<void()> task) {
  if (options_.executor) {
    options_.executor(std::move(task));
  } else {
    task();
  }
}

void Deliveries::Start(std::shared_ptr<const Publication> publication) {
  Post([this, publication = std::move(publication)] { Fanout(publication); });
}

void Deliveries::Fanout(const std::shared_ptr<const Publication>& publication) {
  const Publication& p = *publication;
  std::vector<std::shared_ptr<const Subscription>> targets;
  for (const std::string& arn : p.subscription_arns) {
    auto subscription = topics_.FindSubscription(arn);
    if (!subscription) continue;  // unsubscribed (or its topic deleted) since
    if (!subscription->filter.Matches(p)) {
      counters_.filtered_out.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    targets.push_back(std::move(subscription));
  }
  if (targets.empty()) {
    outbox_.Remove(p.sequence);
    return;
  }
  // One signature serves every subscription: the per-subscription UnsubscribeURL is not signed
  // (§4.3). FIFO topics' envelopes are not signed at all.
  std::optional<std::string> signature;
  const bool wants_envelope =
      std::any_of(targets.begin(), targets.end(), [](const auto& s) { return !s->settings.raw; });
  if (!p.fifo && wants_envelope && signing_key_) {
    Envelope e;
    e.message_id = p.message_id;
    e.topic_arn = p.topic_arn;
    e.subject = p.subject;
    e.message = p.message;
    e.timestamp = FormatTimestamp(p.timestamp_ms);
    signature = signing_key_->Sign(StringToSign(e), p.signature_version);
  }
  auto flight = std::make_shared<InFlight>();
  flight->publication = publication;
  flight->pending.store(targets.size());
  for (auto& subscription : targets) {
    sqs::ServiceMessage message = MessageFor(p, *subscription, signature);
    Send(Attempt{flight, std::move(subscription), std::move(message), 0});
  }
}

sqs::ServiceMessage Deliveries::MessageFor(const Publication& p, const Subscription& s,
                                           const std::optional<std::string>& signature) const {
  sqs::ServiceMessage m;
  m.service = std::string(kSnsServicePrincipal);
  m.source_arn = p.topic_arn;
  m.source_account = p.topic_account;
  m.sender_id = std::string(kSnsSenderId);
  if (s.settings.raw) {
    m.body = p.message;
    m.attributes = ToSqsAttributes(p.attributes);
  } else {
    Envelope e;
    e.message_id = p.message_id;
    if (p.fifo) e.sequence_number = sqs::SequenceNumberOf(p.sequence);
    e.topic_arn = p.topic_arn;
    e.subject = p.subject;
    e.message = p.message;
    e.timestamp = FormatTimestamp(p.timestamp_ms);
    if (signature && signing_key_) {
      e.signature_version = std::to_string(p.signature_version);
      e.signature = *signature;
      e.signing_cert_url = p.endpoint + "/" + signing_key_->certificate_file();
    }
    e.unsubscribe_url = p.endpoint + "/?Action=Unsubscribe&SubscriptionArn=" + s.record.arn;
    e.attributes = &p.attributes;
    m.body = EncodeEnvelope(e);
  }
  // FIFO topic → FIFO queue: ordered and deduplicated per the publisher's ids (§6). A standard
  // queue of a FIFO topic gets a plain send; a standard topic's group id (fair queues) passes.
  const bool fifo_queue = HasFifoSuffix(s.record.endpoint);
  if (!p.fifo || fifo_queue) m.group_id = p.group_id;
  if (p.fifo && fifo_queue) m.deduplication_id = p.deduplication_id;
  return m;
}

void Deliveries::Send(Attempt attempt) {
  const std::string queue_arn = attempt.subscription->record.endpoint;
  sqs::ServiceMessage message = attempt.message;  // kept in `attempt` for a retry or the DLQ
  sqs::SendAsService(
      sqs_, queue_arn, std::move(message),
      [this, attempt = std::move(attempt)](api::ApiResult<sqs::SendResult> result) mutable {
        if (result.ok()) {
          counters_.delivered.fetch_add(1, std::memory_order_relaxed);
          return Finish(*attempt.flight);
        }
        OnFailure(std::move(attempt), result.error());
      });
}

void Deliveries::OnFailure(Attempt attempt, const api::ApiError& error) {
  const Publication& p = *attempt.flight->publication;
  const Subscription& s = *attempt.subscription;
  if (sqs::IsRetryableDeliveryError(error) && attempt.retry < options_.max_retries) {
    counters_.retried.fetch_add(1, std::memory_order_relaxed);
    ++attempt.retry;
    const Duration delay = RetryDelay(attempt.retry);
    auto again = std::make_shared<Attempt>(std::move(attempt));
    auto resend = [this, again] { Send(std::move(*again)); };
    if (delay == Duration::zero()) return Post(std::move(resend));
    scheduler_.ScheduleAt(clock_.Now() + delay, [this, resend] { Post(resend); });
    return;
  }
  counters_.failed.fetch_add(1, std::memory_order_relaxed);
  const std::string reason = Describe(error, s.record.endpoint);
  if (!s.settings.dead_letter_arn) {
    counters_.dropped.fetch_add(1, std::memory_order_relaxed);
    Log(p, s, reason + "; dropped (the subscription has no dead-letter queue)");
    return Finish(*attempt.flight);
  }
  const std::string dlq = *s.settings.dead_letter_arn;
  sqs::ServiceMessage message = std::move(attempt.message);
  if (!HasFifoSuffix(dlq)) message.deduplication_id.reset();
  sqs::SendAsService(
      sqs_, dlq, std::move(message),
      [this, attempt = std::move(attempt), reason, dlq](api::ApiResult<sqs::SendResult> r) {
        const Publication& p = *attempt.flight->publication;
        if (r.ok()) {
          counters_.dead_lettered.fetch_add(1, std::memory_order_relaxed);
          Log(p, *attempt.subscription, reason + "; moved to the dead-letter queue " + dlq);
        } else {
          counters_.dropped.fetch_add(1, std::memory_order_relaxed);
          if (sqs::IsRetryableDeliveryError(r.error())) attempt.flight->unsettled.store(true);
          Log(p, *attempt.subscription,
              reason + "; the dead-letter queue " + dlq + " refused it too (" +
                  Describe(r.error(), dlq) + ")");
        }
        Finish(*attempt.flight);
      });
}

void Deliveries::Finish(InFlight& flight) {
  if (flight.pending.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  if (!flight.unsettled.load()) outbox_.Remove(flight.publication->sequence);
}

void Deliveries::Log(const Publication& p, const Subscription& s, std::string_view what) const {
  if (!options_.log) return;
  std::string line = "sns: delivery of message ";
  line.append(p.message_id);
  line.append(" from ");
  line.append(p.topic_arn);
  line.append(" to ");
  line.append(s.record.endpoint);
  line.append(" (subscription ");
  line.append(s.record.arn);
  line.append(") failed: ");
  line.append(what);
  options_.log(line);
}

}  // namespace wharf::sns
