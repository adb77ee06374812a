// The Store contract (src/storage/store.h), checked against every backend. A new backend (the
// PostgreSQL one) joins by adding a Backend to kBackends below: how to open it on a directory,
// and whether it keeps records. The durable checks compare what Recover() replays after a
// reopen with the reference Model of storage_test_support.h.

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/rocks_store.h"
#include "storage/store.h"
#include "storage_test_support.h"

namespace wharf::storage {
namespace {

using testing::AllBytes;
using testing::Completion;
using testing::Describe;
using testing::Diff;
using testing::Model;
using testing::RandomBytes;
using testing::RecoverAll;
using testing::Replayed;
using testing::TempDir;

struct Backend {
  std::string name;
  bool durable = false;
  // Opens the store kept under `directory`, creating it when new. Destroying the store closes
  // it; opening again must replay everything it acknowledged.
  std::function<std::unique_ptr<Store>(const std::string& directory)> open;
};

const Backend kBackends[] = {
    {"memory", false, [](const std::string&) { return std::make_unique<MemoryStore>(); }},
    {"rocks", true,
     [](const std::string& d) { return testing::OpenRocks(d, Durability::kStrict); }},
    // Relaxed durability keeps the same contract across a clean close.
    {"rocks_relaxed", true,
     [](const std::string& d) { return testing::OpenRocks(d, Durability::kRelaxed); }},
};

// gtest prints a parameter with this (instead of its bytes).
void PrintTo(const Backend& backend, std::ostream* os) { *os << backend.name; }

// The durable checks skip backends that keep nothing.
#define SKIP_UNLESS_DURABLE()                                                     \
  do {                                                                            \
    if (!GetParam().durable) GTEST_SKIP() << GetParam().name << " keeps nothing"; \
  } while (0)

class StoreConformanceTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    store_ = GetParam().open(dir_.db());
    ASSERT_NE(store_, nullptr);
    ASSERT_EQ(store_->durable(), GetParam().durable);
  }
  void TearDown() override { store_.reset(); }

  // Closes the store and opens it again on the same directory.
  void Reopen() {
    store_.reset();
    store_ = GetParam().open(dir_.db());
    ASSERT_NE(store_, nullptr);
  }

  // Commits `records` (waiting for the answer) and applies them to the model.
  void Commit(std::vector<Record> records) {
    model_.Apply(records);
    StorageStatus status = testing::CommitAndWait(*store_, std::move(records));
    ASSERT_TRUE(status.ok()) << Describe(status);
  }

  // Reopens and checks the replay against the model.
  void ExpectReplayMatchesModelAfterReopen() {
    ASSERT_NO_FATAL_FAILURE(Reopen());
    Replayed replayed = RecoverAll(*store_);
    Replayed expected = model_.Expected();
    EXPECT_TRUE(replayed == expected) << Diff(expected, replayed);
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
  Model model_;
};

// --- Append / WhenDurable ----------------------------------------------------------------------

TEST_P(StoreConformanceTest, TicketsNeverGoBackwards) {
  uint64_t last = store_->Append({});
  for (uint64_t i = 1; i <= 50; ++i) {
    const uint64_t ticket = store_->Append({testing::MessagePut(1, i, "m")});
    EXPECT_GE(ticket, last);
    if (GetParam().durable) {
      EXPECT_GT(ticket, last) << "each non-empty append is a new ticket";
    }
    last = ticket;
  }
  Completion done;
  store_->WhenDurable(last, done.Callback());
  auto status = done.Wait();
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(status->ok()) << Describe(*status);
}

TEST_P(StoreConformanceTest, CallbacksOfTicketsAppendedInOrderAllFire) {
  constexpr int kCommits = 64;
  std::vector<uint64_t> tickets;
  for (int i = 0; i < kCommits; ++i) {
    tickets.push_back(store_->Append({testing::MessagePut(1, i + 1, "body " + std::to_string(i))}));
  }
  // When ticket k is answered, everything up to it is durable: asking for the one before it
  // must answer at once, before WhenDurable returns.
  std::vector<Completion> done(kCommits);
  std::atomic<int> earlier_not_at_once{0};
  auto earlier_failed = std::make_shared<std::atomic<int>>(0);
  for (int i = 0; i < kCommits; ++i) {
    store_->WhenDurable(tickets[i], [&, i](StorageStatus status) {
      if (status.ok() && i > 0) {
        auto answered = std::make_shared<std::atomic<bool>>(false);
        store_->WhenDurable(tickets[i - 1], [answered, earlier_failed](StorageStatus earlier) {
          *answered = true;
          if (!earlier.ok()) ++*earlier_failed;
        });
        if (!*answered) ++earlier_not_at_once;
      }
      done[i].Callback()(std::move(status));
    });
  }
  for (int i = 0; i < kCommits; ++i) {
    auto status = done[i].Wait();
    ASSERT_TRUE(status.has_value()) << "commit " << i;
    EXPECT_TRUE(status->ok()) << "commit " << i << ": " << Describe(*status);
  }
  for (int i = 0; i < kCommits; ++i) EXPECT_EQ(done[i].calls(), 1) << "commit " << i;
  EXPECT_EQ(earlier_not_at_once.load(), 0);
  EXPECT_EQ(earlier_failed->load(), 0);
}

TEST_P(StoreConformanceTest, CallbacksRegisteredNewestFirstAllFire) {
  std::vector<uint64_t> tickets;
  for (int i = 0; i < 32; ++i)
    tickets.push_back(store_->Append({testing::MessagePut(2, i + 1, "x")}));
  std::vector<Completion> done(tickets.size());
  for (size_t i = tickets.size(); i-- > 0;) store_->WhenDurable(tickets[i], done[i].Callback());
  for (size_t i = 0; i < tickets.size(); ++i) {
    auto status = done[i].Wait();
    ASSERT_TRUE(status.has_value());
    EXPECT_TRUE(status->ok()) << Describe(*status);
    EXPECT_EQ(done[i].calls(), 1);
  }
}

TEST_P(StoreConformanceTest, WhenDurableOnADurableTicketAnswersAtOnce) {
  const uint64_t first = store_->Append({testing::QueuePut(1, "q1")});
  const uint64_t second = store_->Append({testing::QueuePut(2, "q2")});
  Completion done;
  store_->WhenDurable(second, done.Callback());
  ASSERT_TRUE(done.Wait().has_value());

  for (uint64_t ticket : {first, second}) {
    // Shared, so an answer that (wrongly) comes later still has somewhere to go.
    auto answer = std::make_shared<Completion>();
    store_->WhenDurable(ticket, answer->Callback());
    EXPECT_TRUE(answer->answered())
        << "ticket " << ticket << " is durable; the answer must not wait";
    auto status = answer->Wait();
    ASSERT_TRUE(status.has_value());
    EXPECT_TRUE(status->ok()) << Describe(*status);
  }
}

TEST_P(StoreConformanceTest, EmptyAppendOnAFreshStoreAnswersAtOnce) {
  const uint64_t ticket = store_->Append({});
  auto answer = std::make_shared<Completion>();
  store_->WhenDurable(ticket, answer->Callback());
  EXPECT_TRUE(answer->answered()) << "nothing was ever appended; the answer must not wait";
  auto status = answer->Wait();
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(status->ok()) << Describe(*status);
}

TEST_P(StoreConformanceTest, EmptyAppendReturnsTheLatestTicketAndWaitsForIt) {
  const uint64_t written = store_->Append({testing::MessagePut(3, 1, "the change")});
  model_.Apply(testing::MessagePut(3, 1, "the change"));
  const uint64_t nothing = store_->Append({});
  EXPECT_EQ(nothing, written) << "an empty append orders its answer after every earlier change";
  Completion done;
  store_->WhenDurable(nothing, done.Callback());
  auto status = done.Wait();
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(status->ok()) << Describe(*status);
  if (GetParam().durable) ExpectReplayMatchesModelAfterReopen();
}

TEST_P(StoreConformanceTest, RecoverOfANewStoreReplaysNothing) {
  Replayed replayed = RecoverAll(*store_);
  EXPECT_TRUE(replayed == Replayed{}) << Diff(Replayed{}, replayed);
}

// --- what Recover() replays (durable backends) ---------------------------------------------

TEST_P(StoreConformanceTest, QueueRecordsAreReplayedLatestFirstWins) {
  SKIP_UNLESS_DURABLE();
  Commit({testing::QueuePut(3, "queue three v1"), testing::QueuePut(1, "queue one")});
  Commit({testing::QueuePut(2, "queue two")});
  Commit({testing::QueuePut(3, "queue three v2")});
  ExpectReplayMatchesModelAfterReopen();
  EXPECT_EQ(RecoverAll(*store_).queues.at(3), "queue three v2");
}

TEST_P(StoreConformanceTest, MessagesAreReplayedInQueueAndSeqOrderWithTheirState) {
  SKIP_UNLESS_DURABLE();
  Commit({testing::QueuePut(2, "q2"), testing::QueuePut(1, "q1")});
  // Out of order on purpose: the replay is ordered by key, not by write.
  Commit({testing::MessagePut(2, 7, "2/7"), testing::MessagePut(1, 300, "1/300")});
  Commit({testing::MessagePut(1, 2, "1/2"), testing::MessagePut(2, 1, "2/1"),
          testing::MessagePut(1, 256, "1/256")});
  Commit({testing::MessageState(1, 256, "state of 1/256"),
          testing::MessageState(2, 7, "state of 2/7")});
  ExpectReplayMatchesModelAfterReopen();
  Replayed replayed = RecoverAll(*store_);
  ASSERT_EQ(replayed.messages.size(), 5u);
  EXPECT_EQ(replayed.messages.at({1, 256}).second, "state of 1/256");
  EXPECT_EQ(replayed.messages.at({1, 2}).second, "") << "never received: no state";
}

TEST_P(StoreConformanceTest, TheLatestStateOfAMessageWins) {
  SKIP_UNLESS_DURABLE();
  Commit({testing::MessagePut(1, 1, "m"), testing::MessageState(1, 1, "received once")});
  Commit({testing::MessageState(1, 1, "received twice")});
  // Two changes of one message in one append: the later one wins.
  Commit({testing::MessageState(1, 1, "three"), testing::MessageState(1, 1, "four")});
  ExpectReplayMatchesModelAfterReopen();
  EXPECT_EQ(RecoverAll(*store_).messages.at({1, 1}).second, "four");
}

TEST_P(StoreConformanceTest, MessageDeleteRemovesTheMessageAndItsState) {
  SKIP_UNLESS_DURABLE();
  Commit({testing::MessagePut(1, 1, "a"), testing::MessagePut(1, 2, "b"),
          testing::MessagePut(1, 3, "c")});
  Commit({testing::MessageState(1, 2, "in flight")});
  Commit({testing::MessageDelete(1, 2)});
  // Deleting what is already gone is harmless.
  Commit({testing::MessageDelete(1, 2), testing::MessageDelete(1, 99)});
  ExpectReplayMatchesModelAfterReopen();
  // The same key written again starts without the old state.
  Commit({testing::MessagePut(1, 2, "b again")});
  ExpectReplayMatchesModelAfterReopen();
  EXPECT_EQ(RecoverAll(*store_).messages.at({1, 2}).second, "");
}

TEST_P(StoreConformanceTest, PurgeRemovesMessagesBelowTheBoundOnly) {
  SKIP_UNLESS_DURABLE();
  for (uint64_t q : {6, 7, 8}) {
    std::vector<Record> batch = {testing::QueuePut(q, "queue " + std::to_string(q))};
    for (uint64_t seq = 1; seq <= 10; ++seq) {
      batch.push_back(testing::MessagePut(q, seq, std::to_string(q) + "/" + std::to_string(seq)));
      if (seq % 2 == 0) batch.push_back(testing::MessageState(q, seq, "s"));
    }
    Commit(std::move(batch));
  }
  Commit({testing::QueuePurge(7, 6)});
  ExpectReplayMatchesModelAfterReopen();
  Replayed replayed = RecoverAll(*store_);
  for (uint64_t seq = 1; seq <= 10; ++seq) {
    EXPECT_EQ(replayed.messages.contains({7, seq}), seq >= 6) << "seq " << seq;
    EXPECT_TRUE(replayed.messages.contains({6, seq})) << "neighbour queue 6, seq " << seq;
    EXPECT_TRUE(replayed.messages.contains({8, seq})) << "neighbour queue 8, seq " << seq;
  }
  EXPECT_EQ(replayed.messages.at({7, 6}).second, "s") << "a kept message keeps its state";
  EXPECT_TRUE(replayed.queues.contains(7)) << "a purge keeps the queue";
}

TEST_P(StoreConformanceTest, PurgeBoundsAtTheEdges) {
  SKIP_UNLESS_DURABLE();
  Commit({testing::MessagePut(4, 0, "seq 0"), testing::MessagePut(4, 1, "seq 1"),
          testing::MessagePut(4, UINT64_MAX - 1, "high"),
          testing::MessagePut(4, UINT64_MAX, "max")});
  Commit({testing::QueuePurge(4, 0)});  // removes nothing
  ExpectReplayMatchesModelAfterReopen();
  Commit({testing::QueuePurge(4, UINT64_MAX)});  // everything below the highest seq
  ExpectReplayMatchesModelAfterReopen();
}

TEST_P(StoreConformanceTest, MessagesWrittenAfterAPurgeSurviveItEvenBelowTheBound) {
  SKIP_UNLESS_DURABLE();
  Commit({testing::MessagePut(1, 1, "old 1"), testing::MessagePut(1, 2, "old 2"),
          testing::MessageState(1, 2, "old state")});
  Commit({testing::QueuePurge(1, 10)});
  // After a restart the engine may hand out low seqs again; later writes are not purged.
  Commit({testing::MessagePut(1, 2, "new 2"), testing::MessagePut(1, 11, "new 11")});
  ExpectReplayMatchesModelAfterReopen();
  Replayed replayed = RecoverAll(*store_);
  ASSERT_TRUE(replayed.messages.contains({1, 2}));
  EXPECT_EQ(replayed.messages.at({1, 2}), std::make_pair(std::string("new 2"), std::string()));
}

TEST_P(StoreConformanceTest, RecordsApplyInAppendOrderWithinAndAcrossAppends) {
  SKIP_UNLESS_DURABLE();
  // Appended back to back without waiting, so a group-committing backend writes them together.
  std::vector<std::vector<Record>> appends = {
      {testing::MessagePut(5, 1, "one"), testing::MessagePut(5, 2, "two")},
      {testing::QueuePurge(5, 3)},
      {testing::MessagePut(5, 1, "one again"), testing::MessageState(5, 1, "s1")},
      {testing::MessageDelete(5, 1), testing::MessagePut(5, 1, "one, third time")},
      {testing::MessagePut(5, 4, "four"), testing::MessageState(5, 4, "early"),
       testing::MessageState(5, 4, "late")},
  };
  uint64_t last = 0;
  for (auto& records : appends) {
    model_.Apply(records);
    last = store_->Append(records);
  }
  Completion done;
  store_->WhenDurable(last, done.Callback());
  auto status = done.Wait();
  ASSERT_TRUE(status.has_value());
  ASSERT_TRUE(status->ok()) << Describe(*status);
  ExpectReplayMatchesModelAfterReopen();
}

TEST_P(StoreConformanceTest, QueueDeleteRemovesTheQueueAndItsMessagesOnly) {
  SKIP_UNLESS_DURABLE();
  for (uint64_t q : {4, 5, 6}) {
    Commit({testing::QueuePut(q, "queue"), testing::MessagePut(q, 1, "a"),
            testing::MessagePut(q, 2, "b"), testing::MessageState(q, 2, "s"),
            testing::MessagePut(q, UINT64_MAX, "last seq")});
  }
  Commit({testing::QueueDelete(5)});
  ExpectReplayMatchesModelAfterReopen();
  Replayed replayed = RecoverAll(*store_);
  EXPECT_FALSE(replayed.queues.contains(5));
  EXPECT_TRUE(replayed.queues.contains(4));
  EXPECT_TRUE(replayed.queues.contains(6));
  for (const auto& [key, value] : replayed.messages) EXPECT_NE(key.first, 5u);
}

TEST_P(StoreConformanceTest, QueueDeleteOfTheLowestQueueId) {
  SKIP_UNLESS_DURABLE();
  for (uint64_t q : {uint64_t{0}, uint64_t{1}}) {
    Commit({testing::QueuePut(q, "queue"), testing::MessagePut(q, 1, "a"),
            testing::MessageState(q, 1, "s"), testing::DedupPut(q, "k", "d")});
  }
  Commit({testing::QueueDelete(0)});
  ExpectReplayMatchesModelAfterReopen();
}

// Queue ids are random 64-bit numbers, so the highest one is a valid id: its range deletes must
// not wrap around (they once ended at queue_id + 1 = 0, which RocksDB rejected).
TEST_P(StoreConformanceTest, QueueDeleteOfTheHighestQueueId) {
  SKIP_UNLESS_DURABLE();
  for (uint64_t q : {UINT64_MAX - 1, UINT64_MAX}) {
    Commit({testing::QueuePut(q, "queue"), testing::MessagePut(q, 1, "a"),
            testing::MessagePut(q, UINT64_MAX, "last seq"), testing::MessageState(q, 1, "s"),
            testing::DedupPut(q, "k", "d"), testing::DedupPut(q, std::string(300, '\xff'), "d")});
  }
  Commit({testing::QueueDelete(UINT64_MAX)});
  ExpectReplayMatchesModelAfterReopen();
  Commit({testing::MessagePut(UINT64_MAX - 1, 2, "still writable")});
  ExpectReplayMatchesModelAfterReopen();
}

TEST_P(StoreConformanceTest, PurgeOfTheHighestQueueId) {
  SKIP_UNLESS_DURABLE();
  Commit({testing::QueuePut(UINT64_MAX, "queue"), testing::MessagePut(UINT64_MAX, 1, "a"),
          testing::MessagePut(UINT64_MAX, 5, "b"), testing::DedupPut(UINT64_MAX, "k", "d")});
  Commit({testing::QueuePurge(UINT64_MAX, 3)});
  ExpectReplayMatchesModelAfterReopen();
  Commit({testing::MessagePut(UINT64_MAX, 6, "still writable")});
  ExpectReplayMatchesModelAfterReopen();
}

TEST_P(StoreConformanceTest, DeduplicationEntriesFollowTheirQueue) {
  SKIP_UNLESS_DURABLE();
  for (uint64_t q : {1, 2, 3}) {
    Commit({testing::QueuePut(q, "fifo"), testing::DedupPut(q, "key-a", "entry a"),
            testing::DedupPut(q, "key-b", "entry b"), testing::DedupPut(q, "", "empty key")});
  }
  Commit({testing::DedupDelete(1, "key-a")});
  Commit({testing::QueuePurge(2, 1)});  // a purge forgets the queue's deduplication ids
  Commit({testing::QueueDelete(3)});
  ExpectReplayMatchesModelAfterReopen();
}

// Many deduplication entries, written in no key order (their stored keys are digests), some
// deleted while in the memtable and some after a reopen moved them into a table file, across
// reopens: the dedup family's vector memtable (rocks_store.cc) sorts only when flushed or read.
TEST_P(StoreConformanceTest, ManyDeduplicationEntriesSurviveFlushesDeletesAndReopens) {
  SKIP_UNLESS_DURABLE();
  std::mt19937_64 rng(11);
  Commit({testing::QueuePut(1, "fifo a"), testing::QueuePut(2, "fifo b")});
  auto key = [](int i) { return "group-" + std::to_string(i % 7) + '\0' + std::to_string(i); };
  for (int round = 0; round < 3; ++round) {
    for (int commit = 0; commit < 20; ++commit) {
      std::vector<Record> records;
      for (int k = 0; k < 25; ++k) {
        const int i = round * 1000 + commit * 25 + k;
        records.push_back(testing::DedupPut(1 + i % 2, key(i), RandomBytes(rng, 40)));
      }
      // A delete of an entry from this round (in the memtable) and of one from an earlier
      // round (in a table file since the last reopen).
      const int recent = round * 1000 + static_cast<int>(rng() % (commit * 25 + 25));
      records.push_back(testing::DedupDelete(1 + recent % 2, key(recent)));
      if (round > 0) {
        const int old = static_cast<int>(rng() % 500);
        records.push_back(testing::DedupDelete(1 + old % 2, key(old)));
      }
      ASSERT_NO_FATAL_FAILURE(Commit(std::move(records)));
    }
    ExpectReplayMatchesModelAfterReopen();
  }
  Commit({testing::QueuePurge(2, 1)});  // forgets queue 2's ids, in table files and memtable
  ExpectReplayMatchesModelAfterReopen();
}

TEST_P(StoreConformanceTest, PayloadBytesRoundTripExactly) {
  SKIP_UNLESS_DURABLE();
  std::mt19937_64 rng(42);
  const std::string binary = AllBytes();
  const std::string mebibyte = RandomBytes(rng, 1 << 20);
  const std::string with_nul("a\0b\0\0", 5);
  Commit({testing::QueuePut(1, binary), testing::QueuePut(2, with_nul), testing::QueuePut(3, "")});
  Commit({testing::MessagePut(1, 1, binary), testing::MessageState(1, 1, with_nul)});
  Commit({testing::MessagePut(1, 2, mebibyte), testing::MessageState(1, 2, binary)});
  Commit({testing::MessagePut(1, 3, ""), testing::MessageState(1, 3, mebibyte)});
  Commit({testing::MessagePut(2, 1, mebibyte + binary)});  // just over 1 MiB
  ExpectReplayMatchesModelAfterReopen();
  Replayed replayed = RecoverAll(*store_);
  EXPECT_EQ(replayed.messages.at({1, 2}).first, mebibyte);
  EXPECT_EQ(replayed.messages.at({1, 1}).second, with_nul);
}

TEST_P(StoreConformanceTest, ReopenAfterCloseKeepsEverything) {
  SKIP_UNLESS_DURABLE();
  std::mt19937_64 rng(7);
  std::map<uint64_t, uint64_t> next_seq;
  for (int round = 0; round < 3; ++round) {
    for (int commit = 0; commit < 40; ++commit) {
      std::vector<Record> records;
      const uint64_t q = 1 + rng() % 4;
      const uint64_t seq = ++next_seq[q];
      records.push_back(testing::MessagePut(q, seq, RandomBytes(rng, rng() % 2048)));
      if (rng() % 3 == 0) records.push_back(testing::MessageState(q, seq, RandomBytes(rng, 16)));
      if (seq > 2 && rng() % 4 == 0) records.push_back(testing::MessageDelete(q, seq - 2));
      if (rng() % 10 == 0) records.push_back(testing::QueuePut(q, RandomBytes(rng, 64)));
      ASSERT_NO_FATAL_FAILURE(Commit(std::move(records)));
    }
    ExpectReplayMatchesModelAfterReopen();
  }
  ExpectReplayMatchesModelAfterReopen();  // a reopen that wrote nothing keeps everything too
}

// --- keyed objects (ScanObjects) -----------------------------------------------------------

using testing::ObjectDelete;
using testing::ObjectPut;
using testing::ScanAll;
using Objects = std::vector<std::pair<std::string, std::string>>;

// MemoryStore keeps no objects (store.h says why): a scan visits nothing, even right after a put.
TEST_P(StoreConformanceTest, ABackendThatKeepsNothingScansNoObjects) {
  if (GetParam().durable) GTEST_SKIP() << GetParam().name << " keeps objects";
  Commit({ObjectPut("iam/000000000000/user/alice", "alice")});
  EXPECT_TRUE(ScanAll(*store_).empty());
  EXPECT_TRUE(ScanAll(*store_, "iam/").empty());
}

TEST_P(StoreConformanceTest, ObjectsArePutOverwrittenAndDeleted) {
  SKIP_UNLESS_DURABLE();
  Commit({ObjectPut("iam/000000000000/user/alice", "alice v1"),
          ObjectPut("iam/000000000000/user/bob", "bob")});
  Commit({ObjectPut("iam/000000000000/user/alice", "alice v2")});
  // Scanned by the store that wrote them, without a reopen.
  EXPECT_EQ(ScanAll(*store_), (Objects{{"iam/000000000000/user/alice", "alice v2"},
                                       {"iam/000000000000/user/bob", "bob"}}));
  Commit({ObjectDelete("iam/000000000000/user/bob")});
  EXPECT_EQ(ScanAll(*store_), (Objects{{"iam/000000000000/user/alice", "alice v2"}}));
  ExpectReplayMatchesModelAfterReopen();
}

TEST_P(StoreConformanceTest, DeletingAnObjectThatDoesNotExistIsHarmless) {
  SKIP_UNLESS_DURABLE();
  Commit({ObjectDelete("never/written")});
  Commit({ObjectPut("kept", "value"), ObjectDelete("kept/but-not-this"), ObjectDelete("kep")});
  EXPECT_EQ(ScanAll(*store_), (Objects{{"kept", "value"}}));
  ExpectReplayMatchesModelAfterReopen();
}

TEST_P(StoreConformanceTest, ObjectRecordsApplyInAppendOrder) {
  SKIP_UNLESS_DURABLE();
  Commit({ObjectPut("a", "1"), ObjectDelete("a"), ObjectPut("b", "1"), ObjectPut("b", "2"),
          ObjectDelete("c"), ObjectPut("c", "3")});
  // Two appends that share a group: the later one wins.
  const uint64_t first = store_->Append({ObjectPut("d", "first")});
  const uint64_t second = store_->Append({ObjectPut("d", "second"), ObjectDelete("b")});
  model_.Apply({ObjectPut("d", "first"), ObjectPut("d", "second"), ObjectDelete("b")});
  EXPECT_GE(second, first);
  Completion done;
  store_->WhenDurable(second, done.Callback());
  auto status = done.Wait();
  ASSERT_TRUE(status.has_value());
  ASSERT_TRUE(status->ok()) << Describe(*status);
  EXPECT_EQ(ScanAll(*store_), (Objects{{"c", "3"}, {"d", "second"}}));
  ExpectReplayMatchesModelAfterReopen();
}

TEST_P(StoreConformanceTest, ScanVisitsOnlyKeysWithThePrefixInBytewiseOrder) {
  SKIP_UNLESS_DURABLE();
  const std::string nul_key("iam/\0", 5);
  const std::string high_key("iam/\xff\xfe", 6);
  // Written out of order on purpose.
  Commit({ObjectPut("kms/key/1", "k1"), ObjectPut(high_key, "high"), ObjectPut("iam/b", "b"),
          ObjectPut("iam", "bare"), ObjectPut("ia", "shorter"), ObjectPut("iam/a", "a"),
          ObjectPut(nul_key, "nul"), ObjectPut("iam/", "slash"), ObjectPut("iam0", "after slash"),
          ObjectPut("", "empty key"), ObjectPut("\xff", "last")});
  EXPECT_EQ(ScanAll(*store_, "iam/"), (Objects{{"iam/", "slash"},
                                               {nul_key, "nul"},
                                               {"iam/a", "a"},
                                               {"iam/b", "b"},
                                               {high_key, "high"}}));
  EXPECT_EQ(ScanAll(*store_, "iam"), (Objects{{"iam", "bare"},
                                              {"iam/", "slash"},
                                              {nul_key, "nul"},
                                              {"iam/a", "a"},
                                              {"iam/b", "b"},
                                              {high_key, "high"},
                                              {"iam0", "after slash"}}));
  EXPECT_EQ(ScanAll(*store_, "iam/a"), (Objects{{"iam/a", "a"}}));
  EXPECT_EQ(ScanAll(*store_, "kms/"), (Objects{{"kms/key/1", "k1"}}));
  EXPECT_TRUE(ScanAll(*store_, "sns/").empty());
  EXPECT_TRUE(ScanAll(*store_, "iam/a/").empty()) << "a key is not a prefix of itself plus more";
  EXPECT_EQ(ScanAll(*store_, "\xff"), (Objects{{"\xff", "last"}}));
  const Objects everything = ScanAll(*store_, "");
  ASSERT_EQ(everything.size(), 11u);
  EXPECT_EQ(everything.front(), (std::pair<std::string, std::string>{"", "empty key"}));
  EXPECT_EQ(everything.back(), (std::pair<std::string, std::string>{"\xff", "last"}));
  ExpectReplayMatchesModelAfterReopen();  // the order is checked again by RecoverAll
  EXPECT_EQ(ScanAll(*store_, "iam/").size(), 5u);
}

TEST_P(StoreConformanceTest, ObjectValuesRoundTripExactly) {
  SKIP_UNLESS_DURABLE();
  std::mt19937_64 rng(11);
  const std::string binary = AllBytes();
  const std::string large = RandomBytes(rng, 300'000);
  Commit({ObjectPut("binary", binary), ObjectPut("empty", ""), ObjectPut("large", large),
          ObjectPut(binary, "a key with every byte")});
  ExpectReplayMatchesModelAfterReopen();
  Replayed replayed = RecoverAll(*store_);
  EXPECT_EQ(replayed.objects.at("binary"), binary);
  EXPECT_EQ(replayed.objects.at("empty"), "");
  EXPECT_EQ(replayed.objects.at("large"), large);
  EXPECT_EQ(replayed.objects.at(binary), "a key with every byte");
}

// Object keys that spell what a queue, task or message key looks like in another family must
// not be taken for one by Recover, and queue records must not show up in a scan.
TEST_P(StoreConformanceTest, ObjectsAndQueuesDoNotInterfere) {
  SKIP_UNLESS_DURABLE();
  std::string queue_like("Q");
  for (int i = 0; i < 7; ++i) queue_like.push_back('\0');
  queue_like.push_back('\x05');  // 'Q' · u64 5: a queue key, were it not an object
  Commit({testing::QueuePut(5, "queue five"), testing::QueuePut(UINT64_MAX, "last queue"),
          testing::MessagePut(5, 1, "message"), testing::DedupPut(5, "dedup", "entry")});
  Record task{RecordType::kTaskPut, 0, 0, "task payload"};
  task.key = "task-1";
  Commit({ObjectPut(queue_like, "not a queue"),
          ObjectPut("T" + std::string("task-2"), "not a task"), ObjectPut("O", "an object named O"),
          std::move(task)});
  Commit({ObjectPut(std::string(9, '\xff'), "high"), ObjectPut(std::string(16, '\0'), "low")});
  ASSERT_NO_FATAL_FAILURE(Reopen());

  struct TaskCollector final : RecoveryVisitor {
    std::map<uint64_t, std::string> queues;
    size_t messages = 0;
    size_t dedup = 0;
    std::map<std::string, std::string> tasks;
    void Queue(uint64_t id, std::string_view payload) override {
      queues.emplace(id, std::string(payload));
    }
    void Message(uint64_t, uint64_t, std::string_view, std::string_view) override { ++messages; }
    void Dedup(uint64_t, std::string_view, std::string_view) override { ++dedup; }
    void Task(std::string_view id, std::string_view payload) override {
      tasks.emplace(std::string(id), std::string(payload));
    }
  } visitor;
  // Scanning before Recover is allowed, and Recover still replays everything afterwards.
  EXPECT_EQ(ScanAll(*store_).size(), 5u);
  StorageStatus status = store_->Recover(visitor);
  ASSERT_TRUE(status.ok()) << Describe(status);
  EXPECT_EQ(visitor.queues,
            (std::map<uint64_t, std::string>{{5, "queue five"}, {UINT64_MAX, "last queue"}}));
  EXPECT_EQ(visitor.messages, 1u);
  EXPECT_EQ(visitor.dedup, 1u);
  EXPECT_EQ(visitor.tasks, (std::map<std::string, std::string>{{"task-1", "task payload"}}));
  ExpectReplayMatchesModelAfterReopen();
  EXPECT_EQ(ScanAll(*store_, "T"), (Objects{{"Ttask-2", "not a task"}}));
  EXPECT_EQ(ScanAll(*store_, "Q"), (Objects{{queue_like, "not a queue"}}));
}

TEST_P(StoreConformanceTest, PurgeAndQueueDeleteLeaveObjectsAlone) {
  SKIP_UNLESS_DURABLE();
  std::string id_like;  // the big-endian bytes of the queues' ids, as in `msg` keys
  for (int i = 0; i < 7; ++i) id_like.push_back('\0');
  id_like.push_back('\x01');
  Commit({testing::QueuePut(1, "one"), testing::QueuePut(UINT64_MAX, "last"),
          testing::MessagePut(1, 1, "m"), testing::MessagePut(UINT64_MAX, 1, "m"),
          testing::DedupPut(1, "d", "e"), ObjectPut(id_like, "id-like"),
          ObjectPut("iam/000000000000/user/alice", "alice"),
          ObjectPut(std::string(20, '\xff'), "x")});
  Commit({testing::QueuePurge(1, 10), testing::QueuePurge(UINT64_MAX, 10)});
  Commit({testing::QueueDelete(1), testing::QueueDelete(UINT64_MAX)});
  EXPECT_EQ(ScanAll(*store_).size(), 3u);
  ExpectReplayMatchesModelAfterReopen();
  Replayed replayed = RecoverAll(*store_);
  EXPECT_TRUE(replayed.queues.empty());
  EXPECT_EQ(replayed.objects.size(), 3u);
}

// Owners persist an object and a queue change in one append: both or neither, like any records.
TEST_P(StoreConformanceTest, ObjectsSurviveReopensMixedWithQueueTraffic) {
  SKIP_UNLESS_DURABLE();
  testing::Workload workload(/*seed=*/99);
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 60; ++i) ASSERT_NO_FATAL_FAILURE(Commit(workload.Next()));
    ExpectReplayMatchesModelAfterReopen();
  }
  EXPECT_FALSE(RecoverAll(*store_).objects.empty()) << "the workload wrote no objects";
}

// --- ReadMessages ---------------------------------------------------------------------------

// What ReadMessages answers; waits for it.
Result<std::vector<std::string>, StorageError> ReadAndWait(Store& store, uint64_t queue,
                                                           std::vector<uint64_t> seqs) {
  std::mutex mu;
  std::condition_variable cv;
  std::optional<Result<std::vector<std::string>, StorageError>> answer;
  store.ReadMessages(queue, std::move(seqs),
                     [&](Result<std::vector<std::string>, StorageError> result) {
                       std::lock_guard lock(mu);
                       answer.emplace(std::move(result));
                       cv.notify_all();
                     });
  std::unique_lock lock(mu);
  if (!cv.wait_for(lock, testing::kCompletionDeadline, [&] { return answer.has_value(); })) {
    ADD_FAILURE() << "ReadMessages never answered";
    return StorageError{StorageErrorCode::kIoError, "no answer"};
  }
  return std::move(*answer);
}

// The records a backend should return: the stored payload if it keeps records, else "".
std::vector<std::string> Expected(bool durable, std::vector<std::string> payloads) {
  if (!durable) return std::vector<std::string>(payloads.size());
  return payloads;
}

TEST_P(StoreConformanceTest, ReadMessagesAnswersInTheOrderAskedWithGapsForMissingRecords) {
  std::mt19937_64 rng(3);
  const std::string big = RandomBytes(rng, 1 << 20);
  Commit({testing::MessagePut(1, 1, "one"), testing::MessagePut(1, 2, "two"),
          testing::MessagePut(1, 3, big), testing::MessagePut(2, 1, "other queue"),
          testing::MessageState(1, 2, "a state is not a message")});
  Commit({testing::MessageDelete(1, 2)});
  auto read = ReadAndWait(*store_, 1, {3, 1, 2, 99, 1});
  ASSERT_TRUE(read.ok()) << read.error().detail;
  EXPECT_EQ(*read, Expected(GetParam().durable, {big, "one", "", "", "one"}));

  auto none = ReadAndWait(*store_, 1, {});
  ASSERT_TRUE(none.ok()) << none.error().detail;
  EXPECT_TRUE(none->empty());
}

TEST_P(StoreConformanceTest, ReadMessagesDoesNotSeePurgedOrDeletedQueues) {
  Commit({testing::MessagePut(3, 1, "purged"), testing::MessagePut(3, 2, "kept"),
          testing::MessagePut(4, 1, "queue deleted")});
  Commit({testing::QueuePurge(3, 2), testing::QueueDelete(4)});
  auto read3 = ReadAndWait(*store_, 3, {1, 2});
  ASSERT_TRUE(read3.ok()) << read3.error().detail;
  EXPECT_EQ(*read3, Expected(GetParam().durable, {"", "kept"}));
  auto read4 = ReadAndWait(*store_, 4, {1});
  ASSERT_TRUE(read4.ok()) << read4.error().detail;
  EXPECT_EQ(*read4, std::vector<std::string>{""});
}

// Many reads queued at once (a backend may serve them together): each gets its own records.
TEST_P(StoreConformanceTest, ConcurrentReadMessagesEachGetTheirOwnRecords) {
  std::vector<Record> records;
  for (uint64_t q = 1; q <= 8; ++q) {
    for (uint64_t seq = 1; seq <= 8; ++seq) {
      records.push_back(testing::MessagePut(q, seq, std::to_string(q) + "/" + std::to_string(seq)));
    }
  }
  Commit(std::move(records));

  constexpr int kReads = 64;
  std::mutex mu;
  std::condition_variable cv;
  int answered = 0;
  std::vector<std::optional<Result<std::vector<std::string>, StorageError>>> answers(kReads);
  std::vector<std::vector<std::string>> expected(kReads);
  for (int i = 0; i < kReads; ++i) {
    const uint64_t q = 1 + i % 8;
    std::vector<uint64_t> seqs;
    for (uint64_t k = 0; k < 1 + uint64_t(i) % 5; ++k) {
      const uint64_t seq = 1 + (i + 3 * k) % 10;  // 9 and 10 do not exist
      seqs.push_back(seq);
      expected[i].push_back(
          seq <= 8 && GetParam().durable ? std::to_string(q) + "/" + std::to_string(seq) : "");
    }
    store_->ReadMessages(q, std::move(seqs),
                         [&, i](Result<std::vector<std::string>, StorageError> result) {
                           std::lock_guard lock(mu);
                           answers[i].emplace(std::move(result));
                           ++answered;
                           cv.notify_all();
                         });
  }
  std::unique_lock lock(mu);
  ASSERT_TRUE(cv.wait_for(lock, testing::kCompletionDeadline, [&] { return answered == kReads; }));
  for (int i = 0; i < kReads; ++i) {
    ASSERT_TRUE(answers[i]->ok()) << answers[i]->error().detail;
    EXPECT_EQ(answers[i]->value(), expected[i]) << "read " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreConformanceTest, ::testing::ValuesIn(kBackends),
                         [](const ::testing::TestParamInfo<Backend>& info) {
                           return info.param.name;
                         });

}  // namespace
}  // namespace wharf::storage
