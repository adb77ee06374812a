#pragma once

// The one decision "does this published message go to this subscription?" (sns-fanout.md §5).
//
// A subscription's FilterPolicy (for its FilterPolicyScope) is parsed once, when the subscription
// is made or its attributes change, and applied to every publication: message attributes or the
// message body (sns/filter_policy.h).
//
// Immutable once built; shared between threads.

#include <optional>
#include <string>

#include "api/visitor.h"
#include "common/result.h"
#include "sns/filter_policy.h"
#include "sns/records.h"

namespace wharf::sns {

class SubscriptionFilter {
 public:
  // The filter of a subscription with these attributes (FilterPolicy, FilterPolicyScope, the
  // scope already validated), or why its FilterPolicy is invalid: the text that follows
  // "Invalid parameter: " in SNS's InvalidParameter message (usually "FilterPolicy: ...").
  static Result<SubscriptionFilter, std::string> Of(const api::StringPairs& attributes);

  // Whether `publication` goes to the subscription. Messages filtered out count as neither
  // delivered nor failed.
  bool Matches(const Publication& publication) const;

 private:
  SubscriptionFilter() = default;

  std::optional<FilterPolicy> policy_;  // none: every message goes to the subscription
};

}  // namespace wharf::sns
