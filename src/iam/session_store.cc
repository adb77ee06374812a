#include "iam/session_store.h"

#include <algorithm>

#include "common/base64.h"
#include "common/binary_codec.h"
#include "iam/identifiers.h"

namespace wharf::iam {

namespace {
// An expired session is kept this long so that its key answers ExpiredToken, not
// InvalidClientTokenId, to clients that retry with stale credentials.
constexpr int64_t kExpiredRetentionMs = 24 * 3600 * 1000;
constexpr uint8_t kTokenVersion = 1;
// Associated data of sealed tokens: a token opens only as a session token of this format.
constexpr std::string_view kTokenPurpose = "sts-session-token v1";
}  // namespace

// The session, sealed: u8 version, then access key id, secret, principal (u8 type, account,
// arn, role ARN, unique id, session name, user name), signed expiry (ms), and the session
// policies' JSON; base64 so that it travels as a header or query value.
std::string SessionStore::SealSession(const auth::AccessKey& key,
                                      const std::vector<std::string>& policy_texts) const {
  std::string record;
  BinaryWriter w(record);
  w.U8(kTokenVersion);
  w.Bytes(key.access_key_id);
  w.Bytes(key.secret);
  const auth::RequestPrincipal& p = key.principal;
  w.U8(static_cast<uint8_t>(p.type));
  w.Bytes(p.account_id);
  w.Bytes(p.arn);
  w.Bytes(p.role_arn);
  w.Bytes(p.unique_id);
  w.Bytes(p.session_name);
  w.Bytes(p.user_name);
  w.Signed(key.expires_at_ms);
  w.Varint(policy_texts.size());
  for (const std::string& text : policy_texts) w.Bytes(text);
  return Base64Encode(tokens_->Seal(record, kTokenPurpose));
}

// The session a token carries, if it opens and belongs to `access_key_id`; null otherwise (a
// token sealed under another root key, tampered with, or of another key).
std::shared_ptr<const auth::AccessKey> SessionStore::OpenSession(std::string_view access_key_id,
                                                                 std::string_view token) const {
  auto sealed = Base64Decode(token);
  if (!sealed) return nullptr;
  auto record = tokens_->Open(*sealed, kTokenPurpose);
  if (!record.ok()) return nullptr;
  BinaryReader r(*record);
  if (r.U8() != kTokenVersion) return nullptr;
  auto key = std::make_shared<auth::AccessKey>();
  key->access_key_id = r.Bytes();
  key->secret = r.Bytes();
  auth::RequestPrincipal& p = key->principal;
  const uint8_t type = r.U8();
  if (type > static_cast<uint8_t>(auth::PrincipalType::kService)) return nullptr;
  p.type = static_cast<auth::PrincipalType>(type);
  p.account_id = r.Bytes();
  p.arn = r.Bytes();
  p.role_arn = r.Bytes();
  p.unique_id = r.Bytes();
  p.session_name = r.Bytes();
  p.user_name = r.Bytes();
  key->expires_at_ms = r.Signed();
  const uint64_t policies = r.Varint();
  for (uint64_t i = 0; i < policies && r.ok(); ++i) {
    auto parsed = auth::ParsePolicyDocument(r.Bytes(), auth::PolicyKind::kIdentity);
    if (!parsed.ok()) return nullptr;
    key->session_policies.push_back(
        std::make_shared<const auth::PolicyDocument>(std::move(parsed).value()));
  }
  if (!r.ok() || key->access_key_id != access_key_id) return nullptr;
  key->session_token = std::string(token);
  return key;
}

std::shared_ptr<const auth::AccessKey> SessionStore::Issue(
    auth::RequestPrincipal principal, int64_t duration_seconds,
    std::vector<std::shared_ptr<const auth::PolicyDocument>> session_policies,
    const std::vector<std::string>& policy_texts) {
  const int64_t now = clock_.WallMillis();
  auto key = std::make_shared<auth::AccessKey>();
  key->secret = NewSecretAccessKey();
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
  key->session_token = tokens_ ? SealSession(*key, policy_texts) : NewSessionToken();
  sessions_[key->access_key_id] = key;
  return key;
}

api::ApiResult<std::shared_ptr<const auth::AccessKey>> SessionStore::Lookup(
    std::string_view access_key_id, std::string_view session_token, int64_t now_ms) const {
  std::shared_ptr<const auth::AccessKey> key;
  {
    std::lock_guard lock(mu_);
    auto it = sessions_.find(std::string(access_key_id));
    if (it != sessions_.end()) key = it->second;
  }
  if (!key && tokens_ && !session_token.empty()) {
    // A session issued before a restart: it is in its token.
    key = OpenSession(access_key_id, session_token);
    if (key) {
      std::lock_guard lock(mu_);
      sessions_.emplace(key->access_key_id, key);
    }
  }
  if (!key) return api::Error(api::ErrorCode::kInvalidClientTokenId);
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
