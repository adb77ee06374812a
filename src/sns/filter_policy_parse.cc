// FilterPolicy::Parse: JSON text → CompiledPolicy, with AWS's validation messages and limits
// (sns-fanout.md §5.3, §5.4). This file owns the policy's shape (keys, nested objects, `$or`),
// the whole-policy limits and the expansion into alternatives; the grammar of a key's list is
// filter_policy_conditions.cc's.
//
// Validation runs in AWS's order, as far as the recorded errors show it: first the grammar, in
// document order (the errors AWS reports with a JSON location, worded as its rule compiler
// words them), then the rules about the policy as a whole: no nesting in attribute scope, at
// most 5 keys, at most 150 combinations. Only then is `$or` multiplied out into alternatives,
// so a hostile policy cannot make the expansion large.

#include <simdjson.h>

#include <algorithm>

#include "sns/filter_policy.h"
#include "sns/filter_policy_conditions.h"
#include "sns/filter_policy_rules.h"

namespace wharf::sns {
namespace {

using filter::Condition;
using filter::ConditionKind;
using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;
using Status = wharf::Status<FilterPolicyError>;

// sns-fanout.md §5.3. The size limit is AWS's quota; its error text is not recorded, so the
// wording of that refusal ("Filter policy is too large") is Wharf's.
constexpr size_t kMaxPolicyBytes = 256 * 1024;
constexpr size_t kMaxKeys = 5;
constexpr uint64_t kMaxCombinations = 150;

constexpr std::string_view kInvalidParameter = "Invalid parameter: ";

FilterPolicyError Invalid(std::string_view reason) { return filter::InvalidFilterPolicy(reason); }

// Recorded from SetSubscriptionAttributes; the only message without the "FilterPolicy: " part.
FilterPolicyError NestedInAttributeScope() {
  std::string message(kInvalidParameter);
  message.append("Filter policy scope MessageAttributes does not support nested filter policy");
  return FilterPolicyError{std::move(message)};
}

// ---- the policy's shape ----------------------------------------------------------------------

// The policy as written, before `$or` is multiplied out: what the limits are counted on.
struct PolicyObject;

struct PolicyMember {
  enum class Kind : uint8_t { kConditions, kObject, kOr };
  Kind kind = Kind::kConditions;
  std::string key;
  std::vector<Condition> conditions;   // kConditions, one per element of the key's list
  std::vector<PolicyObject> children;  // kObject: the nested object; kOr: the branches
};

struct PolicyObject {
  std::vector<PolicyMember> members;
};

// SNS reads "$or" as alternatives only when its value is an array of at least two objects none
// of which has an operator name as a key; otherwise "$or" is an ordinary key (the SNS guide,
// "OR operator").
bool IsOrRelationship(element value) {
  array branches;
  if (value.get_array().get(branches) != simdjson::SUCCESS) return false;
  size_t count = 0;
  for (element branch : branches) {
    object fields;
    if (branch.get_object().get(fields) != simdjson::SUCCESS) return false;
    for (auto field : fields) {
      if (filter::IsMatchOperator(field.key)) return false;
    }
    ++count;
  }
  return count >= 2;
}

Status ReadObject(object fields, PolicyObject& out) {
  for (auto field : fields) {
    PolicyMember member;
    member.key = std::string(field.key);
    if (field.key == "$or" && IsOrRelationship(field.value)) {
      member.kind = PolicyMember::Kind::kOr;
      const array branches = field.value.get_array().value_unsafe();
      for (element branch : branches) {
        member.children.emplace_back();
        WHARF_RETURN_IF_ERROR(
            ReadObject(branch.get_object().value_unsafe(), member.children.back()));
      }
    } else if (field.value.type() == element_type::OBJECT) {
      member.kind = PolicyMember::Kind::kObject;
      member.children.emplace_back();
      WHARF_RETURN_IF_ERROR(
          ReadObject(field.value.get_object().value_unsafe(), member.children.back()));
    } else if (field.value.type() == element_type::ARRAY) {
      WHARF_RETURN_IF_ERROR(
          filter::ReadConditions(field.value.get_array().value_unsafe(), member.conditions));
    } else {
      return Invalid("\"" + member.key + "\" must be an object or an array");
    }
    out.members.push_back(std::move(member));
  }
  if (out.members.empty()) return Invalid("Empty objects are not allowed");
  return {};
}

// ---- whole-policy rules ------------------------------------------------------------------------

// A nested object anywhere, `$or` branches included (they sit at their parent's level).
bool HasNestedObject(const PolicyObject& object) {
  for (const PolicyMember& member : object.members) {
    if (member.kind == PolicyMember::Kind::kObject) return true;
    if (member.kind == PolicyMember::Kind::kOr) {
      for (const PolicyObject& branch : member.children) {
        if (HasNestedObject(branch)) return true;
      }
    }
  }
  return false;
}

// AWS's count (the SNS guide's constraints page and its recorded `$or` cases): the product over
// a level's keys, where a key's list counts its length times its nesting depth (1 at the top)
// and `$or` counts the sum of its branches. Saturates far above the limit, so that no policy
// can overflow it.
uint64_t Combinations(const PolicyObject& object, uint64_t depth) {
  constexpr uint64_t kSaturated = uint64_t{1} << 30;
  uint64_t total = 1;
  for (const PolicyMember& member : object.members) {
    uint64_t factor = 0;
    switch (member.kind) {
      case PolicyMember::Kind::kConditions:
        factor = member.conditions.size() * depth;
        break;
      case PolicyMember::Kind::kObject:
        factor = Combinations(member.children.front(), depth + 1);
        break;
      case PolicyMember::Kind::kOr:
        for (const PolicyObject& branch : member.children) {
          factor = std::min(factor + Combinations(branch, depth), kSaturated);
        }
        break;
    }
    total = std::min(total * std::min(factor, kSaturated), kSaturated);
  }
  return total;
}

// Adds a key to one alternative. A key written twice keeps its last list, as AWS's compiler
// (a map from path to patterns) does.
void AddKey(filter::Alternative& alternative, const std::string& path,
            const std::vector<Condition>& conditions) {
  filter::KeyRule* rule = nullptr;
  for (filter::KeyRule& existing : alternative.keys) {
    if (existing.path == path) rule = &existing;
  }
  if (rule == nullptr) {
    rule = &alternative.keys.emplace_back();
    rule->path = path;
  }
  rule->conditions = conditions;
  rule->needs_values = false;
  for (const Condition& condition : conditions) {
    if (condition.kind != ConditionKind::kExists) rule->needs_values = true;
  }
}

// Multiplies `object` into `alternatives`: every key joins every alternative, and each `$or`
// replaces the alternatives by one copy per branch. `prefix` is the dotted path of `object`
// plus its trailing dot ("" at the top).
void Expand(const PolicyObject& object, const std::string& prefix,
            std::vector<filter::Alternative>& alternatives) {
  for (const PolicyMember& member : object.members) {
    switch (member.kind) {
      case PolicyMember::Kind::kConditions:
        for (filter::Alternative& alternative : alternatives) {
          AddKey(alternative, prefix + member.key, member.conditions);
        }
        break;
      case PolicyMember::Kind::kObject:
        Expand(member.children.front(), prefix + member.key + ".", alternatives);
        break;
      case PolicyMember::Kind::kOr: {
        std::vector<filter::Alternative> expanded;
        for (const PolicyObject& branch : member.children) {
          std::vector<filter::Alternative> copy = alternatives;
          Expand(branch, prefix, copy);
          for (filter::Alternative& alternative : copy) expanded.push_back(std::move(alternative));
        }
        alternatives = std::move(expanded);
        break;
      }
    }
  }
}

}  // namespace

std::string FilterPolicyError::SubscribeMessage() const {
  if (!message.starts_with(kInvalidParameter)) return message;
  std::string subscribe(kInvalidParameter);
  subscribe.append("Attributes Reason: ").append(message.substr(kInvalidParameter.size()));
  return subscribe;
}

FilterPolicy::FilterPolicy(FilterPolicyScope scope,
                           std::shared_ptr<const filter::CompiledPolicy> compiled)
    : scope_(scope), compiled_(std::move(compiled)) {}

Result<FilterPolicy, FilterPolicyError> FilterPolicy::Parse(std::string_view json,
                                                            FilterPolicyScope scope) {
  if (json.size() > kMaxPolicyBytes) return Invalid("Filter policy is too large");
  simdjson::dom::parser parser;
  element root;
  // Empty text is checked first: an empty view may have a null data pointer, which simdjson
  // would pass to memcpy.
  if (json.empty() || parser.parse(json.data(), json.size()).get(root) != simdjson::SUCCESS) {
    // AWS follows this with its JSON parser's own description of the problem.
    return Invalid("failed to parse JSON.");
  }
  object fields;
  if (root.get_object().get(fields) != simdjson::SUCCESS) return Invalid("Filter is not an object");
  PolicyObject shape;
  WHARF_RETURN_IF_ERROR(ReadObject(fields, shape));

  if (scope == FilterPolicyScope::kMessageAttributes && HasNestedObject(shape)) {
    return NestedInAttributeScope();
  }
  // Only the top level's keys count; "$or" is one of them.
  if (shape.members.size() > kMaxKeys) {
    return Invalid("Filter policy can not have more than 5 keys");
  }
  if (Combinations(shape, 1) > kMaxCombinations) return Invalid("Filter policy is too complex");

  auto compiled = std::make_shared<filter::CompiledPolicy>();
  compiled->alternatives.emplace_back();
  Expand(shape, "", compiled->alternatives);
  return FilterPolicy(scope, std::move(compiled));
}

}  // namespace wharf::sns
