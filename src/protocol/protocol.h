#pragma once

// The protocol layer: from an HTTP request to (protocol, service, action) and a typed input, and
// from a typed output or an ApiError back to HTTP in the caller's protocol. It never sees a
// service or queue state. Three protocols share one port (sqs-api.md §1, security.md §0):
//   AWS JSON 1.0  — X-Amz-Target: AmazonSQS.<Action>, JSON body, query-compatible errors;
//   AWS Query     — Action=<Action> in a form body or the URL, XML responses (SQS, IAM, STS);
//   AWS JSON 1.1  — X-Amz-Target: TrentService.<Action> (KMS), plain JSON errors
//                   {"__type": "NotFoundException", "message": …}, HTTP 400.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/action.h"
#include "api/error.h"
#include "api/handler_table.h"

namespace wharf::protocol {

enum class Protocol : uint8_t { kQuery, kJson10, kJson11 };

// What the protocol layer needs of an HTTP request. The strings must outlive the request.
struct RequestView {
  std::string_view method;
  std::string_view path;   // percent-encoded, without the query
  std::string_view query;  // percent-encoded, after '?'
  std::string_view content_type;
  std::string_view amz_target;  // X-Amz-Target header
  // The body; for JSON its capacity should exceed its size by simdjson's padding (64 bytes),
  // otherwise it is copied once.
  const std::string* body = nullptr;
  // The service in the SigV4 credential scope ("sqs", "iam", "sts", "sns"; "" when unsigned):
  // routes requests without X-Amz-Target (security.md §0). Anything but iam/sts/sns is SQS. (KMS
  // requests always carry X-Amz-Target.)
  std::string_view scope_service;
};

using FormParams = std::vector<std::pair<std::string, std::string>>;  // sorted by name

// A request whose protocol and action are known, ready to decode its input.
class ParsedRequest {
 public:
  Protocol protocol() const { return protocol_; }
  api::Action action() const { return action_; }
  api::Service service() const { return api::InfoOf(action_).service; }
  // Fills a typed input from the request (JSON body or Query parameters).
  api::ApiStatus Decode(api::Shape input) const;

 private:
  friend struct Parser;
  Protocol protocol_ = Protocol::kQuery;
  api::Action action_{};
  const std::string* body_ = nullptr;  // JSON
  FormParams params_;                  // Query
};

// The outcome of routing a request that could not be parsed: the protocol to answer in, and why.
struct RouteError {
  Protocol protocol;
  api::ApiError error;
  // AWS answers a queue-URL request without an Action with a bare 404 <UnknownOperationException/>.
  bool unknown_operation_404 = false;
  api::Service service = api::Service::kSqs;  // whose Query error format to use
};

Result<ParsedRequest, RouteError> Parse(const RequestView& request);

// The protocol a request would be answered in, for errors found before routing (body too large).
Protocol GuessProtocol(std::string_view amz_target);

struct EncodedResponse {
  uint16_t status = 200;
  std::string content_type;
  std::string body;
  std::optional<std::string> query_error;  // value of x-amzn-query-error, JSON errors only
};

EncodedResponse EncodeSuccess(Protocol protocol, api::Action action, std::string_view request_id,
                              api::Shape output);
// `service` picks the XML namespace and envelope of Query errors (SQS adds <Detail/>).
EncodedResponse EncodeError(Protocol protocol, std::string_view request_id,
                            const api::ApiError& error, api::Service service = api::Service::kSqs);
EncodedResponse EncodeRouteError(const RouteError& error, std::string_view request_id);

// The JSON 1.1 `__type` KMS gives an error (security.md §1.10, §4.5): its own exception names
// for KMS errors, the JSON names of the auth errors (UnrecognizedClientException, …).
std::string_view KmsErrorType(api::ErrorCode code);
// KMS answers every client error with HTTP 400 (AccessDeniedException included).
uint16_t KmsHttpStatus(api::ErrorCode code);

}  // namespace wharf::protocol
