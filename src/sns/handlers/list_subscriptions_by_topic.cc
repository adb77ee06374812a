// ListSubscriptionsByTopic (sns-fanout.md §3): every subscription of a topic, 100 per page.

#include "sns/handlers/common.h"
#include "sns/handlers/handlers.h"

namespace wharf::sns {

ApiResult<wire::ListSubscriptionsOutput> ListSubscriptionsByTopic(
    SnsService& s, const Ctx& ctx, wire::ListSubscriptionsByTopicInput& in) {
  WHARF_ASSIGN_OR_RETURN(auto topic, s.ResolveTopic(ctx, in.topic_arn, "TopicArn"));
  WHARF_ASSIGN_OR_RETURN(const std::string after, PageStart(in.next_token));
  auto page = s.topics().ListSubscriptionsByTopic(topic->record.arn, after, kPageSize + 1);
  wire::ListSubscriptionsOutput out;
  if (page.size() > kPageSize) {
    page.resize(kPageSize);
    out.next_token = PageToken(page.back()->record.arn);
  }
  for (const auto& subscription : page) out.subscriptions.push_back(ToWire(subscription->record));
  return out;
}

}  // namespace wharf::sns
