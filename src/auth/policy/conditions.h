#pragma once

// Condition operators and their evaluation (security.md §2.3).
//
//   * a block is true when every operator is true, an operator when every key is true;
//   * for one key the policy values are alternatives: a positive operator needs one of them to
//     match, a negated operator (StringNotEquals, ArnNotLike, NotIpAddress, …) needs none to;
//   * a missing key makes a positive operator false and a negated operator true; `…IfExists`
//     makes any operator true on a missing key; `Null` tests presence itself;
//   * `ForAnyValue:` needs one request value to satisfy the operator (false with no values),
//     `ForAllValues:` needs every request value to (true with no values or no key).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/policy/condition_context.h"

namespace wharf::auth {

// The comparison an operator makes; negation is a separate flag (ConditionOperator::negated).
enum class Comparison : uint8_t {
  kStringEquals,
  kStringEqualsIgnoreCase,
  kStringLike,
  kNumericEquals,
  kNumericLessThan,
  kNumericLessThanEquals,
  kNumericGreaterThan,
  kNumericGreaterThanEquals,
  kDateEquals,
  kDateLessThan,
  kDateLessThanEquals,
  kDateGreaterThan,
  kDateGreaterThanEquals,
  kBool,
  kBinaryEquals,
  kIpAddress,
  kArnLike,  // ArnEquals and ArnLike behave the same (§2.3)
  kNull,
};

enum class SetQualifier : uint8_t { kNone, kForAnyValue, kForAllValues };

struct ConditionOperator {
  Comparison comparison = Comparison::kStringEquals;
  bool negated = false;  // StringNotEquals, NumericNotEquals, NotIpAddress, ArnNotLike, …
  bool if_exists = false;
  SetQualifier qualifier = SetQualifier::kNone;
};

// Reads an operator name such as `ForAnyValue:StringLikeIfExists`. Names are case-sensitive,
// as IAM's are. nullopt for an unknown name and for `NullIfExists`.
std::optional<ConditionOperator> ParseConditionOperator(std::string_view name);

// One key under one operator: `"StringEquals": {"aws:SourceAccount": ["1", "2"]}`.
struct ConditionEntry {
  std::string operator_name;  // as written, for reports
  ConditionOperator op;
  std::string key;                  // as written; looked up case-insensitively
  std::vector<std::string> values;  // JSON numbers and booleans already turned into text
};

// `substitute_variables` is true for 2012-10-17 policies: `${…}` in String*/Arn* values is
// replaced from `context` first (variables.h).
bool EvaluateCondition(const ConditionEntry& entry, const ConditionContext& context,
                       bool substitute_variables);

// Every entry must hold (AND across operators and keys).
bool EvaluateConditions(const std::vector<ConditionEntry>& entries, const ConditionContext& context,
                        bool substitute_variables);

}  // namespace wharf::auth
