#pragma once

// STS's temporary credentials (security.md §1.9, §3.4): ASIA… keys with a secret, a session
// token that must accompany them, an expiry, and the session principal and session policies.
// Sessions are kept in a table in memory. With a sealer (a durable server has one), the session
// token is the session itself, sealed (security.md §1.9 "stateless session tokens"): after a
// restart a key the table no longer knows is restored from the token it arrives with, so workers
// keep their credentials across restarts. Expired sessions are dropped as new ones are issued. A
// token that does not belong to its key is InvalidClientTokenId; a session past its expiry is
// ExpiredToken. Thread-safety: all methods may be called from any thread.

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "auth/credentials.h"
#include "common/clock.h"
#include "common/sealing.h"

namespace wharf::iam {

class SessionStore final : public auth::CredentialStore {
 public:
  explicit SessionStore(const Clock& clock) : clock_(clock) {}
  // `tokens`: seals session tokens (a key derived from the root key); must outlive the store.
  SessionStore(const Clock& clock, const Sealer* tokens) : clock_(clock), tokens_(tokens) {}

  // Issues a new temporary key for `principal`, valid for `duration_seconds` from now.
  // `policy_texts`: the JSON of `session_policies`, carried in a sealed token.
  std::shared_ptr<const auth::AccessKey> Issue(
      auth::RequestPrincipal principal, int64_t duration_seconds,
      std::vector<std::shared_ptr<const auth::PolicyDocument>> session_policies,
      const std::vector<std::string>& policy_texts = {});

  api::ApiResult<std::shared_ptr<const auth::AccessKey>> Lookup(std::string_view access_key_id,
                                                                std::string_view session_token,
                                                                int64_t now_ms) const override;

  size_t size() const;

 private:
  const Clock& clock_;
  mutable std::mutex mu_;
  // mutable: Lookup restores sessions from their tokens.
  mutable std::unordered_map<std::string, std::shared_ptr<const auth::AccessKey>> sessions_;
  const Sealer* tokens_ = nullptr;

  std::string SealSession(const auth::AccessKey& key,
                          const std::vector<std::string>& policy_texts) const;
  std::shared_ptr<const auth::AccessKey> OpenSession(std::string_view access_key_id,
                                                     std::string_view token) const;
};

}  // namespace wharf::iam
