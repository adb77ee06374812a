#include "sqs/engine/dedup_window.h"

#include <boost/unordered/unordered_flat_map.hpp>
#include <functional>
#include <string_view>

namespace wharf::sqs {

struct DedupWindow::Index {
  boost::unordered_flat_map<std::string_view, uint64_t, std::hash<std::string_view>> map;
};

DedupWindow::DedupWindow() : index_(std::make_unique<Index>()) {}
DedupWindow::~DedupWindow() = default;

size_t DedupWindow::size() const { return index_->map.size(); }

std::string DedupKey(bool by_group, const std::string& group_id, const std::string& dedup_id) {
  std::string key;
  DedupKeyInto(key, by_group, group_id, dedup_id);
  return key;
}

void DedupKeyInto(std::string& out, bool by_group, const std::string& group_id,
                  const std::string& dedup_id) {
  if (!by_group) {
    out.assign(dedup_id);
    return;
  }
  out.assign(group_id);
  out.push_back('\0');  // neither id may contain NUL, so the pair is unambiguous
  out.append(dedup_id);
}

const DedupEntry* DedupWindow::Find(const std::string& key, int64_t now_millis) const {
  auto it = index_->map.find(std::string_view(key));
  if (it == index_->map.end()) return nullptr;
  const Stored& stored = At(it->second);
  return stored.entry.expires_millis > now_millis ? &stored.entry : nullptr;
}

DedupWindow::Claim DedupWindow::ClaimKey(const std::string& key, int64_t now_millis) {
  auto it = index_->map.find(std::string_view(key));
  bool has_record = false;
  if (it != index_->map.end()) {
    Stored& stored = At(it->second);
    if (stored.entry.expires_millis > now_millis) return Claim{&stored.entry, false};
    // Run out, not yet swept: replaced by a new entry at the back.
    stored.superseded = true;
    has_record = stored.has_record;
    index_->map.erase(it);
  }
  return Claim{&Append(key, DedupEntry{}, has_record).entry, true};
}

void DedupWindow::Insert(std::string key, DedupEntry entry, bool has_record) {
  has_record = Unindex(key) || has_record;
  Append(std::move(key), std::move(entry), has_record);
}

DedupWindow::Stored& DedupWindow::Append(std::string key, DedupEntry entry, bool has_record) {
  Stored& stored = order_.emplace_back(
      Stored{std::move(key), std::move(entry), ++insertions_, /*superseded=*/false, has_record});
  // The view points into the deque's element, which stays where it is until popped.
  index_->map.emplace(std::string_view(stored.key), stored.insertion);
  return stored;
}

const DedupEntry* DedupWindow::RecordIfLive(const std::string& key, uint64_t seq,
                                            int64_t now_millis) {
  auto it = index_->map.find(std::string_view(key));
  if (it == index_->map.end()) return nullptr;
  Stored& stored = At(it->second);
  if (stored.entry.seq != seq || stored.has_record || stored.entry.expires_millis <= now_millis) {
    return nullptr;
  }
  stored.has_record = true;
  return &stored.entry;
}

bool DedupWindow::Erase(const std::string& key) { return Unindex(key); }

bool DedupWindow::Unindex(const std::string& key) {
  auto it = index_->map.find(std::string_view(key));
  if (it == index_->map.end()) return false;
  Stored& stored = At(it->second);
  stored.superseded = true;
  index_->map.erase(it);
  return stored.has_record;
}

void DedupWindow::Expire(int64_t now_millis, std::vector<std::string>& expired) {
  while (!order_.empty()) {
    Stored& stored = order_.front();
    if (!stored.superseded) {
      // The key's latest entry: it goes when it runs out.
      if (stored.entry.expires_millis > now_millis) break;
      index_->map.erase(std::string_view(stored.key));
      if (stored.has_record) expired.push_back(std::move(stored.key));
    }
    order_.pop_front();
  }
}

void DedupWindow::Clear() {
  index_->map.clear();
  order_.clear();
}

}  // namespace wharf::sqs
