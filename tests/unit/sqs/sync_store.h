#pragma once

// A Store that makes every wait synchronous: WhenDurable and ReadMessages block until the wrapped
// store has answered and then answer on the caller's thread, so a handler call over a RocksStore
// returns only once it is answered, and a move task's tick finishes within ManualClock::Advance.

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "storage/store.h"

namespace wharf::sqs::testing {

class SyncStore final : public storage::Store {
 public:
  explicit SyncStore(storage::Store& inner) : inner_(inner) {}

  bool durable() const override { return inner_.durable(); }
  storage::StorageStatus Health() const override { return inner_.Health(); }
  uint64_t Append(std::vector<storage::Record> records) override {
    return inner_.Append(std::move(records));
  }
  void WhenDurable(uint64_t ticket, storage::CommitDone done) override {
    done(Await<storage::StorageStatus>(
        [&](auto answer) { inner_.WhenDurable(ticket, std::move(answer)); }));
  }
  storage::StorageStatus Recover(storage::RecoveryVisitor& visitor) override {
    return inner_.Recover(visitor);
  }
  void ReadMessages(uint64_t queue_id, std::vector<uint64_t> seqs,
                    storage::ReadDone done) override {
    done(Await<Result<std::vector<std::string>, storage::StorageError>>(
        [&](auto answer) { inner_.ReadMessages(queue_id, std::move(seqs), std::move(answer)); }));
  }
  storage::StorageStatus ScanObjects(
      std::string_view prefix,
      const std::function<void(std::string_view, std::string_view)>& visit) override {
    return inner_.ScanObjects(prefix, visit);
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
};

}  // namespace wharf::sqs::testing
