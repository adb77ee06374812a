#pragma once

// Shared pieces of the SNS unit tests: a recording api::Call that a test can wait on (durable
// answers arrive on the store's committer thread), a fixture over one store with the SQS and
// SNS services and handler shorthands, and one signing key for the whole test binary (RSA key
// generation is slow, more so under sanitizers).

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api/handler_table.h"
#include "api/sns/actions.h"
#include "api/sqs/actions.h"
#include "common/manual_clock.h"
#include "sns/handlers/handlers.h"
#include "sns/service.h"
#include "sqs/handlers/handlers.h"
#include "sqs/service.h"
#include "storage/store.h"

namespace wharf::sns::testing {

namespace wire = api::sns;

inline constexpr char kAccount[] = "000000000000";

// Keeps the one answer a handler gives, from any thread.
template <typename Out>
class RecordingCall final : public api::Call {
 public:
  explicit RecordingCall(api::RequestContext context) : context_(std::move(context)) {}

  const api::RequestContext& context() const override { return context_; }
  api::ApiStatus Decode(api::Shape) override { return {}; }
  void Succeed(api::Shape output) override {
    std::lock_guard lock(mu_);
    if (++answers_ == 1) out_ = *static_cast<Out*>(output.object);
    cv_.notify_all();
  }
  void Fail(api::ApiError e) override {
    std::lock_guard lock(mu_);
    if (++answers_ == 1) error_ = std::move(e);
    cv_.notify_all();
  }

  // The answer, waiting up to 10 s for it.
  api::ApiResult<Out> Wait() {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, std::chrono::seconds(10), [this] { return answers_ > 0; })) {
      return api::Error(api::ErrorCode::kInternalFailure, "no answer within 10 s");
    }
    EXPECT_EQ(answers_, 1) << "a handler must answer exactly once";
    if (error_) return *error_;
    return *out_;
  }

 private:
  api::RequestContext context_;
  std::mutex mu_;
  std::condition_variable cv_;
  int answers_ = 0;
  std::optional<Out> out_;
  std::optional<api::ApiError> error_;
};

inline api::RequestContext ContextFor(api::Action action, std::string account = kAccount) {
  api::RequestContext ctx;
  ctx.request_id = "00000000-0000-4000-8000-000000000000";
  ctx.action = action;
  ctx.account_id = account;
  ctx.sender_id = account;
  ctx.region = "us-east-1";
  ctx.base_url = "http://localhost:9324";
  return ctx;
}

// A signing key made once per test binary.
std::shared_ptr<const SigningKey> TestSigningKey();

// The queue policy that lets `topic_arn` deliver into `queue_arn` (sns-fanout.md §7.1).
std::string AllowTopicPolicy(const std::string& queue_arn, const std::string& topic_arn);

inline std::string TopicArn(const std::string& name) {
  return "arn:aws:sns:us-east-1:000000000000:" + name;
}
inline std::string QueueArn(const std::string& name) {
  return "arn:aws:sqs:us-east-1:000000000000:" + name;
}

// The SQS and SNS services over `store`. Deliveries run where `executor` says (empty: at once).
// The SNS outbox goes to `outbox_store` when given (ServiceOptions::outbox_store).
class Services {
 public:
  Services(ManualClock& clock, storage::Store& store,
           std::function<void(std::function<void()>)> executor = {},
           storage::Store* outbox_store = nullptr);

  // Handler shorthands: they wait for the answer.
  template <typename Out, typename In>
  api::ApiResult<Out> Call(void (*handler)(SnsService&, const api::RequestContext&, In,
                                           api::Reply<Out>),
                           api::Action action, In in, std::string account = kAccount) {
    auto call = std::make_shared<RecordingCall<Out>>(ContextFor(action, std::move(account)));
    handler(sns, call->context(), std::move(in), api::Reply<Out>(call));
    return call->Wait();
  }
  template <typename Out, typename In>
  api::ApiResult<Out> Call(api::ApiResult<Out> (*handler)(SnsService&, const api::RequestContext&,
                                                          In&),
                           api::Action action, In in, std::string account = kAccount) {
    const api::RequestContext ctx = ContextFor(action, std::move(account));
    return handler(sns, ctx, in);
  }

  std::string CreateTopic(const std::string& name, api::StringPairs attributes = {});
  std::string Subscribe(const std::string& topic_arn, const std::string& queue_arn,
                        api::StringPairs attributes = {});
  // A queue; with `allow_topic`, its policy admits that topic's deliveries.
  std::string CreateQueue(const std::string& name, const std::string& allow_topic = "",
                          api::StringPairs attributes = {});
  api::ApiResult<wire::PublishOutput> Publish(wire::PublishInput in);
  // Receives up to 10 visible messages with all their attributes.
  std::vector<api::sqs::Message> Receive(const std::string& queue_url);

  std::vector<std::string> log;  // delivery log lines
  std::mutex log_mu;
  sqs::SqsService sqs;
  SnsService sns;
};

}  // namespace wharf::sns::testing
