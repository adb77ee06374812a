#pragma once

// A fixture that drives one sqs::Queue directly (no handlers): ManualClock as Clock and
// Scheduler, MemoryStore, default Limits. Completions are captured in shared slots so a test
// can see whether (and how often) a parked receive has been answered.

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/manual_clock.h"
#include "sqs/engine/queue.h"
#include "storage/store.h"

namespace wharf::sqs::testing {

struct PendingReceive {
  int calls = 0;
  std::optional<api::ApiResult<std::vector<ReceivedMessage>>> result;

  bool done() const { return calls > 0; }
  // The messages of a successful answer (empty when not answered or failed).
  std::vector<ReceivedMessage> messages() const {
    if (!result || !result->ok()) return {};
    return result->value();
  }
};

class QueueFixture : public ::testing::Test {
 protected:
  std::shared_ptr<Queue> MakeQueue(QueueConfig config = {}, uint64_t id = 1,
                                   const std::string& name = "q") {
    QueueIdentity identity{id, "000000000000", name, "arn:aws:sqs:us-east-1:000000000000:" + name,
                           false};
    return std::make_shared<Queue>(std::move(identity), std::move(config), api::StringPairs{},
                                   QueueDeps{&clock_, &clock_, &store_, &limits_});
  }

  static std::shared_ptr<const MessageContent> Content(const std::string& body) {
    auto content = std::make_shared<MessageContent>();
    content->message_id = "id-" + body;
    content->body = body;
    return content;
  }

  // Sends `batch`; the error of a failed send (nullopt on success).
  std::optional<api::ApiError> SendBatch(Queue& q, std::vector<NewMessage> batch) {
    bool answered = false;
    std::optional<api::ApiError> error;
    q.Send(std::move(batch), [&](auto result) {
      answered = true;
      if (!result.ok()) error = result.error();
    });
    EXPECT_TRUE(answered) << "Send must complete at once on a MemoryStore";
    return error;
  }

  void Send(Queue& q, const std::string& body, std::optional<int64_t> delay = std::nullopt) {
    std::vector<NewMessage> batch;
    batch.push_back(NewMessage{Content(body), delay});
    std::optional<api::ApiError> error = SendBatch(q, std::move(batch));
    ASSERT_FALSE(error.has_value()) << error->message;
  }

  std::shared_ptr<PendingReceive> StartReceive(Queue& q, ReceiveOptions options) {
    auto pending = std::make_shared<PendingReceive>();
    q.Receive(options, [pending](api::ApiResult<std::vector<ReceivedMessage>> r) {
      ++pending->calls;
      pending->result.emplace(std::move(r));
    });
    return pending;
  }

  // A short poll (WaitTimeSeconds=0) that must be answered at once.
  std::vector<ReceivedMessage> ReceiveNow(Queue& q, int64_t max = 1,
                                          std::optional<int64_t> visibility = std::nullopt) {
    ReceiveOptions options;
    options.max_messages = max;
    options.visibility_timeout = visibility;
    options.wait_seconds = 0;
    auto pending = StartReceive(q, options);
    EXPECT_EQ(pending->calls, 1);
    EXPECT_TRUE(pending->result && pending->result->ok());
    return pending->messages();
  }

  // Receives exactly one message and returns it.
  ReceivedMessage ReceiveOne(Queue& q, std::optional<int64_t> visibility = std::nullopt) {
    auto messages = ReceiveNow(q, 1, visibility);
    EXPECT_EQ(messages.size(), 1u);
    return messages.empty() ? ReceivedMessage{} : messages.front();
  }

  api::ApiStatus Delete(Queue& q, const std::string& handle) {
    std::optional<api::ApiStatus> status;
    q.Delete(handle, [&](api::ApiStatus s) { status = std::move(s); });
    EXPECT_TRUE(status.has_value());
    return status.value_or(api::Error(api::ErrorCode::kInternalFailure, "no answer"));
  }

  api::ApiStatus ChangeVisibility(Queue& q, const std::string& handle, int64_t seconds) {
    std::optional<api::ApiStatus> status;
    q.ChangeVisibility(handle, seconds, [&](api::ApiStatus s) { status = std::move(s); });
    EXPECT_TRUE(status.has_value());
    return status.value_or(api::Error(api::ErrorCode::kInternalFailure, "no answer"));
  }

  api::ApiStatus Purge(Queue& q) {
    std::optional<api::ApiStatus> status;
    q.Purge([&](api::ApiStatus s) { status = std::move(s); });
    EXPECT_TRUE(status.has_value());
    return status.value_or(api::Error(api::ErrorCode::kInternalFailure, "no answer"));
  }

  api::ApiStatus SetAttributes(Queue& q, const api::StringPairs& attributes) {
    std::optional<api::ApiStatus> status;
    q.SetAttributes(
        attributes, [](std::string_view) { return std::optional<DeadLetterTarget>(); },
        [&](api::ApiStatus s) { status = std::move(s); });
    EXPECT_TRUE(status.has_value());
    return status.value_or(api::Error(api::ErrorCode::kInternalFailure, "no answer"));
  }

  ManualClock clock_;
  storage::MemoryStore store_;
  Limits limits_;
};

// Counters as a comparable triple: {visible, in flight, delayed}.
inline std::vector<int64_t> CountsOf(Queue& q) {
  QueueCounters c = q.Counters();
  return {c.visible, c.in_flight, c.delayed};
}

}  // namespace wharf::sqs::testing
