#include "sns/subscription_filter.h"

#include <algorithm>
#include <array>
#include <span>
#include <vector>

namespace wharf::sns {
namespace {

constexpr std::string_view kInvalidParameter = "Invalid parameter: ";

using api::Find;

}  // namespace

Result<SubscriptionFilter, std::string> SubscriptionFilter::Of(const api::StringPairs& attributes) {
  SubscriptionFilter filter;
  const std::string* policy = Find(attributes, "FilterPolicy");
  // FilterPolicy="" removes the policy (sns-fanout.md §5).
  if (policy == nullptr || policy->empty()) return filter;
  const std::string* scope = Find(attributes, "FilterPolicyScope");
  auto parsed = FilterPolicy::Parse(*policy, scope != nullptr && *scope == "MessageBody"
                                                 ? FilterPolicyScope::kMessageBody
                                                 : FilterPolicyScope::kMessageAttributes);
  if (!parsed.ok()) {
    std::string_view message = parsed.error().message;
    if (message.starts_with(kInvalidParameter)) message.remove_prefix(kInvalidParameter.size());
    return std::string(message);
  }
  filter.policy_.emplace(std::move(parsed).value());
  return filter;
}

bool SubscriptionFilter::Matches(const Publication& publication) const {
  if (!policy_) return true;
  if (policy_->scope() == FilterPolicyScope::kMessageBody) {
    return policy_->MatchesBody(publication.message);
  }
  // Views of the attributes, on the stack for the usual few (a delivery decision per subscription
  // per publication should not allocate).
  constexpr size_t kInline = 16;
  std::array<FilterAttribute, kInline> inline_attributes;
  std::vector<FilterAttribute> many;
  const size_t n = publication.attributes.size();
  std::span<FilterAttribute> attributes(inline_attributes.data(), std::min(n, kInline));
  if (n > kInline) {
    many.resize(n);
    attributes = many;
  }
  for (size_t i = 0; i < n; ++i) {
    const auto& [name, value] = publication.attributes[i];
    attributes[i] = FilterAttribute{
        name, value.data_type ? std::string_view(*value.data_type) : std::string_view(),
        value.string_value ? std::string_view(*value.string_value) : std::string_view()};
  }
  return policy_->Matches(attributes);
}

}  // namespace wharf::sns
