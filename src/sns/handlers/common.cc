#include "sns/handlers/common.h"

#include <set>

#include "common/base64.h"
#include "sns/identifiers.h"

namespace wharf::sns {

api::ApiStatus ValidateTags(const std::vector<api::sns::Tag>& tags) {
  std::set<std::string_view> keys;
  for (const api::sns::Tag& tag : tags) {
    if (tag.key.empty() || tag.key.size() > 128) {
      return InvalidParameter("Tags Reason: Tag keys must be between 1 and 128 characters long");
    }
    if (tag.key.rfind("aws:", 0) == 0) {
      return InvalidParameter("Tags Reason: Tag keys can't start with the reserved prefix 'aws:'");
    }
    if (tag.value.size() > 256) {
      return InvalidParameter("Tags Reason: Tag values must be at most 256 characters long");
    }
    if (!keys.insert(tag.key).second) return InvalidParameter("Duplicated keys are not allowed.");
  }
  return {};
}

std::vector<Tag> FromWire(const std::vector<api::sns::Tag>& tags) {
  std::vector<Tag> out;
  out.reserve(tags.size());
  for (const api::sns::Tag& t : tags) out.push_back(Tag{t.key, t.value});
  return out;
}

std::vector<api::sns::Tag> ToWire(const std::vector<Tag>& tags) {
  std::vector<api::sns::Tag> out;
  out.reserve(tags.size());
  for (const Tag& t : tags) out.push_back(api::sns::Tag{t.key, t.value});
  return out;
}

api::sns::Subscription ToWire(const SubscriptionRecord& s) {
  return api::sns::Subscription{s.arn, s.owner, s.protocol, s.endpoint, s.topic_arn};
}

std::string PageToken(std::string_view last) { return Base64Encode(last); }

api::ApiResult<std::string> PageStart(const std::optional<std::string>& token) {
  if (!token) return std::string();
  auto decoded = Base64Decode(*token);
  if (!decoded || decoded->empty()) return InvalidParameter("NextToken");
  return std::move(*decoded);
}

api::ApiResult<std::shared_ptr<const Subscription>> ResolveSubscription(
    SnsService& s, const api::RequestContext& ctx, const std::optional<std::string>& arn) {
  if (!arn) return MissingMember("subscriptionArn");
  WHARF_ASSIGN_OR_RETURN(const SubscriptionRef ref, ParseSubscriptionArn(*arn));
  const std::string_view action = api::InfoOf(ctx.action).iam_action;
  WHARF_RETURN_IF_ERROR(s.Authorize(ctx, action, "*", ctx.account_id, nullptr));
  auto subscription = s.topics().FindSubscription(*arn);
  if (!subscription) return SubscriptionNotFound();
  if (ctx.account_id != subscription->record.owner && ctx.account_id != ref.topic.account) {
    return api::Error(api::ErrorCode::kSnsAuthorizationError,
                      "User: " + CallerOf(ctx).arn + " is not authorized to perform: SNS:" +
                          std::string(api::InfoOf(ctx.action).name) + " on resource: " + *arn);
  }
  return subscription;
}

}  // namespace wharf::sns
