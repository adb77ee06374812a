#include "sqs/pg/data_key_store.h"

#include <string>
#include <utility>

namespace wharf::sqs::pg {

storage::pg::PgStatus PgDataKeys::EnsureStored(storage::pg::PgQueueOps& ops,
                                               const DataKeyRecord& record,
                                               std::string_view queue_arn) {
  const MonoTime now = clock_.Now();
  {
    std::lock_guard lock(mu_);
    auto it = put_at_.find(record.id);
    if (it != put_at_.end() && now - it->second < kRememberPut) return {};
  }
  storage::pg::StoredDataKey row;
  row.id = static_cast<int64_t>(record.id);
  row.queue_arn = std::string(queue_arn);
  row.key_arn = record.key_arn;
  row.blob = record.ciphertext_blob;
  WHARF_RETURN_IF_ERROR(ops.PutDataKey(row));
  auto stored = std::make_shared<DataKeyRecord>(record);
  stored->queue_arn = std::string(queue_arn);
  std::lock_guard lock(mu_);
  ForgetOldPuts(now);
  put_at_[record.id] = now;
  if (records_.size() >= kMaxCachedRecords) records_.clear();
  records_.emplace(record.id, std::move(stored));
  return {};
}

storage::pg::PgResult<PgDataKeys::Records> PgDataKeys::Find(storage::pg::PgQueueOps& ops,
                                                            std::span<const uint64_t> ids) {
  Records found;
  std::vector<int64_t> missing;
  {
    std::lock_guard lock(mu_);
    for (uint64_t id : ids) {
      if (found.contains(id)) continue;
      auto it = records_.find(id);
      if (it != records_.end()) {
        found.emplace(id, it->second);
      } else {
        found.emplace(id, nullptr);  // placeholder: asked for once
        missing.push_back(static_cast<int64_t>(id));
      }
    }
  }
  std::erase_if(found, [](const auto& entry) { return entry.second == nullptr; });
  if (missing.empty()) return found;
  WHARF_ASSIGN_OR_RETURN(std::vector<storage::pg::StoredDataKey> rows, ops.GetDataKeys(missing));
  std::lock_guard lock(mu_);
  for (storage::pg::StoredDataKey& row : rows) {
    auto record = std::make_shared<const DataKeyRecord>(
        DataKeyRecord{static_cast<uint64_t>(row.id), std::move(row.key_arn), std::move(row.blob),
                      row.created_ms, std::move(row.queue_arn)});
    if (records_.size() >= kMaxCachedRecords) records_.clear();
    records_.emplace(record->id, record);
    found.emplace(record->id, std::move(record));
  }
  return found;
}

void PgDataKeys::ForgetOldPuts(MonoTime now) {
  if (now < next_prune_) return;
  std::erase_if(put_at_, [&](const auto& entry) { return now - entry.second >= kRememberPut; });
  next_prune_ = now + std::chrono::minutes(1);
}

}  // namespace wharf::sqs::pg
