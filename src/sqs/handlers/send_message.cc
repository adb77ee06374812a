// SendMessage (sqs-api.md §2.7).

#include "sqs/handlers/common.h"
#include "sqs/handlers/handlers.h"
#include "sqs/message_validation.h"

namespace wharf::sqs {

void SendMessage(SqsService& s, const RequestContext& ctx, a::SendMessageInput in,
                 Reply<a::SendMessageOutput> reply) {
  auto queue = s.ResolveQueue(ctx, in.queue_url);
  if (!queue.ok()) return reply.Fail(std::move(queue).error());
  auto message = BuildMessage(FieldsOf(in), SendKind::kSingle, (*queue)->send_rules(), s.limits(),
                              ctx, s.clock().WallMillis());
  if (!message.ok()) return reply.Fail(std::move(message).error());

  const MessageContent& content = *message->content;
  a::SendMessageOutput out;
  out.md5_of_message_body = content.md5_of_body;
  out.md5_of_message_attributes = content.md5_of_attributes;
  out.md5_of_message_system_attributes = content.md5_of_system_attributes;

  std::vector<NewMessage> batch;
  batch.push_back(std::move(message).value());
  (*queue)->Send(std::move(batch), [reply, out = std::move(out)](
                                       api::ApiResult<std::vector<SendResult>> result) mutable {
    if (!result.ok()) return reply.Fail(std::move(result).error());
    SendResult& sent = result->front();
    out.message_id = std::move(sent.message_id);
    out.sequence_number = std::move(sent.sequence_number);
    reply.Ok(std::move(out));
  });
}

}  // namespace wharf::sqs
