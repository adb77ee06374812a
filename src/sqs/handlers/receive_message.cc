// ReceiveMessage (sqs-api.md §2.9, §4.5, §5.4–5.5).

#include <algorithm>

#include "sqs/handlers/common.h"
#include "sqs/handlers/handlers.h"
#include "sqs/message_validation.h"

namespace wharf::sqs {
namespace {

// Which system attributes the caller asked for (AttributeNames ∪ MessageSystemAttributeNames).
struct SystemAttributeFilter {
  bool all = false;
  std::vector<std::string> names;

  bool Wants(std::string_view name) const {
    return all || std::find(names.begin(), names.end(), name) != names.end();
  }
};

// MessageAttributeNames: "All", ".*" and "*" mean all; "Prefix.*" matches names starting with
// Prefix; other entries are exact names (§2.9).
bool WantsMessageAttribute(const std::vector<std::string>& filters, std::string_view name) {
  for (const std::string& f : filters) {
    if (f == "All" || f == ".*" || f == "*") return true;
    if (f.size() > 2 && f.compare(f.size() - 2, 2, ".*") == 0) {
      std::string_view prefix(f.data(), f.size() - 2);
      if (name.substr(0, prefix.size()) == prefix) return true;
    } else if (f == name) {
      return true;
    }
  }
  return false;
}

a::Message Render(const ReceivedMessage& received, bool fifo, const SystemAttributeFilter& system,
                  const std::vector<std::string>& attribute_filters) {
  const MessageContent& c = *received.content;
  a::Message m;
  m.message_id = c.message_id;
  m.receipt_handle = received.receipt_handle;
  m.md5_of_body = c.md5_of_body;
  m.body = c.body;
  if (system.Wants("SenderId")) m.attributes.emplace_back("SenderId", c.sender_id);
  if (system.Wants("ApproximateFirstReceiveTimestamp")) {
    m.attributes.emplace_back("ApproximateFirstReceiveTimestamp",
                              std::to_string(received.first_receive_millis));
  }
  if (system.Wants("ApproximateReceiveCount")) {
    m.attributes.emplace_back("ApproximateReceiveCount", std::to_string(received.receive_count));
  }
  if (system.Wants("SentTimestamp")) {
    m.attributes.emplace_back("SentTimestamp", std::to_string(c.sent_millis));
  }
  if (c.trace_header && system.Wants("AWSTraceHeader")) {
    m.attributes.emplace_back("AWSTraceHeader", *c.trace_header);
  }
  if (c.group_id && system.Wants("MessageGroupId")) {
    m.attributes.emplace_back("MessageGroupId", *c.group_id);
  }
  if (received.dead_letter_source_arn && system.Wants("DeadLetterQueueSourceArn")) {
    m.attributes.emplace_back("DeadLetterQueueSourceArn", *received.dead_letter_source_arn);
  }
  if (fifo) {
    if (c.deduplication_id && system.Wants("MessageDeduplicationId")) {
      m.attributes.emplace_back("MessageDeduplicationId", *c.deduplication_id);
    }
    if (system.Wants("SequenceNumber")) {
      m.attributes.emplace_back("SequenceNumber", SequenceNumberOf(received.seq));
    }
  }
  size_t returned = 0;
  for (const auto& [name, value] : c.attributes) {
    if (WantsMessageAttribute(attribute_filters, name)) {
      m.message_attributes.emplace_back(name, value);
      ++returned;
    }
  }
  // The digest covers exactly the attributes returned (§4.6).
  if (returned == c.attributes.size()) {
    m.md5_of_message_attributes = c.md5_of_attributes;
  } else if (returned > 0) {
    m.md5_of_message_attributes = Md5OfAttributes(m.message_attributes);
  }
  return m;
}

}  // namespace

void ReceiveMessage(SqsService& s, const RequestContext& ctx, a::ReceiveMessageInput in,
                    Reply<a::ReceiveMessageOutput> reply) {
  auto queue = s.ResolveQueue(ctx, in.queue_url);
  if (!queue.ok()) return reply.Fail(std::move(queue).error());
  const Limits& limits = s.limits();
  if (in.max_number_of_messages && (*in.max_number_of_messages < 1 ||
                                    *in.max_number_of_messages > limits.max_receive_messages)) {
    return reply.Fail(InvalidParameterValue(std::to_string(*in.max_number_of_messages),
                                            "MaxNumberOfMessages",
                                            "Must be between 1 and 10, if provided."));
  }
  if (in.wait_time_seconds &&
      (*in.wait_time_seconds < 0 || *in.wait_time_seconds > limits.max_wait_time_seconds)) {
    return reply.Fail(InvalidParameterValue(std::to_string(*in.wait_time_seconds),
                                            "WaitTimeSeconds",
                                            "Must be >= 0 and <= 20, if provided."));
  }
  if (in.visibility_timeout &&
      (*in.visibility_timeout < 0 || *in.visibility_timeout > limits.max_visibility_timeout)) {
    return reply.Fail(InvalidParameterValue(std::to_string(*in.visibility_timeout),
                                            "VisibilityTimeout",
                                            "Must be >= 0 and <= 43200, if provided."));
  }

  SystemAttributeFilter system;
  for (auto* list : {&in.attribute_names, &in.message_system_attribute_names}) {
    for (std::string& name : *list) {
      if (name == "All") system.all = true;
      system.names.push_back(std::move(name));
    }
  }
  ReceiveOptions options;
  options.max_messages = in.max_number_of_messages.value_or(1);
  options.visibility_timeout = in.visibility_timeout;
  options.wait_seconds = in.wait_time_seconds;
  const bool fifo = (*queue)->identity().fifo;
  if (fifo && in.receive_request_attempt_id) {
    const std::string& id = *in.receive_request_attempt_id;
    const bool valid =
        !id.empty() && id.size() <= 128 &&
        std::all_of(id.begin(), id.end(), [](char c) { return c >= 0x21 && c <= 0x7e; });
    if (!valid) {
      return reply.Fail(InvalidParameterValue(id, "ReceiveRequestAttemptId",
                                              "ReceiveRequestAttemptId can only include "
                                              "alphanumeric and punctuation characters. 1 to 128 "
                                              "in length."));
    }
    options.attempt_id = id;  // standard queues ignore it (§2.9)
  }
  (*queue)->Receive(options, [&s, queue = *queue, reply, fifo, system = std::move(system),
                              filters = std::move(in.message_attribute_names)](
                                 api::ApiResult<std::vector<ReceivedMessage>> result) {
    if (!result.ok()) return reply.Fail(std::move(result).error());
    // SSE-KMS bodies are opened for the caller. If that fails (a Kms* error: the key is
    // disabled, the caller may not decrypt, ...), the whole receive fails and the messages go
    // back as they were, so nothing is lost (§4.3).
    const bool sealed = std::any_of(result->begin(), result->end(), [](const ReceivedMessage& m) {
      return m.content->data_key_id != 0;
    });
    if (sealed) {
      if (auto opened = s.encryption().OpenReceived(reply.context(), *queue, *result);
          !opened.ok()) {
        queue->ReturnUndelivered(*result);
        return reply.Fail(std::move(opened).error());
      }
    }
    queue->CountReceive(result->size());
    a::ReceiveMessageOutput out;
    out.messages.reserve(result->size());
    for (const ReceivedMessage& received : *result) {
      out.messages.push_back(Render(received, fifo, system, filters));
    }
    reply.Ok(std::move(out));
  });
}

}  // namespace wharf::sqs
