#include "sqs/engine/dedup_window.h"

namespace wharf::sqs {

std::string DedupKey(bool by_group, const std::string& group_id, const std::string& dedup_id) {
  if (!by_group) return dedup_id;
  std::string key = group_id;
  key.push_back('\0');  // neither id may contain NUL, so the pair is unambiguous
  key.append(dedup_id);
  return key;
}

const DedupEntry* DedupWindow::Find(const std::string& key, int64_t now_millis) const {
  auto it = entries_.find(key);
  if (it == entries_.end() || it->second.expires_millis <= now_millis) return nullptr;
  return &it->second;
}

void DedupWindow::Insert(std::string key, DedupEntry entry) {
  order_.emplace_back(entry.expires_millis, key);
  entries_[std::move(key)] = std::move(entry);
}

void DedupWindow::Erase(const std::string& key) { entries_.erase(key); }

void DedupWindow::Expire(int64_t now_millis, std::vector<std::string>& expired) {
  while (!order_.empty() && order_.front().first <= now_millis) {
    auto it = entries_.find(order_.front().second);
    // Only drop the entry if it is the one this order slot was created for.
    if (it != entries_.end() && it->second.expires_millis == order_.front().first) {
      expired.push_back(order_.front().second);
      entries_.erase(it);
    }
    order_.pop_front();
  }
}

void DedupWindow::Clear() {
  entries_.clear();
  order_.clear();
}

}  // namespace wharf::sqs
