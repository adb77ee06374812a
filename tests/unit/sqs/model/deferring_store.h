#pragma once

// A Store for model-based tests that makes the durability window deterministic. Records are
// held in memory until a request waits for them (WhenDurable); then everything held is handed
// to the wrapped store in append order and awaited, and the answer comes on the caller's
// thread. Records nobody waits for — those of standard receives and visibility changes, which
// are answered before they are synced (docs/guarantees.md) — stay held until the next wait, so
// a simulated crash can drop them, all or the later part: what a power cut may do to Wharf.
//
// This is one schedule the real group committer may produce (it syncs some time after the
// append), slowed down so that a test decides what a crash loses instead of a race.
// Single-threaded: used by one test thread.

#include <algorithm>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "storage/store.h"

namespace wharf::sqs::testing {

class DeferringStore final : public storage::Store {
 public:
  explicit DeferringStore(storage::Store& inner) : inner_(inner) {}

  bool durable() const override { return inner_.durable(); }
  storage::StorageStatus Health() const override { return inner_.Health(); }

  uint64_t Append(std::vector<storage::Record> records) override {
    if (!records.empty()) held_.push_back(std::move(records));
    return ++appended_;
  }

  void WhenDurable(uint64_t, storage::CommitDone done) override {
    ++flushes_;
    done(Flush());
  }

  storage::StorageStatus Recover(storage::RecoveryVisitor& visitor) override {
    return inner_.Recover(visitor);
  }
  void ReadMessages(uint64_t queue_id, std::vector<uint64_t> seqs,
                    storage::ReadDone done) override {
    storage::StorageStatus flushed = Flush();
    if (!flushed.ok()) {
      done(flushed.error());
      return;
    }
    done(Await<Result<std::vector<std::string>, storage::StorageError>>(
        [&](auto answer) { inner_.ReadMessages(queue_id, std::move(seqs), std::move(answer)); }));
  }
  storage::StorageStatus ScanObjects(
      std::string_view prefix,
      const std::function<void(std::string_view, std::string_view)>& visit) override {
    return inner_.ScanObjects(prefix, visit);
  }

  // How many times a request waited for durability (each wait makes everything before it
  // durable).
  uint64_t flushes() const { return flushes_; }
  // Groups appended and not yet handed to the wrapped store.
  size_t held() const { return held_.size(); }
  // A crash: of what nobody waited for, the first `kept` groups reached the disk (the
  // committer writes groups in order, whole), the rest is lost.
  storage::StorageStatus Crash(size_t kept) {
    held_.resize(std::min(kept, held_.size()));
    return Flush();
  }
  // Writes and awaits everything held (a clean shutdown does this).
  storage::StorageStatus Flush() {
    uint64_t ticket = 0;
    bool any = false;
    for (auto& group : held_) {
      ticket = inner_.Append(std::move(group));
      any = true;
    }
    held_.clear();
    if (!any) ticket = inner_.Append({});
    return Await<storage::StorageStatus>(
        [&](auto answer) { inner_.WhenDurable(ticket, std::move(answer)); });
  }

 private:
  template <typename T, typename Start>
  static T Await(Start start) {
    struct Slot {
      std::mutex mu;
      std::condition_variable cv;
      std::optional<T> value;
    };
    auto slot = std::make_shared<Slot>();
    start([slot](T value) {
      std::lock_guard lock(slot->mu);
      slot->value.emplace(std::move(value));
      slot->cv.notify_all();
    });
    std::unique_lock lock(slot->mu);
    slot->cv.wait(lock, [&] { return slot->value.has_value(); });
    return std::move(*slot->value);
  }

  storage::Store& inner_;
  std::vector<std::vector<storage::Record>> held_;
  uint64_t appended_ = 0;
  uint64_t flushes_ = 0;
};

}  // namespace wharf::sqs::testing
