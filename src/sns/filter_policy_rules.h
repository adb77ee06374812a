#pragma once

// The compiled form of a filter policy, which the parser (filter_policy_parse.cc) builds and the
// matcher (filter_policy_match.cc) walks, and what each condition means for one value. Internal
// to sns/: callers use filter_policy.h.
//
// A policy compiles to alternatives (one per combination of `$or` branches); a message passes
// when every key rule of some alternative matches. A key rule matches when one of its
// conditions does: `exists` against whether the key is present, every other condition against
// any one of the key's values (a String.Array attribute or a body array has several).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/policy/condition_values.h"

namespace wharf::sns::filter {

// Numbers are compared as AWS's rule engine compares them (its ComparableNumber): shifted and
// scaled to an integer count of millionths, so 301.5 and 3.015e2 are equal and digits past the
// sixth decimal place are ignored (truncated). SNS documents -1e9..1e9 as the range.
inline constexpr double kNumberLimit = 1e9;

// nullopt outside -kNumberLimit..kNumberLimit (and for NaN).
std::optional<int64_t> ComparableNumber(double value);

// Equal as comparable numbers; outside the range only exactly equal doubles are (AWS falls back
// to comparing the number's text there).
bool NumbersEqual(double a, double b);

// The value of a Number message attribute: decimal text as SNS accepts it ("3", "-2.5", "1e3",
// "+7"). nullopt for anything else, including values that overflow a double.
std::optional<double> ParseNumberText(std::string_view text);

// One scalar value of a message: a String or Number attribute, an element of a String.Array
// attribute, or a scalar in a JSON body. Views the message; never outlives a match.
struct Value {
  enum class Type : uint8_t { kString, kNumber, kTrue, kFalse, kNull };
  Type type = Type::kNull;
  std::string_view text;  // kString
  double number = 0;      // kNumber
};

// A literal value written in a policy: `"x"`, `3`, `true`, `null`, or a member of an
// anything-but list.
struct Literal {
  Value::Type type = Value::Type::kNull;
  std::string text;   // kString
  double number = 0;  // kNumber

  // Typed equality: the string "3" is not the number 3; 3 and 3.0 are equal.
  bool Equals(const Value& value) const;
};

// A numeric range in comparable-number units; an absent bound is unbounded. `=` is the closed
// range [x, x].
struct NumericRange {
  std::optional<int64_t> lower;
  bool lower_open = false;
  std::optional<int64_t> upper;
  bool upper_open = false;

  bool Contains(int64_t comparable) const;
};

// A `cidr` block as AWS's rule engine reads "base/bits": the addresses from `base` up to `base`
// with every host bit set (host bits of `base` are not cleared), in one address family.
struct AddressBlock {
  auth::IpAddress low;
  auth::IpAddress high;

  bool Contains(const auth::IpAddress& address) const;
};

enum class ConditionKind : uint8_t {
  kEquals,             // literal
  kPrefix,             // literal.text
  kSuffix,             // literal.text
  kEqualsIgnoreCase,   // literal.text, ASCII letters folded
  kAnythingBut,        // none of `excluded`
  kAnythingButPrefix,  // not a string starting with literal.text
  kNumeric,            // range
  kCidr,               // block
  kExists,             // exists: the key is present (true) or absent (false)
};

struct Condition {
  ConditionKind kind = ConditionKind::kEquals;
  Literal literal;
  std::vector<Literal> excluded;
  NumericRange range;
  AddressBlock block;
  bool exists = true;

  // Whether `value` satisfies the condition. Always false for kExists, which is decided by the
  // key's presence, not by a value.
  bool Matches(const Value& value) const;
};

struct KeyRule {
  // The attribute name; in body scope the dotted path of the key ("a.b.c" for {"a":{"b":{"c":
  // [...]}}} and for {"a.b":{"c":[...]}} alike), matched against the body's keys joined the
  // same way.
  std::string path;
  std::vector<Condition> conditions;
  bool needs_values = false;  // some condition is not kExists
};

struct Alternative {
  std::vector<KeyRule> keys;
};

struct CompiledPolicy {
  std::vector<Alternative> alternatives;
};

}  // namespace wharf::sns::filter
