#pragma once

// How the server turns bytes into an HttpRequest, apart from the socket: Beast's request parser
// with Wharf's body type and limits, and the conversion of a parsed message into the
// HttpRequest handed upward. http_server.cc drives it from the connection's reads; the fuzz
// target tests/fuzz/http_request_fuzz.cc drives it from memory. Internal to net/ (it includes
// Beast): nothing above net/ may include it.

#include <algorithm>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cstddef>
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

// Reads a chunked body out of a connection's buffer, in place of http::async_read, because of two
// flaws of Beast 1.74 (Debian 12) in chunked parsing that any client can reach:
//   * parse_chunk_header's BOOST_ASSERT(n >= 5) is too strict: after the last chunk "0\r\n" was
//     seen, a put() of fewer than 5 bytes (the rest of the message arriving a byte at a time)
//     aborts a build with assertions on (fixed in Boost 1.86, boostorg/beast#2861). The parser
//     never completes a held-back chunk line with fewer than 5 bytes ("0\r\n\r\n" is the
//     shortest end), so after need_more it gets the bytes again only once there are 5.
//   * a chunk-size line and the trailer have no length limit (boostorg/beast#3077 added one): the
//     bytes the parser holds back are capped here at `pending_limit`, then the request is refused
//     as bad_chunk (400) instead of the buffer growing while the client keeps sending.
// Content-Length bodies do not need it and still go through http::async_read.
enum class BodyStep { kDone, kNeedMore, kError };

class ChunkedBodyReader {
 public:
  static constexpr size_t kMinHeldBackPut = 5;

  explicit ChunkedBodyReader(size_t pending_limit) : pending_limit_(pending_limit) {}

  // Parses what `buffer` holds of the body and consumes it. kNeedMore: read more into `buffer`
  // and call again; kError: `ec` says why (body_limit for a body over the parser's limit).
  BodyStep Read(RequestParser& parser, boost::beast::flat_buffer& buffer,
                boost::beast::error_code& ec) {
    parser.eager(true);
    while (!parser.is_done()) {
      if (buffer.size() == 0 || (held_back_ && buffer.size() < kMinHeldBackPut)) {
        return BodyStep::kNeedMore;
      }
      const size_t used = parser.put(buffer.data(), ec);
      buffer.consume(used);
      held_back_ = false;
      if (ec == boost::beast::http::error::need_more) {
        ec = {};
        if (buffer.size() > pending_limit_) {
          ec = boost::beast::http::error::bad_chunk;
          return BodyStep::kError;
        }
        held_back_ = true;
        return BodyStep::kNeedMore;
      }
      if (ec) return BodyStep::kError;
    }
    return BodyStep::kDone;
  }

 private:
  size_t pending_limit_;
  bool held_back_ = false;  // the parser returned need_more on what `buffer` holds
};

// The request handed to the handler. With `body_too_large` the body is left out (unread).
inline HttpRequest ToHttpRequest(RequestParser::value_type&& message, bool body_too_large,
                                 std::string remote_address) {
  HttpRequest request;
  request.method = std::string(message.method_string());
  request.target = std::string(message.target());
  size_t fields = 0;
  size_t bytes = 0;
  for (const auto& field : message) {
    ++fields;
    bytes += field.name_string().size() + field.value().size();
  }
  request.headers.Reserve(fields, bytes);
  for (const auto& field : message) request.headers.Add(field.name_string(), field.value());
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
