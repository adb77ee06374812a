#include "auth/credentials.h"

namespace wharf::auth {

using api::ErrorCode;

RequestPrincipal RootPrincipal(std::string_view account_id) {
  RequestPrincipal p;
  p.type = PrincipalType::kAccount;
  p.account_id = std::string(account_id);
  p.arn = "arn:aws:iam::" + p.account_id + ":root";
  p.unique_id = p.account_id;  // SQS reports a root caller's SenderId as its account id
  return p;
}

api::ApiResult<std::shared_ptr<const AccessKey>> CheckSessionToken(
    std::shared_ptr<const AccessKey> key, std::string_view session_token, int64_t now_ms) {
  if (key->temporary()) {
    if (session_token != key->session_token) return api::Error(ErrorCode::kInvalidClientTokenId);
    if (key->expires_at_ms != 0 && now_ms >= key->expires_at_ms) {
      return api::Error(ErrorCode::kExpiredToken);
    }
  } else if (!session_token.empty()) {
    return api::Error(ErrorCode::kInvalidClientTokenId);  // a token with a long-term key
  }
  return key;
}

void StaticCredentialStore::AddRootKey(std::string access_key_id, std::string secret,
                                       std::string account_id) {
  auto key = std::make_shared<AccessKey>();
  key->access_key_id = access_key_id;
  key->secret = std::move(secret);
  key->principal = RootPrincipal(account_id);
  keys_[std::move(access_key_id)] = std::move(key);
}

api::ApiResult<std::shared_ptr<const AccessKey>> StaticCredentialStore::Lookup(
    std::string_view access_key_id, std::string_view session_token, int64_t now_ms) const {
  auto it = keys_.find(std::string(access_key_id));
  if (it == keys_.end()) return api::Error(ErrorCode::kInvalidClientTokenId);
  return CheckSessionToken(it->second, session_token, now_ms);
}

api::ApiResult<std::shared_ptr<const AccessKey>> ChainedCredentialStore::Lookup(
    std::string_view access_key_id, std::string_view session_token, int64_t now_ms) const {
  for (const CredentialStore* store : stores_) {
    auto found = store->Lookup(access_key_id, session_token, now_ms);
    if (found.ok() || found.error().code != ErrorCode::kInvalidClientTokenId) return found;
  }
  return api::Error(ErrorCode::kInvalidClientTokenId);
}

}  // namespace wharf::auth
