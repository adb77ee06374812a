#pragma once

// Shared pieces of the SQS unit tests: a ManualClock + MemoryStore + SqsService fixture, a fake
// api::Call that records the one answer a handler gives, and shorthands that call handlers
// directly (no codec, no HTTP). Everything runs on the test thread; time moves only through
// clock_.Advance().

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "api/handler_table.h"
#include "api/sqs/actions.h"
#include "common/manual_clock.h"
#include "sqs/handlers/handlers.h"
#include "sqs/service.h"
#include "storage/store.h"

namespace wharf::sqs::testing {

namespace a = api::sqs;

// An api::Call that keeps what the handler answered. Counts answers so a test can tell a
// handler that answers twice (the second answer would be dropped silently in production).
template <typename Out>
class RecordingCall final : public api::Call {
 public:
  explicit RecordingCall(api::RequestContext context) : context_(std::move(context)) {}

  const api::RequestContext& context() const override { return context_; }
  api::ApiStatus Decode(api::Shape) override { return {}; }  // inputs are built by the test
  void Succeed(api::Shape output) override {
    if (++answers == 1) out = *static_cast<Out*>(output.object);
  }
  void Fail(api::ApiError e) override {
    if (++answers == 1) error = std::move(e);
  }

  bool answered() const { return answers > 0; }

  int answers = 0;
  std::optional<Out> out;
  std::optional<api::ApiError> error;

 private:
  api::RequestContext context_;
};

inline api::RequestContext DefaultContext() {
  api::RequestContext ctx;
  ctx.request_id = "00000000-0000-4000-8000-000000000000";
  ctx.account_id = "000000000000";
  ctx.access_key_id = "test";
  ctx.region = "us-east-1";
  ctx.sender_id = "000000000000";
  ctx.base_url = "http://localhost:9324";
  return ctx;
}

// A message attribute with a string value (String / Number types).
inline a::MessageAttributeValue StringAttr(std::string type, std::string value) {
  a::MessageAttributeValue v;
  v.data_type = std::move(type);
  v.string_value = std::move(value);
  return v;
}

// A message attribute with a binary value (raw bytes).
inline a::MessageAttributeValue BinaryAttr(std::string type, std::string bytes) {
  a::MessageAttributeValue v;
  v.data_type = std::move(type);
  v.binary_value = std::move(bytes);
  return v;
}

inline const std::string* FindPair(const api::StringPairs& pairs, std::string_view name) {
  for (const auto& [k, v] : pairs) {
    if (k == name) return &v;
  }
  return nullptr;
}

class SqsServiceTest : public ::testing::Test {
 protected:
  SqsServiceTest() : SqsServiceTest(ServiceOptions{}) {}
  explicit SqsServiceTest(ServiceOptions options)
      : service_(clock_, clock_, store_, std::move(options)) {}

  // Starts an asynchronous handler; the returned call is answered now or later.
  template <typename Out, typename In>
  std::shared_ptr<RecordingCall<Out>> Start(void (*handler)(SqsService&, const api::RequestContext&,
                                                            In, api::Reply<Out>),
                                            In in) {
    auto call = std::make_shared<RecordingCall<Out>>(ctx_);
    handler(service_, call->context(), std::move(in), api::Reply<Out>(call));
    return call;
  }

  // Runs an asynchronous handler that must answer at once.
  template <typename Out, typename In>
  api::ApiResult<Out> Run(void (*handler)(SqsService&, const api::RequestContext&, In,
                                          api::Reply<Out>),
                          In in) {
    auto call = Start(handler, std::move(in));
    EXPECT_EQ(call->answers, 1) << "the handler must answer exactly once, synchronously";
    if (call->error) return *call->error;
    if (!call->out) return api::Error(api::ErrorCode::kInternalFailure, "no answer");
    return *call->out;
  }

  // Runs a synchronous handler.
  template <typename Out, typename In>
  api::ApiResult<Out> Run(api::ApiResult<Out> (*handler)(SqsService&, const api::RequestContext&,
                                                         In&),
                          In in) {
    return handler(service_, ctx_, in);
  }

  std::string CreateQueue(const std::string& name, api::StringPairs attributes = {}) {
    auto out = Run(&sqs::CreateQueue, a::CreateQueueInput{name, std::move(attributes), {}});
    EXPECT_TRUE(out.ok()) << (out.ok() ? "" : out.error().message);
    return out.ok() ? out->queue_url : std::string();
  }

  a::SendMessageOutput Send(const std::string& url, std::string body,
                            a::MessageAttributeMap attributes = {},
                            std::optional<int64_t> delay = std::nullopt) {
    a::SendMessageInput in;
    in.queue_url = url;
    in.message_body = std::move(body);
    in.message_attributes = std::move(attributes);
    in.delay_seconds = delay;
    auto out = Run(&sqs::SendMessage, std::move(in));
    EXPECT_TRUE(out.ok()) << (out.ok() ? "" : out.error().message);
    return out.ok() ? *out : a::SendMessageOutput{};
  }

  // ReceiveMessage with WaitTimeSeconds=0 unless the input says otherwise.
  std::vector<a::Message> Receive(a::ReceiveMessageInput in) {
    if (!in.wait_time_seconds) in.wait_time_seconds = 0;
    auto out = Run(&sqs::ReceiveMessage, std::move(in));
    EXPECT_TRUE(out.ok()) << (out.ok() ? "" : out.error().message);
    return out.ok() ? out->messages : std::vector<a::Message>{};
  }

  api::StringPairs Attributes(const std::string& url, std::vector<std::string> names = {"All"}) {
    auto out = Run(&sqs::GetQueueAttributes, a::GetQueueAttributesInput{url, std::move(names)});
    EXPECT_TRUE(out.ok()) << (out.ok() ? "" : out.error().message);
    return out.ok() ? out->attributes : api::StringPairs{};
  }

  std::string Attribute(const std::string& url, const std::string& name) {
    api::StringPairs attrs = Attributes(url, {name});
    const std::string* v = FindPair(attrs, name);
    return v ? *v : "<absent>";
  }

  // (visible, not visible, delayed) as GetQueueAttributes reports them.
  std::tuple<std::string, std::string, std::string> Counts(const std::string& url) {
    api::StringPairs attrs =
        Attributes(url, {"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
                         "ApproximateNumberOfMessagesDelayed"});
    auto get = [&](std::string_view n) {
      const std::string* v = FindPair(attrs, n);
      return v ? *v : "<absent>";
    };
    return {get("ApproximateNumberOfMessages"), get("ApproximateNumberOfMessagesNotVisible"),
            get("ApproximateNumberOfMessagesDelayed")};
  }

  ManualClock clock_;
  storage::MemoryStore store_;
  SqsService service_;
  api::RequestContext ctx_ = DefaultContext();
};

}  // namespace wharf::sqs::testing
