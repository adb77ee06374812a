#include "common/base64.h"

#include <array>
#include <cstdint>

namespace wharf {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<int8_t, 256> MakeDecodeTable() {
  std::array<int8_t, 256> t{};
  for (auto& v : t) v = -1;
  for (int i = 0; i < 64; ++i) t[static_cast<uint8_t>(kAlphabet[i])] = static_cast<int8_t>(i);
  return t;
}
constexpr auto kDecode = MakeDecodeTable();

}  // namespace

// Both directions size the output once and write through a pointer: push_back's capacity check
// per character was most of their cost, and every receive encodes (and every delete decodes) a
// receipt handle of a few hundred characters.
std::string Base64Encode(std::string_view bytes) {
  std::string out((bytes.size() + 2) / 3 * 4, '\0');
  char* o = out.data();
  size_t i = 0;
  auto at = [&](size_t k) { return static_cast<uint32_t>(static_cast<uint8_t>(bytes[k])); };
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t n = (at(i) << 16) | (at(i + 1) << 8) | at(i + 2);
    *o++ = kAlphabet[(n >> 18) & 63];
    *o++ = kAlphabet[(n >> 12) & 63];
    *o++ = kAlphabet[(n >> 6) & 63];
    *o++ = kAlphabet[n & 63];
  }
  size_t rest = bytes.size() - i;
  if (rest == 1) {
    uint32_t n = at(i) << 16;
    *o++ = kAlphabet[(n >> 18) & 63];
    *o++ = kAlphabet[(n >> 12) & 63];
    *o++ = '=';
    *o++ = '=';
  } else if (rest == 2) {
    uint32_t n = (at(i) << 16) | (at(i + 1) << 8);
    *o++ = kAlphabet[(n >> 18) & 63];
    *o++ = kAlphabet[(n >> 12) & 63];
    *o++ = kAlphabet[(n >> 6) & 63];
    *o++ = '=';
  }
  return out;
}

std::optional<std::string> Base64Decode(std::string_view text) {
  size_t len = text.size();
  size_t pad = 0;
  while (len > 0 && text[len - 1] == '=' && pad < 2) {
    --len;
    ++pad;
  }
  if (pad > 0 && (len + pad) % 4 != 0) return std::nullopt;
  if (len % 4 == 1) return std::nullopt;
  std::string out(len * 3 / 4, '\0');
  char* o = out.data();
  // Whole quanta first: four characters to three bytes per step (a delete decodes ten receipt
  // handles); the last two or three characters, if any, bit by bit below.
  size_t i = 0;
  for (; i + 4 <= len; i += 4) {
    const int8_t a = kDecode[static_cast<uint8_t>(text[i])];
    const int8_t b = kDecode[static_cast<uint8_t>(text[i + 1])];
    const int8_t c = kDecode[static_cast<uint8_t>(text[i + 2])];
    const int8_t d = kDecode[static_cast<uint8_t>(text[i + 3])];
    if ((a | b | c | d) < 0) return std::nullopt;
    const uint32_t n = (static_cast<uint32_t>(a) << 18) | (static_cast<uint32_t>(b) << 12) |
                       (static_cast<uint32_t>(c) << 6) | static_cast<uint32_t>(d);
    *o++ = static_cast<char>(n >> 16);
    *o++ = static_cast<char>((n >> 8) & 0xff);
    *o++ = static_cast<char>(n & 0xff);
  }
  uint32_t acc = 0;
  int bits = 0;
  for (; i < len; ++i) {
    int8_t v = kDecode[static_cast<uint8_t>(text[i])];
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      *o++ = static_cast<char>((acc >> bits) & 0xff);
    }
  }
  out.resize(static_cast<size_t>(o - out.data()));
  return out;
}

}  // namespace wharf
