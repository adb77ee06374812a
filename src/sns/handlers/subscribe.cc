// Subscribe (sns-fanout.md §3): protocol sqs only, the endpoint a queue ARN. The queue's own
// rights are not checked here; its policy decides each delivery (§7.1). Subscriptions are
// confirmed at once (see src/sns/README.md for the cross-account case).

#include "sns/handlers/handlers.h"
#include "sns/identifiers.h"

namespace wharf::sns {
namespace {

api::ApiStatus CheckReturnSubscriptionArn(const std::optional<std::string>& value) {
  if (value && *value != "true" && *value != "false") {
    return InvalidParameter("ReturnSubscriptionArn");
  }
  return {};
}

}  // namespace

void Subscribe(SnsService& s, const Ctx& ctx, wire::SubscribeInput in,
               Reply<wire::SubscriptionArnOutput> reply) {
  if (!in.topic_arn) return reply.Fail(MissingMember("topicArn"));
  if (!in.protocol) return reply.Fail(MissingMember("protocol"));
  if (*in.protocol != "sqs") {
    return reply.Fail(
        InvalidParameter("Amazon SNS does not support this protocol string: " + *in.protocol));
  }
  QueueRef queue;
  if (!in.endpoint || !ParseQueueArn(*in.endpoint, queue)) {
    return reply.Fail(InvalidParameter("SQS endpoint ARN"));
  }
  if (auto st = CheckReturnSubscriptionArn(in.return_subscription_arn); !st.ok()) {
    return reply.Fail(std::move(st).error());
  }
  auto topic = s.ResolveTopic(ctx, in.topic_arn, "TopicArn", api::ErrorCode::kSnsNotFound,
                              {{"sns:Protocol", *in.protocol}, {"sns:Endpoint", *in.endpoint}});
  if (!topic.ok()) return reply.Fail(std::move(topic).error());
  const TopicRecord& t = (*topic)->record;
  const bool fifo_queue = HasFifoSuffix(queue.name);
  if (fifo_queue && !t.fifo) {
    return reply.Fail(InvalidParameter(
        "Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard "
        "SNS topics"));  // the doubled prefix is AWS's
  }
  for (const auto& [name, value] : in.attributes) {
    if (auto st = ValidateSubscriptionAttribute(name, value, t.fifo && fifo_queue, in.attributes,
                                                AttributeCall::kCreate);
        !st.ok()) {
      return reply.Fail(std::move(st).error());
    }
  }
  SubscriptionRecord record;
  record.topic_arn = t.arn;
  record.owner = ctx.account_id;
  record.principal = CallerOf(ctx).arn;
  record.protocol = *in.protocol;
  record.endpoint = *in.endpoint;
  record.attributes = in.attributes;
  auto subscribed = s.topics().Subscribe(t.account_id, t.name, std::move(record), in.attributes);
  if (!subscribed.ok()) return reply.Fail(std::move(subscribed).error());
  s.AnswerWhenDurable(subscribed->ticket, std::move(reply),
                      wire::SubscriptionArnOutput{subscribed->arn});
}

}  // namespace wharf::sns
