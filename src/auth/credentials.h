#pragma once

// Who may sign requests: access keys with their secrets and the principal they stand for.
// Implementations: StaticCredentialStore (account root keys from the configuration) and the
// identity service's store (IAM users' keys, STS sessions), which the server chains.
// Thread-safety: Lookup may be called from any thread.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "api/error.h"
#include "auth/policy/policy_document.h"
#include "auth/policy/principals.h"

namespace wharf::auth {

struct AccessKey {
  std::string access_key_id;
  std::string secret;  // never logged
  RequestPrincipal principal;
  // Temporary (STS) keys: the request must carry this session token, and the key stops
  // working at `expires_at_ms` (wall clock). Long-term keys: empty and 0.
  std::string session_token;
  int64_t expires_at_ms = 0;
  // AssumeRole's Policy/PolicyArns: they narrow what the role's policies allow.
  std::vector<std::shared_ptr<const PolicyDocument>> session_policies;

  bool temporary() const { return !session_token.empty(); }
};

class CredentialStore {
 public:
  virtual ~CredentialStore() = default;
  // The key `access_key_id` names, checked against the request's session token ("" when the
  // request carries none) at `now_ms` (security.md §1.9): InvalidClientTokenId for an unknown
  // or inactive key, a temporary key without its token, or a token with a long-term key;
  // ExpiredToken for a session past its expiry.
  virtual api::ApiResult<std::shared_ptr<const AccessKey>> Lookup(std::string_view access_key_id,
                                                                  std::string_view session_token,
                                                                  int64_t now_ms) const = 0;
};

// Checks the session-token rules of §1.9 for a key already found.
api::ApiResult<std::shared_ptr<const AccessKey>> CheckSessionToken(
    std::shared_ptr<const AccessKey> key, std::string_view session_token, int64_t now_ms);

// The root keys of the accounts in the configuration. Filled before serving, then read-only.
class StaticCredentialStore final : public CredentialStore {
 public:
  void AddRootKey(std::string access_key_id, std::string secret, std::string account_id);
  api::ApiResult<std::shared_ptr<const AccessKey>> Lookup(std::string_view access_key_id,
                                                          std::string_view session_token,
                                                          int64_t now_ms) const override;

 private:
  std::unordered_map<std::string, std::shared_ptr<const AccessKey>> keys_;
};

// Asks each store in turn; the first that knows the key answers.
class ChainedCredentialStore final : public CredentialStore {
 public:
  explicit ChainedCredentialStore(std::vector<const CredentialStore*> stores)
      : stores_(std::move(stores)) {}
  api::ApiResult<std::shared_ptr<const AccessKey>> Lookup(std::string_view access_key_id,
                                                          std::string_view session_token,
                                                          int64_t now_ms) const override;

 private:
  std::vector<const CredentialStore*> stores_;
};

// The root principal of an account.
RequestPrincipal RootPrincipal(std::string_view account_id);

}  // namespace wharf::auth
