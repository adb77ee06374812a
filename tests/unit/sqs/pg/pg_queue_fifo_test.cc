// PgQueue's FIFO message operations (src/sqs/pg/pg_queue_fifo.cc) against a real PostgreSQL
// server: order within a group, visibility per message (§5.14), deduplication (by id, by content,
// per group), SequenceNumber, ReceiveRequestAttemptId, the errors of an expired receipt, batches,
// two nodes receiving at once and long polling. Run with tests/postgres/run.sh (skips without a
// server).

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/hashing.h"
#include "common/ids.h"
#include "pg_sqs_test_support.h"
#include "sqs/message_validation.h"
#include "sqs/pg/pg_catalog.h"
#include "sqs/pg/pg_queue.h"

namespace wharf::sqs::pg {
namespace {

namespace spg = storage::pg;
using api::ErrorCode;
using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::steady_clock;
using testing::Answer;
using testing::ChangeVisibility;
using testing::Delete;
using testing::NodeOptions;
using testing::Receive;
using testing::Send;
using testing::SendOne;

// The fields of one send, as a SendMessage request carries them.
struct Request {
  std::optional<std::string> message_body;
  std::optional<int64_t> delay_seconds;
  api::sqs::MessageAttributeMap message_attributes;
  api::sqs::MessageAttributeMap message_system_attributes;
  std::optional<std::string> message_deduplication_id;
  std::optional<std::string> message_group_id;
};

QueueConfig Fifo(bool content_based = false, bool by_group = false) {
  QueueConfig config;
  config.fifo = true;
  config.content_based_deduplication = content_based;
  if (by_group) config.deduplication_scope = "messageGroup";
  return config;
}

const std::string kExpiredReason =
    " for parameter ReceiptHandle is invalid. Reason: The receipt "
    "handle has expired.";

class PgQueueFifoTest : public testing::PgSqsTest {
 protected:
  // A re-check far past any wait: the long-poll test sees what the wake-up alone does.
  PgQueueFifoTest()
      : PgSqsTest(NodeOptions{.connections = 6,
                              .workers = 4,
                              .recheck = std::chrono::seconds(60),
                              .receipt_key = "pg-queue-fifo-test-key"},
                  "fif") {}

  // A message as the SendMessage handler builds it (BuildMessage: ids, digests and, under
  // ContentBasedDeduplication, the body's hash as the deduplication id).
  NewMessage Message(QueueBackend& queue, const std::string& body, const std::string& group,
                     std::optional<std::string> dedup) {
    Request in;
    in.message_body = body;
    in.message_group_id = group;
    in.message_deduplication_id = std::move(dedup);
    auto built = BuildMessage(FieldsOf(in), SendKind::kSingle, queue.send_rules(), node_->limits,
                              api::RequestContext{}, node_->clock.WallMillis());
    EXPECT_TRUE(built.ok()) << (built.ok() ? "" : built.error().message);
    return built.ok() ? std::move(built).value() : NewMessage{};
  }
  // A message deduplicated by its own unique id.
  NewMessage Unique(QueueBackend& queue, const std::string& body, const std::string& group) {
    return Message(queue, body, group, NewUuid());
  }

  static std::vector<std::string> Bodies(const api::ApiResult<std::vector<ReceivedMessage>>& got) {
    std::vector<std::string> bodies;
    EXPECT_TRUE(got.ok()) << (got.ok() ? "" : got.error().message);
    if (!got.ok()) return bodies;
    for (const ReceivedMessage& m : *got) bodies.push_back(m.content->body);
    return bodies;
  }
};

// Three groups sent interleaved, singly and in batches, received ten at a time: each group comes
// out in send order, and SequenceNumbers increase in send order and come back on receive.
TEST_F(PgQueueFifoTest, OrderWithinAGroupAndIncreasingSequenceNumbers) {
  auto queue = MustCreate("order.fifo", Fifo());
  ASSERT_NE(queue, nullptr);
  constexpr int kPerGroup = 15;
  const std::vector<std::string> groups = {"g1", "g2", "g3"};
  std::map<std::string, std::string> sequence_of;  // body -> SequenceNumber
  std::string last_sequence;
  for (int i = 0; i < kPerGroup; ++i) {
    std::vector<NewMessage> batch;
    for (const std::string& g : groups) {
      batch.push_back(Unique(*queue, g + "-" + std::to_string(100 + i), g));
    }
    std::vector<std::string> bodies;
    for (const NewMessage& m : batch) bodies.push_back(m.content->body);
    std::vector<SendResult> results;
    if (i % 2 == 0) {
      auto sent = Send(*queue, std::move(batch));
      ASSERT_TRUE(sent.ok());
      results = *sent;
    } else {
      for (NewMessage& m : batch) results.push_back(SendOne(*queue, std::move(m)));
    }
    ASSERT_EQ(results.size(), bodies.size());
    for (size_t k = 0; k < results.size(); ++k) {
      ASSERT_TRUE(results[k].sequence_number.has_value());
      EXPECT_FALSE(results[k].duplicate);
      EXPECT_EQ(results[k].sequence_number->size(), 20u);
      EXPECT_GT(*results[k].sequence_number, last_sequence) << "same width: string order";
      last_sequence = *results[k].sequence_number;
      sequence_of[bodies[k]] = last_sequence;
    }
  }
  EXPECT_EQ(queue->metrics().sent.load(), static_cast<uint64_t>(kPerGroup * groups.size()));

  std::map<std::string, std::vector<std::string>> received;
  size_t total = 0;
  for (int empty = 0; empty < 3 && total < kPerGroup * groups.size();) {
    auto got = Receive(*queue, 10);
    ASSERT_TRUE(got.ok());
    if (got->empty()) {
      ++empty;
      continue;
    }
    for (const ReceivedMessage& m : *got) {
      ASSERT_TRUE(m.content->group_id.has_value());
      received[*m.content->group_id].push_back(m.content->body);
      EXPECT_EQ(SequenceNumberOf(m.seq), sequence_of[m.content->body]);
      EXPECT_TRUE(m.content->deduplication_id.has_value());
      ++total;
    }
    for (const ReceivedMessage& m : *got) ASSERT_TRUE(Delete(*queue, m.receipt_handle).ok());
  }
  ASSERT_EQ(total, kPerGroup * groups.size());
  for (const std::string& g : groups) {
    std::vector<std::string> expected;
    for (int i = 0; i < kPerGroup; ++i) expected.push_back(g + "-" + std::to_string(100 + i));
    EXPECT_EQ(received[g], expected) << g;
  }
}

// Sends of one group made one after the other without waiting for the answers (as SNS
// delivers a FIFO topic, or a client pipelining) are stored in call order, though the worker
// pool runs them on several threads (FifoSendOrder); another group's sends are not held up.
TEST_F(PgQueueFifoTest, SendsMadeWithoutWaitingKeepTheirOrderPerGroup) {
  auto queue = MustCreate("pipelined.fifo", Fifo());
  ASSERT_NE(queue, nullptr);
  constexpr int kSends = 40;
  std::mutex mu;
  std::condition_variable answered;
  int answers = 0;
  for (int i = 0; i < kSends; ++i) {
    const std::string group = i % 4 == 3 ? "other" : "g";
    std::vector<NewMessage> one;
    one.push_back(Unique(*queue, group + "-" + std::to_string(100 + i), group));
    queue->Send(std::move(one), [&](api::ApiResult<std::vector<SendResult>> sent) {
      EXPECT_TRUE(sent.ok());
      std::lock_guard lock(mu);
      ++answers;
      answered.notify_all();
    });
  }
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(
        answered.wait_for(lock, std::chrono::seconds(60), [&] { return answers == kSends; }));
  }
  std::map<std::string, std::vector<std::string>> received;
  size_t total = 0;
  for (int empty = 0; empty < 3 && total < kSends;) {
    auto got = Receive(*queue, 10);
    ASSERT_TRUE(got.ok());
    if (got->empty()) {
      ++empty;
      continue;
    }
    for (const ReceivedMessage& m : *got) {
      received[*m.content->group_id].push_back(m.content->body);
      ++total;
      ASSERT_TRUE(Delete(*queue, m.receipt_handle).ok());
    }
  }
  std::map<std::string, std::vector<std::string>> expected;
  for (int i = 0; i < kSends; ++i) {
    const std::string group = i % 4 == 3 ? "other" : "g";
    expected[group].push_back(group + "-" + std::to_string(100 + i));
  }
  EXPECT_EQ(received, expected);
}

TEST_F(PgQueueFifoTest, AGroupInFlightIsNotHandedOutUntilDeleted) {
  auto queue = MustCreate("lock.fifo", Fifo());
  ASSERT_NE(queue, nullptr);
  SendOne(*queue, Unique(*queue, "a1", "a"));
  SendOne(*queue, Unique(*queue, "a2", "a"));
  SendOne(*queue, Unique(*queue, "b1", "b"));

  auto first = Receive(*queue, 1);
  EXPECT_EQ(Bodies(first), std::vector<std::string>{"a1"});
  // Group a is held by the first receive: its next message waits, group b does not.
  auto second = Receive(*queue, 10);
  EXPECT_EQ(Bodies(second), std::vector<std::string>{"b1"});
  EXPECT_TRUE(Bodies(Receive(*queue, 10)).empty());
  QueueCounters counters = queue->Counters();
  EXPECT_EQ(counters.in_flight, 2);

  // Deleting a1 releases group a.
  ASSERT_TRUE(Delete(*queue, (*first)[0].receipt_handle).ok());
  EXPECT_EQ(Bodies(Receive(*queue, 10)), std::vector<std::string>{"a2"});

  // A visibility change to 0 releases a group too.
  ASSERT_TRUE(ChangeVisibility(*queue, (*second)[0].receipt_handle, 0).ok());
  auto again = Receive(*queue, 10);
  ASSERT_EQ(Bodies(again), std::vector<std::string>{"b1"});
  EXPECT_EQ((*again)[0].receive_count, 2u);
}

// sqs-api.md §5.14: a receive returns, per group, the visible messages from the head up to the
// first in flight. foo, bar, baz received; one kept in flight, the others made visible (the
// integration test's way of letting them expire).
TEST_F(PgQueueFifoTest, FooBarBazGiveTheVisiblePrefixOfTheGroup) {
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
      {"bar", {"foo"}}, {"baz", {"foo", "bar"}}, {"foo", {}}};
  for (const auto& [extend, expected] : cases) {
    auto queue = MustCreate("fbb-" + extend + ".fifo", Fifo());
    ASSERT_NE(queue, nullptr);
    for (const char* body : {"foo", "bar", "baz"}) SendOne(*queue, Unique(*queue, body, "g"));
    auto all = Receive(*queue, 10, 60);
    ASSERT_EQ(Bodies(all), (std::vector<std::string>{"foo", "bar", "baz"}));
    for (const ReceivedMessage& m : *all) {
      ASSERT_TRUE(
          ChangeVisibility(*queue, m.receipt_handle, m.content->body == extend ? 600 : 0).ok());
    }
    EXPECT_EQ(Bodies(Receive(*queue, 10)), expected) << "extending " << extend;
    EXPECT_EQ(queue->Counters().in_flight, 1 + static_cast<int64_t>(expected.size()));
  }
}

// §5.14: g1-m1 made visible comes again with the other groups while g1-m2 is still in flight;
// a delete of a message behind the head acts on that message alone.
TEST_F(PgQueueFifoTest, AHeadMadeVisibleComesBackWhileTheNextIsInFlight) {
  auto queue = MustCreate("head0.fifo", Fifo());
  ASSERT_NE(queue, nullptr);
  SendOne(*queue, Unique(*queue, "g1-m1", "g1"));
  SendOne(*queue, Unique(*queue, "g1-m2", "g1"));
  SendOne(*queue, Unique(*queue, "g1-m3", "g1"));
  auto first = Receive(*queue, 2, 300);
  ASSERT_EQ(Bodies(first), (std::vector<std::string>{"g1-m1", "g1-m2"}));
  SendOne(*queue, Unique(*queue, "g2-m1", "g2"));
  ASSERT_TRUE(ChangeVisibility(*queue, (*first)[0].receipt_handle, 0).ok());
  auto again = Receive(*queue, 10, 300);
  ASSERT_EQ(Bodies(again), (std::vector<std::string>{"g1-m1", "g2-m1"}));
  EXPECT_EQ((*again)[0].receive_count, 2u);
  // g1-m2, in flight under the first receive, deletes with its handle; the group still waits
  // for g1-m1 (in flight again), then goes on with g1-m3.
  EXPECT_TRUE(Delete(*queue, (*first)[1].receipt_handle).ok());
  EXPECT_TRUE(Bodies(Receive(*queue, 10)).empty());
  EXPECT_TRUE(Delete(*queue, (*again)[0].receipt_handle).ok());
  EXPECT_EQ(Bodies(Receive(*queue, 10)), std::vector<std::string>{"g1-m3"});
}

// $1 queue_id: the queue's messages count as received 10 s earlier than they were.
constexpr spg::Statement kReceivedEarlier{
    "test_fifo_queue_received_earlier",
    "UPDATE message SET received_at = received_at - interval '10 seconds' WHERE queue_id = $1", 1};

// The 12-hour cap on a FIFO message's visibility (its group's lock), as the engine answers it.
TEST_F(PgQueueFifoTest, VisibilityBeyond12HoursSinceTheReceiveIsInvalid) {
  auto queue = MustCreate("cap.fifo", Fifo());
  ASSERT_NE(queue, nullptr);
  SendOne(*queue, Unique(*queue, "a1", "a"));
  auto got = Receive(*queue, 1, 300);
  ASSERT_EQ(Bodies(got), std::vector<std::string>{"a1"});
  const std::string handle = (*got)[0].receipt_handle;
  {
    auto conn = spg::testing::Connect(database_);
    ASSERT_TRUE(conn.ok());
    auto moved = conn->Execute(kReceivedEarlier,
                               {spg::Param::Int(static_cast<int64_t>(queue->identity().id))});
    ASSERT_TRUE(moved.ok());
    ASSERT_EQ(moved->affected(), 1);
  }
  api::ApiStatus refused = ChangeVisibility(*queue, handle, 43'200);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidParameterValue);
  EXPECT_EQ(refused.error().message,
            "Value 43200 for parameter VisibilityTimeout is invalid. Reason: Total "
            "VisibilityTimeout for the message is beyond the limit [43200 seconds].");
  EXPECT_TRUE(ChangeVisibility(*queue, handle, 43'000).ok()) << "within the 12 hours";
  EXPECT_TRUE(Bodies(Receive(*queue, 10)).empty()) << "the group is still held";
  EXPECT_TRUE(Delete(*queue, handle).ok());
}

TEST_F(PgQueueFifoTest, ADuplicateWithinTheWindowAnswersTheOriginalAndStoresNothing) {
  auto queue = MustCreate("dedup.fifo", Fifo());
  ASSERT_NE(queue, nullptr);
  const SendResult original = SendOne(*queue, Message(*queue, "first", "g", "same-id"));
  ASSERT_TRUE(original.sequence_number.has_value());
  EXPECT_FALSE(original.duplicate);
  // Another body, another group, the same deduplication id: a duplicate (scope "queue").
  const SendResult repeat = SendOne(*queue, Message(*queue, "second", "other", "same-id"));
  EXPECT_TRUE(repeat.duplicate);
  EXPECT_EQ(repeat.message_id, original.message_id);
  EXPECT_EQ(repeat.sequence_number, original.sequence_number) << "the original's, as AWS";
  EXPECT_EQ(queue->Counters().visible, 1);
  EXPECT_EQ(queue->metrics().sent.load(), 1u) << "duplicates are not counted as sent";
  EXPECT_EQ(Bodies(Receive(*queue, 10)), std::vector<std::string>{"first"});
}

TEST_F(PgQueueFifoTest, ContentBasedDeduplicationUsesTheBodysHash) {
  auto queue = MustCreate("content.fifo", Fifo(/*content_based=*/true));
  ASSERT_NE(queue, nullptr);
  const SendResult one = SendOne(*queue, Message(*queue, "payload", "g", std::nullopt));
  const SendResult same = SendOne(*queue, Message(*queue, "payload", "g", std::nullopt));
  const SendResult other = SendOne(*queue, Message(*queue, "payload2", "g", std::nullopt));
  EXPECT_FALSE(one.duplicate);
  EXPECT_TRUE(same.duplicate);
  EXPECT_EQ(same.message_id, one.message_id);
  EXPECT_EQ(same.sequence_number, one.sequence_number);
  EXPECT_FALSE(other.duplicate);
  // An explicit id overrides the hash: the same body is not a duplicate under a new id.
  EXPECT_FALSE(SendOne(*queue, Message(*queue, "payload", "g", "explicit")).duplicate);
  EXPECT_EQ(queue->Counters().visible, 3);
  auto got = Receive(*queue, 1);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].content->deduplication_id, HexLower(Sha256Of("payload")));
  EXPECT_EQ((*got)[0].content->message_id, one.message_id);
}

TEST_F(PgQueueFifoTest, DeduplicationScopeMessageGroupDeduplicatesWithinEachGroup) {
  auto queue = MustCreate("scope.fifo", Fifo(false, /*by_group=*/true));
  ASSERT_NE(queue, nullptr);
  ASSERT_TRUE(queue->identity().dedup_by_group);
  const SendResult in_a = SendOne(*queue, Message(*queue, "in a", "a", "d"));
  const SendResult in_b = SendOne(*queue, Message(*queue, "in b", "b", "d"));
  EXPECT_FALSE(in_a.duplicate);
  EXPECT_FALSE(in_b.duplicate) << "the same id in another group is another message";
  const SendResult again = SendOne(*queue, Message(*queue, "in a again", "a", "d"));
  EXPECT_TRUE(again.duplicate);
  EXPECT_EQ(again.message_id, in_a.message_id);
  // Group ids that would run together with the dedup id without the length in the key.
  EXPECT_FALSE(SendOne(*queue, Message(*queue, "x1", "ab", "c")).duplicate);
  EXPECT_FALSE(SendOne(*queue, Message(*queue, "x2", "a", "bc")).duplicate);
  EXPECT_EQ(queue->Counters().visible, 4);
  // The message keeps the deduplication id it was sent with, not the storage key.
  auto got = Receive(*queue, 1);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].content->deduplication_id, "d");
}

TEST_F(PgQueueFifoTest, AReceiveRequestAttemptIdReplaysTheSameMessages) {
  auto queue = MustCreate("attempt.fifo", Fifo());
  ASSERT_NE(queue, nullptr);
  for (int i = 0; i < 3; ++i) SendOne(*queue, Unique(*queue, "m" + std::to_string(i), "g"));
  auto first = Receive(*queue, 3, std::nullopt, "attempt-1");
  ASSERT_EQ(Bodies(first), (std::vector<std::string>{"m0", "m1", "m2"}));
  // Sent after the receive, so a replay that received afresh would return it.
  SendOne(*queue, Unique(*queue, "h0", "h"));
  auto replay = Receive(*queue, 3, std::nullopt, "attempt-1");
  ASSERT_TRUE(replay.ok());
  ASSERT_EQ(replay->size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ((*replay)[i].content->message_id, (*first)[i].content->message_id);
    EXPECT_EQ((*replay)[i].receipt_handle, (*first)[i].receipt_handle);
  }
  // Another attempt id receives afresh: only group h is free.
  EXPECT_EQ(Bodies(Receive(*queue, 10, std::nullopt, "attempt-2")), std::vector<std::string>{"h0"});
  // The replayed handles delete.
  for (const ReceivedMessage& m : *replay) EXPECT_TRUE(Delete(*queue, m.receipt_handle).ok());
  EXPECT_EQ(queue->Counters().in_flight, 1);
}

// sqs-api.md §2.10, §2.12: on FIFO queues a receipt whose receive is over no longer deletes, and
// one superseded by a later receive no longer changes visibility; a gone message deletes again.
TEST_F(PgQueueFifoTest, ExpiredReceiptsAnswerTheEnginesErrors) {
  auto queue = MustCreate("expired.fifo", Fifo());
  ASSERT_NE(queue, nullptr);
  SendOne(*queue, Unique(*queue, "e", "g"));
  auto first = Receive(*queue, 1, 1);
  ASSERT_EQ(Bodies(first), std::vector<std::string>{"e"});
  const std::string lapsed = (*first)[0].receipt_handle;
  std::this_thread::sleep_for(milliseconds(1500));

  // Its visibility ran out, nobody received it since.
  api::ApiStatus deleted = Delete(*queue, lapsed);
  ASSERT_FALSE(deleted.ok());
  EXPECT_EQ(deleted.error().code, ErrorCode::kInvalidParameterValue);
  EXPECT_EQ(deleted.error().message, "Value " + lapsed + kExpiredReason);
  EXPECT_TRUE(ChangeVisibility(*queue, lapsed, 30).ok()) << "visible already: nothing to do";
  EXPECT_EQ(queue->Counters().visible, 1) << "and nothing was changed";

  // Received again: the old handle is expired for both operations.
  auto second = Receive(*queue, 1);
  ASSERT_EQ(Bodies(second), std::vector<std::string>{"e"});
  const std::string current = (*second)[0].receipt_handle;
  ASSERT_NE(current, lapsed);
  deleted = Delete(*queue, lapsed);
  ASSERT_FALSE(deleted.ok());
  EXPECT_EQ(deleted.error().message, "Value " + lapsed + kExpiredReason);
  api::ApiStatus changed = ChangeVisibility(*queue, lapsed, 0);
  ASSERT_FALSE(changed.ok());
  EXPECT_EQ(changed.error().code, ErrorCode::kInvalidParameterValue);
  EXPECT_EQ(changed.error().message, "Value " + lapsed + kExpiredReason);
  EXPECT_EQ(queue->Counters().in_flight, 1) << "the current receive still holds it";

  // The current handle deletes, and deletes again once the message is gone.
  EXPECT_TRUE(Delete(*queue, current).ok());
  EXPECT_TRUE(Delete(*queue, current).ok());
  EXPECT_EQ(queue->metrics().deleted.load(), 2u);
  changed = ChangeVisibility(*queue, current, 10);
  ASSERT_FALSE(changed.ok());
  EXPECT_EQ(changed.error().message,
            "Value " + current +
                " for parameter ReceiptHandle is invalid. Reason: Message does not exist or is "
                "not available for visibility timeout change.");

  // Garbled handles are invalid, as on standard queues.
  deleted = Delete(*queue, "garbage");
  ASSERT_FALSE(deleted.ok());
  EXPECT_EQ(deleted.error().code, ErrorCode::kReceiptHandleIsInvalid);
}

// A batch of twelve (over one statement's ten) with an entry repeating an earlier entry's id.
TEST_F(PgQueueFifoTest, BatchSendsAnswerInEntryOrderWithDuplicates) {
  auto queue = MustCreate("batch.fifo", Fifo());
  ASSERT_NE(queue, nullptr);
  std::vector<NewMessage> batch;
  for (int i = 0; i < 12; ++i) {
    const std::string group = i % 2 == 0 ? "even" : "odd";
    const std::string dedup = i == 7 ? "dedup-3" : "dedup-" + std::to_string(i);
    batch.push_back(Message(*queue, "b" + std::to_string(i), group, dedup));
  }
  std::vector<std::string> ids;
  for (const NewMessage& m : batch) ids.push_back(m.content->message_id);
  auto sent = Send(*queue, std::move(batch));
  ASSERT_TRUE(sent.ok()) << sent.error().message;
  ASSERT_EQ(sent->size(), 12u);
  for (size_t i = 0; i < 12; ++i) {
    if (i == 7) {
      EXPECT_TRUE((*sent)[i].duplicate);
      EXPECT_EQ((*sent)[i].message_id, ids[3]);
      EXPECT_EQ((*sent)[i].sequence_number, (*sent)[3].sequence_number);
    } else {
      EXPECT_FALSE((*sent)[i].duplicate) << i;
      EXPECT_EQ((*sent)[i].message_id, ids[i]) << i;
      EXPECT_TRUE((*sent)[i].sequence_number.has_value()) << i;
    }
  }
  EXPECT_EQ(queue->Counters().visible, 11);
  EXPECT_EQ(queue->metrics().sent.load(), 11u);
  std::vector<std::string> odd;
  for (int empty = 0; empty < 2;) {
    auto got = Receive(*queue, 10);
    ASSERT_TRUE(got.ok());
    if (got->empty()) ++empty;
    for (const ReceivedMessage& m : *got) {
      if (m.content->group_id == "odd") odd.push_back(m.content->body);
      ASSERT_TRUE(Delete(*queue, m.receipt_handle).ok());
    }
  }
  EXPECT_EQ(odd, (std::vector<std::string>{"b1", "b3", "b5", "b9", "b11"}));
}

// Two nodes (two catalogs with their own worker pools, one database) and three receivers take
// messages of six groups at once. A group is released only by its deletes, so no receiver may
// ever get a group another holds, and each group's messages come out in send order.
TEST_F(PgQueueFifoTest, TwoNodesNeverHoldOneGroupAtOnceAndKeepOrder) {
  auto queue = MustCreate("shared.fifo", Fifo());
  ASSERT_NE(queue, nullptr);
  constexpr int kGroups = 6;
  constexpr int kPerGroup = 20;
  for (int i = 0; i < kPerGroup; ++i) {
    std::vector<NewMessage> batch;
    for (int g = 0; g < kGroups; ++g) {
      batch.push_back(
          Unique(*queue, std::to_string(g) + ":" + std::to_string(i), "g" + std::to_string(g)));
    }
    ASSERT_TRUE(Send(*queue, std::move(batch)).ok());
  }

  WorkerPool other_workers(4);
  LongPollHub other_long_polls(node_->clock, node_->scheduler, other_workers, seconds(1));
  PgCatalog other_node(PgBackend{node_->ops, other_workers, node_->receipts, node_->limits,
                                 other_long_polls, node_->clock},
                       "us-east-1");
  auto remote = other_node.Find(account_, "shared.fifo");
  ASSERT_NE(remote, nullptr);

  std::mutex mu;
  std::map<std::string, int> holder;                      // group -> receiver holding it
  std::map<std::string, std::vector<std::string>> order;  // group -> bodies as delivered
  int overlaps = 0;
  auto drain = [&](QueueBackend& q, int me) {
    for (int empty = 0; empty < 3;) {
      auto got = Receive(q, 4);
      if (!got.ok()) {
        ADD_FAILURE() << got.error().message;
        return;
      }
      if (got->empty()) {
        ++empty;
        continue;
      }
      std::set<std::string> mine;
      {
        std::lock_guard lock(mu);
        for (const ReceivedMessage& m : *got) {
          const std::string& group = *m.content->group_id;
          if (mine.insert(group).second) {
            if (holder.count(group) != 0) ++overlaps;
            holder[group] = me;
          }
          order[group].push_back(m.content->body);
        }
      }
      std::this_thread::sleep_for(milliseconds(2));  // hold the groups a little
      {
        // Released here before the deletes, so nobody can be handed the group in between.
        std::lock_guard lock(mu);
        for (const std::string& group : mine) holder.erase(group);
      }
      for (const ReceivedMessage& m : *got) {
        api::ApiStatus deleted = Delete(q, m.receipt_handle);
        if (!deleted.ok()) ADD_FAILURE() << deleted.error().message;
      }
    }
  };
  std::thread t1([&] { drain(*queue, 1); });
  std::thread t2([&] { drain(*remote, 2); });
  drain(*remote, 3);
  t1.join();
  t2.join();
  EXPECT_EQ(overlaps, 0) << "a group was handed to two receivers at once";
  for (int g = 0; g < kGroups; ++g) {
    std::vector<std::string> expected;
    for (int i = 0; i < kPerGroup; ++i) {
      expected.push_back(std::to_string(g) + ":" + std::to_string(i));
    }
    EXPECT_EQ(order["g" + std::to_string(g)], expected) << "group " << g;
  }
  other_long_polls.Close();
}

TEST_F(PgQueueFifoTest, LongPollIsWokenByASendAndByADeleteReleasingItsGroup) {
  auto queue = MustCreate("poll.fifo", Fifo());
  ASSERT_NE(queue, nullptr);
  auto poll = [&](int64_t wait) {
    auto answer = std::make_shared<Answer<api::ApiResult<std::vector<ReceivedMessage>>>>();
    ReceiveOptions options;
    options.max_messages = 10;
    options.wait_seconds = wait;
    queue->Receive(options, answer->Callback());
    return answer;
  };
  auto started = steady_clock::now();
  auto polled = poll(20);
  std::this_thread::sleep_for(milliseconds(300));  // parked by now
  SendOne(*queue, Unique(*queue, "first", "g"));
  auto got = polled->Get();
  ASSERT_EQ(Bodies(got), std::vector<std::string>{"first"});
  EXPECT_LT(steady_clock::now() - started, seconds(10)) << "answered by the send";

  // "second" waits behind "first" in the held group: the send's wake-up finds nothing, and the
  // delete that releases the group wakes the poll again.
  SendOne(*queue, Unique(*queue, "second", "g"));
  started = steady_clock::now();
  polled = poll(20);
  std::this_thread::sleep_for(milliseconds(300));
  ASSERT_TRUE(Delete(*queue, (*got)[0].receipt_handle).ok());
  EXPECT_EQ(Bodies(polled->Get()), std::vector<std::string>{"second"});
  EXPECT_LT(steady_clock::now() - started, seconds(10)) << "answered by the delete";
}

}  // namespace
}  // namespace wharf::sqs::pg
