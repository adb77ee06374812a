#pragma once

// What a service handler knows about the request besides its typed input: who is calling,
// where (the host the client used, for queue URLs), and its request id. No HTTP, no protocol.

#include <memory>
#include <string>

#include "api/action.h"

namespace wharf::auth {
struct AccessKey;  // defined by auth/, which api/ does not include (see `caller`)
}

namespace wharf::api {

struct RequestContext {
  std::string request_id;
  Action action{};         // the action being served
  std::string account_id;  // the caller's account
  std::string access_key_id;
  std::string region;             // the region Wharf serves (ARNs)
  std::string sender_id;          // SenderId message attribute: account id for a root caller
  std::string base_url;           // scheme://host[:port] the client addressed, for queue URLs
  std::string trace_header;       // X-Amzn-Trace-Id request header, if any
  std::string source_ip;          // the peer's address (aws:SourceIp)
  bool secure_transport = false;  // arrived over TLS (aws:SecureTransport)
  // The verified access key the request was signed with, and through it the principal; null
  // when signatures are not checked (--auth off). Carried opaquely through this layer and
  // read by auth/ (Authorizer) on behalf of the services.
  std::shared_ptr<const auth::AccessKey> caller;
};

}  // namespace wharf::api
