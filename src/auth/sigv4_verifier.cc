#include "auth/sigv4_verifier.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <array>
#include <ctime>

#include "auth/credential_scope.h"
#include "common/text.h"

namespace wharf::auth {
namespace {

using api::ErrorCode;

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr int64_t kWindowSeconds = 15 * 60;
constexpr std::string_view kEmptyBodyHash =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

api::ApiError Mismatch() { return api::Error(ErrorCode::kSignatureDoesNotMatch); }
api::ApiError Incomplete(std::string message) {
  return api::Error(ErrorCode::kIncompleteSignature, std::move(message));
}

bool Unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

void AppendEncoded(std::string& out, std::string_view bytes, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (char ch : bytes) {
    auto c = static_cast<unsigned char>(ch);
    if (Unreserved(c) || (keep_slash && c == '/')) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    }
  }
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Form-style decoding for the canonical query: %XX and '+' as space (security.md §1.4).
std::string QueryDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out.push_back(' ');
    } else if (text[i] == '%' && i + 2 < text.size() && HexValue(text[i + 1]) >= 0 &&
               HexValue(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2])));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string_view HeaderValue(const SignedRequest& r, std::string_view name) {
  return r.headers->Get(name);
}

// Appends the canonical value of a header: all its values, each trimmed with inner runs of
// whitespace collapsed, joined with ','. False when the request has no such header.
bool AppendCanonicalHeaderValue(std::string& out, const SignedRequest& r, std::string_view name) {
  bool found = false;
  for (const auto& [k, v] : *r.headers) {
    if (!EqualsIgnoreCase(k, name)) continue;
    if (found) out.push_back(',');
    found = true;
    bool wrote = false;  // of this value
    bool space = false;
    for (char c : Trim(v)) {
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        space = true;
        continue;
      }
      if (space && wrote) out.push_back(' ');
      space = false;
      out.push_back(c);
      wrote = true;
    }
  }
  return found;
}

struct ParsedQuery {
  std::vector<std::pair<std::string, std::string>> params;  // decoded
  const std::string* Get(std::string_view name) const {
    for (const auto& [k, v] : params) {
      if (k == name) return &v;
    }
    return nullptr;
  }
};

ParsedQuery ParseQuery(std::string_view query) {
  ParsedQuery out;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view piece = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (piece.empty()) continue;
    size_t eq = piece.find('=');
    out.params.emplace_back(
        QueryDecode(piece.substr(0, eq)),
        QueryDecode(eq == std::string_view::npos ? std::string_view() : piece.substr(eq + 1)));
  }
  return out;
}

// The caller's claims: where the signature is and what it covers.
struct Claims {
  CredentialScope scope;
  std::string signed_headers;
  std::string signature;
  std::string timestamp;  // ISO basic
  bool presigned = false;
  int64_t expires = 0;  // presigned: X-Amz-Expires
};

api::ApiResult<Claims> LocateClaims(const SignedRequest& r, const ParsedQuery& query) {
  const std::string_view authorization = HeaderValue(r, "Authorization");
  const std::string* query_signature = query.Get("X-Amz-Signature");
  if (!authorization.empty() && query_signature) {
    return Incomplete("Found both an Authorization header and a query-string signature.");
  }
  Claims c;
  if (!authorization.empty()) {
    auto info = ParseAuthorizationHeader(authorization);
    if (!info.ok()) return std::move(info).error();
    c.scope = std::move(info->scope);
    c.signed_headers = std::move(info->signed_headers);
    c.signature = std::move(info->signature);
    std::string_view date = HeaderValue(r, "X-Amz-Date");
    if (date.empty()) {
      return Incomplete(
          "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' "
          "header.");
    }
    c.timestamp = std::string(date);
    return c;
  }
  if (!query_signature) return api::Error(ErrorCode::kMissingAuthenticationToken);
  const std::string* algorithm = query.Get("X-Amz-Algorithm");
  const std::string* credential = query.Get("X-Amz-Credential");
  const std::string* date = query.Get("X-Amz-Date");
  const std::string* signed_headers = query.Get("X-Amz-SignedHeaders");
  const std::string* expires = query.Get("X-Amz-Expires");
  if (!algorithm || *algorithm != kAlgorithm) {
    return Incomplete("Unsupported signature algorithm; only AWS4-HMAC-SHA256 is accepted.");
  }
  if (!credential || !date || !signed_headers || !expires) {
    return Incomplete(
        "AWS query-string parameters must include 'X-Amz-Algorithm', 'X-Amz-Credential', "
        "'X-Amz-Signature', 'X-Amz-Date', 'X-Amz-SignedHeaders' and 'X-Amz-Expires'.");
  }
  auto scope = ParseCredentialScope(*credential);
  if (!scope.ok()) return std::move(scope).error();
  c.scope = std::move(scope).value();
  c.signed_headers = *signed_headers;
  c.signature = *query_signature;
  c.timestamp = *date;
  c.presigned = true;
  c.expires = 0;
  for (char ch : *expires) {
    if (ch < '0' || ch > '9' || c.expires > 604800) return Incomplete("X-Amz-Expires is invalid.");
    c.expires = c.expires * 10 + (ch - '0');
  }
  if (c.expires < 1 || c.expires > 604800) {
    return Incomplete("X-Amz-Expires must be between 1 and 604800 seconds.");
  }
  return c;
}

api::ApiError Expired(std::string_view timestamp, int64_t now) {
  return api::Error(ErrorCode::kSignatureDoesNotMatch,
                    "Signature expired: " + std::string(timestamp) + " is now earlier than " +
                        IsoBasic(now - kWindowSeconds) + " (" + IsoBasic(now) + " - 15 min.)");
}

}  // namespace

std::string IsoBasic(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d%02d%02dT%02d%02d%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

namespace {

// Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil). Linear in
// the day, so a day past the month's end rolls over into the next month as timegm() does.
int64_t DaysFromCivil(int64_t year, int month, int day) {
  year -= month <= 2 ? 1 : 0;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const int64_t year_of_era = year - era * 400;
  const int64_t day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

}  // namespace

int64_t ParseIsoBasic(std::string_view s) {
  if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z') return -1;
  auto num = [&](size_t pos, size_t len) {
    int v = 0;
    for (size_t i = pos; i < pos + len; ++i) {
      if (s[i] < '0' || s[i] > '9') return -1;
      v = v * 10 + (s[i] - '0');
    }
    return v;
  };
  const int year = num(0, 4);
  const int month = num(4, 2);
  const int day = num(6, 2);
  const int hour = num(9, 2);
  const int minute = num(11, 2);
  const int second = num(13, 2);
  if (year < 1900 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 ||
      minute < 0 || minute > 59 || second < 0 || second > 60) {
    return -1;
  }
  // Arithmetic instead of timegm(), which every signed request paid for (it consults the time
  // zone machinery): same result for every date accepted above.
  const int64_t seconds =
      DaysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
  // A rollover past 9999-12-31T23:59:59 (a leap second or a day past the month's end in the last
  // month) would be year 10000, which the four-digit form cannot write back: refused.
  constexpr int64_t kYear10000 = 253402300800;  // 10000-01-01T00:00:00Z
  return seconds < kYear10000 ? seconds : -1;
}

std::string SigV4Verifier::CanonicalUri(std::string_view raw_path) {
  // Normalise the raw (still encoded) path: drop empty and "." segments, resolve "..".
  std::vector<std::string_view> segments;
  const bool trailing_slash = raw_path.size() > 1 && raw_path.back() == '/';
  size_t pos = 0;
  while (pos <= raw_path.size()) {
    size_t slash = raw_path.find('/', pos);
    std::string_view segment = raw_path.substr(
        pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos);
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!segment.empty() && segment != ".") {
      segments.push_back(segment);
    }
    if (slash == std::string_view::npos) break;
    pos = slash + 1;
  }
  std::string normalised = "/";
  for (size_t i = 0; i < segments.size(); ++i) {
    if (i) normalised.push_back('/');
    normalised.append(segments[i]);
  }
  if (trailing_slash && normalised != "/") normalised.push_back('/');
  // …then percent-encode it again, so every '%' becomes "%25" (non-S3 services).
  std::string out;
  out.reserve(normalised.size() + 8);
  AppendEncoded(out, normalised, /*keep_slash=*/true);
  return out;
}

std::string SigV4Verifier::CanonicalQuery(std::string_view raw_query, bool drop_signature) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (auto& [name, value] : ParseQuery(raw_query).params) {
    if (drop_signature && name == "X-Amz-Signature") continue;
    std::string n, v;
    AppendEncoded(n, name, false);
    AppendEncoded(v, value, false);
    pairs.emplace_back(std::move(n), std::move(v));
  }
  std::sort(pairs.begin(), pairs.end());
  std::string out;
  for (size_t i = 0; i < pairs.size(); ++i) {
    if (i) out.push_back('&');
    out.append(pairs[i].first);
    out.push_back('=');
    out.append(pairs[i].second);
  }
  return out;
}

Sha256Digest SigV4Verifier::SigningKey(std::string_view secret, std::string_view date,
                                       std::string_view region, std::string_view service) {
  const std::string k = "AWS4" + std::string(secret);
  Sha256Digest key = HmacSha256(k, date);
  auto as_view = [](const Sha256Digest& d) {
    return std::string_view(reinterpret_cast<const char*>(d.data()), d.size());
  };
  key = HmacSha256(as_view(key), region);
  key = HmacSha256(as_view(key), service);
  return HmacSha256(as_view(key), "aws4_request");
}

Sha256Digest SigV4Verifier::CachedSigningKey(const AccessKey& key, std::string_view date,
                                             std::string_view region, std::string_view service) {
  std::string cache_key = key.access_key_id;
  cache_key.push_back('|');
  cache_key.append(date);
  cache_key.push_back('|');
  cache_key.append(region);
  cache_key.push_back('|');
  cache_key.append(service);
  std::lock_guard lock(cache_mu_);
  auto it = key_cache_.find(cache_key);
  // An entry derived from another secret (the key was rotated) is recomputed.
  if (it != key_cache_.end() && it->second.secret == key.secret) return it->second.signing_key;
  if (key_cache_.size() > 4096) key_cache_.clear();  // dates roll over; keep it small
  const Sha256Digest signing = SigningKey(key.secret, date, region, service);
  key_cache_.insert_or_assign(std::move(cache_key), CachedKey{key.secret, signing});
  return signing;
}

api::ApiResult<VerifiedCaller> SigV4Verifier::Verify(const SignedRequest& r, int64_t now,
                                                     std::string_view service) {
  const ParsedQuery query = ParseQuery(r.query);
  // (1) Where the signature is, and what it claims.
  auto claims = LocateClaims(r, query);
  if (!claims.ok()) return std::move(claims).error();
  Claims& c = *claims;
  // (2) Scope: the handling service, and a date that matches the timestamp.
  if (c.scope.service != service) {
    return api::Error(
        ErrorCode::kSignatureDoesNotMatch,
        "Credential should be scoped to correct service: '" + std::string(service) + "'.");
  }
  const int64_t timestamp = ParseIsoBasic(c.timestamp);
  if (timestamp < 0) {
    return Incomplete("Date must be in ISO-8601 'basic format'. Got '" + c.timestamp + "'.");
  }
  if (c.timestamp.substr(0, 8) != c.scope.date) {
    return api::Error(ErrorCode::kSignatureDoesNotMatch,
                      "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of "
                      "date from HTTP: '" +
                          c.scope.date + "' != '" + c.timestamp.substr(0, 8) + "', from '" +
                          c.timestamp + "'.");
  }
  // (3) Time window.
  if (timestamp > now + kWindowSeconds) {
    return api::Error(ErrorCode::kSignatureDoesNotMatch,
                      "Signature not yet current: " + c.timestamp + " is still later than " +
                          IsoBasic(now + kWindowSeconds) + " (" + IsoBasic(now) + " + 15 min.)");
  }
  if (c.presigned) {
    // Non-S3 services honour presigned URLs for at most 15 minutes (security.md §1.7).
    if (now > timestamp + std::min<int64_t>(c.expires, kWindowSeconds)) {
      return Expired(c.timestamp, now);
    }
  } else if (timestamp < now - kWindowSeconds) {
    return Expired(c.timestamp, now);
  }
  // (4) The key.
  std::string_view session_token = HeaderValue(r, "X-Amz-Security-Token");
  if (c.presigned) {
    if (const std::string* token = query.Get("X-Amz-Security-Token")) session_token = *token;
  }
  auto found = credentials_.Lookup(c.scope.access_key_id, session_token, now * 1000);
  if (!found.ok()) return std::move(found).error();
  const AccessKey& key = **found;
  // (5) Canonical request, with the payload hash. Every request is verified: the digests are
  // hex-encoded on the stack and the two texts built in per-thread buffers that keep their
  // capacity, instead of a handful of fresh strings per request. (What they keep is bounded by
  // the HTTP layer's header limit: the canonical request holds the target and signed headers.)
  const std::string_view content_sha = HeaderValue(r, "x-amz-content-sha256");
  std::array<char, 64> body_hex;
  std::string_view body_hash = kEmptyBodyHash;
  if (!r.body.empty()) {
    body_hex = HexLowerArray(Sha256Of(r.body));
    body_hash = std::string_view(body_hex.data(), body_hex.size());
  }
  std::string_view payload_hash = body_hash;
  if (content_sha == "UNSIGNED-PAYLOAD") {
    payload_hash = content_sha;
  } else if (!content_sha.empty() && content_sha != body_hash) {
    return Mismatch();  // the claimed body hash is not the body's
  }
  thread_local std::string canonical;
  canonical.clear();
  canonical.append(r.method);
  canonical.push_back('\n');
  canonical.append(CanonicalUri(r.path));
  canonical.push_back('\n');
  canonical.append(CanonicalQuery(r.query, c.presigned));
  canonical.push_back('\n');
  bool has_host = false;
  std::string_view names = c.signed_headers;
  while (!names.empty()) {
    size_t semi = names.find(';');
    std::string_view name = names.substr(0, semi);
    names = semi == std::string_view::npos ? std::string_view() : names.substr(semi + 1);
    if (name == "host") has_host = true;
    canonical.append(name);
    canonical.push_back(':');
    if (!AppendCanonicalHeaderValue(canonical, r, name)) {
      return Mismatch();  // a signed header that is not there
    }
    canonical.push_back('\n');
  }
  if (!has_host) return Mismatch();
  canonical.push_back('\n');
  canonical.append(c.signed_headers);
  canonical.push_back('\n');
  canonical.append(payload_hash);
  // (6) The signature.
  thread_local std::string to_sign;
  to_sign.assign(kAlgorithm);
  to_sign.push_back('\n');
  to_sign.append(c.timestamp);
  to_sign.push_back('\n');
  to_sign.append(c.scope.date);
  to_sign.push_back('/');
  to_sign.append(c.scope.region);
  to_sign.push_back('/');
  to_sign.append(c.scope.service);
  to_sign.append("/aws4_request\n");
  const std::array<char, 64> canonical_hash = HexLowerArray(Sha256Of(canonical));
  to_sign.append(canonical_hash.data(), canonical_hash.size());
  const Sha256Digest signing = CachedSigningKey(key, c.scope.date, c.scope.region, service);
  const std::array<char, 64> expected = HexLowerArray(HmacSha256(
      std::string_view(reinterpret_cast<const char*>(signing.data()), signing.size()), to_sign));
  if (c.signature.size() != expected.size() ||
      CRYPTO_memcmp(c.signature.data(), expected.data(), expected.size()) != 0) {
    return Mismatch();
  }
  return VerifiedCaller{std::move(found).value(), c.scope.region, c.scope.service};
}

}  // namespace wharf::auth
