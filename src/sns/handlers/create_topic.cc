// CreateTopic (sns-fanout.md §3).

#include "sns/handlers/common.h"
#include "sns/handlers/handlers.h"
#include "sns/identifiers.h"

namespace wharf::sns {

void CreateTopic(SnsService& s, const Ctx& ctx, wire::CreateTopicInput in,
                 Reply<wire::TopicArnOutput> reply) {
  if (!in.name) return reply.Fail(MissingMember("name"));
  bool fifo = false;
  for (const auto& [name, value] : in.attributes) {
    if (name == "FifoTopic") fifo = value == "true";
  }
  // A ".fifo" name without FifoTopic=true is a bad standard-topic name, and the reverse too.
  if (!IsValidTopicName(*in.name, fifo)) return reply.Fail(InvalidParameter("Topic Name"));
  for (const auto& [name, value] : in.attributes) {
    if (auto st = ValidateTopicAttribute(name, value, fifo, AttributeCall::kCreate); !st.ok()) {
      return reply.Fail(std::move(st).error());
    }
  }
  if (auto st = ValidateTags(in.tags); !st.ok()) return reply.Fail(std::move(st).error());
  if (in.tags.size() > kMaxTags)
    return reply.Fail(api::Error(api::ErrorCode::kSnsTagLimitExceeded));

  const std::string arn = TopicArnOf(s.region(), ctx.account_id, *in.name);
  if (auto st = s.Authorize(ctx, "sns:CreateTopic", arn, ctx.account_id, nullptr); !st.ok()) {
    return reply.Fail(std::move(st).error());
  }
  if (!in.tags.empty()) {
    if (auto st = s.Authorize(ctx, "sns:TagResource", arn, ctx.account_id, nullptr); !st.ok()) {
      return reply.Fail(std::move(st).error());
    }
  }

  TopicRecord record;
  record.account_id = ctx.account_id;
  record.name = *in.name;
  record.fifo = fifo;
  for (const auto& [name, value] : in.attributes) {
    if (name != "FifoTopic") record.attributes.emplace_back(name, value);  // never stored
  }
  record.tags = FromWire(in.tags);
  auto created = s.topics().CreateTopic(std::move(record), in.attributes, !in.tags.empty());
  if (!created.ok()) return reply.Fail(std::move(created).error());
  s.AnswerWhenDurable(created->ticket, std::move(reply), wire::TopicArnOutput{created->arn});
}

}  // namespace wharf::sns
