// FilterPolicy::Parse: JSON text → CompiledPolicy, with AWS's validation messages and limits
// (sns-fanout.md §5.3, §5.4).
//
// Validation runs in AWS's order, as far as the recorded errors show it: first the grammar, in
// document order (the errors AWS reports with a JSON location, worded as its rule compiler
// words them), then the rules about the policy as a whole: no nesting in attribute scope, at
// most 5 keys, at most 150 combinations. Only then is `$or` multiplied out into alternatives,
// so a hostile policy cannot make the expansion large.

#include <simdjson.h>

#include <algorithm>
#include <charconv>

#include "sns/filter_policy.h"
#include "sns/filter_policy_rules.h"

namespace wharf::sns {
namespace {

using filter::Condition;
using filter::ConditionKind;
using filter::Literal;
using filter::Value;
using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;
using Status = wharf::Status<FilterPolicyError>;

// sns-fanout.md §5.3. The size limit is AWS's quota; its error text is not recorded, so the
// wording of kTooLarge is Wharf's.
constexpr size_t kMaxPolicyBytes = 256 * 1024;
constexpr size_t kMaxKeys = 5;
constexpr uint64_t kMaxCombinations = 150;

constexpr std::string_view kInvalidParameter = "Invalid parameter: ";

FilterPolicyError Invalid(std::string_view reason) {
  std::string message(kInvalidParameter);
  message.append("FilterPolicy: ").append(reason);
  return FilterPolicyError{std::move(message)};
}

// Recorded from SetSubscriptionAttributes; the only message without the "FilterPolicy: " part.
FilterPolicyError NestedInAttributeScope() {
  std::string message(kInvalidParameter);
  message.append("Filter policy scope MessageAttributes does not support nested filter policy");
  return FilterPolicyError{std::move(message)};
}

FilterPolicyError OnlyOneKey() { return Invalid("Only one key allowed in match expression"); }
FilterPolicyError TooManyElements() { return Invalid("Too many elements in numeric expression"); }

// What AWS's messages quote for a JSON token that is not the string they expected: the number
// as written (here: re-printed), or the token that opens an object or array.
std::string TokenText(element value) {
  switch (value.type()) {
    case element_type::INT64:
      return std::to_string(value.get_int64().value_unsafe());
    case element_type::UINT64:
      return std::to_string(value.get_uint64().value_unsafe());
    case element_type::DOUBLE: {
      char buffer[64];
      auto [end, error] =
          std::to_chars(buffer, buffer + sizeof buffer, value.get_double().value_unsafe());
      return error == std::errc() ? std::string(buffer, end) : std::string();
    }
    case element_type::STRING:
      return std::string(std::string_view(value.get_string().value_unsafe()));
    case element_type::BOOL:
      return value.get_bool().value_unsafe() ? "true" : "false";
    case element_type::NULL_VALUE:
      return "null";
    case element_type::ARRAY:
      return "[";
    case element_type::OBJECT:
      return "{";
  }
  return "";
}

std::optional<double> AsNumber(element value) {
  switch (value.type()) {
    case element_type::INT64:
      return static_cast<double>(value.get_int64().value_unsafe());
    case element_type::UINT64:
      return static_cast<double>(value.get_uint64().value_unsafe());
    case element_type::DOUBLE:
      return value.get_double().value_unsafe();
    default:
      return std::nullopt;
  }
}

std::optional<std::string_view> AsString(element value) {
  std::string_view text;
  if (value.get_string().get(text) != simdjson::SUCCESS) return std::nullopt;
  return text;
}

Literal StringLiteral(std::string_view text) {
  return Literal{Value::Type::kString, std::string(text), 0};
}

Literal NumberLiteral(double number) { return Literal{Value::Type::kNumber, {}, number}; }

// A number that a range or an anything-but list compares, which must be comparable.
Status ComparableOperand(double number, int64_t& out) {
  std::optional<int64_t> comparable = filter::ComparableNumber(number);
  if (!comparable) return Invalid("Value must be between -1.0E9 and 1.0E9, inclusive");
  out = *comparable;
  return {};
}

// The members of an object one at a time, so that "only one key" can be checked after the
// first key's value has been validated (AWS reports the first problem in document order).
class MemberCursor {
 public:
  explicit MemberCursor(object obj) : it_(obj.begin()), end_(obj.end()) {}
  bool done() const { return !(it_ != end_); }
  std::string_view key() const { return it_.key(); }
  element value() const { return it_.value(); }
  void Next() { ++it_; }

 private:
  object::iterator it_;
  object::iterator end_;
};

// ---- numeric -------------------------------------------------------------------------------

class ArrayCursor {
 public:
  explicit ArrayCursor(array values) : it_(values.begin()), end_(values.end()) {}
  std::optional<element> Next() {
    if (!(it_ != end_)) return std::nullopt;
    element value = *it_;
    ++it_;
    return value;
  }

 private:
  array::iterator it_;
  array::iterator end_;
};

Status ReadNumericOperand(std::optional<element> value, std::string_view op, int64_t& out) {
  std::optional<double> number = value ? AsNumber(*value) : std::nullopt;
  if (!number) {
    std::string message = "Value of ";
    message.append(op == "=" ? "equals" : op).append(" must be numeric");
    return Invalid(message);
  }
  return ComparableOperand(*number, out);
}

// The upper half of [">", a, "<", b] once [">", a] has been read.
Status ReadUpperBound(ArrayCursor& cursor, element op_token, filter::NumericRange& out) {
  std::optional<std::string_view> op = AsString(op_token);
  if (!op) return Invalid("Bad value in numeric range: " + TokenText(op_token));
  if (*op != "<" && *op != "<=") return Invalid("Bad numeric range operator: " + std::string(*op));
  int64_t top = 0;
  WHARF_RETURN_IF_ERROR(ReadNumericOperand(cursor.Next(), *op, top));
  if (cursor.Next()) return Invalid("Too many terms in numeric range expression");
  if (*out.lower >= top) return Invalid("Bottom must be less than top");
  out.upper = top;
  out.upper_open = *op == "<";
  return {};
}

// ["=", x], [">" | ">=", x], ["<" | "<=", x], or [">" | ">=", x, "<" | "<=", y] with x < y.
Status ReadNumeric(array values, filter::NumericRange& out) {
  ArrayCursor cursor(values);
  std::optional<element> first = cursor.Next();
  if (!first) return Invalid("Invalid member in numeric match: ]");
  std::optional<std::string_view> op = AsString(*first);
  if (!op) return Invalid("Invalid member in numeric match: " + TokenText(*first));
  int64_t operand = 0;
  if (*op == "=") {
    WHARF_RETURN_IF_ERROR(ReadNumericOperand(cursor.Next(), *op, operand));
    if (cursor.Next()) return TooManyElements();
    out.lower = out.upper = operand;
    return {};
  }
  if (*op == ">" || *op == ">=") {
    WHARF_RETURN_IF_ERROR(ReadNumericOperand(cursor.Next(), *op, operand));
    out.lower = operand;
    out.lower_open = *op == ">";
    std::optional<element> next = cursor.Next();
    return next ? ReadUpperBound(cursor, *next, out) : Status();
  }
  if (*op == "<" || *op == "<=") {
    WHARF_RETURN_IF_ERROR(ReadNumericOperand(cursor.Next(), *op, operand));
    if (cursor.Next()) return TooManyElements();
    out.upper = operand;
    out.upper_open = *op == "<";
    return {};
  }
  return Invalid("Unrecognized numeric range operator: " + std::string(*op));
}

// ---- anything-but --------------------------------------------------------------------------

Status ReadAnythingButLiteral(element value, Literal& out, bool& is_number) {
  if (std::optional<std::string_view> text = AsString(value)) {
    out = StringLiteral(*text);
    is_number = false;
    return {};
  }
  std::optional<double> number = AsNumber(value);
  if (!number) return Invalid("Inside anything but list, start|null|boolean is not supported.");
  int64_t unused = 0;
  WHARF_RETURN_IF_ERROR(ComparableOperand(*number, unused));
  out = NumberLiteral(*number);
  is_number = true;
  return {};
}

// {"anything-but": {"prefix": "x"}}: the only operator SNS accepts inside anything-but.
Status ReadAnythingButPattern(object pattern, Condition& out) {
  MemberCursor member(pattern);
  if (member.done()) return Invalid("Anything-But expression name not found");
  if (member.key() != "prefix") {
    return Invalid("Unsupported anything-but pattern: " + std::string(member.key()));
  }
  std::optional<std::string_view> text = AsString(member.value());
  if (!text) return Invalid("prefix match pattern must be a string");
  if (text->empty()) return Invalid("Null prefix not allowed");
  member.Next();
  if (!member.done()) return OnlyOneKey();
  out.kind = ConditionKind::kAnythingButPrefix;
  out.literal = StringLiteral(*text);
  return {};
}

// "x", 3, ["x", "y"], [1, 2] (one type per list) or {"prefix": "x"}. `more` says whether the
// match expression has keys after "anything-but".
Status ReadAnythingBut(element value, bool more, Condition& out) {
  switch (value.type()) {
    case element_type::OBJECT:
      WHARF_RETURN_IF_ERROR(ReadAnythingButPattern(value.get_object().value_unsafe(), out));
      return more ? OnlyOneKey() : Status();
    case element_type::ARRAY: {
      bool has_number = false, has_string = false;
      const array items = value.get_array().value_unsafe();
      for (element item : items) {
        bool is_number = false;
        out.excluded.emplace_back();
        WHARF_RETURN_IF_ERROR(ReadAnythingButLiteral(item, out.excluded.back(), is_number));
        (is_number ? has_number : has_string) = true;
      }
      if (has_number == has_string) {
        return Invalid(
            "Inside anything but list, either all values are number or string, mixed type is not "
            "supported");
      }
      break;
    }
    case element_type::STRING:
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE: {
      bool is_number = false;
      out.excluded.emplace_back();
      WHARF_RETURN_IF_ERROR(ReadAnythingButLiteral(value, out.excluded.back(), is_number));
      break;
    }
    case element_type::BOOL:
    case element_type::NULL_VALUE:
      return Invalid("Value of anything-but must be an array or single string/number value.");
  }
  out.kind = ConditionKind::kAnythingBut;
  return more ? TooManyElements() : Status();
}

// ---- cidr ----------------------------------------------------------------------------------

// Java's Integer.parseInt, which AWS uses for the mask: optional sign, decimal digits, int range.
std::optional<int64_t> ParseJavaInt(std::string_view text) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty() || text.front() == '+') return std::nullopt;
  int32_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// "base/bits" as AWS's rule engine reads it (CIDR.cidr): split on '/' with Java's rule that
// trailing empty parts vanish, a mask of at most 31 (IPv4) or 127 (IPv6) bits, and a block that
// runs from the base as written to the base with every host bit set.
Status ReadCidr(std::string_view text, filter::AddressBlock& out) {
  std::vector<std::string_view> parts;
  for (size_t start = 0;;) {
    size_t slash = text.find('/', start);
    parts.push_back(text.substr(start, slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  while (!parts.empty() && parts.back().empty()) parts.pop_back();
  if (parts.size() != 2) return Invalid("Malformed CIDR, one '/' required");
  std::optional<int64_t> bits = ParseJavaInt(parts[1]);
  if (!bits) return Invalid("Malformed CIDR, mask bits must be an integer");
  if (*bits < 0) return Invalid("Malformed CIDR, mask bits must not be negative");
  std::optional<auth::IpAddress> base = auth::ParseIpAddress(parts[0]);
  if (!base) return Invalid("Nonstandard IP address: " + std::string(parts[0]));
  if (!base->v6 && *bits > 31) return Invalid("IPv4 mask bits must be < 32");
  if (base->v6 && *bits > 127) return Invalid("IPv6 mask bits must be < 128");
  out.low = *base;
  out.high = *base;
  const int size = base->v6 ? 16 : 4;
  for (int bit = static_cast<int>(*bits); bit < size * 8; ++bit) {
    out.high.bytes[size_t(bit / 8)] |= static_cast<uint8_t>(0x80 >> (bit % 8));
  }
  return {};
}

// ---- one match expression -------------------------------------------------------------------

Status ReadStringOperand(std::string_view name, element value, ConditionKind kind, Condition& out) {
  std::optional<std::string_view> text = AsString(value);
  if (!text) return Invalid(std::string(name) + " match pattern must be a string");
  out.kind = kind;
  out.literal = StringLiteral(*text);
  return {};
}

// One object in a key's list: {"prefix": "x"}, {"numeric": [...]}, {"exists": true}, ...
Status ReadMatchExpression(object expression, Condition& out) {
  MemberCursor member(expression);
  if (member.done()) return Invalid("Match expression name not found");
  const std::string_view name = member.key();
  const element value = member.value();
  member.Next();
  const bool more = !member.done();

  if (name == "prefix" || name == "suffix" || name == "equals-ignore-case") {
    ConditionKind kind = name == "prefix"   ? ConditionKind::kPrefix
                         : name == "suffix" ? ConditionKind::kSuffix
                                            : ConditionKind::kEqualsIgnoreCase;
    WHARF_RETURN_IF_ERROR(ReadStringOperand(name, value, kind, out));
    return more ? OnlyOneKey() : Status();
  }
  if (name == "anything-but") return ReadAnythingBut(value, more, out);
  if (name == "numeric") {
    array operands;
    if (value.get_array().get(operands) != simdjson::SUCCESS) {
      return Invalid("Value of numeric must be an array.");
    }
    out.kind = ConditionKind::kNumeric;
    WHARF_RETURN_IF_ERROR(ReadNumeric(operands, out.range));
    return more ? TooManyElements() : Status();
  }
  if (name == "exists") {
    bool exists = false;
    if (value.get_bool().get(exists) != simdjson::SUCCESS) {
      return Invalid("exists match pattern must be either true or false.");
    }
    out.kind = ConditionKind::kExists;
    out.exists = exists;
    return more ? OnlyOneKey() : Status();
  }
  if (name == "cidr") {
    // AWS answers a non-string cidr with the prefix wording.
    std::optional<std::string_view> text = AsString(value);
    if (!text) return Invalid("prefix match pattern must be a string");
    out.kind = ConditionKind::kCidr;
    WHARF_RETURN_IF_ERROR(ReadCidr(*text, out.block));
    return more ? OnlyOneKey() : Status();
  }
  return Invalid("Unrecognized match type " + std::string(name));
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

bool IsOperatorName(std::string_view key) {
  static constexpr std::string_view kOperators[] = {
      "prefix", "suffix", "equals-ignore-case", "anything-but", "numeric",
      "exists", "cidr",   "wildcard",           "exact",
  };
  for (std::string_view name : kOperators) {
    if (key == name) return true;
  }
  return false;
}

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
      if (IsOperatorName(field.key)) return false;
    }
    ++count;
  }
  return count >= 2;
}

Status ReadMatchList(array values, PolicyMember& out) {
  for (element value : values) {
    Condition condition;
    switch (value.type()) {
      case element_type::STRING:
        condition.literal = StringLiteral(value.get_string().value_unsafe());
        break;
      case element_type::INT64:
      case element_type::UINT64:
      case element_type::DOUBLE:
        condition.literal = NumberLiteral(*AsNumber(value));
        break;
      case element_type::BOOL:
        condition.literal.type =
            value.get_bool().value_unsafe() ? Value::Type::kTrue : Value::Type::kFalse;
        break;
      case element_type::NULL_VALUE:
        condition.literal.type = Value::Type::kNull;
        break;
      case element_type::OBJECT:
        WHARF_RETURN_IF_ERROR(ReadMatchExpression(value.get_object().value_unsafe(), condition));
        break;
      case element_type::ARRAY:
        return Invalid("Match value must be String, number, true, false, or null");
    }
    out.conditions.push_back(std::move(condition));
  }
  if (out.conditions.empty()) return Invalid("Empty arrays are not allowed");
  return {};
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
      WHARF_RETURN_IF_ERROR(ReadMatchList(field.value.get_array().value_unsafe(), member));
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
  if (shape.members.size() > kMaxKeys)
    return Invalid("Filter policy can not have more than 5 keys");
  if (Combinations(shape, 1) > kMaxCombinations) return Invalid("Filter policy is too complex");

  auto compiled = std::make_shared<filter::CompiledPolicy>();
  compiled->alternatives.emplace_back();
  Expand(shape, "", compiled->alternatives);
  return FilterPolicy(scope, std::move(compiled));
}

}  // namespace wharf::sns
