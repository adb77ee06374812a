// CreateQueue (sqs-api.md §2.1).

#include "common/text.h"
#include "sqs/handlers/common.h"
#include "sqs/handlers/handlers.h"

namespace wharf::sqs {

void CreateQueue(SqsService& s, const RequestContext& ctx, a::CreateQueueInput in,
                 Reply<a::QueueUrlOutput> reply) {
  if (!in.queue_name || in.queue_name->empty()) return reply.Fail(MissingParameter("QueueName"));
  bool fifo = false;
  for (const auto& [name, value] : in.attributes) {
    if (name == "FifoQueue" && EqualsIgnoreCase(value, "true")) fifo = true;
  }
  if (auto valid = ValidateQueueName(*in.queue_name, fifo, s.limits().max_queue_name_length);
      !valid.ok()) {
    return reply.Fail(std::move(valid).error());
  }
  // Queues are created in the caller's own account only; with tags, TagQueue is checked too.
  const std::string arn = s.queues().ArnOf(ctx.account_id, *in.queue_name);
  if (auto allowed = s.Authorize(ctx, arn, ctx.account_id, nullptr); !allowed.ok()) {
    return reply.Fail(std::move(allowed).error());
  }
  if (!in.tags.empty()) {
    if (auto allowed = s.AuthorizeAction(ctx, "sqs:TagQueue", arn, ctx.account_id, nullptr);
        !allowed.ok()) {
      return reply.Fail(std::move(allowed).error());
    }
  }
  QueueConfig config;
  config.fifo = fifo;
  config.maximum_message_size = s.limits().max_message_size;
  config.created_timestamp = s.clock().WallMillis() / 1000;
  config.last_modified_timestamp = config.created_timestamp;
  if (auto applied = ApplyAttributes(config, in.attributes, AttributeMode::kCreate, s.limits(),
                                     s.TypeLookup(arn, ctx.account_id));
      !applied.ok()) {
    return reply.Fail(std::move(applied).error());
  }
  if (auto valid = ValidateTags(in.tags); !valid.ok()) return reply.Fail(std::move(valid).error());
  if (static_cast<int64_t>(in.tags.size()) > s.limits().max_tags) {
    return reply.Fail(api::Error(api::ErrorCode::kInvalidParameterValue,
                                 "Too many tags added for queue " + *in.queue_name + "."));
  }

  std::string url = s.QueueUrlOf(ctx, ctx.account_id, *in.queue_name);
  s.queues().Create(ctx.account_id, *in.queue_name, std::move(config), std::move(in.tags),
                    in.attributes,
                    [reply, url = std::move(url)](api::ApiResult<QueueCatalog::Created> created) {
                      if (!created.ok()) return reply.Fail(std::move(created).error());
                      reply.Ok(a::QueueUrlOutput{url});
                    });
}

}  // namespace wharf::sqs
