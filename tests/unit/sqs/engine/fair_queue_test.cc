// Fair queues (sqs-api.md §5.17): on a standard queue a MessageGroupId never blocks or orders
// delivery, but Wharf uses it for fairness between groups (start-time fair queuing in
// Queue::Publish), so a group with a large backlog cannot make a quiet group's new message wait
// behind that backlog. Messages without a group keep plain send order.

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "engine/queue_test_support.h"
#include "sqs/engine/queue.h"

namespace wharf::sqs::testing {
namespace {

using Bodies = std::vector<std::string>;
using Counts = std::vector<int64_t>;  // {visible, in flight, delayed}

class FairQueueTest : public QueueFixture {
 protected:
  // Sends `body`, in `group` when one is given.
  void SendTo(Queue& q, const std::string& body, std::optional<std::string> group,
              std::optional<int64_t> delay = std::nullopt) {
    auto content = std::make_shared<MessageContent>();
    content->message_id = "mid-" + std::to_string(next_id_++);
    content->body = body;
    content->group_id = std::move(group);
    std::vector<NewMessage> batch;
    batch.push_back(NewMessage{std::move(content), delay});
    std::optional<api::ApiError> error = SendBatch(q, std::move(batch));
    ASSERT_FALSE(error.has_value()) << error->message;
  }

  void SendBacklog(Queue& q, const std::string& group, int n) {
    for (int i = 0; i < n; ++i) SendTo(q, group + "-" + std::to_string(i), group);
  }

  static Bodies BodiesOf(const std::vector<ReceivedMessage>& ms) {
    Bodies out;
    for (const ReceivedMessage& m : ms) out.push_back(m.content->body);
    return out;
  }

  static bool Contains(const std::vector<ReceivedMessage>& ms, const std::string& body) {
    return std::any_of(ms.begin(), ms.end(),
                       [&](const ReceivedMessage& m) { return m.content->body == body; });
  }

  void DeleteAll(Queue& q, const std::vector<ReceivedMessage>& ms) {
    for (const ReceivedMessage& m : ms) ASSERT_TRUE(Delete(q, m.receipt_handle).ok());
  }

  uint64_t next_id_ = 1;
};

TEST_F(FairQueueTest, QuietGroupIsServedWithinTheFirstReceiveDespiteABacklog) {
  auto q = MakeQueue();
  SendBacklog(*q, "noisy", 100);
  SendTo(*q, "quiet-1", "quiet");
  auto first = ReceiveNow(*q, 10);
  ASSERT_EQ(first.size(), 10u);
  EXPECT_TRUE(Contains(first, "quiet-1")) << ::testing::PrintToString(BodiesOf(first));
}

TEST_F(FairQueueTest, QuietGroupArrivingMidwayIsServedInTheNextReceive) {
  auto q = MakeQueue();
  SendBacklog(*q, "noisy", 100);
  for (int i = 0; i < 3; ++i) DeleteAll(*q, ReceiveNow(*q, 10));
  SendTo(*q, "quiet-1", "quiet");
  EXPECT_TRUE(Contains(ReceiveNow(*q, 10), "quiet-1"));
}

TEST_F(FairQueueTest, ManySingleMessageGroupsAreNotStuckBehindABigGroup) {
  auto q = MakeQueue();
  SendBacklog(*q, "big", 1000);
  for (int i = 0; i < 50; ++i) SendTo(*q, "single-" + std::to_string(i), "s" + std::to_string(i));
  std::set<std::string> singles;
  int receives = 0;
  while (singles.size() < 50 && receives < 200) {
    ++receives;
    auto got = ReceiveNow(*q, 10);
    for (const ReceivedMessage& m : got) {
      if (*m.content->group_id != "big") singles.insert(m.content->body);
    }
    DeleteAll(*q, got);
  }
  EXPECT_EQ(singles.size(), 50u);
  EXPECT_LE(receives, 6);
}

TEST_F(FairQueueTest, TwoBackloggedGroupsShareReceives) {
  auto q = MakeQueue();
  SendBacklog(*q, "a", 50);
  SendBacklog(*q, "b", 50);
  auto first = ReceiveNow(*q, 10);
  int a = 0, b = 0;
  for (const ReceivedMessage& m : first) (*m.content->group_id == "a" ? a : b)++;
  EXPECT_GE(a, 4);
  EXPECT_GE(b, 4);
}

TEST_F(FairQueueTest, EachGroupKeepsItsOwnSendOrder) {
  auto q = MakeQueue();
  SendBacklog(*q, "a", 30);
  SendBacklog(*q, "b", 30);
  Bodies a, b;
  for (int i = 0; i < 10; ++i) {
    auto got = ReceiveNow(*q, 10);
    for (const ReceivedMessage& m : got) {
      (*m.content->group_id == "a" ? a : b).push_back(m.content->body);
    }
    DeleteAll(*q, got);
  }
  Bodies want_a, want_b;
  for (int i = 0; i < 30; ++i) {
    want_a.push_back("a-" + std::to_string(i));
    want_b.push_back("b-" + std::to_string(i));
  }
  EXPECT_EQ(a, want_a);
  EXPECT_EQ(b, want_b);
}

TEST_F(FairQueueTest, MessagesWithoutAGroupStayInSendOrder) {
  auto q = MakeQueue();
  Bodies plain, got;
  auto consume = [&](int64_t max) {
    auto ms = ReceiveNow(*q, max);
    for (const ReceivedMessage& m : ms) {
      if (!m.content->group_id) got.push_back(m.content->body);
    }
    DeleteAll(*q, ms);
    return !ms.empty();
  };
  for (int i = 0; i < 40; ++i) {
    if (i % 3 == 0) SendBacklog(*q, "g" + std::to_string(i) + "-", 5);
    plain.push_back("plain-" + std::to_string(i));
    SendTo(*q, plain.back(), std::nullopt);
    if (i % 4 == 0) consume(3);  // virtual time moves between sends
  }
  for (int i = 0; i < 100 && consume(10); ++i) {
  }
  EXPECT_EQ(got, plain);
}

TEST_F(FairQueueTest, PlainMessagesAloneAreFifoOrdered) {
  auto q = MakeQueue();
  Bodies sent;
  for (int i = 0; i < 25; ++i) {
    sent.push_back("m" + std::to_string(i));
    SendTo(*q, sent.back(), std::nullopt);
  }
  Bodies got;
  for (int i = 0; i < 3; ++i) {
    auto ms = ReceiveNow(*q, 10);
    for (const std::string& b : BodiesOf(ms)) got.push_back(b);
    DeleteAll(*q, ms);
  }
  EXPECT_EQ(got, sent);
}

TEST_F(FairQueueTest, AGroupNeverBlocksOnAStandardQueue) {
  auto q = MakeQueue();
  SendTo(*q, "g-1", "g");
  SendTo(*q, "g-2", "g");
  EXPECT_EQ(BodiesOf(ReceiveNow(*q, 1)), Bodies{"g-1"});
  EXPECT_EQ(BodiesOf(ReceiveNow(*q, 1)), Bodies{"g-2"}) << "g-1 in flight does not block g-2";
  EXPECT_EQ(CountsOf(*q), (Counts{0, 2, 0}));
}

TEST_F(FairQueueTest, VisibilityExpiredMessagesComeBack) {
  QueueConfig config;
  config.visibility_timeout = 30;
  auto q = MakeQueue(config);
  SendBacklog(*q, "a", 3);
  SendTo(*q, "plain", std::nullopt);
  auto first = ReceiveNow(*q, 10);
  ASSERT_EQ(first.size(), 4u);
  EXPECT_TRUE(ReceiveNow(*q, 10).empty());
  clock_.Advance(Seconds(30));
  auto again = ReceiveNow(*q, 10);
  Bodies a = BodiesOf(first), b = BodiesOf(again);
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  EXPECT_EQ(a, b);
  for (const ReceivedMessage& m : again) EXPECT_EQ(m.receive_count, 2u);
}

TEST_F(FairQueueTest, ExpiredMessageComesBackBeforeLaterMessagesOfItsGroup) {
  auto q = MakeQueue();
  SendBacklog(*q, "a", 5);
  auto first = ReceiveNow(*q, 1, /*visibility=*/10);
  ASSERT_EQ(BodiesOf(first), Bodies{"a-0"});
  clock_.Advance(Seconds(10));
  EXPECT_EQ(BodiesOf(ReceiveNow(*q, 2)), (Bodies{"a-0", "a-1"}));
}

TEST_F(FairQueueTest, DelayedGroupMessagesAreFairOnceVisible) {
  auto q = MakeQueue();
  for (int i = 0; i < 30; ++i) SendTo(*q, "late-" + std::to_string(i), "late", 60);
  SendTo(*q, "now", "other");
  EXPECT_EQ(BodiesOf(ReceiveNow(*q, 10)), Bodies{"now"});
  EXPECT_EQ(CountsOf(*q), (Counts{0, 1, 30}));
  clock_.Advance(Seconds(60));
  SendTo(*q, "quiet", "quiet");
  EXPECT_TRUE(Contains(ReceiveNow(*q, 10), "quiet"));
}

// A noisy group whose backlog was received and came back (slow consumers, expired visibility)
// is still a backlog: a quiet group's new message must not wait behind all of it.
TEST_F(FairQueueTest, RedeliveredBacklogDoesNotDelayAQuietGroup) {
  auto q = MakeQueue();
  SendBacklog(*q, "noisy", 100);
  for (int i = 0; i < 10; ++i) ASSERT_EQ(ReceiveNow(*q, 10, /*visibility=*/5).size(), 10u);
  clock_.Advance(Seconds(5));  // all 100 are visible again
  SendTo(*q, "quiet-1", "quiet");
  bool seen = false;
  for (int i = 0; i < 2 && !seen; ++i) seen = Contains(ReceiveNow(*q, 10, 600), "quiet-1");
  EXPECT_TRUE(seen) << "the quiet message must come within the first two receives";
}

}  // namespace
}  // namespace wharf::sqs::testing
