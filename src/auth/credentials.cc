#include "auth/credentials.h"

namespace wharf::auth {

void StaticCredentialStore::AddRootKey(std::string access_key_id, std::string secret,
                                       std::string account_id) {
  AccessKey key;
  key.access_key_id = access_key_id;
  key.secret = std::move(secret);
  key.principal.arn = "arn:aws:iam::" + account_id + ":root";
  key.principal.sender_id = account_id;
  key.principal.account_id = std::move(account_id);
  keys_[std::move(access_key_id)] = std::move(key);
}

std::optional<AccessKey> StaticCredentialStore::Find(std::string_view access_key_id) const {
  auto it = keys_.find(std::string(access_key_id));
  if (it == keys_.end()) return std::nullopt;
  return it->second;
}

}  // namespace wharf::auth
