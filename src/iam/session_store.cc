#include "iam/session_store.h"

#include <algorithm>

#include "iam/identifiers.h"

namespace wharf::iam {

namespace {
// An expired session is kept this long so that its key answers ExpiredToken, not
// InvalidClientTokenId, to clients that retry with stale credentials.
constexpr int64_t kExpiredRetentionMs = 24 * 3600 * 1000;
}  // namespace

std::shared_ptr<const auth::AccessKey> SessionStore::Issue(
    auth::RequestPrincipal principal, int64_t duration_seconds,
    std::vector<std::shared_ptr<const auth::PolicyDocument>> session_policies) {
  const int64_t now = clock_.WallMillis();
  auto key = std::make_shared<auth::AccessKey>();
  key->secret = NewSecretAccessKey();
  key->session_token = NewSessionToken();
  key->principal = std::move(principal);
  key->expires_at_ms = now + duration_seconds * 1000;
  key->session_policies = std::move(session_policies);
  std::lock_guard lock(mu_);
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (it->second->expires_at_ms + kExpiredRetentionMs <= now) {
      it = sessions_.erase(it);
    } else {
      ++it;
    }
  }
  do {
    key->access_key_id = NewAccessKeyId("ASIA");
  } while (sessions_.count(key->access_key_id));
  sessions_[key->access_key_id] = key;
  return key;
}

api::ApiResult<std::shared_ptr<const auth::AccessKey>> SessionStore::Lookup(
    std::string_view access_key_id, std::string_view session_token, int64_t now_ms) const {
  std::shared_ptr<const auth::AccessKey> key;
  {
    std::lock_guard lock(mu_);
    auto it = sessions_.find(std::string(access_key_id));
    if (it == sessions_.end()) return api::Error(api::ErrorCode::kInvalidClientTokenId);
    key = it->second;
  }
  // Expiry is judged by the later of the request's time and this store's clock (they are the
  // same clock except in test mode, where the store's runs ahead on request).
  return auth::CheckSessionToken(std::move(key), session_token,
                                 std::max(now_ms, clock_.WallMillis()));
}

size_t SessionStore::size() const {
  std::lock_guard lock(mu_);
  return sessions_.size();
}

}  // namespace wharf::iam
