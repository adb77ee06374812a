// Publish (sns-fanout.md §3): validated, written to the outbox, acknowledged once durable, then
// delivered to every subscription the topic has now (delivery.h).

#include "common/ids.h"
#include "sns/handlers/common.h"
#include "sns/handlers/handlers.h"
#include "sns/identifiers.h"
#include "sns/publish_validation.h"

namespace wharf::sns {

void Publish(SnsService& s, const Ctx& ctx, wire::PublishInput in,
             Reply<wire::PublishOutput> reply) {
  if (in.phone_number)
    return reply.Fail(InvalidParameter("PhoneNumber Reason: SMS is not supported"));
  if (in.topic_arn && in.target_arn) {
    return reply.Fail(InvalidParameter(
        "TopicArn or TargetArn Reason: Only one of TopicArn or TargetArn may be specified"));
  }
  if (!in.topic_arn && !in.target_arn) {
    return reply.Fail(
        InvalidParameter("TopicArn or TargetArn Reason: no value for required parameter"));
  }
  auto topic = in.topic_arn ? s.ResolveTopic(ctx, in.topic_arn, "TopicArn")
                            : s.ResolveTopic(ctx, in.target_arn, "TargetArn");
  if (!topic.ok()) return reply.Fail(std::move(topic).error());
  const Topic& t = **topic;
  auto publication = BuildPublication(PublishFieldsOf(in), t.settings);
  if (!publication.ok()) return reply.Fail(std::move(publication).error());

  std::vector<Publication> batch;
  batch.push_back(std::move(publication).value());
  Publication& p = batch.back();
  p.topic_arn = t.record.arn;
  p.topic_account = t.record.account_id;
  p.message_id = NewUuid();
  p.timestamp_ms = s.clock().WallMillis();
  p.endpoint = s.EndpointFor(ctx);
  for (const auto& subscription : s.topics().SubscriptionsOf(t.record.account_id, t.record.name)) {
    p.subscription_arns.push_back(subscription->record.arn);
  }
  const bool fifo = t.settings.fifo;
  s.Publish(std::move(batch), [reply = std::move(reply), fifo](
                                  bool durable, const std::vector<Outbox::Added>& added) {
    if (!durable) return reply.Fail(api::Error(api::ErrorCode::kSnsInternalError));
    wire::PublishOutput out;
    out.message_id = added.front().message_id;
    if (fifo) out.sequence_number = sqs::SequenceNumberOf(added.front().sequence);
    reply.Ok(std::move(out));
  });
}

}  // namespace wharf::sns
