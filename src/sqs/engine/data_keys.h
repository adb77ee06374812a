#pragma once

// SSE-KMS data keys as a queue stores them (security.md §4.2, §4.6). A message whose body is
// sealed refers to its data key by a small id; the data key's record (the KMS ciphertext blob
// of the key and the ARN of the KMS key that protects it) is stored once per data key, as a keyed
// object of the store, not once per message.
//
// QueueDataKeys is one queue's table of those records. It counts the stored messages that refer
// to each record, so that a record is written before the first message that needs it and deleted
// only once no message needs it:
//   - Reference() pins a record for a message about to be stored and, if the record is not
//     (or no longer) stored, appends its put to the store at once, so the put reaches the disk
//     before the message records appended after it (the store keeps append order).
//   - Release() unpins it when the message is gone (deleted, expired, purged, moved).
//   - Sweep() deletes records that no message has needed for `hold` (the queue uses its data
//     key reuse period: a producer's cached data key usually comes back within it, and a
//     record deleted meanwhile is simply written again by the next Reference).
// Deletes are appended under this table's mutex, so no Reference can slip between the decision
// and the delete; and Sweep runs at the start of a queue operation (Advance), after the records
// of every earlier removal were appended, so a message's delete always precedes its key's.
//
// Thread-safety: every method takes the table's own mutex, never any queue's. It may be called
// under a queue's lock (lock order: queue, then data-key table), including under another
// queue's lock (a message relocated into this queue pins its key here). Store::Append never
// blocks or calls back, so appending under the mutex is allowed.

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "common/clock.h"
#include "storage/store.h"

namespace wharf::sqs {

struct DataKeyRecord {
  uint64_t id = 0;              // never 0 (0 means "body in clear" in a message)
  std::string key_arn;          // the KMS key that protects the data key
  std::string ciphertext_blob;  // the data key as KMS encrypted it (never the plaintext)
  int64_t created_millis = 0;   // wall clock, for operators
  // The ARN of the queue the key was generated for (its KMS encryption context and the sealed
  // bodies' authenticated data) when that is not the queue holding the message: a backend that
  // moves sealed messages without re-encrypting them (PostgreSQL) sets it, and
  // MessageEncryption::OpenReceived then opens such a body with the server's authority. Empty:
  // the queue holding the message (the embedded engine re-encrypts on every move). Not part of
  // the stored record (EncodeDataKeyRecord).
  std::string queue_arn;
};

// The keyed-object value of a record (docs/storage-format.md).
std::string EncodeDataKeyRecord(const DataKeyRecord& record);
std::optional<DataKeyRecord> DecodeDataKeyRecord(std::string_view payload);

// Object keys: "sqs/dk/" + 16 hex digits of the queue id + "/" + 16 hex digits of the key id.
inline constexpr std::string_view kDataKeyObjectPrefix = "sqs/dk/";
std::string DataKeyObjectKey(uint64_t queue_id, uint64_t data_key_id);
// {queue id, data key id} of an object key; nullopt when it is not one.
std::optional<std::pair<uint64_t, uint64_t>> ParseDataKeyObjectKey(std::string_view key);

class QueueDataKeys {
 public:
  QueueDataKeys(uint64_t queue_id, storage::Store& store) : queue_id_(queue_id), store_(store) {}
  QueueDataKeys(const QueueDataKeys&) = delete;
  QueueDataKeys& operator=(const QueueDataKeys&) = delete;

  // A message about to be stored refers to `record`: pins it, and appends its put unless it is
  // stored already.
  void Reference(const std::shared_ptr<const DataKeyRecord>& record);
  // Recovery: a record read back from the store (stored, unpinned until messages refer to it).
  void Restore(std::shared_ptr<const DataKeyRecord> record, MonoTime now);
  // Recovery: a stored message refers to `id`. False when there is no such record.
  bool Pin(uint64_t id);
  // A message referring to `id` is gone.
  void Release(uint64_t id, MonoTime now);
  // The record a stored message refers to (null if unknown).
  std::shared_ptr<const DataKeyRecord> Find(uint64_t id) const;
  // Deletes the records no message has referred to for `hold`.
  void Sweep(MonoTime now, Duration hold);
  // The queue is deleted: deletes every record.
  void DropAll();

  // Cheap checks without the mutex, for the paths of queues that never used SSE-KMS: whether
  // any record is known, and whether Sweep may have something to delete at `now`.
  bool empty() const { return size_.load(std::memory_order_relaxed) == 0; }
  bool SweepDue(MonoTime now) const {
    return now.time_since_epoch().count() >= next_sweep_.load(std::memory_order_relaxed);
  }
  size_t size() const { return size_.load(std::memory_order_relaxed); }

 private:
  struct Entry {
    std::shared_ptr<const DataKeyRecord> record;
    uint64_t refs = 0;
    MonoTime idle_since{};
  };
  // Require mu_.
  void Put(const DataKeyRecord& record);
  void SweepSoon(MonoTime when);  // an entry became unreferenced at `when`

  const uint64_t queue_id_;
  storage::Store& store_;
  mutable std::mutex mu_;
  std::unordered_map<uint64_t, Entry> entries_;
  std::atomic<size_t> size_{0};
  // When Sweep next has work: the earliest time an unreferenced entry may be deleted (a lower
  // bound: the hold is known only to Sweep). Never: the largest value.
  std::atomic<Duration::rep> next_sweep_{kNever};
  static constexpr Duration::rep kNever = INT64_MAX;
};

}  // namespace wharf::sqs
