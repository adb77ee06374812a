// DeleteTopic (sns-fanout.md §3): the topic and all its subscriptions. Deleting a topic that
// does not exist is not an error.

#include "sns/handlers/handlers.h"
#include "sns/identifiers.h"

namespace wharf::sns {

void DeleteTopic(SnsService& s, const Ctx& ctx, wire::TopicArnInput in, Reply<wire::Empty> reply) {
  auto topic = s.ResolveTopic(ctx, in.topic_arn, "TopicArn");
  if (!topic.ok()) {
    if (topic.error().code != api::ErrorCode::kSnsNotFound) return reply.Fail(topic.error());
    // Gone already: still only for a caller who may delete it.
    if (auto st = s.Authorize(ctx, "sns:DeleteTopic", *in.topic_arn, ctx.account_id, nullptr);
        !st.ok()) {
      return reply.Fail(std::move(st).error());
    }
    return s.AnswerWhenDurable(s.LatestTicket(), std::move(reply), wire::Empty{});
  }
  const TopicRecord& record = (*topic)->record;
  s.AnswerWhenDurable(s.topics().DeleteTopic(record.account_id, record.name), std::move(reply),
                      wire::Empty{});
}

}  // namespace wharf::sns
