#pragma once

// Shared pieces of the SQS-layer PostgreSQL tests (src/sqs/pg): the objects of one node over the
// shared, migrated database (pg_test_support.h), a fixture with one such node and an account of
// the test's own, and synchronous forms of the queue operations, which answer through callbacks
// on the node's worker threads. Waits are bounded (kCatalogAnswerBound), so an operation that
// never answers fails the test instead of hanging it in the wait.

#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "catalog_wait.h"
#include "common/clock.h"
#include "common/ids.h"
#include "common/thread_scheduler.h"
#include "pg_test_support.h"
#include "sqs/pg/long_poll.h"
#include "sqs/pg/pg_backend.h"
#include "sqs/pg/pg_catalog.h"
#include "sqs/pg/pg_receipt.h"
#include "sqs/pg/worker_pool.h"

namespace wharf::sqs::pg::testing {

// Declaring this namespace hides wharf::sqs::testing from `testing::` inside wharf::sqs::pg:
// the catalog waits are offered here too.
using sqs::testing::CreateAndWait;
using sqs::testing::kCatalogAnswerBound;
using sqs::testing::RemoveAndWait;

// The answer of an asynchronous operation, waited for with a bound.
template <typename T>
class Answer {
 public:
  std::function<void(T)> Callback() {
    return [promise = promise_](T value) { promise->set_value(std::move(value)); };
  }
  T Get() {
    auto future = promise_->get_future();
    EXPECT_EQ(future.wait_for(kCatalogAnswerBound), std::future_status::ready) << "no answer";
    return future.get();
  }

 private:
  std::shared_ptr<std::promise<T>> promise_ = std::make_shared<std::promise<T>>();
};

// A message's content with a new id and recognisable stand-ins for the digests and the sender:
// the backend stores what it is given and computes none of them.
inline std::shared_ptr<const MessageContent> Content(const std::string& body) {
  auto content = std::make_shared<MessageContent>();
  content->message_id = NewUuid();
  content->body = body;
  content->md5_of_body = "md5-of-" + body;
  content->sender_id = "AIDAEXAMPLE";
  content->sent_millis = 1;
  return content;
}

// How one node is sized; the test files differ only in these.
struct NodeOptions {
  size_t connections = 4;
  size_t workers = 2;
  // How often a parked long poll re-checks its queue without a wake-up.
  std::chrono::seconds recheck{1};
  // Every node of one test signs receipt handles under the same key, as a deployment does.
  std::string receipt_key;
  Limits limits;
};

// One node of a deployment: its own pool, statements, workers, waiters and catalog over
// `database`.
//
// Declared (so built) in dependency order, and taken down as the server takes down its own
// (server/postgres_queues.cc): the destructor closes the waiters and drains the workers first,
// so a job still queued (a late Wake, an answer being delivered) runs while the catalog, the
// statements, the pool and the receipt codec it uses still exist. The hub only keeps a
// reference to `workers`, so it is declared before them and destroyed after they have drained
// (LongPollHub: "destroy after it, queued jobs may still call Wake"); the catalog, which refers
// to everything, is declared last and destroyed first.
class Node {
 public:
  Node(const std::string& database, NodeOptions options)
      : limits(options.limits),
        pool(storage::pg::testing::ServerUrl(), storage::pg::testing::TestOptions(database),
             options.connections),
        ops(pool),
        receipts(std::move(options.receipt_key)),
        long_polls(clock, scheduler, workers, options.recheck),
        workers(options.workers),
        catalog(Backend(), "us-east-1") {}

  ~Node() {
    long_polls.Close();
    workers.Stop();
  }

  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // What this node's catalog is built on; another catalog over the same objects is another
  // node's view of the same database.
  PgBackend Backend() { return PgBackend{ops, workers, receipts, limits, long_polls, clock}; }

  const Limits limits;
  storage::pg::ConnectionPool pool;
  storage::pg::PgQueueOps ops;
  PgReceiptCodec receipts;
  SystemClock clock;
  ThreadScheduler scheduler{clock};
  LongPollHub long_polls;
  WorkerPool workers;
  PgCatalog catalog;
};

// A fixture with one node on the shared, migrated database. The database keeps every test's
// queues, so each test works in an account of its own: `account_prefix` and a random suffix.
class PgSqsTest : public ::testing::Test {
 protected:
  PgSqsTest(NodeOptions options, std::string account_prefix)
      : options_(std::move(options)), account_prefix_(std::move(account_prefix)) {}

  void SetUp() override {
    WHARF_REQUIRE_POSTGRES();
    database_ = storage::pg::testing::SharedOpsDatabase();
    ASSERT_FALSE(database_.empty());
    node_ = std::make_unique<Node>(database_, options_);
    account_ = account_prefix_ + NewUuid().substr(0, 9);
  }

  std::shared_ptr<QueueBackend> MustCreate(const std::string& name, QueueConfig config = {}) {
    auto created = CreateAndWait(node_->catalog, account_, name, std::move(config));
    EXPECT_TRUE(created.ok()) << (created.ok() ? "" : created.error().message);
    return created.ok() ? created->queue : nullptr;
  }

  std::string database_;
  std::unique_ptr<Node> node_;
  std::string account_;

 private:
  NodeOptions options_;
  std::string account_prefix_;
};

// --- the queue operations, waited for ---

inline api::ApiResult<std::vector<SendResult>> Send(QueueBackend& queue,
                                                    std::vector<NewMessage> messages) {
  Answer<api::ApiResult<std::vector<SendResult>>> answer;
  queue.Send(std::move(messages), answer.Callback());
  return answer.Get();
}

// One message as it is given; its result (empty when the send failed).
inline SendResult SendOne(QueueBackend& queue, NewMessage message) {
  std::vector<NewMessage> one;
  one.push_back(std::move(message));
  auto sent = Send(queue, std::move(one));
  EXPECT_TRUE(sent.ok()) << (sent.ok() ? "" : sent.error().message);
  return sent.ok() && sent->size() == 1 ? (*sent)[0] : SendResult{};
}

// One message of Content(body) with the queue's delay; its id (empty when the send failed).
inline std::string SendOne(QueueBackend& queue, const std::string& body) {
  return SendOne(queue, NewMessage{Content(body), std::nullopt, nullptr, 0}).message_id;
}

inline api::ApiResult<std::vector<ReceivedMessage>> Receive(
    QueueBackend& queue, int64_t max, std::optional<int64_t> visibility = std::nullopt,
    std::optional<std::string> attempt_id = std::nullopt) {
  ReceiveOptions options;
  options.max_messages = max;
  options.visibility_timeout = visibility;
  options.attempt_id = std::move(attempt_id);
  Answer<api::ApiResult<std::vector<ReceivedMessage>>> answer;
  queue.Receive(options, answer.Callback());
  return answer.Get();
}

inline api::ApiStatus Delete(QueueBackend& queue, const std::string& handle) {
  Answer<api::ApiStatus> answer;
  queue.Delete(handle, answer.Callback());
  return answer.Get();
}

inline api::ApiStatus ChangeVisibility(QueueBackend& queue, const std::string& handle,
                                       int64_t seconds) {
  Answer<api::ApiStatus> answer;
  queue.ChangeVisibility(handle, seconds, answer.Callback());
  return answer.Get();
}

// The 12-hour visibility cap counts from the receive (message.received_at): moves the receives
// of `queue`'s messages 10 s back, so that a change to 43,200 s ends past the cap and one to
// 43,000 s does not. Expects exactly `messages` rows moved.
inline void MoveReceivesBack10Seconds(const std::string& database, const QueueBackend& queue,
                                      int64_t messages = 1) {
  static constexpr storage::pg::Statement kReceivedEarlier{
      "test_received_earlier",
      "UPDATE message SET received_at = received_at - interval '10 seconds' WHERE queue_id = $1",
      1};
  auto conn = storage::pg::testing::Connect(database);
  ASSERT_TRUE(conn.ok());
  auto moved = conn->Execute(kReceivedEarlier,
                             {storage::pg::Param::Int(static_cast<int64_t>(queue.identity().id))});
  ASSERT_TRUE(moved.ok());
  ASSERT_EQ(moved->affected(), messages);
}

// The engine's answer to a ChangeMessageVisibility past the cap (queue_handles.cc).
inline void ExpectBeyondVisibilityCap(const api::ApiStatus& status) {
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, api::ErrorCode::kInvalidParameterValue);
  EXPECT_EQ(status.error().message,
            "Value 43200 for parameter VisibilityTimeout is invalid. Reason: Total "
            "VisibilityTimeout for the message is beyond the limit [43200 seconds].");
}

}  // namespace wharf::sqs::pg::testing
