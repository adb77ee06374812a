#pragma once

// Validation of what a producer sends (sqs-api.md §2.7, §4): body characters and size, message
// attributes, system attributes, group and deduplication ids, delays. Shared by SendMessage and
// every SendMessageBatch entry; the two differ only in some error texts and in which failures
// abort the whole batch.

#include <optional>
#include <string>
#include <string_view>

#include "api/error.h"
#include "api/request_context.h"
#include "api/sqs/message_types.h"
#include "sqs/engine/queue.h"
#include "sqs/engine/queue_config.h"
#include "sqs/limits.h"

namespace wharf::sqs {

// The members SendMessage and a SendMessageBatch entry have in common.
struct SendFields {
  std::optional<std::string>& body;
  std::optional<int64_t>& delay_seconds;
  api::sqs::MessageAttributeMap& attributes;
  api::sqs::MessageAttributeMap& system_attributes;
  std::optional<std::string>& deduplication_id;
  std::optional<std::string>& group_id;
};

template <typename T>
SendFields FieldsOf(T& in) {
  return SendFields{in.message_body,
                    in.delay_seconds,
                    in.message_attributes,
                    in.message_system_attributes,
                    in.message_deduplication_id,
                    in.message_group_id};
}

enum class SendKind : uint8_t { kSingle, kBatchEntry };

// Size as AWS counts it: body bytes plus name, type and value bytes of every user attribute.
int64_t MessageSize(const SendFields& fields);

// MD5OfMessageAttributes over `attributes` sorted by name (§4.6). Empty map → MD5 of nothing.
std::string Md5OfAttributes(const api::sqs::MessageAttributeMap& sorted_attributes);

// Validates the fields for `config` and builds the message (ids, digests, sender, timestamps).
// `fields` is consumed (moved from) on success.
api::ApiResult<NewMessage> BuildMessage(SendFields fields, SendKind kind, const SendRules& config,
                                        const Limits& limits, const api::RequestContext& ctx,
                                        int64_t now_millis);

}  // namespace wharf::sqs
