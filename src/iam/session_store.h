#pragma once

// STS's temporary credentials (security.md §1.9, §3.4): ASIA… keys with a secret, a session
// token that must accompany them, an expiry, and the session principal and session policies.
// Sessions are kept in memory (a table, not stateless tokens): they end with the process, and
// expired ones are dropped as new ones are issued. A token that does not belong to its key is
// InvalidClientTokenId; a session past its expiry is ExpiredToken.
// Thread-safety: all methods may be called from any thread.

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "auth/credentials.h"
#include "common/clock.h"

namespace wharf::iam {

class SessionStore final : public auth::CredentialStore {
 public:
  explicit SessionStore(const Clock& clock) : clock_(clock) {}

  // Issues a new temporary key for `principal`, valid for `duration_seconds` from now.
  std::shared_ptr<const auth::AccessKey> Issue(
      auth::RequestPrincipal principal, int64_t duration_seconds,
      std::vector<std::shared_ptr<const auth::PolicyDocument>> session_policies);

  api::ApiResult<std::shared_ptr<const auth::AccessKey>> Lookup(std::string_view access_key_id,
                                                                std::string_view session_token,
                                                                int64_t now_ms) const override;

  size_t size() const;

 private:
  const Clock& clock_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const auth::AccessKey>> sessions_;
};

}  // namespace wharf::iam
