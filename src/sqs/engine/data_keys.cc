#include "sqs/engine/data_keys.h"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "common/binary_codec.h"

namespace wharf::sqs {
namespace {

constexpr uint8_t kDataKeyRecordV1 = 1;

std::optional<uint64_t> ParseHex64(std::string_view text) {
  if (text.size() != 16) return std::nullopt;
  uint64_t value = 0;
  for (char c : text) {
    int digit;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      digit = c - 'a' + 10;
    } else {
      return std::nullopt;
    }
    value = (value << 4) | static_cast<uint64_t>(digit);
  }
  return value;
}

}  // namespace

std::string EncodeDataKeyRecord(const DataKeyRecord& record) {
  std::string out;
  BinaryWriter w(out);
  w.U8(kDataKeyRecordV1);
  w.Varint(record.id);
  w.Bytes(record.key_arn);
  w.Bytes(record.ciphertext_blob);
  w.Signed(record.created_millis);
  return out;
}

std::optional<DataKeyRecord> DecodeDataKeyRecord(std::string_view payload) {
  BinaryReader r(payload);
  if (r.U8() != kDataKeyRecordV1) return std::nullopt;
  DataKeyRecord record;
  record.id = r.Varint();
  record.key_arn = r.Bytes();
  record.ciphertext_blob = r.Bytes();
  record.created_millis = r.Signed();
  if (!r.ok() || !r.done() || record.id == 0) return std::nullopt;
  return record;
}

std::string DataKeyObjectKey(uint64_t queue_id, uint64_t data_key_id) {
  char text[64];
  std::snprintf(text, sizeof(text), "%016llx/%016llx", static_cast<unsigned long long>(queue_id),
                static_cast<unsigned long long>(data_key_id));
  std::string key(kDataKeyObjectPrefix);
  key.append(text);
  return key;
}

std::optional<std::pair<uint64_t, uint64_t>> ParseDataKeyObjectKey(std::string_view key) {
  if (key.substr(0, kDataKeyObjectPrefix.size()) != kDataKeyObjectPrefix) return std::nullopt;
  key.remove_prefix(kDataKeyObjectPrefix.size());
  if (key.size() != 33 || key[16] != '/') return std::nullopt;
  auto queue = ParseHex64(key.substr(0, 16));
  auto id = ParseHex64(key.substr(17));
  if (!queue || !id) return std::nullopt;
  return std::make_pair(*queue, *id);
}

void QueueDataKeys::Put(const DataKeyRecord& record) {
  if (!store_.durable()) return;
  std::vector<storage::Record> records;
  storage::Record put{storage::RecordType::kObjectPut, 0, 0, EncodeDataKeyRecord(record)};
  put.key = DataKeyObjectKey(queue_id_, record.id);
  records.push_back(std::move(put));
  store_.Append(std::move(records));
}

void QueueDataKeys::SweepSoon(MonoTime when) {
  const Duration::rep at = when.time_since_epoch().count();
  if (at < next_sweep_.load(std::memory_order_relaxed)) {
    next_sweep_.store(at, std::memory_order_relaxed);
  }
}

void QueueDataKeys::Reference(const std::shared_ptr<const DataKeyRecord>& record) {
  std::lock_guard lock(mu_);
  auto [it, inserted] = entries_.try_emplace(record->id);
  Entry& entry = it->second;
  if (inserted) {
    entry.record = record;
    Put(*record);
    size_.store(entries_.size(), std::memory_order_relaxed);
  }
  ++entry.refs;
}

void QueueDataKeys::Restore(std::shared_ptr<const DataKeyRecord> record, MonoTime now) {
  std::lock_guard lock(mu_);
  const uint64_t id = record->id;
  Entry& entry = entries_[id];
  entry.record = std::move(record);
  entry.idle_since = now;
  size_.store(entries_.size(), std::memory_order_relaxed);
  SweepSoon(now);
}

bool QueueDataKeys::Pin(uint64_t id) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return false;
  ++it->second.refs;
  return true;
}

void QueueDataKeys::Release(uint64_t id, MonoTime now) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(id);
  if (it == entries_.end() || it->second.refs == 0) return;
  if (--it->second.refs == 0) {
    it->second.idle_since = now;
    SweepSoon(now);
  }
}

std::shared_ptr<const DataKeyRecord> QueueDataKeys::Find(uint64_t id) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(id);
  return it == entries_.end() ? nullptr : it->second.record;
}

void QueueDataKeys::Sweep(MonoTime now, Duration hold) {
  std::lock_guard lock(mu_);
  std::vector<storage::Record> deletes;
  Duration::rep next = kNever;
  for (auto it = entries_.begin(); it != entries_.end();) {
    const Entry& entry = it->second;
    if (entry.refs != 0) {
      ++it;
      continue;
    }
    if (now - entry.idle_since < hold) {
      next = std::min(next, (entry.idle_since + hold).time_since_epoch().count());
      ++it;
      continue;
    }
    if (store_.durable()) {
      storage::Record del{storage::RecordType::kObjectDelete, 0, 0, {}};
      del.key = DataKeyObjectKey(queue_id_, it->first);
      deletes.push_back(std::move(del));
    }
    it = entries_.erase(it);
  }
  if (!deletes.empty()) store_.Append(std::move(deletes));
  size_.store(entries_.size(), std::memory_order_relaxed);
  next_sweep_.store(next, std::memory_order_relaxed);
}

void QueueDataKeys::DropAll() {
  std::lock_guard lock(mu_);
  std::vector<storage::Record> deletes;
  if (store_.durable()) {
    for (const auto& [id, entry] : entries_) {
      storage::Record del{storage::RecordType::kObjectDelete, 0, 0, {}};
      del.key = DataKeyObjectKey(queue_id_, id);
      deletes.push_back(std::move(del));
    }
  }
  entries_.clear();
  if (!deletes.empty()) store_.Append(std::move(deletes));
  size_.store(0, std::memory_order_relaxed);
  next_sweep_.store(kNever, std::memory_order_relaxed);
}

}  // namespace wharf::sqs
