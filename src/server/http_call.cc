#include "server/http_call.h"

namespace wharf::server {

net::HttpResponse ToHttp(protocol::EncodedResponse encoded, const std::string& request_id) {
  net::HttpResponse response;
  response.status = encoded.status;
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

api::ApiStatus HttpCall::Decode(api::Shape input) { return parsed_.Decode(input); }

void HttpCall::Send(protocol::EncodedResponse encoded, std::optional<api::ErrorCode> error) {
  // Counted before the answer leaves, so a client that reads it and then scrapes sees it.
  if (!gate_) {
    if (metrics_) metrics_->Finish(metrics_slot_, error, start_);
    return respond_(ToHttp(std::move(encoded), context_.request_id));
  }
  net::HttpResponse failure =
      ToHttp(protocol::EncodeError(parsed_.protocol(), context_.request_id,
                                   api::Error(api::ErrorCode::kInternalFailure), parsed_.service()),
             context_.request_id);
  gate_([respond = respond_, answer = ToHttp(std::move(encoded), context_.request_id),
         failure = std::move(failure), metrics = metrics_, slot = metrics_slot_, start = start_,
         error](bool durable) mutable {
    if (metrics) {
      metrics->Finish(slot, durable ? error : std::optional(api::ErrorCode::kInternalFailure),
                      start);
    }
    respond(durable ? std::move(answer) : std::move(failure));
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
