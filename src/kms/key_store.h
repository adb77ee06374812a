#pragma once

// The keys and aliases of every account, with KMS's rules and errors (security.md §4.4): key
// states (Enabled, Disabled, PendingDeletion) and what each allows, deletion after the waiting
// period, automatic and on-demand rotation (a new material version; old blobs still open), the
// alias rules, and the cryptographic operations on a key's material. It knows nothing about
// callers: the KeyService authorizes first, then asks.
//
// Every change goes through the KeyJournal before it becomes visible. Deletion dates and
// rotation dates are checked lazily against the Clock: a key whose waiting period has passed is
// invisible at once and removed (with its aliases) at the next change or start-up; a rotation
// that has come due happens on the key's next use.
//
// Thread-safety: all methods may be called from any thread. One reader/writer lock: the
// cryptographic operations (SQS's data keys) take the shared side and never wait on I/O; KMS
// management calls are rare and take the exclusive side.

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/error.h"
#include "auth/policy/policy_document.h"
#include "common/clock.h"
#include "common/result.h"
#include "kms/crypto.h"
#include "kms/data_keys.h"
#include "kms/identifiers.h"
#include "kms/records.h"

namespace wharf::kms {

// What callers see of a key: a copy without its material, safe to use outside the lock.
struct KeyView {
  std::string account_id;
  std::string key_id;
  std::string arn;
  std::string description;
  KeyManager manager = KeyManager::kCustomer;
  KeyState state = KeyState::kEnabled;
  int64_t created_ms = 0;
  int64_t deletion_ms = 0;
  int64_t pending_window_days = 0;
  std::string policy_text;
  std::shared_ptr<const auth::PolicyDocument> policy;
  bool rotation_enabled = false;
  int64_t rotation_period_days = 0;
  int64_t next_rotation_ms = 0;
  uint32_t current_version = 0;
  std::vector<std::pair<std::string, std::string>> tags;
};

struct NewKey {
  std::string account_id;
  std::string description;
  std::string policy_text;
  std::shared_ptr<const auth::PolicyDocument> policy;  // parsed policy_text
  KeyManager manager = KeyManager::kCustomer;
  std::vector<std::pair<std::string, std::string>> tags;
};

template <typename T>
struct Page {
  std::vector<T> items;
  std::optional<std::string> next_marker;  // set when truncated
};

// A blob opened: the key that sealed it and the plaintext (wiped when dropped).
struct Opened {
  std::string key_arn;
  SecretString plaintext;
};

inline constexpr int64_t kDefaultRotationPeriodDays = 365;
inline constexpr size_t kMaxTagsPerKey = 50;

// How many encryptions one material version may seal. Random 96-bit nonces are safe for 2^32
// encryptions under one key (NIST SP 800-38D, security.md §4.6); beyond that the key rotates.
// Uses are reserved in blocks, one journal write per block, so counting costs no I/O per call.
struct MaterialLimits {
  uint64_t uses_per_version = uint64_t{1} << 32;
  uint64_t reserve_block = uint64_t{1} << 20;
};

class KeyStore {
 public:
  KeyStore(const Clock& clock, KeyJournal& journal, std::string region, MaterialLimits limits = {});

  // Start-up: what the journal loaded. Keys whose deletion date has passed are removed now.
  // Records whose key policy no longer parses are kept with no policy (nobody can use them),
  // and reported.
  // Replaces whatever the store held.
  std::vector<std::string> Load(std::vector<KeyRecord> keys, std::vector<AliasRecord> aliases);

  // Every stored key and alias, or why they cannot be read (StoreJournal::Load).
  using Loader = std::function<Result<LoadedKeys, std::string>()>;
  // Re-reads the keys and aliases while serving (another node sharing the store changed them)
  // and replaces the whole state with them as Load does at start-up: keys past their deletion
  // date are removed now, unparsable policies reported (the returned problems). `load` must
  // return every change journaled before it was called (StoreJournal::Load waits for them to
  // be durable). It runs without the lock — cryptographic operations never wait on I/O, and a
  // store completion that needs a data key cannot deadlock with it — and the result is
  // installed only if this store journaled nothing meanwhile, so a change of this node is never
  // undone; otherwise the read is tried again, a few times, then given up with an error. If
  // `load` fails, nothing changes and its error is returned.
  // One deliberate difference from a restart: a key whose current material version and use
  // reservation are unchanged keeps this node's count of uses made under it (a restart must
  // assume the whole reservation spent), so that frequent reloads do not burn the version's
  // nonce budget.
  Result<std::vector<std::string>, std::string> Reload(const Loader& load);

  const std::string& region() const { return region_; }

  // --- lookups ------------------------------------------------------------------------------
  // The key `ref` names, following an alias. NotFoundException in KMS's words: "Key '<arn>'
  // does not exist" for an unknown key, "Alias <arn> is not found." for an unknown alias.
  api::ApiResult<KeyView> Find(const KeyRef& ref) const;
  // The key that sealed `blob` (InvalidCiphertextException when it names none).
  api::ApiResult<KeyView> KeyOfBlob(std::string_view blob) const;
  // The AWS-managed key `alias/aws/<service>` of `account` (KeyManager AWS), created with its
  // alias on first use. Its records are appended and it is usable at once: whatever is later
  // appended on its behalf reaches the disk after it.
  KeyView ManagedKey(std::string_view account, std::string_view service);

  // --- keys ---------------------------------------------------------------------------------
  KeyView CreateKey(NewKey key);
  // Keys of `account` in key-id order, from after `marker` (a key id; InvalidMarkerException
  // otherwise).
  api::ApiResult<Page<KeyView>> ListKeys(std::string_view account, size_t limit,
                                         const std::optional<std::string>& marker) const;
  api::ApiStatus SetDescription(const std::string& key_id, std::string description);
  api::ApiStatus Enable(const std::string& key_id);
  api::ApiStatus Disable(const std::string& key_id);
  api::ApiResult<KeyView> ScheduleDeletion(const std::string& key_id, int64_t window_days);
  // The key comes back Disabled, not Enabled (security.md §4.4).
  api::ApiResult<KeyView> CancelDeletion(const std::string& key_id);
  api::ApiStatus PutPolicy(const std::string& key_id, std::string text,
                           std::shared_ptr<const auth::PolicyDocument> policy);
  api::ApiStatus EnableRotation(const std::string& key_id, int64_t period_days);
  api::ApiStatus DisableRotation(const std::string& key_id);
  // A new material version now (RotateKeyOnDemand).
  api::ApiResult<KeyView> RotateNow(const std::string& key_id);
  api::ApiStatus Tag(const std::string& key_id,
                     const std::vector<std::pair<std::string, std::string>>& tags);
  api::ApiStatus Untag(const std::string& key_id, const std::vector<std::string>& keys);

  // --- aliases ------------------------------------------------------------------------------
  // `name` is a valid "alias/…" name (the service checked it); the target a key id of `account`.
  api::ApiStatus CreateAlias(const std::string& account, const std::string& name,
                             const std::string& key_id);
  api::ApiStatus UpdateAlias(const std::string& account, const std::string& name,
                             const std::string& key_id);
  api::ApiStatus DeleteAlias(const std::string& account, const std::string& name);
  api::ApiResult<AliasRecord> FindAlias(const std::string& account, const std::string& name) const;
  // Aliases of `account` in name order (only those of `key_id` when given), from after `marker`.
  api::ApiResult<Page<AliasRecord>> ListAliases(std::string_view account,
                                                const std::optional<std::string>& key_id,
                                                size_t limit,
                                                const std::optional<std::string>& marker) const;

  // --- cryptography -------------------------------------------------------------------------
  // Seals `plaintext` under the key's current material (rotating first if a rotation is due or
  // the version's use budget is spent). DisabledException / KMSInvalidStateException unless the
  // key is Enabled.
  api::ApiResult<std::string> Encrypt(const std::string& key_id, std::string_view plaintext,
                                      const EncryptionContext& context);
  // Opens a blob of key `key_id` (the one KeyOfBlob named): the key's state is checked first,
  // then any failure to open is InvalidCiphertextException with an empty message.
  api::ApiResult<Opened> Decrypt(const std::string& key_id, std::string_view blob,
                                 const EncryptionContext& context) const;

 private:
  struct Key {
    KeyRecord record;
    std::shared_ptr<const auth::PolicyDocument> policy;
    // Encryptions made under the current version (≤ record.uses_reserved); counted under the
    // shared lock, so atomic. Boxed so that a Key can move.
    std::unique_ptr<std::atomic<uint64_t>> uses = std::make_unique<std::atomic<uint64_t>>(0);
  };
  using AliasMap = std::map<std::string, AliasRecord, std::less<>>;
  // The journal, counting what goes through it (under the exclusive lock, as every journal
  // call is): Reload installs what it read only if the count did not move meanwhile.
  class CountingJournal final : public KeyJournal {
   public:
    explicit CountingJournal(KeyJournal& inner) : inner_(inner) {}
    void PutKey(const KeyRecord& key) override {
      ++count_;
      inner_.PutKey(key);
    }
    void EraseKey(const std::string& account_id, const std::string& key_id) override {
      ++count_;
      inner_.EraseKey(account_id, key_id);
    }
    void PutAlias(const AliasRecord& alias) override {
      ++count_;
      inner_.PutAlias(alias);
    }
    void EraseAlias(const std::string& account_id, const std::string& name) override {
      ++count_;
      inner_.EraseAlias(account_id, name);
    }
    uint64_t count() const { return count_; }

   private:
    KeyJournal& inner_;
    uint64_t count_ = 0;
  };

  // Load and Reload: installs `keys` and `aliases` in place of the current ones, then sweeps.
  std::vector<std::string> InstallLocked(std::vector<KeyRecord> keys,
                                         std::vector<AliasRecord> aliases);
  KeyView ViewOf(const Key& key) const;
  // A key that exists for callers: not past its deletion date.
  bool Live(const Key& key, int64_t now_ms) const;
  const Key* FindKeyLocked(std::string_view key_id, int64_t now_ms) const;
  Key* FindKeyLocked(std::string_view key_id, int64_t now_ms);
  api::ApiResult<const Key*> ResolveLocked(const KeyRef& ref, int64_t now_ms) const;
  api::ApiResult<Key*> MutableKey(const std::string& key_id, int64_t now_ms);
  // Removes keys whose deletion date has passed, with their aliases.
  void SweepLocked(int64_t now_ms);
  void RotateLocked(Key& key, int64_t now_ms);
  // Takes one use of the current version from its reservation; false when the reservation is
  // spent (the caller then reserves more under the exclusive lock).
  static bool TakeUse(const Key& key);
  // Reserves another block of uses, rotating first when the version's budget is spent.
  void ReserveLocked(Key& key, int64_t now_ms);
  bool RotationDue(const Key& key, int64_t now_ms) const;
  KeyView CreateLocked(NewKey key, int64_t now_ms);
  // DisabledException ("<arn> is disabled.") / KMSInvalidStateException ("<arn> is pending
  // deletion.") unless Enabled.
  static api::ApiStatus RequireEnabled(const KeyRecord& key);
  static api::ApiStatus RequireNotPendingDeletion(const KeyRecord& key);
  api::ApiResult<std::string> SealLocked(const Key& key, std::string_view plaintext,
                                         const EncryptionContext& context) const;

  const Clock& clock_;
  CountingJournal journal_;
  const std::string region_;
  const MaterialLimits limits_;

  mutable std::shared_mutex mu_;
  std::map<std::string, Key, std::less<>> keys_;  // by key id (ids are unique across accounts)
  std::map<std::string, std::set<std::string>, std::less<>> keys_by_account_;
  std::map<std::string, AliasMap, std::less<>> aliases_;  // by account, then name
};

// "Enabled", "Disabled", "PendingDeletion".
std::string_view KeyStateName(KeyState state);

// NotFoundException "Key '<arn>' does not exist".
api::ApiError KeyNotFound(std::string_view key_arn);
// NotFoundException "Invalid keyId '<text>'" (malformed ids, ARNs of another region).
api::ApiError InvalidKeyId(std::string_view text);

}  // namespace wharf::kms
