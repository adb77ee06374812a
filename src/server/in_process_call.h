#pragma once

// Calling an action's handler from inside the server (provisioning at start), with a typed input
// built in code instead of decoded from a request, and waiting for its answer. Asynchronous
// handlers answer once their change is durable, on the store's committer thread; Wait blocks the
// calling thread (never an I/O thread: provisioning runs before the listeners start).

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

#include "api/handler_table.h"

namespace wharf::server {

template <typename Out>
class InProcessCall final : public api::Call {
 public:
  explicit InProcessCall(api::RequestContext context) : context_(std::move(context)) {}

  const api::RequestContext& context() const override { return context_; }
  api::ApiStatus Decode(api::Shape) override { return {}; }  // the input is built by the caller
  // Reply<Out> hands over an Out, so the shape's object is one.
  void Succeed(api::Shape output) override { Answer(*static_cast<Out*>(output.object)); }
  void Fail(api::ApiError error) override { Answer(std::move(error)); }

  // The answer; InternalFailure if none came within `limit` (a bug, or a store that stopped).
  api::ApiResult<Out> Wait(std::chrono::seconds limit = std::chrono::seconds(60)) {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, limit, [this] { return result_.has_value(); })) {
      return api::Error(api::ErrorCode::kInternalFailure, "no answer within the time limit");
    }
    return *result_;
  }

 private:
  void Answer(api::ApiResult<Out> result) {
    std::lock_guard lock(mu_);
    if (!result_) result_ = std::move(result);  // only the first answer counts
    cv_.notify_all();
  }

  api::RequestContext context_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::optional<api::ApiResult<Out>> result_;
};

// Runs an asynchronous handler (void F(Svc&, const Ctx&, In, Reply<Out>)) and waits for it.
template <typename Svc, typename In, typename Out>
api::ApiResult<Out> CallInProcess(void (*handler)(Svc&, const api::RequestContext&, In,
                                                  api::Reply<Out>),
                                  Svc& service, const api::RequestContext& ctx, In in) {
  auto call = std::make_shared<InProcessCall<Out>>(ctx);
  handler(service, call->context(), std::move(in), api::Reply<Out>(call));
  return call->Wait();
}

// Runs a synchronous handler (ApiResult<Out> F(Svc&, const Ctx&, In&)).
template <typename Svc, typename In, typename Out>
api::ApiResult<Out> CallInProcess(api::ApiResult<Out> (*handler)(Svc&, const api::RequestContext&,
                                                                 In&),
                                  Svc& service, const api::RequestContext& ctx, In in) {
  return handler(service, ctx, in);
}

}  // namespace wharf::server
