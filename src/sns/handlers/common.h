#pragma once

// Pieces several SNS handlers share: tags, list pages, subscriptions on the wire, and the
// subscription-level authorization rule.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/error.h"
#include "api/sns/actions.h"
#include "sns/records.h"
#include "sns/service.h"

namespace wharf::sns {

inline constexpr size_t kPageSize = 100;  // ListTopics, ListSubscriptions(ByTopic)
inline constexpr size_t kMaxTags = 50;

// Keys 1–128 characters not starting with "aws:", values 0–256, no key twice.
api::ApiStatus ValidateTags(const std::vector<api::sns::Tag>& tags);
std::vector<Tag> FromWire(const std::vector<api::sns::Tag>& tags);
std::vector<api::sns::Tag> ToWire(const std::vector<Tag>& tags);
api::sns::Subscription ToWire(const SubscriptionRecord& subscription);

// NextToken: an opaque form of where the previous page ended. A token this server did not hand
// out → InvalidParameter "Invalid parameter: NextToken".
std::string PageToken(std::string_view last);
api::ApiResult<std::string> PageStart(const std::optional<std::string>& token);

// The subscription an ARN names, for Unsubscribe and Get/SetSubscriptionAttributes: these have
// no resource in IAM (the caller's identity policies decide, on "*"), and only the
// subscription's owner and the topic's owner may use them.
api::ApiResult<std::shared_ptr<const Subscription>> ResolveSubscription(
    SnsService& s, const api::RequestContext& ctx, const std::optional<std::string>& arn);

}  // namespace wharf::sns
