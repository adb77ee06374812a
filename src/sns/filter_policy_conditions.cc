// One key's list of match values, [ "x", 3, {"prefix": "a"}, {"numeric": [">", 0]}, ... ], read
// into conditions, with the messages of AWS's rule compiler for every mistake in it.

#include "sns/filter_policy_conditions.h"

#include <charconv>

namespace wharf::sns::filter {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;
using Status = wharf::Status<FilterPolicyError>;

FilterPolicyError OnlyOneKey() {
  return InvalidFilterPolicy("Only one key allowed in match expression");
}
FilterPolicyError TooManyElements() {
  return InvalidFilterPolicy("Too many elements in numeric expression");
}

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
  std::optional<int64_t> comparable = ComparableNumber(number);
  if (!comparable) return InvalidFilterPolicy("Value must be between -1.0E9 and 1.0E9, inclusive");
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
    return InvalidFilterPolicy(message);
  }
  return ComparableOperand(*number, out);
}

// The upper half of [">", a, "<", b] once [">", a] has been read.
Status ReadUpperBound(ArrayCursor& cursor, element op_token, NumericRange& out) {
  std::optional<std::string_view> op = AsString(op_token);
  if (!op) return InvalidFilterPolicy("Bad value in numeric range: " + TokenText(op_token));
  if (*op != "<" && *op != "<=") {
    return InvalidFilterPolicy("Bad numeric range operator: " + std::string(*op));
  }
  int64_t top = 0;
  WHARF_RETURN_IF_ERROR(ReadNumericOperand(cursor.Next(), *op, top));
  if (cursor.Next()) return InvalidFilterPolicy("Too many terms in numeric range expression");
  if (*out.lower >= top) return InvalidFilterPolicy("Bottom must be less than top");
  out.upper = top;
  out.upper_open = *op == "<";
  return {};
}

// ["=", x], [">" | ">=", x], ["<" | "<=", x], or [">" | ">=", x, "<" | "<=", y] with x < y.
Status ReadNumeric(array values, NumericRange& out) {
  ArrayCursor cursor(values);
  std::optional<element> first = cursor.Next();
  if (!first) return InvalidFilterPolicy("Invalid member in numeric match: ]");
  std::optional<std::string_view> op = AsString(*first);
  if (!op) return InvalidFilterPolicy("Invalid member in numeric match: " + TokenText(*first));
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
  return InvalidFilterPolicy("Unrecognized numeric range operator: " + std::string(*op));
}

// ---- anything-but --------------------------------------------------------------------------

Status ReadAnythingButLiteral(element value, Literal& out, bool& is_number) {
  if (std::optional<std::string_view> text = AsString(value)) {
    out = StringLiteral(*text);
    is_number = false;
    return {};
  }
  std::optional<double> number = AsNumber(value);
  if (!number) {
    return InvalidFilterPolicy("Inside anything but list, start|null|boolean is not supported.");
  }
  int64_t unused = 0;
  WHARF_RETURN_IF_ERROR(ComparableOperand(*number, unused));
  out = NumberLiteral(*number);
  is_number = true;
  return {};
}

// {"anything-but": {"prefix": "x"}}: the only operator SNS accepts inside anything-but.
Status ReadAnythingButPattern(object pattern, Condition& out) {
  MemberCursor member(pattern);
  if (member.done()) return InvalidFilterPolicy("Anything-But expression name not found");
  if (member.key() != "prefix") {
    return InvalidFilterPolicy("Unsupported anything-but pattern: " + std::string(member.key()));
  }
  std::optional<std::string_view> text = AsString(member.value());
  if (!text) return InvalidFilterPolicy("prefix match pattern must be a string");
  if (text->empty()) return InvalidFilterPolicy("Null prefix not allowed");
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
        return InvalidFilterPolicy(
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
      return InvalidFilterPolicy(
          "Value of anything-but must be an array or single string/number value.");
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
Status ReadCidr(std::string_view text, AddressBlock& out) {
  std::vector<std::string_view> parts;
  for (size_t start = 0;;) {
    size_t slash = text.find('/', start);
    parts.push_back(text.substr(start, slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  while (!parts.empty() && parts.back().empty()) parts.pop_back();
  if (parts.size() != 2) return InvalidFilterPolicy("Malformed CIDR, one '/' required");
  std::optional<int64_t> bits = ParseJavaInt(parts[1]);
  if (!bits) return InvalidFilterPolicy("Malformed CIDR, mask bits must be an integer");
  if (*bits < 0) return InvalidFilterPolicy("Malformed CIDR, mask bits must not be negative");
  std::optional<auth::IpAddress> base = auth::ParseIpAddress(parts[0]);
  if (!base) return InvalidFilterPolicy("Nonstandard IP address: " + std::string(parts[0]));
  if (!base->v6 && *bits > 31) return InvalidFilterPolicy("IPv4 mask bits must be < 32");
  if (base->v6 && *bits > 127) return InvalidFilterPolicy("IPv6 mask bits must be < 128");
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
  if (!text) return InvalidFilterPolicy(std::string(name) + " match pattern must be a string");
  out.kind = kind;
  out.literal = StringLiteral(*text);
  return {};
}

// One object in a key's list: {"prefix": "x"}, {"numeric": [...]}, {"exists": true}, ...
Status ReadMatchExpression(object expression, Condition& out) {
  MemberCursor member(expression);
  if (member.done()) return InvalidFilterPolicy("Match expression name not found");
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
      return InvalidFilterPolicy("Value of numeric must be an array.");
    }
    out.kind = ConditionKind::kNumeric;
    WHARF_RETURN_IF_ERROR(ReadNumeric(operands, out.range));
    return more ? TooManyElements() : Status();
  }
  if (name == "exists") {
    bool exists = false;
    if (value.get_bool().get(exists) != simdjson::SUCCESS) {
      return InvalidFilterPolicy("exists match pattern must be either true or false.");
    }
    out.kind = ConditionKind::kExists;
    out.exists = exists;
    return more ? OnlyOneKey() : Status();
  }
  if (name == "cidr") {
    // AWS answers a non-string cidr with the prefix wording.
    std::optional<std::string_view> text = AsString(value);
    if (!text) return InvalidFilterPolicy("prefix match pattern must be a string");
    out.kind = ConditionKind::kCidr;
    WHARF_RETURN_IF_ERROR(ReadCidr(*text, out.block));
    return more ? OnlyOneKey() : Status();
  }
  return InvalidFilterPolicy("Unrecognized match type " + std::string(name));
}

}  // namespace

FilterPolicyError InvalidFilterPolicy(std::string_view reason) {
  std::string message = "Invalid parameter: FilterPolicy: ";
  message.append(reason);
  return FilterPolicyError{std::move(message)};
}

bool IsMatchOperator(std::string_view key) {
  // "wildcard" and "exact" are operators of AWS's rule engine that SNS does not offer; they are
  // still reserved words there.
  static constexpr std::string_view kOperators[] = {
      "prefix", "suffix", "equals-ignore-case", "anything-but", "numeric",
      "exists", "cidr",   "wildcard",           "exact",
  };
  for (std::string_view name : kOperators) {
    if (key == name) return true;
  }
  return false;
}

Status ReadConditions(array values, std::vector<Condition>& out) {
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
        return InvalidFilterPolicy("Match value must be String, number, true, false, or null");
    }
    out.push_back(std::move(condition));
  }
  if (out.empty()) return InvalidFilterPolicy("Empty arrays are not allowed");
  return {};
}

}  // namespace wharf::sns::filter
