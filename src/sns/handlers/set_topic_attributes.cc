// SetTopicAttributes (sns-fanout.md §3): one attribute per call; FifoTopic never changes.

#include "sns/handlers/handlers.h"
#include "sns/identifiers.h"

namespace wharf::sns {

void SetTopicAttributes(SnsService& s, const Ctx& ctx, wire::SetTopicAttributesInput in,
                        Reply<wire::Empty> reply) {
  auto topic = s.ResolveTopic(ctx, in.topic_arn, "TopicArn");
  if (!topic.ok()) return reply.Fail(std::move(topic).error());
  if (!in.attribute_name) return reply.Fail(MissingMember("attributeName"));
  const std::string name = *in.attribute_name;
  const std::string value = in.attribute_value.value_or("");
  if (auto st = ValidateTopicAttribute(name, value, (*topic)->record.fifo, AttributeCall::kSet);
      !st.ok()) {
    return reply.Fail(std::move(st).error());
  }
  const TopicRecord& record = (*topic)->record;
  auto changed = s.topics().EditTopic(
      record.account_id, record.name, [&name, &value](TopicRecord& r) -> api::ApiStatus {
        std::erase_if(r.attributes, [&name](const auto& a) { return a.first == name; });
        r.attributes.emplace_back(name, value);
        return {};
      });
  if (!changed.ok()) return reply.Fail(std::move(changed).error());
  s.AnswerWhenDurable(*changed, std::move(reply), wire::Empty{});
}

}  // namespace wharf::sns
