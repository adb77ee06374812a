#pragma once

// Plain HTTP request/response objects: what the network layer hands upward and takes back.
// They carry no Boost types, so the layers above compile without Asio/Beast headers.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/http_headers.h"

namespace wharf::net {

struct HttpRequest {
  std::string method;   // "GET", "POST", ...
  std::string target;   // raw request-target: path plus "?query", still percent-encoded
  HttpHeaders headers;  // in the order received, names as received
  // The body. Its capacity is at least size() + kBodyPadding, so parsers that read a few bytes
  // past the end (simdjson) can use it without copying.
  std::string body;
  std::string remote_address;
  bool is_tls = false;
  // Set when the declared or received body exceeded the server's limit: `body` is then empty,
  // the handler must answer with an error, and the connection is closed after the answer.
  bool body_too_large = false;

  // First header with this name, case-insensitively; "" when absent.
  std::string_view Header(std::string_view name) const;
  std::string_view Path() const;   // target up to '?'
  std::string_view Query() const;  // target after '?', or ""
};

inline constexpr size_t kBodyPadding = 64;

struct HttpResponse {
  uint16_t status = 200;
  std::vector<std::pair<std::string, std::string>> headers;  // Content-Type etc.
  std::string body;
};

// Answers one request. Call exactly once, from any thread; the network layer moves the write
// onto the connection's own executor.
using Responder = std::function<void(HttpResponse)>;
using RequestHandler = std::function<void(HttpRequest&&, Responder)>;

}  // namespace wharf::net
