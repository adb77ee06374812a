#pragma once

// Who may sign requests: access keys with their secrets and the principal they stand for.
// The identity work adds IAM users, roles and STS sessions behind the same interface.
// Thread-safety: Find may be called from any thread.

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace wharf::auth {

struct Principal {
  std::string account_id;
  std::string arn;        // arn:aws:iam::<account>:root, …:user/<name>, …
  std::string sender_id;  // what SQS reports as SenderId: the account id for a root caller
};

struct AccessKey {
  std::string access_key_id;
  std::string secret;  // never logged
  Principal principal;
};

class CredentialStore {
 public:
  virtual ~CredentialStore() = default;
  virtual std::optional<AccessKey> Find(std::string_view access_key_id) const = 0;
};

// Fixed keys from the configuration (the default account's root key).
class StaticCredentialStore final : public CredentialStore {
 public:
  void AddRootKey(std::string access_key_id, std::string secret, std::string account_id);
  std::optional<AccessKey> Find(std::string_view access_key_id) const override;

 private:
  std::unordered_map<std::string, AccessKey> keys_;
};

}  // namespace wharf::auth
