// KeyStore: aliases (security.md §4.4). Names are checked by the service; here live the rules
// about what an alias may point at.

#include <mutex>

#include "kms/key_store.h"

namespace wharf::kms {
namespace {

using api::ErrorCode;

}  // namespace

api::ApiStatus KeyStore::CreateAlias(const std::string& account, const std::string& name,
                                     const std::string& key_id) {
  std::unique_lock lock(mu_);
  const int64_t now = clock_.WallMillis();
  SweepLocked(now);
  const Key* key = FindKeyLocked(key_id, now);
  if (key == nullptr || key->record.account_id != account) {
    return KeyNotFound(KeyArn(region_, account, key_id));
  }
  if (auto state = RequireNotPendingDeletion(key->record); !state.ok()) return state;
  AliasMap& aliases = aliases_[account];
  if (aliases.count(name) != 0) {
    return api::Error(
        ErrorCode::kAlreadyExists,
        "An alias with the name " + AliasArn(region_, account, name) + " already exists");
  }
  AliasRecord alias;
  alias.account_id = account;
  alias.name = name;
  alias.target_key_id = key_id;
  alias.created_ms = now;
  alias.updated_ms = now;
  journal_.PutAlias(alias);
  aliases.emplace(name, std::move(alias));
  return {};
}

api::ApiStatus KeyStore::UpdateAlias(const std::string& account, const std::string& name,
                                     const std::string& key_id) {
  std::unique_lock lock(mu_);
  const int64_t now = clock_.WallMillis();
  SweepLocked(now);
  AliasMap& aliases = aliases_[account];
  auto alias = aliases.find(name);
  if (alias == aliases.end()) {
    return api::Error(ErrorCode::kNotFound,
                      "Alias " + AliasArn(region_, account, name) + " is not found.");
  }
  const Key* key = FindKeyLocked(key_id, now);
  if (key == nullptr || key->record.account_id != account) {
    return KeyNotFound(KeyArn(region_, account, key_id));
  }
  if (auto state = RequireNotPendingDeletion(key->record); !state.ok()) return state;
  alias->second.target_key_id = key_id;
  alias->second.updated_ms = now;
  journal_.PutAlias(alias->second);
  return {};
}

api::ApiStatus KeyStore::DeleteAlias(const std::string& account, const std::string& name) {
  std::unique_lock lock(mu_);
  SweepLocked(clock_.WallMillis());
  AliasMap& aliases = aliases_[account];
  auto alias = aliases.find(name);
  if (alias == aliases.end()) {
    return api::Error(ErrorCode::kNotFound,
                      "Alias " + AliasArn(region_, account, name) + " is not found.");
  }
  journal_.EraseAlias(account, name);
  aliases.erase(alias);
  return {};
}

api::ApiResult<AliasRecord> KeyStore::FindAlias(const std::string& account,
                                                const std::string& name) const {
  std::shared_lock lock(mu_);
  auto aliases = aliases_.find(account);
  if (aliases != aliases_.end()) {
    auto alias = aliases->second.find(name);
    // An alias of a key past its deletion date is gone with it.
    if (alias != aliases->second.end() &&
        FindKeyLocked(alias->second.target_key_id, clock_.WallMillis()) != nullptr) {
      return alias->second;
    }
  }
  return api::Error(ErrorCode::kNotFound,
                    "Alias " + AliasArn(region_, account, name) + " is not found.");
}

api::ApiResult<Page<AliasRecord>> KeyStore::ListAliases(
    std::string_view account, const std::optional<std::string>& key_id, size_t limit,
    const std::optional<std::string>& marker) const {
  if (marker && !MatchesAliasPattern(*marker)) return api::Error(ErrorCode::kInvalidMarker);
  std::shared_lock lock(mu_);
  const int64_t now = clock_.WallMillis();
  Page<AliasRecord> page;
  auto aliases = aliases_.find(account);
  if (aliases == aliases_.end()) return page;
  const AliasMap& map = aliases->second;
  for (auto it = marker ? map.upper_bound(*marker) : map.begin(); it != map.end(); ++it) {
    const AliasRecord& alias = it->second;
    if (key_id && alias.target_key_id != *key_id) continue;
    if (FindKeyLocked(alias.target_key_id, now) == nullptr) continue;
    if (page.items.size() == limit) {
      page.next_marker = page.items.back().name;
      break;
    }
    page.items.push_back(alias);
  }
  return page;
}

}  // namespace wharf::kms
