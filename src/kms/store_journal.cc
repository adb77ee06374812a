#include "kms/store_journal.h"

#include <algorithm>

#include "common/binary_codec.h"
#include "kms/identifiers.h"
#include "storage/settle.h"

namespace wharf::kms {
namespace {

constexpr uint8_t kFormatVersion = 1;
constexpr uint8_t kKeyKind = 0;
constexpr uint8_t kAliasKind = 1;
constexpr std::string_view kPrefix = "kms/";
constexpr size_t kMaxListSize = 1 << 20;  // a garbled count must not allocate without bound

// Key record v1 (docs/storage-format.md): u8 version, u8 kind = 0, then the fields of KeyRecord
// in declaration order; each material version as (varint version, signed created_ms, bytes
// wrapped material).
std::string EncodeKey(const KeyRecord& k, const Sealer& wrap) {
  std::string out;
  BinaryWriter w(out);
  w.U8(kFormatVersion);
  w.U8(kKeyKind);
  w.Bytes(k.account_id);
  w.Bytes(k.key_id);
  w.Bytes(k.arn);
  w.Bytes(k.description);
  w.U8(static_cast<uint8_t>(k.manager));
  w.U8(static_cast<uint8_t>(k.state));
  w.Signed(k.created_ms);
  w.Signed(k.deletion_ms);
  w.Signed(k.pending_window_days);
  w.Bytes(k.policy);
  w.Bool(k.rotation_enabled);
  w.Signed(k.rotation_period_days);
  w.Signed(k.next_rotation_ms);
  w.Varint(k.tags.size());
  for (const auto& [key, value] : k.tags) {
    w.Bytes(key);
    w.Bytes(value);
  }
  w.Varint(k.materials.size());
  for (const MaterialVersion& m : k.materials) {
    w.Varint(m.version);
    w.Signed(m.created_ms);
    w.Bytes(wrap.Seal(m.material.view(), MaterialAad(k.arn, m.version)));
  }
  w.Varint(k.uses_reserved);
  return out;
}

std::string EncodeAlias(const AliasRecord& a) {
  std::string out;
  BinaryWriter w(out);
  w.U8(kFormatVersion);
  w.U8(kAliasKind);
  w.Bytes(a.account_id);
  w.Bytes(a.name);
  w.Bytes(a.target_key_id);
  w.Signed(a.created_ms);
  w.Signed(a.updated_ms);
  return out;
}

Result<KeyRecord, std::string> DecodeKey(BinaryReader& r, const Sealer& wrap) {
  KeyRecord k;
  k.account_id = r.Bytes();
  k.key_id = r.Bytes();
  k.arn = r.Bytes();
  k.description = r.Bytes();
  const uint8_t manager = r.U8();
  const uint8_t state = r.U8();
  if (manager > static_cast<uint8_t>(KeyManager::kAws) ||
      state > static_cast<uint8_t>(KeyState::kPendingDeletion)) {
    return std::string("unknown key manager or state");
  }
  k.manager = static_cast<KeyManager>(manager);
  k.state = static_cast<KeyState>(state);
  k.created_ms = r.Signed();
  k.deletion_ms = r.Signed();
  k.pending_window_days = r.Signed();
  k.policy = r.Bytes();
  k.rotation_enabled = r.Bool();
  k.rotation_period_days = r.Signed();
  k.next_rotation_ms = r.Signed();
  const uint64_t tags = r.Varint();
  for (uint64_t i = 0; i < tags && i < kMaxListSize && r.ok(); ++i) {
    std::string key = r.Bytes();
    std::string value = r.Bytes();
    k.tags.emplace_back(std::move(key), std::move(value));
  }
  const uint64_t materials = r.Varint();
  for (uint64_t i = 0; i < materials && i < kMaxListSize && r.ok(); ++i) {
    MaterialVersion m;
    m.version = static_cast<uint32_t>(r.Varint());
    m.created_ms = r.Signed();
    const std::string wrapped = r.Bytes();
    if (!r.ok()) break;
    auto opened = wrap.Open(wrapped, MaterialAad(k.arn, m.version));
    if (!opened.ok()) {
      return "key material version " + std::to_string(m.version) +
             " does not open: " + std::string(SealErrorName(opened.error())) +
             " (is this the root key the data was written with?)";
    }
    SecretString plain(std::move(opened).value());
    auto material = KeyMaterial::FromBytes(plain.value);
    if (!material) return std::string("key material of the wrong size");
    m.material = *material;
    k.materials.push_back(std::move(m));
  }
  k.uses_reserved = r.Varint();
  if (!r.ok()) return std::string("truncated record");
  if (k.materials.empty()) return std::string("a key without key material");
  return k;
}

AliasRecord DecodeAlias(BinaryReader& r) {
  AliasRecord a;
  a.account_id = r.Bytes();
  a.name = r.Bytes();
  a.target_key_id = r.Bytes();
  a.created_ms = r.Signed();
  a.updated_ms = r.Signed();
  return a;
}

}  // namespace

std::string KeyObjectKey(const std::string& account_id, const std::string& key_id) {
  std::string key(kPrefix);
  key.append("key/").append(account_id).append("/").append(key_id);
  return key;
}

std::string AliasObjectKey(const std::string& account_id, const std::string& alias_name) {
  std::string_view name = alias_name;
  if (name.substr(0, kAliasPrefix.size()) == kAliasPrefix) name.remove_prefix(kAliasPrefix.size());
  std::string key(kPrefix);
  key.append("alias/").append(account_id).append("/").append(name);
  return key;
}

std::string MaterialAad(const std::string& key_arn, uint32_t version) {
  std::string aad = key_arn;
  for (int shift = 24; shift >= 0; shift -= 8) {
    aad.push_back(static_cast<char>((version >> shift) & 0xff));
  }
  return aad;
}

void StoreJournal::Append(storage::Record record) {
  std::vector<storage::Record> records;
  records.push_back(std::move(record));
  const uint64_t ticket = store_.Append(std::move(records));
  // Keep the highest ticket even if appends from two threads finish out of order.
  uint64_t seen = latest_.load(std::memory_order_relaxed);
  while (seen < ticket && !latest_.compare_exchange_weak(seen, ticket, std::memory_order_release,
                                                         std::memory_order_relaxed)) {
  }
}

void StoreJournal::PutKey(const KeyRecord& key) {
  storage::Record put;
  put.type = storage::RecordType::kObjectPut;
  put.key = KeyObjectKey(key.account_id, key.key_id);
  put.payload = EncodeKey(key, wrap_);
  Append(std::move(put));
}

void StoreJournal::EraseKey(const std::string& account_id, const std::string& key_id) {
  storage::Record erase;
  erase.type = storage::RecordType::kObjectDelete;
  erase.key = KeyObjectKey(account_id, key_id);
  Append(std::move(erase));
}

void StoreJournal::PutAlias(const AliasRecord& alias) {
  storage::Record put;
  put.type = storage::RecordType::kObjectPut;
  put.key = AliasObjectKey(alias.account_id, alias.name);
  put.payload = EncodeAlias(alias);
  Append(std::move(put));
}

void StoreJournal::EraseAlias(const std::string& account_id, const std::string& name) {
  storage::Record erase;
  erase.type = storage::RecordType::kObjectDelete;
  erase.key = AliasObjectKey(account_id, name);
  Append(std::move(erase));
}

Result<LoadedKeys, std::string> StoreJournal::Load() {
  if (auto settled = storage::SettleAppended(store_); !settled.ok()) {
    return "cannot read the KMS records: " + settled.error().detail;
  }
  LoadedKeys loaded;
  std::string error;
  auto scanned = store_.ScanObjects(kPrefix, [&](std::string_view key, std::string_view payload) {
    if (!error.empty()) return;
    BinaryReader r(payload);
    const uint8_t version = r.U8();
    const uint8_t kind = r.U8();
    std::string problem;
    if (version != kFormatVersion) {
      problem = "unknown record version";
    } else if (kind == kKeyKind) {
      auto record = DecodeKey(r, wrap_);
      if (record.ok()) {
        loaded.keys.push_back(std::move(record).value());
      } else {
        problem = record.error();
      }
    } else if (kind == kAliasKind) {
      AliasRecord alias = DecodeAlias(r);
      if (r.ok()) {
        loaded.aliases.push_back(std::move(alias));
      } else {
        problem = "truncated record";
      }
    } else {
      problem = "unknown record kind";
    }
    if (!problem.empty()) error = "KMS record " + std::string(key) + ": " + problem;
  });
  if (!scanned.ok()) return "cannot read the KMS records: " + scanned.error().detail;
  if (!error.empty()) return error;
  return loaded;
}

}  // namespace wharf::kms
