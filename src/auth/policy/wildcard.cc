#include "auth/policy/wildcard.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>

namespace wharf::auth {
namespace {

char FoldAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c; }

// Bytes in the UTF-8 character starting at `pos` (1 for ASCII and for stray bytes), so that
// `?` and the advance of `*` never stop inside a character.
size_t CharLength(std::string_view text, size_t pos) {
  auto lead = static_cast<uint8_t>(text[pos]);
  size_t len = 1;
  if ((lead & 0xE0) == 0xC0) {
    len = 2;
  } else if ((lead & 0xF0) == 0xE0) {
    len = 3;
  } else if ((lead & 0xF8) == 0xF0) {
    len = 4;
  }
  return std::min(len, text.size() - pos);
}

enum class TokenKind : uint8_t { kStar, kOne, kLiteral };

struct Token {
  TokenKind kind;
  char literal;
  size_t width;  // pattern bytes the token occupies
};

Token ReadToken(std::string_view pattern, size_t pos, GlobSyntax syntax) {
  char c = pattern[pos];
  if (c == '*') return {TokenKind::kStar, 0, 1};
  if (c == '?') return {TokenKind::kOne, 0, 1};
  if (syntax == GlobSyntax::kEscaped && c == '\\' && pos + 1 < pattern.size()) {
    return {TokenKind::kLiteral, pattern[pos + 1], 2};
  }
  return {TokenKind::kLiteral, c, 1};
}

// Six colon-separated parts; the sixth keeps any further colons. nullopt with fewer than six.
std::optional<std::array<std::string_view, 6>> SplitArn(std::string_view arn) {
  std::array<std::string_view, 6> parts;
  for (size_t i = 0; i < 5; ++i) {
    size_t colon = arn.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    parts[i] = arn.substr(0, colon);
    arn.remove_prefix(colon + 1);
  }
  parts[5] = arn;
  return parts;
}

bool MatchParts(const std::array<std::string_view, 6>& pattern,
                const std::array<std::string_view, 6>& arn, GlobSyntax syntax) {
  for (size_t i = 0; i < 6; ++i) {
    if (!GlobMatch(pattern[i], arn[i], Case::kSensitive, syntax)) return false;
  }
  return true;
}

}  // namespace

// Iterative matcher with one backtrack point (the last `*`): linear in practice and never
// recursive, so a hostile pattern like `*a*a*a*…` cannot blow the stack.
bool GlobMatch(std::string_view pattern, std::string_view text, Case case_mode, GlobSyntax syntax) {
  auto same = [case_mode](char a, char b) {
    return case_mode == Case::kSensitive ? a == b : FoldAscii(a) == FoldAscii(b);
  };
  size_t p = 0;
  size_t t = 0;
  size_t star_p = std::string_view::npos;  // pattern position just after the last `*`
  size_t star_t = 0;                       // text position that `*` has consumed up to
  while (t < text.size()) {
    if (p < pattern.size()) {
      Token token = ReadToken(pattern, p, syntax);
      if (token.kind == TokenKind::kStar) {
        p += token.width;
        star_p = p;
        star_t = t;
        continue;
      }
      if (token.kind == TokenKind::kOne) {
        p += token.width;
        t += CharLength(text, t);
        continue;
      }
      if (same(token.literal, text[t])) {
        p += token.width;
        ++t;
        continue;
      }
    }
    if (star_p == std::string_view::npos) return false;
    star_t += CharLength(text, star_t);  // let the last `*` take one more character
    p = star_p;
    t = star_t;
  }
  while (p < pattern.size() && ReadToken(pattern, p, syntax).kind == TokenKind::kStar) ++p;
  return p == pattern.size();
}

bool MatchAction(std::string_view pattern, std::string_view action) {
  return GlobMatch(pattern, action, Case::kInsensitive);
}

bool MatchResource(std::string_view pattern, std::string_view resource, GlobSyntax syntax) {
  if (pattern == "*") return true;
  auto pattern_parts = SplitArn(pattern);
  auto resource_parts = SplitArn(resource);
  if (pattern_parts && resource_parts) return MatchParts(*pattern_parts, *resource_parts, syntax);
  return GlobMatch(pattern, resource, Case::kSensitive, syntax);
}

bool MatchArnParts(std::string_view pattern, std::string_view arn, GlobSyntax syntax) {
  auto pattern_parts = SplitArn(pattern);
  auto arn_parts = SplitArn(arn);
  if (!pattern_parts || !arn_parts) return false;
  return MatchParts(*pattern_parts, *arn_parts, syntax);
}

}  // namespace wharf::auth
