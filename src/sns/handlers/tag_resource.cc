// TagResource (sns-fanout.md §3): adds or replaces tags; at most 50 per topic.

#include "sns/handlers/common.h"
#include "sns/handlers/handlers.h"

namespace wharf::sns {

void TagResource(SnsService& s, const Ctx& ctx, wire::TagResourceInput in,
                 Reply<wire::Empty> reply) {
  auto topic =
      s.ResolveTopic(ctx, in.resource_arn, "ResourceArn", api::ErrorCode::kSnsResourceNotFound);
  if (!topic.ok()) return reply.Fail(std::move(topic).error());
  if (auto st = ValidateTags(in.tags); !st.ok()) return reply.Fail(std::move(st).error());
  const TopicRecord& record = (*topic)->record;
  auto changed =
      s.topics().EditTopic(record.account_id, record.name, [&in](TopicRecord& r) -> api::ApiStatus {
        for (const wire::Tag& tag : in.tags) {
          auto same = std::find_if(r.tags.begin(), r.tags.end(),
                                   [&tag](const Tag& t) { return t.key == tag.key; });
          if (same != r.tags.end()) {
            same->value = tag.value;
          } else {
            r.tags.push_back(Tag{tag.key, tag.value});
          }
        }
        if (r.tags.size() > kMaxTags) return api::Error(api::ErrorCode::kSnsTagLimitExceeded);
        return {};
      });
  if (!changed.ok()) return reply.Fail(std::move(changed).error());
  s.AnswerWhenDurable(*changed, std::move(reply), wire::Empty{});
}

}  // namespace wharf::sns
