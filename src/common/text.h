#pragma once

// Small text helpers shared by the codecs and the services.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace wharf {

// Strict decimal integer: optional leading '-', digits only, no overflow. "+5", " 5", "5.0" fail.
std::optional<int64_t> ParseInt64(std::string_view text);

bool EqualsIgnoreCase(std::string_view a, std::string_view b);
bool StartsWithIgnoreCase(std::string_view text, std::string_view prefix);

// Decodes one UTF-8 code point at `pos`, advancing it. Returns -1 for invalid UTF-8 (overlong
// forms, surrogates and values above U+10FFFF are invalid).
int32_t NextCodePoint(std::string_view text, size_t& pos);

// True when `text` is valid UTF-8 made only of the characters XML 1.0 allows, which is what
// SQS accepts in message bodies and attribute values:
// #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF.
bool IsValidMessageText(std::string_view text);

// Number of code points in valid UTF-8 (bytes that are not lead bytes are not counted).
size_t CodePointCount(std::string_view text);

}  // namespace wharf
