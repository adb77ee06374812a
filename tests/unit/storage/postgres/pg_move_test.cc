// PgQueueOps::MoveOut (message move tasks) and Peek against a real PostgreSQL: messages go back
// to the queue named by their DeadLetterQueueSourceArn or to a fixed destination, each moved or
// left where it was; FIFO groups arrive in order; a peek changes nothing.

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

class PgMoveTest : public PgOpsTest {
 protected:
  // The ARN PgQueue passes as a dead-letter source (region is not compared by the move).
  std::string ArnOf(int64_t queue_id) {
    auto row = ops_->GetQueueById(queue_id);
    EXPECT_TRUE(row.ok() && row->has_value());
    if (!row.ok() || !row->has_value()) return "";
    return "arn:aws:sqs:us-east-1:" + (*row)->config.account + ":" + (*row)->config.name;
  }

  // A source whose over-received messages (max_receive 1) go to a new DLQ; returns both ids.
  std::pair<int64_t, int64_t> SourceAndDlq(bool fifo) {
    QueueConfig dlq_config;
    dlq_config.fifo = fifo;
    const int64_t dlq = NewQueue(dlq_config);
    QueueConfig config;
    config.fifo = fifo;
    config.dlq_id = dlq;
    config.max_receive = 1;
    return {NewQueue(config), dlq};
  }

  // Receives from `source` until `count` messages were dead-lettered.
  void DeadLetter(int64_t source, bool fifo, int64_t count) {
    const std::string arn = ArnOf(source);
    int64_t moved = 0;
    auto until = std::chrono::steady_clock::now() + 10s;
    while (moved < count && std::chrono::steady_clock::now() < until) {
      auto r = fifo ? ops_->ReceiveFifo(source, 10, 0, std::nullopt, arn)
                    : ops_->Receive(source, 10, 0, arn);
      ASSERT_TRUE(r.ok());
      moved += r->moved_to_dlq;
      std::this_thread::sleep_for(20ms);  // now() moves past the zero-length visibility
    }
    ASSERT_EQ(moved, count);
  }

  std::vector<std::string> Bodies(const ReceiveResult& r) {
    std::vector<std::string> bodies;
    for (const auto& m : r.messages) bodies.push_back(m.body);
    return bodies;
  }
};

TEST_F(PgMoveTest, StandardMessagesGoBackToTheirSourceStartingAfresh) {
  auto [source, dlq] = SourceAndDlq(false);
  for (const char* body : {"a", "b", "c"}) PG_ASSERT_OK(ops_->Send(source, Message(body)).status());
  DeadLetter(source, false, 3);

  PG_ASSERT_OK_AND_ASSIGN(MoveOutcome first, ops_->MoveOut(dlq, false, 2, std::nullopt));
  EXPECT_EQ(first.moved, 2);
  EXPECT_EQ(first.stuck, 0);
  EXPECT_EQ(first.destinations, std::vector<int64_t>{source});
  PG_ASSERT_OK_AND_ASSIGN(MoveOutcome rest, ops_->MoveOut(dlq, false, 10, std::nullopt));
  EXPECT_EQ(rest.moved, 1);
  PG_ASSERT_OK_AND_ASSIGN(MoveOutcome none, ops_->MoveOut(dlq, false, 10, std::nullopt));
  EXPECT_EQ(none.moved, 0);
  EXPECT_TRUE(none.destinations.empty());

  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult back, ops_->Receive(source, 10, 30));
  std::set<std::string> bodies;
  for (const auto& m : back.messages) {
    bodies.insert(m.body);
    EXPECT_EQ(m.receive_count, 1) << "the count starts again, or it would dead-letter at once";
    EXPECT_FALSE(m.dead_letter_source.has_value());
  }
  EXPECT_EQ(bodies, (std::set<std::string>{"a", "b", "c"}));
  PG_ASSERT_OK_AND_ASSIGN(QueueCounts dlq_counts, ops_->Counts(dlq));
  EXPECT_EQ(dlq_counts.visible + dlq_counts.not_visible, 0);
}

TEST_F(PgMoveTest, AFixedDestinationTakesEveryMessage) {
  auto [source, dlq] = SourceAndDlq(false);
  const int64_t elsewhere = NewQueue();
  PG_ASSERT_OK(ops_->Send(source, Message("x")).status());
  DeadLetter(source, false, 1);
  PG_ASSERT_OK_AND_ASSIGN(MoveOutcome moved, ops_->MoveOut(dlq, false, 10, elsewhere));
  EXPECT_EQ(moved.moved, 1);
  EXPECT_EQ(moved.destinations, std::vector<int64_t>{elsewhere});
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult got, ops_->Receive(elsewhere, 10, 30));
  EXPECT_EQ(Bodies(got), std::vector<std::string>{"x"});
}

// A message whose source queue is gone, or whose destination is of the other type, stays in
// the DLQ (nothing is deleted without being inserted) and is counted as stuck.
TEST_F(PgMoveTest, AMessageWithoutADestinationStaysWhereItIs) {
  auto [source, dlq] = SourceAndDlq(false);
  PG_ASSERT_OK(ops_->Send(source, Message("orphan")).status());
  DeadLetter(source, false, 1);
  PG_ASSERT_OK(ops_->DeleteQueue(source).status());

  PG_ASSERT_OK_AND_ASSIGN(MoveOutcome outcome, ops_->MoveOut(dlq, false, 10, std::nullopt));
  EXPECT_EQ(outcome.moved, 0);
  EXPECT_EQ(outcome.stuck, 1);
  QueueConfig fifo;
  fifo.fifo = true;
  const int64_t fifo_queue = NewQueue(fifo);
  PG_ASSERT_OK_AND_ASSIGN(MoveOutcome wrong_type, ops_->MoveOut(dlq, false, 10, fifo_queue));
  EXPECT_EQ(wrong_type.moved, 0);
  EXPECT_EQ(wrong_type.stuck, 1);
  PG_ASSERT_OK_AND_ASSIGN(MoveOutcome to_itself, ops_->MoveOut(dlq, false, 10, dlq));
  EXPECT_EQ(to_itself.moved, 0);

  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult still, ops_->Receive(dlq, 10, 30));
  EXPECT_EQ(Bodies(still), std::vector<std::string>{"orphan"});
}

// In-flight messages of the DLQ are not moved (a consumer holds them).
TEST_F(PgMoveTest, MessagesInFlightStay) {
  auto [source, dlq] = SourceAndDlq(false);
  PG_ASSERT_OK(ops_->Send(source, Message("held")).status());
  DeadLetter(source, false, 1);
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult held, ops_->Receive(dlq, 10, 60));
  ASSERT_EQ(held.messages.size(), 1u);
  PG_ASSERT_OK_AND_ASSIGN(MoveOutcome outcome, ops_->MoveOut(dlq, false, 10, std::nullopt));
  EXPECT_EQ(outcome.moved, 0);
  EXPECT_EQ(outcome.stuck, 0);
}

TEST_F(PgMoveTest, FifoGroupsGoBackInOrderAndJoinTheirGroupThere) {
  auto [source, dlq] = SourceAndDlq(true);
  std::vector<NewFifoMessage> batch = {FifoMessage("g", "1", "g1"), FifoMessage("g", "2", "g2"),
                                       FifoMessage("h", "3", "h1")};
  PG_ASSERT_OK(ops_->SendFifoBatch(source, batch).status());
  DeadLetter(source, true, 3);
  // Sent to g after the dead-lettering: it is in the source first, so the returning messages
  // join g behind it, as sends would.
  PG_ASSERT_OK(ops_->SendFifo(source, FifoMessage("g", "4", "g-new")).status());

  PG_ASSERT_OK_AND_ASSIGN(MoveOutcome outcome, ops_->MoveOut(dlq, true, 10, std::nullopt));
  EXPECT_EQ(outcome.moved, 3);
  EXPECT_EQ(outcome.destinations, std::vector<int64_t>{source});
  PG_ASSERT_OK_AND_ASSIGN(QueueCounts dlq_counts, ops_->Counts(dlq));
  EXPECT_EQ(dlq_counts.visible + dlq_counts.not_visible, 0);

  std::vector<std::string> g;
  std::vector<std::string> h;
  auto until = std::chrono::steady_clock::now() + 10s;
  while (g.size() + h.size() < 4 && std::chrono::steady_clock::now() < until) {
    PG_ASSERT_OK_AND_ASSIGN(ReceiveResult r, ops_->ReceiveFifo(source, 10, 30));
    for (const auto& m : r.messages) {
      (m.group_id == "g" ? g : h).push_back(m.body);
      EXPECT_FALSE(m.dead_letter_source.has_value());
      PG_ASSERT_OK(ops_->DeleteFifo(source, m.receipt).status());
    }
  }
  EXPECT_EQ(g, (std::vector<std::string>{"g-new", "g1", "g2"}));
  EXPECT_EQ(h, std::vector<std::string>{"h1"});
}

// A FIFO group held by a receive in the DLQ does not move; the other groups do.
TEST_F(PgMoveTest, FifoGroupsInFlightStay) {
  auto [source, dlq] = SourceAndDlq(true);
  PG_ASSERT_OK(ops_->SendFifoBatch(source, std::vector<NewFifoMessage>{FifoMessage("g", "1", "g1"),
                                                                       FifoMessage("h", "2", "h1")})
                   .status());
  DeadLetter(source, true, 2);
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult held, ops_->ReceiveFifo(dlq, 1, 60));
  ASSERT_EQ(held.messages.size(), 1u);
  const std::string held_group = held.messages[0].group_id;
  PG_ASSERT_OK_AND_ASSIGN(MoveOutcome outcome, ops_->MoveOut(dlq, true, 10, std::nullopt));
  EXPECT_EQ(outcome.moved, 1);
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult back, ops_->ReceiveFifo(source, 10, 30));
  ASSERT_EQ(back.messages.size(), 1u);
  EXPECT_NE(back.messages[0].group_id, held_group);
}

TEST_F(PgMoveTest, PeekSeesEveryStateAndChangesNothing) {
  auto [source, dlq] = SourceAndDlq(false);
  PG_ASSERT_OK(ops_->Send(source, Message("dead")).status());
  DeadLetter(source, false, 1);
  const int64_t queue = NewQueue();
  PG_ASSERT_OK(ops_->Send(queue, Message("visible")).status());
  PG_ASSERT_OK(ops_->Send(queue, Message("delayed", {}, 600)).status());
  PG_ASSERT_OK(ops_->Send(queue, Message("in flight")).status());
  // Receives the oldest visible first: "visible", so take two and put one back.
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult got, ops_->Receive(queue, 2, 600));
  ASSERT_EQ(got.messages.size(), 2u);
  PG_ASSERT_OK(ops_->ChangeVisibility(queue, got.messages[0].receipt, 0).status());

  PG_ASSERT_OK_AND_ASSIGN(std::vector<PeekedRow> peeked, ops_->Peek(queue, 10));
  ASSERT_EQ(peeked.size(), 3u);
  EXPECT_EQ(peeked[0].message.body, "visible");
  EXPECT_EQ(peeked[0].state, PeekedRow::State::kVisible);
  EXPECT_EQ(peeked[1].message.body, "delayed");
  EXPECT_EQ(peeked[1].state, PeekedRow::State::kDelayed);
  EXPECT_GT(peeked[1].visible_at_ms, peeked[1].message.sent_at_ms + 500'000);
  EXPECT_EQ(peeked[2].message.body, "in flight");
  EXPECT_EQ(peeked[2].state, PeekedRow::State::kInFlight);
  EXPECT_EQ(peeked[2].message.receive_count, 1);
  PG_ASSERT_OK_AND_ASSIGN(std::vector<PeekedRow> first, ops_->Peek(queue, 1));
  EXPECT_EQ(first.size(), 1u);
  // Nothing changed: the visible one is still received, with its count.
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult again, ops_->Receive(queue, 10, 30));
  ASSERT_EQ(again.messages.size(), 1u);
  EXPECT_EQ(again.messages[0].body, "visible");
  EXPECT_EQ(again.messages[0].receive_count, 2);

  PG_ASSERT_OK_AND_ASSIGN(std::vector<PeekedRow> dead, ops_->Peek(dlq, 10));
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].message.dead_letter_source, ArnOf(source));
}

TEST_F(PgMoveTest, PeekShowsAFifoMessageInFlightWhileItsGroupIsHeld) {
  QueueConfig config;
  config.fifo = true;
  const int64_t queue = NewQueue(config);
  PG_ASSERT_OK(
      ops_->SendFifoBatch(queue, std::vector<NewFifoMessage>{FifoMessage("g", "1", "first"),
                                                             FifoMessage("g", "2", "second")})
          .status());
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult got, ops_->ReceiveFifo(queue, 1, 600));
  ASSERT_EQ(got.messages.size(), 1u);
  PG_ASSERT_OK_AND_ASSIGN(std::vector<PeekedRow> peeked, ops_->Peek(queue, 10));
  ASSERT_EQ(peeked.size(), 2u);
  EXPECT_EQ(peeked[0].state, PeekedRow::State::kInFlight);
  EXPECT_EQ(peeked[0].message.group_id, "g");
  EXPECT_EQ(peeked[1].state, PeekedRow::State::kVisible);
}

}  // namespace
}  // namespace wharf::storage::pg
