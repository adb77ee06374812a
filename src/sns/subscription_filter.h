#pragma once

// The one decision "does this published message go to this subscription?" (sns-fanout.md §5).
//
// NOT FILTERING YET. The filter-policy engine (src/sns/filter_policy.{h,cc}: FilterPolicy::Parse,
// Matches, MatchesBody) is being built on its own branch. Until it is merged:
//   - Of() only checks that a FilterPolicy is a JSON object, so a malformed one is still refused
//     with SNS's "failed to parse JSON" wording, and keeps nothing parsed;
//   - Matches() delivers every message to every subscription, whatever its FilterPolicy.
// At merge, Of() keeps the FilterPolicy parsed for its scope (its error message after
// "FilterPolicy: ") and Matches() calls FilterPolicy::Matches (attributes scope) or MatchesBody.
// Subscriptions store and return the FilterPolicy/FilterPolicyScope attributes either way.
//
// Immutable once built; shared between threads.

#include <string>

#include "api/visitor.h"
#include "common/result.h"
#include "sns/records.h"

namespace wharf::sns {

class SubscriptionFilter {
 public:
  // The filter of a subscription with these attributes (FilterPolicy, FilterPolicyScope, the
  // scope already validated), or why its FilterPolicy is invalid: the text that follows
  // "FilterPolicy: " in SNS's InvalidParameter message.
  static Result<SubscriptionFilter, std::string> Of(const api::StringPairs& attributes);

  // Whether `publication` goes to the subscription. Messages filtered out count as neither
  // delivered nor failed.
  bool Matches(const Publication& publication) const;

 private:
  SubscriptionFilter() = default;
};

}  // namespace wharf::sns
