// SendMessage (sqs-api.md §2.7).

#include "sqs/handlers/common.h"
#include "sqs/handlers/handlers.h"
#include "sqs/message_validation.h"

namespace wharf::sqs {

void SendMessage(SqsService& s, const RequestContext& ctx, a::SendMessageInput in,
                 Reply<a::SendMessageOutput> reply) {
  auto queue = s.ResolveQueue(ctx, in.queue_url);
  if (!queue.ok()) return reply.Fail(std::move(queue).error());
  auto message = BuildMessage(FieldsOf(in), SendKind::kSingle, (*queue)->config(), s.limits(), ctx,
                              s.clock().WallMillis());
  if (!message.ok()) return reply.Fail(std::move(message).error());

  const MessageContent& content = *message->content;
  a::SendMessageOutput out;
  out.message_id = content.message_id;
  out.md5_of_message_body = content.md5_of_body;
  out.md5_of_message_attributes = content.md5_of_attributes;
  out.md5_of_message_system_attributes = content.md5_of_system_attributes;

  std::vector<NewMessage> batch;
  batch.push_back(std::move(message).value());
  (*queue)->Send(std::move(batch), [reply, out = std::move(out)](api::ApiStatus status) {
    if (status.ok()) {
      reply.Ok(out);
    } else {
      reply.Fail(std::move(status).error());
    }
  });
}

}  // namespace wharf::sqs
