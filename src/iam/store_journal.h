#pragma once

// The identity journal on the durable store: every identity record is a keyed object
// ("iam/<kind>/<account>/<name>", storage-format.md) appended in the store's group commit, and
// read back at start. Access-key secrets are sealed (AES-256-GCM under a key derived from the
// root key, security.md §1.9/§4.6), with the access key id as associated data, so a secret is
// never on disk in clear and a sealed secret cannot be moved to another key.
//
// Put/Erase only append (they run under the identity store's lock, which orders the records);
// the API answer waits for durability through latest_ticket() (the server holds the answer
// until the store reports it synced).
// Thread-safety: Put/Erase are called under the identity store's lock; latest_ticket from any
// thread.

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/sealing.h"
#include "iam/records.h"
#include "storage/store.h"

namespace wharf::iam {

class StoreJournal final : public IdentityJournal {
 public:
  // `secrets`: the sealer for access-key secrets (derive it from the root key).
  StoreJournal(storage::Store& store, Sealer secrets)
      : store_(store), secrets_(std::move(secrets)) {}

  Status<std::string> Put(const IdentityRecord& record) override;
  Status<std::string> Erase(RecordKind kind, const std::string& account_id,
                            const std::string& name) override;

  // The store ticket of the latest change: answers wait for it to be durable.
  uint64_t latest_ticket() const { return latest_.load(std::memory_order_acquire); }

  // Every stored identity record, secrets opened. Fails (naming the record) on one that does
  // not decode or whose secret does not open — a wrong root key, never silently. Waits first
  // for the records appended so far to be durable, so that the read includes them (what
  // IdentityStore::Reload relies on); never call it on the store's completion thread.
  Result<std::vector<IdentityRecord>, std::string> Load();

 private:
  storage::Store& store_;
  const Sealer secrets_;
  std::atomic<uint64_t> latest_{0};
};

// The object key of a record (exposed for tests).
std::string ObjectKeyOf(RecordKind kind, const std::string& account_id, const std::string& name);

}  // namespace wharf::iam
