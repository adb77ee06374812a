#include "bench/sigv4_signer.h"

#include <time.h>

#include <algorithm>
#include <chrono>
#include <utility>

namespace wharf::bench {

void AppendHex(std::string& out, const uint8_t* data, size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  const size_t at = out.size();
  out.resize(at + 2 * size);
  for (size_t i = 0; i < size; ++i) {
    out[at + 2 * i] = kDigits[data[i] >> 4];
    out[at + 2 * i + 1] = kDigits[data[i] & 0xf];
  }
}

SigV4Signer::SigV4Signer(std::string access_key, std::string secret_key, std::string region,
                         std::string service)
    : access_key_(std::move(access_key)),
      secret_key_(std::move(secret_key)),
      region_(std::move(region)),
      service_(std::move(service)) {}

const Sha256Digest& SigV4Signer::SigningKey(std::string_view day) {
  if (day != key_day_) {
    auto as_key = [](const Sha256Digest& d) {
      return std::string_view(reinterpret_cast<const char*>(d.data()), d.size());
    };
    const Sha256Digest k_date = HmacSha256("AWS4" + secret_key_, day);
    const Sha256Digest k_region = HmacSha256(as_key(k_date), region_);
    const Sha256Digest k_service = HmacSha256(as_key(k_region), service_);
    signing_key_ = HmacSha256(as_key(k_service), "aws4_request");
    hmac_.SetKey(signing_key_);
    key_day_.assign(day);
  }
  return signing_key_;
}

std::string_view SigV4Signer::Sign(std::string_view method, std::string_view canonical_uri,
                                   std::string_view canonical_query,
                                   std::string_view canonical_headers,
                                   std::string_view signed_headers,
                                   std::string_view payload_hash_hex, std::string_view amz_date) {
  const std::string_view day = amz_date.substr(0, 8);

  canonical_.clear();
  canonical_.append(method).push_back('\n');
  canonical_.append(canonical_uri).push_back('\n');
  canonical_.append(canonical_query).push_back('\n');
  canonical_.append(canonical_headers).push_back('\n');
  canonical_.append(signed_headers).push_back('\n');
  canonical_.append(payload_hash_hex);
  const Sha256Digest canonical_hash = sha256_.Of(canonical_);

  string_to_sign_.assign("AWS4-HMAC-SHA256\n");
  string_to_sign_.append(amz_date).push_back('\n');
  const size_t scope_at = string_to_sign_.size();
  string_to_sign_.append(day).push_back('/');
  string_to_sign_.append(region_).push_back('/');
  string_to_sign_.append(service_).append("/aws4_request");
  const size_t scope_end = string_to_sign_.size();
  string_to_sign_.push_back('\n');
  AppendHex(string_to_sign_, canonical_hash.data(), canonical_hash.size());

  SigningKey(day);  // keys hmac_
  const Sha256Digest signature = hmac_.Of(string_to_sign_);

  authorization_.assign("AWS4-HMAC-SHA256 Credential=");
  authorization_.append(access_key_).push_back('/');
  authorization_.append(string_to_sign_, scope_at, scope_end - scope_at);
  authorization_.append(", SignedHeaders=").append(signed_headers);
  authorization_.append(", Signature=");
  AppendHex(authorization_, signature.data(), signature.size());
  return authorization_;
}

std::array<char, 16> AmzDate::Format(int64_t unix_seconds) {
  const time_t t = static_cast<time_t>(unix_seconds);
  struct tm tm {};
  gmtime_r(&t, &tm);
  std::array<char, 17> buf{};
  strftime(buf.data(), buf.size(), "%Y%m%dT%H%M%SZ", &tm);
  std::array<char, 16> out{};
  std::copy_n(buf.begin(), out.size(), out.begin());
  return out;
}

std::string_view AmzDate::Now() {
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  if (now != second_) {
    second_ = now;
    text_ = Format(now);
  }
  return std::string_view(text_.data(), text_.size());
}

}  // namespace wharf::bench
