// Sealing at rest (docs/storage-format.md "Sealing"): no value the store writes is on disk in
// clear, everything reads back after a reopen, a wrong key stops the open, an altered or moved
// value is reported instead of read, and a store written before sealing is sealed in place.

#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "common/binary_codec.h"
#include "storage/fault_injection.h"
#include "storage/rocks_store.h"
#include "storage_key.h"
#include "storage_test_support.h"

namespace wharf::storage {
namespace {

using testing::CommitAndWait;
using testing::Describe;
using testing::Diff;
using testing::Model;
using testing::OpenRocks;
using testing::RecoverAll;
using testing::Replayed;
using testing::TempDir;
using wharf::testing::TestStorageKey;

namespace fs = std::filesystem;

// Every file under `dir` (WAL, SST, MANIFEST, LOG, ...) whose bytes contain `needle`.
std::vector<std::string> FilesContaining(const std::string& dir, std::string_view needle) {
  std::vector<std::string> found;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (bytes.find(needle) != std::string::npos) found.push_back(entry.path().string());
  }
  return found;
}

std::unique_ptr<RocksStore> OpenWithKey(const std::string& dir, const Sealer& key,
                                        uint64_t seals_per_data_key = ValueSealer::kSealsPerDataKey,
                                        rocksdb::Env* env = nullptr) {
  RocksOptions options;
  options.directory = dir;
  options.sealing_key = key;
  options.seals_per_data_key = seals_per_data_key;
  options.env = env;
  auto opened = RocksStore::Open(options);
  if (!opened.ok()) {
    ADD_FAILURE() << "open: " << opened.error().detail;
    return nullptr;
  }
  return std::move(opened).value();
}

StorageError OpenError(const std::string& dir, const Sealer& key) {
  RocksOptions options;
  options.directory = dir;
  options.sealing_key = key;
  auto opened = RocksStore::Open(options);
  if (opened.ok()) {
    ADD_FAILURE() << "the store opened";
    return StorageError{StorageErrorCode::kIoError, ""};
  }
  return opened.error();
}

// The RocksDB under a store, opened without the store: what someone with the files can do.
class RawDb {
 public:
  explicit RawDb(const std::string& dir) {
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (const char* name : {"default", "meta", "msg", "state", "dedup"}) {
      families.emplace_back(name, rocksdb::ColumnFamilyOptions());
    }
    rocksdb::DBOptions options;
    options.create_if_missing = true;
    options.create_missing_column_families = true;
    rocksdb::DB* db = nullptr;
    const rocksdb::Status s = rocksdb::DB::Open(options, dir, families, &handles_, &db);
    EXPECT_TRUE(s.ok()) << s.ToString();
    db_.reset(db);
  }
  ~RawDb() {
    for (auto* handle : handles_) db_->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
    db_->Close().PermitUncheckedError();
  }
  rocksdb::ColumnFamilyHandle* family(const std::string& name) {
    for (auto* handle : handles_) {
      if (handle->GetName() == name) return handle;
    }
    ADD_FAILURE() << "no family " << name;
    return handles_[0];
  }
  std::string Get(const std::string& family_name, const std::string& key) {
    std::string value;
    const rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), family(family_name), key, &value);
    EXPECT_TRUE(s.ok()) << family_name << ": " << s.ToString();
    return value;
  }
  void Put(const std::string& family_name, const std::string& key, const std::string& value) {
    rocksdb::WriteOptions sync;
    sync.sync = true;
    EXPECT_TRUE(db_->Put(sync, family(family_name), key, value).ok());
  }
  void Write(rocksdb::WriteBatch& batch) {
    rocksdb::WriteOptions sync;
    sync.sync = true;
    EXPECT_TRUE(db_->Write(sync, &batch).ok());
  }
  // Every key of a family, in order.
  std::vector<std::string> Keys(const std::string& family_name) {
    std::vector<std::string> keys;
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(rocksdb::ReadOptions(), family(family_name)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) keys.push_back(it->key().ToString());
    return keys;
  }

 private:
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
};

// The body-read path (messages kept only on disk).
Result<std::vector<std::string>, StorageError> ReadBodies(Store& store, uint64_t queue,
                                                          std::vector<uint64_t> seqs) {
  std::promise<Result<std::vector<std::string>, StorageError>> read;
  store.ReadMessages(queue, std::move(seqs),
                     [&](auto result) { read.set_value(std::move(result)); });
  return read.get_future().get();
}

std::string BigEndianKey(uint64_t queue, uint64_t seq) {
  std::string key;
  BinaryWriter w(key);
  w.BigEndian64(queue);
  w.BigEndian64(seq);
  return key;
}

// Distinctive plaintext in every kind of record: none of it may be found in any file.
const std::string kBody = "body-plaintext-7f3a1c";
const std::string kState = "state-plaintext-91ab";
const std::string kQueue = "queue-policy-plaintext-e4d2";
const std::string kObject = "iam-policy-plaintext-55c0";
const std::string kTask = "task-plaintext-0c3e";
const std::string kDedupId = "dedup-id-plaintext-a17f";
const std::string kDedupValue = "dedup-record-plaintext-3b9e";

std::vector<Record> EveryKindOfRecord() {
  Record task{RecordType::kTaskPut, 0, 0, kTask};
  task.key = "task-1";
  return {testing::QueuePut(7, kQueue),
          testing::MessagePut(7, 1, kBody + "-1"),
          testing::MessagePut(7, 2, kBody + "-2"),
          testing::MessageState(7, 1, kState),
          testing::DedupPut(7, std::string("group\0", 6) + kDedupId, kDedupValue),
          testing::ObjectPut("iam/user/000000000000/alice", kObject),
          task};
}

const std::vector<std::string>& Needles() {
  static const std::vector<std::string> needles = {kBody, kState,   kQueue,     kObject,
                                                   kTask, kDedupId, kDedupValue};
  return needles;
}

void ExpectNoPlaintext(const std::string& dir) {
  for (const std::string& needle : Needles()) {
    EXPECT_EQ(FilesContaining(dir, needle), std::vector<std::string>()) << needle;
  }
}

TEST(SealedStoreTest, NothingIsOnDiskInClearAndEverythingReadsBack) {
  TempDir dir;
  Model model;
  model.Apply(EveryKindOfRecord());
  {
    auto store = OpenRocks(dir.db());
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(CommitAndWait(*store, EveryKindOfRecord()).ok());
    // Written and synced: the WAL holds it all, as after a kill -9.
    ExpectNoPlaintext(dir.db());
  }
  ExpectNoPlaintext(dir.db());
  // The search itself works: a file with the text in clear is found.
  std::ofstream(dir.path() / "probe") << kBody;
  EXPECT_EQ(FilesContaining(dir.path().string(), kBody).size(), 1u);

  auto store = OpenRocks(dir.db());
  ASSERT_NE(store, nullptr);
  const Replayed replayed = RecoverAll(*store);
  EXPECT_EQ(replayed, model.Expected()) << Diff(model.Expected(), replayed);
  // The deduplication key comes back from the sealed value, not the RocksDB key.
  ASSERT_EQ(replayed.dedup.size(), 1u);
  EXPECT_EQ(replayed.dedup.begin()->first.second, std::string("group\0", 6) + kDedupId);

  // Bodies kept only on disk are opened on the read path.
  auto bodies = ReadBodies(*store, 7, {1, 2, 3});
  ASSERT_TRUE(bodies.ok()) << bodies.error().detail;
  EXPECT_EQ(*bodies, (std::vector<std::string>{kBody + "-1", kBody + "-2", ""}));

  // After a flush and compaction (SST files instead of the WAL) still nothing in clear.
  ASSERT_TRUE(CommitAndWait(*store, {testing::MessagePut(7, 3, kBody + "-3")}).ok());
  store.reset();
  {
    RawDb raw(dir.db());  // reopening replays the WAL into SST files
  }
  ExpectNoPlaintext(dir.db());
}

TEST(SealedStoreTest, KeysHoldOnlyIdsAndDigests) {
  TempDir dir;
  {
    auto store = OpenRocks(dir.db());
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(CommitAndWait(*store, EveryKindOfRecord()).ok());
  }
  RawDb raw(dir.db());
  for (const std::string& key : raw.Keys("dedup")) {
    EXPECT_EQ(key.size(), 8 + ValueSealer::kDedupDigestSize);
    EXPECT_EQ(key.find(kDedupId), std::string::npos);
  }
  EXPECT_EQ(raw.Keys("msg"), (std::vector<std::string>{BigEndianKey(7, 1), BigEndianKey(7, 2)}));
  // Every value is a sealed value: version 1, then the key id of a data key.
  const std::string sealed = raw.Get("msg", BigEndianKey(7, 1));
  EXPECT_EQ(sealed.size(), kBody.size() + 2 + Sealer::kOverhead);
  EXPECT_EQ(sealed[0], '\x01');
}

TEST(SealedStoreTest, DedupDeletesFindTheirDigestKeys) {
  TempDir dir;
  {
    auto store = OpenRocks(dir.db());
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(
        CommitAndWait(*store, {testing::DedupPut(7, "a", "1"), testing::DedupPut(7, "b", "2"),
                               testing::DedupPut(8, "a", "3")})
            .ok());
    ASSERT_TRUE(CommitAndWait(*store, {testing::DedupDelete(7, "a")}).ok());
  }
  auto store = OpenRocks(dir.db());
  ASSERT_NE(store, nullptr);
  const Replayed replayed = RecoverAll(*store);
  EXPECT_EQ(replayed.dedup,
            (std::map<testing::DedupKey, std::string>{{{7, "b"}, "2"}, {{8, "a"}, "3"}}));
}

TEST(SealedStoreTest, AnotherRootKeyCannotOpenTheStore) {
  TempDir dir;
  {
    auto store = OpenWithKey(dir.db(), TestStorageKey('a'));
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(CommitAndWait(*store, {testing::MessagePut(1, 1, "kept")}).ok());
  }
  const StorageError error = OpenError(dir.db(), TestStorageKey('b'));
  EXPECT_EQ(error.code, StorageErrorCode::kWrongKey);
  EXPECT_NE(error.detail.find("another root key"), std::string::npos) << error.detail;
  EXPECT_NE(error.detail.find(dir.db()), std::string::npos) << error.detail;
  // Nothing was changed by the refused open: the right key still reads everything.
  auto store = OpenWithKey(dir.db(), TestStorageKey('a'));
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(RecoverAll(*store).messages.size(), 1u);
}

TEST(SealedStoreTest, OpenWithoutAKeyIsRefused) {
  TempDir dir;
  RocksOptions options;
  options.directory = dir.db();
  auto opened = RocksStore::Open(options);
  ASSERT_FALSE(opened.ok());
  EXPECT_NE(opened.error().detail.find("no sealing key"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir.db())) << "nothing is created without a key";
}

// Format version 2 (FIFO deduplication entries rebuilt from message records): a store with a
// version-1 format record opens, keeps everything, and is marked version 2 so an earlier build
// (which would not know the stored FIFO messages' entries) refuses it; a version this build does
// not know is refused with its number.
TEST(SealedStoreTest, AVersionOneStoreIsUpgradedAndAnUnknownVersionRefused) {
  TempDir dir;
  {
    auto store = OpenRocks(dir.db());
    ASSERT_NE(store, nullptr);
    EXPECT_FALSE(store->sealing_report().upgraded);
    ASSERT_TRUE(CommitAndWait(
                    *store, {testing::MessagePut(1, 1, "kept"), testing::DedupPut(1, "k", "entry")})
                    .ok());
  }
  {
    RawDb raw(dir.db());
    std::string format = raw.Get("meta", "F");
    ASSERT_EQ(format[0], '\x02') << "new stores are written as version 2";
    format[0] = '\x01';
    raw.Put("meta", "F", format);
  }
  {
    auto store = OpenRocks(dir.db());
    ASSERT_NE(store, nullptr);
    EXPECT_TRUE(store->sealing_report().upgraded);
    const Replayed replayed = RecoverAll(*store);
    EXPECT_EQ(replayed.messages.size(), 1u);
    EXPECT_EQ(replayed.dedup.size(), 1u);
  }
  {
    RawDb raw(dir.db());
    std::string format = raw.Get("meta", "F");
    EXPECT_EQ(format[0], '\x02') << "upgraded in place";
    format[0] = '\x03';
    raw.Put("meta", "F", format);
  }
  const StorageError error = OpenError(dir.db(), TestStorageKey());
  EXPECT_EQ(error.code, StorageErrorCode::kCorruption);
  EXPECT_NE(error.detail.find("format version 3"), std::string::npos) << error.detail;
}

// A value altered on disk (by someone who can write consistent RocksDB files), or moved to
// another key or family, is reported as corruption on every read path; nothing is misread.
class TamperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = OpenRocks(dir_.db());
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(CommitAndWait(*store, EveryKindOfRecord()).ok());
  }
  void Tamper(const std::string& family, const std::string& key, size_t byte) {
    RawDb raw(dir_.db());
    std::string value = raw.Get(family, key);
    ASSERT_LT(byte, value.size());
    value[byte] = static_cast<char>(value[byte] ^ 0x01);
    raw.Put(family, key, value);
  }
  void Move(const std::string& from_family, const std::string& from, const std::string& to_family,
            const std::string& to) {
    RawDb raw(dir_.db());
    raw.Put(to_family, to, raw.Get(from_family, from));
  }
  // Recover's error; a test failure if it succeeds.
  StorageError RecoverError() {
    auto store = OpenRocks(dir_.db());
    if (store == nullptr) return StorageError{StorageErrorCode::kIoError, "no store"};
    testing::Collector collector;
    StorageStatus status = store->Recover(collector);
    if (status.ok()) {
      ADD_FAILURE() << "Recover read a tampered store";
      return StorageError{StorageErrorCode::kIoError, ""};
    }
    return status.error();
  }

  TempDir dir_;
};

TEST_F(TamperTest, AlteredMessageBodyFailsRecoveryAndReads) {
  const size_t last = kBody.size() + 2 + Sealer::kOverhead - 1;
  for (size_t byte : {size_t{0}, size_t{3}, size_t{10}, size_t{20}, last}) {
    SCOPED_TRACE(byte);
    Tamper("msg", BigEndianKey(7, 1), byte);
    const StorageError error = RecoverError();
    EXPECT_EQ(error.code, StorageErrorCode::kCorruption);
    EXPECT_NE(error.detail.find("message record"), std::string::npos) << error.detail;
    EXPECT_NE(error.detail.find("does not open"), std::string::npos) << error.detail;
    {
      auto store = OpenRocks(dir_.db());
      ASSERT_NE(store, nullptr);
      auto bodies = ReadBodies(*store, 7, {1});
      ASSERT_FALSE(bodies.ok()) << "read a tampered body";
      EXPECT_EQ(bodies.error().code, StorageErrorCode::kCorruption);
    }
    Tamper("msg", BigEndianKey(7, 1), byte);  // back as it was: readable again
    auto store = OpenRocks(dir_.db());
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(RecoverAll(*store).messages.size(), 2u);
  }
}

TEST_F(TamperTest, ValueMovedToAnotherKeyDoesNotOpen) {
  Move("msg", BigEndianKey(7, 1), "msg", BigEndianKey(7, 2));
  EXPECT_EQ(RecoverError().code, StorageErrorCode::kCorruption);
}

TEST_F(TamperTest, ValueMovedToAnotherFamilyDoesNotOpen) {
  // msg and state share keys: a message record planted as the state of message 2.
  Move("msg", BigEndianKey(7, 1), "state", BigEndianKey(7, 2));
  const StorageError error = RecoverError();
  EXPECT_EQ(error.code, StorageErrorCode::kCorruption);
  EXPECT_NE(error.detail.find("state record"), std::string::npos) << error.detail;
}

TEST_F(TamperTest, AlteredObjectFailsTheScan) {
  const std::string key = "Oiam/user/000000000000/alice";
  Tamper("meta", key, 25);
  auto store = OpenRocks(dir_.db());
  ASSERT_NE(store, nullptr);
  StorageStatus status = store->ScanObjects("iam/", [](std::string_view, std::string_view) {
    ADD_FAILURE() << "visited a tampered object";
  });
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, StorageErrorCode::kCorruption);
}

TEST_F(TamperTest, AlteredKeyCheckOrDataKeyStopsTheOpen) {
  {
    RawDb raw(dir_.db());
    std::vector<std::string> keys = raw.Keys("meta");
    ASSERT_FALSE(keys.empty());
    ASSERT_EQ(keys.front(), "F");
  }
  Tamper("meta", "F", 30);
  StorageError error = OpenError(dir_.db(), TestStorageKey());
  EXPECT_EQ(error.code, StorageErrorCode::kCorruption);
  EXPECT_NE(error.detail.find("key check"), std::string::npos) << error.detail;
  Tamper("meta", "F", 30);

  std::string data_key;
  {
    RawDb raw(dir_.db());
    for (const std::string& key : raw.Keys("meta")) {
      if (key[0] == 'K') data_key = key;
    }
  }
  ASSERT_EQ(data_key.size(), 5u);
  Tamper("meta", data_key, 20);
  error = OpenError(dir_.db(), TestStorageKey());
  EXPECT_EQ(error.code, StorageErrorCode::kCorruption);
  EXPECT_NE(error.detail.find("data key"), std::string::npos) << error.detail;
}

TEST(SealedStoreTest, DataKeysChangeAfterTheirBudgetAndAllStayReadable) {
  TempDir dir;
  Model model;
  size_t keys_in_first_run = 0;
  {
    // Three seals per data key: keys change between groups and inside the group of five.
    auto store = OpenWithKey(dir.db(), TestStorageKey(), 3);
    ASSERT_NE(store, nullptr);
    for (uint64_t seq = 1; seq <= 7; ++seq) {
      std::vector<Record> one = {testing::MessagePut(1, seq, "m" + std::to_string(seq))};
      model.Apply(one);
      ASSERT_TRUE(CommitAndWait(*store, one).ok());
    }
    std::vector<Record> group;
    for (uint64_t seq = 10; seq < 15; ++seq) {
      group.push_back(testing::MessagePut(1, seq, "g" + std::to_string(seq)));
    }
    model.Apply(group);
    ASSERT_TRUE(CommitAndWait(*store, group).ok());
  }
  {
    RawDb raw(dir.db());
    for (const std::string& key : raw.Keys("meta")) keys_in_first_run += key[0] == 'K' ? 1 : 0;
  }
  // Seals 1-3, 4-6, 7 with group items 1-2, group items 3-5: four data keys.
  EXPECT_EQ(keys_in_first_run, 4u);
  auto store = OpenWithKey(dir.db(), TestStorageKey(), 3);
  ASSERT_NE(store, nullptr);
  const Replayed replayed = RecoverAll(*store);
  EXPECT_EQ(replayed, model.Expected()) << Diff(model.Expected(), replayed);
  EXPECT_EQ(store->sealing_report().data_keys, 4u);
}

TEST(SealedStoreTest, RekeyMovesTheStoreToTheNewKeyInOneWrite) {
  TempDir dir;
  Model model;
  model.Apply(EveryKindOfRecord());
  {
    // Several data keys (three seals each), so every one of them must be wrapped again.
    auto store = OpenWithKey(dir.db(), TestStorageKey('a'), 3);
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(CommitAndWait(*store, EveryKindOfRecord()).ok());
  }
  std::vector<Record> resealed = {testing::ObjectPut("iam/user/000000000000/alice", "resealed")};
  model.Apply(resealed);
  {
    auto store = OpenWithKey(dir.db(), TestStorageKey('a'), 3);
    ASSERT_NE(store, nullptr);
    StorageStatus rekeyed = store->Rekey(TestStorageKey('b'), resealed);
    ASSERT_TRUE(rekeyed.ok()) << Describe(rekeyed);
    // Closed by Rekey: nothing more is written under the old key.
    EXPECT_FALSE(CommitAndWait(*store, {testing::MessagePut(7, 9, "late")}).ok());
  }
  EXPECT_EQ(OpenError(dir.db(), TestStorageKey('a')).code, StorageErrorCode::kWrongKey);
  auto store = OpenWithKey(dir.db(), TestStorageKey('b'));
  ASSERT_NE(store, nullptr);
  const Replayed replayed = RecoverAll(*store);
  EXPECT_EQ(replayed, model.Expected()) << Diff(model.Expected(), replayed);
  ASSERT_TRUE(CommitAndWait(*store, {testing::MessagePut(7, 10, "after")}).ok());
  store.reset();
  ExpectNoPlaintext(dir.db());
}

// --- stores written before sealing ------------------------------------------------------------

// Writes what the store wrote before sealing existed (the same keys, values as given, FIFO
// deduplication keys in clear) and returns the model of it. `many` adds that many small messages,
// so sealing in place takes several batches (10,000 values each).
Model WriteLegacyStore(const std::string& dir, int many = 0) {
  RawDb raw(dir);
  Model model;
  raw.Put("meta", std::string("Q") + std::string(7, '\0') + "\x07", kQueue);
  model.Apply(testing::QueuePut(7, kQueue));
  raw.Put("meta", "Oiam/user/000000000000/alice", kObject);
  model.Apply(testing::ObjectPut("iam/user/000000000000/alice", kObject));
  raw.Put("meta", "Ttask-1", kTask);
  raw.Put("msg", BigEndianKey(7, 1), kBody + "-1");
  model.Apply(testing::MessagePut(7, 1, kBody + "-1"));
  raw.Put("state", BigEndianKey(7, 1), kState);
  model.Apply(testing::MessageState(7, 1, kState));
  const std::string dedup_key = std::string("group\0", 6) + kDedupId;
  raw.Put("dedup", std::string(7, '\0') + "\x07" + dedup_key, kDedupValue);
  model.Apply(testing::DedupPut(7, dedup_key, kDedupValue));
  rocksdb::WriteBatch batch;
  for (int i = 0; i < many; ++i) {
    const std::string body = kBody + "-many-" + std::to_string(i);
    batch.Put(raw.family("msg"), BigEndianKey(7, 100 + i), body);
    model.Apply(testing::MessagePut(7, 100 + i, body));
  }
  raw.Write(batch);
  return model;
}

TEST(SealedStoreTest, StoreWrittenBeforeSealingIsSealedInPlace) {
  TempDir dir;
  const Model model = WriteLegacyStore(dir.db());
  ASSERT_FALSE(FilesContaining(dir.db(), kBody).empty()) << "the legacy store holds clear text";
  {
    auto store = OpenRocks(dir.db());
    ASSERT_NE(store, nullptr);
    EXPECT_TRUE(store->sealing_report().created);
    EXPECT_EQ(store->sealing_report().sealed, 6u);  // queue, object, task, message, state, dedup
    const Replayed replayed = RecoverAll(*store);
    EXPECT_EQ(replayed, model.Expected()) << Diff(model.Expected(), replayed);
    // The WAL and the old SST files with the clear values are gone already.
    ExpectNoPlaintext(dir.db());
    ASSERT_TRUE(CommitAndWait(*store, {testing::MessagePut(7, 2, "after")}).ok());
  }
  ExpectNoPlaintext(dir.db());
  auto store = OpenRocks(dir.db());
  ASSERT_NE(store, nullptr);
  EXPECT_FALSE(store->sealing_report().created);
  EXPECT_EQ(store->sealing_report().sealed, 0u);
  Model after = model;
  after.Apply(testing::MessagePut(7, 2, "after"));
  const Replayed replayed = RecoverAll(*store);
  EXPECT_EQ(replayed, after.Expected()) << Diff(after.Expected(), replayed);
  store.reset();
  EXPECT_EQ(OpenError(dir.db(), TestStorageKey('x')).code, StorageErrorCode::kWrongKey);
}

// A start that fails while sealing in place (a full disk) leaves a store the next start seals
// completely: every point of failure, until a start gets through.
TEST(SealedStoreTest, InterruptedSealingInPlaceResumes) {
  bool resumed_from_progress = false;
  bool completed = false;
  for (uint64_t writes = 0; writes < 400 && !completed; writes += 13) {
    SCOPED_TRACE(writes);
    TempDir dir;
    const Model model = WriteLegacyStore(dir.db(), /*many=*/20'500);  // three batches
    FaultInjection faults;
    faults.FailWritesAfter(writes, FaultKind::kNoSpace);
    {
      RocksOptions options;
      options.directory = dir.db();
      options.sealing_key = TestStorageKey();
      options.env = faults.env();
      completed = RocksStore::Open(options).ok();
    }
    faults.Heal();
    {
      RawDb raw(dir.db());
      for (const std::string& key : raw.Keys("meta")) resumed_from_progress |= key == "M";
    }
    auto store =
        OpenWithKey(dir.db(), TestStorageKey(), ValueSealer::kSealsPerDataKey, faults.env());
    ASSERT_NE(store, nullptr);
    const Replayed replayed = RecoverAll(*store);
    ASSERT_EQ(replayed, model.Expected()) << Diff(model.Expected(), replayed);
    store.reset();
    ExpectNoPlaintext(dir.db());
  }
  EXPECT_TRUE(completed) << "no start got through";
  EXPECT_TRUE(resumed_from_progress) << "no start stopped between two batches";
}

}  // namespace
}  // namespace wharf::storage
