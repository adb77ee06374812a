#include "sns/filter_policy_rules.h"

#include <charconv>
#include <cmath>
#include <cstring>

#include "common/text.h"

namespace wharf::sns::filter {

std::optional<int64_t> ComparableNumber(double value) {
  if (!(value >= -kNumberLimit && value <= kNumberLimit)) return std::nullopt;
  // (value + 1e9) * 1e6 lies in [0, 2e15]: exact in a double's integer range, so the cast
  // truncates the seventh decimal place and below, as AWS's (long) cast does.
  return static_cast<int64_t>(1e6 * (kNumberLimit + value));
}

bool NumbersEqual(double a, double b) {
  std::optional<int64_t> ca = ComparableNumber(a);
  std::optional<int64_t> cb = ComparableNumber(b);
  if (ca && cb) return *ca == *cb;
  return a == b;
}

std::optional<double> ParseNumberText(std::string_view text) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  // from_chars also reads "inf", "nan" and hex floats never; only decimal text is a number.
  if (text.empty() || text.find_first_not_of("0123456789.eE+-") != std::string_view::npos) {
    return std::nullopt;
  }
  double value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

bool Literal::Equals(const Value& value) const {
  if (value.type != type) return false;
  switch (type) {
    case Value::Type::kString:
      return value.text == text;
    case Value::Type::kNumber:
      return NumbersEqual(value.number, number);
    case Value::Type::kTrue:
    case Value::Type::kFalse:
    case Value::Type::kNull:
      return true;
  }
  return false;
}

bool NumericRange::Contains(int64_t comparable) const {
  if (lower && (lower_open ? comparable <= *lower : comparable < *lower)) return false;
  if (upper && (upper_open ? comparable >= *upper : comparable > *upper)) return false;
  return true;
}

bool AddressBlock::Contains(const auth::IpAddress& address) const {
  if (address.v6 != low.v6) return false;
  size_t size = low.v6 ? 16 : 4;
  return std::memcmp(low.bytes.data(), address.bytes.data(), size) <= 0 &&
         std::memcmp(address.bytes.data(), high.bytes.data(), size) <= 0;
}

bool Condition::Matches(const Value& value) const {
  const bool is_string = value.type == Value::Type::kString;
  switch (kind) {
    case ConditionKind::kEquals:
      return literal.Equals(value);
    case ConditionKind::kPrefix:
      return is_string && value.text.starts_with(literal.text);
    case ConditionKind::kSuffix:
      return is_string && value.text.ends_with(literal.text);
    case ConditionKind::kEqualsIgnoreCase:
      return is_string && EqualsIgnoreCase(value.text, literal.text);
    case ConditionKind::kAnythingBut:
      for (const Literal& excluded_value : excluded) {
        if (excluded_value.Equals(value)) return false;
      }
      return true;
    case ConditionKind::kAnythingButPrefix:
      return !(is_string && value.text.starts_with(literal.text));
    case ConditionKind::kNumeric: {
      if (value.type != Value::Type::kNumber) return false;
      std::optional<int64_t> comparable = ComparableNumber(value.number);
      return comparable && range.Contains(*comparable);
    }
    case ConditionKind::kCidr: {
      if (!is_string) return false;
      std::optional<auth::IpAddress> address = auth::ParseIpAddress(value.text);
      return address && block.Contains(*address);
    }
    case ConditionKind::kExists:
      return false;
  }
  return false;
}

}  // namespace wharf::sns::filter
