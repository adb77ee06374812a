// SSE-KMS on the PostgreSQL backend (src/sqs/pg, schema migration 8) against a real PostgreSQL
// server, with MessageEncryption over the tests' FakeKeyService: bodies sealed by the handlers'
// SealForSend are stored as sent (bytes) with their data-key records, received with the records
// attached and opened; a message dead-lettered into another SSE-KMS queue opens there (with the
// server's authority for its first queue's key, and the consumer's permission on the DLQ's key);
// messages that could not be opened go back. Run with tests/postgres/run.sh.

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "fake_key_service.h"
#include "pg_sqs_test_support.h"
#include "sqs/pg/maintenance.h"
#include "sqs/sse/body_envelope.h"
#include "sqs/sse/message_encryption.h"

namespace wharf::sqs::pg {
namespace {

namespace spg = storage::pg;
using api::ErrorCode;
using sqs::testing::FakeKeyService;
using testing::Answer;
using testing::Content;
using testing::NodeOptions;
using testing::Receive;
using testing::Send;

constexpr char kOrdersKeyArn[] =
    "arn:aws:kms:us-east-1:000000000000:key/11111111-1111-4111-8111-111111111111";
constexpr char kDlqKeyArn[] =
    "arn:aws:kms:us-east-1:000000000000:key/22222222-2222-4222-8222-222222222222";

class PgQueueSseTest : public testing::PgSqsTest {
 protected:
  PgQueueSseTest()
      : PgSqsTest(NodeOptions{.connections = 4, .workers = 2, .receipt_key = "pg-sse-test-key"},
                  "sse") {
    keys_.AddKey("alias/orders", kOrdersKeyArn);
    keys_.AddKey("alias/dlq", kDlqKeyArn);
  }

  void SetUp() override {
    PgSqsTest::SetUp();
    if (IsSkipped()) return;
    ctx_.account_id = account_;
    ctx_.access_key_id = "AKIDCONSUMER";
  }

  std::shared_ptr<QueueBackend> CreateSse(const std::string& name, const std::string& key,
                                          std::optional<RedrivePolicy> redrive = std::nullopt) {
    QueueConfig config;
    config.fifo = name.ends_with(".fifo");
    config.kms_master_key_id = key;
    config.sqs_managed_sse_enabled = false;
    config.redrive_policy = std::move(redrive);
    return MustCreate(name, std::move(config));
  }

  // Sends `bodies` as the SendMessage handler does: sealed first.
  std::vector<std::string> SendSealed(QueueBackend& queue, const std::vector<std::string>& bodies,
                                      const std::string& group = "") {
    std::vector<NewMessage> messages;
    for (const std::string& body : bodies) {
      auto content = std::make_shared<MessageContent>(*Content(body));
      if (queue.identity().fifo) {
        content->group_id = group;
        content->deduplication_id = content->message_id.str();
      }
      messages.push_back(NewMessage{content, std::nullopt, nullptr, 0});
    }
    api::ApiStatus sealed =
        encryption_.SealForSend(ctx_, queue.identity(), queue.send_rules(), messages);
    EXPECT_TRUE(sealed.ok()) << sealed.error().message;
    std::vector<std::string> ids;
    for (const NewMessage& m : messages) ids.push_back(m.content->message_id);
    auto sent = Send(queue, std::move(messages));
    EXPECT_TRUE(sent.ok()) << (sent.ok() ? "" : sent.error().message);
    return ids;
  }

  std::vector<ReceivedMessage> MustReceive(QueueBackend& queue, int64_t max = 10,
                                           std::optional<int64_t> visibility = std::nullopt) {
    auto got = Receive(queue, max, visibility);
    EXPECT_TRUE(got.ok()) << (got.ok() ? "" : got.error().message);
    return got.ok() ? std::move(got).value() : std::vector<ReceivedMessage>{};
  }

  FakeKeyService keys_;
  SystemClock wall_;
  MessageEncryption encryption_{&keys_, wall_, wall_};
  api::RequestContext ctx_;
};

TEST_F(PgQueueSseTest, SealedBodiesAreStoredAsSentAndOpenForTheConsumer) {
  auto queue = CreateSse("orders", "alias/orders");
  ASSERT_NE(queue, nullptr);
  // Bytes the text column could not hold: NUL and 0xFF in the plaintext, and a sealed body is
  // random bytes anyway.
  const std::string binary_text = std::string("a\0b\xff\xfe", 5) + "é";
  const std::vector<std::string> bodies = {"first", binary_text, std::string(70'000, 'x')};
  auto ids = SendSealed(*queue, bodies);
  ASSERT_EQ(ids.size(), 3U);

  // The console's peek gets the records too (its handler opens the bodies).
  Answer<api::ApiResult<std::vector<PeekedMessage>>> peek;
  queue->Peek(10, peek.Callback());
  auto peeked = peek.Get();
  ASSERT_TRUE(peeked.ok());
  ASSERT_EQ(peeked->size(), 3U);
  std::vector<ReceivedMessage> peeked_messages;
  for (const PeekedMessage& p : *peeked) peeked_messages.push_back(p.message);
  for (const ReceivedMessage& m : peeked_messages) ASSERT_NE(m.data_key, nullptr);
  ASSERT_TRUE(encryption_.OpenReceived(ctx_, *queue, peeked_messages).ok());
  EXPECT_EQ(peeked_messages[0].content->body, "first");

  auto received = MustReceive(*queue);
  ASSERT_EQ(received.size(), 3U);
  uint64_t key_id = 0;
  for (const ReceivedMessage& m : received) {
    ASSERT_NE(m.content->data_key_id, 0U) << "stored sealed";
    key_id = m.content->data_key_id;
    ASSERT_NE(m.data_key, nullptr) << "the record is attached";
    EXPECT_EQ(m.data_key->id, m.content->data_key_id);
    EXPECT_EQ(m.data_key->key_arn, kOrdersKeyArn);
    EXPECT_EQ(m.data_key->queue_arn, queue->identity().arn);
    EXPECT_EQ(m.content->body.size(),
              kBodyEnvelopeOverhead + (m.content->message_id == ids[1]   ? binary_text.size()
                                       : m.content->message_id == ids[0] ? 5U
                                                                         : 70'000U));
  }
  // One data key for the three (one producer), its record stored once.
  for (const ReceivedMessage& m : received) EXPECT_EQ(m.content->data_key_id, key_id);
  auto rows = node_->ops.GetDataKeys(std::vector<int64_t>{static_cast<int64_t>(key_id)});
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1U);
  EXPECT_EQ((*rows)[0].queue_arn, queue->identity().arn);

  api::ApiStatus opened = encryption_.OpenReceived(ctx_, *queue, received);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  std::vector<std::string> got;
  for (const ReceivedMessage& m : received) {
    EXPECT_EQ(m.content->data_key_id, 0U);
    got.push_back(m.content->body);
  }
  EXPECT_EQ(got, bodies);
}

TEST_F(PgQueueSseTest, FifoSealedBodiesRoundTrip) {
  auto queue = CreateSse("orders.fifo", "alias/orders");
  ASSERT_NE(queue, nullptr);
  SendSealed(*queue, {"one", "two"}, "g");
  SendSealed(*queue, {"three"}, "g");
  auto received = MustReceive(*queue);
  ASSERT_EQ(received.size(), 3U);
  for (const ReceivedMessage& m : received) ASSERT_NE(m.data_key, nullptr);
  ASSERT_TRUE(encryption_.OpenReceived(ctx_, *queue, received).ok());
  EXPECT_EQ(received[0].content->body, "one");
  EXPECT_EQ(received[1].content->body, "two");
  EXPECT_EQ(received[2].content->body, "three");
}

// A consumer without kms:Decrypt gets KmsAccessDenied; the handler gives the messages back,
// and they are received at once, with the receive count they had.
TEST_F(PgQueueSseTest, UndeliveredMessagesGoBackAsTheyWere) {
  keys_.DenyDecrypt("AKIDDENIED");
  api::RequestContext denied = ctx_;
  denied.access_key_id = "AKIDDENIED";
  for (const std::string name : {"back", "back.fifo"}) {
    SCOPED_TRACE(name);
    auto queue = CreateSse(name, "alias/orders");
    ASSERT_NE(queue, nullptr);
    SendSealed(*queue, {"kept"}, "g");
    auto received = MustReceive(*queue, 10, 600);
    ASSERT_EQ(received.size(), 1U);
    EXPECT_EQ(received[0].receive_count, 1U);
    auto opened = encryption_.OpenReceived(denied, *queue, received);
    ASSERT_FALSE(opened.ok());
    EXPECT_EQ(opened.error().code, ErrorCode::kKmsAccessDenied);
    queue->ReturnUndelivered(received);

    std::vector<ReceivedMessage> again;
    for (int attempt = 0; attempt < 100 && again.empty(); ++attempt) {
      again = MustReceive(*queue, 10, 600);  // ReturnUndelivered runs on a worker
      if (again.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ASSERT_EQ(again.size(), 1U) << "visible again, not after the 600 s visibility timeout";
    EXPECT_EQ(again[0].receive_count, 1U) << "the undelivered receive is not counted";
    EXPECT_EQ(again[0].content->message_id, received[0].content->message_id);
    ASSERT_TRUE(encryption_.OpenReceived(ctx_, *queue, again).ok());
    EXPECT_EQ(again[0].content->body, "kept");
  }
}

// maxReceiveCount 1: the second receive moves the message, still sealed under the source's key,
// to the DLQ (another key). There it opens for a consumer who may decrypt with the DLQ's key,
// and not for one who may not, as on the engine (which re-encrypts on the move).
TEST_F(PgQueueSseTest, ADeadLetteredSealedMessageOpensInTheDeadLetterQueue) {
  for (const std::string suffix : {"", ".fifo"}) {
    SCOPED_TRACE("suffix " + suffix);
    auto dlq = CreateSse("dlq" + suffix, "alias/dlq");
    ASSERT_NE(dlq, nullptr);
    auto source = CreateSse("src" + suffix, "alias/orders", RedrivePolicy{dlq->identity().arn, 1});
    ASSERT_NE(source, nullptr);
    auto ids = SendSealed(*source, {"to the dlq"}, "g");
    ASSERT_EQ(ids.size(), 1U);
    auto first = MustReceive(*source, 10, 0);
    ASSERT_EQ(first.size(), 1U);
    EXPECT_TRUE(MustReceive(*source, 10).empty()) << "moved instead of received";

    auto moved = MustReceive(*dlq, 10, 0);
    ASSERT_EQ(moved.size(), 1U);
    EXPECT_EQ(moved[0].content->message_id, ids[0]);
    ASSERT_NE(moved[0].dead_letter_source_arn, nullptr);
    EXPECT_EQ(*moved[0].dead_letter_source_arn, source->identity().arn);
    ASSERT_NE(moved[0].data_key, nullptr);
    EXPECT_EQ(moved[0].data_key->queue_arn, source->identity().arn) << "sealed for the source";
    EXPECT_EQ(moved[0].data_key->key_arn, kOrdersKeyArn);

    // A consumer denied kms:Decrypt (the fake denies per caller, on any key) is refused.
    keys_.DenyDecrypt("AKIDDENIED");
    api::RequestContext denied = ctx_;
    denied.access_key_id = "AKIDDENIED";
    std::vector<ReceivedMessage> refused = moved;
    auto no = encryption_.OpenReceived(denied, *dlq, refused);
    ASSERT_FALSE(no.ok());
    EXPECT_EQ(no.error().code, ErrorCode::kKmsAccessDenied);
    // The check used the DLQ's key, not the source's: a decrypt of a DLQ data key was asked.
    bool asked_dlq_key = false;
    for (const auto& call : keys_.calls()) {
      if (call.access_key_id == "AKIDDENIED" && !call.generate &&
          call.context.at("aws:sqs:arn") == dlq->identity().arn) {
        asked_dlq_key = true;
      }
    }
    EXPECT_TRUE(asked_dlq_key);

    auto opened = encryption_.OpenReceived(ctx_, *dlq, moved);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    EXPECT_EQ(moved[0].content->body, "to the dlq");
  }
}

// Another node has no record cached: it reads it from the data_key table (one statement for the
// receive) and opens the bodies the same.
TEST_F(PgQueueSseTest, AnotherNodeReadsTheRecordsFromTheDatabase) {
  auto queue = CreateSse("shared", "alias/orders");
  ASSERT_NE(queue, nullptr);
  SendSealed(*queue, {"one", "two"});
  testing::Node other(database_, NodeOptions{.receipt_key = "pg-sse-test-key"});
  auto remote = other.catalog.Find(account_, "shared");
  ASSERT_NE(remote, nullptr);
  auto received = MustReceive(*remote);
  ASSERT_EQ(received.size(), 2U);
  for (const ReceivedMessage& m : received) {
    ASSERT_NE(m.data_key, nullptr);
    EXPECT_EQ(m.data_key->id, m.content->data_key_id);
    EXPECT_EQ(m.data_key->key_arn, kOrdersKeyArn);
    EXPECT_EQ(m.data_key->queue_arn, queue->identity().arn);
    EXPECT_FALSE(m.data_key->ciphertext_blob.empty());
    EXPECT_GT(m.data_key->created_millis, 0);
  }
  EXPECT_EQ(received[0].data_key, received[1].data_key) << "one record object for one key";
  ASSERT_TRUE(encryption_.OpenReceived(ctx_, *remote, received).ok());
  EXPECT_EQ(received[0].content->body, "one");
  EXPECT_EQ(received[1].content->body, "two");
}

// Messages in clear are untouched: no data key, nothing for OpenReceived to do.
TEST_F(PgQueueSseTest, MessagesInClearCarryNoDataKey) {
  auto plain = MustCreate("plain");
  ASSERT_NE(plain, nullptr);
  testing::SendOne(*plain, "in clear");
  auto a = MustReceive(*plain);
  ASSERT_EQ(a.size(), 1U);
  EXPECT_EQ(a[0].content->data_key_id, 0U);
  EXPECT_EQ(a[0].data_key, nullptr);
  EXPECT_EQ(a[0].content->body, "in clear");
  ASSERT_TRUE(encryption_.OpenReceived(ctx_, *plain, a).ok());
  EXPECT_EQ(a[0].content->body, "in clear");
}

}  // namespace
}  // namespace wharf::sqs::pg
