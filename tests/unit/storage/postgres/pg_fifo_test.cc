// PgQueueOps on FIFO queues against a real PostgreSQL: deduplication, strict order within a
// group, one receive in flight per group (also from concurrent receivers), the FIFO delete
// releasing the group, lock expiry and visibility changes, purge, maintenance.

#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "pg_test_support.h"

namespace wharf::storage::pg {
namespace {

using namespace std::chrono_literals;
using testing::Describe;
using testing::FifoMessage;
using testing::PgOpsTest;

class PgFifoTest : public PgOpsTest {
 protected:
  int64_t NewFifoQueue() {
    QueueConfig config;
    config.fifo = true;
    return NewQueue(config);
  }
};

constexpr Statement kExpireDedup{
    "test_expire_dedup",
    "UPDATE dedup SET expires_at = now() - interval '2 minutes' WHERE queue_id = $1", 1};

TEST_F(PgFifoTest, DuplicateSendReturnsTheOriginalIdAndStoresNothing) {
  int64_t queue = NewFifoQueue();
  NewFifoMessage first = FifoMessage("g", "dedup-1", "original");
  PG_ASSERT_OK_AND_ASSIGN(SentFifoMessage sent, ops_->SendFifo(queue, first));
  EXPECT_FALSE(sent.duplicate);
  EXPECT_EQ(sent.message_id, first.message_id);
  ASSERT_TRUE(sent.seq.has_value());

  NewFifoMessage retry = FifoMessage("g", "dedup-1", "retry with another body");
  PG_ASSERT_OK_AND_ASSIGN(SentFifoMessage dup, ops_->SendFifo(queue, retry));
  EXPECT_TRUE(dup.duplicate);
  EXPECT_EQ(dup.message_id, first.message_id);
  EXPECT_FALSE(dup.seq.has_value());
  EXPECT_EQ(dup.original_seq, sent.seq) << "the original's seq (its SequenceNumber)";
  EXPECT_FALSE(sent.original_seq.has_value());

  // The same dedup id in another queue is not a duplicate.
  int64_t other = NewFifoQueue();
  PG_ASSERT_OK_AND_ASSIGN(SentFifoMessage elsewhere, ops_->SendFifo(other, retry));
  EXPECT_FALSE(elsewhere.duplicate);

  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult got, ops_->ReceiveFifo(queue, 10, 30));
  ASSERT_EQ(got.messages.size(), 1u);
  EXPECT_EQ(got.messages[0].body, "original");
  EXPECT_EQ(got.messages[0].group_id, "g");
  // Still a duplicate after the original was received and deleted (the window is time).
  PG_ASSERT_OK_AND_ASSIGN(bool deleted, ops_->DeleteFifo(queue, got.messages[0].receipt));
  EXPECT_TRUE(deleted);
  PG_ASSERT_OK_AND_ASSIGN(dup, ops_->SendFifo(queue, retry));
  EXPECT_TRUE(dup.duplicate);
  EXPECT_EQ(dup.original_seq, sent.seq);
}

// A dedup row written before migration 3 (or by a node still running the older send_fifo) has
// no seq: its duplicates are still found, answered without the original's seq.
TEST_F(PgFifoTest, ADedupRowWithoutASeqAnswersDuplicatesWithoutOne) {
  constexpr Statement kForgetSeq{"test_forget_dedup_seq",
                                 "UPDATE dedup SET seq = NULL WHERE queue_id = $1", 1};
  int64_t queue = NewFifoQueue();
  NewFifoMessage first = FifoMessage("g", "old-row", "1");
  PG_ASSERT_OK(ops_->SendFifo(queue, first).status());
  {
    PG_ASSERT_OK_AND_ASSIGN(Connection conn, testing::Connect(testing::SharedOpsDatabase()));
    PG_ASSERT_OK_AND_ASSIGN(Rows forgot, conn.Execute(kForgetSeq, {Param::Int(queue)}));
    EXPECT_EQ(forgot.affected(), 1);
  }
  PG_ASSERT_OK_AND_ASSIGN(SentFifoMessage dup,
                          ops_->SendFifo(queue, FifoMessage("g", "old-row", "2")));
  EXPECT_TRUE(dup.duplicate);
  EXPECT_EQ(dup.message_id, first.message_id);
  EXPECT_FALSE(dup.original_seq.has_value());
}

TEST_F(PgFifoTest, ConcurrentDuplicatesStoreOneMessage) {
  int64_t queue = NewFifoQueue();
  constexpr int kSenders = 6;
  std::vector<PgResult<SentFifoMessage>> results(kSenders, PgError{PgErrorCode::kConnect, "", ""});
  std::vector<std::thread> senders;
  for (int i = 0; i < kSenders; ++i) {
    senders.emplace_back(
        [&, i] { results[i] = ops_->SendFifo(queue, FifoMessage("g", "same", "b")); });
  }
  for (auto& sender : senders) sender.join();
  std::set<std::string> ids;
  int originals = 0;
  for (auto& result : results) {
    ASSERT_TRUE(result.ok()) << Describe(result.error());
    ids.insert(result->message_id);
    originals += result->duplicate ? 0 : 1;
  }
  EXPECT_EQ(originals, 1);
  EXPECT_EQ(ids.size(), 1u) << "every sender must get the original's id";
  PG_ASSERT_OK_AND_ASSIGN(QueueCounts counts, ops_->Counts(queue));
  EXPECT_EQ(counts.visible, 1);
}

TEST_F(PgFifoTest, ExpiredDedupWindowAcceptsTheIdAgainAndMaintenanceRemovesIt) {
  int64_t queue = NewFifoQueue();
  PG_ASSERT_OK_AND_ASSIGN(SentFifoMessage first, ops_->SendFifo(queue, FifoMessage("g", "d", "1")));
  {
    PG_ASSERT_OK_AND_ASSIGN(Connection conn, testing::Connect(testing::SharedOpsDatabase()));
    PG_ASSERT_OK_AND_ASSIGN(Rows expired, conn.Execute(kExpireDedup, {Param::Int(queue)}));
    EXPECT_EQ(expired.affected(), 1);
  }
  NewFifoMessage again = FifoMessage("g", "d", "2");
  PG_ASSERT_OK_AND_ASSIGN(SentFifoMessage second, ops_->SendFifo(queue, again));
  EXPECT_FALSE(second.duplicate) << "the window had passed";
  EXPECT_EQ(second.message_id, again.message_id);
  // The reused dedup row now stands for the new message, seq included.
  PG_ASSERT_OK_AND_ASSIGN(SentFifoMessage third, ops_->SendFifo(queue, FifoMessage("g", "d", "x")));
  EXPECT_TRUE(third.duplicate);
  EXPECT_EQ(third.original_seq, second.seq);
  EXPECT_NE(second.seq, first.seq);

  PG_ASSERT_OK(ops_->SendFifo(queue, FifoMessage("g", "e", "3")).status());
  {
    PG_ASSERT_OK_AND_ASSIGN(Connection conn, testing::Connect(testing::SharedOpsDatabase()));
    PG_ASSERT_OK_AND_ASSIGN(Rows expired, conn.Execute(kExpireDedup, {Param::Int(queue)}));
    EXPECT_EQ(expired.affected(), 2);
  }
  PG_ASSERT_OK_AND_ASSIGN(int64_t removed, ops_->DeleteExpiredDedup(queue, 1));
  EXPECT_EQ(removed, 1);
  PG_ASSERT_OK_AND_ASSIGN(removed, ops_->DeleteExpiredDedup(queue, 10));
  EXPECT_EQ(removed, 1);
  PG_ASSERT_OK_AND_ASSIGN(removed, ops_->DeleteExpiredDedup(queue, 10));
  EXPECT_EQ(removed, 0);
  PG_ASSERT_OK_AND_ASSIGN(removed, ops_->DeleteExpiredAttempts(queue, 10));
  EXPECT_EQ(removed, 0);
  (void)first;
}

TEST_F(PgFifoTest, StrictOrderWithinAGroupOneReceiveAtATime) {
  int64_t queue = NewFifoQueue();
  std::vector<int64_t> seqs;
  for (int i = 0; i < 5; ++i) {
    PG_ASSERT_OK_AND_ASSIGN(
        SentFifoMessage sent,
        ops_->SendFifo(queue, FifoMessage("g", std::to_string(i), std::to_string(i))));
    seqs.push_back(*sent.seq);
  }
  for (int i = 0; i < 5; ++i) {
    PG_ASSERT_OK_AND_ASSIGN(ReceiveResult got, ops_->ReceiveFifo(queue, 1, 30));
    ASSERT_EQ(got.messages.size(), 1u) << "message " << i;
    EXPECT_EQ(got.messages[0].receipt.seq, seqs[i]);
    EXPECT_EQ(got.messages[0].body, std::to_string(i));
    // The group is locked until the delete.
    PG_ASSERT_OK_AND_ASSIGN(ReceiveResult locked, ops_->ReceiveFifo(queue, 10, 30));
    EXPECT_TRUE(locked.messages.empty());
    PG_ASSERT_OK_AND_ASSIGN(bool deleted, ops_->DeleteFifo(queue, got.messages[0].receipt));
    EXPECT_TRUE(deleted);
  }
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult empty, ops_->ReceiveFifo(queue, 10, 30));
  EXPECT_TRUE(empty.messages.empty());
}

TEST_F(PgFifoTest, ABatchFromOneGroupKeepsItLockedUntilItsLastMessageIsDeleted) {
  int64_t queue = NewFifoQueue();
  for (int i = 0; i < 4; ++i) {
    PG_ASSERT_OK(
        ops_->SendFifo(queue, FifoMessage("g", std::to_string(i), std::to_string(i))).status());
  }
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult batch, ops_->ReceiveFifo(queue, 3, 30));
  ASSERT_EQ(batch.messages.size(), 3u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(batch.messages[i].body, std::to_string(i));
  PG_ASSERT_OK_AND_ASSIGN(QueueCounts counts, ops_->Counts(queue));
  EXPECT_EQ(counts.not_visible, 3);
  EXPECT_EQ(counts.visible, 1);

  for (int i = 0; i < 3; ++i) {
    PG_ASSERT_OK_AND_ASSIGN(ReceiveResult locked, ops_->ReceiveFifo(queue, 10, 30));
    EXPECT_TRUE(locked.messages.empty()) << "group released before its batch was deleted";
    PG_ASSERT_OK_AND_ASSIGN(bool deleted, ops_->DeleteFifo(queue, batch.messages[i].receipt));
    EXPECT_TRUE(deleted);
  }
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult last, ops_->ReceiveFifo(queue, 10, 30));
  ASSERT_EQ(last.messages.size(), 1u);
  EXPECT_EQ(last.messages[0].body, "3");
}

// "SQS returns as many messages with the same message group ID as possible" (AWS knowledge
// center, sqs-fifo-messages-not-returned): one group's due messages first, then the next
// group's; and a group that gave no message is not left locked.
TEST_F(PgFifoTest, AReceiveFillsFromOneGroupFirstAndLocksOnlyGroupsItGot) {
  int64_t queue = NewFifoQueue();
  for (int i = 0; i < 3; ++i) {
    PG_ASSERT_OK(
        ops_->SendFifo(queue, FifoMessage("a", "a" + std::to_string(i), "a" + std::to_string(i)))
            .status());
  }
  PG_ASSERT_OK(ops_->SendFifo(queue, FifoMessage("b", "b0", "b0")).status());
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult got, ops_->ReceiveFifo(queue, 2, 30));
  ASSERT_EQ(got.messages.size(), 2u);
  EXPECT_EQ(got.messages[0].body, "a0");
  EXPECT_EQ(got.messages[1].body, "a1");
  // Group b gave nothing: it is not locked, another receive gets it now.
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult other, ops_->ReceiveFifo(queue, 10, 30));
  ASSERT_EQ(other.messages.size(), 1u);
  EXPECT_EQ(other.messages[0].body, "b0");
  for (const ReceivedMessage& m : got.messages) {
    PG_ASSERT_OK_AND_ASSIGN(bool deleted, ops_->DeleteFifo(queue, m.receipt));
    EXPECT_TRUE(deleted);
  }
  // Then the rest of a, and a receive larger than one group spills into the next.
  PG_ASSERT_OK(ops_->SendFifo(queue, FifoMessage("c", "c0", "c0")).status());
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult next, ops_->ReceiveFifo(queue, 10, 30));
  ASSERT_EQ(next.messages.size(), 2u);
  EXPECT_EQ(next.messages[0].body, "a2");
  EXPECT_EQ(next.messages[1].body, "c0");
}

TEST_F(PgFifoTest, StaleReceiptDeletesNothingAndKeepsTheGroupLocked) {
  int64_t queue = NewFifoQueue();
  PG_ASSERT_OK(ops_->SendFifo(queue, FifoMessage("g", "1", "1")).status());
  PG_ASSERT_OK(ops_->SendFifo(queue, FifoMessage("g", "2", "2")).status());
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult got, ops_->ReceiveFifo(queue, 1, 300));
  ASSERT_EQ(got.messages.size(), 1u);
  Receipt stale{got.messages[0].receipt.seq, got.messages[0].receipt.token + 1};
  PG_ASSERT_OK_AND_ASSIGN(bool deleted, ops_->DeleteFifo(queue, stale));
  EXPECT_FALSE(deleted);
  PG_ASSERT_OK_AND_ASSIGN(deleted, ops_->DeleteFifo(queue, Receipt{999'999'999, 1}));
  EXPECT_FALSE(deleted) << "no such message";
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult locked, ops_->ReceiveFifo(queue, 10, 300));
  EXPECT_TRUE(locked.messages.empty());
  PG_ASSERT_OK_AND_ASSIGN(deleted, ops_->DeleteFifo(queue, got.messages[0].receipt));
  EXPECT_TRUE(deleted);
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult next, ops_->ReceiveFifo(queue, 10, 300));
  ASSERT_EQ(next.messages.size(), 1u);
  EXPECT_EQ(next.messages[0].body, "2");
}

TEST_F(PgFifoTest, ExpiredGroupLockRedeliversTheSameHead) {
  int64_t queue = NewFifoQueue();
  PG_ASSERT_OK(ops_->SendFifo(queue, FifoMessage("g", "1", "1")).status());
  PG_ASSERT_OK(ops_->SendFifo(queue, FifoMessage("g", "2", "2")).status());
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult first, ops_->ReceiveFifo(queue, 1, 1));
  ASSERT_EQ(first.messages.size(), 1u);
  PG_ASSERT_OK_AND_ASSIGN(std::optional<std::chrono::milliseconds> next,
                          ops_->NextVisibleIn(queue));
  ASSERT_TRUE(next.has_value());
  EXPECT_LE(next->count(), 1000);

  ReceiveResult again = ReceiveWithin(15s, [&] { return ops_->ReceiveFifo(queue, 1, 300); });
  ASSERT_EQ(again.messages.size(), 1u);
  EXPECT_EQ(again.messages[0].body, "1") << "the head comes again, in order";
  EXPECT_EQ(again.messages[0].receive_count, 2);
  PG_ASSERT_OK_AND_ASSIGN(bool deleted, ops_->DeleteFifo(queue, first.messages[0].receipt));
  EXPECT_FALSE(deleted) << "the expired receive's receipt is stale";
  PG_ASSERT_OK_AND_ASSIGN(deleted, ops_->DeleteFifo(queue, again.messages[0].receipt));
  EXPECT_TRUE(deleted);
}

// What a receipt still controls, through a receive's life: held, lapsed (its lock ran out),
// replaced (received again), gone (deleted).
TEST_F(PgFifoTest, ReceiptStateFollowsTheReceive) {
  int64_t queue = NewFifoQueue();
  PG_ASSERT_OK(ops_->SendFifo(queue, FifoMessage("g", "1", "1")).status());
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult first, ops_->ReceiveFifo(queue, 1, 1));
  ASSERT_EQ(first.messages.size(), 1u);
  const Receipt old = first.messages[0].receipt;
  PG_ASSERT_OK_AND_ASSIGN(FifoReceiptState state, ops_->FifoReceiptStateOf(queue, old));
  EXPECT_EQ(state, FifoReceiptState::kHeld);
  std::this_thread::sleep_for(1500ms);
  PG_ASSERT_OK_AND_ASSIGN(state, ops_->FifoReceiptStateOf(queue, old));
  EXPECT_EQ(state, FifoReceiptState::kLapsed);

  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult again, ops_->ReceiveFifo(queue, 1, 300));
  ASSERT_EQ(again.messages.size(), 1u);
  PG_ASSERT_OK_AND_ASSIGN(state, ops_->FifoReceiptStateOf(queue, old));
  EXPECT_EQ(state, FifoReceiptState::kReplaced);
  PG_ASSERT_OK_AND_ASSIGN(state, ops_->FifoReceiptStateOf(queue, again.messages[0].receipt));
  EXPECT_EQ(state, FifoReceiptState::kHeld);

  PG_ASSERT_OK_AND_ASSIGN(bool deleted, ops_->DeleteFifo(queue, again.messages[0].receipt));
  ASSERT_TRUE(deleted);
  PG_ASSERT_OK_AND_ASSIGN(state, ops_->FifoReceiptStateOf(queue, again.messages[0].receipt));
  EXPECT_EQ(state, FifoReceiptState::kGone);
  PG_ASSERT_OK_AND_ASSIGN(state, ops_->FifoReceiptStateOf(queue, old));
  EXPECT_EQ(state, FifoReceiptState::kGone);
}

TEST_F(PgFifoTest, ChangeVisibilityMovesTheGroupLock) {
  int64_t queue = NewFifoQueue();
  PG_ASSERT_OK(ops_->SendFifo(queue, FifoMessage("g", "1", "1")).status());
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult got, ops_->ReceiveFifo(queue, 1, 300));
  ASSERT_EQ(got.messages.size(), 1u);
  Receipt receipt = got.messages[0].receipt;
  PG_ASSERT_OK_AND_ASSIGN(VisibilityChange changed,
                          ops_->ChangeVisibilityFifo(queue, {receipt.seq, receipt.token + 1}, 0));
  EXPECT_EQ(changed, VisibilityChange::kNotInFlight);
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult locked, ops_->ReceiveFifo(queue, 1, 300));
  EXPECT_TRUE(locked.messages.empty());
  PG_ASSERT_OK_AND_ASSIGN(changed, ops_->ChangeVisibilityFifo(queue, receipt, 0));
  EXPECT_EQ(changed, VisibilityChange::kChanged);
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult back, ops_->ReceiveFifo(queue, 1, 300));
  ASSERT_EQ(back.messages.size(), 1u);
  EXPECT_EQ(back.messages[0].receive_count, 2);
  PG_ASSERT_OK_AND_ASSIGN(changed, ops_->ChangeVisibilityFifo(queue, receipt, 30));
  EXPECT_EQ(changed, VisibilityChange::kNotInFlight) << "the old receipt no longer holds the lock";
}

// $1 queue_id, $2 seq, $3 seconds: moves one message's receive time back.
constexpr Statement kReceivedEarlier{
    "test_fifo_received_earlier",
    "UPDATE message SET received_at = received_at - make_interval(secs => $3::int) "
    "WHERE queue_id = $1 AND seq = $2",
    3};

// $1 queue_id: the group locks' remaining milliseconds, in group order.
constexpr Statement kLockRemaining{
    "test_fifo_lock_remaining",
    "SELECT (extract(epoch FROM locked_until - now()) * 1000)::bigint FROM fifo_group "
    "WHERE queue_id = $1 ORDER BY group_id",
    1};

// The 12-hour cap on the group lock, counted from the receive of the receipt's message; a
// refused change leaves the lock (and the receive's attempt id) as they were.
TEST_F(PgFifoTest, ChangeVisibilityIsCappedAt12HoursSinceTheReceive) {
  int64_t queue = NewFifoQueue();
  PG_ASSERT_OK(ops_->SendFifo(queue, FifoMessage("g", "1", "1")).status());
  PG_ASSERT_OK(ops_->SendFifo(queue, FifoMessage("g", "2", "2")).status());
  const std::optional<std::string> attempt = "attempt-cap";
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult got, ops_->ReceiveFifo(queue, 2, 300, attempt));
  ASSERT_EQ(got.messages.size(), 2u);
  Receipt first = got.messages[0].receipt;
  Receipt second = got.messages[1].receipt;
  PG_ASSERT_OK_AND_ASSIGN(Connection conn, testing::Connect(testing::SharedOpsDatabase()));
  {
    PG_ASSERT_OK_AND_ASSIGN(
        Rows moved,
        conn.Execute(kReceivedEarlier, {Param::Int(queue), Param::Int(first.seq), Param::Int(10)}));
    ASSERT_EQ(moved.affected(), 1);
  }
  PG_ASSERT_OK_AND_ASSIGN(VisibilityChange changed,
                          ops_->ChangeVisibilityFifo(queue, first, 43'200));
  EXPECT_EQ(changed, VisibilityChange::kBeyondCap) << "received 10 s ago: 43200 s is too far";
  {
    PG_ASSERT_OK_AND_ASSIGN(Rows lock, conn.Execute(kLockRemaining, {Param::Int(queue)}));
    ASSERT_EQ(lock.size(), 1);
    PG_ASSERT_OK_AND_ASSIGN(int64_t remaining, lock.Int(0, 0));
    EXPECT_LE(remaining, 300'000) << "the refused change left the lock as it was";
    EXPECT_GT(remaining, 250'000);
  }
  // Nothing changed, so the attempt id still replays the receive.
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult replay, ops_->ReceiveFifo(queue, 2, 300, attempt));
  EXPECT_TRUE(replay.replayed);
  EXPECT_EQ(replay.messages.size(), 2u);
  // The replay kept the receive's time, and each receipt counts from its own message's: the
  // first was received 10 s ago, the second just now.
  PG_ASSERT_OK_AND_ASSIGN(changed, ops_->ChangeVisibilityFifo(queue, first, 43'195));
  EXPECT_EQ(changed, VisibilityChange::kBeyondCap);
  PG_ASSERT_OK_AND_ASSIGN(changed, ops_->ChangeVisibilityFifo(queue, second, 43'195));
  EXPECT_EQ(changed, VisibilityChange::kChanged);
  PG_ASSERT_OK_AND_ASSIGN(changed, ops_->ChangeVisibilityFifo(queue, first, 43'000));
  EXPECT_EQ(changed, VisibilityChange::kChanged) << "within the 12 hours";
  {
    PG_ASSERT_OK_AND_ASSIGN(Rows lock, conn.Execute(kLockRemaining, {Param::Int(queue)}));
    ASSERT_EQ(lock.size(), 1);
    PG_ASSERT_OK_AND_ASSIGN(int64_t remaining, lock.Int(0, 0));
    EXPECT_GT(remaining, 42'000'000);
  }
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult fresh, ops_->ReceiveFifo(queue, 2, 300));
  EXPECT_TRUE(fresh.messages.empty()) << "the group is still held";
}

TEST_F(PgFifoTest, DelayedHeadIsNotReceivedEarly) {
  QueueConfig config;
  config.fifo = true;
  config.delay_s = 2;
  int64_t queue = NewQueue(config);
  auto start = std::chrono::steady_clock::now();
  PG_ASSERT_OK(ops_->SendFifo(queue, FifoMessage("g", "1", "1")).status());
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult early, ops_->ReceiveFifo(queue, 10, 30));
  EXPECT_TRUE(early.messages.empty());
  PG_ASSERT_OK_AND_ASSIGN(QueueCounts counts, ops_->Counts(queue));
  EXPECT_EQ(counts.delayed, 1);
  PG_ASSERT_OK_AND_ASSIGN(std::optional<std::chrono::milliseconds> next,
                          ops_->NextVisibleIn(queue));
  ASSERT_TRUE(next.has_value());
  EXPECT_LE(next->count(), 2000);
  ReceiveResult later = ReceiveWithin(15s, [&] { return ops_->ReceiveFifo(queue, 10, 30); });
  ASSERT_EQ(later.messages.size(), 1u);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 1500ms);
}

TEST_F(PgFifoTest, PurgeEmptiesGroupsAndForgetsDedupIds) {
  int64_t queue = NewFifoQueue();
  PG_ASSERT_OK(ops_->SendFifo(queue, FifoMessage("g", "1", "1")).status());
  PG_ASSERT_OK(ops_->SendFifo(queue, FifoMessage("g", "2", "2")).status());
  PG_ASSERT_OK(ops_->SendFifo(queue, FifoMessage("h", "3", "3")).status());
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult locked, ops_->ReceiveFifo(queue, 1, 300));
  ASSERT_EQ(locked.messages.size(), 1u);
  PG_ASSERT_OK_AND_ASSIGN(int64_t purged, ops_->Purge(queue));
  EXPECT_EQ(purged, 3);
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult none, ops_->ReceiveFifo(queue, 10, 300));
  EXPECT_TRUE(none.messages.empty());
  // The group that was locked is free again, and the dedup id "1" is new again.
  PG_ASSERT_OK_AND_ASSIGN(SentFifoMessage resent,
                          ops_->SendFifo(queue, FifoMessage("g", "1", "new")));
  EXPECT_FALSE(resent.duplicate);
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult after, ops_->ReceiveFifo(queue, 10, 300));
  ASSERT_EQ(after.messages.size(), 1u);
  EXPECT_EQ(after.messages[0].body, "new");
}

// Receivers on separate connections (as separate nodes would be) compete for the same groups:
// a group never has two receives in flight, each group's messages come in send order, and every
// message is delivered exactly once (the visibility timeout is long enough never to expire).
TEST_F(PgFifoTest, ConcurrentReceiversNeverHoldOneGroupTwiceAndKeepItsOrder) {
  int64_t queue = NewFifoQueue();
  constexpr int kGroups = 5;
  constexpr int kPerGroup = 20;
  std::map<std::string, std::vector<int64_t>> sent;
  for (int i = 0; i < kPerGroup; ++i) {
    for (int g = 0; g < kGroups; ++g) {
      std::string group = "g" + std::to_string(g);
      PG_ASSERT_OK_AND_ASSIGN(SentFifoMessage one,
                              ops_->SendFifo(queue, FifoMessage(group, NewUuid(), "m")));
      sent[group].push_back(*one.seq);
    }
  }
  constexpr int kReceivers = 6;
  std::mutex mutex;
  std::set<std::string> in_flight;                       // groups some receiver holds
  std::map<std::string, std::vector<int64_t>> received;  // per group, in delivery order
  std::vector<std::string> failures;
  std::atomic<int> delivered{0};
  std::vector<std::thread> receivers;
  for (int r = 0; r < kReceivers; ++r) {
    receivers.emplace_back([&, r] {
      auto deadline = std::chrono::steady_clock::now() + 120s;
      while (delivered.load() < kGroups * kPerGroup &&
             std::chrono::steady_clock::now() < deadline) {
        auto got = ops_->ReceiveFifo(queue, 1 + r % 3, 300);
        if (!got.ok()) {
          std::lock_guard lock(mutex);
          failures.push_back(Describe(got.error()));
          return;
        }
        std::set<std::string> groups;
        for (const ReceivedMessage& m : got->messages) groups.insert(m.group_id);
        {
          std::lock_guard lock(mutex);
          for (const std::string& group : groups) {
            if (!in_flight.insert(group).second) {
              failures.push_back("group " + group + " handed to two receivers at once");
            }
          }
          for (const ReceivedMessage& m : got->messages)
            received[m.group_id].push_back(m.receipt.seq);
        }
        // Give up the hold on paper before the delete releases the lock in the database, so
        // a receiver that gets the group next never races this bookkeeping.
        {
          std::lock_guard lock(mutex);
          for (const std::string& group : groups) in_flight.erase(group);
        }
        for (const ReceivedMessage& m : got->messages) {
          auto deleted = ops_->DeleteFifo(queue, m.receipt);
          std::lock_guard lock(mutex);
          if (!deleted.ok() || !*deleted) {
            failures.push_back("delete of " + std::to_string(m.receipt.seq) + " failed");
          }
          ++delivered;
        }
      }
    });
  }
  for (auto& receiver : receivers) receiver.join();
  for (const std::string& failure : failures) ADD_FAILURE() << failure;
  EXPECT_EQ(delivered.load(), kGroups * kPerGroup);
  EXPECT_EQ(received, sent) << "each group in send order, each message exactly once";
}

}  // namespace
}  // namespace wharf::storage::pg
