// PeekMessages (Wharf's own, docs/console.md): the oldest messages of a queue in every state,
// without receiving them. Authorised as sqs:ReceiveMessage on the queue (SqsPermissionFor), and
// SSE-KMS bodies are opened for the caller as a receive opens them (kms:Decrypt), so a peek
// shows nothing its caller could not receive.

#include <algorithm>

#include "api/sqs/wharf_actions.h"
#include "sqs/handlers/common.h"
#include "sqs/handlers/handlers.h"

namespace wharf::sqs {
namespace {

constexpr int64_t kMaxPeek = 100;
constexpr int64_t kDefaultPeek = 10;

std::string_view StateName(MessageState state) {
  switch (state) {
    case MessageState::kVisible:
      return "Visible";
    case MessageState::kInFlight:
      return "InFlight";
    case MessageState::kDelayed:
      return "Delayed";
  }
  return "Visible";
}

a::PeekedMessage Render(const PeekedMessage& peeked, bool fifo) {
  const ReceivedMessage& r = peeked.message;
  const MessageContent& c = *r.content;
  a::PeekedMessage m;
  m.message_id = c.message_id;
  m.md5_of_body = c.md5_of_body;
  m.body = c.body;
  m.state = std::string(StateName(peeked.state));
  if (peeked.state != MessageState::kVisible) m.visible_at = peeked.visible_at_millis;
  m.attributes.emplace_back("ApproximateReceiveCount", std::to_string(r.receive_count));
  if (r.first_receive_millis != 0) {
    m.attributes.emplace_back("ApproximateFirstReceiveTimestamp",
                              std::to_string(r.first_receive_millis));
  }
  m.attributes.emplace_back("SentTimestamp", std::to_string(c.sent_millis));
  m.attributes.emplace_back("SenderId", c.sender_id);
  if (c.group_id) m.attributes.emplace_back("MessageGroupId", *c.group_id);
  if (fifo && c.deduplication_id) {
    m.attributes.emplace_back("MessageDeduplicationId", *c.deduplication_id);
  }
  if (fifo) m.attributes.emplace_back("SequenceNumber", SequenceNumberOf(r.seq));
  if (r.dead_letter_source_arn) {
    m.attributes.emplace_back("DeadLetterQueueSourceArn", *r.dead_letter_source_arn);
  }
  if (c.trace_header) m.attributes.emplace_back("AWSTraceHeader", *c.trace_header);
  m.message_attributes = c.attributes;
  return m;
}

}  // namespace

void PeekMessages(SqsService& s, const RequestContext& ctx, a::PeekMessagesInput in,
                  Reply<a::PeekMessagesOutput> reply) {
  auto queue = s.ResolveQueue(ctx, in.queue_url);
  if (!queue.ok()) return reply.Fail(std::move(queue).error());
  if (in.max_number_of_messages &&
      (*in.max_number_of_messages < 1 || *in.max_number_of_messages > kMaxPeek)) {
    return reply.Fail(InvalidParameterValue(std::to_string(*in.max_number_of_messages),
                                            "MaxNumberOfMessages",
                                            "Must be between 1 and 100, if provided."));
  }
  (*queue)->Peek(
      in.max_number_of_messages.value_or(kDefaultPeek),
      [&s, queue = *queue, reply](api::ApiResult<std::vector<PeekedMessage>> result) {
        if (!result.ok()) return reply.Fail(std::move(result).error());
        std::vector<ReceivedMessage> messages;
        messages.reserve(result->size());
        for (PeekedMessage& p : *result) messages.push_back(std::move(p.message));
        const bool sealed =
            std::any_of(messages.begin(), messages.end(),
                        [](const ReceivedMessage& m) { return m.content->data_key_id != 0; });
        if (sealed) {
          // Nothing to give back on failure: a peek changed nothing.
          if (auto opened = s.encryption().OpenReceived(reply.context(), *queue, messages);
              !opened.ok()) {
            return reply.Fail(std::move(opened).error());
          }
        }
        const bool fifo = queue->identity().fifo;
        a::PeekMessagesOutput out;
        out.messages.reserve(messages.size());
        for (size_t i = 0; i < messages.size(); ++i) {
          (*result)[i].message = std::move(messages[i]);
          out.messages.push_back(Render((*result)[i], fifo));
        }
        reply.Ok(std::move(out));
      });
}

}  // namespace wharf::sqs
