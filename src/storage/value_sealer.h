#pragma once

// Seals every value the embedded store writes, so its WAL and SST files hold no message body,
// attribute, queue policy, tag or object in clear (docs/storage-format.md "Sealing").
//
// Key hierarchy: the root key's sub-key "storage v1" (the storage key) wraps data keys; values
// are sealed under a data key. Each RocksStore run draws a fresh random data key (at its first
// seal) and seals with
// counter nonces under it (nonce = 4 zero bytes ‖ u64 count of seals so far), so no value pays
// for a random nonce (RAND_bytes costs more than sealing a 300-byte value, docs/benchmarks.md)
// and no nonce repeats under a key: a new run never reuses a data key, and a key is replaced
// after `seals_per_data_key` seals (2^32 by default, the NIST SP 800-38D budget for random nonces,
// kept here as a margin although counter nonces have no birthday bound). Data keys are stored
// wrapped (Sealer::Seal under the storage key) and never deleted, so every value stays readable.
//
// A sealed value is the Sealer format (version, the data key's key id, nonce, ciphertext, tag);
// its associated data is the column family and the RocksDB key, so a value cannot be moved to
// another key or family, and its key id names the data key that opens it.
//
// Threads: data keys are read back at start-up (AddDataKey) before any other use; Seal then
// belongs to one writer thread at a time (the opening thread, then the committer); Open and
// DedupDigest may be called from any thread, concurrently with the writer.

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/sealing.h"

namespace wharf::storage {

// The column family a value lives in, as it enters the associated data (msg and state share
// their keys, so the key alone would not tell a state record from a message record).
enum class Family : uint8_t { kMeta = 1, kMsg = 2, kState = 3, kDedup = 4 };

class ValueSealer {
 public:
  static constexpr uint64_t kSealsPerDataKey = uint64_t{1} << 32;
  static constexpr size_t kDedupDigestSize = 16;

  // `storage_key`: the root key's sub-key for the store.
  explicit ValueSealer(const Sealer& storage_key, uint64_t seals_per_data_key = kSealsPerDataKey);

  // The value of the store's key-check record: tells at start-up whether this storage key is the
  // one the store was sealed with, before any other value is read.
  static std::string MakeKeyCheck(const Sealer& storage_key);
  Status<SealError> VerifyKeyCheck(std::string_view check) const;

  // A data key read back from its record at start-up (`id` from the record's key).
  Status<SealError> AddDataKey(uint32_t id, std::string_view wrapped);

  // A stored data key: the id in its record's key and the wrapped key material.
  struct DataKeyRecord {
    uint32_t id;
    std::string wrapped;
  };
  // Seals the value of `key` in `family` into `out`. When this seal needed a new data key (the
  // first seal of a run, or the current key's budget is spent), returns the new key's record: it
  // must be written in the same atomic batch as the value, or before it.
  [[nodiscard]] std::optional<DataKeyRecord> Seal(Family family, std::string_view key,
                                                  std::string_view plaintext, std::string& out);
  // Root key rotation: every data key wrapped under `storage_key` instead of this one. The values
  // stay as they are (they are sealed under the data keys).
  std::vector<DataKeyRecord> RewrapDataKeys(const Sealer& storage_key) const;

  // Opens what Seal wrote for the same family and key into `out`. kWrongKey: no data key with the
  // value's key id.
  Status<SealError> Open(Family family, std::string_view key, std::string_view sealed,
                         std::string& out) const;

  // The RocksDB key suffix standing for a FIFO deduplication key of a queue: a keyed digest
  // (kDedupDigestSize bytes), so the deduplication id (or the body hash of content-based
  // deduplication) is not on disk in clear and cannot be confirmed by guessing.
  std::string DedupDigest(uint64_t queue_id, std::string_view dedup_key) const;

  size_t data_keys() const;
  const Sealer& storage_key() const { return storage_key_; }

 private:
  const Sealer storage_key_;
  const Sealer dedup_key_;
  const uint64_t seals_per_data_key_;

  mutable std::shared_mutex mu_;  // data_keys_: the writer adds while readers look up
  std::map<uint32_t, Sealer> data_keys_;

  DataKeyRecord StartDataKey();  // writer thread

  // Writer thread.
  const Sealer* current_ = nullptr;  // points into data_keys_ (never erased)
  uint64_t seals_ = 0;               // under current_; the next nonce
  std::string associated_data_;
};

}  // namespace wharf::storage
