#include "protocol/form.h"

#include <cstdint>
#include <cstring>

#include "common/text.h"

namespace wharf::protocol {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<std::string> PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    // Form values (message bodies above all) are mostly plain: find the next '+' or '%' eight
    // bytes at a time and append the run before it at once, instead of a push_back per byte.
    size_t special = i;
    for (uint64_t word; text.size() - special >= sizeof(word); special += sizeof(word)) {
      std::memcpy(&word, text.data() + special, sizeof(word));
      if (HasByte(word, '+') || HasByte(word, '%')) break;
    }
    while (special < text.size() && text[special] != '+' && text[special] != '%') ++special;
    out.append(text.data() + i, special - i);
    i = special;
    if (i == text.size()) break;
    if (text[i] == '+') {
      out.push_back(' ');
      ++i;
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    int hi = HexValue(text[i + 1]);
    int lo = HexValue(text[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 3;
  }
  return out;
}

bool ParseForm(std::string_view text, FormParams& out) {
  while (!text.empty()) {
    size_t amp = text.find('&');
    std::string_view piece = text.substr(0, amp);
    text = amp == std::string_view::npos ? std::string_view() : text.substr(amp + 1);
    if (piece.empty()) continue;
    size_t eq = piece.find('=');
    auto name = PercentDecode(piece.substr(0, eq));
    auto value =
        PercentDecode(eq == std::string_view::npos ? std::string_view() : piece.substr(eq + 1));
    if (!name || !value) return false;
    out.emplace_back(std::move(*name), std::move(*value));
  }
  return true;
}

}  // namespace wharf::protocol
