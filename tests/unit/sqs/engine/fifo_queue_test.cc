// FIFO queues (sqs-api.md §2.7–2.10, §3, §5.12–5.15, §6): deduplication (window, scope, purge,
// content-based), sequence numbers, per-group ordering and blocking, fairness between groups,
// ReceiveRequestAttemptId, FIFO-specific delete and send rules, and the FIFO queue attributes.
// The first half drives sqs::Queue directly; the second half goes through the handlers. Time
// moves only through the ManualClock.

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "engine/queue_test_support.h"
#include "sqs/engine/queue.h"
#include "sqs_test_support.h"

namespace wharf::sqs::testing {
namespace {

std::vector<std::string> SortedBodiesOf(const std::vector<ReceivedMessage>& messages) {
  std::vector<std::string> out;
  for (const ReceivedMessage& m : messages) out.push_back(m.content->body);
  std::sort(out.begin(), out.end());
  return out;
}

const ReceivedMessage* Find(const std::vector<ReceivedMessage>& messages, std::string_view body) {
  for (const ReceivedMessage& m : messages) {
    if (m.content->body == body) return &m;
  }
  return nullptr;
}

using api::ErrorCode;
using Counts = std::vector<int64_t>;  // {visible, in flight, delayed}
using Bodies = std::vector<std::string>;

std::string ExpiredHandleText(const std::string& handle) {
  return "Value " + handle + " for parameter ReceiptHandle is invalid. Reason: The receipt " +
         "handle has expired.";
}

std::string TextOf(const api::ApiError& e) {
  return e.message.empty() ? std::string(api::InfoOf(e.code).message) : e.message;
}

Bodies BodiesOf(const std::vector<ReceivedMessage>& messages) {
  Bodies out;
  for (const ReceivedMessage& m : messages) out.push_back(m.content->body);
  return out;
}

// =============================================================================================
// Engine level
// =============================================================================================

class FifoQueueTest : public QueueFixture {
 protected:
  std::shared_ptr<Queue> MakeFifo(QueueConfig config = {}, bool dedup_by_group = false) {
    config.fifo = true;
    const uint64_t id = next_queue_id_++;
    const std::string name = "q" + std::to_string(id) + ".fifo";
    QueueIdentity identity{id,   "000000000000", name, "arn:aws:sqs:us-east-1:000000000000:" + name,
                           true, dedup_by_group};
    return std::make_shared<Queue>(std::move(identity), std::move(config), api::StringPairs{},
                                   QueueDeps{&clock_, &clock_, &store_, &limits_});
  }

  // A FIFO message; the deduplication id defaults to the body.
  std::shared_ptr<const MessageContent> Fifo(const std::string& body, const std::string& group,
                                             std::optional<std::string> dedup = std::nullopt) {
    auto content = std::make_shared<MessageContent>();
    content->message_id = "mid-" + std::to_string(next_message_id_++);
    content->body = body;
    content->group_id = group;
    content->deduplication_id = dedup ? *dedup : body;
    return content;
  }

  std::vector<SendResult> SendAll(Queue& q, std::vector<NewMessage> batch) {
    std::optional<api::ApiResult<std::vector<SendResult>>> answer;
    q.Send(std::move(batch), [&](auto r) { answer.emplace(std::move(r)); });
    EXPECT_TRUE(answer.has_value()) << "Send must complete at once on a MemoryStore";
    if (!answer || !answer->ok()) {
      ADD_FAILURE() << "send failed: " << (answer ? TextOf(answer->error()) : "no answer");
      return {};
    }
    return answer->value();
  }

  SendResult SendOne(Queue& q, const std::string& body, const std::string& group,
                     std::optional<std::string> dedup = std::nullopt) {
    std::vector<NewMessage> batch;
    batch.push_back(NewMessage{Fifo(body, group, std::move(dedup)), std::nullopt});
    auto results = SendAll(q, std::move(batch));
    return results.empty() ? SendResult{} : results.front();
  }

  // Sends `bodies` one by one into `group`.
  void SendGroup(Queue& q, const std::string& group, const Bodies& bodies) {
    for (const std::string& b : bodies) SendOne(q, b, group);
  }

  std::vector<ReceivedMessage> ReceiveAttempt(Queue& q, int64_t max, const std::string& attempt,
                                              std::optional<int64_t> visibility = std::nullopt) {
    ReceiveOptions options;
    options.max_messages = max;
    options.wait_seconds = 0;
    options.visibility_timeout = visibility;
    options.attempt_id = attempt;
    auto pending = StartReceive(q, options);
    EXPECT_EQ(pending->calls, 1);
    EXPECT_TRUE(pending->result && pending->result->ok());
    return pending->messages();
  }

  void DeleteAll(Queue& q, const std::vector<ReceivedMessage>& messages) {
    for (const ReceivedMessage& m : messages) {
      api::ApiStatus s = Delete(q, m.receipt_handle);
      ASSERT_TRUE(s.ok()) << TextOf(s.error());
    }
  }

  uint64_t next_queue_id_ = 100;
  uint64_t next_message_id_ = 1;
};

// --- deduplication (§5.12) -------------------------------------------------------------------

TEST_F(FifoQueueTest, DedupWindowIsFiveMinutesFromTheFirstAcceptance) {
  auto q = MakeFifo();
  SendResult first = SendOne(*q, "a", "g", "d1");
  ASSERT_FALSE(first.duplicate);
  ASSERT_TRUE(first.sequence_number);

  clock_.Advance(Seconds(120));
  SendResult dup1 = SendOne(*q, "a-again", "g", "d1");
  EXPECT_TRUE(dup1.duplicate);
  clock_.Advance(Millis(299'999 - 120'000));  // 4:59.999 after the first send
  SendResult dup2 = SendOne(*q, "a-again", "g", "d1");
  EXPECT_TRUE(dup2.duplicate) << "4:59.999 is inside the window";
  EXPECT_EQ(dup2.message_id, first.message_id);
  EXPECT_EQ(dup2.sequence_number, first.sequence_number);
  EXPECT_EQ(CountsOf(*q), (Counts{1, 0, 0})) << "duplicates enqueue nothing";

  clock_.Advance(Millis(1));  // exactly 5:00; the duplicates did not extend the window
  SendResult fresh = SendOne(*q, "a-new", "g", "d1");
  EXPECT_FALSE(fresh.duplicate) << "at 5:00 the id is forgotten";
  EXPECT_NE(fresh.message_id, first.message_id);
  EXPECT_GT(*fresh.sequence_number, *first.sequence_number);
  EXPECT_EQ(CountsOf(*q), (Counts{2, 0, 0}));
  EXPECT_EQ(BodiesOf(ReceiveNow(*q, 10)), (Bodies{"a", "a-new"}));
}

TEST_F(FifoQueueTest, DuplicateReturnsTheOriginalIdAndSequenceNumberAndEnqueuesNothing) {
  auto q = MakeFifo();
  SendResult first = SendOne(*q, "original", "g", "d");
  SendOne(*q, "other", "g", "d-other");
  const Counts before = CountsOf(*q);
  SendResult dup = SendOne(*q, "impostor", "g", "d");
  EXPECT_TRUE(dup.duplicate);
  EXPECT_EQ(dup.message_id, first.message_id);
  EXPECT_EQ(dup.sequence_number, first.sequence_number);
  EXPECT_EQ(CountsOf(*q), before);
  EXPECT_EQ(BodiesOf(ReceiveNow(*q, 10)), (Bodies{"original", "other"}));
}

TEST_F(FifoQueueTest, DuplicateOfAnInFlightMessageEnqueuesNothing) {
  auto q = MakeFifo();
  SendResult first = SendOne(*q, "m", "g", "d");
  ReceivedMessage r = ReceiveOne(*q);
  SendResult dup = SendOne(*q, "m", "g", "d");
  EXPECT_TRUE(dup.duplicate);
  EXPECT_EQ(dup.message_id, first.message_id);
  EXPECT_EQ(CountsOf(*q), (Counts{0, 1, 0}));
  (void)r;
}

TEST_F(FifoQueueTest, DedupSurvivesTheDeleteOfTheMessage) {
  auto q = MakeFifo();
  SendResult first = SendOne(*q, "m", "g", "d");
  DeleteAll(*q, ReceiveNow(*q, 10));
  ASSERT_EQ(CountsOf(*q), (Counts{0, 0, 0}));
  SendResult dup = SendOne(*q, "m", "g", "d");
  EXPECT_TRUE(dup.duplicate) << "the id is remembered after the delete (§5.12)";
  EXPECT_EQ(dup.message_id, first.message_id);
  EXPECT_EQ(dup.sequence_number, first.sequence_number);
  EXPECT_EQ(CountsOf(*q), (Counts{0, 0, 0}));
  EXPECT_TRUE(ReceiveNow(*q, 10).empty());
}

TEST_F(FifoQueueTest, PurgeForgetsDeduplicationIds) {
  auto q = MakeFifo();
  SendResult first = SendOne(*q, "m", "g", "d");
  ASSERT_TRUE(Purge(*q).ok());
  SendResult again = SendOne(*q, "m-after-purge", "g", "d");
  EXPECT_FALSE(again.duplicate) << "PurgeQueue clears the deduplication cache (§2.14)";
  EXPECT_NE(again.message_id, first.message_id);
  EXPECT_EQ(BodiesOf(ReceiveNow(*q, 10)), Bodies{"m-after-purge"});
}

TEST_F(FifoQueueTest, QueueScopeMakesTheSameIdInAnotherGroupADuplicate) {
  auto q = MakeFifo({}, /*dedup_by_group=*/false);
  SendResult first = SendOne(*q, "in-g1", "g1", "d");
  SendResult second = SendOne(*q, "in-g2", "g2", "d");
  EXPECT_TRUE(second.duplicate);
  EXPECT_EQ(second.message_id, first.message_id);
  EXPECT_EQ(BodiesOf(ReceiveNow(*q, 10)), Bodies{"in-g1"});
}

TEST_F(FifoQueueTest, MessageGroupScopeKeysOnGroupAndId) {
  auto q = MakeFifo({}, /*dedup_by_group=*/true);
  SendResult g1 = SendOne(*q, "in-g1", "g1", "d");
  SendResult g2 = SendOne(*q, "in-g2", "g2", "d");
  EXPECT_FALSE(g2.duplicate);
  EXPECT_NE(g2.message_id, g1.message_id);
  SendResult dup = SendOne(*q, "again-g1", "g1", "d");
  EXPECT_TRUE(dup.duplicate);
  EXPECT_EQ(dup.message_id, g1.message_id);
  Bodies got = BodiesOf(ReceiveNow(*q, 10));
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (Bodies{"in-g1", "in-g2"}));
}

TEST_F(FifoQueueTest, DuplicateInsideOneBatchIsAnsweredWithTheEarlierEntry) {
  auto q = MakeFifo();
  std::vector<NewMessage> batch;
  batch.push_back(NewMessage{Fifo("a", "g", "d1"), std::nullopt});
  batch.push_back(NewMessage{Fifo("b", "g", "d2"), std::nullopt});
  batch.push_back(NewMessage{Fifo("c", "g", "d1"), std::nullopt});
  std::vector<SendResult> r = SendAll(*q, std::move(batch));
  ASSERT_EQ(r.size(), 3u);
  EXPECT_FALSE(r[0].duplicate);
  EXPECT_FALSE(r[1].duplicate);
  EXPECT_TRUE(r[2].duplicate);
  EXPECT_EQ(r[2].message_id, r[0].message_id);
  EXPECT_EQ(r[2].sequence_number, r[0].sequence_number);
  EXPECT_EQ(BodiesOf(ReceiveNow(*q, 10)), (Bodies{"a", "b"}));
}

// --- sequence numbers ------------------------------------------------------------------------

TEST_F(FifoQueueTest, SequenceNumbersAreTwentyDigitsAndStrictlyIncreasing) {
  auto q = MakeFifo();
  std::vector<std::string> seqs;
  for (int i = 0; i < 5; ++i) {
    seqs.push_back(
        *SendOne(*q, "s" + std::to_string(i), "g" + std::to_string(i % 2)).sequence_number);
  }
  std::vector<NewMessage> batch;
  for (int i = 0; i < 10; ++i) {
    batch.push_back(
        NewMessage{Fifo("b" + std::to_string(i), "g" + std::to_string(i % 3)), std::nullopt});
  }
  for (const SendResult& r : SendAll(*q, std::move(batch))) seqs.push_back(*r.sequence_number);
  ASSERT_EQ(seqs.size(), 15u);
  for (size_t i = 0; i < seqs.size(); ++i) {
    EXPECT_EQ(seqs[i].size(), 20u) << seqs[i];
    EXPECT_TRUE(std::all_of(seqs[i].begin(), seqs[i].end(), [](char c) {
      return c >= '0' && c <= '9';
    })) << seqs[i];
    // Equal length: string order is numeric order.
    if (i > 0) {
      EXPECT_LT(seqs[i - 1], seqs[i]) << "index " << i;
    }
  }
  // What a receive reports is what the send returned.
  std::map<std::string, std::string> by_body;
  for (const ReceivedMessage& m : ReceiveNow(*q, 10)) {
    by_body[m.content->body] = SequenceNumberOf(m.seq);
  }
  EXPECT_EQ(by_body.at("s0"), seqs[0]);
}

TEST_F(FifoQueueTest, SequenceNumberOfFormatsTwentyDigits) {
  EXPECT_EQ(SequenceNumberOf(1), "10000000000000000001");
  EXPECT_EQ(SequenceNumberOf(1'700'000'000'000'000ULL), "10001700000000000000");
  EXPECT_LT(SequenceNumberOf(99), SequenceNumberOf(100));
}

// --- ordering and group blocking (§5.14) -----------------------------------------------------

TEST_F(FifoQueueTest, OneGroupIsDeliveredInExactSendOrderAcrossManyReceives) {
  auto q = MakeFifo();
  Bodies sent;
  for (int i = 0; i < 200; ++i) {
    sent.push_back("m" + std::to_string(i));
    SendOne(*q, sent.back(), "g");
    if (i % 7 == 0) SendOne(*q, "noise" + std::to_string(i), "other");  // another group
  }
  std::mt19937 rng(7);
  Bodies got;
  for (int round = 0; round < 500 && got.size() < sent.size(); ++round) {
    auto messages = ReceiveNow(*q, 1 + static_cast<int64_t>(rng() % 10));
    for (const ReceivedMessage& m : messages) {
      if (*m.content->group_id == "g") got.push_back(m.content->body);
    }
    DeleteAll(*q, messages);
  }
  EXPECT_EQ(got, sent);
}

TEST_F(FifoQueueTest, SendOrderSurvivesVisibilityExpiry) {
  auto q = MakeFifo();
  SendGroup(*q, "g", {"m1", "m2", "m3", "m4"});
  EXPECT_EQ(BodiesOf(ReceiveNow(*q, 3, /*visibility=*/30)), (Bodies{"m1", "m2", "m3"}));
  clock_.Advance(Seconds(30));
  auto again = ReceiveNow(*q, 10);
  EXPECT_EQ(BodiesOf(again), (Bodies{"m1", "m2", "m3", "m4"}));
  ASSERT_EQ(again.size(), 4u);
  EXPECT_EQ(again[0].receive_count, 2u);
  EXPECT_EQ(again[3].receive_count, 1u);
}

TEST_F(FifoQueueTest, GroupWithItsHeadInFlightYieldsNothingWhileOtherGroupsAreServed) {
  auto q = MakeFifo();
  SendGroup(*q, "g1", {"a1", "a2"});
  SendGroup(*q, "g2", {"b1"});
  ReceivedMessage a1 = ReceiveOne(*q);
  ASSERT_EQ(a1.content->body, "a1");
  EXPECT_EQ(BodiesOf(ReceiveNow(*q, 10)), Bodies{"b1"}) << "g1 is blocked behind a1";
  EXPECT_TRUE(ReceiveNow(*q, 10).empty());
  // New messages of a blocked group wait behind its head.
  SendGroup(*q, "g1", {"a3"});
  EXPECT_TRUE(ReceiveNow(*q, 10).empty());
  ASSERT_TRUE(Delete(*q, a1.receipt_handle).ok());
  EXPECT_EQ(BodiesOf(ReceiveNow(*q, 10)), (Bodies{"a2", "a3"})) << "the delete unblocks g1";
}

TEST_F(FifoQueueTest, DeletingTheHeadWakesAReceiverParkedOnTheBlockedGroup) {
  auto q = MakeFifo();
  SendGroup(*q, "g", {"m1", "m2"});
  ReceivedMessage head = ReceiveOne(*q);
  ReceiveOptions options;
  options.max_messages = 10;
  options.wait_seconds = 10;
  auto parked = StartReceive(*q, options);
  ASSERT_FALSE(parked->done()) << "g is blocked: nothing to receive";
  ASSERT_TRUE(Delete(*q, head.receipt_handle).ok());
  EXPECT_EQ(parked->calls, 1) << "§5.5: the delete made m2 receivable; the parked receive must "
                                 "be answered at once";
  clock_.Advance(Seconds(10));
  ASSERT_EQ(parked->calls, 1);
  EXPECT_EQ(BodiesOf(parked->messages()), Bodies{"m2"});
}

TEST_F(FifoQueueTest, VisibilityExpiryReturnsTheHeadFirst) {
  auto q = MakeFifo();
  SendGroup(*q, "g", {"m1", "m2", "m3"});
  EXPECT_EQ(BodiesOf(ReceiveNow(*q, 2, /*visibility=*/30)), (Bodies{"m1", "m2"}));
  clock_.Advance(Seconds(29));
  EXPECT_TRUE(ReceiveNow(*q, 10).empty());
  clock_.Advance(Seconds(1));
  ReceivedMessage head = ReceiveOne(*q);
  EXPECT_EQ(head.content->body, "m1");
  EXPECT_EQ(head.receive_count, 2u);
}

// §5.14: foo, bar, baz all received; one of them extended, the other two expire.
TEST_F(FifoQueueTest, DocumentedFooBarBazExample) {
  struct Case {
    std::string extended;
    Bodies next;
  };
  for (const Case& c : {Case{"bar", {"foo"}}, Case{"baz", {"foo", "bar"}}, Case{"foo", {}}}) {
    SCOPED_TRACE("extend " + c.extended);
    auto q = MakeFifo();
    SendGroup(*q, "g", {"foo", "bar", "baz"});
    auto all = ReceiveNow(*q, 10, /*visibility=*/30);
    ASSERT_EQ(BodiesOf(all), (Bodies{"foo", "bar", "baz"}));
    clock_.Advance(Seconds(10));
    for (const ReceivedMessage& m : all) {
      if (m.content->body == c.extended) {
        ASSERT_TRUE(ChangeVisibility(*q, m.receipt_handle, 300).ok());
      }
    }
    clock_.Advance(Seconds(20));  // the other two expire
    EXPECT_EQ(BodiesOf(ReceiveNow(*q, 10)), c.next);
  }
}

// §5.14: g1-m1, g1-m2 received; g1-m1's visibility set to 0 → g1-m1 comes back (with other
// groups) although g1-m2 is still in flight.
TEST_F(FifoQueueTest, HeadReleasedByVisibilityZeroComesBackWhileItsSuccessorIsInFlight) {
  auto q = MakeFifo();
  SendGroup(*q, "g1", {"g1-m1", "g1-m2"});
  SendGroup(*q, "g2", {"g2-m1"});
  auto got = ReceiveNow(*q, 2);
  ASSERT_EQ(BodiesOf(got), (Bodies{"g1-m1", "g1-m2"}));
  ASSERT_TRUE(ChangeVisibility(*q, got[0].receipt_handle, 0).ok());
  // Order between groups is unspecified (§5.14); g2 has waited longer, so it comes first here.
  EXPECT_EQ(SortedBodiesOf(ReceiveNow(*q, 10)), (Bodies{"g1-m1", "g2-m1"}));
}

TEST_F(FifoQueueTest, AReceiveFillsWithOneGroupsConsecutiveMessagesBeforeMovingOn) {
  auto q = MakeFifo();
  SendGroup(*q, "g1", {"g1-m1", "g1-m2", "g1-m3"});
  SendGroup(*q, "g2", {"g2-m1"});
  EXPECT_EQ(BodiesOf(ReceiveNow(*q, 10)), (Bodies{"g1-m1", "g1-m2", "g1-m3", "g2-m1"}));

  auto q2 = MakeFifo();  // interleaved sends
  SendOne(*q2, "a1", "a");
  SendOne(*q2, "b1", "b");
  SendOne(*q2, "a2", "a");
  SendOne(*q2, "b2", "b");
  SendOne(*q2, "a3", "a");
  auto got = BodiesOf(ReceiveNow(*q2, 10));
  EXPECT_EQ(got, (Bodies{"a1", "a2", "a3", "b1", "b2"}));
}

TEST_F(FifoQueueTest, BlockedMessagesStillCountAsVisible) {
  // §3.1: 6 messages in 3 groups, 2 received → Messages=4, NotVisible=2.
  auto q = MakeFifo();
  for (const char* g : {"g1", "g2", "g3"}) {
    SendGroup(*q, g, {std::string(g) + "-1", std::string(g) + "-2"});
  }
  ASSERT_EQ(ReceiveNow(*q, 2).size(), 2u);
  EXPECT_EQ(CountsOf(*q), (Counts{4, 2, 0}));
}

// --- fairness between groups -----------------------------------------------------------------

constexpr int kBigGroup = 1000;
constexpr size_t kSingles = 50;

class FifoFairnessTest : public FifoQueueTest {
 protected:
  // One group with 1000 messages, then 50 groups with one message each.
  void FillBigAndSingles(Queue& q) {
    for (int i = 0; i < kBigGroup; ++i) SendOne(q, "big-" + std::to_string(i), "big");
    for (size_t i = 0; i < kSingles; ++i) {
      SendOne(q, "single-" + std::to_string(i), "single-" + std::to_string(i));
    }
  }
};

TEST_F(FifoFairnessTest, ManyGroupsNoneStarvesWhileTheBigGroupIsHeld) {
  auto q = MakeFifo();
  FillBigAndSingles(*q);
  std::set<std::string> singles;
  int receives = 0;
  while (singles.size() < kSingles && receives < 200) {
    ++receives;
    for (const ReceivedMessage& m : ReceiveNow(*q, 10, /*visibility=*/3600)) {
      if (*m.content->group_id != "big") singles.insert(m.content->body);
    }
  }
  EXPECT_EQ(singles.size(), kSingles);
  EXPECT_LE(receives, 6) << "the 50 single messages must come within the first few receives";
}

TEST_F(FifoFairnessTest, ManyGroupsNoneStarvesWhenTheConsumerDeletesAsItGoes) {
  // The realistic consumer: receive 10, process, delete, repeat. The big group's next message is
  // older than every single message, so ordering groups only by the age of their head serves
  // the big group on every receive and the singles wait for all 1000.
  auto q = MakeFifo();
  FillBigAndSingles(*q);
  std::set<std::string> singles;
  int receives = 0;
  while (singles.size() < kSingles && receives < 200) {
    ++receives;
    auto messages = ReceiveNow(*q, 10);
    for (const ReceivedMessage& m : messages) {
      if (*m.content->group_id != "big") singles.insert(m.content->body);
    }
    DeleteAll(*q, messages);
  }
  EXPECT_EQ(singles.size(), kSingles);
  EXPECT_LE(receives, 10) << "the 50 single messages must come within the first few receives, "
                             "not after the 1000 of the big group";
}

// --- ReceiveRequestAttemptId (§5.15) ---------------------------------------------------------

class FifoAttemptTest : public FifoQueueTest {
 protected:
  void SetUp() override {
    QueueConfig config;
    config.visibility_timeout = 600;
    q_ = MakeFifo(config);
    SendGroup(*q_, "g1", {"a1", "a2", "a3"});
    SendGroup(*q_, "g2", {"b1"});
    first_ = ReceiveAttempt(*q_, 2, "attempt-1");
    ASSERT_EQ(BodiesOf(first_), (Bodies{"a1", "a2"}));
  }
  static std::vector<std::string> Handles(const std::vector<ReceivedMessage>& ms) {
    std::vector<std::string> out;
    for (const ReceivedMessage& m : ms) out.push_back(m.receipt_handle);
    return out;
  }

  std::shared_ptr<Queue> q_;
  std::vector<ReceivedMessage> first_;
};

TEST_F(FifoAttemptTest, RetryWithinFiveMinutesReplaysTheSameMessagesAndHandles) {
  clock_.Advance(Seconds(299));
  auto retry = ReceiveAttempt(*q_, 2, "attempt-1");
  EXPECT_EQ(BodiesOf(retry), (Bodies{"a1", "a2"}));
  EXPECT_EQ(Handles(retry), Handles(first_));
  for (const ReceivedMessage& m : retry) EXPECT_EQ(m.receive_count, 1u);
  EXPECT_EQ(CountsOf(*q_), (Counts{2, 2, 0})) << "a replay takes nothing new";
  // A different attempt id is a new receive: g1 is blocked, g2 is served.
  EXPECT_EQ(BodiesOf(ReceiveAttempt(*q_, 10, "attempt-2")), Bodies{"b1"});
}

TEST_F(FifoAttemptTest, ReplayResetsTheVisibilityTimeout) {
  clock_.Advance(Seconds(200));
  ASSERT_EQ(Handles(ReceiveAttempt(*q_, 2, "attempt-1")), Handles(first_));
  clock_.Advance(Seconds(599));  // 799 s after the first receive, 599 s after the replay
  EXPECT_EQ(BodiesOf(ReceiveNow(*q_, 10)), Bodies{"b1"}) << "a1/a2 are still in flight";
  clock_.Advance(Seconds(1));
  EXPECT_EQ(BodiesOf(ReceiveNow(*q_, 10)), (Bodies{"a1", "a2", "a3"}));
}

TEST_F(FifoAttemptTest, NoReplayAfterADelete) {
  ASSERT_TRUE(Delete(*q_, first_[0].receipt_handle).ok());
  auto retry = ReceiveAttempt(*q_, 2, "attempt-1");
  // A new receive: a2 is still in flight, so g1 is blocked; g2 is served.
  EXPECT_EQ(BodiesOf(retry), Bodies{"b1"});
}

TEST_F(FifoAttemptTest, NoReplayAfterAVisibilityChangeToZero) {
  ASSERT_TRUE(ChangeVisibility(*q_, first_[0].receipt_handle, 0).ok());
  auto retry = ReceiveAttempt(*q_, 10, "attempt-1");
  EXPECT_EQ(SortedBodiesOf(retry), (Bodies{"a1", "b1"}));
  const ReceivedMessage* a1 = Find(retry, "a1");
  ASSERT_NE(a1, nullptr);
  EXPECT_NE(a1->receipt_handle, first_[0].receipt_handle);
  EXPECT_EQ(a1->receive_count, 2u);
}

TEST_F(FifoAttemptTest, NoReplayAfterAVisibilityExtension) {
  ASSERT_TRUE(ChangeVisibility(*q_, first_[0].receipt_handle, 900).ok());
  auto retry = ReceiveAttempt(*q_, 2, "attempt-1");
  EXPECT_EQ(BodiesOf(retry), Bodies{"b1"}) << "a new receive: g1 is still blocked";
  EXPECT_NE(Handles(retry), Handles(first_));
}

TEST_F(FifoAttemptTest, NoReplayAfterFiveMinutes) {
  // Visibility 900 s: a1/a2 are still in flight when the attempt id is forgotten.
  auto q = MakeFifo();
  SendGroup(*q, "g1", {"a1", "a2"});
  SendGroup(*q, "g2", {"b1"});
  auto first = ReceiveAttempt(*q, 2, "attempt-x", /*visibility=*/900);
  ASSERT_EQ(BodiesOf(first), (Bodies{"a1", "a2"}));
  clock_.Advance(Seconds(299));
  EXPECT_EQ(Handles(ReceiveAttempt(*q, 2, "attempt-x")), Handles(first)) << "4:59: replayed";
  clock_.Advance(Seconds(1));
  // 5:00 after the first receive: a new receive. a1/a2 are in flight (the replay reset them).
  EXPECT_EQ(BodiesOf(ReceiveAttempt(*q, 2, "attempt-x")), Bodies{"b1"});
}

TEST_F(FifoAttemptTest, NoReplayOnceTheMessagesBecameVisibleAgain) {
  clock_.Advance(Seconds(600));
  auto retry = ReceiveAttempt(*q_, 10, "attempt-1");
  EXPECT_EQ(SortedBodiesOf(retry), (Bodies{"a1", "a2", "a3", "b1"}));
  EXPECT_NE(Handles(retry), Handles(first_));
  const ReceivedMessage* a1 = Find(retry, "a1");
  ASSERT_NE(a1, nullptr);
  EXPECT_EQ(a1->receive_count, 2u);
}

TEST_F(FifoQueueTest, StandardQueuesIgnoreTheAttemptId) {
  auto q = MakeQueue();
  Send(*q, "m1");
  Send(*q, "m2");
  EXPECT_EQ(BodiesOf(ReceiveAttempt(*q, 1, "same")), Bodies{"m1"});
  EXPECT_EQ(BodiesOf(ReceiveAttempt(*q, 1, "same")), Bodies{"m2"});
}

// --- DeleteMessage on FIFO queues (§2.10) ----------------------------------------------------

TEST_F(FifoQueueTest, DeleteWithAnExpiredHandleIsRefusedAndKeepsTheMessage) {
  auto q = MakeFifo();
  SendGroup(*q, "g", {"m1"});
  ReceivedMessage r = ReceiveOne(*q, /*visibility=*/30);
  clock_.Advance(Seconds(30));
  api::ApiStatus s = Delete(*q, r.receipt_handle);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidParameterValue);
  EXPECT_EQ(TextOf(s.error()), ExpiredHandleText(r.receipt_handle));
  EXPECT_EQ(CountsOf(*q), (Counts{1, 0, 0})) << "the message is not deleted";

  // The handle of a later receive deletes; the old one is still refused.
  ReceivedMessage again = ReceiveOne(*q);
  api::ApiStatus stale = Delete(*q, r.receipt_handle);
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(TextOf(stale.error()), ExpiredHandleText(r.receipt_handle));
  ASSERT_TRUE(Delete(*q, again.receipt_handle).ok());
  EXPECT_EQ(CountsOf(*q), (Counts{0, 0, 0}));
  EXPECT_TRUE(Delete(*q, again.receipt_handle).ok()) << "deleting twice is fine";
}

TEST_F(FifoQueueTest, DeleteAfterVisibilityZeroIsAnExpiredHandle) {
  auto q = MakeFifo();
  SendGroup(*q, "g", {"m1"});
  ReceivedMessage r = ReceiveOne(*q);
  ASSERT_TRUE(ChangeVisibility(*q, r.receipt_handle, 0).ok());
  api::ApiStatus s = Delete(*q, r.receipt_handle);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidParameterValue);
  EXPECT_EQ(TextOf(s.error()), ExpiredHandleText(r.receipt_handle));
}

// --- delays ----------------------------------------------------------------------------------

TEST_F(FifoQueueTest, TheQueueDelayApplies) {
  QueueConfig config;
  config.delay_seconds = 10;
  auto q = MakeFifo(config);
  SendGroup(*q, "g", {"m1", "m2"});
  EXPECT_EQ(CountsOf(*q), (Counts{0, 0, 2}));
  clock_.Advance(Seconds(9));
  EXPECT_TRUE(ReceiveNow(*q, 10).empty());
  clock_.Advance(Seconds(1));
  EXPECT_EQ(BodiesOf(ReceiveNow(*q, 10)), (Bodies{"m1", "m2"}));
}

TEST_F(FifoQueueTest, ChangingTheQueueDelayIsRetroactive) {
  QueueConfig config;
  config.delay_seconds = 60;
  auto q = MakeFifo(config);
  SendGroup(*q, "g", {"m1"});
  clock_.Advance(Seconds(10));
  ASSERT_TRUE(SetAttributes(*q, {{"DelaySeconds", "0"}}).ok());
  EXPECT_EQ(BodiesOf(ReceiveNow(*q, 10)), Bodies{"m1"});
}

// =============================================================================================
// Through the handlers
// =============================================================================================

class FifoServiceTest : public SqsServiceTest {
 protected:
  std::string CreateFifo(const std::string& name = "q.fifo", api::StringPairs attributes = {}) {
    attributes.emplace_back("FifoQueue", "true");
    return CreateQueue(name, std::move(attributes));
  }

  api::ApiResult<a::QueueUrlOutput> TryCreate(const std::string& name, api::StringPairs attrs) {
    return Run(&sqs::CreateQueue, a::CreateQueueInput{name, std::move(attrs), {}});
  }

  api::ApiResult<a::SendMessageOutput> TrySend(const std::string& url, const std::string& body,
                                               std::optional<std::string> group,
                                               std::optional<std::string> dedup,
                                               std::optional<int64_t> delay = std::nullopt,
                                               a::MessageAttributeMap attributes = {}) {
    a::SendMessageInput in;
    in.queue_url = url;
    in.message_body = body;
    in.message_group_id = std::move(group);
    in.message_deduplication_id = std::move(dedup);
    in.delay_seconds = delay;
    in.message_attributes = std::move(attributes);
    return Run(&sqs::SendMessage, std::move(in));
  }

  a::SendMessageOutput SendFifo(const std::string& url, const std::string& body,
                                const std::string& group, std::optional<std::string> dedup,
                                a::MessageAttributeMap attributes = {}) {
    auto r = TrySend(url, body, group, std::move(dedup), std::nullopt, std::move(attributes));
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : TextOf(r.error()));
    return r.ok() ? *r : a::SendMessageOutput{};
  }

  static a::SendMessageBatchRequestEntry Entry(std::string id, std::string body,
                                               std::optional<std::string> group,
                                               std::optional<std::string> dedup) {
    a::SendMessageBatchRequestEntry e;
    e.id = std::move(id);
    e.message_body = std::move(body);
    e.message_group_id = std::move(group);
    e.message_deduplication_id = std::move(dedup);
    return e;
  }

  api::ApiResult<a::SendMessageBatchOutput> Batch(
      const std::string& url, std::vector<a::SendMessageBatchRequestEntry> entries) {
    return Run(&sqs::SendMessageBatch, a::SendMessageBatchInput{url, std::move(entries)});
  }

  api::ApiStatus Set(const std::string& url, api::StringPairs attributes) {
    auto r = Run(&sqs::SetQueueAttributes, a::SetQueueAttributesInput{url, std::move(attributes)});
    if (r.ok()) return {};
    return r.error();
  }

  a::ReceiveMessageInput In(const std::string& url, int64_t max = 10,
                            std::vector<std::string> system = {}) {
    a::ReceiveMessageInput in;
    in.queue_url = url;
    in.max_number_of_messages = max;
    in.message_system_attribute_names = std::move(system);
    return in;
  }

  static Bodies BodiesOf(const std::vector<a::Message>& ms) {
    Bodies out;
    for (const a::Message& m : ms) out.push_back(m.body);
    return out;
  }

  static void ExpectError(const api::ApiError& e, ErrorCode code, const std::string& text) {
    EXPECT_EQ(e.code, code) << TextOf(e);
    EXPECT_EQ(TextOf(e), text);
  }
};

// --- CreateQueue / Set / GetQueueAttributes (§2.1, §2.6, §3.1) --------------------------------

TEST_F(FifoServiceTest, FifoNameWithoutFifoQueueIsInvalidParameterValue) {
  auto r = TryCreate("q.fifo", {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidParameterValue);
  r = TryCreate("q.fifo", {{"FifoQueue", "false"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidParameterValue);
}

TEST_F(FifoServiceTest, FifoQueueTrueWithoutTheSuffixIsInvalidParameterValue) {
  auto r = TryCreate("plain", {{"FifoQueue", "true"}});
  ASSERT_FALSE(r.ok());
  ExpectError(r.error(), ErrorCode::kInvalidParameterValue,
              "The name of a FIFO queue can only include alphanumeric characters, hyphens, or "
              "underscores, must end with .fifo suffix and be 1 to 80 in length");
}

TEST_F(FifoServiceTest, FifoQueueIsCaseInsensitiveOnInput) {
  std::string url = CreateQueue("ci.fifo", {{"FifoQueue", "True"}});
  EXPECT_EQ(Attribute(url, "FifoQueue"), "true");
}

TEST_F(FifoServiceTest, PerMessageGroupIdThroughputNeedsMessageGroupScope) {
  for (const api::StringPairs& attrs :
       {api::StringPairs{{"FifoQueue", "true"}, {"FifoThroughputLimit", "perMessageGroupId"}},
        api::StringPairs{{"FifoQueue", "true"},
                         {"FifoThroughputLimit", "perMessageGroupId"},
                         {"DeduplicationScope", "queue"}}}) {
    auto r = TryCreate("ht.fifo", attrs);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidAttributeValue) << TextOf(r.error());
  }
  std::string url = CreateFifo("ht.fifo", {{"FifoThroughputLimit", "perMessageGroupId"},
                                           {"DeduplicationScope", "messageGroup"}});
  ASSERT_FALSE(url.empty());
  // Moving the scope back to queue alone would leave an invalid combination.
  api::ApiStatus s = Set(url, {{"DeduplicationScope", "queue"}});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidAttributeValue);
  std::string plain = CreateFifo("plain.fifo");
  s = Set(plain, {{"FifoThroughputLimit", "perMessageGroupId"}});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidAttributeValue);
  EXPECT_TRUE(Set(plain, {{"FifoThroughputLimit", "perMessageGroupId"},
                          {"DeduplicationScope", "messageGroup"}})
                  .ok());
}

TEST_F(FifoServiceTest, FifoQueueFalseOnSetIsModifyingQueueTypeNotSupported) {
  std::string url = CreateFifo();
  api::ApiStatus s = Set(url, {{"FifoQueue", "false"}});
  ASSERT_FALSE(s.ok());
  ExpectError(s.error(), ErrorCode::kInvalidAttributeValue,
              "Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not "
              "supported.");
  EXPECT_TRUE(Set(url, {{"FifoQueue", "true"}}).ok()) << "true is accepted as a no-op";
  EXPECT_EQ(Attribute(url, "FifoQueue"), "true");
}

TEST_F(FifoServiceTest, GetQueueAttributesAllIncludesTheFifoAttributesWithDefaults) {
  std::string url = CreateFifo();
  api::StringPairs all = Attributes(url);
  for (const auto& [name, value] :
       std::vector<std::pair<std::string, std::string>>{{"FifoQueue", "true"},
                                                        {"ContentBasedDeduplication", "false"},
                                                        {"DeduplicationScope", "queue"},
                                                        {"FifoThroughputLimit", "perQueue"},
                                                        {"DelaySeconds", "0"},
                                                        {"VisibilityTimeout", "30"}}) {
    const std::string* v = FindPair(all, name);
    ASSERT_NE(v, nullptr) << name;
    EXPECT_EQ(*v, value) << name;
  }
}

// --- SendMessage / SendMessageBatch rules (§2.7, §2.8, §6.3) --------------------------------

TEST_F(FifoServiceTest, SendReturnsASequenceNumberAndADuplicateTheOriginal) {
  std::string url = CreateFifo();
  a::SendMessageOutput first = SendFifo(url, "hello", "g", "d1");
  ASSERT_TRUE(first.sequence_number);
  EXPECT_EQ(first.sequence_number->size(), 20u);
  a::SendMessageOutput dup = SendFifo(url, "hello again", "g", "d1");
  EXPECT_EQ(dup.message_id, first.message_id);
  EXPECT_EQ(dup.sequence_number, first.sequence_number);
  EXPECT_EQ(dup.md5_of_message_body, "44997f87b891f89472b7f2bbe4e000c3")
      << "the digest is of the body the caller sent";
  EXPECT_EQ(Counts(url), std::make_tuple("1", "0", "0"));
}

TEST_F(FifoServiceTest, MissingMessageGroupIdIsMissingParameter) {
  std::string url = CreateFifo();
  auto r = TrySend(url, "m", std::nullopt, "d");
  ASSERT_FALSE(r.ok());
  ExpectError(r.error(), ErrorCode::kMissingParameter,
              "The request must contain the parameter MessageGroupId.");
}

TEST_F(FifoServiceTest, BatchEntryWithoutMessageGroupIdFailsTheWholeBatch) {
  std::string url = CreateFifo();
  auto r = Batch(url, {Entry("ok", "m1", "g", "d1"), Entry("bad", "m2", std::nullopt, "d2")});
  ASSERT_FALSE(r.ok());
  ExpectError(r.error(), ErrorCode::kInvalidParameterValue,
              "The request must contain the parameter MessageGroupId.");
  EXPECT_EQ(Counts(url), std::make_tuple("0", "0", "0")) << "no entry is processed";
}

TEST_F(FifoServiceTest, PerMessageDelayIsRejectedWithTheExactText) {
  std::string url = CreateFifo();
  auto r = TrySend(url, "m", "g", "d", /*delay=*/2);
  ASSERT_FALSE(r.ok());
  ExpectError(r.error(), ErrorCode::kInvalidParameterValue,
              "Value 2 for parameter DelaySeconds is invalid. Reason: The request include "
              "parameter that is not valid for this queue type.");
  // Checked before the missing group id (§2.7 steps 7 and 8).
  r = TrySend(url, "m", std::nullopt, "d", /*delay=*/2);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidParameterValue);
  EXPECT_TRUE(TrySend(url, "m", "g", "d", /*delay=*/0).ok()) << "DelaySeconds=0 is allowed";
}

TEST_F(FifoServiceTest, BatchEntryWithADelayFailsThatEntryOnly) {
  std::string url = CreateFifo();
  auto delayed = Entry("late", "m2", "g", "d2");
  delayed.delay_seconds = 5;
  auto r = Batch(url, {Entry("ok", "m1", "g", "d1"), delayed});
  ASSERT_TRUE(r.ok()) << TextOf(r.error());
  ASSERT_EQ(r->successful.size(), 1u);
  EXPECT_EQ(r->successful[0].id, "ok");
  ASSERT_EQ(r->failed.size(), 1u);
  EXPECT_EQ(r->failed[0].id, "late");
  EXPECT_EQ(r->failed[0].code, "InvalidParameterValue");
  EXPECT_TRUE(r->failed[0].sender_fault);
  EXPECT_EQ(r->failed[0].message,
            "Value 5 for parameter DelaySeconds is invalid. Reason: The request include "
            "parameter that is not valid for this queue type.");
}

TEST_F(FifoServiceTest, MissingDeduplicationIdWithoutContentBasedDeduplication) {
  const std::string text =
      "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId "
      "provided explicitly";
  std::string url = CreateFifo();
  auto r = TrySend(url, "m", "g", std::nullopt);
  ASSERT_FALSE(r.ok());
  ExpectError(r.error(), ErrorCode::kInvalidParameterValue, text);
  auto b = Batch(url, {Entry("ok", "m1", "g", "d1"), Entry("bad", "m2", "g", std::nullopt)});
  ASSERT_FALSE(b.ok());
  ExpectError(b.error(), ErrorCode::kInvalidParameterValue, text);
  EXPECT_EQ(Counts(url), std::make_tuple("0", "0", "0"));
  // Turning content-based deduplication on later makes the id optional.
  ASSERT_TRUE(Set(url, {{"ContentBasedDeduplication", "true"}}).ok());
  EXPECT_TRUE(TrySend(url, "m", "g", std::nullopt).ok());
}

TEST_F(FifoServiceTest, TheQueueDelayAppliesWhenDelaySecondsIsAbsent) {
  std::string url = CreateFifo("d.fifo", {{"DelaySeconds", "5"}});
  ASSERT_TRUE(TrySend(url, "m", "g", "d1").ok());
  EXPECT_EQ(Counts(url), std::make_tuple("0", "0", "1"));
  clock_.Advance(Seconds(5));
  EXPECT_EQ(Counts(url), std::make_tuple("1", "0", "0"));
}

TEST_F(FifoServiceTest, TheQueueDelayAppliesWhenDelaySecondsIsZero) {
  std::string url = CreateFifo("d.fifo", {{"DelaySeconds", "5"}});
  ASSERT_TRUE(TrySend(url, "m", "g", "d1", /*delay=*/0).ok());
  EXPECT_EQ(Counts(url), std::make_tuple("0", "0", "1"));
}

TEST_F(FifoServiceTest, BatchKeepsRequestOrderAndIncreasingSequenceNumbers) {
  std::string url = CreateFifo();
  std::vector<a::SendMessageBatchRequestEntry> entries;
  for (int i = 0; i < 10; ++i) {
    entries.push_back(
        Entry("e" + std::to_string(i), "m" + std::to_string(i), "g", "d" + std::to_string(i)));
  }
  auto r = Batch(url, entries);
  ASSERT_TRUE(r.ok()) << TextOf(r.error());
  ASSERT_EQ(r->successful.size(), 10u);
  for (size_t i = 0; i < 10; ++i) {
    EXPECT_EQ(r->successful[i].id, "e" + std::to_string(i));
    ASSERT_TRUE(r->successful[i].sequence_number);
    if (i > 0) {
      EXPECT_LT(*r->successful[i - 1].sequence_number, *r->successful[i].sequence_number);
    }
  }
  Bodies got = BodiesOf(Receive(In(url, 10)));
  EXPECT_EQ(got, (Bodies{"m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9"}));
}

// --- content-based deduplication (§5.12) -----------------------------------------------------

TEST_F(FifoServiceTest, ContentBasedDeduplicationUsesTheSha256OfTheBodyOnly) {
  std::string url = CreateFifo("cbd.fifo", {{"ContentBasedDeduplication", "true"}});
  a::SendMessageOutput first =
      SendFifo(url, "hello world", "g", std::nullopt, {{"k", StringAttr("String", "one")}});
  a::SendMessageOutput dup =
      SendFifo(url, "hello world", "g2", std::nullopt, {{"k", StringAttr("String", "two")}});
  EXPECT_EQ(dup.message_id, first.message_id) << "attributes are not part of the hash";
  EXPECT_EQ(dup.sequence_number, first.sequence_number);
  a::SendMessageOutput other = SendFifo(url, "hello world!", "g", std::nullopt);
  EXPECT_NE(other.message_id, first.message_id);
  // An explicit id wins over the content.
  a::SendMessageOutput explicit_id = SendFifo(url, "hello world", "g", "my-id");
  EXPECT_NE(explicit_id.message_id, first.message_id);

  auto got = Receive(In(url, 10, {"MessageDeduplicationId"}));
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(BodiesOf(got), (Bodies{"hello world", "hello world!", "hello world"}));
  const std::string* d0 = FindPair(got[0].attributes, "MessageDeduplicationId");
  ASSERT_NE(d0, nullptr);
  EXPECT_EQ(*d0, "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9");
  const std::string* d2 = FindPair(got[2].attributes, "MessageDeduplicationId");
  ASSERT_NE(d2, nullptr);
  EXPECT_EQ(*d2, "my-id");
}

// --- deduplication scope is fixed at creation (§5.13) ----------------------------------------

TEST_F(FifoServiceTest, QueueScopeStaysInEffectAfterSetQueueAttributesChangesIt) {
  std::string url = CreateFifo("scope-q.fifo");
  ASSERT_TRUE(Set(url, {{"DeduplicationScope", "messageGroup"}}).ok());
  EXPECT_EQ(Attribute(url, "DeduplicationScope"), "messageGroup") << "the reported value changes";
  a::SendMessageOutput g1 = SendFifo(url, "in-g1", "g1", "d");
  a::SendMessageOutput g2 = SendFifo(url, "in-g2", "g2", "d");
  EXPECT_EQ(g2.message_id, g1.message_id) << "the effective scope is still queue";
  EXPECT_EQ(Counts(url), std::make_tuple("1", "0", "0"));
}

TEST_F(FifoServiceTest, MessageGroupScopeStaysInEffectAfterSetQueueAttributesChangesIt) {
  std::string url = CreateFifo("scope-g.fifo", {{"DeduplicationScope", "messageGroup"}});
  ASSERT_TRUE(Set(url, {{"DeduplicationScope", "queue"}}).ok());
  EXPECT_EQ(Attribute(url, "DeduplicationScope"), "queue");
  a::SendMessageOutput g1 = SendFifo(url, "in-g1", "g1", "d");
  a::SendMessageOutput g2 = SendFifo(url, "in-g2", "g2", "d");
  EXPECT_NE(g2.message_id, g1.message_id) << "the effective scope is still messageGroup";
  a::SendMessageOutput dup = SendFifo(url, "again", "g1", "d");
  EXPECT_EQ(dup.message_id, g1.message_id);
  EXPECT_EQ(Counts(url), std::make_tuple("2", "0", "0"));
}

// --- receive-side system attributes (§4.5) ---------------------------------------------------

TEST_F(FifoServiceTest, ReceiveReportsGroupDedupAndSequenceNumber) {
  std::string url = CreateFifo();
  a::SendMessageOutput sent = SendFifo(url, "m", "grp-1", "dedup-1");
  auto got = Receive(In(url, 1, {"All"}));
  ASSERT_EQ(got.size(), 1u);
  const a::Message& m = got[0];
  EXPECT_EQ(m.message_id, sent.message_id);
  std::map<std::string, std::string> attrs(m.attributes.begin(), m.attributes.end());
  EXPECT_EQ(attrs["MessageGroupId"], "grp-1");
  EXPECT_EQ(attrs["MessageDeduplicationId"], "dedup-1");
  EXPECT_EQ(attrs["SequenceNumber"], *sent.sequence_number);
  for (const char* name : {"SenderId", "SentTimestamp", "ApproximateReceiveCount",
                           "ApproximateFirstReceiveTimestamp"}) {
    EXPECT_EQ(attrs.count(name), 1u) << name;
  }

  // One name asked, one name returned.
  ASSERT_TRUE(
      Run(&sqs::ChangeMessageVisibility, a::ChangeMessageVisibilityInput{url, m.receipt_handle, 0})
          .ok());
  auto only = Receive(In(url, 1, {"SequenceNumber"}));
  ASSERT_EQ(only.size(), 1u);
  ASSERT_EQ(only[0].attributes.size(), 1u);
  EXPECT_EQ(only[0].attributes[0].first, "SequenceNumber");
  EXPECT_EQ(only[0].attributes[0].second, *sent.sequence_number);
}

TEST_F(FifoServiceTest, DeleteWithAnExpiredHandleThroughTheHandler) {
  std::string url = CreateFifo();
  SendFifo(url, "m", "g", "d");
  auto in = In(url, 1);
  in.visibility_timeout = 5;
  auto got = Receive(in);
  ASSERT_EQ(got.size(), 1u);
  clock_.Advance(Seconds(5));
  auto r = Run(&sqs::DeleteMessage, a::DeleteMessageInput{url, got[0].receipt_handle});
  ASSERT_FALSE(r.ok());
  ExpectError(r.error(), ErrorCode::kInvalidParameterValue,
              ExpiredHandleText(got[0].receipt_handle));
}

}  // namespace
}  // namespace wharf::sqs::testing
