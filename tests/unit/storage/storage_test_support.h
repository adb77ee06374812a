#pragma once

// Shared pieces of the storage tests: a temporary directory per test, a synchronous wait for a
// commit, a RecoveryVisitor that collects what a backend replays (and the keyed objects it
// scans), and a reference model of what
// a sequence of records must leave behind (the contract of store.h and docs/storage-format.md,
// written as plainly as possible so a backend can be checked against it).
//
// Threading: completions may run on a backend's thread; every helper that waits for one uses a
// mutex and condition variable with a generous deadline, so a lost completion fails the test
// instead of hanging it. Nothing here sleeps.

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/rocks_store.h"
#include "storage/store.h"
#include "storage_key.h"
#include "temp_dir.h"

namespace rocksdb {
class Env;
}

namespace wharf::storage::testing {

// How long a test waits for a completion before declaring it lost.
inline constexpr std::chrono::seconds kCompletionDeadline{60};

using wharf::testing::TempDir;

// One completion, waited for from the test thread.
class Completion {
 public:
  CommitDone Callback() {
    return [this](StorageStatus status) {
      std::lock_guard lock(mu_);
      ++calls_;
      if (!status_) status_ = std::move(status);
      cv_.notify_all();
    };
  }
  // The first status reported; nullopt (and a test failure) if none arrives in time.
  std::optional<StorageStatus> Wait() {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, kCompletionDeadline, [&] { return status_.has_value(); })) {
      ADD_FAILURE() << "completion lost: WhenDurable never answered";
      return std::nullopt;
    }
    return status_;
  }
  bool answered() const {
    std::lock_guard lock(mu_);
    return status_.has_value();
  }
  int calls() const {
    std::lock_guard lock(mu_);
    return calls_;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::optional<StorageStatus> status_;
  int calls_ = 0;
};

// Appends `records`, then waits until the store answers for them.
inline StorageStatus CommitAndWait(Store& store, std::vector<Record> records) {
  Completion done;
  store.Commit(std::move(records), done.Callback());
  std::optional<StorageStatus> status = done.Wait();
  if (!status) return StorageError{StorageErrorCode::kIoError, "no answer"};
  return *status;
}

inline std::string Describe(const StorageStatus& status) {
  return status.ok() ? std::string("ok") : status.error().detail;
}

// Opens a RocksStore with `options` (and the test sealing key); nullptr (and a test failure)
// when it cannot.
inline std::unique_ptr<RocksStore> OpenRocksWith(RocksOptions options) {
  options.sealing_key = wharf::testing::TestStorageKey();
  auto opened = RocksStore::Open(options);
  if (!opened.ok()) {
    ADD_FAILURE() << "RocksStore::Open(" << options.directory << "): " << opened.error().detail;
    return nullptr;
  }
  return std::move(opened).value();
}

// What a RocksStore reported through RocksOptions::on_health_change: a test waits for the
// store's recovery from a disk failure (which runs on its committer thread) without polling.
class HealthWatch {
 public:
  std::function<void(const StorageStatus&)> Callback() {
    return [this](const StorageStatus& status) {
      std::lock_guard lock(mu_);
      if (status.ok()) {
        ++recovered_;
      } else {
        ++failed_;
        last_failure_ = status.error();
      }
      cv_.notify_all();
    };
  }
  // Waits until the store has recovered `n` times in all; false (and a test failure) if it does
  // not within the deadline.
  bool WaitRecovered(int n = 1) {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, kCompletionDeadline, [&] { return recovered_ >= n; })) {
      ADD_FAILURE() << "the store did not recover from the disk failure";
      return false;
    }
    return true;
  }
  int failed() const {
    std::lock_guard lock(mu_);
    return failed_;
  }
  int recovered() const {
    std::lock_guard lock(mu_);
    return recovered_;
  }
  std::optional<StorageError> last_failure() const {
    std::lock_guard lock(mu_);
    return last_failure_;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  int failed_ = 0;
  int recovered_ = 0;
  std::optional<StorageError> last_failure_;
};

// Opens a RocksStore on `directory`; nullptr (and a test failure) when it cannot.
inline std::unique_ptr<RocksStore> OpenRocks(
    const std::string& directory, Durability durability = Durability::kStrict,
    rocksdb::Env* env = nullptr,
    std::chrono::milliseconds relaxed_sync_interval = std::chrono::milliseconds(100)) {
  RocksOptions options;
  options.directory = directory;
  options.durability = durability;
  options.env = env;
  options.relaxed_sync_interval = relaxed_sync_interval;
  options.sealing_key = wharf::testing::TestStorageKey();
  auto opened = RocksStore::Open(options);
  if (!opened.ok()) {
    ADD_FAILURE() << "RocksStore::Open(" << directory << "): " << opened.error().detail;
    return nullptr;
  }
  return std::move(opened).value();
}

// --- records -----------------------------------------------------------------------------

inline Record QueuePut(uint64_t queue, std::string payload) {
  return Record{RecordType::kQueuePut, queue, 0, std::move(payload)};
}
inline Record QueueDelete(uint64_t queue) { return Record{RecordType::kQueueDelete, queue, 0, {}}; }
inline Record QueuePurge(uint64_t queue, uint64_t bound) {
  return Record{RecordType::kQueuePurge, queue, bound, {}};
}
inline Record MessagePut(uint64_t queue, uint64_t seq, std::string payload) {
  return Record{RecordType::kMessagePut, queue, seq, std::move(payload)};
}
inline Record MessageState(uint64_t queue, uint64_t seq, std::string payload) {
  return Record{RecordType::kMessageState, queue, seq, std::move(payload)};
}
inline Record MessageDelete(uint64_t queue, uint64_t seq) {
  return Record{RecordType::kMessageDelete, queue, seq, {}};
}
inline Record DedupPut(uint64_t queue, std::string key, std::string payload) {
  Record r{RecordType::kDedupPut, queue, 0, std::move(payload)};
  r.key = std::move(key);
  return r;
}
inline Record DedupDelete(uint64_t queue, std::string key) {
  Record r{RecordType::kDedupDelete, queue, 0, {}};
  r.key = std::move(key);
  return r;
}
inline Record ObjectPut(std::string key, std::string payload) {
  Record r{RecordType::kObjectPut, 0, 0, std::move(payload)};
  r.key = std::move(key);
  return r;
}
inline Record ObjectDelete(std::string key) {
  Record r{RecordType::kObjectDelete, 0, 0, {}};
  r.key = std::move(key);
  return r;
}

// Every byte value, NUL first, twice: payloads must be bytes, not C strings.
inline std::string AllBytes() {
  std::string out;
  for (int round = 0; round < 2; ++round) {
    for (int b = 0; b < 256; ++b) out.push_back(static_cast<char>(b));
  }
  return out;
}

inline std::string RandomBytes(std::mt19937_64& rng, size_t n) {
  std::string out(n, '\0');
  for (size_t i = 0; i < n; i += 8) {
    uint64_t word = rng();
    for (size_t j = i; j < n && j < i + 8; ++j, word >>= 8) out[j] = static_cast<char>(word & 0xff);
  }
  return out;
}

// --- what a store holds ----------------------------------------------------------------------

using MessageKey = std::pair<uint64_t, uint64_t>;  // queue, seq
using DedupKey = std::pair<uint64_t, std::string>;

// What Recover() replays: queues, messages joined with their latest state ("" when none), and
// deduplication entries; and what ScanObjects("") visits: keyed objects.
struct Replayed {
  std::map<uint64_t, std::string> queues;
  std::map<MessageKey, std::pair<std::string, std::string>> messages;  // message, state
  std::map<DedupKey, std::string> dedup;
  std::map<std::string, std::string> objects;

  bool operator==(const Replayed&) const = default;
};

inline std::string Abbreviate(const std::string& bytes) {
  std::ostringstream out;
  out << bytes.size() << " bytes";
  if (!bytes.empty()) {
    out << " \"";
    for (size_t i = 0; i < bytes.size() && i < 24; ++i) {
      auto c = static_cast<unsigned char>(bytes[i]);
      if (c >= 0x20 && c < 0x7f) {
        out << bytes[i];
      } else {
        out << "\\x" << std::hex << static_cast<int>(c) << std::dec;
      }
    }
    out << (bytes.size() > 24 ? "...\"" : "\"");
  }
  return out.str();
}

// The first few differences between what was expected and what a store replayed.
inline std::string Diff(const Replayed& expected, const Replayed& actual) {
  std::ostringstream out;
  int shown = 0;
  auto note = [&](const std::string& line) {
    if (shown++ < 8) out << "\n  " << line;
  };
  for (const auto& [q, payload] : expected.queues) {
    auto it = actual.queues.find(q);
    if (it == actual.queues.end()) {
      note("queue " + std::to_string(q) + " missing");
    } else if (it->second != payload) {
      note("queue " + std::to_string(q) + ": expected " + Abbreviate(payload) + ", got " +
           Abbreviate(it->second));
    }
  }
  for (const auto& [q, payload] : actual.queues) {
    if (!expected.queues.contains(q)) note("unexpected queue " + std::to_string(q));
  }
  for (const auto& [key, value] : expected.messages) {
    const std::string name = std::to_string(key.first) + "/" + std::to_string(key.second);
    auto it = actual.messages.find(key);
    if (it == actual.messages.end()) {
      note("message " + name + " missing");
    } else if (it->second.first != value.first) {
      note("message " + name + ": expected " + Abbreviate(value.first) + ", got " +
           Abbreviate(it->second.first));
    } else if (it->second.second != value.second) {
      note("state of " + name + ": expected " + Abbreviate(value.second) + ", got " +
           Abbreviate(it->second.second));
    }
  }
  for (const auto& [key, value] : actual.messages) {
    if (!expected.messages.contains(key)) {
      note("unexpected message " + std::to_string(key.first) + "/" + std::to_string(key.second));
    }
  }
  for (const auto& [key, value] : expected.dedup) {
    auto it = actual.dedup.find(key);
    if (it == actual.dedup.end() || it->second != value) {
      note("dedup " + std::to_string(key.first) + "/" + key.second + " missing or different");
    }
  }
  for (const auto& [key, value] : actual.dedup) {
    if (!expected.dedup.contains(key)) {
      note("unexpected dedup " + std::to_string(key.first) + "/" + key.second);
    }
  }
  for (const auto& [key, value] : expected.objects) {
    auto it = actual.objects.find(key);
    if (it == actual.objects.end()) {
      note("object " + Abbreviate(key) + " missing");
    } else if (it->second != value) {
      note("object " + Abbreviate(key) + ": expected " + Abbreviate(value) + ", got " +
           Abbreviate(it->second));
    }
  }
  for (const auto& [key, value] : actual.objects) {
    if (!expected.objects.contains(key)) note("unexpected object " + Abbreviate(key));
  }
  if (shown > 8) out << "\n  ... and " << (shown - 8) << " more";
  return shown == 0 ? std::string("(no difference)") : out.str();
}

// Collects a replay and checks its order: queues by id, then messages by (queue, seq).
class Collector final : public RecoveryVisitor {
 public:
  void Queue(uint64_t queue_id, std::string_view payload) override {
    if (saw_message_)
      order_errors_.push_back("queue " + std::to_string(queue_id) + " after a message");
    if (!replayed_.queues.empty() && replayed_.queues.rbegin()->first >= queue_id) {
      order_errors_.push_back("queue " + std::to_string(queue_id) + " out of order");
    }
    if (!replayed_.queues.emplace(queue_id, std::string(payload)).second) {
      order_errors_.push_back("queue " + std::to_string(queue_id) + " twice");
    }
  }
  void Message(uint64_t queue_id, uint64_t seq, std::string_view message,
               std::string_view state) override {
    saw_message_ = true;
    const MessageKey key{queue_id, seq};
    if (!replayed_.messages.empty() && replayed_.messages.rbegin()->first >= key) {
      order_errors_.push_back("message " + std::to_string(queue_id) + "/" + std::to_string(seq) +
                              " out of order");
    }
    replayed_.messages.emplace(key, std::make_pair(std::string(message), std::string(state)));
  }
  void Dedup(uint64_t queue_id, std::string_view key, std::string_view payload) override {
    if (!replayed_.dedup.emplace(DedupKey{queue_id, std::string(key)}, std::string(payload))
             .second) {
      order_errors_.push_back("dedup entry twice");
    }
  }

  const Replayed& replayed() const { return replayed_; }
  const std::vector<std::string>& order_errors() const { return order_errors_; }

 private:
  Replayed replayed_;
  bool saw_message_ = false;
  std::vector<std::string> order_errors_;
};

// Every object ScanObjects(prefix) visits, in the order visited (key, payload).
inline std::vector<std::pair<std::string, std::string>> ScanAll(Store& store,
                                                                std::string_view prefix = {}) {
  std::vector<std::pair<std::string, std::string>> out;
  StorageStatus status = store.ScanObjects(prefix, [&](std::string_view key, std::string_view v) {
    out.emplace_back(std::string(key), std::string(v));
  });
  EXPECT_TRUE(status.ok()) << "ScanObjects failed: " << Describe(status);
  return out;
}

// Recovers `store` into a Replayed, with every keyed object, failing the test on an error or a
// misordered replay or scan.
inline Replayed RecoverAll(Store& store) {
  Collector collector;
  StorageStatus status = store.Recover(collector);
  EXPECT_TRUE(status.ok()) << "Recover failed: " << Describe(status);
  for (const std::string& error : collector.order_errors()) ADD_FAILURE() << "replay: " << error;
  Replayed out = collector.replayed();
  for (auto& [key, payload] : ScanAll(store)) {
    if (!out.objects.empty() && out.objects.rbegin()->first >= key) {
      ADD_FAILURE() << "scan: object " << Abbreviate(key) << " out of order or twice";
    }
    out.objects.emplace(std::move(key), std::move(payload));
  }
  return out;
}

// The reference model: the contents of a store after applying records in order, as store.h and
// docs/storage-format.md specify them. Messages and states are kept apart (a message put over an
// existing one keeps its state, a state without a message is never replayed), as on disk.
class Model {
 public:
  void Apply(const Record& r) {
    switch (r.type) {
      case RecordType::kQueuePut:
        queues_[r.queue_id] = r.payload;
        return;
      case RecordType::kQueueDelete:
        queues_.erase(r.queue_id);
        EraseMessages(r.queue_id, UINT64_MAX, /*inclusive=*/true);
        EraseDedup(r.queue_id);
        return;
      case RecordType::kQueuePurge:
        EraseMessages(r.queue_id, r.seq, /*inclusive=*/false);
        EraseDedup(r.queue_id);
        return;
      case RecordType::kMessagePut:
        messages_[{r.queue_id, r.seq}] = r.payload;
        return;
      case RecordType::kMessageState:
        states_[{r.queue_id, r.seq}] = r.payload;
        return;
      case RecordType::kMessageDelete:
        messages_.erase({r.queue_id, r.seq});
        states_.erase({r.queue_id, r.seq});
        return;
      case RecordType::kDedupPut:
        dedup_[{r.queue_id, r.key}] = r.payload;
        return;
      case RecordType::kDedupDelete:
        dedup_.erase({r.queue_id, r.key});
        return;
      case RecordType::kTaskPut:
        return;  // move tasks are not part of the replay this model checks
      case RecordType::kMessageCopy: {
        auto source = messages_.find({r.src_queue_id, r.src_seq});
        if (source != messages_.end()) messages_[{r.queue_id, r.seq}] = source->second;
        return;
      }
      case RecordType::kObjectPut:
        objects_[r.key] = r.payload;
        return;
      case RecordType::kObjectDelete:
        objects_.erase(r.key);
        return;
    }
  }
  void Apply(const std::vector<Record>& records) {
    for (const Record& r : records) Apply(r);
  }

  Replayed Expected() const {
    Replayed out;
    out.queues = queues_;
    for (const auto& [key, message] : messages_) {
      auto state = states_.find(key);
      out.messages.emplace(key,
                           std::make_pair(message, state == states_.end() ? "" : state->second));
    }
    out.dedup = dedup_;
    out.objects = objects_;
    return out;
  }

  bool HasMessage(uint64_t queue, uint64_t seq) const { return messages_.contains({queue, seq}); }
  bool HasQueue(uint64_t queue) const { return queues_.contains(queue); }

 private:
  void EraseMessages(uint64_t queue, uint64_t bound, bool inclusive) {
    auto erase = [&](auto& map) {
      for (auto it = map.lower_bound({queue, 0}); it != map.end() && it->first.first == queue;) {
        if (it->first.second < bound || inclusive) {
          it = map.erase(it);
        } else {
          ++it;
        }
      }
    };
    erase(messages_);
    erase(states_);
  }
  void EraseDedup(uint64_t queue) {
    for (auto it = dedup_.lower_bound({queue, std::string()});
         it != dedup_.end() && it->first.first == queue;) {
      it = dedup_.erase(it);
    }
  }

  std::map<uint64_t, std::string> queues_;
  std::map<MessageKey, std::string> messages_;
  std::map<MessageKey, std::string> states_;
  std::map<DedupKey, std::string> dedup_;
  std::map<std::string, std::string> objects_;  // std::string compares bytes as unsigned
};

// Finds how much of `commits` (after `base`) a recovered store holds: the smallest j >= `at_least`
// such that base + commits[0..j) replays as `replayed`. A store that lost an acknowledged commit,
// reordered commits, or kept part of one has no such j: nullopt.
inline std::optional<size_t> MatchingPrefix(const Model& base,
                                            const std::vector<std::vector<Record>>& commits,
                                            size_t at_least, const Replayed& replayed,
                                            Model* matched = nullptr) {
  Model model = base;
  for (size_t j = 0; j <= commits.size(); ++j) {
    if (j >= at_least && model.Expected() == replayed) {
      if (matched) *matched = model;
      return j;
    }
    if (j < commits.size()) model.Apply(commits[j]);
  }
  return std::nullopt;
}

// Engine-like commits over a few queues: sends, receives (states), deletes, attribute changes,
// purges, queue deletes and re-creations, deduplication entries, and keyed objects (puts,
// overwrites, deletes; sometimes in the same commit as a queue change). Seqs are never reused,
// so a record lost in a crash cannot be confused with a later one.
class Workload {
 public:
  // `range_deletes`: whether to purge and delete queues (range tombstones).
  explicit Workload(uint64_t seed, size_t max_payload = 2048, bool range_deletes = true)
      : rng_(seed), max_payload_(max_payload), range_deletes_(range_deletes) {}

  std::vector<Record> Next() {
    std::vector<Record> out;
    const uint64_t q = kQueues[rng_() % std::size(kQueues)];
    std::set<uint64_t>& live = live_[q];
    const unsigned op = rng_() % 100;
    if (op < 45 || live.empty()) {  // send 1-3 messages
      for (unsigned i = 0, n = 1 + rng_() % 3; i < n; ++i) {
        const uint64_t seq = ++next_seq_[q];
        out.push_back(MessagePut(q, seq, Payload()));
        live.insert(seq);
      }
    } else if (op < 70) {  // receive: states of up to 3 live messages
      auto it = live.begin();
      std::advance(it, rng_() % live.size());
      for (int i = 0; i < 3 && it != live.end(); ++i, ++it) {
        out.push_back(MessageState(q, *it, RandomBytes(rng_, 8 + rng_() % 24)));
      }
    } else if (op < 88) {  // delete 1-2 live messages
      for (int i = 0; i < 2 && !live.empty(); ++i) {
        auto it = live.begin();
        std::advance(it, rng_() % live.size());
        out.push_back(MessageDelete(q, *it));
        live.erase(it);
      }
    } else if (op < 93) {  // attributes or tags changed
      out.push_back(QueuePut(q, RandomBytes(rng_, 16 + rng_() % 200)));
      if (rng_() % 4 == 0) out.push_back(ObjectPut(ObjectName(), RandomBytes(rng_, rng_() % 64)));
    } else if (op < 96 && rng_() % 2 == 0) {  // a keyed object written or removed
      if (rng_() % 3 == 0) {
        out.push_back(ObjectDelete(ObjectName()));
      } else {
        out.push_back(ObjectPut(ObjectName(), RandomBytes(rng_, rng_() % 300)));
      }
    } else if (op < 96 && range_deletes_) {  // purge
      out.push_back(QueuePurge(q, next_seq_[q] + 1));
      live.clear();
    } else if (op < 98 && range_deletes_) {  // queue deleted and created again, same id
      out.push_back(QueueDelete(q));
      out.push_back(QueuePut(q, "re-created"));
      live.clear();
    } else {  // FIFO deduplication window
      const std::string key = "dedup-" + std::to_string(rng_() % 4);
      if (rng_() % 2) {
        out.push_back(DedupPut(q, key, RandomBytes(rng_, 12)));
      } else {
        out.push_back(DedupDelete(q, key));
      }
    }
    return out;
  }

 private:
  static constexpr uint64_t kQueues[] = {1, 2, 0x8000'0000'0000'0000ULL, UINT64_MAX - 1};

  // A few owners' namespaces, and keys that are prefixes of others or hold NUL and 0xFF bytes.
  std::string ObjectName() {
    static const char* const kPrefixes[] = {"iam/000000000000/user/", "iam/000000000000/key/",
                                            "kms/key/", "sns/"};
    std::string key = kPrefixes[rng_() % std::size(kPrefixes)];
    switch (rng_() % 4) {
      case 0:
        return key;  // the bare prefix is a key too
      case 1:
        return key.append(std::string("x\0\xff", 3));
      default:
        return key.append(std::to_string(rng_() % 6));
    }
  }

  std::string Payload() {
    // Now and then a body larger than a WAL block (32 KiB), so records span blocks.
    const size_t n = rng_() % 16 == 0 ? 40'000 + rng_() % 40'000 : rng_() % (max_payload_ + 1);
    return RandomBytes(rng_, n);
  }

  std::mt19937_64 rng_;
  size_t max_payload_;
  bool range_deletes_;
  std::map<uint64_t, uint64_t> next_seq_;
  std::map<uint64_t, std::set<uint64_t>> live_;
};

}  // namespace wharf::storage::testing
