// Write failures: the Nth write to any file fails with ENOSPC or EIO (and every write after it),
// or every sync fails. The commit that hits it must report the error (never acknowledge), later
// commits fail too while the disk fails, reads keep working, and once the disk heals the store
// recovers by itself: the failed commits are written then, in order, and new commits succeed
// without a restart. Nothing acknowledged is lost or corrupted: the replay (live, and after
// reopening) is every commit applied in order. A store closed while the disk still fails loses
// nothing acknowledged either: its replay is the acknowledged history plus a prefix of the rest.

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "storage/fault_injection.h"
#include "storage/rocks_store.h"
#include "storage_key.h"
#include "storage_test_support.h"

namespace wharf::storage {
namespace {

using testing::Describe;
using testing::Diff;
using testing::HealthWatch;
using testing::MatchingPrefix;
using testing::Model;
using testing::OpenRocks;
using testing::OpenRocksWith;
using testing::RecoverAll;
using testing::Replayed;
using testing::TempDir;
using testing::Workload;

constexpr std::chrono::milliseconds kRecoveryInterval{20};

// (kind, successful writes before the fault (kSyncs: every sync fails), largest payload)
constexpr uint64_t kSyncs = UINT64_MAX;
using FaultCase = std::tuple<FaultKind, uint64_t, size_t>;

StorageErrorCode CodeOf(FaultKind kind) {
  switch (kind) {
    case FaultKind::kNoSpace:
      return StorageErrorCode::kNoSpace;
    case FaultKind::kIoError:
      return StorageErrorCode::kIoError;
  }
  return StorageErrorCode::kIoError;
}

RocksOptions Recovering(const std::string& directory, FaultInjection& faults, HealthWatch& health) {
  RocksOptions options;
  options.directory = directory;
  options.env = faults.env();
  options.recovery_interval = kRecoveryInterval;
  options.recovery_headroom_bytes = 0;
  options.on_health_change = health.Callback();
  return options;
}

// Commits a workload and keeps what was acknowledged.
struct History {
  explicit History(Workload workload) : workload(std::move(workload)) {}

  StorageStatus Commit(Store& store) {
    commits.push_back(workload.Next());
    StorageStatus status = testing::CommitAndWait(store, commits.back());
    if (status.ok()) {
      ++acknowledged_count;
    } else {
      ++failed_count;
    }
    return status;
  }
  Model All() const {
    Model model;
    for (const auto& c : commits) model.Apply(c);
    return model;
  }

  Workload workload;
  std::vector<std::vector<Record>> commits;
  size_t acknowledged_count = 0;
  size_t failed_count = 0;
};

class RocksStoreFaultTest : public ::testing::TestWithParam<FaultCase> {};

TEST_P(RocksStoreFaultTest, FailedWritesAreRefusedThenWrittenWhenTheDiskRecovers) {
  const auto [kind, writes_before_fault, max_payload] = GetParam();
  const StorageErrorCode expected = CodeOf(kind);
  TempDir dir;
  FaultInjection faults;
  HealthWatch health;
  History history(Workload(/*seed=*/writes_before_fault * 31 + max_payload, max_payload,
                           /*range_deletes=*/true));
  auto store = OpenRocksWith(Recovering(dir.db(), faults, health));
  ASSERT_NE(store, nullptr);
  for (int i = 0; i < 10; ++i) {
    StorageStatus status = history.Commit(*store);
    ASSERT_TRUE(status.ok()) << Describe(status);
  }
  ASSERT_TRUE(store->Health().ok());
  const Replayed before_fault = RecoverAll(*store);

  if (writes_before_fault == kSyncs) {
    faults.FailSyncs(kind);
  } else {
    faults.FailWritesAfter(writes_before_fault, kind);
  }
  std::optional<StorageError> failure;
  for (int i = 0; i < 100 && !failure; ++i) {
    StorageStatus status = history.Commit(*store);
    if (!status.ok()) failure = status.error();
  }
  ASSERT_TRUE(failure.has_value()) << "no commit failed after the fault was armed";
  EXPECT_EQ(failure->code, expected) << failure->detail;
  StorageStatus health_now = store->Health();
  ASSERT_FALSE(health_now.ok()) << "Health() is OK while writes fail";
  EXPECT_EQ(health_now.error().code, expected);
  EXPECT_EQ(health.failed(), 1);

  // The disk still fails: later commits fail too, with the same error, and nothing is lost
  // from what reads see (a failed commit is not visible before the recovery writes it).
  for (int i = 0; i < 3; ++i) {
    StorageStatus status = history.Commit(*store);
    ASSERT_FALSE(status.ok()) << "a commit was acknowledged while the disk fails";
    EXPECT_EQ(status.error().code, expected) << status.error().detail;
  }
  {
    Model acknowledged;
    for (size_t i = 0; i < 10; ++i) acknowledged.Apply(history.commits[i]);
    Replayed live = RecoverAll(*store);
    // What an earlier commit wrote before the fault is readable; failed commits may show
    // (their write reached RocksDB's memtable) or not, but only as a prefix.
    EXPECT_TRUE(MatchingPrefix(
        acknowledged,
        std::vector<std::vector<Record>>(history.commits.begin() + 10, history.commits.end()), 0,
        live))
        << "reads while failing show something else than the history:" << Diff(before_fault, live);
  }

  // The disk is freed: the store recovers by itself and takes commits again.
  faults.Heal();
  ASSERT_TRUE(health.WaitRecovered());
  EXPECT_TRUE(store->Health().ok());
  EXPECT_EQ(store->recoveries(), 1u);
  for (int i = 0; i < 5; ++i) {
    StorageStatus status = history.Commit(*store);
    ASSERT_TRUE(status.ok()) << "after recovery: " << Describe(status);
  }
  // Every commit, failed ones included, is in the store in order: the failed ones were
  // written at the recovery.
  const Model all = history.All();
  {
    Replayed live = RecoverAll(*store);
    EXPECT_EQ(all.Expected(), live) << "live, after recovery:" << Diff(all.Expected(), live);
  }
  store->Close();
  store.reset();
  store = OpenRocks(dir.db(), Durability::kStrict, faults.env());
  ASSERT_NE(store, nullptr);
  Replayed replayed = RecoverAll(*store);
  EXPECT_EQ(all.Expected(), replayed) << "after reopening:" << Diff(all.Expected(), replayed);
}

TEST_P(RocksStoreFaultTest, ClosedWhileFailingLosesNothingAcknowledged) {
  const auto [kind, writes_before_fault, max_payload] = GetParam();
  TempDir dir;
  FaultInjection faults;
  HealthWatch health;
  History history(Workload(/*seed=*/writes_before_fault * 17 + max_payload + 1, max_payload,
                           /*range_deletes=*/true));
  auto store = OpenRocksWith(Recovering(dir.db(), faults, health));
  ASSERT_NE(store, nullptr);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(history.Commit(*store).ok());
  if (writes_before_fault == kSyncs) {
    faults.FailSyncs(kind);
  } else {
    faults.FailWritesAfter(writes_before_fault, kind);
  }
  for (int i = 0; i < 100 && history.failed_count == 0; ++i) (void)history.Commit(*store);
  ASSERT_GT(history.failed_count, 0u);
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(history.Commit(*store).ok());
  const size_t acknowledged = history.acknowledged_count;

  // The process stops before the disk is freed: what failed was never acknowledged and may or
  // may not be there, but only as a prefix after the acknowledged history.
  store->Close();
  store.reset();
  faults.Heal();
  store = OpenRocks(dir.db(), Durability::kStrict, faults.env());
  ASSERT_NE(store, nullptr) << "the store must open again on a healed disk";
  Replayed replayed = RecoverAll(*store);
  if (!MatchingPrefix(Model(), history.commits, acknowledged, replayed)) {
    Model expected;
    for (size_t i = 0; i < acknowledged; ++i) expected.Apply(history.commits[i]);
    FAIL() << "the replay is not the " << acknowledged << " acknowledged commits plus a prefix of "
           << "the " << history.commits.size() - acknowledged
           << " failed ones:" << Diff(expected.Expected(), replayed);
  }
  EXPECT_TRUE(history.Commit(*store).ok());
}

// Bodies stay readable while writes fail, and the store recovers again after a second fault.
TEST(RocksStoreFaultRecoveryTest, ReadsWorkWhileFailingAndRecoveryRepeats) {
  TempDir dir;
  FaultInjection faults;
  HealthWatch health;
  auto store = OpenRocksWith(Recovering(dir.db(), faults, health));
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(testing::CommitAndWait(*store, {testing::MessagePut(1, 1, "before")}).ok());
  for (int round = 1; round <= 2; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    faults.FailWrites(round == 1 ? FaultKind::kNoSpace : FaultKind::kIoError);
    StorageStatus failed =
        testing::CommitAndWait(*store, {testing::MessagePut(1, 1 + 2 * round, "in doubt")});
    ASSERT_FALSE(failed.ok());
    // A body kept on disk is still read.
    std::optional<Result<std::vector<std::string>, StorageError>> read;
    std::mutex mu;
    std::condition_variable cv;
    store->ReadMessages(1, {1}, [&](Result<std::vector<std::string>, StorageError> r) {
      std::lock_guard lock(mu);
      read.emplace(std::move(r));
      cv.notify_all();
    });
    {
      std::unique_lock lock(mu);
      ASSERT_TRUE(
          cv.wait_for(lock, testing::kCompletionDeadline, [&] { return read.has_value(); }));
    }
    ASSERT_TRUE(read->ok()) << read->error().detail;
    ASSERT_EQ(read->value().size(), 1u);
    EXPECT_EQ(read->value()[0], "before");
    faults.Heal();
    ASSERT_TRUE(health.WaitRecovered(round));
    ASSERT_TRUE(
        testing::CommitAndWait(*store, {testing::MessagePut(1, 2 + 2 * round, "after")}).ok());
  }
  Replayed replayed = RecoverAll(*store);
  EXPECT_EQ(replayed.messages.size(), 5u);
  EXPECT_EQ(store->recoveries(), 2u);
}

// A long outage: the records kept for the recovery are bounded. Once they reach
// max_retained_bytes the store stops accepting (Accepting() reports the failure) while it still
// keeps everything appended (nothing is dropped for the bound); the recovery writes it all, in
// order, and the store accepts again by itself.
TEST(RocksStoreFaultRecoveryTest, RetainedRecordsAreBoundedAndAcceptedAgainAfterRecovery) {
  constexpr uint64_t kBound = 16 << 10;
  TempDir dir;
  FaultInjection faults;
  HealthWatch health;
  History history(Workload(/*seed=*/7, /*max_payload=*/512, /*range_deletes=*/true));
  RocksOptions options = Recovering(dir.db(), faults, health);
  options.max_retained_bytes = kBound;
  auto store = OpenRocksWith(options);
  ASSERT_NE(store, nullptr);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(history.Commit(*store).ok());
  EXPECT_TRUE(store->Accepting().ok());

  faults.FailWrites(FaultKind::kNoSpace);
  // Commits keep failing (and being kept) while the kept records stay under the bound; the
  // store stops accepting once they reach it.
  size_t failed_while_accepting = 0;
  for (int i = 0; i < 10'000 && store->Accepting().ok(); ++i) {
    ASSERT_FALSE(history.Commit(*store).ok()) << "a commit was acknowledged while the disk fails";
    ++failed_while_accepting;
  }
  const StorageStatus accepting = store->Accepting();
  ASSERT_FALSE(accepting.ok()) << "the store never stopped accepting";
  EXPECT_EQ(accepting.error().code, StorageErrorCode::kNoSpace);
  EXPECT_FALSE(store->Health().ok());
  EXPECT_GT(failed_while_accepting, 1u);
  EXPECT_GE(store->retained_bytes(), kBound);
  // Past the bound nothing is dropped: a record appended anyway (a timer, or an operation
  // admitted just before the bound was reached) is kept and written at the recovery too.
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(history.Commit(*store).ok());
  EXPECT_FALSE(store->Accepting().ok());

  faults.Heal();
  ASSERT_TRUE(health.WaitRecovered());
  EXPECT_TRUE(store->Accepting().ok()) << "not accepting after the recovery";
  EXPECT_TRUE(store->Health().ok());
  EXPECT_EQ(store->retained_bytes(), 0u);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(history.Commit(*store).ok()) << "after recovery";

  const Model all = history.All();
  {
    Replayed live = RecoverAll(*store);
    EXPECT_EQ(all.Expected(), live) << "live, after recovery:" << Diff(all.Expected(), live);
  }
  store->Close();
  store.reset();
  store = OpenRocks(dir.db(), Durability::kStrict, faults.env());
  ASSERT_NE(store, nullptr);
  Replayed replayed = RecoverAll(*store);
  EXPECT_EQ(all.Expected(), replayed) << "after reopening:" << Diff(all.Expected(), replayed);
}

// A full disk while the store opens: the open fails cleanly, and succeeds once there is room.
TEST(RocksStoreFaultOpenTest, OpenOnAFailingDiskReportsAnErrorAndRetrySucceeds) {
  TempDir dir;
  FaultInjection faults;
  {
    auto store = OpenRocks(dir.db(), Durability::kStrict, faults.env());
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(testing::CommitAndWait(*store, {testing::MessagePut(1, 1, "kept")}).ok());
  }
  faults.FailWritesAfter(0, FaultKind::kNoSpace);
  RocksOptions options;
  options.directory = dir.db();
  options.env = faults.env();
  options.sealing_key = wharf::testing::TestStorageKey();
  auto failed = RocksStore::Open(options);
  EXPECT_FALSE(failed.ok());
  faults.Heal();
  auto store = OpenRocks(dir.db(), Durability::kStrict, faults.env());
  ASSERT_NE(store, nullptr);
  Replayed replayed = RecoverAll(*store);
  EXPECT_EQ(replayed.messages.size(), 1u);
}

// Regression: a disk failure right after a purge used to abort the process (a RocksDB 7.8
// assertion in a manual CompactRange after a failed memtable switch, fixed upstream by
// facebook/rocksdb#12796). RocksStore now stops compacting once a write or compaction failed.
TEST(RocksStoreFaultOpenTest, DiskFailureAfterAPurgeDoesNotAbortTheProcess) {
  TempDir dir;
  FaultInjection faults;
  auto store = OpenRocks(dir.db(), Durability::kStrict, faults.env());
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(testing::CommitAndWait(
                  *store, {testing::MessagePut(1, 1, "a"), testing::MessagePut(2, 1, "b"),
                           testing::MessagePut(3, 5, "kept")})
                  .ok());
  // The purges' own write succeeds; the disk fails right after, while the store compacts.
  faults.FailWritesAfter(1, FaultKind::kNoSpace);
  ASSERT_TRUE(
      testing::CommitAndWait(*store, {testing::QueuePurge(1, 10), testing::QueuePurge(2, 10)})
          .ok());
  (void)testing::CommitAndWait(*store, {testing::MessagePut(3, 6, "may fail")});
  store->Close();  // waits for the compaction thread
  store.reset();
  faults.Heal();
  store = OpenRocks(dir.db(), Durability::kStrict, faults.env());
  ASSERT_NE(store, nullptr);
  Replayed replayed = RecoverAll(*store);
  EXPECT_FALSE(replayed.messages.contains({1, 1}));
  EXPECT_FALSE(replayed.messages.contains({2, 1}));
  EXPECT_TRUE(replayed.messages.contains({3, 5}));
}

// A purge written before the disk fails, and one retained while it fails: once recovered, the
// compactions the purges asked for run on the reopened database, and nothing purged comes back.
TEST(RocksStoreFaultRecoveryTest, PurgesAroundAFailureAreCompactedAfterRecovery) {
  TempDir dir;
  FaultInjection faults;
  HealthWatch health;
  auto store = OpenRocksWith(Recovering(dir.db(), faults, health));
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(testing::CommitAndWait(
                  *store, {testing::MessagePut(1, 1, "a"), testing::MessagePut(2, 1, "b"),
                           testing::MessagePut(3, 5, "kept")})
                  .ok());
  faults.FailWritesAfter(1, FaultKind::kNoSpace);
  ASSERT_TRUE(testing::CommitAndWait(*store, {testing::QueuePurge(1, 10)}).ok());
  (void)testing::CommitAndWait(*store, {testing::MessagePut(3, 6, "in doubt")});
  StorageStatus failed = testing::CommitAndWait(*store, {testing::QueuePurge(2, 10)});
  ASSERT_FALSE(failed.ok());
  faults.Heal();
  ASSERT_TRUE(health.WaitRecovered());
  ASSERT_TRUE(testing::CommitAndWait(*store, {testing::MessagePut(3, 7, "after")}).ok());
  store->Close();
  store.reset();
  store = OpenRocks(dir.db(), Durability::kStrict, faults.env());
  ASSERT_NE(store, nullptr);
  Replayed replayed = RecoverAll(*store);
  EXPECT_FALSE(replayed.messages.contains({1, 1}));
  EXPECT_FALSE(replayed.messages.contains({2, 1}));
  EXPECT_TRUE(replayed.messages.contains({3, 5}));
  EXPECT_TRUE(replayed.messages.contains({3, 6}));
  EXPECT_TRUE(replayed.messages.contains({3, 7}));
}

std::string CaseName(const ::testing::TestParamInfo<FaultCase>& info) {
  const auto [kind, n, max_payload] = info.param;
  return std::string(kind == FaultKind::kNoSpace ? "NoSpace" : "IoError") +
         (n == kSyncs ? std::string("_OnSync") : "_After" + std::to_string(n) + "Writes") +
         (max_payload > 1'000'000 ? "_LargeRecords" : "");
}

INSTANTIATE_TEST_SUITE_P(Faults, RocksStoreFaultTest,
                         ::testing::Combine(::testing::Values(FaultKind::kNoSpace,
                                                              FaultKind::kIoError),
                                            ::testing::Values(uint64_t{0}, uint64_t{1}, uint64_t{3},
                                                              uint64_t{8}, kSyncs),
                                            ::testing::Values(size_t{2048})),
                         CaseName);

// Records larger than the WAL writer's buffer reach the file in several writes, so the fault
// can land in the middle of one record.
INSTANTIATE_TEST_SUITE_P(LargeRecords, RocksStoreFaultTest,
                         ::testing::Combine(::testing::Values(FaultKind::kNoSpace,
                                                              FaultKind::kIoError),
                                            ::testing::Values(uint64_t{0}, uint64_t{2}),
                                            ::testing::Values(size_t{1'500'000})),
                         CaseName);

}  // namespace
}  // namespace wharf::storage
