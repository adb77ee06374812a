// SendMessage (sqs-api.md §2.7).

#include "sqs/handlers/common.h"
#include "sqs/handlers/handlers.h"
#include "sqs/message_validation.h"

namespace wharf::sqs {

void SendMessage(SqsService& s, const RequestContext& ctx, a::SendMessageInput in,
                 Reply<a::SendMessageOutput> reply) {
  auto queue = s.ResolveQueue(ctx, in.queue_url);
  if (!queue.ok()) return reply.Fail(std::move(queue).error());
  const SendRules rules = (*queue)->send_rules();
  auto message =
      BuildMessage(FieldsOf(in), SendKind::kSingle, rules, s.limits(), ctx, s.clock().WallMillis());
  if (!message.ok()) return reply.Fail(std::move(message).error());

  const MessageContent& content = *message->content;
  a::SendMessageOutput out;
  out.md5_of_message_body = content.md5_of_body;
  out.md5_of_message_attributes = content.md5_of_attributes;
  out.md5_of_message_system_attributes = content.md5_of_system_attributes;

  std::vector<NewMessage> batch;
  batch.push_back(std::move(message).value());
  // SSE-KMS: sealed under the caller's data key; a KMS refusal fails the send (§4.3). The
  // digests above are of the plaintext, and its size was what the limits checked.
  if (rules.kms_master_key_id) {
    if (auto sealed = s.encryption().SealForSend(ctx, (*queue)->identity(), rules, batch);
        !sealed.ok()) {
      return reply.Fail(std::move(sealed).error());
    }
  }
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
