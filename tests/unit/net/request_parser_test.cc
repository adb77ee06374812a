// RequestParser (net/request_parser.h) in memory, fed as a connection feeds it: the fields and
// body it writes into the HttpRequest, the limits, chunked bodies, pipelining and bad input. The
// answers the server gives for its errors (400, 431, body_too_large) are in http_server_test.cc;
// here the parser must report the same errors Beast's request_parser did, and the same request.

#include "net/request_parser.h"

#include <gtest/gtest.h>

#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wharf::net {
namespace {

namespace beast = boost::beast;
namespace http = boost::beast::http;

// Bytes as a connection's reads leave them in its buffer.
class Wire {
 public:
  explicit Wire(std::string_view bytes) { Append(bytes); }
  void Append(std::string_view bytes) {
    if (bytes.empty()) return;
    auto space = buffer.prepare(bytes.size());
    std::memcpy(space.data(), bytes.data(), bytes.size());
    buffer.commit(bytes.size());
  }
  std::string Rest() const { return beast::buffers_to_string(buffer.data()); }

  beast::flat_buffer buffer;
};

// Puts what the wire holds into the parser, consuming what it uses, until the header (or with
// `whole`, the message) is done or an error; need_more when the bytes run out (in a body, put()
// of nothing is no error: a connection reads first, as this returns).
beast::error_code Put(RequestParser& parser, Wire& wire, bool whole) {
  beast::error_code ec;
  parser.eager(whole);
  while (!(whole ? parser.is_done() : parser.is_header_done())) {
    if (wire.buffer.size() == 0) return http::error::need_more;
    const size_t used = parser.put(wire.buffer.data(), ec);
    wire.buffer.consume(used);
    if (ec) return ec;
  }
  return ec;
}

// One whole request, as a connection reads it; fails the test on a parse error.
HttpRequest ParseOne(std::string_view bytes, uint64_t max_body = 1 << 20) {
  std::optional<RequestParser> parser;
  StartRequest(parser);
  Wire wire(bytes);
  EXPECT_FALSE(Put(*parser, wire, false)) << bytes;
  parser->body_limit(max_body);
  EXPECT_FALSE(Put(*parser, wire, true)) << bytes;
  return parser->Release(false, "127.0.0.1");
}

// The error the header of `bytes` gets, whole and then arriving a byte at a time.
std::vector<beast::error_code> HeaderErrors(std::string_view bytes,
                                            uint32_t header_limit = kHeaderLimit) {
  std::vector<beast::error_code> errors;
  {
    std::optional<RequestParser> parser;
    StartRequest(parser, header_limit);
    Wire wire(bytes);
    errors.push_back(Put(*parser, wire, false));
  }
  std::optional<RequestParser> parser;
  StartRequest(parser, header_limit);
  Wire wire("");
  beast::error_code ec;
  for (char c : bytes) {
    wire.Append(std::string_view(&c, 1));
    ec = Put(*parser, wire, false);
    if (ec != http::error::need_more) break;
  }
  errors.push_back(ec);
  return errors;
}

TEST(RequestParserTest, FillsTheRequestAsReceived) {
  HttpRequest request = ParseOne(
      "POST /000000000000/q1?Action=X HTTP/1.1\r\nHost: localhost\r\nx-amz-Target: "
      "AmazonSQS.SendMessage\r\nX-MiXeD-Case:   v1  \r\nContent-Length: 5\r\n\r\nhello");
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.target, "/000000000000/q1?Action=X");
  HttpHeaders expected = {{"Host", "localhost"},
                          {"x-amz-Target", "AmazonSQS.SendMessage"},
                          {"X-MiXeD-Case", "v1"},  // surrounding whitespace is not the value
                          {"Content-Length", "5"}};
  EXPECT_EQ(request.headers, expected);
  EXPECT_EQ(request.body, "hello");
  EXPECT_GE(request.body.capacity(), request.body.size() + kBodyPadding);
  EXPECT_EQ(request.remote_address, "127.0.0.1");
  EXPECT_FALSE(request.body_too_large);
}

TEST(RequestParserTest, ManyHeadersInOrder) {
  std::string bytes = "GET / HTTP/1.1\r\n";
  for (int i = 0; i < 300; ++i) {
    bytes += "X-Field-" + std::to_string(i) + ": value-" + std::string(i % 50, 'v') + "\r\n";
  }
  bytes += "\r\n";
  HttpRequest request = ParseOne(bytes);
  ASSERT_EQ(request.headers.size(), 300u);
  for (size_t i = 0; i < 300; ++i) {
    EXPECT_EQ(request.headers[i].name, "X-Field-" + std::to_string(i));
    EXPECT_EQ(request.headers[i].value, "value-" + std::string(i % 50, 'v'));
  }
  EXPECT_EQ(request.Header("x-field-299"), "value-" + std::string(299 % 50, 'v'));
  EXPECT_TRUE(request.body.empty());
  EXPECT_GE(request.body.capacity(), kBodyPadding);
}

TEST(RequestParserTest, RepeatedHeadersKeepTheirOrderAndTheFirstIsFound) {
  HttpRequest request = ParseOne(
      "GET / HTTP/1.1\r\nX-Amz-Target: first\r\nHost: h\r\nx-amz-target: second\r\n"
      "X-AMZ-TARGET: third\r\n\r\n");
  HttpHeaders expected = {{"X-Amz-Target", "first"},
                          {"Host", "h"},
                          {"x-amz-target", "second"},
                          {"X-AMZ-TARGET", "third"}};
  EXPECT_EQ(request.headers, expected);
  EXPECT_EQ(request.Header("X-Amz-Target"), "first");
  EXPECT_EQ(request.Header("x-amz-target"), "first");
}

// Beast's request_parser, which the server used before, must see the same fields.
TEST(RequestParserTest, SameFieldsAsBeastsRequestParser) {
  const std::vector<std::string> requests = {
      "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
      "GET /x HTTP/1.0\r\nA:\r\nB: \t spaced out \t \r\nC:x\r\nempty:\r\n\r\n",
      "GET / HTTP/1.1\r\nFolded: one\r\n two\r\n\tthree\r\nAfter: x\r\n\r\n",
      "PUT /a%20b?c=d HTTP/1.1\r\nContent-Length: 3\r\nConnection: keep-alive, close\r\n\r\nabc",
      "PATCHY /weird HTTP/1.1\r\nX: \x80\xff high bytes\r\n\r\n",
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n0\r\nT: v\r\n\r\n",
  };
  for (const std::string& bytes : requests) {
    http::request_parser<http::string_body> beast_parser;
    beast_parser.eager(true);
    beast::error_code ec;
    beast_parser.put(boost::asio::buffer(bytes), ec);
    ASSERT_FALSE(ec) << bytes;
    ASSERT_TRUE(beast_parser.is_done()) << bytes;
    const auto& message = beast_parser.get();

    std::optional<RequestParser> parser;
    StartRequest(parser);
    Wire wire(bytes);
    ASSERT_FALSE(Put(*parser, wire, true)) << bytes;
    EXPECT_EQ(parser->keep_alive(), message.keep_alive()) << bytes;
    HttpRequest request = parser->Release(false, "");

    EXPECT_EQ(request.method, message.method_string()) << bytes;
    EXPECT_EQ(request.target, message.target()) << bytes;
    EXPECT_EQ(request.body, message.body()) << bytes;
    HttpHeaders expected;
    for (const auto& field : message) expected.Add(field.name_string(), field.value());
    EXPECT_EQ(request.headers, expected) << bytes;
  }
}

TEST(RequestParserTest, KeepAliveFollowsVersionAndConnection) {
  struct Case {
    std::string_view head;
    bool keep_alive;
  };
  for (const Case& c :
       {Case{"GET / HTTP/1.1\r\n", true}, Case{"GET / HTTP/1.1\r\nConnection: close\r\n", false},
        Case{"GET / HTTP/1.1\r\nConnection: Keep-Alive, Close\r\n", false},
        Case{"GET / HTTP/1.0\r\n", false},
        Case{"GET / HTTP/1.0\r\nConnection: keep-alive\r\n", true}}) {
    std::optional<RequestParser> parser;
    StartRequest(parser);
    Wire wire(std::string(c.head) + "\r\n");
    ASSERT_FALSE(Put(*parser, wire, true)) << c.head;
    EXPECT_EQ(parser->keep_alive(), c.keep_alive) << c.head;
  }
}

TEST(RequestParserTest, HeaderArrivingAByteAtATimeGivesTheSameRequest) {
  const std::string bytes =
      "POST /q HTTP/1.1\r\nHost: localhost\r\nAuthorization: AWS4-HMAC-SHA256 Credential=x\r\n"
      "Content-Length: 11\r\n\r\nhello world";
  std::optional<RequestParser> parser;
  StartRequest(parser);
  Wire wire("");
  beast::error_code ec = http::error::need_more;
  size_t i = 0;
  while (ec == http::error::need_more && i < bytes.size()) {
    wire.Append(bytes.substr(i++, 1));
    ec = Put(*parser, wire, true);
  }
  ASSERT_FALSE(ec);
  HttpRequest request = parser->Release(false, "");
  HttpRequest whole = ParseOne(bytes);
  EXPECT_EQ(request.method, whole.method);
  EXPECT_EQ(request.target, whole.target);
  EXPECT_EQ(request.headers, whole.headers);
  EXPECT_EQ(request.headers.size(), 3u);
  EXPECT_EQ(request.body, "hello world");
}

TEST(RequestParserTest, ExpectIsSeenBeforeTheBody) {
  std::optional<RequestParser> parser;
  StartRequest(parser);
  Wire wire("PUT / HTTP/1.1\r\nexpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
  ASSERT_FALSE(Put(*parser, wire, false));
  EXPECT_FALSE(parser->is_done());
  EXPECT_EQ(parser->request().Header("Expect"), "100-continue");
  EXPECT_EQ(parser->request().method, "PUT");
  wire.Append("body");
  ASSERT_FALSE(Put(*parser, wire, true));
  EXPECT_EQ(parser->Release(false, "").body, "body");
}

TEST(RequestParserTest, HeaderOverTheLimitIsHeaderLimit) {
  const std::string big =
      "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(70 * 1024, 'h') + "\r\n\r\n";
  for (const auto& ec : HeaderErrors(big)) EXPECT_EQ(ec, http::error::header_limit);
  // Many small fields over a smaller configured limit.
  std::string many = "GET / HTTP/1.1\r\n";
  for (int i = 0; i < 100; ++i) many += "X-" + std::to_string(i) + ": 0123456789\r\n";
  many += "\r\n";
  for (const auto& ec : HeaderErrors(many, 1024)) EXPECT_EQ(ec, http::error::header_limit);
  for (const auto& ec : HeaderErrors(many, kHeaderLimit)) EXPECT_FALSE(ec);
}

TEST(RequestParserTest, MalformedRequestLinesAreHttpErrorsButNotHeaderLimit) {
  for (std::string_view bad :
       {"THIS IS NOT HTTP\r\n\r\n", "GET / HTTP/1.1 extra\r\n\r\n", "GET  / HTTP/1.1\r\n\r\n",
        "GET / HTTP/x.1\r\n\r\n", "GET\r\n\r\n", "G\x01T / HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.1\r\nBad Header: x\r\n\r\n", "POST / HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"}) {
    for (const auto& ec : HeaderErrors(bad)) {
      // connection.cc answers an error of Beast's HTTP category other than these with 400.
      EXPECT_TRUE(ec) << bad;
      EXPECT_EQ(ec.category(), http::make_error_code(http::error::bad_target).category()) << bad;
      EXPECT_NE(ec, http::error::header_limit) << bad;
      EXPECT_NE(ec, http::error::need_more) << bad;
      EXPECT_NE(ec, http::error::end_of_stream) << bad;
      EXPECT_NE(ec, http::error::partial_message) << bad;
    }
  }
}

TEST(RequestParserTest, ContentLengthOverTheLimitIsSeenInTheHeader) {
  // The connection compares content_length() with max_body_bytes before reading the body.
  std::optional<RequestParser> parser;
  StartRequest(parser);
  Wire wire("POST / HTTP/1.1\r\nContent-Length: 1000000000000\r\n\r\nabc");
  ASSERT_FALSE(Put(*parser, wire, false));
  ASSERT_TRUE(parser->content_length());
  EXPECT_EQ(*parser->content_length(), 1000000000000u);
  HttpRequest request = parser->Release(true, "");
  EXPECT_TRUE(request.body_too_large);
  EXPECT_TRUE(request.body.empty());
  EXPECT_GE(request.body.capacity(), kBodyPadding);
  EXPECT_EQ(request.Header("Content-Length"), "1000000000000");
}

TEST(RequestParserTest, ChunkedBodyOverTheLimitIsBodyLimit) {
  std::optional<RequestParser> parser;
  StartRequest(parser);
  Wire wire("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n");
  ASSERT_FALSE(Put(*parser, wire, false));
  parser->body_limit(8);
  wire.Append("5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n");
  ChunkedBodyReader reader(kHeaderLimit);
  beast::error_code ec;
  EXPECT_EQ(reader.Read(*parser, wire.buffer, ec), BodyStep::kError);
  EXPECT_EQ(ec, http::error::body_limit);
  HttpRequest request = parser->Release(true, "");
  EXPECT_TRUE(request.body_too_large);
  EXPECT_TRUE(request.body.empty());
}

TEST(RequestParserTest, ContentLengthBodyIsReservedOnceWithPadding) {
  const std::string body(100000, 'b');
  std::optional<RequestParser> parser;
  StartRequest(parser);
  Wire wire("POST / HTTP/1.1\r\nContent-Length: 100000\r\n\r\n");
  ASSERT_FALSE(Put(*parser, wire, false));
  parser->body_limit(100000);
  const char* data = nullptr;
  for (size_t at = 0; at < body.size(); at += 4096) {
    wire.Append(std::string_view(body).substr(at, 4096));
    beast::error_code ec = Put(*parser, wire, true);
    if (at + 4096 < body.size()) {
      ASSERT_EQ(ec, http::error::need_more);
    } else {
      ASSERT_FALSE(ec);
    }
    if (data == nullptr) data = parser->request().body.data();
    EXPECT_EQ(parser->request().body.data(), data) << "the body moved at " << at;
  }
  HttpRequest request = parser->Release(false, "");
  EXPECT_EQ(request.body, body);
  EXPECT_GE(request.body.capacity(), body.size() + kBodyPadding);
}

TEST(RequestParserTest, ChunkedBodyIsJoinedWithPadding) {
  std::optional<RequestParser> parser;
  StartRequest(parser);
  Wire wire("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n");
  ASSERT_FALSE(Put(*parser, wire, false));
  EXPECT_TRUE(parser->chunked());
  parser->body_limit(1 << 20);
  ChunkedBodyReader reader(kHeaderLimit);
  beast::error_code ec;
  std::string expected;
  // Chunks of every size up to 300 bytes, with extensions, a byte at a time.
  std::string rest;
  for (int size = 1; size <= 300; size += 7) {
    std::string chunk(size, static_cast<char>('a' + size % 26));
    expected += chunk;
    char line[32];
    std::snprintf(line, sizeof line, "%x;name=value\r\n", size);
    rest += line + chunk + "\r\n";
  }
  rest += "0\r\nX-Trailer: t\r\n\r\nGET /next HTTP/1.1\r\n\r\n";
  BodyStep step = BodyStep::kNeedMore;
  size_t i = 0;
  while (step == BodyStep::kNeedMore && i < rest.size()) {
    wire.Append(std::string_view(rest).substr(i++, 1));
    step = reader.Read(*parser, wire.buffer, ec);
  }
  ASSERT_EQ(step, BodyStep::kDone) << ec.message();
  HttpRequest request = parser->Release(false, "");
  EXPECT_EQ(request.body, expected);
  EXPECT_GE(request.body.capacity(), request.body.size() + kBodyPadding);
  // Trailer fields follow the header's, as with Beast's request_parser (which the server used
  // before): a lookup finds a header field before a trailer field of the same name.
  HttpHeaders fields = {{"Host", "h"}, {"Transfer-Encoding", "chunked"}, {"X-Trailer", "t"}};
  EXPECT_EQ(request.headers, fields);
}

TEST(RequestParserTest, PipelinedSecondRequestStaysForTheNextParser) {
  Wire wire(
      "POST /one HTTP/1.1\r\nContent-Length: 3\r\nX-N: 1\r\n\r\nabc"
      "GET /two HTTP/1.1\r\nX-N: 2\r\n\r\n"
      "POST /three HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nz\r\n0\r\n\r\n");
  std::optional<RequestParser> parser;

  StartRequest(parser);
  ASSERT_FALSE(Put(*parser, wire, false));
  ASSERT_FALSE(Put(*parser, wire, true));
  HttpRequest one = parser->Release(false, "");
  EXPECT_EQ(one.target, "/one");
  EXPECT_EQ(one.body, "abc");
  EXPECT_EQ(one.Header("X-N"), "1");
  EXPECT_EQ(wire.Rest().rfind("GET /two", 0), 0u);

  StartRequest(parser);
  ASSERT_FALSE(Put(*parser, wire, false));
  EXPECT_TRUE(parser->is_done());  // no body
  HttpRequest two = parser->Release(false, "");
  EXPECT_EQ(two.method, "GET");
  EXPECT_EQ(two.target, "/two");
  EXPECT_EQ(two.headers.size(), 1u);
  EXPECT_EQ(two.Header("X-N"), "2");
  EXPECT_TRUE(two.body.empty());
  EXPECT_GE(two.body.capacity(), kBodyPadding);

  StartRequest(parser);
  ASSERT_FALSE(Put(*parser, wire, false));
  ChunkedBodyReader reader(kHeaderLimit);
  beast::error_code ec;
  ASSERT_EQ(reader.Read(*parser, wire.buffer, ec), BodyStep::kDone);
  HttpRequest three = parser->Release(false, "");
  EXPECT_EQ(three.target, "/three");
  EXPECT_EQ(three.body, "z");
  EXPECT_EQ(wire.buffer.size(), 0u);
}

}  // namespace
}  // namespace wharf::net
