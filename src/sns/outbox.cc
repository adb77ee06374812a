#include "sns/outbox.h"

#include <algorithm>
#include <limits>

#include "sns/record_codec.h"

namespace wharf::sns {
namespace {

storage::Record ObjectPut(std::string key, std::string payload) {
  storage::Record r;
  r.type = storage::RecordType::kObjectPut;
  r.key = std::move(key);
  r.payload = std::move(payload);
  return r;
}

std::string DedupKeyOf(const Publication& p, bool by_group) {
  std::string key = p.topic_arn;
  key.push_back('\n');
  key.append(sqs::DedupKey(by_group, p.group_id.value_or(""), p.deduplication_id.value_or("")));
  return key;
}

}  // namespace

Result<std::vector<Publication>, std::string> Outbox::Load() {
  std::lock_guard lock(mu_);
  std::string error;
  auto scanned = store_.ScanObjects(kSequenceKey, [&](std::string_view key, std::string_view v) {
    if (key != kSequenceKey) return;
    auto reserved = DecodeSequence(v);
    if (!reserved) {
      error = "unreadable SNS sequence record";
      return;
    }
    reserved_ = *reserved;
  });
  if (!scanned.ok()) return "cannot read the SNS sequence: " + scanned.error().detail;
  if (!error.empty()) return error;
  next_ = reserved_ + 1;

  std::vector<Publication> left;
  scanned = store_.ScanObjects(kOutboxPrefix, [&](std::string_view key, std::string_view v) {
    if (!error.empty()) return;
    auto publication = DecodePublication(v);
    if (!publication) {
      error = "unreadable SNS outbox record " + std::string(key);
      return;
    }
    left.push_back(std::move(*publication));
  });
  if (!scanned.ok()) return "cannot read the SNS outbox: " + scanned.error().detail;
  if (!error.empty()) return error;
  if (first_sequence_) {
    next_ = std::max(next_, *first_sequence_);
    reserved_ = std::numeric_limits<uint64_t>::max();  // nothing to reserve
  }
  for (const Publication& p : left) {
    next_ = std::max(next_, p.sequence + 1);
    reserved_ = std::max(reserved_, p.sequence);
    if (p.fifo && p.deduplication_id) {
      // Repeats of a message still being delivered stay repeats after the restart.
      dedup_.Insert(DedupKeyOf(p, p.dedup_by_group),
                    sqs::DedupEntry{p.message_id, p.sequence,
                                    p.timestamp_ms + sqs::DedupWindow::kWindowMillis},
                    /*has_record=*/false);
    }
  }
  return left;
}

uint64_t Outbox::Add(std::vector<Publication>& publications, std::vector<Added>& added) {
  std::lock_guard lock(mu_);
  const int64_t now = clock_.WallMillis();
  std::vector<std::string> expired;
  dedup_.Expire(now, expired);
  const bool durable = store_.durable();
  std::vector<storage::Record> records;
  added.clear();
  added.reserve(publications.size());
  for (Publication& p : publications) {
    std::string dedup_key;
    if (p.fifo && p.deduplication_id) {
      dedup_key = DedupKeyOf(p, p.dedup_by_group);
      if (const sqs::DedupEntry* seen = dedup_.Find(dedup_key, now)) {
        added.push_back(Added{seen->seq, seen->message_id, true});
        continue;
      }
    }
    p.sequence = next_++;
    if (!dedup_key.empty()) {
      // No record of its own: the publication's record rebuilds it (Outbox::Load).
      dedup_.Insert(
          std::move(dedup_key),
          sqs::DedupEntry{p.message_id, p.sequence, now + sqs::DedupWindow::kWindowMillis},
          /*has_record=*/false);
    }
    if (p.sequence > reserved_) {
      // Written in the same group as the publication that first uses the block, so no number
      // is acknowledged before its reservation is durable.
      reserved_ = p.sequence + kReserveBlock;
      if (durable)
        records.push_back(ObjectPut(std::string(kSequenceKey), EncodeSequence(reserved_)));
    }
    if (durable) records.push_back(ObjectPut(OutboxKey(p.sequence), EncodePublication(p)));
    added.push_back(Added{p.sequence, p.message_id, false});
  }
  return store_.Append(std::move(records));
}

void Outbox::Remove(uint64_t sequence) {
  if (!store_.durable()) return;
  std::vector<storage::Record> records(1);
  records[0].type = storage::RecordType::kObjectDelete;
  records[0].key = OutboxKey(sequence);
  store_.Append(std::move(records));
}

}  // namespace wharf::sns
