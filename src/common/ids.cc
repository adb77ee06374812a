#include "common/ids.h"

#include <random>

namespace wharf {
namespace {

struct Xoshiro256 {
  uint64_t s[4];

  Xoshiro256() {
    std::random_device rd;
    for (auto& v : s) v = (static_cast<uint64_t>(rd()) << 32) ^ rd();
  }
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t Next() {
    const uint64_t result = Rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = Rotl(s[3], 45);
    return result;
  }
};

}  // namespace

uint64_t RandomU64() {
  thread_local Xoshiro256 gen;
  return gen.Next();
}

std::string NewUuid() {
  uint64_t hi = RandomU64();
  uint64_t lo = RandomU64();
  hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // variant 10
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(36, '-');
  int pos = 0;
  auto put = [&](uint64_t v, int nibbles) {
    for (int i = nibbles - 1; i >= 0; --i) {
      if (pos == 8 || pos == 13 || pos == 18 || pos == 23) ++pos;
      out[pos++] = kHex[(v >> (i * 4)) & 0xf];
    }
  };
  put(hi, 16);
  put(lo, 16);
  return out;
}

}  // namespace wharf
