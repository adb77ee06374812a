// FIFO visibility per message (sqs-api.md §5.14, schema migration 9) against a real PostgreSQL:
// a receive takes, per group, the visible messages from the head up to the first in flight;
// a visibility change or a delete acts on one message; ReceiveRequestAttemptId replays and the
// dead-letter redrive keep working with it; two nodes' concurrent receivers never share a
// message in flight nor skip ahead of one; a database locked under the per-group scheme migrates.

#include <algorithm>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include "pg_test_support.h"
#include "storage/postgres/migrations.h"

namespace wharf::storage::pg {
namespace {

using namespace std::chrono_literals;
using testing::Describe;
using testing::FifoMessage;
using testing::PgOpsTest;

std::vector<std::string> Bodies(const ReceiveResult& got) {
  std::vector<std::string> bodies;
  for (const ReceivedMessage& m : got.messages) bodies.push_back(m.body);
  return bodies;
}

class PgFifoVisibilityTest : public PgOpsTest {
 protected:
  int64_t NewFifoQueue(QueueConfig config = {}) {
    config.fifo = true;
    return NewQueue(config);
  }

  // Sends `bodies` to `group` in order (each body is its own dedup id).
  void SendAll(int64_t queue, const std::string& group, const std::vector<std::string>& bodies) {
    for (const std::string& body : bodies) {
      auto sent = ops_->SendFifo(queue, FifoMessage(group, body, body));
      ASSERT_TRUE(sent.ok()) << Describe(sent.error());
    }
  }

  // foo, bar, baz of one group received for 1 s; `extended` then kept in flight for 300 s
  // while the others' visibility runs out; returns what the next receive gets.
  std::vector<std::string> AfterExtending(const std::string& extended) {
    int64_t queue = NewFifoQueue();
    SendAll(queue, "g", {"foo", "bar", "baz"});
    auto got = ops_->ReceiveFifo(queue, 10, 1);
    EXPECT_TRUE(got.ok());
    if (!got.ok() || got->messages.size() != 3) {
      ADD_FAILURE() << "expected the three messages";
      return {};
    }
    for (const ReceivedMessage& m : got->messages) {
      if (m.body != extended) continue;
      auto changed = ops_->ChangeVisibilityFifo(queue, m.receipt, 300);
      EXPECT_TRUE(changed.ok() && *changed == VisibilityChange::kChanged) << m.body;
    }
    std::this_thread::sleep_for(1500ms);  // the other two run out
    auto next = ops_->ReceiveFifo(queue, 10, 300);
    EXPECT_TRUE(next.ok());
    return next.ok() ? Bodies(*next) : std::vector<std::string>{};
  }
};

// sqs-api.md §5.14's example: the consecutive visible messages from the head, stopping at the
// first in flight; nothing when the head is in flight.
TEST_F(PgFifoVisibilityTest, FooBarBazExtendBarGivesFoo) {
  EXPECT_EQ(AfterExtending("bar"), (std::vector<std::string>{"foo"}));
}

TEST_F(PgFifoVisibilityTest, FooBarBazExtendBazGivesFooBar) {
  EXPECT_EQ(AfterExtending("baz"), (std::vector<std::string>{"foo", "bar"}));
}

TEST_F(PgFifoVisibilityTest, FooBarBazExtendFooGivesNothing) {
  EXPECT_EQ(AfterExtending("foo"), (std::vector<std::string>{}));
}

// §5.14: g1-m1 made visible (timeout 0) comes again, with the other groups, though g1-m2 is
// still in flight.
TEST_F(PgFifoVisibilityTest, AHeadMadeVisibleIsReceivedWhileTheNextIsInFlight) {
  int64_t queue = NewFifoQueue();
  SendAll(queue, "g1", {"g1-m1", "g1-m2"});
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult got, ops_->ReceiveFifo(queue, 10, 300));
  ASSERT_EQ(Bodies(got), (std::vector<std::string>{"g1-m1", "g1-m2"}));
  SendAll(queue, "g2", {"g2-m1"});
  PG_ASSERT_OK_AND_ASSIGN(VisibilityChange changed,
                          ops_->ChangeVisibilityFifo(queue, got.messages[0].receipt, 0));
  EXPECT_EQ(changed, VisibilityChange::kChanged);
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult again, ops_->ReceiveFifo(queue, 10, 300));
  EXPECT_EQ(Bodies(again), (std::vector<std::string>{"g1-m1", "g2-m1"}));
  ASSERT_FALSE(again.messages.empty());
  EXPECT_EQ(again.messages[0].receive_count, 2);
  // g1-m2's receipt still controls it, g1-m1's old one no longer.
  PG_ASSERT_OK_AND_ASSIGN(FifoReceiptState state,
                          ops_->FifoReceiptStateOf(queue, got.messages[1].receipt));
  EXPECT_EQ(state, FifoReceiptState::kHeld);
  PG_ASSERT_OK_AND_ASSIGN(state, ops_->FifoReceiptStateOf(queue, got.messages[0].receipt));
  EXPECT_EQ(state, FifoReceiptState::kReplaced);
  PG_ASSERT_OK_AND_ASSIGN(QueueCounts counts, ops_->Counts(queue));
  EXPECT_EQ(counts.not_visible, 3);
  EXPECT_EQ(counts.visible, 0);
}

// Making a later message visible does not unblock its group while the head is in flight; the
// head's turn then brings both.
TEST_F(PgFifoVisibilityTest, ALaterMessageMadeVisibleWaitsBehindItsHead) {
  int64_t queue = NewFifoQueue();
  SendAll(queue, "g", {"m1", "m2"});
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult got, ops_->ReceiveFifo(queue, 10, 300));
  ASSERT_EQ(got.messages.size(), 2u);
  PG_ASSERT_OK_AND_ASSIGN(VisibilityChange changed,
                          ops_->ChangeVisibilityFifo(queue, got.messages[1].receipt, 0));
  EXPECT_EQ(changed, VisibilityChange::kChanged);
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult blocked, ops_->ReceiveFifo(queue, 10, 300));
  EXPECT_TRUE(blocked.messages.empty());
  PG_ASSERT_OK_AND_ASSIGN(changed, ops_->ChangeVisibilityFifo(queue, got.messages[0].receipt, 0));
  EXPECT_EQ(changed, VisibilityChange::kChanged);
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult both, ops_->ReceiveFifo(queue, 10, 300));
  EXPECT_EQ(Bodies(both), (std::vector<std::string>{"m1", "m2"}));
}

// Deleting the head unblocks the group only as far as its next message is visible.
TEST_F(PgFifoVisibilityTest, DeletingTheHeadUnblocksUpToTheNextInFlight) {
  int64_t queue = NewFifoQueue();
  SendAll(queue, "g", {"m1", "m2", "m3"});
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult got, ops_->ReceiveFifo(queue, 2, 300));
  ASSERT_EQ(Bodies(got), (std::vector<std::string>{"m1", "m2"}));
  PG_ASSERT_OK_AND_ASSIGN(bool deleted, ops_->DeleteFifo(queue, got.messages[0].receipt));
  EXPECT_TRUE(deleted);
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult blocked, ops_->ReceiveFifo(queue, 10, 300));
  EXPECT_TRUE(blocked.messages.empty()) << "m2, the new head, is in flight";
  PG_ASSERT_OK_AND_ASSIGN(VisibilityChange changed,
                          ops_->ChangeVisibilityFifo(queue, got.messages[1].receipt, 0));
  EXPECT_EQ(changed, VisibilityChange::kChanged);
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult next, ops_->ReceiveFifo(queue, 10, 300));
  EXPECT_EQ(Bodies(next), (std::vector<std::string>{"m2", "m3"}));
  ASSERT_EQ(next.messages.size(), 2u);
  // The batch delete advances the head the same way: m2 deleted, m3 (in flight) blocks.
  PG_ASSERT_OK_AND_ASSIGN(
      std::vector<bool> batch,
      ops_->DeleteFifoBatch(queue, std::vector<Receipt>{next.messages[0].receipt}));
  EXPECT_EQ(batch, std::vector<bool>{true});
  PG_ASSERT_OK_AND_ASSIGN(blocked, ops_->ReceiveFifo(queue, 10, 300));
  EXPECT_TRUE(blocked.messages.empty());
  PG_ASSERT_OK_AND_ASSIGN(changed, ops_->ChangeVisibilityFifo(queue, next.messages[1].receipt, 0));
  EXPECT_EQ(changed, VisibilityChange::kChanged);
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult last, ops_->ReceiveFifo(queue, 10, 300));
  EXPECT_EQ(Bodies(last), (std::vector<std::string>{"m3"}));
}

// A replay resets the visibility of each message of the receive (not only its group's): after
// the first receive's timeout both are still in flight.
TEST_F(PgFifoVisibilityTest, AReplayResetsEachMessagesVisibility) {
  int64_t queue = NewFifoQueue();
  SendAll(queue, "g", {"m1", "m2", "m3"});
  const std::optional<std::string> attempt = "attempt-" + NewUuid();
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult first, ops_->ReceiveFifo(queue, 2, 2, attempt));
  ASSERT_EQ(first.messages.size(), 2u);
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult replay, ops_->ReceiveFifo(queue, 2, 300, attempt));
  EXPECT_TRUE(replay.replayed);
  ASSERT_EQ(replay.messages.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(replay.messages[i].receipt.token, first.messages[i].receipt.token);
    EXPECT_EQ(replay.messages[i].receipt.seq, first.messages[i].receipt.seq);
  }
  std::this_thread::sleep_for(2500ms);  // past the first receive's 2 s
  PG_ASSERT_OK_AND_ASSIGN(QueueCounts counts, ops_->Counts(queue));
  EXPECT_EQ(counts.not_visible, 2);
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult blocked, ops_->ReceiveFifo(queue, 10, 300));
  EXPECT_TRUE(blocked.messages.empty());
  // The replayed receipts still delete, the head first, and the group moves on to m3.
  for (const ReceivedMessage& m : replay.messages) {
    PG_ASSERT_OK_AND_ASSIGN(bool deleted, ops_->DeleteFifo(queue, m.receipt));
    EXPECT_TRUE(deleted);
  }
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult rest, ops_->ReceiveFifo(queue, 10, 300));
  EXPECT_EQ(Bodies(rest), (std::vector<std::string>{"m3"}));
}

// The redrive takes an over-received head even while the message behind it is in flight on its
// own; the group then waits for that message.
TEST_F(PgFifoVisibilityTest, RedriveMovesAnOverReceivedHeadAheadOfAnInFlightMessage) {
  int64_t dlq = NewFifoQueue();
  QueueConfig config;
  config.dlq_id = dlq;
  config.max_receive = 2;
  int64_t queue = NewFifoQueue(config);
  SendAll(queue, "g", {"poison", "next"});
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult got, ops_->ReceiveFifo(queue, 10, 300));
  ASSERT_EQ(Bodies(got), (std::vector<std::string>{"poison", "next"}));
  PG_ASSERT_OK_AND_ASSIGN(VisibilityChange changed,
                          ops_->ChangeVisibilityFifo(queue, got.messages[0].receipt, 0));
  EXPECT_EQ(changed, VisibilityChange::kChanged);
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult second, ops_->ReceiveFifo(queue, 10, 300));
  ASSERT_EQ(Bodies(second), (std::vector<std::string>{"poison"}));
  EXPECT_EQ(second.messages[0].receive_count, 2);
  PG_ASSERT_OK_AND_ASSIGN(changed,
                          ops_->ChangeVisibilityFifo(queue, second.messages[0].receipt, 0));
  EXPECT_EQ(changed, VisibilityChange::kChanged);

  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult third, ops_->ReceiveFifo(queue, 10, 300));
  EXPECT_EQ(third.moved_to_dlq, 1);
  EXPECT_TRUE(third.messages.empty()) << "next, now the head, is still in flight";
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult dead, ops_->ReceiveFifo(dlq, 10, 300));
  EXPECT_EQ(Bodies(dead), (std::vector<std::string>{"poison"}));
  // next's receipt from the first receive still controls it; made visible, it comes again.
  PG_ASSERT_OK_AND_ASSIGN(changed, ops_->ChangeVisibilityFifo(queue, got.messages[1].receipt, 0));
  EXPECT_EQ(changed, VisibilityChange::kChanged);
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult after, ops_->ReceiveFifo(queue, 10, 300));
  EXPECT_EQ(Bodies(after), (std::vector<std::string>{"next"}));
}

// Receivers on two nodes (two pools) at once, each giving back part of what it got with a
// visibility change to 0 in a random order, so heads become visible while later messages are
// still in flight. Bookkeeping is updated before the database is (a message is given up on paper
// before it is released), so at every receive: no message it returns is held or deleted, every
// earlier message of its group is deleted, and its messages of a group are consecutive.
TEST_F(PgFifoVisibilityTest, ConcurrentReceiversOnTwoNodesNeverShareOrSkipAnInFlightMessage) {
  int64_t queue = NewFifoQueue();
  ConnectionPool other_pool(testing::ServerUrl(),
                            testing::TestOptions(testing::SharedOpsDatabase()), 8);
  PgQueueOps other(other_pool);
  constexpr int kGroups = 4;
  constexpr int kPerGroup = 15;
  std::map<std::string, std::vector<int64_t>> sent;
  for (int i = 0; i < kPerGroup; ++i) {
    for (int g = 0; g < kGroups; ++g) {
      std::string group = "g" + std::to_string(g);
      PG_ASSERT_OK_AND_ASSIGN(SentFifoMessage one,
                              ops_->SendFifo(queue, FifoMessage(group, NewUuid(), "m")));
      sent[group].push_back(*one.seq);
    }
  }
  std::mutex mutex;
  std::set<int64_t> held;
  std::set<int64_t> deleted;
  std::map<std::string, std::vector<int64_t>> delete_order;
  std::vector<std::string> failures;
  std::atomic<int> released{0};
  constexpr int kReceivers = 6;
  std::vector<std::thread> receivers;
  for (int r = 0; r < kReceivers; ++r) {
    receivers.emplace_back([&, r] {
      PgQueueOps& node = r % 2 == 0 ? *ops_ : other;
      std::mt19937 random(static_cast<unsigned>(r) * 7919u + 1u);
      auto deadline = std::chrono::steady_clock::now() + 120s;
      for (;;) {
        {
          std::lock_guard lock(mutex);
          if (deleted.size() == static_cast<size_t>(kGroups * kPerGroup)) return;
        }
        if (std::chrono::steady_clock::now() > deadline) return;
        auto got = node.ReceiveFifo(queue, 1 + r % 4, 300);
        if (!got.ok()) {
          std::lock_guard lock(mutex);
          failures.push_back(Describe(got.error()));
          return;
        }
        std::map<std::string, std::vector<const ReceivedMessage*>> runs;
        for (const ReceivedMessage& m : got->messages) runs[m.group_id].push_back(&m);
        {
          std::lock_guard lock(mutex);
          for (const auto& [group, run] : runs) {
            const std::vector<int64_t>& order = sent[group];
            auto at = std::find(order.begin(), order.end(), run[0]->receipt.seq);
            for (auto it = order.begin(); it != at; ++it) {
              if (!deleted.contains(*it)) {
                failures.push_back("group " + group + ": " + std::to_string(run[0]->receipt.seq) +
                                   " received while " + std::to_string(*it) + " is not deleted");
              }
            }
            for (size_t i = 0; i < run.size(); ++i, ++at) {
              const int64_t seq = run[i]->receipt.seq;
              if (at == order.end() || *at != seq) {
                failures.push_back("group " + group + ": not consecutive at " +
                                   std::to_string(seq));
              }
              if (held.contains(seq)) failures.push_back(std::to_string(seq) + " held twice");
              if (deleted.contains(seq)) failures.push_back(std::to_string(seq) + " deleted");
              held.insert(seq);
            }
          }
        }
        if (got->messages.empty()) {
          std::this_thread::sleep_for(5ms);
          continue;
        }
        for (const auto& [group, run] : runs) {
          // Keep (delete) a prefix of the run, give the rest back in a random order.
          const size_t keep = random() % (run.size() + 1);
          for (size_t i = 0; i < keep; ++i) {
            {
              std::lock_guard lock(mutex);
              held.erase(run[i]->receipt.seq);
              deleted.insert(run[i]->receipt.seq);
              delete_order[group].push_back(run[i]->receipt.seq);
            }
            auto done = node.DeleteFifo(queue, run[i]->receipt);
            if (!done.ok() || !*done) {
              std::lock_guard lock(mutex);
              failures.push_back("delete of " + std::to_string(run[i]->receipt.seq) + " failed");
            }
          }
          std::vector<const ReceivedMessage*> back(run.begin() + static_cast<long>(keep),
                                                   run.end());
          std::shuffle(back.begin(), back.end(), random);
          for (const ReceivedMessage* m : back) {
            {
              std::lock_guard lock(mutex);
              held.erase(m->receipt.seq);
            }
            auto changed = node.ChangeVisibilityFifo(queue, m->receipt, 0);
            if (!changed.ok() || *changed != VisibilityChange::kChanged) {
              std::lock_guard lock(mutex);
              failures.push_back("release of " + std::to_string(m->receipt.seq) + " failed");
            }
            ++released;
          }
        }
      }
    });
  }
  for (auto& receiver : receivers) receiver.join();
  for (const std::string& failure : failures) ADD_FAILURE() << failure;
  EXPECT_EQ(deleted.size(), static_cast<size_t>(kGroups * kPerGroup));
  EXPECT_EQ(delete_order, sent) << "each group deleted in send order, each message once";
  EXPECT_GT(released.load(), 0) << "some messages were given back";
}

// A database whose FIFO group was locked under the per-group scheme (migration 7: the lock on
// the group row, the messages' visible_at untouched) keeps that receive in flight after
// migration 9, message by message; a lapsed lock's messages are visible.
TEST(PgFifoVisibilityMigrationTest, AGroupLockedBeforeMigrationNineStaysInFlightPerMessage) {
  WHARF_REQUIRE_POSTGRES();
  const std::string database = testing::DatabaseName("wharf_migrate_v9_test");
  PG_ASSERT_OK(testing::CreateDatabase(database));
  PG_ASSERT_OK_AND_ASSIGN(Connection conn, testing::Connect(database));
  PG_ASSERT_OK_AND_ASSIGN(MigrationReport v7, Migrate(conn, 7));
  EXPECT_EQ(v7.schema_version, 7);
  ConnectionPool pool(testing::ServerUrl(), testing::TestOptions(database), 2);
  PgQueueOps ops(pool);
  QueueConfig config;
  config.account = "000000000000";
  config.name = "old-locks.fifo";
  config.fifo = true;
  PG_ASSERT_OK_AND_ASSIGN(CreatedQueue created, ops.CreateQueue(config));
  const int64_t queue = created.queue_id;
  std::vector<int64_t> seqs;
  for (const char* body : {"m1", "m2", "m3"}) {
    PG_ASSERT_OK_AND_ASSIGN(SentFifoMessage sent,
                            ops.SendFifo(queue, FifoMessage("g", body, body)));
    seqs.push_back(*sent.seq);
  }
  PG_ASSERT_OK(ops.SendFifo(queue, FifoMessage("lapsed", "l1", "l1")).status());
  // What receive_fifo of migration 7 left: m1 and m2 received under token 42 with the group
  // locked for 300 s; group "lapsed" received under token 43, its lock over.
  constexpr Statement kOldReceive{"test_old_receive", R"sql(
WITH m AS (UPDATE message SET receive_count = 1, receipt = CASE WHEN group_id = 'g' THEN 42 ELSE 43 END,
                              first_receive = now(), received_at = now()
            WHERE queue_id = $1 AND (seq = ANY($2::bigint[]) OR group_id = 'lapsed'))
UPDATE fifo_group
   SET locked_until = CASE WHEN group_id = 'g' THEN now() + interval '300 seconds'
                           ELSE now() - interval '1 second' END,
       lock_token = CASE WHEN group_id = 'g' THEN 42 ELSE 43 END
 WHERE queue_id = $1)sql",
                                  2};
  PG_ASSERT_OK_AND_ASSIGN(
      Rows old, conn.Execute(kOldReceive,
                             {Param::Int(queue), Param::Text("{" + std::to_string(seqs[0]) + "," +
                                                             std::to_string(seqs[1]) + "}")}));
  (void)old;
  PG_ASSERT_OK_AND_ASSIGN(MigrationReport latest, Migrate(conn));
  EXPECT_EQ(latest.schema_version, AllMigrations().back().version);

  PG_ASSERT_OK_AND_ASSIGN(QueueCounts counts, ops.Counts(queue));
  EXPECT_EQ(counts.not_visible, 2);
  EXPECT_EQ(counts.visible, 2);
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult got, ops.ReceiveFifo(queue, 10, 300));
  EXPECT_EQ(Bodies(got), (std::vector<std::string>{"l1"})) << "g is still in flight";
  PG_ASSERT_OK_AND_ASSIGN(FifoReceiptState state, ops.FifoReceiptStateOf(queue, {seqs[1], 42}));
  EXPECT_EQ(state, FifoReceiptState::kHeld);
  PG_ASSERT_OK_AND_ASSIGN(bool deleted, ops.DeleteFifo(queue, {seqs[0], 42}));
  EXPECT_TRUE(deleted);
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult blocked, ops.ReceiveFifo(queue, 10, 300));
  EXPECT_TRUE(blocked.messages.empty()) << "m2 is in flight under the old receive";
  PG_ASSERT_OK_AND_ASSIGN(VisibilityChange changed,
                          ops.ChangeVisibilityFifo(queue, {seqs[1], 42}, 0));
  EXPECT_EQ(changed, VisibilityChange::kChanged);
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult rest, ops.ReceiveFifo(queue, 10, 300));
  EXPECT_EQ(Bodies(rest), (std::vector<std::string>{"m2", "m3"}));
}

}  // namespace
}  // namespace wharf::storage::pg
