// SendMessageBatch (sqs-api.md §2.8): whole-request checks first, then each entry on its own;
// entries that fail are reported in Failed and the others are sent, in request order.

#include "sqs/handlers/common.h"
#include "sqs/handlers/handlers.h"
#include "sqs/message_validation.h"

namespace wharf::sqs {

void SendMessageBatch(SqsService& s, const RequestContext& ctx, a::SendMessageBatchInput in,
                      Reply<a::SendMessageBatchOutput> reply) {
  auto queue = s.ResolveQueue(ctx, in.queue_url);
  if (!queue.ok()) return reply.Fail(std::move(queue).error());
  if (auto shape = ValidateBatch(IdsOf(in.entries), "SendMessageBatchRequestEntry",
                                 s.limits().max_batch_entries);
      !shape.ok()) {
    return reply.Fail(std::move(shape).error());
  }
  int64_t total = 0;
  for (auto& entry : in.entries) total += MessageSize(FieldsOf(entry));
  if (total > s.limits().max_batch_bytes) {
    return reply.Fail(api::Error(api::ErrorCode::kBatchRequestTooLong,
                                 "Batch requests cannot be longer than " +
                                     std::to_string(s.limits().max_batch_bytes) +
                                     " bytes. You have sent " + std::to_string(total) + " bytes."));
  }

  const SendRules config = (*queue)->send_rules();
  if (config.fifo) {
    // On FIFO queues these two fail the whole request, not the entry (§2.8).
    for (const auto& entry : in.entries) {
      if (!entry.message_group_id) {
        return reply.Fail(api::Error(api::ErrorCode::kInvalidParameterValue,
                                     "The request must contain the parameter MessageGroupId."));
      }
      if (!entry.message_deduplication_id && !config.content_based_deduplication) {
        return reply.Fail(
            api::Error(api::ErrorCode::kInvalidParameterValue,
                       "The queue should either have ContentBasedDeduplication enabled or "
                       "MessageDeduplicationId provided explicitly"));
      }
    }
  }
  const int64_t now = s.clock().WallMillis();
  a::SendMessageBatchOutput out;
  std::vector<NewMessage> messages;
  for (auto& entry : in.entries) {
    auto message =
        BuildMessage(FieldsOf(entry), SendKind::kBatchEntry, config, s.limits(), ctx, now);
    if (!message.ok()) {
      out.failed.push_back(FailedEntry(*entry.id, message.error()));
      continue;
    }
    const MessageContent& content = *message->content;
    a::SendMessageBatchResultEntry result;
    result.id = *entry.id;
    result.md5_of_message_body = content.md5_of_body;
    result.md5_of_message_attributes = content.md5_of_attributes;
    result.md5_of_message_system_attributes = content.md5_of_system_attributes;
    out.successful.push_back(std::move(result));
    messages.push_back(std::move(message).value());
  }
  if (messages.empty()) return reply.Ok(std::move(out));
  // SSE-KMS: one data key seals every entry, so a KMS refusal is not about any one entry: the
  // whole call fails with the Kms* error, as SQS's model lists them for SendMessageBatch itself
  // (security.md §4.3), and nothing is sent.
  if (config.kms_master_key_id) {
    if (auto sealed = s.encryption().SealForSend(ctx, (*queue)->identity(), config, messages);
        !sealed.ok()) {
      return reply.Fail(std::move(sealed).error());
    }
  }
  // Entries are enqueued in request order; results come back in the same order.
  (*queue)->Send(std::move(messages), [reply, out = std::move(out)](
                                          api::ApiResult<std::vector<SendResult>> result) mutable {
    if (!result.ok()) return reply.Fail(std::move(result).error());
    for (size_t i = 0; i < out.successful.size(); ++i) {
      out.successful[i].message_id = std::move((*result)[i].message_id);
      out.successful[i].sequence_number = std::move((*result)[i].sequence_number);
    }
    reply.Ok(std::move(out));
  });
}

}  // namespace wharf::sqs
