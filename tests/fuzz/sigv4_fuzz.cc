// Fuzzes SigV4 verification (auth/sigv4_verifier.h): the Authorization header and presigned
// query parsing, the credential scope, the timestamp, canonicalisation of path, query and
// headers, the payload hash and the signature comparison.
//
// Input layout (corpus/sigv4_fuzz/ holds examples; make_corpus.py builds them):
//
//   byte 0     flags (below)
//   then       authorization '\n' x-amz-date '\n' query '\n' path '\n' extra-header '\n' body
//
// Fields missing at the end are empty; the body is everything after the fifth '\n'. An empty
// Authorization or X-Amz-Date header is left out. `extra-header` is "name:value" (no colon: a
// name with an empty value) and lets the input add x-amz-content-sha256, a second Host, etc.
// The request always carries Host, Content-Type and X-Amz-Target as in security.md Example A,
// and the credential store holds Example A's key, so a well-formed input gets all the way to
// the signature comparison, and Example A and C verify.
//
// Besides "no crash, no hang, no UB, no out-of-bounds read" it checks that CanonicalUri and
// CanonicalQuery only ever emit canonical characters, that CanonicalQuery is idempotent, that
// Verify is deterministic (the second call goes through the signing-key cache), and that
// IsoBasic/ParseIsoBasic round-trip.

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "auth/credential_scope.h"
#include "auth/credentials.h"
#include "auth/sigv4_verifier.h"
#include "common/hashing.h"

namespace wharf::auth {
namespace {

// flags
constexpr uint8_t kPost = 1 << 0;              // POST (else GET)
constexpr uint8_t kContentSha = 1 << 1;        // add x-amz-content-sha256 of the body
constexpr uint8_t kClockShift = 2;             // bits 2-3: where "now" is (see below)
constexpr uint8_t kServiceSts = 1 << 4;        // handled by "sts" (else "sqs")
constexpr uint8_t kSecondHost = 1 << 5;        // a second Host header
constexpr uint8_t kSessionToken = 1 << 6;      // X-Amz-Security-Token header
constexpr uint8_t kLowerCaseHeaders = 1 << 7;  // header names in lower case

constexpr int64_t kExampleTime = 1736942400;  // 2025-01-15T12:00:00Z, security.md Example A

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "sigv4_fuzz: %s\n", what);
  std::abort();
}

bool IsUnreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

bool IsUpperHex(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'); }

// Unreserved characters, `extra`, and %XX with upper-case hex: nothing else.
void CheckEncoded(std::string_view text, std::string_view extra, const char* what) {
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (IsUnreserved(c) || extra.find(c) != std::string_view::npos) continue;
    if (c == '%' && i + 2 < text.size() && IsUpperHex(text[i + 1]) && IsUpperHex(text[i + 2])) {
      i += 2;
      continue;
    }
    Fail(what);
  }
}

void CheckBuildingBlocks(std::string_view path, std::string_view query) {
  const std::string uri = SigV4Verifier::CanonicalUri(path);
  if (uri.empty() || uri.front() != '/') Fail("CanonicalUri does not start with '/'");
  CheckEncoded(uri, "/", "CanonicalUri emitted a non-canonical character");
  for (bool drop_signature : {false, true}) {
    const std::string canonical = SigV4Verifier::CanonicalQuery(query, drop_signature);
    CheckEncoded(canonical, "=&", "CanonicalQuery emitted a non-canonical character");
    if (SigV4Verifier::CanonicalQuery(canonical, drop_signature) != canonical) {
      Fail("CanonicalQuery is not idempotent");
    }
  }
}

void CheckTimestamps(std::string_view date) {
  const int64_t parsed = ParseIsoBasic(date);
  if (parsed >= 0 && ParseIsoBasic(IsoBasic(parsed)) != parsed) {
    Fail("IsoBasic/ParseIsoBasic do not round-trip");
  }
}

// Every refusal must tell the client something: its own message or the catalog's default.
bool Unexplained(const api::ApiError& error) {
  return error.message.empty() && api::InfoOf(error.code).message.empty();
}

void CheckParsers(std::string_view authorization) {
  auto info = ParseAuthorizationHeader(authorization);
  if (info.ok()) {
    if (info->signed_headers.empty() || info->signature.empty() ||
        info->scope.access_key_id.empty() || info->scope.region.empty()) {
      Fail("ParseAuthorizationHeader accepted a header with an empty part");
    }
  } else if (Unexplained(info.error())) {
    Fail("ParseAuthorizationHeader refused without a message");
  }
}

bool SameResult(const api::ApiResult<VerifiedCaller>& a, const api::ApiResult<VerifiedCaller>& b) {
  if (a.ok() != b.ok()) return false;
  if (a.ok()) return a->key == b->key && a->region == b->region && a->service == b->service;
  return a.error().code == b.error().code && a.error().message == b.error().message;
}

// Splits off the text up to the next '\n' (all of it when there is none).
std::string_view NextField(std::string_view& rest) {
  size_t newline = rest.find('\n');
  std::string_view field = rest.substr(0, newline);
  rest = newline == std::string_view::npos ? std::string_view() : rest.substr(newline + 1);
  return field;
}

}  // namespace
}  // namespace wharf::auth

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace wharf::auth;
  static const StaticCredentialStore* store = [] {
    auto* s = new StaticCredentialStore();
    s->AddRootKey("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY",
                  "123456789012");
    return s;
  }();
  // One verifier for the whole run, as the server has: its signing-key cache persists.
  static SigV4Verifier verifier(*store);

  if (size == 0) return 0;
  const uint8_t flags = data[0];
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::string_view authorization = NextField(rest);
  const std::string_view date = NextField(rest);
  const std::string_view query = NextField(rest);
  const std::string_view path = NextField(rest);
  const std::string_view extra = NextField(rest);
  const std::string_view body = rest;

  CheckBuildingBlocks(path, query);
  CheckTimestamps(date);
  CheckParsers(authorization);

  const bool lower = (flags & kLowerCaseHeaders) != 0;
  wharf::HttpHeaders headers;
  headers.Add(lower ? "host" : "Host", "localhost:9324");
  headers.Add(lower ? "content-type" : "Content-Type", "application/x-amz-json-1.0");
  headers.Add(lower ? "x-amz-target" : "X-Amz-Target", "AmazonSQS.SendMessage");
  if (!date.empty()) headers.Add(lower ? "x-amz-date" : "X-Amz-Date", date);
  if (!authorization.empty()) {
    headers.Add(lower ? "authorization" : "Authorization", authorization);
  }
  if (flags & kContentSha) {
    headers.Add("x-amz-content-sha256", wharf::HexLower(wharf::Sha256Of(body)));
  }
  if (flags & kSecondHost) headers.Add("host", "localhost");
  if (flags & kSessionToken) headers.Add("X-Amz-Security-Token", "token");
  if (!extra.empty()) {
    size_t colon = extra.find(':');
    headers.Add(extra.substr(0, colon),
                colon == std::string_view::npos ? "" : extra.substr(colon + 1));
  }

  // "now": at the request's own timestamp (the presigned one when there is no header), just
  // outside the window on either side, or at Example A's time.
  int64_t signed_at = ParseIsoBasic(date);
  if (signed_at < 0) signed_at = kExampleTime;
  static constexpr std::array<int64_t, 4> kOffsets = {0, 15 * 60 + 1, -(15 * 60 + 1), 0};
  const unsigned clock = (flags >> kClockShift) & 3;
  const int64_t now = clock == 3 ? kExampleTime : signed_at + kOffsets[clock];

  const SignedRequest request{(flags & kPost) ? "POST" : "GET", path, query, &headers, body};
  const std::string_view service = (flags & kServiceSts) ? "sts" : "sqs";
  auto first = verifier.Verify(request, now, service);
  auto second = verifier.Verify(request, now, service);
  if (!SameResult(first, second)) Fail("Verify gave two different answers");
  if (!first.ok() && Unexplained(first.error())) Fail("Verify refused without a message");
  // WHARF_FUZZ_VERBOSE=1 when replaying inputs: what Verify said about each.
  static const bool verbose = std::getenv("WHARF_FUZZ_VERBOSE") != nullptr;
  if (verbose) {
    std::fprintf(stderr, "sigv4_fuzz: %s\n",
                 first.ok() ? "verified"
                            : (std::string(wharf::api::InfoOf(first.error().code).query_code) +
                               ": " + first.error().message)
                                  .c_str());
  }
  return 0;
}
