#pragma once

// How the server turns bytes into an HttpRequest, apart from the socket: Beast's HTTP/1.1 grammar
// (basic_parser) with Wharf's limits, writing each field and the body straight into the
// HttpRequest handed upward. http_server.cc drives it from the connection's reads; the fuzz
// target tests/fuzz/http_request_fuzz.cc drives it from memory. Internal to net/ (it includes
// Beast): nothing above net/ may include it.

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "net/http.h"

namespace wharf::net {

// The header section (request line + fields) of one request may not exceed this by default
// (ServerOptions::max_header_bytes).
inline constexpr uint32_t kHeaderLimit = 64 * 1024;

// One request. Beast's request_parser would keep the fields in its own list (an allocation per
// field) to be copied into HttpHeaders afterwards; this parser appends them to HttpHeaders as
// the grammar finds them, and the body to HttpRequest::body with kBodyPadding spare bytes of
// capacity (simdjson parses it in place; a Content-Length body is reserved once, up front).
// The trailer fields of a chunked body follow the header's, as they did with request_parser.
// Not reusable: one per request (Beast's parsers are not). Lives on the connection's loop.
class RequestParser final : public boost::beast::http::basic_parser<true> {
 public:
  // Valid once the header is done (is_header_done()). The fields, method and target are
  // final then; the body is not until is_done().
  const HttpRequest& request() const { return request_; }

  // The request for the handler; the parser is spent. With `body_too_large` the body (unread,
  // or read only in part) is left out.
  HttpRequest Release(bool body_too_large, std::string remote_address);

 private:
  using string_view = boost::beast::string_view;
  using error_code = boost::beast::error_code;

  void on_request_impl(boost::beast::http::verb method, string_view method_str, string_view target,
                       int version, error_code& ec) override;
  void on_response_impl(int code, string_view reason, int version, error_code& ec) override;
  void on_field_impl(boost::beast::http::field name, string_view name_string, string_view value,
                     error_code& ec) override;
  void on_header_impl(error_code& ec) override;
  void on_body_init_impl(const boost::optional<uint64_t>& content_length, error_code& ec) override;
  size_t on_body_impl(string_view body, error_code& ec) override;
  void on_chunk_header_impl(uint64_t size, string_view extensions, error_code& ec) override;
  size_t on_chunk_body_impl(uint64_t remain, string_view body, error_code& ec) override;
  void on_finish_impl(error_code& ec) override;

  HttpRequest request_;
};

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

}  // namespace wharf::net
