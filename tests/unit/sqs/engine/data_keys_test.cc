#include "sqs/engine/data_keys.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

// A queue's table of SSE-KMS data-key records: stored once with the first message that needs
// one, kept while messages refer to it, deleted only after nothing has for the hold time, and
// all deleted with the queue.

namespace wharf::sqs {
namespace {

// A durable store that only remembers what was appended.
class RecordingStore final : public storage::Store {
 public:
  bool durable() const override { return true; }
  uint64_t Append(std::vector<storage::Record> records) override {
    for (auto& r : records) appended.push_back(std::move(r));
    return appended.size();
  }
  void WhenDurable(uint64_t, storage::CommitDone done) override { done({}); }
  storage::StorageStatus Recover(storage::RecoveryVisitor&) override { return {}; }
  void ReadMessages(uint64_t, std::vector<uint64_t> seqs, storage::ReadDone done) override {
    done(std::vector<std::string>(seqs.size()));
  }
  storage::StorageStatus ScanObjects(
      std::string_view, const std::function<void(std::string_view, std::string_view)>&) override {
    return {};
  }

  int Count(storage::RecordType type) const {
    int n = 0;
    for (const auto& r : appended) n += r.type == type ? 1 : 0;
    return n;
  }

  std::vector<storage::Record> appended;
};

std::shared_ptr<const DataKeyRecord> Record(uint64_t id) {
  return std::make_shared<const DataKeyRecord>(DataKeyRecord{id, "arn:key", "blob", 0});
}

MonoTime At(int64_t seconds) { return MonoTime{} + Seconds(seconds); }

TEST(QueueDataKeysTest, ARecordIsPutOnceAndDeletedAfterTheHoldOnceUnreferenced) {
  RecordingStore store;
  QueueDataKeys keys(7, store);
  EXPECT_TRUE(keys.empty());
  auto record = Record(42);
  keys.Reference(record);
  keys.Reference(record);
  keys.Reference(record);
  ASSERT_EQ(store.Count(storage::RecordType::kObjectPut), 1);
  EXPECT_EQ(store.appended[0].key, DataKeyObjectKey(7, 42));
  auto decoded = DecodeDataKeyRecord(store.appended[0].payload);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->id, 42u);
  EXPECT_EQ(keys.Find(42), record);
  EXPECT_FALSE(keys.SweepDue(At(1000))) << "nothing unreferenced";

  keys.Release(42, At(10));
  keys.Release(42, At(11));
  EXPECT_FALSE(keys.SweepDue(At(11))) << "still one message";
  keys.Release(42, At(20));
  EXPECT_TRUE(keys.SweepDue(At(20)));
  keys.Sweep(At(20), Seconds(300));
  EXPECT_EQ(store.Count(storage::RecordType::kObjectDelete), 0) << "within the hold";
  EXPECT_FALSE(keys.SweepDue(At(319)));
  EXPECT_TRUE(keys.SweepDue(At(320)));
  keys.Sweep(At(320), Seconds(300));
  ASSERT_EQ(store.Count(storage::RecordType::kObjectDelete), 1);
  EXPECT_EQ(store.appended.back().key, DataKeyObjectKey(7, 42));
  EXPECT_TRUE(keys.empty());
  EXPECT_EQ(keys.Find(42), nullptr);

  // A cached data key used again after its record went is stored again.
  keys.Reference(record);
  EXPECT_EQ(store.Count(storage::RecordType::kObjectPut), 2);
}

TEST(QueueDataKeysTest, AReferenceDuringTheHoldKeepsTheRecord) {
  RecordingStore store;
  QueueDataKeys keys(7, store);
  keys.Reference(Record(1));
  keys.Release(1, At(0));
  keys.Reference(Record(1));
  keys.Sweep(At(1000), Seconds(300));
  EXPECT_EQ(store.Count(storage::RecordType::kObjectDelete), 0);
  EXPECT_EQ(store.Count(storage::RecordType::kObjectPut), 1) << "not put twice";
}

TEST(QueueDataKeysTest, RecoveryPinsRestoredRecordsAndSweepsTheUnreferenced) {
  RecordingStore store;
  QueueDataKeys keys(7, store);
  keys.Restore(Record(1), At(0));
  keys.Restore(Record(2), At(0));
  EXPECT_TRUE(keys.Pin(1));
  EXPECT_FALSE(keys.Pin(3)) << "unknown";
  EXPECT_EQ(store.Count(storage::RecordType::kObjectPut), 0) << "already stored";
  keys.Sweep(At(300), Seconds(300));
  ASSERT_EQ(store.Count(storage::RecordType::kObjectDelete), 1);
  EXPECT_EQ(store.appended.back().key, DataKeyObjectKey(7, 2));
  EXPECT_NE(keys.Find(1), nullptr);
}

TEST(QueueDataKeysTest, DropAllDeletesEveryRecord) {
  RecordingStore store;
  QueueDataKeys keys(7, store);
  keys.Reference(Record(1));
  keys.Reference(Record(2));
  keys.DropAll();
  EXPECT_EQ(store.Count(storage::RecordType::kObjectDelete), 2);
  EXPECT_TRUE(keys.empty());
}

TEST(QueueDataKeysTest, AMemoryStoreWritesNothing) {
  storage::MemoryStore store;
  QueueDataKeys keys(7, store);
  keys.Reference(Record(1));
  EXPECT_NE(keys.Find(1), nullptr) << "the table itself still works";
  keys.Release(1, At(0));
  keys.Sweep(At(1000), Seconds(300));
  EXPECT_TRUE(keys.empty());
}

}  // namespace
}  // namespace wharf::sqs
