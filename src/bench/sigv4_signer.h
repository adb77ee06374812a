#pragma once

// Client-side AWS Signature Version 4, header form (security.md §1.4–1.6).
//
// The signing key is derived once per day (it depends only on the secret, the date, the region
// and the service), so signing one request costs one SHA-256 of the canonical request and one
// HMAC, with reused OpenSSL contexts and scratch buffers (the payload hash is the caller's).
// Thread-safety: none; use one signer per connection.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "bench/digest.h"
#include "common/hashing.h"

namespace wharf::bench {

// Appends the lower-case hex of `size` bytes to `out`.
void AppendHex(std::string& out, const uint8_t* data, size_t size);

class SigV4Signer {
 public:
  SigV4Signer(std::string access_key, std::string secret_key, std::string region,
              std::string service);

  // Signs one request and returns the value of its Authorization header (valid until the next
  // call). `canonical_headers` are the "name:value\n" lines sorted by name, and must include
  // host and x-amz-date; `signed_headers` is "name;name;..." in the same order;
  // `amz_date` is "YYYYMMDDTHHMMSSZ".
  std::string_view Sign(std::string_view method, std::string_view canonical_uri,
                        std::string_view canonical_query, std::string_view canonical_headers,
                        std::string_view signed_headers, std::string_view payload_hash_hex,
                        std::string_view amz_date);

  // kSigning for `day` ("YYYYMMDD"), cached until the day changes.
  const Sha256Digest& SigningKey(std::string_view day);

  // The last canonical request and string to sign, for tests and debugging.
  std::string_view canonical_request() const { return canonical_; }
  std::string_view string_to_sign() const { return string_to_sign_; }

 private:
  std::string access_key_;
  std::string secret_key_;
  std::string region_;
  std::string service_;
  std::string key_day_;  // the day signing_key_ belongs to
  Sha256Digest signing_key_{};
  Sha256Context sha256_;
  HmacSha256Context hmac_;  // keyed with signing_key_
  std::string canonical_;
  std::string string_to_sign_;
  std::string authorization_;
};

// X-Amz-Date values, formatted at most once per second. Thread-safety: none.
class AmzDate {
 public:
  // "YYYYMMDDTHHMMSSZ" for now (UTC).
  std::string_view Now();
  // The same for a given Unix time in seconds.
  static std::array<char, 16> Format(int64_t unix_seconds);

 private:
  int64_t second_ = -1;
  std::array<char, 16> text_{};
};

}  // namespace wharf::bench
