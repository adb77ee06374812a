#include "server/http_call.h"

#include "server/request_log.h"

namespace wharf::server {

net::HttpResponse ToHttp(protocol::EncodedResponse encoded, const std::string& request_id) {
  net::HttpResponse response;
  response.status = encoded.status;
  response.headers.reserve(3);  // one allocation for the vector, not one per header added
  response.headers.emplace_back("Content-Type", std::move(encoded.content_type));
  response.headers.emplace_back("x-amzn-RequestId", request_id);
  if (encoded.query_error) {
    response.headers.emplace_back("x-amzn-query-error", std::move(*encoded.query_error));
  }
  response.body = std::move(encoded.body);
  return response;
}

HttpCall::HttpCall(net::HttpRequest request, net::Responder respond, api::RequestContext context)
    : request_(std::move(request)), respond_(std::move(respond)), context_(std::move(context)) {}

HttpCall::~HttpCall() {
  if (!answered_.load()) Fail(api::Error(api::ErrorCode::kInternalFailure));
}

api::ApiStatus HttpCall::Decode(api::Shape input) {
  api::ApiStatus status = parsed_.Decode(input);
  if (status.ok() && RequestLogEnabled()) resource_ = ResourceOf(input);
  return status;
}

void HttpCall::LogAnswer(uint16_t status, std::optional<api::ErrorCode> error) const {
  if (!RequestLogEnabled()) return;
  RequestOutcome outcome;
  if (routed_) outcome.action = parsed_.action();
  outcome.status = status;
  outcome.error = error;
  outcome.latency = std::chrono::steady_clock::now() - started_;
  LogRequest(context_, resource_, outcome);
}

void HttpCall::Send(protocol::EncodedResponse encoded, std::optional<api::ErrorCode> error) {
  // Counted before the answer leaves, so a client that reads it and then scrapes sees it.
  if (!gate_) {
    if (metrics_) metrics_->Finish(metrics_slot_, error, start_);
    LogAnswer(encoded.status, error);
    return respond_(ToHttp(std::move(encoded), context_.request_id));
  }
  net::HttpResponse failure =
      ToHttp(protocol::EncodeError(parsed_.protocol(), context_.request_id,
                                   api::Error(api::ErrorCode::kInternalFailure), parsed_.service()),
             context_.request_id);
  // A held answer is logged when it is released (the call may be gone by then: the log line's
  // facts travel with the continuation, and only when the request log is on).
  std::function<void(uint16_t)> log;
  if (RequestLogEnabled()) {
    RequestOutcome outcome;
    if (routed_) outcome.action = parsed_.action();
    outcome.error = error;
    log = [context = context_, resource = resource_, outcome,
           started = started_](uint16_t status) mutable {
      outcome.status = status;
      if (status >= 500 && !outcome.error) outcome.error = api::ErrorCode::kInternalFailure;
      outcome.latency = std::chrono::steady_clock::now() - started;
      LogRequest(context, resource, outcome);
    };
  }
  gate_([respond = respond_, answer = ToHttp(std::move(encoded), context_.request_id),
         failure = std::move(failure), metrics = metrics_, slot = metrics_slot_, start = start_,
         error, log = std::move(log)](bool durable) mutable {
    if (metrics) {
      metrics->Finish(slot, durable ? error : std::optional(api::ErrorCode::kInternalFailure),
                      start);
    }
    net::HttpResponse& chosen = durable ? answer : failure;
    if (log) log(chosen.status);
    respond(std::move(chosen));
  });
}

void HttpCall::Succeed(api::Shape output) {
  if (answered_.exchange(true)) return;
  Send(protocol::EncodeSuccess(parsed_.protocol(), parsed_.action(), context_.request_id, output),
       std::nullopt);
}

void HttpCall::Fail(api::ApiError error) {
  if (answered_.exchange(true)) return;
  const api::ErrorCode code = error.code;
  Send(protocol::EncodeError(parsed_.protocol(), context_.request_id, error, parsed_.service()),
       code);
}

void HttpCall::FailRoute(const protocol::RouteError& error) {
  if (answered_.exchange(true)) return;
  Send(protocol::EncodeRouteError(error, context_.request_id), error.error.code);
}

}  // namespace wharf::server
