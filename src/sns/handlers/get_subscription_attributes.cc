// GetSubscriptionAttributes (sns-fanout.md §3).

#include "sns/handlers/common.h"
#include "sns/handlers/handlers.h"

namespace wharf::sns {

ApiResult<wire::AttributesOutput> GetSubscriptionAttributes(SnsService& s, const Ctx& ctx,
                                                            wire::SubscriptionArnInput& in) {
  WHARF_ASSIGN_OR_RETURN(auto subscription, ResolveSubscription(s, ctx, in.subscription_arn));
  return wire::AttributesOutput{SubscriptionAttributesOf(subscription->record)};
}

}  // namespace wharf::sns
