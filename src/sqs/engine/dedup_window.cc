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
  if (it == entries_.end() || it->second.erased || it->second.entry.expires_millis <= now_millis) {
    return nullptr;
  }
  return &it->second.entry;
}

void DedupWindow::Insert(std::string key, DedupEntry entry) {
  auto [it, added] = entries_.try_emplace(std::move(key));
  Stored& stored = it->second;
  if (stored.erased) --erased_;
  stored = Stored{std::move(entry), ++insertions_, false};
  order_.push_back(Slot{&*it, stored.insertion});
}

void DedupWindow::Erase(const std::string& key) {
  auto it = entries_.find(key);
  if (it == entries_.end() || it->second.erased) return;
  it->second.erased = true;
  ++erased_;
}

void DedupWindow::Expire(int64_t now_millis, std::vector<std::string>& expired) {
  while (!order_.empty()) {
    const Slot slot = order_.front();
    Stored& stored = slot.entry->second;
    if (stored.insertion == slot.insertion) {
      // The key's latest slot: the entry goes when it runs out.
      if (stored.entry.expires_millis > now_millis) break;
      if (stored.erased) {
        --erased_;
      } else {
        expired.push_back(slot.entry->first);
      }
      entries_.erase(entries_.find(slot.entry->first));  // (not erase(key): the key is inside)
    }
    // Otherwise a stale slot (the key was inserted again): dropped, the entry stays.
    order_.pop_front();
  }
}

void DedupWindow::Clear() {
  entries_.clear();
  order_.clear();
  erased_ = 0;
}

}  // namespace wharf::sqs
