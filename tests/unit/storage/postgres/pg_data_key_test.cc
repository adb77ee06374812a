// SSE-KMS storage of the PostgreSQL backend (schema migration 8) against a real PostgreSQL:
// sealed bodies (any bytes) and their data key ids through send, receive, peek, dead-letter
// moves, FIFO redrive and move tasks; the data_key table (idempotent put, fetch by ids, the
// sweep of unreferenced old records); ReturnUndelivered.

#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "pg_test_support.h"
#include "storage/postgres/sealed_frame.h"

namespace wharf::storage::pg {
namespace {

using namespace std::chrono_literals;
using testing::FifoMessage;
using testing::Message;
using testing::PgOpsTest;

// Every byte value, NUL and 0xFF included, twice over: a sealed body is arbitrary bytes.
std::string EveryByte() {
  std::string bytes;
  for (int round = 0; round < 2; ++round) {
    for (int b = 0; b < 256; ++b) bytes.push_back(static_cast<char>(b));
  }
  return bytes;
}

NewMessage Sealed(int64_t key_id, std::string body, std::string attrs = "meta") {
  NewMessage m = Message(std::move(body), std::move(attrs));
  m.data_key_id = key_id;
  return m;
}

NewFifoMessage SealedFifo(int64_t key_id, std::string group, std::string body) {
  NewFifoMessage m =
      FifoMessage(std::move(group), testing::Message("").message_id, std::move(body));
  m.attrs = "fifo-meta";
  m.data_key_id = key_id;
  return m;
}

class PgDataKeyTest : public PgOpsTest {
 protected:
  std::string ArnOf(int64_t queue_id) {
    auto row = ops_->GetQueueById(queue_id);
    EXPECT_TRUE(row.ok() && row->has_value());
    if (!row.ok() || !row->has_value()) return "";
    return "arn:aws:sqs:us-east-1:" + (*row)->config.account + ":" + (*row)->config.name;
  }

  // A random id, negative half the time (the engine's uint64 ids use the whole bigint range).
  static int64_t NewKeyId() {
    int64_t id = 0;
    while (id == 0) id = static_cast<int64_t>(RandomU64());
    return id;
  }

  StoredDataKey Key(int64_t id, std::string blob = "blob") {
    return StoredDataKey{id, "arn:aws:sqs:us-east-1:000000000000:q", "arn:aws:kms:k",
                         std::move(blob), 0};
  }

  std::set<int64_t> Stored(const std::vector<int64_t>& ids) {
    auto keys = ops_->GetDataKeys(ids);
    EXPECT_TRUE(keys.ok());
    std::set<int64_t> out;
    if (keys.ok()) {
      for (const StoredDataKey& k : *keys) out.insert(k.id);
    }
    return out;
  }
};

TEST(SealedFrameTest, FramesAndUnframesAndRefusesDamage) {
  const std::string sealed = EveryByte();
  const std::string frame = FrameSealed(-5, std::string("a\0\xff", 3), sealed);
  auto parts = UnframeSealed(frame);
  ASSERT_TRUE(parts);
  EXPECT_EQ(parts->data_key_id, -5);
  EXPECT_EQ(parts->attrs, std::string("a\0\xff", 3));
  EXPECT_EQ(parts->sealed, sealed);
  EXPECT_FALSE(UnframeSealed("\x01plain record"));
  EXPECT_FALSE(UnframeSealed(frame.substr(0, 5))) << "truncated header";
  EXPECT_FALSE(UnframeSealed(FrameSealed(0, "a", "b"))) << "id 0 means clear";
  std::string bad_length = FrameSealed(7, "abc", "");
  bad_length[12] = '\x09';  // attrs longer than the frame
  EXPECT_FALSE(UnframeSealed(bad_length));
}

TEST_F(PgDataKeyTest, SealedBytesRoundTripThroughEverySendAndReceive) {
  const int64_t key = NewKeyId();
  const std::string bytes = EveryByte();
  const int64_t queue = NewQueue();
  PG_ASSERT_OK(ops_->Send(queue, Sealed(key, bytes)).status());
  std::vector<NewMessage> batch = {Sealed(key, bytes + "2"), Message("clear"),
                                   Sealed(key, std::string(1, '\0'), "")};
  PG_ASSERT_OK(ops_->SendBatch(queue, batch).status());

  PG_ASSERT_OK_AND_ASSIGN(std::vector<PeekedRow> peeked, ops_->Peek(queue, 10));
  ASSERT_EQ(peeked.size(), 4U);
  EXPECT_EQ(peeked[0].message.body, bytes);
  EXPECT_EQ(peeked[0].message.data_key_id, key);

  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult got, ops_->Receive(queue, 10, 30));
  ASSERT_EQ(got.messages.size(), 4U);
  EXPECT_EQ(got.messages[0].body, bytes);
  EXPECT_EQ(got.messages[0].attrs, "meta");
  EXPECT_EQ(got.messages[0].data_key_id, key);
  EXPECT_EQ(got.messages[1].body, bytes + "2");
  EXPECT_EQ(got.messages[1].data_key_id, key);
  EXPECT_EQ(got.messages[2].body, "clear");
  EXPECT_EQ(got.messages[2].data_key_id, 0);
  EXPECT_EQ(got.messages[3].body, std::string(1, '\0'));
  EXPECT_EQ(got.messages[3].attrs, "");
  EXPECT_EQ(got.messages[3].data_key_id, key);

  QueueConfig fifo;
  fifo.fifo = true;
  const int64_t fifo_queue = NewQueue(fifo);
  PG_ASSERT_OK(ops_->SendFifo(fifo_queue, SealedFifo(key, "g", bytes)).status());
  std::vector<NewFifoMessage> fifo_batch = {SealedFifo(key, "g", "\xff"),
                                            FifoMessage("g", "plain", "clear")};
  PG_ASSERT_OK(ops_->SendFifoBatch(fifo_queue, fifo_batch).status());
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult fifo_got,
                          ops_->ReceiveFifo(fifo_queue, 10, 30, std::string("attempt")));
  ASSERT_EQ(fifo_got.messages.size(), 3U);
  EXPECT_EQ(fifo_got.messages[0].body, bytes);
  EXPECT_EQ(fifo_got.messages[0].attrs, "fifo-meta");
  EXPECT_EQ(fifo_got.messages[0].data_key_id, key);
  EXPECT_EQ(fifo_got.messages[1].body, "\xff");
  EXPECT_EQ(fifo_got.messages[2].data_key_id, 0);
  // A ReceiveRequestAttemptId replay returns the same sealed bytes.
  PG_ASSERT_OK_AND_ASSIGN(ReceiveResult replay,
                          ops_->ReceiveFifo(fifo_queue, 10, 30, std::string("attempt")));
  ASSERT_TRUE(replay.replayed);
  ASSERT_EQ(replay.messages.size(), 3U);
  EXPECT_EQ(replay.messages[0].body, bytes);
  EXPECT_EQ(replay.messages[0].data_key_id, key);
}

TEST_F(PgDataKeyTest, AttributesInClearThatWouldReadAsAFrameAreRefused) {
  const int64_t queue = NewQueue();
  auto sent = ops_->Send(queue, Message("x", "\xff whatever"));
  ASSERT_FALSE(sent.ok());
  EXPECT_EQ(sent.error().code, PgErrorCode::kBadResult);
}

TEST_F(PgDataKeyTest, DeadLetterMovesRedrivesAndMoveTasksKeepTheSealedBody) {
  const int64_t key = NewKeyId();
  const std::string bytes = EveryByte();
  for (bool fifo : {false, true}) {
    SCOPED_TRACE(fifo ? "fifo" : "standard");
    QueueConfig dlq_config;
    dlq_config.fifo = fifo;
    const int64_t dlq = NewQueue(dlq_config);
    QueueConfig config;
    config.fifo = fifo;
    config.dlq_id = dlq;
    config.max_receive = 1;
    const int64_t source = NewQueue(config);
    const std::string arn = ArnOf(source);
    if (fifo) {
      PG_ASSERT_OK(ops_->SendFifo(source, SealedFifo(key, "g", bytes)).status());
    } else {
      PG_ASSERT_OK(ops_->Send(source, Sealed(key, bytes)).status());
    }
    int64_t moved = 0;
    for (int attempt = 0; attempt < 100 && moved == 0; ++attempt) {
      auto r = fifo ? ops_->ReceiveFifo(source, 10, 0, std::nullopt, arn)
                    : ops_->Receive(source, 10, 0, arn);
      ASSERT_TRUE(r.ok());
      moved += r->moved_to_dlq;
      std::this_thread::sleep_for(20ms);
    }
    ASSERT_EQ(moved, 1);
    ReceiveResult in_dlq = ReceiveWithin(
        5s, [&] { return fifo ? ops_->ReceiveFifo(dlq, 10, 0) : ops_->Receive(dlq, 10, 0); });
    ASSERT_EQ(in_dlq.messages.size(), 1U);
    EXPECT_EQ(in_dlq.messages[0].body, bytes);
    EXPECT_EQ(in_dlq.messages[0].data_key_id, key);
    EXPECT_EQ(in_dlq.messages[0].dead_letter_source, arn);

    // Back to the source by a move task.
    std::this_thread::sleep_for(20ms);
    PG_ASSERT_OK_AND_ASSIGN(MoveOutcome back, ops_->MoveOut(dlq, fifo, 10, std::nullopt));
    EXPECT_EQ(back.moved, 1);
    ReceiveResult home = ReceiveWithin(5s, [&] {
      return fifo ? ops_->ReceiveFifo(source, 10, 30, std::nullopt, arn)
                  : ops_->Receive(source, 10, 30, arn);
    });
    ASSERT_EQ(home.messages.size(), 1U);
    EXPECT_EQ(home.messages[0].body, bytes);
    EXPECT_EQ(home.messages[0].data_key_id, key);
  }
}

TEST_F(PgDataKeyTest, PutIsIdempotentAndFetchReadsManyAtOnce) {
  const int64_t a = NewKeyId(), b = NewKeyId(), absent = NewKeyId();
  PG_ASSERT_OK(ops_->PutDataKey(Key(a, std::string("blob\0\xff", 6))));
  PG_ASSERT_OK(ops_->PutDataKey(Key(a, "another blob")));  // no change
  PG_ASSERT_OK(ops_->PutDataKey(Key(b)));
  PG_ASSERT_OK_AND_ASSIGN(std::vector<StoredDataKey> keys, ops_->GetDataKeys({{a, b, absent}}));
  ASSERT_EQ(keys.size(), 2U);
  for (const StoredDataKey& k : keys) {
    EXPECT_EQ(k.queue_arn, "arn:aws:sqs:us-east-1:000000000000:q");
    EXPECT_EQ(k.key_arn, "arn:aws:kms:k");
    EXPECT_GT(k.created_ms, 0);
    if (k.id == a) {
      EXPECT_EQ(k.blob, std::string("blob\0\xff", 6)) << "the first put stays";
    } else {
      EXPECT_EQ(k.id, b);
      EXPECT_EQ(k.blob, "blob");
    }
  }
  PG_ASSERT_OK_AND_ASSIGN(std::vector<StoredDataKey> none, ops_->GetDataKeys({}));
  EXPECT_TRUE(none.empty());
}

TEST_F(PgDataKeyTest, TheSweepDeletesOnlyOldRecordsNoMessageNeeds) {
  const int64_t unreferenced = NewKeyId(), referenced = NewKeyId(), moved = NewKeyId();
  for (int64_t id : {unreferenced, referenced, moved}) PG_ASSERT_OK(ops_->PutDataKey(Key(id)));
  const int64_t queue = NewQueue();
  PG_ASSERT_OK(ops_->Send(queue, Sealed(referenced, "x")).status());
  // A record referred to only by a message in another queue (as after a dead-letter move).
  const int64_t other = NewQueue();
  PG_ASSERT_OK(ops_->Send(other, Sealed(moved, "y")).status());
  std::this_thread::sleep_for(20ms);  // now() past the puts

  // Young records stay, referenced or not.
  PG_ASSERT_OK(ops_->SweepDataKeys(3600s, 1000).status());
  EXPECT_EQ(Stored({unreferenced, referenced, moved}),
            (std::set<int64_t>{unreferenced, referenced, moved}));
  // Old enough: only the unreferenced one goes.
  PG_ASSERT_OK_AND_ASSIGN(int64_t swept, ops_->SweepDataKeys(0s, 1000));
  EXPECT_GE(swept, 1);
  EXPECT_EQ(Stored({unreferenced, referenced, moved}), (std::set<int64_t>{referenced, moved}));
  // Once its last message is gone, the record goes too; the queue's deletion leaves it for the
  // sweep.
  PG_ASSERT_OK_AND_ASSIGN(int64_t purged, ops_->Purge(queue));
  EXPECT_EQ(purged, 1);
  PG_ASSERT_OK(ops_->DeleteQueue(other).status());
  EXPECT_EQ(Stored({referenced, moved}), (std::set<int64_t>{referenced, moved}));
  PG_ASSERT_OK(ops_->SweepDataKeys(0s, 1000).status());
  EXPECT_TRUE(Stored({referenced, moved}).empty());
}

TEST_F(PgDataKeyTest, ReturnUndeliveredMakesTheReceiveAsIfItHadNotHappened) {
  for (bool fifo : {false, true}) {
    SCOPED_TRACE(fifo ? "fifo" : "standard");
    QueueConfig config;
    config.fifo = fifo;
    const int64_t queue = NewQueue(config);
    if (fifo) {
      PG_ASSERT_OK(ops_->SendFifo(queue, SealedFifo(NewKeyId(), "g", "a")).status());
      PG_ASSERT_OK(ops_->SendFifo(queue, SealedFifo(NewKeyId(), "g", "b")).status());
    } else {
      PG_ASSERT_OK(ops_->Send(queue, Sealed(NewKeyId(), "a")).status());
      PG_ASSERT_OK(ops_->Send(queue, Sealed(NewKeyId(), "b")).status());
    }
    auto receive = [&](std::optional<std::string> attempt = std::nullopt) {
      return fifo ? ops_->ReceiveFifo(queue, 10, 600, attempt) : ops_->Receive(queue, 10, 600);
    };
    PG_ASSERT_OK_AND_ASSIGN(ReceiveResult first, receive(std::string("try")));
    ASSERT_EQ(first.messages.size(), 2U);
    PG_ASSERT_OK_AND_ASSIGN(ReceiveResult nothing, receive());
    EXPECT_TRUE(nothing.messages.empty()) << "in flight for 600 s";

    // A stale receipt gives nothing back.
    std::vector<Receipt> stale = {Receipt{first.messages[0].receipt.seq, 12345}};
    PG_ASSERT_OK_AND_ASSIGN(int64_t none, ops_->ReturnUndelivered(queue, stale));
    EXPECT_EQ(none, 0);

    std::vector<Receipt> receipts;
    for (const auto& m : first.messages) receipts.push_back(m.receipt);
    PG_ASSERT_OK_AND_ASSIGN(int64_t returned, ops_->ReturnUndelivered(queue, receipts));
    EXPECT_EQ(returned, 2);
    // The attempt id is forgotten: the same id receives afresh.
    PG_ASSERT_OK_AND_ASSIGN(ReceiveResult again, receive(std::string("try")));
    ASSERT_EQ(again.messages.size(), 2U);
    EXPECT_FALSE(again.replayed);
    for (const auto& m : again.messages) {
      EXPECT_EQ(m.receive_count, 1) << "as if the undelivered receive had not happened";
    }
    EXPECT_EQ(again.messages[0].body, "a");
    // The first receive's handles no longer delete.
    PG_ASSERT_OK_AND_ASSIGN(bool deleted, fifo ? ops_->DeleteFifo(queue, first.messages[0].receipt)
                                               : ops_->Delete(queue, first.messages[0].receipt));
    EXPECT_FALSE(deleted);
  }
}

}  // namespace
}  // namespace wharf::storage::pg
