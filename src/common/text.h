#pragma once

// Small text helpers shared by the codecs and the services.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace wharf {

// Strict decimal integer: optional leading '-', digits only, no overflow. "+5", " 5", "5.0" fail.
std::optional<int64_t> ParseInt64(std::string_view text);

// ASCII letters folded. Inline: header lookups call it for every header of every request (over a
// hundred calls per signed request), and most calls end at the size comparison.
inline bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; };
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}
bool StartsWithIgnoreCase(std::string_view text, std::string_view prefix);

// Decodes one UTF-8 code point at `pos`, advancing it. Returns -1 for invalid UTF-8 (overlong
// forms, surrogates and values above U+10FFFF are invalid).
int32_t NextCodePoint(std::string_view text, size_t& pos);

// True when `text` is valid UTF-8 made only of the characters XML 1.0 allows, which is what
// SQS accepts in message bodies and attribute values:
// #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF.
bool IsValidMessageText(std::string_view text);

// Word-at-a-time tests over eight bytes loaded with memcpy, for scanners that skip runs of plain
// ASCII (message bodies, ids, digests) eight bytes per step instead of one.
//
// True when some byte of `word` equals `byte`. ((w - 0x01..) & ~w & 0x80..) is non-zero exactly
// when some byte of w is zero (the classic "has zero byte" test; it never misses one).
constexpr bool HasByte(uint64_t word, uint8_t byte) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHighBits = 0x8080808080808080ULL;
  const uint64_t x = word ^ (kOnes * byte);
  return ((x - kOnes) & ~x & kHighBits) != 0;
}

// True when all eight bytes of `word` are in 0x20..0x7F: none has its high bit set, and then
// (byte - 0x20) borrows into a byte's high bit exactly when that byte is below 0x20.
constexpr bool AllPrintableAscii(uint64_t word) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHighBits = 0x8080808080808080ULL;
  return (word & kHighBits) == 0 && ((word - 0x20 * kOnes) & kHighBits) == 0;
}

// Number of code points in valid UTF-8 (bytes that are not lead bytes are not counted).
size_t CodePointCount(std::string_view text);

}  // namespace wharf
