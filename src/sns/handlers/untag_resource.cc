// UntagResource (sns-fanout.md §3): removes the named tags (unknown keys are ignored).

#include "sns/handlers/handlers.h"

namespace wharf::sns {

void UntagResource(SnsService& s, const Ctx& ctx, wire::UntagResourceInput in,
                   Reply<wire::Empty> reply) {
  auto topic =
      s.ResolveTopic(ctx, in.resource_arn, "ResourceArn", api::ErrorCode::kSnsResourceNotFound);
  if (!topic.ok()) return reply.Fail(std::move(topic).error());
  const TopicRecord& record = (*topic)->record;
  auto changed =
      s.topics().EditTopic(record.account_id, record.name, [&in](TopicRecord& r) -> api::ApiStatus {
        std::erase_if(r.tags, [&in](const Tag& t) {
          return std::find(in.tag_keys.begin(), in.tag_keys.end(), t.key) != in.tag_keys.end();
        });
        return {};
      });
  if (!changed.ok()) return reply.Fail(std::move(changed).error());
  s.AnswerWhenDurable(*changed, std::move(reply), wire::Empty{});
}

}  // namespace wharf::sns
