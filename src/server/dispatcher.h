#pragma once

// From an HTTP request to a handler and back: health checks, routing through the protocol
// layer, caller identification, the request id, and the response headers every AWS response
// carries. Runs on I/O threads; never blocks (handlers answer later when they must wait).

#include <string>

#include "api/handler_table.h"
#include "common/clock.h"
#include "net/http.h"
#include "sqs/service.h"

namespace wharf::server {

struct DispatcherOptions {
  std::string account_id = "000000000000";
  std::string region = "us-east-1";
  std::string base_url;  // empty: from the Host header
};

class Dispatcher {
 public:
  Dispatcher(sqs::SqsService& sqs, DispatcherOptions options);

  void Handle(net::HttpRequest&& request, net::Responder respond);

 private:
  sqs::SqsService& sqs_;
  const DispatcherOptions options_;
  api::HandlerTable<sqs::SqsService> sqs_handlers_;
};

}  // namespace wharf::server
