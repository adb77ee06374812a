#pragma once

// The RocksDB keys of the embedded store (docs/storage-format.md), shared by the store and its
// start-up checks. Keys are never sealed (RocksDB orders and range-deletes by them), so they hold
// only numbers and identifiers: queue ids, sequence numbers, object and task ids, and a keyed
// digest in place of a FIFO deduplication id.
//
// Internal to storage/.

#include <cstdint>
#include <string>
#include <string_view>

#include "common/binary_codec.h"

namespace wharf::storage {

// One-byte prefixes of the `meta` column family. Each scan seeks its own prefix and stops at the
// first key without it, so the kinds of keys never mix. New kinds take a byte not listed here.
constexpr char kMetaFormat = 'F';     // the store's format and key check (one record)
constexpr char kMetaDataKey = 'K';    // 'K' · u32 id: a data key, wrapped under the storage key
constexpr char kMetaMigration = 'M';  // progress of sealing a store written before sealing
constexpr char kMetaObject = 'O';
constexpr char kMetaQueue = 'Q';
constexpr char kMetaTask = 'T';

inline std::string FormatKey() { return std::string(1, kMetaFormat); }
inline std::string MigrationKey() { return std::string(1, kMetaMigration); }

inline std::string DataKeyKey(uint32_t id) {
  std::string key(1, kMetaDataKey);
  for (int i = 3; i >= 0; --i) key.push_back(static_cast<char>((id >> (8 * i)) & 0xff));
  return key;
}

inline std::string ObjectKey(std::string_view key) {
  std::string out;
  out.reserve(1 + key.size());
  out.push_back(kMetaObject);
  out.append(key);
  return out;
}

inline std::string QueueKey(uint64_t queue_id) {
  std::string key(1, kMetaQueue);
  BinaryWriter(key).BigEndian64(queue_id);
  return key;
}

inline std::string TaskKey(std::string_view id) {
  std::string key(1, kMetaTask);
  key.append(id);
  return key;
}

inline std::string MessageKey(uint64_t queue_id, uint64_t seq) {
  std::string key;
  key.reserve(16);
  BinaryWriter w(key);
  w.BigEndian64(queue_id);
  w.BigEndian64(seq);
  return key;
}

// `digest` is the keyed digest of the deduplication key (ValueSealer::DedupDigest); the
// deduplication key itself is inside the sealed value.
inline std::string DedupKey(uint64_t queue_id, std::string_view digest) {
  std::string out;
  out.reserve(8 + digest.size());
  BinaryWriter(out).BigEndian64(queue_id);
  out.append(digest);
  return out;
}

// The sealed value of a deduplication entry holds its deduplication key (the RocksDB key has only
// its digest): `bytes` deduplication key, then the engine's dedup record.
inline std::string DedupPlaintext(std::string_view dedup_key, std::string_view payload) {
  std::string out;
  out.reserve(2 + dedup_key.size() + payload.size());
  BinaryWriter(out).Bytes(dedup_key);
  out.append(payload);
  return out;
}

// Splits what DedupPlaintext joined; false if `plaintext` is not such a value.
inline bool SplitDedupPlaintext(std::string_view plaintext, std::string_view& dedup_key,
                                std::string_view& payload) {
  BinaryReader r(plaintext);
  const uint64_t size = r.Varint();
  const size_t header = r.position();
  if (!r.ok() || size > plaintext.size() - header) return false;
  dedup_key = plaintext.substr(header, size);
  payload = plaintext.substr(header + size);
  return true;
}

// The exclusive upper bound of every key of `queue_id` (its 8-byte prefix followed by at most
// `max_suffix` bytes). The next queue's prefix, or for the last possible id a run of 0xFF bytes
// longer than any such key.
inline std::string QueueRangeEnd(uint64_t queue_id, size_t max_suffix) {
  if (queue_id == UINT64_MAX) return std::string(8 + max_suffix + 1, '\xff');
  std::string key;
  BinaryWriter(key).BigEndian64(queue_id + 1);
  return key;
}
// The longest suffix after a queue id: a deduplication key of a store written before sealing
// (group id + NUL + dedup id, 128 characters each); digests are shorter.
constexpr size_t kMaxDedupKey = 512;

}  // namespace wharf::storage
