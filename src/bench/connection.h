#pragma once

// One keep-alive HTTP/1.1 client connection on Boost.Asio/Beast, running its workload in a loop:
// ask for the next request, write it, read the answer, hand it back, repeat. Requests and
// answers go through buffers owned by the connection and reused, and answers are parsed with a
// Beast basic_parser that keeps only what the generator needs (status, x-amzn-query-error,
// body), so a request costs no heap allocation once the buffers have grown.
//
// Thread: everything runs on the io_context's (single) thread. Lifetime: the connection must
// outlive that io_context's run(); the runner keeps it until the thread has ended.
// Transport failures (refused, reset, timeout) are recorded and followed by a reconnect.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <memory>
#include <optional>
#include <string>

#include "bench/recorder.h"
#include "bench/request_writer.h"
#include "bench/workload.h"

namespace wharf::bench {

// An HTTP response parser that stores the status, the x-amzn-query-error header and the body
// (into a string owned by the caller, whose capacity survives from one answer to the next).
class ResponseParser final : public boost::beast::http::basic_parser<false> {
 public:
  ResponseParser(std::string& body, std::string& query_error)
      : body_(body), query_error_(query_error) {
    body_.clear();
    query_error_.clear();
  }
  int status() const { return status_; }

 private:
  using error_code = boost::beast::error_code;
  void on_request_impl(boost::beast::http::verb, boost::beast::string_view,
                       boost::beast::string_view, int, error_code&) override {}
  void on_response_impl(int code, boost::beast::string_view, int, error_code&) override {
    status_ = code;
  }
  void on_field_impl(boost::beast::http::field, boost::beast::string_view name,
                     boost::beast::string_view value, error_code&) override;
  void on_header_impl(error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>& length, error_code&) override;
  size_t on_body_impl(boost::beast::string_view data, error_code&) override;
  void on_chunk_header_impl(std::uint64_t, boost::beast::string_view, error_code&) override {}
  size_t on_chunk_body_impl(std::uint64_t, boost::beast::string_view data, error_code&) override;
  void on_finish_impl(error_code&) override {}

  std::string& body_;
  std::string& query_error_;
  int status_ = 0;
};

struct ConnectionConfig {
  Target target;
  std::string queue_url;
  boost::asio::ip::tcp::resolver::results_type endpoints;
  std::chrono::seconds request_timeout{45};  // more than a 20 s long poll
};

class Connection {
 public:
  Connection(boost::asio::io_context& io, const ConnectionConfig& config,
             std::unique_ptr<Workload> workload, Recorder& recorder, RunControl& control);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void Start();
  // Called periodically on the connection's thread: enforces the request timeout and the
  // run's force-close.
  void Watch(int64_t now_ns);
  bool finished() const { return finished_; }

 private:
  void Connect();
  void Loop();
  void Send();
  void OnRead(const boost::beast::error_code& ec);
  void TransportFailure(const boost::beast::error_code& ec);
  bool Stopping() const;
  void Finish();

  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer timer_;
  const ConnectionConfig& config_;
  std::unique_ptr<Workload> workload_;
  Recorder& recorder_;
  RunControl& control_;
  RequestWriter writer_;

  static constexpr size_t kReadBufferBytes = 64 << 10;
  boost::beast::flat_buffer read_buffer_;
  std::optional<ResponseParser> parser_;
  std::string response_body_;
  std::string query_error_;
  std::string error_text_;

  bool in_flight_ = false;
  bool timed_out_ = false;
  bool finished_ = false;
  int64_t sent_ns_ = 0;
};

}  // namespace wharf::bench
