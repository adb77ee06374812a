#include "auth/credential_scope.h"

#include <array>

namespace wharf::auth {
namespace {

using api::ErrorCode;

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

api::ApiError Incomplete(std::string message) {
  return api::Error(ErrorCode::kIncompleteSignature, std::move(message));
}

}  // namespace

api::ApiResult<CredentialScope> ParseCredentialScope(std::string_view credential) {
  // Every signed request is parsed here, so the five parts go into a fixed array rather than a
  // growing vector (four allocations per request).
  constexpr size_t kParts = 5;
  constexpr std::string_view kWrongCount =
      "Credential should have exactly five elements separated by '/'.";
  std::array<std::string_view, kParts> parts;
  size_t count = 0;
  std::string_view rest = credential;
  for (;;) {
    if (count == kParts) return Incomplete(std::string(kWrongCount));  // a sixth element
    const size_t slash = rest.find('/');
    parts[count++] = rest.substr(0, slash);
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  if (count != kParts) return Incomplete(std::string(kWrongCount));
  if (parts[0].empty()) return Incomplete("Credential is missing the access key id.");
  if (parts[4] != "aws4_request") {
    return api::Error(ErrorCode::kSignatureDoesNotMatch,
                      "Credential should be scoped with a valid terminator: 'aws4_request', not '" +
                          std::string(parts[4]) + "'.");
  }
  if (parts[2].empty()) {
    return api::Error(ErrorCode::kSignatureDoesNotMatch,
                      "Credential should be scoped to a valid region, not ''.");
  }
  return CredentialScope{std::string(parts[0]), std::string(parts[1]), std::string(parts[2]),
                         std::string(parts[3])};
}

api::ApiResult<SignedRequestInfo> ParseAuthorizationHeader(std::string_view header) {
  header = Trim(header);
  if (header.substr(0, kAlgorithm.size()) != kAlgorithm ||
      (header.size() > kAlgorithm.size() && header[kAlgorithm.size()] != ' ')) {
    return Incomplete("Unsupported authorization type; only AWS4-HMAC-SHA256 is accepted.");
  }
  std::string_view rest = header.substr(kAlgorithm.size());
  std::string_view credential, signed_headers, signature;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view piece = Trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    size_t eq = piece.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view key = piece.substr(0, eq);
    std::string_view value = piece.substr(eq + 1);
    if (key == "Credential") credential = value;
    if (key == "SignedHeaders") signed_headers = value;
    if (key == "Signature") signature = value;
  }
  if (credential.empty())
    return Incomplete("Authorization header requires 'Credential' parameter.");
  if (signed_headers.empty()) {
    return Incomplete("Authorization header requires 'SignedHeaders' parameter.");
  }
  if (signature.empty()) return Incomplete("Authorization header requires 'Signature' parameter.");
  auto scope = ParseCredentialScope(credential);
  if (!scope.ok()) return std::move(scope).error();
  return SignedRequestInfo{std::move(scope).value(), std::string(signed_headers),
                           std::string(signature)};
}

}  // namespace wharf::auth
