// GetTopicAttributes (sns-fanout.md §3).

#include "sns/handlers/handlers.h"

namespace wharf::sns {

ApiResult<wire::AttributesOutput> GetTopicAttributes(SnsService& s, const Ctx& ctx,
                                                     wire::TopicArnInput& in) {
  WHARF_ASSIGN_OR_RETURN(auto topic, s.ResolveTopic(ctx, in.topic_arn, "TopicArn"));
  const TopicRecord& record = topic->record;
  const SubscriptionCounts counts = s.topics().CountsOf(record.account_id, record.name);
  return wire::AttributesOutput{TopicAttributesOf(record, counts)};
}

}  // namespace wharf::sns
