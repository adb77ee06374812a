// PgQueue's message operations on standard queues (src/sqs/pg) against a real PostgreSQL
// server: send, receive, delete, visibility changes and purge through the worker pool, with
// signed receipt handles, and two catalogs (two nodes) receiving from one queue at once. Run with
// tests/postgres/run.sh (skips without a server).

#include "sqs/pg/pg_queue.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "pg_sqs_test_support.h"
#include "sqs/pg/maintenance.h"
#include "sqs/pg/move_task_leases.h"
#include "sqs/pg/pg_catalog.h"
#include "storage/postgres/leases.h"
#include "storage/postgres/wake.h"

namespace wharf::sqs::pg {
namespace {

namespace spg = storage::pg;
using api::ErrorCode;
using testing::Answer;
using testing::ChangeVisibility;
using testing::Content;
using testing::Delete;
using testing::ExpectBeyondVisibilityCap;
using testing::MoveReceivesBack10Seconds;
using testing::NodeOptions;
using testing::Receive;
using testing::Send;
using testing::SendOne;

class PgQueueTest : public testing::PgSqsTest {
 protected:
  // A re-check far past any wait: the long-poll tests see what wake-ups alone do.
  PgQueueTest()
      : PgSqsTest(NodeOptions{.connections = 4,
                              .workers = 4,
                              .recheck = std::chrono::seconds(60),
                              .receipt_key = "pg-queue-test-key"},
                  "que") {}
};

TEST_F(PgQueueTest, SendThenReceiveKeepsTheWholeMessage) {
  auto queue = MustCreate("roundtrip");
  ASSERT_NE(queue, nullptr);
  auto content = std::make_shared<MessageContent>(*Content("héllo <xml> & ünïcode"));
  api::sqs::MessageAttributeValue text;
  text.data_type = "String";
  text.string_value = "value";
  api::sqs::MessageAttributeValue binary;
  binary.data_type = "Binary";
  binary.binary_value = std::string("\0\x01\xff", 3);
  content->attributes = {{"a", text}, {"b", binary}};
  content->md5_of_attributes = "md5-of-attributes";
  content->trace_header = "Root=1-abc";
  auto sent = Send(*queue, {NewMessage{content, std::nullopt, nullptr, 0}});
  ASSERT_TRUE(sent.ok());
  ASSERT_EQ(sent->size(), 1u);
  EXPECT_EQ((*sent)[0].message_id, content->message_id);
  EXPECT_FALSE((*sent)[0].sequence_number.has_value());
  EXPECT_EQ(queue->metrics().sent.load(), 1u);

  const int64_t before_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count();
  auto received = Receive(*queue, 10);
  ASSERT_TRUE(received.ok());
  ASSERT_EQ(received->size(), 1u);
  const ReceivedMessage& m = (*received)[0];
  ASSERT_NE(m.content, nullptr);
  EXPECT_EQ(m.content->message_id, content->message_id);
  EXPECT_EQ(m.content->body, content->body);
  EXPECT_EQ(m.content->md5_of_body, content->md5_of_body);
  EXPECT_EQ(m.content->md5_of_attributes, content->md5_of_attributes);
  EXPECT_EQ(m.content->trace_header, content->trace_header);
  EXPECT_EQ(m.content->sender_id, content->sender_id);
  ASSERT_EQ(m.content->attributes.size(), 2u);
  EXPECT_EQ(m.content->attributes[0].second.string_value, "value");
  EXPECT_EQ(m.content->attributes[1].second.binary_value, std::string("\0\x01\xff", 3));
  // SentTimestamp is the database's time of the send, not what the sender's content said.
  EXPECT_GT(m.content->sent_millis, before_ms - 60'000);
  EXPECT_EQ(m.receive_count, 1u);
  EXPECT_GT(m.first_receive_millis, 0);
  EXPECT_FALSE(m.receipt_handle.empty());

  // In flight now: a second receive gets nothing.
  auto again = Receive(*queue, 10);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());
  QueueCounters counters = queue->Counters();
  EXPECT_EQ(counters.visible, 0);
  EXPECT_EQ(counters.in_flight, 1);
}

TEST_F(PgQueueTest, DeleteByHandleRemovesTheMessageAndIsIdempotent) {
  auto queue = MustCreate("deletes");
  ASSERT_NE(queue, nullptr);
  SendOne(*queue, "one");
  auto received = Receive(*queue, 1);
  ASSERT_TRUE(received.ok());
  ASSERT_EQ(received->size(), 1u);
  const std::string handle = (*received)[0].receipt_handle;
  EXPECT_TRUE(Delete(*queue, handle).ok());
  EXPECT_EQ(queue->Counters().in_flight, 0);
  EXPECT_TRUE(Delete(*queue, handle).ok()) << "a repeated delete succeeds (§2.10)";
  EXPECT_EQ(queue->metrics().deleted.load(), 2u);
  // Made visible at once, it would be received again: it is gone.
  auto none = Receive(*queue, 10, 0);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

// Deletes issued together are grouped into statements of up to 10 (PgQueue::FlushDeletes):
// every one is answered, every message is gone, a stale handle among them still succeeds.
TEST_F(PgQueueTest, ManyDeletesAtOnceAreGroupedAndEachAnswered) {
  auto queue = MustCreate("delete-many");
  ASSERT_NE(queue, nullptr);
  std::vector<NewMessage> batch;
  for (int i = 0; i < 25; ++i) {
    batch.push_back(NewMessage{Content("d" + std::to_string(i)), std::nullopt, nullptr, 0});
  }
  ASSERT_TRUE(Send(*queue, std::move(batch)).ok());
  std::vector<std::string> handles;
  while (handles.size() < 25) {
    auto got = Receive(*queue, 10);
    ASSERT_TRUE(got.ok());
    ASSERT_FALSE(got->empty());
    for (const ReceivedMessage& m : *got) handles.push_back(m.receipt_handle);
  }
  handles.push_back(handles.front());  // deleted twice: still answered ok
  std::vector<Answer<api::ApiStatus>> answers(handles.size());
  for (size_t i = 0; i < handles.size(); ++i) queue->Delete(handles[i], answers[i].Callback());
  for (auto& answer : answers) EXPECT_TRUE(answer.Get().ok());
  QueueCounters counters = queue->Counters();
  EXPECT_EQ(counters.visible + counters.in_flight + counters.delayed, 0);
  EXPECT_EQ(queue->metrics().deleted.load(), handles.size());
}

TEST_F(PgQueueTest, ForgedGarbledAndForeignHandlesAreInvalid) {
  auto queue = MustCreate("handles");
  auto other = MustCreate("handles-other");
  ASSERT_NE(queue, nullptr);
  ASSERT_NE(other, nullptr);
  SendOne(*other, "theirs");
  auto received = Receive(*other, 1);
  ASSERT_TRUE(received.ok());
  ASSERT_EQ(received->size(), 1u);
  const std::string foreign = (*received)[0].receipt_handle;

  // Same fields, signed with another deployment's key.
  PgReceiptCodec stranger("another-key");
  const std::string forged = stranger.Encode(queue->identity().id, spg::Receipt{1, 1});
  std::string flipped = foreign;
  flipped[5] = flipped[5] == 'A' ? 'B' : 'A';
  for (const std::string& bad : {std::string("garbage"), std::string(), forged, flipped, foreign}) {
    api::ApiStatus deleted = Delete(*queue, bad);
    ASSERT_FALSE(deleted.ok()) << bad;
    EXPECT_EQ(deleted.error().code, ErrorCode::kReceiptHandleIsInvalid) << bad;
    EXPECT_EQ(deleted.error().message,
              "The input receipt handle \"" + bad + "\" is not a valid receipt handle.");
    api::ApiStatus changed = ChangeVisibility(*queue, bad, 10);
    ASSERT_FALSE(changed.ok()) << bad;
    EXPECT_EQ(changed.error().code, ErrorCode::kReceiptHandleIsInvalid) << bad;
  }
  // The foreign handle still works on its own queue.
  EXPECT_TRUE(Delete(*other, foreign).ok());
  EXPECT_EQ(other->Counters().in_flight, 0);
}

TEST_F(PgQueueTest, VisibilityChangesAndStaleHandles) {
  auto queue = MustCreate("visibility");
  ASSERT_NE(queue, nullptr);
  SendOne(*queue, "v");
  auto first = Receive(*queue, 1);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->size(), 1u);
  const std::string old_handle = (*first)[0].receipt_handle;
  // Back to visible at once, then received again with a new handle and a higher count.
  ASSERT_TRUE(ChangeVisibility(*queue, old_handle, 0).ok());
  auto second = Receive(*queue, 1);
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->size(), 1u);
  EXPECT_EQ((*second)[0].receive_count, 2u);
  EXPECT_NE((*second)[0].receipt_handle, old_handle);

  // The old handle no longer controls the message: the engine's answer for a handle a later
  // receive replaced (queue_handles.cc).
  api::ApiStatus stale = ChangeVisibility(*queue, old_handle, 0);
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().code, ErrorCode::kInvalidParameterValue);
  EXPECT_EQ(stale.error().message,
            "Value " + old_handle +
                " for parameter ReceiptHandle is invalid. Reason: The receipt handle has "
                "expired.");
  EXPECT_TRUE(Delete(*queue, old_handle).ok()) << "a stale delete succeeds";
  EXPECT_EQ(queue->Counters().in_flight, 1) << "... and deletes nothing (§2.10)";

  // Extending the current receive keeps it hidden; the current handle deletes.
  const std::string current = (*second)[0].receipt_handle;
  EXPECT_TRUE(ChangeVisibility(*queue, current, 600).ok());
  EXPECT_TRUE(Receive(*queue, 10)->empty());
  EXPECT_TRUE(Delete(*queue, current).ok());
  EXPECT_EQ(queue->Counters().in_flight, 0);

  // A deleted message: "does not exist".
  api::ApiStatus gone = ChangeVisibility(*queue, current, 30);
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().code, ErrorCode::kInvalidParameterValue);
  EXPECT_EQ(gone.error().message,
            "Value " + current +
                " for parameter ReceiptHandle is invalid. Reason: Message does not exist or is "
                "not available for visibility timeout change.");
}

// sqs-api.md §2.12: on a standard queue, a handle whose timeout ran out, with no receive since,
// changes nothing and answers success; the message stays visible (the engine's answer too).
TEST_F(PgQueueTest, AnExpiredHandleNotReceivedSinceAnswersSuccess) {
  auto queue = MustCreate("expired-handle");
  ASSERT_NE(queue, nullptr);
  SendOne(*queue, "e");
  auto got = Receive(*queue, 1, /*visibility=*/0);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  const std::string handle = (*got)[0].receipt_handle;
  EXPECT_TRUE(ChangeVisibility(*queue, handle, 600).ok());
  EXPECT_EQ(queue->Counters().in_flight, 0) << "nothing changed: still visible";
  auto again = Receive(*queue, 1);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->size(), 1u);
}

// SQS's 12-hour cap counts from the receive (the engine's check, queue_handles.cc): past it, the
// engine's InvalidParameterValue, and the message keeps its timeout.
TEST_F(PgQueueTest, VisibilityBeyond12HoursSinceTheReceiveIsInvalid) {
  auto queue = MustCreate("visibility-cap");
  ASSERT_NE(queue, nullptr);
  SendOne(*queue, "v");
  auto got = Receive(*queue, 1, 300);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  const std::string handle = (*got)[0].receipt_handle;
  MoveReceivesBack10Seconds(database_, *queue);
  ExpectBeyondVisibilityCap(ChangeVisibility(*queue, handle, 43'200));
  EXPECT_EQ(queue->Counters().in_flight, 1) << "still in flight under its old timeout";
  EXPECT_TRUE(ChangeVisibility(*queue, handle, 43'000).ok()) << "within the 12 hours";
  EXPECT_TRUE(Receive(*queue, 10)->empty());
  EXPECT_TRUE(Delete(*queue, handle).ok());
}

TEST_F(PgQueueTest, DelayedMessagesWaitAndBatchesOverTenAreStored) {
  QueueConfig config;
  config.delay_seconds = 600;
  auto queue = MustCreate("delays", config);
  ASSERT_NE(queue, nullptr);
  SendOne(*queue, "queue default delay");
  auto now = Send(*queue, {NewMessage{Content("no delay"), int64_t{0}, nullptr, 0}});
  ASSERT_TRUE(now.ok());
  QueueCounters counters = queue->Counters();
  EXPECT_EQ(counters.delayed, 1);
  EXPECT_EQ(counters.visible, 1);
  auto received = Receive(*queue, 10);
  ASSERT_TRUE(received.ok());
  ASSERT_EQ(received->size(), 1u);
  EXPECT_EQ((*received)[0].content->body, "no delay");

  // Twelve in one call (an SNS fan-out could hand over more than one batch): all stored, in
  // order, ids answered in entry order.
  auto many = MustCreate("many");
  std::vector<NewMessage> messages;
  for (int i = 0; i < 12; ++i) {
    messages.push_back(NewMessage{Content("m" + std::to_string(i)), std::nullopt, nullptr, 0});
  }
  std::vector<std::string> ids;
  for (const NewMessage& m : messages) ids.push_back(m.content->message_id);
  auto sent = Send(*many, std::move(messages));
  ASSERT_TRUE(sent.ok());
  ASSERT_EQ(sent->size(), 12u);
  for (size_t i = 0; i < ids.size(); ++i) EXPECT_EQ((*sent)[i].message_id, ids[i]);
  EXPECT_EQ(many->Counters().visible, 12);
  EXPECT_EQ(many->metrics().sent.load(), 12u);
}

TEST_F(PgQueueTest, PurgeRemovesEveryMessage) {
  auto queue = MustCreate("purge");
  ASSERT_NE(queue, nullptr);
  for (int i = 0; i < 5; ++i) SendOne(*queue, "p" + std::to_string(i));
  ASSERT_TRUE(Receive(*queue, 2).ok());
  Answer<api::ApiStatus> purged;
  queue->Purge(purged.Callback());
  EXPECT_TRUE(purged.Get().ok());
  QueueCounters counters = queue->Counters();
  EXPECT_EQ(counters.visible + counters.in_flight + counters.delayed, 0);

  // One purge per queue per 60 seconds, on any node (the time is in the queue's row).
  SendOne(*queue, "kept");
  WorkerPool other_workers(1);
  LongPollHub other_long_polls(node_->clock, node_->scheduler, other_workers,
                               std::chrono::seconds(1));
  PgCatalog other_node(PgBackend{node_->ops, other_workers, node_->receipts, node_->limits,
                                 other_long_polls, node_->clock},
                       "us-east-1");
  for (QueueCatalog* node :
       {static_cast<QueueCatalog*>(&node_->catalog), static_cast<QueueCatalog*>(&other_node)}) {
    auto again = node->Find(account_, "purge");
    ASSERT_NE(again, nullptr);
    Answer<api::ApiStatus> refused;
    again->Purge(refused.Callback());
    api::ApiStatus status = refused.Get();
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code, ErrorCode::kPurgeQueueInProgress);
    EXPECT_EQ(status.error().message,
              "Only one PurgeQueue operation on purge is allowed every 60 seconds.");
  }
  EXPECT_EQ(queue->Counters().visible, 1) << "the refused purge removed nothing";
}

TEST_F(PgQueueTest, OperationsOnADeletedQueueAnswerQueueDoesNotExist) {
  auto queue = MustCreate("deleted");
  ASSERT_NE(queue, nullptr);
  ASSERT_TRUE(testing::RemoveAndWait(node_->catalog, queue).ok());
  auto sent = Send(*queue, {NewMessage{Content("late"), std::nullopt, nullptr, 0}});
  ASSERT_FALSE(sent.ok());
  EXPECT_EQ(sent.error().code, ErrorCode::kQueueDoesNotExist);
}

// Two nodes (two catalogs with their own worker pools, one database) receive from one queue at
// once: every message is delivered once, to one of them.
TEST_F(PgQueueTest, TwoNodesReceivingAtOnceNeverGetTheSameMessage) {
  auto queue = MustCreate("shared");
  ASSERT_NE(queue, nullptr);
  constexpr int kMessages = 120;
  std::vector<NewMessage> batch;
  std::set<std::string> sent_ids;
  for (int i = 0; i < kMessages; ++i) {
    batch.push_back(NewMessage{Content("s" + std::to_string(i)), std::nullopt, nullptr, 0});
    sent_ids.insert(batch.back().content->message_id);
  }
  ASSERT_TRUE(Send(*queue, std::move(batch)).ok());

  WorkerPool other_workers(4);
  LongPollHub other_long_polls(node_->clock, node_->scheduler, other_workers,
                               std::chrono::seconds(1));
  PgCatalog other_node(PgBackend{node_->ops, other_workers, node_->receipts, node_->limits,
                                 other_long_polls, node_->clock},
                       "us-east-1");
  auto remote = other_node.Find(account_, "shared");
  ASSERT_NE(remote, nullptr);

  auto drain = [](QueueBackend& q) {
    std::vector<std::string> ids;
    for (int empty = 0; empty < 3;) {
      auto got = Receive(q, 10);
      if (!got.ok()) {
        ADD_FAILURE() << got.error().message;
        break;
      }
      if (got->empty()) {
        ++empty;
        continue;
      }
      for (const ReceivedMessage& m : *got) ids.push_back(m.content->message_id);
    }
    return ids;
  };
  std::vector<std::string> a;
  std::vector<std::string> b;
  std::vector<std::string> c;
  std::thread t1([&] { a = drain(*queue); });
  std::thread t2([&] { b = drain(*remote); });
  c = drain(*remote);
  t1.join();
  t2.join();
  std::multiset<std::string> all(a.begin(), a.end());
  all.insert(b.begin(), b.end());
  all.insert(c.begin(), c.end());
  EXPECT_EQ(all.size(), static_cast<size_t>(kMessages)) << "each message delivered exactly once";
  EXPECT_EQ(std::set<std::string>(all.begin(), all.end()), sent_ids);
}

// Retention is enforced by the maintenance sweep (PgMaintenance), on standard queues here; the
// FIFO sweep and the deleted-name sweep are tested in storage/postgres.
TEST_F(PgQueueTest, MaintenanceDeletesMessagesPastRetention) {
  QueueConfig short_lived;
  short_lived.message_retention_period = 1;  // below SQS's 60 s minimum: the catalog takes it
  auto queue = MustCreate("retention", short_lived);
  auto kept = MustCreate("retention-kept");
  ASSERT_NE(queue, nullptr);
  ASSERT_NE(kept, nullptr);
  SendOne(*queue, "expires");
  SendOne(*kept, "stays");
  PgMaintenance maintenance(node_->ops, node_->catalog, std::chrono::seconds(60));
  EXPECT_EQ(maintenance.RunOnce().failures, 0);
  EXPECT_EQ(queue->Counters().visible, 1) << "not past retention yet";
  std::this_thread::sleep_for(std::chrono::milliseconds(2200));
  MaintenanceReport report = maintenance.RunOnce();
  EXPECT_EQ(report.failures, 0);
  EXPECT_GE(report.expired_messages, 1);
  EXPECT_EQ(queue->Counters().visible, 0);
  EXPECT_EQ(kept->Counters().visible, 1);
  auto received = Receive(*queue, 10);
  ASSERT_TRUE(received.ok());
  EXPECT_TRUE(received->empty());
}

// One maintenance leader at a time (storage.md §5.3): a node whose lease is taken sweeps
// nothing; once the leader stops renewing, the lease expires and another node leads.
TEST_F(PgQueueTest, OnlyTheMaintenanceLeaderSweeps) {
  QueueConfig short_lived;
  short_lived.message_retention_period = 1;
  auto queue = MustCreate("retention-led", short_lived);
  ASSERT_NE(queue, nullptr);
  SendOne(*queue, "expires");
  storage::pg::PgLeases leases(node_->pool);
  const std::string lease = "maintenance-test-" + NewUuid();
  auto lead_as = [&](std::string node, std::chrono::milliseconds ttl) {
    return [&leases, lease, node = std::move(node), ttl] {
      auto held = leases.Hold(lease, node, ttl);
      return held.ok() && *held;
    };
  };
  PgMaintenance a(node_->ops, node_->catalog, std::chrono::seconds(60),
                  lead_as(NewUuid(), std::chrono::milliseconds(1500)));
  PgMaintenance b(node_->ops, node_->catalog, std::chrono::seconds(60),
                  lead_as(NewUuid(), std::chrono::milliseconds(1500)));
  EXPECT_TRUE(a.RunOnce().led);
  std::this_thread::sleep_for(std::chrono::milliseconds(2200));  // past retention
  // a's lease ran out meanwhile: b may take it now; a second round of b renews it.
  EXPECT_TRUE(b.RunOnce().led);
  MaintenanceReport refused = a.RunOnce();
  EXPECT_FALSE(refused.led) << "b holds the lease";
  EXPECT_EQ(refused.expired_messages, 0);
  EXPECT_EQ(queue->Counters().visible, 0) << "b's round swept it";
}

// The leases of message move tasks (sqs/move_tasks.h): a source queue's lease is one row of its
// own, held by one node at a time, apart from the task's, and free again once released.
TEST_F(PgQueueTest, AMoveSourcesLeaseIsHeldByOneNodeAtATime) {
  storage::pg::PgLeases leases(node_->pool);
  PgMoveTaskLeases a(leases, NewUuid()), b(leases, NewUuid());
  const std::string source = "arn:aws:sqs:us-east-1:000000000000:dlq-" + NewUuid();
  const std::string task = NewUuid();
  const auto ttl = std::chrono::milliseconds(60000);
  auto held = [](const Result<bool, std::string>& r) { return r.ok() && *r; };
  EXPECT_TRUE(held(a.HoldSource(source, ttl)));
  EXPECT_FALSE(held(b.HoldSource(source, ttl))) << "a holds the source";
  EXPECT_TRUE(held(a.HoldSource(source, ttl))) << "a renews it";
  EXPECT_TRUE(held(b.Hold(task, ttl))) << "a task's lease is another row";
  EXPECT_TRUE(held(b.HoldSource(source + "-other", ttl))) << "so is another source's";
  ASSERT_TRUE(b.ReleaseSource(source).ok());
  EXPECT_FALSE(held(b.HoldSource(source, ttl))) << "only the holder releases";
  ASSERT_TRUE(a.ReleaseSource(source).ok());
  EXPECT_TRUE(held(b.HoldSource(source, ttl)));
}

// --- long polling (LongPollHub) ---

using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::steady_clock;

// A receive that waits, started now; Get() gives its answer and how long it took.
struct Polled {
  Answer<api::ApiResult<std::vector<ReceivedMessage>>> answer;
  steady_clock::time_point started = steady_clock::now();
  static std::unique_ptr<Polled> Start(QueueBackend& queue, int64_t wait_seconds) {
    auto polled = std::make_unique<Polled>();
    ReceiveOptions options;
    options.max_messages = 10;
    options.wait_seconds = wait_seconds;
    queue.Receive(options, polled->answer.Callback());
    return polled;
  }
};

TEST_F(PgQueueTest, LongPollAnswersWhenASendCommitsOnThisNode) {
  auto queue = MustCreate("poll-local");
  ASSERT_NE(queue, nullptr);
  auto polled = Polled::Start(*queue, 20);
  std::this_thread::sleep_for(milliseconds(300));  // parked by now (the re-check is 1 s)
  SendOne(*queue, "wake up");
  auto got = polled->answer.Get();
  const auto took = steady_clock::now() - polled->started;
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].content->body, "wake up");
  EXPECT_LT(took, seconds(10)) << "answered by the send, not at the end of the wait";
}

TEST_F(PgQueueTest, LongPollEndsEmptyWhenTheWaitEnds) {
  auto queue = MustCreate("poll-empty");
  ASSERT_NE(queue, nullptr);
  auto polled = Polled::Start(*queue, 1);
  auto got = polled->answer.Get();
  const auto took = steady_clock::now() - polled->started;
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->empty());
  EXPECT_GE(took, milliseconds(900)) << "waited for the whole second";
  EXPECT_EQ(node_->long_polls.parked(), 0u);
}

// Nothing wakes the waiter: the message becomes visible when its delay ends, and the periodic
// re-check finds it.
TEST_F(PgQueueTest, LongPollFindsADelayedMessageByItsRecheck) {
  auto queue = MustCreate("poll-delay");
  ASSERT_NE(queue, nullptr);
  // The waiter is on another node whose re-check runs every second; the send (on this node's
  // objects) wakes only this node's waiters, and only after its delay is it receivable.
  WorkerPool other_workers(1);
  LongPollHub other_long_polls(node_->clock, node_->scheduler, other_workers, seconds(1));
  PgCatalog other_node(PgBackend{node_->ops, other_workers, node_->receipts, node_->limits,
                                 other_long_polls, node_->clock},
                       "us-east-1");
  auto remote = other_node.Find(account_, "poll-delay");
  ASSERT_NE(remote, nullptr);
  auto polled = Polled::Start(*remote, 20);
  std::this_thread::sleep_for(milliseconds(200));
  ASSERT_TRUE(Send(*queue, {NewMessage{Content("later"), int64_t{1}, nullptr, 0}}).ok());
  auto got = polled->answer.Get();
  const auto took = steady_clock::now() - polled->started;
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].content->body, "later");
  EXPECT_LT(took, seconds(10));
}

// Node B's waiter is woken by node A's committed send through NOTIFY/LISTEN (sqs_wake), long
// before its re-check (30 s, past the 20 s wait) would find it.
TEST_F(PgQueueTest, LongPollIsWokenByAnotherNodesSendThroughListen) {
  auto queue = MustCreate("poll-remote");
  ASSERT_NE(queue, nullptr);
  WorkerPool b_workers(2);
  LongPollHub b_long_polls(node_->clock, node_->scheduler, b_workers, seconds(30));
  spg::WakeListener listener(
      spg::testing::ServerUrl(), spg::testing::TestOptions(database_),
      [&](int64_t queue_id) { b_long_polls.Wake(queue_id); }, [&] { b_long_polls.WakeAll(); });
  ASSERT_TRUE(listener.Start().ok());
  PgCatalog node_b(
      PgBackend{node_->ops, b_workers, node_->receipts, node_->limits, b_long_polls, node_->clock},
      "us-east-1");
  auto on_b = node_b.Find(account_, "poll-remote");
  ASSERT_NE(on_b, nullptr);

  spg::WakeNotifier notifier(node_->pool, node_->clock);
  WorkerPool a_workers(1);
  LongPollHub a_long_polls(node_->clock, node_->scheduler, a_workers, seconds(1));
  PgCatalog node_a(PgBackend{node_->ops, a_workers, node_->receipts, node_->limits, a_long_polls,
                             node_->clock, &notifier},
                   "us-east-1");
  auto on_a = node_a.Find(account_, "poll-remote");
  ASSERT_NE(on_a, nullptr);

  auto polled = Polled::Start(*on_b, 20);
  std::this_thread::sleep_for(milliseconds(300));
  SendOne(*on_a, "from a");
  auto got = polled->answer.Get();
  const auto took = steady_clock::now() - polled->started;
  listener.Stop();
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].content->body, "from a");
  EXPECT_LT(took, seconds(10)) << "woken by the notification, not by the end of the wait";
}

}  // namespace
}  // namespace wharf::sqs::pg
