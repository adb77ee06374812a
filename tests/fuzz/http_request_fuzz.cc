// Fuzzes how the server reads requests off a connection (src/net/request_parser.h): Wharf's
// RequestParser (Beast's basic_parser filling an HttpRequest) with Wharf's limits, fed the way a
// connection is — pipelined requests, bytes arriving in chunks — then Release, the accessors
// the layers above use (Header, Path, Query), and the protocol router over the result, as the
// server's dispatcher builds it. This is every byte a client sends before anything is
// authenticated.
//
// Input: byte 0 = read size (1..256 bytes per read, like a slow or fragmenting client) and a
// small body limit or the default; the rest is the byte stream of one connection. The loop
// mirrors net/connection.cc's Connection: read the header (limit 64 KiB), refuse a declared
// body over the limit as body_too_large, read the body under the limit (a chunked one with
// ChunkedBodyReader, as the server does), hand the request over,
// and go on with the next one while the connection is kept alive. Checked besides "no crash, no
// hang, no UB, no leak":
//   * a request's body keeps kBodyPadding spare bytes of capacity (simdjson reads past the end);
//   * Path() + '?' + Query() gives back the target; Header() is the first field of that name,
//     case-insensitively;
//   * a body reaches the handler only whole and within the limit;
//   * the router accepts or refuses every request without crashing.

#include <algorithm>
#include <boost/beast/core/flat_buffer.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "net/request_parser.h"
#include "protocol/protocol.h"

namespace wharf::net {
namespace {

namespace http = boost::beast::http;

[[noreturn]] void Fail(const char* what, std::string_view detail = {}) {
  std::fprintf(stderr, "http_request_fuzz: %s\n%.*s\n", what, static_cast<int>(detail.size()),
               detail.data());
  std::abort();
}

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

void CheckRequest(const HttpRequest& request, uint64_t max_body) {
  if (request.body.capacity() < request.body.size() + kBodyPadding) {
    Fail("a body without its padding");
  }
  if (request.body.size() > max_body) Fail("a body over the limit reached the handler");
  if (request.body_too_large && !request.body.empty()) Fail("a refused body reached the handler");
  const std::string_view target = request.target;
  const size_t q = target.find('?');
  if (request.Path() != target.substr(0, q)) Fail("Path() is not the target up to '?'", target);
  if (request.Query() != (q == std::string_view::npos ? "" : target.substr(q + 1))) {
    Fail("Query() is not the target after '?'", target);
  }
  for (const auto& [name, value] : request.headers) {
    std::string_view first;
    for (const auto& [other, other_value] : request.headers) {
      if (IEquals(other, name)) {
        first = other_value;
        break;
      }
    }
    if (request.Header(name) != first) Fail("Header() is not the first field of its name", name);
  }

  // What the dispatcher hands the protocol layer (server/), then routing and decoding as a
  // queue-less input would (the typed decoders have their own target).
  const protocol::RequestView view{request.method,
                                   request.Path(),
                                   request.Query(),
                                   request.Header("Content-Type"),
                                   request.Header("X-Amz-Target"),
                                   &request.body,
                                   "sqs"};
  auto parsed = protocol::Parse(view);
  if (!parsed.ok()) return;
  (void)parsed->action();
}

// One connection's byte stream, read `chunk` bytes at a time.
class Connection {
 public:
  Connection(std::string_view stream, size_t chunk, uint64_t max_body)
      : stream_(stream), chunk_(chunk), max_body_(max_body) {}

  void Run() {
    for (int requests = 0; requests < 64; ++requests) {
      if (!ReadOne()) return;
    }
  }

 private:
  // Moves up to one read's worth of the stream into the buffer; false at the end of the stream.
  bool Receive() {
    if (stream_.empty()) return false;
    const size_t n = std::min(chunk_, stream_.size());
    auto space = buffer_.prepare(n);
    std::memcpy(space.data(), stream_.data(), n);
    buffer_.commit(n);
    stream_.remove_prefix(n);
    return true;
  }

  // Feeds the parser until `done` or an error; false when the connection ends.
  template <typename Done>
  bool Feed(boost::beast::error_code& ec, Done done) {
    while (!done()) {
      // The peer closed: a request never has a body that ends with the stream, so there is
      // nothing to answer (the server closes too).
      if (buffer_.size() == 0 && !Receive()) return false;
      const size_t used = parser_->put(buffer_.data(), ec);
      buffer_.consume(used);
      if (ec == http::error::need_more) {
        ec = {};
        if (!Receive()) return false;
        continue;
      }
      if (ec) return false;
    }
    return true;
  }

  // As Connection::ReadChunkedBody: false when the connection ends or `ec` is set.
  bool ReadChunkedBody(boost::beast::error_code& ec) {
    ChunkedBodyReader reader(kHeaderLimit);
    for (;;) {
      switch (reader.Read(*parser_, buffer_, ec)) {
        case BodyStep::kDone:
          return true;
        case BodyStep::kError:
          return false;
        case BodyStep::kNeedMore:
          if (!Receive()) return false;
          break;
      }
    }
  }

  bool ReadOne() {
    StartRequest(parser_);
    boost::beast::error_code ec;
    if (!Feed(ec, [&] { return parser_->is_header_done(); })) return false;  // 400/431 or EOF
    const bool keep_alive = parser_->keep_alive();
    if (auto length = parser_->content_length(); length && *length > max_body_) {
      CheckRequest(parser_->Release(/*body_too_large=*/true, "127.0.0.1"), max_body_);
      return false;  // answered, then the connection closes
    }
    if (!parser_->is_done() && parser_->chunked()) {
      parser_->body_limit(max_body_);
      if (!ReadChunkedBody(ec)) {
        if (ec == http::error::body_limit) {
          CheckRequest(parser_->Release(/*body_too_large=*/true, "127.0.0.1"), max_body_);
        }
        return false;
      }
    } else if (!parser_->is_done()) {
      parser_->body_limit(max_body_);
      if (!Feed(ec, [&] { return parser_->is_done(); })) {
        if (ec == http::error::body_limit) {
          CheckRequest(parser_->Release(/*body_too_large=*/true, "127.0.0.1"), max_body_);
        }
        return false;
      }
    }
    CheckRequest(parser_->Release(/*body_too_large=*/false, "127.0.0.1"), max_body_);
    return keep_alive;
  }

  std::string_view stream_;
  const size_t chunk_;
  const uint64_t max_body_;
  boost::beast::flat_buffer buffer_;
  std::optional<RequestParser> parser_;
};

}  // namespace
}  // namespace wharf::net

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const size_t chunk = 1 + (data[0] & 0x7f) * 2;
  const uint64_t max_body = (data[0] & 0x80) ? 64 : 8 * 1024 * 1024;
  wharf::net::Connection(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1), chunk,
                         max_body)
      .Run();
  return 0;
}
