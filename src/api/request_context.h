#pragma once

// What a service handler knows about the request besides its typed input: who is calling,
// where (the host the client used, for queue URLs), and its request id. No HTTP, no protocol.

#include <string>

namespace wharf::api {

struct RequestContext {
  std::string request_id;
  std::string account_id;  // the caller's account
  std::string access_key_id;
  std::string region;        // the region Wharf serves (ARNs)
  std::string sender_id;     // SenderId message attribute: account id for a root caller
  std::string base_url;      // scheme://host[:port] the client addressed, for queue URLs
  std::string trace_header;  // X-Amzn-Trace-Id request header, if any
};

}  // namespace wharf::api
