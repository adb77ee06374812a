#pragma once

// How the server turns bytes into an HttpRequest, apart from the socket: Beast's request parser
// with Wharf's body type and limits, and the conversion of a parsed message into the
// HttpRequest handed upward. http_server.cc drives it from the connection's reads; the fuzz
// target tests/fuzz/http_request_fuzz.cc drives it from memory. Internal to net/ (it includes
// Beast): nothing above net/ may include it.

#include <algorithm>
#include <boost/beast/http.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "net/http.h"

namespace wharf::net {

// The header section (request line + fields) of one request may not exceed this by default
// (ServerOptions::max_header_bytes).
inline constexpr uint32_t kHeaderLimit = 64 * 1024;

// A string body whose capacity always leaves kBodyPadding spare bytes after the data, so
// simdjson can parse it in place. Content-Length bodies are reserved once, up front.
struct PaddedBody {
  using value_type = std::string;

  static uint64_t size(const value_type& body) { return body.size(); }

  class reader {
   public:
    template <bool isRequest, class Fields>
    explicit reader(boost::beast::http::header<isRequest, Fields>&, value_type& body)
        : body_(body) {}

    void init(const boost::optional<uint64_t>& length, boost::beast::error_code& ec) {
      if (length) {
        if (*length > body_.max_size() - kBodyPadding) {
          ec = boost::beast::http::error::buffer_overflow;
          return;
        }
        body_.reserve(static_cast<size_t>(*length) + kBodyPadding);
      }
      ec = {};
    }

    template <class ConstBufferSequence>
    size_t put(const ConstBufferSequence& buffers, boost::beast::error_code& ec) {
      size_t n = boost::beast::buffer_bytes(buffers);
      size_t needed = body_.size() + n + kBodyPadding;
      if (body_.capacity() < needed) body_.reserve(std::max(needed, 2 * body_.capacity()));
      for (auto b : boost::beast::buffers_range_ref(buffers)) {
        body_.append(static_cast<const char*>(b.data()), b.size());
      }
      ec = {};
      return n;
    }

    void finish(boost::beast::error_code& ec) {
      if (body_.capacity() < body_.size() + kBodyPadding)
        body_.reserve(body_.size() + kBodyPadding);
      ec = {};
    }

   private:
    value_type& body_;
  };
};

using RequestParser = boost::beast::http::request_parser<PaddedBody>;

// A fresh parser for the next request on a connection. No body limit while reading the header:
// an oversized Content-Length must reach the handler as body_too_large rather than fail the
// header; the caller sets the limit before reading the body.
inline void StartRequest(std::optional<RequestParser>& parser,
                         uint32_t header_limit = kHeaderLimit) {
  parser.emplace();
  parser->header_limit(header_limit);
  parser->body_limit(boost::none);
}

// The request handed to the handler. With `body_too_large` the body is left out (unread).
inline HttpRequest ToHttpRequest(RequestParser::value_type&& message, bool body_too_large,
                                 std::string remote_address) {
  HttpRequest request;
  request.method = std::string(message.method_string());
  request.target = std::string(message.target());
  request.headers.reserve(16);
  for (const auto& field : message) {
    request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  if (body_too_large) {
    request.body_too_large = true;
  } else {
    request.body = std::move(message.body());
  }
  // Bodies read by PaddedBody already have the padding; empty ones need it too.
  if (request.body.capacity() < request.body.size() + kBodyPadding) {
    request.body.reserve(request.body.size() + kBodyPadding);
  }
  request.remote_address = std::move(remote_address);
  return request;
}

}  // namespace wharf::net
