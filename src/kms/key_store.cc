#include "kms/key_store.h"

#include <algorithm>
#include <mutex>

#include "kms/blob.h"
#include "kms/policies.h"

namespace wharf::kms {
namespace {

using api::ErrorCode;

constexpr int64_t kMillisPerDay = 86'400'000;
// Reads Reload makes before giving up while this node keeps changing keys.
constexpr int kReloadAttempts = 3;

// Whether `loaded` still has the reservation `held` counts uses against: the same current
// material version and the same number of uses reserved under it.
bool SameReservation(const KeyRecord& held, const KeyRecord& loaded) {
  if (held.materials.empty() || loaded.materials.empty()) return false;
  return held.materials.back().version == loaded.materials.back().version &&
         held.uses_reserved == loaded.uses_reserved;
}

// A key that vanished between the caller's lookup and its use (deleted meanwhile).
api::ApiError Vanished(const std::string& key_id) {
  return api::Error(ErrorCode::kNotFound, "Key '" + key_id + "' does not exist");
}

}  // namespace

std::string_view KeyStateName(KeyState state) {
  switch (state) {
    case KeyState::kEnabled:
      return "Enabled";
    case KeyState::kDisabled:
      return "Disabled";
    case KeyState::kPendingDeletion:
      return "PendingDeletion";
  }
  return "Unavailable";
}

api::ApiError KeyNotFound(std::string_view key_arn) {
  return api::Error(ErrorCode::kNotFound, "Key '" + std::string(key_arn) + "' does not exist");
}

api::ApiError InvalidKeyId(std::string_view text) {
  return api::Error(ErrorCode::kNotFound, "Invalid keyId '" + std::string(text) + "'");
}

KeyStore::KeyStore(const Clock& clock, KeyJournal& journal, std::string region,
                   MaterialLimits limits)
    : clock_(clock), journal_(journal), region_(std::move(region)), limits_(limits) {}

std::vector<std::string> KeyStore::Load(std::vector<KeyRecord> keys,
                                        std::vector<AliasRecord> aliases) {
  std::unique_lock lock(mu_);
  return InstallLocked(std::move(keys), std::move(aliases));
}

Result<std::vector<std::string>, std::string> KeyStore::Reload(const Loader& load) {
  for (int attempt = 0; attempt < kReloadAttempts; ++attempt) {
    uint64_t journaled = 0;
    {
      std::shared_lock lock(mu_);
      journaled = journal_.count();
    }
    auto loaded = load();
    if (!loaded.ok()) return std::move(loaded).error();
    std::unique_lock lock(mu_);
    // A change journaled since the read began may be missing from it: read again.
    if (journal_.count() != journaled) continue;
    return InstallLocked(std::move(loaded->keys), std::move(loaded->aliases));
  }
  return std::string("KMS keys changed during every reload attempt; try again later");
}

std::vector<std::string> KeyStore::InstallLocked(std::vector<KeyRecord> keys,
                                                 std::vector<AliasRecord> aliases) {
  std::vector<std::string> problems;
  std::map<std::string, Key, std::less<>> installed;
  std::map<std::string, std::set<std::string>, std::less<>> by_account;
  for (KeyRecord& record : keys) {
    Key key;
    auto policy = ParseKeyPolicy(record.policy);
    if (policy.ok()) {
      key.policy = std::move(policy).value();
    } else {
      problems.push_back("key " + record.arn + ": its key policy does not parse (" +
                         policy.error().message + "); nobody can use the key until it is replaced");
    }
    by_account[record.account_id].insert(record.key_id);
    // Every reserved use may have been made before the restart, or by another node since the
    // reservation changed; only this node's own, unchanged reservation keeps its count.
    uint64_t used = record.uses_reserved;
    if (auto current = keys_.find(record.key_id);
        current != keys_.end() && SameReservation(current->second.record, record)) {
      used = current->second.uses->load();
    }
    key.uses->store(used);
    const std::string id = record.key_id;
    key.record = std::move(record);
    installed[id] = std::move(key);
  }
  std::map<std::string, AliasMap, std::less<>> installed_aliases;
  for (AliasRecord& alias : aliases) {
    installed_aliases[alias.account_id][alias.name] = std::move(alias);
  }
  keys_ = std::move(installed);
  keys_by_account_ = std::move(by_account);
  aliases_ = std::move(installed_aliases);
  SweepLocked(clock_.WallMillis());
  return problems;
}

// --- helpers ----------------------------------------------------------------------------------

KeyView KeyStore::ViewOf(const Key& key) const {
  const KeyRecord& r = key.record;
  KeyView v;
  v.account_id = r.account_id;
  v.key_id = r.key_id;
  v.arn = r.arn;
  v.description = r.description;
  v.manager = r.manager;
  v.state = r.state;
  v.created_ms = r.created_ms;
  v.deletion_ms = r.deletion_ms;
  v.pending_window_days = r.pending_window_days;
  v.policy_text = r.policy;
  v.policy = key.policy;
  v.rotation_enabled = r.rotation_enabled;
  v.rotation_period_days = r.rotation_period_days;
  v.next_rotation_ms = r.next_rotation_ms;
  v.current_version = r.materials.empty() ? 0 : r.materials.back().version;
  v.tags = r.tags;
  return v;
}

bool KeyStore::Live(const Key& key, int64_t now_ms) const {
  return !(key.record.state == KeyState::kPendingDeletion && key.record.deletion_ms <= now_ms);
}

const KeyStore::Key* KeyStore::FindKeyLocked(std::string_view key_id, int64_t now_ms) const {
  auto it = keys_.find(key_id);
  if (it == keys_.end() || !Live(it->second, now_ms)) return nullptr;
  return &it->second;
}

KeyStore::Key* KeyStore::FindKeyLocked(std::string_view key_id, int64_t now_ms) {
  auto it = keys_.find(key_id);
  if (it == keys_.end() || !Live(it->second, now_ms)) return nullptr;
  return &it->second;
}

api::ApiResult<const KeyStore::Key*> KeyStore::ResolveLocked(const KeyRef& ref,
                                                             int64_t now_ms) const {
  std::string key_id = ref.key_id;
  if (ref.is_alias()) {
    auto account = aliases_.find(ref.account_id);
    const AliasRecord* alias = nullptr;
    if (account != aliases_.end()) {
      auto it = account->second.find(ref.alias_name);
      if (it != account->second.end()) alias = &it->second;
    }
    if (alias == nullptr) {
      return api::Error(
          ErrorCode::kNotFound,
          "Alias " + AliasArn(region_, ref.account_id, ref.alias_name) + " is not found.");
    }
    key_id = alias->target_key_id;
  }
  const Key* key = FindKeyLocked(key_id, now_ms);
  // A key of another account is not found by a bare id in this one.
  if (key == nullptr || key->record.account_id != ref.account_id) {
    return KeyNotFound(KeyArn(region_, ref.account_id, key_id));
  }
  return key;
}

api::ApiResult<KeyStore::Key*> KeyStore::MutableKey(const std::string& key_id, int64_t now_ms) {
  SweepLocked(now_ms);
  Key* key = FindKeyLocked(key_id, now_ms);
  if (key == nullptr) return Vanished(key_id);
  return key;
}

void KeyStore::SweepLocked(int64_t now_ms) {
  for (auto it = keys_.begin(); it != keys_.end();) {
    const KeyRecord& r = it->second.record;
    if (Live(it->second, now_ms)) {
      ++it;
      continue;
    }
    // The waiting period is over: the key goes, and every alias that points at it.
    auto account = aliases_.find(r.account_id);
    if (account != aliases_.end()) {
      for (auto a = account->second.begin(); a != account->second.end();) {
        if (a->second.target_key_id == r.key_id) {
          journal_.EraseAlias(r.account_id, a->first);
          a = account->second.erase(a);
        } else {
          ++a;
        }
      }
    }
    journal_.EraseKey(r.account_id, r.key_id);
    keys_by_account_[r.account_id].erase(r.key_id);
    it = keys_.erase(it);
  }
}

bool KeyStore::RotationDue(const Key& key, int64_t now_ms) const {
  const KeyRecord& r = key.record;
  return r.rotation_enabled && r.state == KeyState::kEnabled && r.next_rotation_ms <= now_ms;
}

void KeyStore::RotateLocked(Key& key, int64_t now_ms) {
  KeyRecord& r = key.record;
  MaterialVersion next;
  next.version = r.materials.empty() ? 1 : r.materials.back().version + 1;
  next.material = KeyMaterial::Random();
  next.created_ms = now_ms;
  r.materials.push_back(std::move(next));
  if (r.rotation_enabled) r.next_rotation_ms = now_ms + r.rotation_period_days * kMillisPerDay;
  r.uses_reserved = std::min(limits_.reserve_block, limits_.uses_per_version);
  key.uses->store(0);
  journal_.PutKey(r);
}

bool KeyStore::TakeUse(const Key& key) {
  uint64_t used = key.uses->load(std::memory_order_relaxed);
  while (used < key.record.uses_reserved) {
    if (key.uses->compare_exchange_weak(used, used + 1, std::memory_order_relaxed)) return true;
  }
  return false;
}

void KeyStore::ReserveLocked(Key& key, int64_t now_ms) {
  KeyRecord& r = key.record;
  if (r.uses_reserved >= limits_.uses_per_version) {
    RotateLocked(key, now_ms);  // the version's nonce budget is spent
    return;
  }
  r.uses_reserved = std::min(r.uses_reserved + limits_.reserve_block, limits_.uses_per_version);
  journal_.PutKey(r);
}

api::ApiStatus KeyStore::RequireEnabled(const KeyRecord& key) {
  switch (key.state) {
    case KeyState::kEnabled:
      return {};
    case KeyState::kDisabled:
      return api::Error(ErrorCode::kDisabled, key.arn + " is disabled.");
    case KeyState::kPendingDeletion:
      return api::Error(ErrorCode::kKmsInvalidStateException, key.arn + " is pending deletion.");
  }
  return api::Error(ErrorCode::kKmsInvalidStateException, key.arn + " is unavailable.");
}

api::ApiStatus KeyStore::RequireNotPendingDeletion(const KeyRecord& key) {
  if (key.state != KeyState::kPendingDeletion) return {};
  return api::Error(ErrorCode::kKmsInvalidStateException, key.arn + " is pending deletion.");
}

// --- lookups ----------------------------------------------------------------------------------

api::ApiResult<KeyView> KeyStore::Find(const KeyRef& ref) const {
  std::shared_lock lock(mu_);
  auto key = ResolveLocked(ref, clock_.WallMillis());
  if (!key.ok()) return std::move(key).error();
  return ViewOf(**key);
}

api::ApiResult<KeyView> KeyStore::KeyOfBlob(std::string_view blob) const {
  auto header = ParseBlobHeader(blob);
  if (!header) return api::Error(ErrorCode::kInvalidCiphertext);
  std::shared_lock lock(mu_);
  const Key* key = FindKeyLocked(KeyIdOf(header->key_uuid), clock_.WallMillis());
  if (key == nullptr) return api::Error(ErrorCode::kInvalidCiphertext);
  return ViewOf(*key);
}

KeyView KeyStore::ManagedKey(std::string_view account, std::string_view service) {
  const std::string alias_name = std::string(kAwsAliasPrefix) + std::string(service);
  KeyRef ref;
  ref.kind = KeyRefKind::kAliasName;
  ref.account_id = std::string(account);
  ref.alias_name = alias_name;
  const int64_t now = clock_.WallMillis();
  {
    std::shared_lock lock(mu_);
    auto key = ResolveLocked(ref, now);
    if (key.ok()) return ViewOf(**key);
  }
  std::unique_lock lock(mu_);
  auto key = ResolveLocked(ref, now);  // another thread may have created it meanwhile
  if (key.ok()) return ViewOf(**key);
  NewKey spec;
  spec.account_id = std::string(account);
  spec.manager = KeyManager::kAws;
  spec.description = "Default key that protects my " +
                     std::string(service == "sqs" ? "SQS messages" : "data") +
                     " when no other key is defined";
  spec.policy_text = AwsManagedSqsPolicy(account, region_);
  auto parsed = ParseKeyPolicy(spec.policy_text);
  if (parsed.ok()) spec.policy = std::move(parsed).value();
  KeyView view = CreateLocked(std::move(spec), now);
  AliasRecord alias;
  alias.account_id = std::string(account);
  alias.name = alias_name;
  alias.target_key_id = view.key_id;
  alias.created_ms = now;
  alias.updated_ms = now;
  journal_.PutAlias(alias);
  aliases_[alias.account_id][alias.name] = std::move(alias);
  return view;
}

// --- keys -------------------------------------------------------------------------------------

KeyView KeyStore::CreateKey(NewKey key) {
  std::unique_lock lock(mu_);
  const int64_t now = clock_.WallMillis();
  SweepLocked(now);
  return CreateLocked(std::move(key), now);
}

KeyView KeyStore::CreateLocked(NewKey spec, int64_t now_ms) {
  Key key;
  KeyRecord& r = key.record;
  r.account_id = std::move(spec.account_id);
  do {
    r.key_id = NewKeyId();
  } while (keys_.count(r.key_id) != 0);
  r.arn = KeyArn(region_, r.account_id, r.key_id);
  r.description = std::move(spec.description);
  r.manager = spec.manager;
  r.state = KeyState::kEnabled;
  r.created_ms = now_ms;
  r.policy = std::move(spec.policy_text);
  r.tags = std::move(spec.tags);
  std::sort(r.tags.begin(), r.tags.end());
  // AWS rotates the keys it manages every year.
  if (spec.manager == KeyManager::kAws) {
    r.rotation_enabled = true;
    r.rotation_period_days = kDefaultRotationPeriodDays;
    r.next_rotation_ms = now_ms + kDefaultRotationPeriodDays * kMillisPerDay;
  }
  MaterialVersion first;
  first.version = 1;
  first.material = KeyMaterial::Random();
  first.created_ms = now_ms;
  r.materials.push_back(std::move(first));
  r.uses_reserved = std::min(limits_.reserve_block, limits_.uses_per_version);
  key.policy = std::move(spec.policy);
  journal_.PutKey(r);
  keys_by_account_[r.account_id].insert(r.key_id);
  const std::string id = r.key_id;
  auto [it, inserted] = keys_.emplace(id, std::move(key));
  (void)inserted;
  return ViewOf(it->second);
}

api::ApiResult<Page<KeyView>> KeyStore::ListKeys(std::string_view account, size_t limit,
                                                 const std::optional<std::string>& marker) const {
  if (marker && !IsKeyId(*marker)) return api::Error(ErrorCode::kInvalidMarker);
  std::shared_lock lock(mu_);
  const int64_t now = clock_.WallMillis();
  Page<KeyView> page;
  auto ids = keys_by_account_.find(account);
  if (ids == keys_by_account_.end()) return page;
  auto it = marker ? ids->second.upper_bound(*marker) : ids->second.begin();
  for (; it != ids->second.end(); ++it) {
    const Key* key = FindKeyLocked(*it, now);
    if (key == nullptr) continue;
    if (page.items.size() == limit) {
      page.next_marker = page.items.back().key_id;
      break;
    }
    page.items.push_back(ViewOf(*key));
  }
  return page;
}

api::ApiStatus KeyStore::SetDescription(const std::string& key_id, std::string description) {
  std::unique_lock lock(mu_);
  auto key = MutableKey(key_id, clock_.WallMillis());
  if (!key.ok()) return std::move(key).error();
  KeyRecord& r = (*key)->record;
  if (auto state = RequireNotPendingDeletion(r); !state.ok()) return state;
  r.description = std::move(description);
  journal_.PutKey(r);
  return {};
}

api::ApiStatus KeyStore::Enable(const std::string& key_id) {
  std::unique_lock lock(mu_);
  auto key = MutableKey(key_id, clock_.WallMillis());
  if (!key.ok()) return std::move(key).error();
  KeyRecord& r = (*key)->record;
  if (auto state = RequireNotPendingDeletion(r); !state.ok()) return state;
  if (r.state == KeyState::kEnabled) return {};
  r.state = KeyState::kEnabled;
  journal_.PutKey(r);
  return {};
}

api::ApiStatus KeyStore::Disable(const std::string& key_id) {
  std::unique_lock lock(mu_);
  auto key = MutableKey(key_id, clock_.WallMillis());
  if (!key.ok()) return std::move(key).error();
  KeyRecord& r = (*key)->record;
  if (auto state = RequireNotPendingDeletion(r); !state.ok()) return state;
  if (r.state == KeyState::kDisabled) return {};
  r.state = KeyState::kDisabled;
  journal_.PutKey(r);
  return {};
}

api::ApiResult<KeyView> KeyStore::ScheduleDeletion(const std::string& key_id, int64_t window_days) {
  std::unique_lock lock(mu_);
  const int64_t now = clock_.WallMillis();
  auto key = MutableKey(key_id, now);
  if (!key.ok()) return std::move(key).error();
  KeyRecord& r = (*key)->record;
  if (auto state = RequireNotPendingDeletion(r); !state.ok()) return std::move(state).error();
  r.state = KeyState::kPendingDeletion;
  r.pending_window_days = window_days;
  r.deletion_ms = now + window_days * kMillisPerDay;
  journal_.PutKey(r);
  return ViewOf(**key);
}

api::ApiResult<KeyView> KeyStore::CancelDeletion(const std::string& key_id) {
  std::unique_lock lock(mu_);
  auto key = MutableKey(key_id, clock_.WallMillis());
  if (!key.ok()) return std::move(key).error();
  KeyRecord& r = (*key)->record;
  if (r.state != KeyState::kPendingDeletion) {
    return api::Error(ErrorCode::kKmsInvalidStateException, r.arn + " is not pending deletion.");
  }
  r.state = KeyState::kDisabled;
  r.deletion_ms = 0;
  r.pending_window_days = 0;
  journal_.PutKey(r);
  return ViewOf(**key);
}

api::ApiStatus KeyStore::PutPolicy(const std::string& key_id, std::string text,
                                   std::shared_ptr<const auth::PolicyDocument> policy) {
  std::unique_lock lock(mu_);
  auto key = MutableKey(key_id, clock_.WallMillis());
  if (!key.ok()) return std::move(key).error();
  (*key)->record.policy = std::move(text);
  (*key)->policy = std::move(policy);
  journal_.PutKey((*key)->record);
  return {};
}

api::ApiStatus KeyStore::EnableRotation(const std::string& key_id, int64_t period_days) {
  std::unique_lock lock(mu_);
  const int64_t now = clock_.WallMillis();
  auto key = MutableKey(key_id, now);
  if (!key.ok()) return std::move(key).error();
  KeyRecord& r = (*key)->record;
  if (auto state = RequireEnabled(r); !state.ok()) return state;
  r.rotation_enabled = true;
  r.rotation_period_days = period_days;
  r.next_rotation_ms = now + period_days * kMillisPerDay;
  journal_.PutKey(r);
  return {};
}

api::ApiStatus KeyStore::DisableRotation(const std::string& key_id) {
  std::unique_lock lock(mu_);
  auto key = MutableKey(key_id, clock_.WallMillis());
  if (!key.ok()) return std::move(key).error();
  KeyRecord& r = (*key)->record;
  if (auto state = RequireEnabled(r); !state.ok()) return state;
  r.rotation_enabled = false;
  r.rotation_period_days = 0;
  r.next_rotation_ms = 0;
  journal_.PutKey(r);
  return {};
}

api::ApiResult<KeyView> KeyStore::RotateNow(const std::string& key_id) {
  std::unique_lock lock(mu_);
  const int64_t now = clock_.WallMillis();
  auto key = MutableKey(key_id, now);
  if (!key.ok()) return std::move(key).error();
  if (auto state = RequireEnabled((*key)->record); !state.ok()) return std::move(state).error();
  // On-demand rotation keeps the automatic schedule where it was.
  const int64_t next = (*key)->record.next_rotation_ms;
  RotateLocked(**key, now);
  if ((*key)->record.next_rotation_ms != next) {
    (*key)->record.next_rotation_ms = next;
    journal_.PutKey((*key)->record);
  }
  return ViewOf(**key);
}

api::ApiStatus KeyStore::Tag(const std::string& key_id,
                             const std::vector<std::pair<std::string, std::string>>& tags) {
  std::unique_lock lock(mu_);
  auto key = MutableKey(key_id, clock_.WallMillis());
  if (!key.ok()) return std::move(key).error();
  KeyRecord& r = (*key)->record;
  if (auto state = RequireNotPendingDeletion(r); !state.ok()) return state;
  std::map<std::string, std::string> merged(r.tags.begin(), r.tags.end());
  for (const auto& [k, v] : tags) merged[k] = v;
  if (merged.size() > kMaxTagsPerKey) {
    return api::Error(ErrorCode::kTagException,
                      "A key can have at most " + std::to_string(kMaxTagsPerKey) + " tags.");
  }
  r.tags.assign(merged.begin(), merged.end());
  journal_.PutKey(r);
  return {};
}

api::ApiStatus KeyStore::Untag(const std::string& key_id, const std::vector<std::string>& keys) {
  std::unique_lock lock(mu_);
  auto key = MutableKey(key_id, clock_.WallMillis());
  if (!key.ok()) return std::move(key).error();
  KeyRecord& r = (*key)->record;
  if (auto state = RequireNotPendingDeletion(r); !state.ok()) return state;
  std::erase_if(r.tags, [&keys](const auto& tag) {
    return std::find(keys.begin(), keys.end(), tag.first) != keys.end();
  });
  journal_.PutKey(r);
  return {};
}

// --- cryptography -----------------------------------------------------------------------------

api::ApiResult<std::string> KeyStore::SealLocked(const Key& key, std::string_view plaintext,
                                                 const EncryptionContext& context) const {
  if (auto state = RequireEnabled(key.record); !state.ok()) return std::move(state).error();
  const MaterialVersion& current = key.record.materials.back();
  BlobHeader header;
  header.key_uuid = *KeyUuidOf(key.record.key_id);
  header.material_version = current.version;
  return SealBlob(current.material, header, plaintext, context);
}

api::ApiResult<std::string> KeyStore::Encrypt(const std::string& key_id, std::string_view plaintext,
                                              const EncryptionContext& context) {
  const int64_t now = clock_.WallMillis();
  {
    std::shared_lock lock(mu_);
    const Key* key = FindKeyLocked(key_id, now);
    if (key == nullptr) return Vanished(key_id);
    if (auto state = RequireEnabled(key->record); !state.ok()) return std::move(state).error();
    if (!RotationDue(*key, now) && TakeUse(*key)) return SealLocked(*key, plaintext, context);
  }
  // A rotation has come due, or this version's reserved uses are spent: new material or a new
  // reservation is made (and journaled) before it is used.
  std::unique_lock lock(mu_);
  Key* key = FindKeyLocked(key_id, now);
  if (key == nullptr) return Vanished(key_id);
  if (auto state = RequireEnabled(key->record); !state.ok()) return std::move(state).error();
  if (RotationDue(*key, now)) RotateLocked(*key, now);
  while (!TakeUse(*key)) ReserveLocked(*key, now);
  return SealLocked(*key, plaintext, context);
}

api::ApiResult<Opened> KeyStore::Decrypt(const std::string& key_id, std::string_view blob,
                                         const EncryptionContext& context) const {
  auto header = ParseBlobHeader(blob);
  if (!header) return api::Error(ErrorCode::kInvalidCiphertext);
  std::shared_lock lock(mu_);
  const Key* key = FindKeyLocked(key_id, clock_.WallMillis());
  if (key == nullptr || KeyIdOf(header->key_uuid) != key_id) {
    return api::Error(ErrorCode::kInvalidCiphertext);
  }
  if (auto state = RequireEnabled(key->record); !state.ok()) return std::move(state).error();
  const auto& materials = key->record.materials;
  auto material = std::find_if(materials.begin(), materials.end(), [&](const MaterialVersion& m) {
    return m.version == header->material_version;
  });
  if (material == materials.end()) return api::Error(ErrorCode::kInvalidCiphertext);
  auto plaintext = OpenBlob(material->material, blob, context);
  if (!plaintext) return api::Error(ErrorCode::kInvalidCiphertext);
  Opened opened;
  opened.key_arn = key->record.arn;
  opened.plaintext.value = std::move(*plaintext);
  return opened;
}

}  // namespace wharf::kms
