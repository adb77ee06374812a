#pragma once

// Reading who signed a request: the SigV4 Authorization header or the presigned-URL
// parameters (security.md §1.1–1.2). Verification of the signature itself comes with the
// identity work; until then the access key and region are taken as given.

#include <string>
#include <string_view>

#include "api/error.h"

namespace wharf::auth {

struct CredentialScope {
  std::string access_key_id;
  std::string date;  // yyyymmdd
  std::string region;
  std::string service;  // "sqs"
};

struct SignedRequestInfo {
  CredentialScope scope;
  std::string signed_headers;  // "host;x-amz-date"
  std::string signature;       // 64 lower-case hex
};

// "AKID/20250101/us-east-1/sqs/aws4_request"
api::ApiResult<CredentialScope> ParseCredentialScope(std::string_view credential);

// "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=..."
api::ApiResult<SignedRequestInfo> ParseAuthorizationHeader(std::string_view header);

}  // namespace wharf::auth
