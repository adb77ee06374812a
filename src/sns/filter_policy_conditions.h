#pragma once

// Reading one key's list of match values (filter_policy_conditions.cc), for the policy parser
// (filter_policy_parse.cc). Internal to sns/.

#include <simdjson.h>

#include <string_view>
#include <vector>

#include "common/result.h"
#include "sns/filter_policy.h"
#include "sns/filter_policy_rules.h"

namespace wharf::sns::filter {

// "Invalid parameter: FilterPolicy: <reason>", as SetSubscriptionAttributes words a refusal.
FilterPolicyError InvalidFilterPolicy(std::string_view reason);

// Whether `key` names a match operator ("prefix", "numeric", ...), which "$or" branches may not
// use as keys.
bool IsMatchOperator(std::string_view key);

// Reads a key's list, one condition per element: literals (string, number, true, false, null)
// and match expressions ({"prefix": ...}, {"anything-but": ...}, {"numeric": [...]},
// {"exists": ...}, {"equals-ignore-case": ...}, {"suffix": ...}, {"cidr": ...}). Reports the
// first mistake in document order; an empty list is one.
Status<FilterPolicyError> ReadConditions(simdjson::dom::array values, std::vector<Condition>& out);

}  // namespace wharf::sns::filter
