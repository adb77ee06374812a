// The remaining §5.2 operations against a real PostgreSQL: batch send and batch delete (standard
// and FIFO), the FIFO dead-letter redrive, ReceiveRequestAttemptId and the FIFO retention sweep.

#include <set>
#include <thread>
#include <vector>

#include "pg_test_support.h"

namespace wharf::storage::pg {
namespace {

using namespace std::chrono_literals;
using testing::FifoMessage;
using testing::Message;
using testing::PgOpsTest;

class PgBatchTest : public PgOpsTest {
 protected:
  int64_t NewFifoQueue(QueueConfig config = {}) {
    config.fifo = true;
    return NewQueue(config);
  }
};

// ---- Standard batches ----

TEST_F(PgBatchTest, SendBatchStoresEveryEntryWithItsBytesAndDelayInEntryOrder) {
  int64_t queue = NewQueue();
  // Bodies and attributes that the array encoding must carry unchanged.
  std::vector<std::string> bodies = {
      "plain", "with \"quotes\"", "back\\slash\\", "{braces},commas", "NULL",
      "",      "line\nbreak",     "ünïcødé ✓",     "  spaces  ",      "delayed"};
  std::vector<NewMessage> batch;
  for (size_t i = 0; i < bodies.size(); ++i) {
    std::string attrs = i % 2 == 0 ? std::string("\0\x01\xff\"\\", 5) : std::string();
    batch.push_back(Message(bodies[i], attrs, i == 9 ? std::optional<int>(60) : std::nullopt));
  }
  PG_ASSERT_OK_AND_ASSIGN(std::vector<SentMessage> sent, ops_->SendBatch(queue, batch));
  ASSERT_EQ(sent.size(), batch.size());
  for (size_t i = 0; i < sent.size(); ++i) {
    EXPECT_EQ(sent[i].message_id, batch[i].message_id);
    if (i > 0) {
      EXPECT_GT(sent[i].seq, sent[i - 1].seq) << "entry order";
    }
  }
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult received, ops_->Receive(queue, 10, 30));
  ASSERT_EQ(received.messages.size(), 9u) << "the delayed entry is not due";
  for (const ReceivedMessage& message : received.messages) {
    size_t i = 0;
    while (i < batch.size() && batch[i].message_id != message.message_id) ++i;
    ASSERT_LT(i, 9u);
    EXPECT_EQ(message.body, batch[i].body);
    EXPECT_EQ(message.attrs, batch[i].attrs);
  }
  PG_ASSERT_OK_AND_ASSIGN(QueueCounts counts, ops_->Counts(queue));
  EXPECT_EQ(counts.delayed, 1);
}

TEST_F(PgBatchTest, SendBatchRefusesMoreThanTenAndWrongQueues) {
  int64_t queue = NewQueue();
  std::vector<NewMessage> eleven;
  for (int i = 0; i < 11; ++i) eleven.push_back(Message("x"));
  auto refused = ops_->SendBatch(queue, eleven);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, PgErrorCode::kBadResult);
  eleven.pop_back();
  int64_t fifo = NewFifoQueue();
  auto wrong_type = ops_->SendBatch(fifo, eleven);
  ASSERT_FALSE(wrong_type.ok());
  EXPECT_EQ(wrong_type.error().code, PgErrorCode::kNotFound);
  PG_ASSERT_OK_AND_ASSIGN(QueueCounts counts, ops_->Counts(queue));
  EXPECT_EQ(counts.visible, 0) << "nothing of a refused batch is stored";
}

TEST_F(PgBatchTest, DeleteBatchChecksEachReceiptOnItsOwn) {
  int64_t queue = NewQueue();
  std::vector<NewMessage> batch = {Message("a"), Message("b"), Message("c")};
  PG_ASSERT_OK(ops_->SendBatch(queue, batch).status());
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult received, ops_->Receive(queue, 10, 30));
  ASSERT_EQ(received.messages.size(), 3u);
  Receipt stale = received.messages[1].receipt;
  stale.token += 1;
  std::vector<Receipt> receipts = {received.messages[0].receipt, stale,
                                   received.messages[2].receipt};
  PG_ASSERT_OK_AND_ASSIGN(std::vector<bool> outcomes, ops_->DeleteBatch(queue, receipts));
  EXPECT_EQ(outcomes, (std::vector<bool>{true, false, true}));
  PG_ASSERT_OK_AND_ASSIGN(QueueCounts counts, ops_->Counts(queue));
  EXPECT_EQ(counts.not_visible, 1) << "the stale entry's message is still in flight";
  // One message twice in a batch, once with a stale receipt: only the current one deletes it.
  std::vector<Receipt> twice = {stale, received.messages[1].receipt};
  PG_ASSERT_OK_AND_ASSIGN(outcomes, ops_->DeleteBatch(queue, twice));
  EXPECT_EQ(outcomes, (std::vector<bool>{false, true}));
  // The same receipts again: already gone.
  PG_ASSERT_OK_AND_ASSIGN(outcomes, ops_->DeleteBatch(queue, receipts));
  EXPECT_EQ(outcomes, (std::vector<bool>{false, false, false}));
}

// ---- FIFO batches ----

TEST_F(PgBatchTest, FifoSendBatchKeepsGroupOrderAndDeduplicatesWithinAndAcrossBatches) {
  int64_t queue = NewFifoQueue();
  PG_ASSERT_OK_AND_ASSIGN(SentFifoMessage earlier,
                          ops_->SendFifo(queue, FifoMessage("g2", "old", "earlier")));
  std::vector<NewFifoMessage> batch = {
      FifoMessage("g1", "d1", "g1-first"),
      FifoMessage("g2", "d2", "g2-second"),
      FifoMessage("g1", "d3", "g1-second"),
      FifoMessage("g1", "d1", "dup of entry 0"),  // same dedup id as an earlier entry
      FifoMessage("g2", "old", "dup of earlier"),
      FifoMessage("g1", "d4", "g1-third")};
  PG_ASSERT_OK_AND_ASSIGN(std::vector<SentFifoMessage> sent, ops_->SendFifoBatch(queue, batch));
  ASSERT_EQ(sent.size(), batch.size());
  EXPECT_FALSE(sent[0].duplicate);
  EXPECT_TRUE(sent[3].duplicate);
  EXPECT_EQ(sent[3].message_id, batch[0].message_id);
  EXPECT_EQ(sent[3].original_seq, sent[0].seq);
  EXPECT_TRUE(sent[4].duplicate);
  EXPECT_EQ(sent[4].message_id, earlier.message_id);
  EXPECT_EQ(sent[4].original_seq, earlier.seq);
  EXPECT_LT(*sent[0].seq, *sent[2].seq);
  EXPECT_LT(*sent[2].seq, *sent[5].seq);

  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult received, ops_->ReceiveFifo(queue, 10, 30));
  std::vector<std::string> g1, g2;
  for (const ReceivedMessage& message : received.messages) {
    (message.group_id == "g1" ? g1 : g2).push_back(message.body);
  }
  EXPECT_EQ(g1, (std::vector<std::string>{"g1-first", "g1-second", "g1-third"}));
  EXPECT_EQ(g2, (std::vector<std::string>{"earlier", "g2-second"}));
}

TEST_F(PgBatchTest, FifoSendBatchIsOneTransaction) {
  int64_t queue = NewFifoQueue();
  // A body PostgreSQL refuses (not UTF-8) fails the fourth entry: none is stored.
  std::vector<NewFifoMessage> batch = {FifoMessage("g", "a", "one"), FifoMessage("g", "b", "two"),
                                       FifoMessage("g", "c", "three"),
                                       FifoMessage("g", "d", "bad \xff\xfe utf-8")};
  auto failed = ops_->SendFifoBatch(queue, batch);
  ASSERT_FALSE(failed.ok());
  PG_ASSERT_OK_AND_ASSIGN(QueueCounts counts, ops_->Counts(queue));
  EXPECT_EQ(counts.visible, 0);
  // The dedup ids of the rolled-back entries are free: the batch without the bad entry stores 3.
  batch.pop_back();
  PG_ASSERT_OK_AND_ASSIGN(std::vector<SentFifoMessage> sent, ops_->SendFifoBatch(queue, batch));
  for (const SentFifoMessage& entry : sent) EXPECT_FALSE(entry.duplicate);
  PG_ASSERT_OK_AND_ASSIGN(counts, ops_->Counts(queue));
  EXPECT_EQ(counts.visible, 3);
}

TEST_F(PgBatchTest, FifoDeleteBatchReleasesTheGroupWithTheReceivesLastMessage) {
  int64_t queue = NewFifoQueue();
  std::vector<NewFifoMessage> batch = {FifoMessage("g", "1", "m1"), FifoMessage("g", "2", "m2"),
                                       FifoMessage("g", "3", "m3"), FifoMessage("g", "4", "m4")};
  PG_ASSERT_OK(ops_->SendFifoBatch(queue, batch).status());
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult received, ops_->ReceiveFifo(queue, 3, 30));
  ASSERT_EQ(received.messages.size(), 3u);
  Receipt stale = received.messages[2].receipt;
  stale.token += 1;
  PG_ASSERT_OK_AND_ASSIGN(
      std::vector<bool> outcomes,
      ops_->DeleteFifoBatch(queue, std::vector<Receipt>{received.messages[0].receipt,
                                                        received.messages[1].receipt, stale}));
  EXPECT_EQ(outcomes, (std::vector<bool>{true, true, false}));
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult blocked, ops_->ReceiveFifo(queue, 10, 30));
  EXPECT_TRUE(blocked.messages.empty()) << "m3 of the receive is undeleted: the group stays locked";
  PG_ASSERT_OK_AND_ASSIGN(
      outcomes, ops_->DeleteFifoBatch(queue, std::vector<Receipt>{received.messages[2].receipt}));
  EXPECT_EQ(outcomes, (std::vector<bool>{true}));
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult next, ops_->ReceiveFifo(queue, 10, 30));
  ASSERT_EQ(next.messages.size(), 1u);
  EXPECT_EQ(next.messages[0].body, "m4");
}

// ---- FIFO dead-letter redrive ----

TEST_F(PgBatchTest, FifoRedriveMovesTheOverReceivedHeadToTheFifoDlqKeepingItsGroup) {
  QueueConfig dlq_config;
  int64_t dlq = NewFifoQueue(dlq_config);
  QueueConfig config;
  config.dlq_id = dlq;
  config.max_receive = 2;
  int64_t queue = NewFifoQueue(config);
  std::vector<NewFifoMessage> batch = {FifoMessage("g", "1", "poison"),
                                       FifoMessage("g", "2", "next"),
                                       FifoMessage("h", "3", "other group")};
  batch[0].attrs = "attrs carry the dedup id";
  PG_ASSERT_OK(ops_->SendFifoBatch(queue, batch).status());
  // Two receives of the head of g, each released at once (visibility 0): receive count 2.
  for (int i = 0; i < 2; ++i) {
    PG_ASSERT_OK_AND_ASSIGN(ReceiveResult r, ops_->ReceiveFifo(queue, 1, 0));
    ASSERT_EQ(r.messages.size(), 1u);
    EXPECT_EQ(r.messages[0].body, "poison");
    EXPECT_EQ(r.moved_to_dlq, 0);
    std::this_thread::sleep_for(20ms);  // now() moves past the zero-length lock
  }
  // The third would exceed max_receive: the head moves, and g continues with its next message.
  ReceiveResult third = ReceiveWithin(10s, [&] { return ops_->ReceiveFifo(queue, 10, 30); });
  EXPECT_EQ(third.moved_to_dlq, 1);
  std::set<std::string> bodies;
  for (const auto& m : third.messages) bodies.insert(m.body);
  EXPECT_EQ(bodies, (std::set<std::string>{"next", "other group"}));

  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult dead, ops_->ReceiveFifo(dlq, 10, 30));
  ASSERT_EQ(dead.messages.size(), 1u);
  EXPECT_EQ(dead.messages[0].body, "poison");
  EXPECT_EQ(dead.messages[0].group_id, "g");
  EXPECT_EQ(dead.messages[0].message_id, batch[0].message_id);
  EXPECT_EQ(dead.messages[0].attrs, batch[0].attrs);
  // The DLQ's group behaves as a FIFO group: locked while its message is in flight.
  PG_ASSERT_OK_AND_ASSIGN(bool deleted, ops_->DeleteFifo(dlq, dead.messages[0].receipt));
  EXPECT_TRUE(deleted);
  PG_ASSERT_OK_AND_ASSIGN(QueueCounts dlq_counts, ops_->Counts(dlq));
  EXPECT_EQ(dlq_counts.visible + dlq_counts.not_visible, 0);
}

TEST_F(PgBatchTest, FifoQueueWithAStandardDlqDoesNotRedriveOrBlock) {
  int64_t standard_dlq = NewQueue();
  QueueConfig config;
  config.dlq_id = standard_dlq;
  config.max_receive = 1;
  int64_t queue = NewFifoQueue(config);
  PG_ASSERT_OK(ops_->SendFifo(queue, FifoMessage("g", "1", "m")).status());
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult first, ops_->ReceiveFifo(queue, 1, 0));
  ASSERT_EQ(first.messages.size(), 1u);
  std::this_thread::sleep_for(20ms);
  ReceiveResult again = ReceiveWithin(10s, [&] { return ops_->ReceiveFifo(queue, 1, 30); });
  ASSERT_EQ(again.messages.size(), 1u) << "SQS requires a FIFO DLQ; without one, no redrive";
  EXPECT_EQ(again.moved_to_dlq, 0);
  EXPECT_EQ(again.messages[0].receive_count, 2);
}

// ---- ReceiveRequestAttemptId ----

TEST_F(PgBatchTest, RetriedReceiveWithTheSameAttemptIdReturnsTheSameMessages) {
  int64_t queue = NewFifoQueue();
  std::vector<NewFifoMessage> batch = {FifoMessage("g1", "1", "a"), FifoMessage("g1", "2", "b"),
                                       FifoMessage("g2", "3", "c")};
  PG_ASSERT_OK(ops_->SendFifoBatch(queue, batch).status());
  const std::optional<std::string> attempt = "attempt-" + NewUuid();
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult first, ops_->ReceiveFifo(queue, 1, 1, attempt));
  EXPECT_FALSE(first.replayed);
  ASSERT_EQ(first.messages.size(), 1u);
  EXPECT_EQ(first.messages[0].body, "a");

  // The retry (the first answer was lost): the same message and receipt, not another group, and
  // the visibility reset to the retry's 30 s.
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult retry, ops_->ReceiveFifo(queue, 1, 30, attempt));
  EXPECT_TRUE(retry.replayed);
  ASSERT_EQ(retry.messages.size(), 1u);
  EXPECT_EQ(retry.messages[0].message_id, first.messages[0].message_id);
  EXPECT_EQ(retry.messages[0].receipt.token, first.messages[0].receipt.token);
  EXPECT_EQ(retry.messages[0].receipt.seq, first.messages[0].receipt.seq);
  EXPECT_EQ(retry.messages[0].receive_count, 1) << "a replay is not another receive";
  std::this_thread::sleep_for(1500ms);  // past the first receive's 1 s visibility
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult other, ops_->ReceiveFifo(queue, 10, 30));
  ASSERT_EQ(other.messages.size(), 1u) << "g1's lock was extended by the retry";
  EXPECT_EQ(other.messages[0].body, "c");

  // The replay's receipt works. Once a message of the receive is deleted the id no longer
  // replays (sqs-api.md §5.15: "if the messages were modified ... a new receive"): here the next
  // call gets b, g1 having been released by the delete.
  PG_ASSERT_OK_AND_ASSIGN(bool deleted, ops_->DeleteFifo(queue, retry.messages[0].receipt));
  EXPECT_TRUE(deleted);
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult after, ops_->ReceiveFifo(queue, 10, 30, attempt));
  EXPECT_FALSE(after.replayed);
  ASSERT_EQ(after.messages.size(), 1u);
  EXPECT_EQ(after.messages[0].body, "b");
}

// A visibility change also ends the replay (§5.15).
TEST_F(PgBatchTest, AVisibilityChangeEndsTheReplayOfAnAttemptId) {
  int64_t queue = NewFifoQueue();
  std::vector<NewFifoMessage> batch = {FifoMessage("g1", "1", "a"), FifoMessage("g2", "2", "b")};
  PG_ASSERT_OK(ops_->SendFifoBatch(queue, batch).status());
  const std::optional<std::string> attempt = "attempt-" + NewUuid();
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult first, ops_->ReceiveFifo(queue, 1, 60, attempt));
  ASSERT_EQ(first.messages.size(), 1u);
  EXPECT_EQ(first.messages[0].body, "a");
  PG_ASSERT_OK_AND_ASSIGN(VisibilityChange changed,
                          ops_->ChangeVisibilityFifo(queue, first.messages[0].receipt, 120));
  EXPECT_EQ(changed, VisibilityChange::kChanged);
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult again, ops_->ReceiveFifo(queue, 1, 60, attempt));
  EXPECT_FALSE(again.replayed);
  ASSERT_EQ(again.messages.size(), 1u);
  EXPECT_EQ(again.messages[0].body, "b") << "a new receive: g1 is still held, g2 is served";
}

TEST_F(PgBatchTest, AnAttemptIdThatReceivedNothingIsNotKept) {
  int64_t queue = NewFifoQueue();
  const std::optional<std::string> attempt = "attempt-" + NewUuid();
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult empty, ops_->ReceiveFifo(queue, 10, 30, attempt));
  EXPECT_TRUE(empty.messages.empty());
  // A long poll repeats the call with the same id: a message sent meanwhile is received.
  PG_ASSERT_OK(ops_->SendFifo(queue, FifoMessage("g", "1", "a")).status());
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult later, ops_->ReceiveFifo(queue, 10, 30, attempt));
  EXPECT_FALSE(later.replayed);
  ASSERT_EQ(later.messages.size(), 1u);
  EXPECT_EQ(later.messages[0].body, "a");
}

TEST_F(PgBatchTest, AnExpiredAttemptIdIsANewReceive) {
  int64_t queue = NewFifoQueue();
  PG_ASSERT_OK(ops_->SendFifo(queue, FifoMessage("g", "1", "a")).status());
  const std::optional<std::string> attempt = "attempt-" + NewUuid();
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult first, ops_->ReceiveFifo(queue, 1, 0, attempt));
  ASSERT_EQ(first.messages.size(), 1u);
  {
    PG_ASSERT_OK_AND_ASSIGN(PooledConnection conn, pool_->Acquire(5s));
    static constexpr Statement kExpire{
        "test_expire_attempts",
        "UPDATE receive_attempt SET expires_at = now() - interval '1 second' WHERE queue_id = $1",
        1};
    PG_ASSERT_OK(conn->Execute(kExpire, {Param::Int(queue)}).status());
  }
  std::this_thread::sleep_for(20ms);
  ReceiveResult again =
      ReceiveWithin(10s, [&] { return ops_->ReceiveFifo(queue, 1, 30, attempt); });
  EXPECT_FALSE(again.replayed);
  ASSERT_EQ(again.messages.size(), 1u);
  EXPECT_NE(again.messages[0].receipt.token, first.messages[0].receipt.token);
  EXPECT_EQ(again.messages[0].receive_count, 2);
}

// Two nodes send batches with the same dedup ids in opposite orders, so their row locks cross
// (a deadlock the server breaks by aborting one batch, which runs again) and entries wait for
// uncommitted duplicates (whose ids come back after the commit). Each dedup id is stored once
// and both senders report the same message id for it.
TEST_F(PgBatchTest, ConcurrentFifoBatchesWithCrossedDedupIdsStoreEachIdOnce) {
  int64_t queue = NewFifoQueue();
  constexpr int kRounds = 5;
  for (int round = 0; round < kRounds; ++round) {
    std::vector<NewFifoMessage> forward;
    for (int i = 0; i < 10; ++i) {
      forward.push_back(FifoMessage("g" + std::to_string(i % 3),
                                    "r" + std::to_string(round) + "-" + std::to_string(i),
                                    "body " + std::to_string(i)));
    }
    std::vector<NewFifoMessage> backward(forward.rbegin(), forward.rend());
    for (NewFifoMessage& message : backward) message.message_id = NewUuid();
    PgResult<std::vector<SentFifoMessage>> a = std::vector<SentFifoMessage>();
    PgResult<std::vector<SentFifoMessage>> b = std::vector<SentFifoMessage>();
    std::thread first([&] { a = ops_->SendFifoBatch(queue, forward); });
    std::thread second([&] { b = ops_->SendFifoBatch(queue, backward); });
    first.join();
    second.join();
    ASSERT_TRUE(a.ok()) << testing::Describe(a.error());
    ASSERT_TRUE(b.ok()) << testing::Describe(b.error());
    for (int i = 0; i < 10; ++i) {
      const SentFifoMessage& from_a = (*a)[i];
      const SentFifoMessage& from_b = (*b)[9 - i];
      EXPECT_EQ(from_a.message_id, from_b.message_id) << "dedup id " << forward[i].dedup_id;
      EXPECT_NE(from_a.duplicate, from_b.duplicate) << "exactly one stored it";
      const SentFifoMessage& original = from_a.duplicate ? from_b : from_a;
      const SentFifoMessage& duplicate = from_a.duplicate ? from_a : from_b;
      EXPECT_EQ(duplicate.original_seq, original.seq) << "dedup id " << forward[i].dedup_id;
    }
  }
  PG_ASSERT_OK_AND_ASSIGN(QueueCounts counts, ops_->Counts(queue));
  EXPECT_EQ(counts.visible, 10 * kRounds);
}

TEST_F(PgBatchTest, ConcurrentReceivesWithOneAttemptIdGetTheSameMessages) {
  int64_t queue = NewFifoQueue();
  std::vector<NewFifoMessage> batch;
  for (int i = 0; i < 6; ++i) {
    batch.push_back(FifoMessage("g" + std::to_string(i), std::to_string(i), "m"));
  }
  PG_ASSERT_OK(ops_->SendFifoBatch(queue, batch).status());
  for (int round = 0; round < 3; ++round) {
    const std::optional<std::string> attempt = "attempt-" + NewUuid();
    PgResult<ReceiveResult> a = ReceiveResult();
    PgResult<ReceiveResult> b = ReceiveResult();
    std::thread first([&] { a = ops_->ReceiveFifo(queue, 2, 30, attempt); });
    std::thread second([&] { b = ops_->ReceiveFifo(queue, 2, 30, attempt); });
    first.join();
    second.join();
    ASSERT_TRUE(a.ok()) << testing::Describe(a.error());
    ASSERT_TRUE(b.ok()) << testing::Describe(b.error());
    EXPECT_NE(a->replayed, b->replayed) << "one receive, one replay";
    ASSERT_EQ(a->messages.size(), 2u);
    ASSERT_EQ(b->messages.size(), 2u);
    for (size_t i = 0; i < 2; ++i) {
      EXPECT_EQ(a->messages[i].message_id, b->messages[i].message_id);
      EXPECT_EQ(a->messages[i].receipt.token, b->messages[i].receipt.token);
    }
  }
  PG_ASSERT_OK_AND_ASSIGN(QueueCounts counts, ops_->Counts(queue));
  EXPECT_EQ(counts.not_visible, 6) << "three rounds took two groups each, none twice";
}

// ---- FIFO retention ----

TEST_F(PgBatchTest, FifoRetentionSweepRecomputesHeadsAndReleasesEmptiedReceives) {
  QueueConfig config;
  config.retention_s = 1;
  int64_t queue = NewFifoQueue(config);
  std::vector<NewFifoMessage> old = {FifoMessage("g", "1", "old-1"), FifoMessage("g", "2", "old-2"),
                                     FifoMessage("h", "3", "old-h")};
  PG_ASSERT_OK(ops_->SendFifoBatch(queue, old).status());
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult in_flight, ops_->ReceiveFifo(queue, 1, 300));
  ASSERT_EQ(in_flight.messages.size(), 1u);
  EXPECT_EQ(in_flight.messages[0].body, "old-1");
  PG_ASSERT_OK_AND_ASSIGN(int64_t swept, ops_->FifoRetentionSweep(queue, 10, 100));
  EXPECT_EQ(swept, 0) << "nothing is past retention yet";
  std::this_thread::sleep_for(2200ms);
  PG_ASSERT_OK(ops_->SendFifo(queue, FifoMessage("g", "4", "new")).status());
  // Batches of 2: the oldest first.
  PG_ASSERT_OK_AND_ASSIGN(swept, ops_->FifoRetentionSweep(queue, 10, 2));
  EXPECT_EQ(swept, 2);
  PG_ASSERT_OK_AND_ASSIGN(swept, ops_->FifoRetentionSweep(queue, 10, 2));
  EXPECT_EQ(swept, 1);
  PG_ASSERT_OK_AND_ASSIGN(swept, ops_->FifoRetentionSweep(queue, 10, 2));
  EXPECT_EQ(swept, 0);
  // g's receive (300 s) lost its only message: the group is free, its head is the new message.
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult left, ops_->ReceiveFifo(queue, 10, 30));
  ASSERT_EQ(left.messages.size(), 1u);
  EXPECT_EQ(left.messages[0].body, "new");
  PG_ASSERT_OK_AND_ASSIGN(bool stale, ops_->DeleteFifo(queue, in_flight.messages[0].receipt));
  EXPECT_FALSE(stale);
}

}  // namespace
}  // namespace wharf::storage::pg
