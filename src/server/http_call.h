#pragma once

// api::Call over one HTTP request: decodes the typed input with the request's codec and encodes
// the answer in the same protocol. Answers exactly once; if the last reference goes without an
// answer (a bug), the client gets InternalFailure instead of a hung connection.

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "api/handler_table.h"
#include "net/http.h"
#include "protocol/protocol.h"
#include "server/request_log.h"
#include "server/request_metrics.h"

namespace wharf::server {

// The HTTP response for an encoded AWS response, with x-amzn-RequestId and friends.
net::HttpResponse ToHttp(protocol::EncodedResponse encoded, const std::string& request_id);

class HttpCall final : public api::Call {
 public:
  HttpCall(net::HttpRequest request, net::Responder respond, api::RequestContext context);
  ~HttpCall() override;

  // The request this call owns; parse it in place (its body is referenced, not copied).
  const net::HttpRequest& request() const { return request_; }
  void SetParsed(protocol::ParsedRequest parsed) {
    metrics_slot_ = RequestMetrics::SlotOf(parsed.action());
    parsed_ = std::move(parsed);
    routed_ = true;
  }
  // Counts the answer in `metrics` (null: not counted), with the latency from `start`; under
  // its action once SetParsed ran, as unrouted before.
  void SetMetrics(RequestMetrics* metrics, MonoTime start) {
    metrics_ = metrics;
    start_ = start;
  }
  api::RequestContext& mutable_context() { return context_; }

  const api::RequestContext& context() const override { return context_; }
  api::ApiStatus Decode(api::Shape input) override;
  void Succeed(api::Shape output) override;
  void Fail(api::ApiError error) override;
  // For errors found before the action is known.
  void FailRoute(const protocol::RouteError& error);

  // Holds the answer until `gate` releases it: the gate gets a continuation to call with true
  // (send the answer) or false (the change did not become durable: InternalFailure instead).
  // Identity changes are applied in memory at once but acknowledged only once synced.
  using AnswerGate = std::function<void(std::function<void(bool durable)> release)>;
  void SetAnswerGate(AnswerGate gate) { gate_ = std::move(gate); }

 private:
  // `error`: what the answer reports (empty: success), for the metrics and the request log.
  void Send(protocol::EncodedResponse encoded, std::optional<api::ErrorCode> error);
  void LogAnswer(uint16_t status, std::optional<api::ErrorCode> error) const;

  net::HttpRequest request_;
  net::Responder respond_;
  api::RequestContext context_;
  protocol::ParsedRequest parsed_;
  std::atomic<bool> answered_{false};
  AnswerGate gate_;
  RequestMetrics* metrics_ = nullptr;
  MonoTime start_{};
  size_t metrics_slot_ = RequestMetrics::kUnrouted;
  // For the request log: when the request arrived, what it was about.
  // Read only when the request log is on: a clock read per request is not free.
  std::chrono::steady_clock::time_point started_ = RequestLogEnabled()
                                                       ? std::chrono::steady_clock::now()
                                                       : std::chrono::steady_clock::time_point{};
  bool routed_ = false;
  std::string resource_;
};

}  // namespace wharf::server
