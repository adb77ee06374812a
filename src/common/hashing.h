#pragma once

// MD5 and SHA-256 through OpenSSL's EVP interface, and HMAC-SHA256 for SigV4.
// The digest objects are fetched once per process and the one-shot functions reuse one context
// per thread, so none of them allocates; every function is thread-safe.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace wharf {

using Md5Digest = std::array<uint8_t, 16>;
using Sha256Digest = std::array<uint8_t, 32>;

// Incremental MD5, for digests built from several pieces (MD5OfMessageAttributes).
class Md5 {
 public:
  Md5();
  ~Md5();
  Md5(const Md5&) = delete;
  Md5& operator=(const Md5&) = delete;
  void Update(std::string_view bytes);
  Md5Digest Finish();

 private:
  void* ctx_;  // EVP_MD_CTX*, kept opaque so this header does not pull in OpenSSL
};

Md5Digest Md5Of(std::string_view bytes);
Sha256Digest Sha256Of(std::string_view bytes);
Sha256Digest HmacSha256(std::string_view key, std::string_view data);

// Lower-case hex of bytes.
std::string HexLower(const uint8_t* data, size_t size);
template <size_t N>
std::string HexLower(const std::array<uint8_t, N>& digest) {
  return HexLower(digest.data(), N);
}

// Lower-case hex of `size` bytes into out[0, 2 * size).
void HexLowerTo(char* out, const uint8_t* data, size_t size);

// Lower-case hex of a digest in a fixed-size array, for a digest that is compared or appended
// right away (SigV4 verification does three per request) without allocating a string.
template <size_t N>
std::array<char, 2 * N> HexLowerArray(const std::array<uint8_t, N>& digest) {
  std::array<char, 2 * N> out;
  HexLowerTo(out.data(), digest.data(), N);
  return out;
}

}  // namespace wharf
