#pragma once

// The on-disk form of SNS records (docs/storage-format.md, "SNS objects"). Every payload starts
// with a format version; a reader refuses a version it does not know rather than guessing.
// Object keys:
//   sns/topic/<account>/<name>     TopicRecord
//   sns/sub/<subscription ARN>     SubscriptionRecord
//   sns/outbox/<20-digit sequence> Publication (sorts in publish order)
//   sns/sequence                   the highest sequence reserved so far (8 bytes, big-endian)
//   sns/signing-key                the envelope signing key, sealed, and its certificate

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sns/records.h"

namespace wharf::sns {

inline constexpr std::string_view kTopicPrefix = "sns/topic/";
inline constexpr std::string_view kSubscriptionPrefix = "sns/sub/";
inline constexpr std::string_view kOutboxPrefix = "sns/outbox/";
inline constexpr std::string_view kSequenceKey = "sns/sequence";
inline constexpr std::string_view kSigningKeyKey = "sns/signing-key";

std::string TopicKey(std::string_view account, std::string_view name);
std::string SubscriptionKey(std::string_view subscription_arn);
std::string OutboxKey(uint64_t sequence);

std::string EncodeTopic(const TopicRecord& record);
std::optional<TopicRecord> DecodeTopic(std::string_view payload);

std::string EncodeSubscription(const SubscriptionRecord& record);
std::optional<SubscriptionRecord> DecodeSubscription(std::string_view payload);

std::string EncodePublication(const Publication& publication);
std::optional<Publication> DecodePublication(std::string_view payload);

std::string EncodeSequence(uint64_t reserved);
std::optional<uint64_t> DecodeSequence(std::string_view payload);

}  // namespace wharf::sns
