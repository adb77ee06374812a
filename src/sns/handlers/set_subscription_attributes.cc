// SetSubscriptionAttributes (sns-fanout.md §3): one attribute per call.

#include "sns/handlers/common.h"
#include "sns/handlers/handlers.h"
#include "sns/identifiers.h"

namespace wharf::sns {

void SetSubscriptionAttributes(SnsService& s, const Ctx& ctx,
                               wire::SetSubscriptionAttributesInput in, Reply<wire::Empty> reply) {
  auto subscription = ResolveSubscription(s, ctx, in.subscription_arn);
  if (!subscription.ok()) return reply.Fail(std::move(subscription).error());
  if (!in.attribute_name) return reply.Fail(MissingMember("attributeName"));
  const std::string name = *in.attribute_name;
  const std::string value = in.attribute_value.value_or("");
  const SubscriptionRecord& record = (*subscription)->record;
  auto topic = ParseTopicArn(record.topic_arn, "TopicArn");
  const bool fifo = topic.ok() && HasFifoSuffix(topic->name) && HasFifoSuffix(record.endpoint);
  auto changed = s.topics().EditSubscription(
      record.arn, [&name, &value, fifo](SubscriptionRecord& r) -> api::ApiStatus {
        WHARF_RETURN_IF_ERROR(
            ValidateSubscriptionAttribute(name, value, fifo, r.attributes, AttributeCall::kSet));
        std::erase_if(r.attributes, [&name](const auto& a) { return a.first == name; });
        r.attributes.emplace_back(name, value);
        return {};
      });
  if (!changed.ok()) return reply.Fail(std::move(changed).error());
  s.AnswerWhenDurable(*changed, std::move(reply), wire::Empty{});
}

}  // namespace wharf::sns
