#pragma once

// Typed readings of condition values (security.md §2.3): numbers, dates and IP addresses. Both
// the policy side and the request side go through the same parser; a value that does not parse
// makes its comparison false, never an error.

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace wharf::auth {

// Three-way comparison of two decimal numbers (`10`, `-2.5`, `1e3`); exact for integers that
// fit in 64 bits. nullopt when either side is not a finite decimal number.
std::optional<int> CompareNumbers(std::string_view a, std::string_view b);

// Milliseconds since the Unix epoch for ISO 8601 (`2025-01-15T12:00:00Z`, `2025-01-15`,
// fractional seconds, `+01:00` offsets; no zone means UTC) or epoch seconds (`1736942400`).
std::optional<int64_t> ParseDateMillis(std::string_view text);

// Three-way comparison of two dates in any form ParseDateMillis accepts.
std::optional<int> CompareDates(std::string_view a, std::string_view b);

struct IpAddress {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};  // v4 uses the first four
};

struct IpRange {
  IpAddress base;
  int prefix_bits = 0;
};

// A bare address; an IPv4-mapped IPv6 address (`::ffff:203.0.113.7`) reads as IPv4 so that a
// dual-stack listener's peers still match IPv4 ranges.
std::optional<IpAddress> ParseIpAddress(std::string_view text);

// `203.0.113.0/24`, `2001:db8::/32`, or a bare address meaning /32 or /128. Host bits below
// the prefix are allowed and ignored, as AWS does.
std::optional<IpRange> ParseIpRange(std::string_view text);

// False across families: an IPv4 address is never inside an IPv6 range.
bool RangeContains(const IpRange& range, const IpAddress& address);

}  // namespace wharf::auth
