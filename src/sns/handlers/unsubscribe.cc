// Unsubscribe (sns-fanout.md §3): by the subscription's owner or the topic's owner.

#include "sns/handlers/common.h"
#include "sns/handlers/handlers.h"

namespace wharf::sns {

void Unsubscribe(SnsService& s, const Ctx& ctx, wire::SubscriptionArnInput in,
                 Reply<wire::Empty> reply) {
  auto subscription = ResolveSubscription(s, ctx, in.subscription_arn);
  if (!subscription.ok()) return reply.Fail(std::move(subscription).error());
  auto removed = s.topics().Unsubscribe((*subscription)->record.arn);
  if (!removed.ok()) return reply.Fail(std::move(removed).error());
  s.AnswerWhenDurable(*removed, std::move(reply), wire::Empty{});
}

}  // namespace wharf::sns
