#include "auth/policy/condition_values.h"

#include <arpa/inet.h>

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstring>
#include <string>

#include "common/text.h"

namespace wharf::auth {
namespace {

template <typename T>
int Sign(T a, T b) {
  return a < b ? -1 : (a > b ? 1 : 0);
}

std::optional<double> ParseDecimal(std::string_view text) {
  // from_chars also reads "inf" and "nan"; only finite decimal numbers are numbers here.
  if (text.empty() || text.find_first_of("iInN") != std::string_view::npos) return std::nullopt;
  double value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

// Reads exactly `width` digits at `pos`.
bool Digits(std::string_view text, size_t& pos, size_t width, int& out) {
  if (pos + width > text.size()) return false;
  out = 0;
  for (size_t i = 0; i < width; ++i) {
    char c = text[pos + i];
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  pos += width;
  return true;
}

bool Expect(std::string_view text, size_t& pos, char c) {
  if (pos >= text.size() || text[pos] != c) return false;
  ++pos;
  return true;
}

// Offset east of UTC in minutes from `Z`, `±hh`, `±hhmm` or `±hh:mm` at `pos` (to the end).
std::optional<int> ParseZone(std::string_view text, size_t pos) {
  if (pos == text.size()) return 0;  // no zone: UTC
  if ((text[pos] == 'Z' || text[pos] == 'z') && pos + 1 == text.size()) return 0;
  int sign = text[pos] == '+' ? 1 : (text[pos] == '-' ? -1 : 0);
  if (sign == 0) return std::nullopt;
  ++pos;
  int hours = 0;
  int minutes = 0;
  if (!Digits(text, pos, 2, hours)) return std::nullopt;
  if (pos < text.size()) {
    Expect(text, pos, ':');
    if (!Digits(text, pos, 2, minutes)) return std::nullopt;
  }
  if (pos != text.size() || hours > 23 || minutes > 59) return std::nullopt;
  return sign * (hours * 60 + minutes);
}

std::optional<int64_t> ParseIso8601(std::string_view text) {
  size_t pos = 0;
  int year = 0, month = 0, day = 0;
  if (!Digits(text, pos, 4, year) || !Expect(text, pos, '-') || !Digits(text, pos, 2, month) ||
      !Expect(text, pos, '-') || !Digits(text, pos, 2, day)) {
    return std::nullopt;
  }
  std::chrono::year_month_day date{std::chrono::year(year), std::chrono::month(unsigned(month)),
                                   std::chrono::day(unsigned(day))};
  if (!date.ok()) return std::nullopt;
  int64_t millis = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::sys_days(date).time_since_epoch())
                       .count();
  if (pos == text.size()) return millis;  // date only: midnight UTC
  if (text[pos] != 'T' && text[pos] != 't') return std::nullopt;
  ++pos;
  int hour = 0, minute = 0, second = 0, fraction_millis = 0;
  if (!Digits(text, pos, 2, hour) || !Expect(text, pos, ':') || !Digits(text, pos, 2, minute)) {
    return std::nullopt;
  }
  if (pos < text.size() && text[pos] == ':') {
    ++pos;
    if (!Digits(text, pos, 2, second)) return std::nullopt;
    if (pos < text.size() && text[pos] == '.') {
      ++pos;
      size_t first = pos;
      int scale = 100;
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
        fraction_millis += (text[pos] - '0') * scale;  // digits past milliseconds are dropped
        scale /= 10;
        ++pos;
      }
      if (pos == first) return std::nullopt;
    }
  }
  if (hour > 23 || minute > 59 || second > 59) return std::nullopt;
  std::optional<int> zone = ParseZone(text, pos);
  if (!zone) return std::nullopt;
  return millis + ((hour * 60 + minute - *zone) * 60 + second) * int64_t{1000} + fraction_millis;
}

bool ReadAddress(const std::string& text, IpAddress& out) {
  if (text.find(':') == std::string::npos) {
    out.v6 = false;
    return inet_pton(AF_INET, text.c_str(), out.bytes.data()) == 1;
  }
  out.v6 = true;
  return inet_pton(AF_INET6, text.c_str(), out.bytes.data()) == 1;
}

}  // namespace

std::optional<int> CompareNumbers(std::string_view a, std::string_view b) {
  std::optional<int64_t> int_a = ParseInt64(a);
  std::optional<int64_t> int_b = ParseInt64(b);
  if (int_a && int_b) return Sign(*int_a, *int_b);
  std::optional<double> da = ParseDecimal(a);
  std::optional<double> db = ParseDecimal(b);
  if (!da || !db) return std::nullopt;
  return Sign(*da, *db);
}

std::optional<int64_t> ParseDateMillis(std::string_view text) {
  if (std::optional<int64_t> seconds = ParseInt64(text)) {
    // Beyond ±10^15 s (30 million years) the milliseconds would not fit; no real date is there.
    if (*seconds > 1'000'000'000'000'000 || *seconds < -1'000'000'000'000'000) return std::nullopt;
    return *seconds * 1000;
  }
  return ParseIso8601(text);
}

std::optional<int> CompareDates(std::string_view a, std::string_view b) {
  std::optional<int64_t> ma = ParseDateMillis(a);
  std::optional<int64_t> mb = ParseDateMillis(b);
  if (!ma || !mb) return std::nullopt;
  return Sign(*ma, *mb);
}

std::optional<IpAddress> ParseIpAddress(std::string_view text) {
  if (text.empty() || text.size() > 64) return std::nullopt;
  IpAddress address;
  if (!ReadAddress(std::string(text), address)) return std::nullopt;
  static constexpr uint8_t kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (address.v6 && std::memcmp(address.bytes.data(), kMappedPrefix, 12) == 0) {
    IpAddress v4;
    std::memcpy(v4.bytes.data(), address.bytes.data() + 12, 4);
    return v4;
  }
  return address;
}

std::optional<IpRange> ParseIpRange(std::string_view text) {
  if (text.empty() || text.size() > 64) return std::nullopt;
  IpRange range;
  size_t slash = text.find('/');
  if (!ReadAddress(std::string(text.substr(0, slash)), range.base)) return std::nullopt;
  int max_bits = range.base.v6 ? 128 : 32;
  if (slash == std::string_view::npos) {
    range.prefix_bits = max_bits;
    return range;
  }
  std::string_view bits = text.substr(slash + 1);
  if (bits.empty() || bits.size() > 3) return std::nullopt;
  std::optional<int64_t> n = ParseInt64(bits);
  if (!n || *n < 0 || *n > max_bits || bits.front() == '-') return std::nullopt;
  range.prefix_bits = static_cast<int>(*n);
  return range;
}

bool RangeContains(const IpRange& range, const IpAddress& address) {
  if (range.base.v6 != address.v6) return false;
  int full_bytes = range.prefix_bits / 8;
  if (std::memcmp(range.base.bytes.data(), address.bytes.data(), size_t(full_bytes)) != 0) {
    return false;
  }
  int rest = range.prefix_bits % 8;
  if (rest == 0) return true;
  auto mask = static_cast<uint8_t>(0xFF << (8 - rest));
  return (range.base.bytes[size_t(full_bytes)] & mask) ==
         (address.bytes[size_t(full_bytes)] & mask);
}

}  // namespace wharf::auth
