#include "net/request_parser.h"

#include <algorithm>
#include <utility>

namespace wharf::net {
namespace {

namespace http = boost::beast::http;

// Room for the fields before the first arrives, so that a typical request adds its own without
// growing the two buffers of HttpHeaders: a signed AWS SDK request has about ten fields (Host,
// X-Amz-Date, X-Amz-Target, Authorization, x-amz-content-sha256, ...) holding 500-900 bytes of
// names and values. Larger ones grow the buffers as a vector and a string do.
constexpr size_t kTypicalFields = 16;
constexpr size_t kTypicalFieldBytes = 1024;

// Keeps kBodyPadding spare bytes after the data, growing geometrically for bodies of unknown
// length (chunked).
void AppendToBody(std::string& body, std::string_view piece) {
  const size_t needed = body.size() + piece.size() + kBodyPadding;
  if (body.capacity() < needed) body.reserve(std::max(needed, 2 * body.capacity()));
  body.append(piece);
}

void EnsurePadding(std::string& body) {
  if (body.capacity() < body.size() + kBodyPadding) body.reserve(body.size() + kBodyPadding);
}

}  // namespace

HttpRequest RequestParser::Release(bool body_too_large, std::string remote_address) {
  HttpRequest request = std::move(request_);
  if (body_too_large) {
    request.body_too_large = true;
    request.body = std::string();
  }
  EnsurePadding(request.body);  // an empty or refused body needs it too
  request.remote_address = std::move(remote_address);
  return request;
}

// basic_parser clears `ec` before each of these calls; they set it only to fail the request.

void RequestParser::on_request_impl(http::verb, string_view method_str, string_view target, int,
                                    error_code&) {
  request_.method.assign(method_str);  // as received: Beast matches known verbs exactly
  request_.target.assign(target);
  request_.headers.Reserve(kTypicalFields, kTypicalFieldBytes);
}

void RequestParser::on_response_impl(int, string_view, int, error_code&) {
  // Never called: basic_parser<true> reads requests only.
}

void RequestParser::on_field_impl(http::field, string_view name_string, string_view value,
                                  error_code&) {
  request_.headers.Add(name_string, value);
}

void RequestParser::on_header_impl(error_code&) {}

void RequestParser::on_body_init_impl(const boost::optional<uint64_t>& content_length,
                                      error_code& ec) {
  if (!content_length) return;  // chunked: grows as chunks arrive
  if (*content_length > request_.body.max_size() - kBodyPadding) {
    ec = http::error::buffer_overflow;
    return;
  }
  request_.body.reserve(static_cast<size_t>(*content_length) + kBodyPadding);
}

size_t RequestParser::on_body_impl(string_view body, error_code&) {
  AppendToBody(request_.body, body);
  return body.size();
}

// Chunk extensions mean nothing to Wharf; Beast's request_parser ignores them too.
void RequestParser::on_chunk_header_impl(uint64_t, string_view, error_code&) {}

size_t RequestParser::on_chunk_body_impl(uint64_t, string_view body, error_code&) {
  AppendToBody(request_.body, body);
  return body.size();
}

void RequestParser::on_finish_impl(error_code&) { EnsurePadding(request_.body); }

}  // namespace wharf::net
