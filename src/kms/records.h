#pragma once

// The key service's state as records, one per key and one per alias, and the journal every
// change passes through before it becomes visible (so a restart finds what was acknowledged).
// Records carry key material in clear: only the journal decides how it is kept (StoreJournal
// wraps it under the root key's sub-key "kms-wrap v1"; NullJournal keeps nothing).

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "kms/crypto.h"

namespace wharf::kms {

// The key states Wharf implements (security.md §4.4); KMS has more (PendingImport, …).
enum class KeyState : uint8_t { kEnabled, kDisabled, kPendingDeletion };

// Who manages the key: the customer, or AWS (the AWS-managed alias/aws/sqs).
enum class KeyManager : uint8_t { kCustomer, kAws };

// One version of a key's material. A rotation adds a version; every version stays, so blobs
// sealed under an older one still open.
struct MaterialVersion {
  uint32_t version = 0;  // 1, 2, …: the number every blob names
  KeyMaterial material;
  int64_t created_ms = 0;
};

struct KeyRecord {
  std::string account_id;
  std::string key_id;  // UUID
  std::string arn;
  std::string description;
  KeyManager manager = KeyManager::kCustomer;
  KeyState state = KeyState::kEnabled;
  int64_t created_ms = 0;
  int64_t deletion_ms = 0;          // PendingDeletion: when the key goes
  int64_t pending_window_days = 0;  // PendingDeletion
  std::string policy;               // the key policy, as given
  bool rotation_enabled = false;
  int64_t rotation_period_days = 0;  // rotation_enabled
  int64_t next_rotation_ms = 0;      // rotation_enabled: when the next automatic rotation is due
  std::vector<std::pair<std::string, std::string>> tags;  // sorted by key
  std::vector<MaterialVersion> materials;                 // ascending versions; last = current
  // Encryptions admitted under the current material version, reserved in blocks before they
  // happen (so a restart never counts fewer than were made): the current version is retired
  // once its budget of random 96-bit nonces is spent (security.md §4.6).
  uint64_t uses_reserved = 0;
};

struct AliasRecord {
  std::string account_id;
  std::string name;  // "alias/…"
  std::string target_key_id;
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
};

// Every key and alias read back from where they are kept (StoreJournal::Load).
struct LoadedKeys {
  std::vector<KeyRecord> keys;
  std::vector<AliasRecord> aliases;
};

// Where changes go before they become visible. Appends never block and never fail (the store's
// group commit reports failures on the answers that wait for it).
// Thread-safety: called under the key store's exclusive lock, which orders the records.
class KeyJournal {
 public:
  virtual ~KeyJournal() = default;
  virtual void PutKey(const KeyRecord& key) = 0;
  virtual void EraseKey(const std::string& account_id, const std::string& key_id) = 0;
  virtual void PutAlias(const AliasRecord& alias) = 0;
  virtual void EraseAlias(const std::string& account_id, const std::string& name) = 0;
};

// Keeps nothing (--storage memory).
class NullJournal final : public KeyJournal {
 public:
  void PutKey(const KeyRecord&) override {}
  void EraseKey(const std::string&, const std::string&) override {}
  void PutAlias(const AliasRecord&) override {}
  void EraseAlias(const std::string&, const std::string&) override {}
};

}  // namespace wharf::kms
