#include "auth/policy/conditions.h"

#include <algorithm>
#include <array>

#include "auth/policy/condition_values.h"
#include "auth/policy/variables.h"
#include "auth/policy/wildcard.h"
#include "common/base64.h"
#include "common/text.h"

namespace wharf::auth {
namespace {

struct OperatorName {
  std::string_view name;
  Comparison comparison;
  bool negated;
};

constexpr std::array<OperatorName, 27> kOperators{{
    {"StringEquals", Comparison::kStringEquals, false},
    {"StringNotEquals", Comparison::kStringEquals, true},
    {"StringEqualsIgnoreCase", Comparison::kStringEqualsIgnoreCase, false},
    {"StringNotEqualsIgnoreCase", Comparison::kStringEqualsIgnoreCase, true},
    {"StringLike", Comparison::kStringLike, false},
    {"StringNotLike", Comparison::kStringLike, true},
    {"NumericEquals", Comparison::kNumericEquals, false},
    {"NumericNotEquals", Comparison::kNumericEquals, true},
    {"NumericLessThan", Comparison::kNumericLessThan, false},
    {"NumericLessThanEquals", Comparison::kNumericLessThanEquals, false},
    {"NumericGreaterThan", Comparison::kNumericGreaterThan, false},
    {"NumericGreaterThanEquals", Comparison::kNumericGreaterThanEquals, false},
    {"DateEquals", Comparison::kDateEquals, false},
    {"DateNotEquals", Comparison::kDateEquals, true},
    {"DateLessThan", Comparison::kDateLessThan, false},
    {"DateLessThanEquals", Comparison::kDateLessThanEquals, false},
    {"DateGreaterThan", Comparison::kDateGreaterThan, false},
    {"DateGreaterThanEquals", Comparison::kDateGreaterThanEquals, false},
    {"Bool", Comparison::kBool, false},
    {"BinaryEquals", Comparison::kBinaryEquals, false},
    {"IpAddress", Comparison::kIpAddress, false},
    {"NotIpAddress", Comparison::kIpAddress, true},
    {"ArnEquals", Comparison::kArnLike, false},
    {"ArnLike", Comparison::kArnLike, false},
    {"ArnNotEquals", Comparison::kArnLike, true},
    {"ArnNotLike", Comparison::kArnLike, true},
    {"Null", Comparison::kNull, false},
}};

// What comparing one request value with one policy value gave. kInvalid (a side that is not a
// number, date, address, boolean or base64 as the operator needs) makes the operator false
// whether or not it is negated: "unparsable → false" (§2.3).
enum class Outcome : uint8_t { kMatch, kNoMatch, kInvalid };

Outcome FromBool(bool matched) { return matched ? Outcome::kMatch : Outcome::kNoMatch; }

Outcome FromOrder(std::optional<int> order, Comparison comparison) {
  if (!order) return Outcome::kInvalid;
  switch (comparison) {
    case Comparison::kNumericEquals:
    case Comparison::kDateEquals:
      return FromBool(*order == 0);
    case Comparison::kNumericLessThan:
    case Comparison::kDateLessThan:
      return FromBool(*order < 0);
    case Comparison::kNumericLessThanEquals:
    case Comparison::kDateLessThanEquals:
      return FromBool(*order <= 0);
    case Comparison::kNumericGreaterThan:
    case Comparison::kDateGreaterThan:
      return FromBool(*order > 0);
    case Comparison::kNumericGreaterThanEquals:
    case Comparison::kDateGreaterThanEquals:
      return FromBool(*order >= 0);
    default:
      return Outcome::kInvalid;
  }
}

bool IsBoolText(std::string_view text) {
  return EqualsIgnoreCase(text, "true") || EqualsIgnoreCase(text, "false");
}

// The request value (left) against one policy value (right): "request < policy" for LessThan.
Outcome Compare(Comparison comparison, std::string_view request, std::string_view policy,
                const ConditionContext& context, bool substitute) {
  switch (comparison) {
    case Comparison::kStringEquals:
      return FromBool(
          MatchWithVariables(policy, substitute, context, Substitution::kLiteral,
                             [&](std::string_view text, GlobSyntax) { return text == request; }));
    case Comparison::kStringEqualsIgnoreCase:
      return FromBool(MatchWithVariables(
          policy, substitute, context, Substitution::kLiteral,
          [&](std::string_view text, GlobSyntax) { return EqualsIgnoreCase(text, request); }));
    case Comparison::kStringLike:
      return FromBool(MatchWithVariables(policy, substitute, context, Substitution::kPattern,
                                         [&](std::string_view pattern, GlobSyntax syntax) {
                                           return GlobMatch(pattern, request, Case::kSensitive,
                                                            syntax);
                                         }));
    case Comparison::kArnLike:
      return FromBool(MatchWithVariables(policy, substitute, context, Substitution::kPattern,
                                         [&](std::string_view pattern, GlobSyntax syntax) {
                                           return MatchArnParts(pattern, request, syntax);
                                         }));
    case Comparison::kNumericEquals:
    case Comparison::kNumericLessThan:
    case Comparison::kNumericLessThanEquals:
    case Comparison::kNumericGreaterThan:
    case Comparison::kNumericGreaterThanEquals:
      return FromOrder(CompareNumbers(request, policy), comparison);
    case Comparison::kDateEquals:
    case Comparison::kDateLessThan:
    case Comparison::kDateLessThanEquals:
    case Comparison::kDateGreaterThan:
    case Comparison::kDateGreaterThanEquals:
      return FromOrder(CompareDates(request, policy), comparison);
    case Comparison::kBool:
      if (!IsBoolText(request) || !IsBoolText(policy)) return Outcome::kInvalid;
      return FromBool(EqualsIgnoreCase(request, policy));
    case Comparison::kBinaryEquals: {
      // Both sides carry base64 text; comparing the decoded bytes ignores padding differences.
      std::optional<std::string> request_bytes = Base64Decode(request);
      std::optional<std::string> policy_bytes = Base64Decode(policy);
      if (!request_bytes || !policy_bytes) return Outcome::kInvalid;
      return FromBool(*request_bytes == *policy_bytes);
    }
    case Comparison::kIpAddress: {
      std::optional<IpAddress> address = ParseIpAddress(request);
      std::optional<IpRange> range = ParseIpRange(policy);
      if (!address || !range) return Outcome::kInvalid;
      return FromBool(RangeContains(*range, *address));
    }
    case Comparison::kNull:
      break;  // handled before any comparison
  }
  return Outcome::kInvalid;
}

// One request value against all policy values: a match with any of them wins; otherwise an
// unparsable pair makes the value fail both the positive and the negated operator.
bool ValueSatisfies(const ConditionEntry& entry, std::string_view request,
                    const ConditionContext& context, bool substitute) {
  bool invalid = false;
  for (const std::string& policy : entry.values) {
    Outcome outcome = Compare(entry.op.comparison, request, policy, context, substitute);
    if (outcome == Outcome::kMatch) return !entry.op.negated;
    if (outcome == Outcome::kInvalid) invalid = true;
  }
  return !invalid && entry.op.negated;
}

bool EvaluateNull(const ConditionEntry& entry, bool present) {
  for (const std::string& value : entry.values) {
    if (EqualsIgnoreCase(value, "true") && !present) return true;
    if (EqualsIgnoreCase(value, "false") && present) return true;
  }
  return false;
}

}  // namespace

std::optional<ConditionOperator> ParseConditionOperator(std::string_view name) {
  ConditionOperator op;
  if (name.starts_with("ForAnyValue:")) {
    op.qualifier = SetQualifier::kForAnyValue;
    name.remove_prefix(12);
  } else if (name.starts_with("ForAllValues:")) {
    op.qualifier = SetQualifier::kForAllValues;
    name.remove_prefix(13);
  }
  if (name.ends_with("IfExists")) {
    op.if_exists = true;
    name.remove_suffix(8);
  }
  for (const OperatorName& known : kOperators) {
    if (known.name != name) continue;
    if (known.comparison == Comparison::kNull && op.if_exists) return std::nullopt;
    op.comparison = known.comparison;
    op.negated = known.negated;
    return op;
  }
  return std::nullopt;
}

bool EvaluateCondition(const ConditionEntry& entry, const ConditionContext& context,
                       bool substitute_variables) {
  const std::vector<std::string>* request = context.Find(entry.key);
  bool present = request != nullptr && !request->empty();
  if (entry.op.comparison == Comparison::kNull) return EvaluateNull(entry, present);
  auto satisfies = [&](const std::string& value) {
    return ValueSatisfies(entry, value, context, substitute_variables);
  };
  switch (entry.op.qualifier) {
    case SetQualifier::kNone:
      if (!present) return entry.op.if_exists || entry.op.negated;
      // A multi-valued key under a single-valued operator: a positive operator needs one
      // request value to match, a negated one needs every request value to match none.
      return entry.op.negated ? std::all_of(request->begin(), request->end(), satisfies)
                              : std::any_of(request->begin(), request->end(), satisfies);
    case SetQualifier::kForAnyValue:
      if (!present) return entry.op.if_exists;
      return std::any_of(request->begin(), request->end(), satisfies);
    case SetQualifier::kForAllValues:
      if (!present) return true;  // vacuously true: the classic trap of §2.3
      return std::all_of(request->begin(), request->end(), satisfies);
  }
  return false;
}

bool EvaluateConditions(const std::vector<ConditionEntry>& entries, const ConditionContext& context,
                        bool substitute_variables) {
  return std::all_of(entries.begin(), entries.end(), [&](const ConditionEntry& entry) {
    return EvaluateCondition(entry, context, substitute_variables);
  });
}

}  // namespace wharf::auth
