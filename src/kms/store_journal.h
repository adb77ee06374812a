#pragma once

// The key journal on the durable store: every key and alias is a keyed object
// ("kms/key/<account>/<key id>", "kms/alias/<account>/<name after alias/>",
// docs/storage-format.md) appended in the store's group commit and read back at start. Key
// material never reaches the disk in clear: each material version is wrapped with AES-256-GCM
// under the root key's sub-key "kms-wrap v1", with the key ARN and the version number as
// associated data (security.md §4.6), so wrapped material cannot be moved to another key or
// version.
//
// Appends only; the API answer waits for durability through latest_ticket() (the server holds
// KMS answers until the store reports it synced), so acknowledged ⇒ durable without blocking an
// I/O thread. A key created from inside the data-key path (alias/aws/sqs on first use) is used
// at once: store appends are ordered, so whatever depends on the key becomes durable after it.
// Thread-safety: the Put/Erase methods run under the key store's lock; latest_ticket from any
// thread.

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/sealing.h"
#include "kms/records.h"
#include "storage/store.h"

namespace wharf::kms {

class StoreJournal final : public KeyJournal {
 public:
  // `wrap`: the sealer for key material (Sealer::Derive("kms-wrap v1") of the root key).
  StoreJournal(storage::Store& store, Sealer wrap) : store_(store), wrap_(std::move(wrap)) {}

  void PutKey(const KeyRecord& key) override;
  void EraseKey(const std::string& account_id, const std::string& key_id) override;
  void PutAlias(const AliasRecord& alias) override;
  void EraseAlias(const std::string& account_id, const std::string& name) override;

  // The store ticket of the latest change: answers wait for it to be durable.
  uint64_t latest_ticket() const { return latest_.load(std::memory_order_acquire); }

  // Every stored key and alias, material unwrapped. Fails, naming the record, on one that does
  // not decode or whose material does not open — a wrong root key is never served silently.
  // Waits first for the records appended so far to be durable, so that the read includes them
  // (what KeyStore::Reload relies on); never call it on the store's completion thread.
  Result<LoadedKeys, std::string> Load();

 private:
  void Append(storage::Record record);

  storage::Store& store_;
  const Sealer wrap_;
  std::atomic<uint64_t> latest_{0};
};

// Object keys (exposed for tests).
std::string KeyObjectKey(const std::string& account_id, const std::string& key_id);
std::string AliasObjectKey(const std::string& account_id, const std::string& alias_name);
// The associated data a material version is wrapped with: key ARN ‖ u32be(version).
std::string MaterialAad(const std::string& key_arn, uint32_t version);

}  // namespace wharf::kms
