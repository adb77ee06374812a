#include "bench/admin.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include "bench/response_scan.h"

namespace wharf::bench {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;

struct Answer {
  std::string error;  // transport failure
  int status = 0;
  std::string query_error;
  std::string body;
};

Answer Call(const HostPort& server, RequestWriter& writer) {
  Answer answer;
  writer.Finish();
  asio::io_context io;
  boost::system::error_code ec;
  asio::ip::tcp::resolver resolver(io);
  auto endpoints = resolver.resolve(server.host, server.port, ec);
  asio::ip::tcp::socket socket(io);
  if (!ec) asio::connect(socket, endpoints, ec);
  if (!ec) {
    const std::array<asio::const_buffer, 2> buffers{
        asio::buffer(writer.head().data(), writer.head().size()),
        asio::buffer(writer.body().data(), writer.body().size())};
    asio::write(socket, buffers, ec);
  }
  boost::beast::flat_buffer buffer;
  http::response<http::string_body> response;
  if (!ec) http::read(socket, buffer, response, ec);
  if (ec) {
    answer.error = "cannot reach " + server.host + ":" + server.port + ": " + ec.message();
    return answer;
  }
  answer.status = static_cast<int>(response.result_int());
  answer.query_error = std::string(response["x-amzn-query-error"]);
  answer.body = std::move(response.body());
  return answer;
}

AdminResult Fail(const Target& target, const Answer& answer) {
  AdminResult result;
  if (!answer.error.empty()) {
    result.error = answer.error;
    return result;
  }
  std::string code(ErrorCode(target.protocol, answer.query_error, answer.body));
  std::string_view raw;
  std::string message;
  if (ValueScanner(target.protocol, answer.body, "message").Next(raw) ||
      ValueScanner(target.protocol, answer.body, "Message").Next(raw)) {
    UnescapeTo(target.protocol, raw, message);
  }
  result.error = "HTTP " + std::to_string(answer.status) + (code.empty() ? "" : " " + code) +
                 (message.empty() ? "" : ": " + message);
  return result;
}

}  // namespace

AdminResult CreateQueue(const HostPort& server, const Target& target, std::string_view name,
                        std::span<const QueueAttribute> attributes) {
  RequestWriter writer(target);
  writer.CreateQueue(name, attributes);
  const Answer answer = Call(server, writer);
  if (answer.status != 200) return Fail(target, answer);
  AdminResult result;
  std::string_view raw;
  if (!ValueScanner(target.protocol, answer.body, "QueueUrl").Next(raw)) {
    result.error = "CreateQueue answered without a QueueUrl";
    return result;
  }
  UnescapeTo(target.protocol, raw, result.value);
  result.ok = true;
  return result;
}

AdminResult DeleteQueue(const HostPort& server, const Target& target, std::string_view queue_url) {
  RequestWriter writer(target);
  writer.set_queue_url(queue_url);
  writer.DeleteQueue();
  const Answer answer = Call(server, writer);
  if (answer.status != 200) return Fail(target, answer);
  AdminResult result;
  result.ok = true;
  return result;
}

}  // namespace wharf::bench
