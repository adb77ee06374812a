#include "bench/connection.h"

#include <strings.h>

#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>

#include "bench/response_scan.h"

namespace wharf::bench {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;

// Ten 1 MiB messages and their envelope fit.
constexpr uint64_t kBodyLimit = 64ull * 1024 * 1024;
constexpr std::chrono::milliseconds kReconnectDelay{100};

}  // namespace

void ResponseParser::on_field_impl(http::field, boost::beast::string_view name,
                                   boost::beast::string_view value, error_code&) {
  constexpr std::string_view kQueryError = "x-amzn-query-error";
  if (name.size() == kQueryError.size() &&
      strncasecmp(name.data(), kQueryError.data(), name.size()) == 0) {
    query_error_.assign(value);
  }
}

void ResponseParser::on_body_init_impl(const boost::optional<std::uint64_t>& length, error_code&) {
  if (length && *length <= kBodyLimit) body_.reserve(static_cast<size_t>(*length));
}

size_t ResponseParser::on_body_impl(boost::beast::string_view data, error_code&) {
  body_.append(data);
  return data.size();
}

size_t ResponseParser::on_chunk_body_impl(std::uint64_t, boost::beast::string_view data,
                                          error_code&) {
  body_.append(data);
  return data.size();
}

Connection::Connection(asio::io_context& io, const ConnectionConfig& config,
                       std::unique_ptr<Workload> workload, Recorder& recorder, RunControl& control)
    : socket_(io),
      timer_(io),
      config_(config),
      workload_(std::move(workload)),
      recorder_(recorder),
      control_(control),
      writer_(config.target) {
  writer_.set_queue_url(config.queue_url);
  workload_->Attach(control);
  // Beast reads as much as the buffer has room for, and at least 512 bytes: an empty buffer
  // read a 1.8 KB SendMessageBatch answer in four recv calls (strace), each about 1 µs of this
  // machine's CPU shared with the server. Room for a usual answer reads it in one.
  read_buffer_.reserve(kReadBufferBytes);
}

void Connection::Start() { Connect(); }

bool Connection::Stopping() const {
  return finished_ || control_.force_close() || control_.phase() == Phase::kDraining;
}

void Connection::Connect() {
  if (Stopping()) return Finish();
  asio::async_connect(socket_, config_.endpoints,
                      [this](const boost::system::error_code& ec, const asio::ip::tcp::endpoint&) {
                        if (ec) return TransportFailure(ec);
                        boost::system::error_code ignored;
                        socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
                        Loop();
                      });
}

void Connection::Loop() {
  if (Stopping()) return Finish();
  const Step step = workload_->Next(writer_, NowNanos());
  switch (step.kind) {
    case Step::Kind::kRequest:
      writer_.Finish();
      return Send();
    case Step::Kind::kPause:
      timer_.expires_after(step.pause);
      timer_.async_wait([this](const boost::system::error_code&) { Loop(); });
      return;
    case Step::Kind::kDone:
      return Finish();
  }
}

void Connection::Send() {
  in_flight_ = true;
  timed_out_ = false;
  sent_ns_ = NowNanos();
  const std::array<asio::const_buffer, 2> buffers{
      asio::buffer(writer_.head().data(), writer_.head().size()),
      asio::buffer(writer_.body().data(), writer_.body().size())};
  asio::async_write(socket_, buffers, [this](const boost::system::error_code& ec, size_t) {
    if (ec) return TransportFailure(ec);
    parser_.emplace(response_body_, query_error_);
    parser_->body_limit(kBodyLimit);
    http::async_read(socket_, read_buffer_, *parser_,
                     [this](const boost::beast::error_code& read_ec, size_t) { OnRead(read_ec); });
  });
}

void Connection::OnRead(const boost::beast::error_code& ec) {
  if (ec) return TransportFailure(ec);
  in_flight_ = false;
  Response response;
  response.op = writer_.op();
  response.status = parser_->status();
  response.body = response_body_;
  response.sent_ns = sent_ns_;
  response.done_ns = NowNanos();
  response.protocol = config_.target.protocol;
  if (response.status != 200) {
    response.error_code = ErrorCode(config_.target.protocol, query_error_, response_body_);
    if (response.error_code.empty()) {
      error_text_ = "HTTP " + std::to_string(response.status);
      response.error_code = error_text_;
    }
  }
  recorder_.Request(response.op, response.sent_ns, response.done_ns, response.error_code);
  workload_->OnResponse(response, recorder_);
  if (!parser_->keep_alive()) {
    boost::system::error_code ignored;
    socket_.close(ignored);
    parser_.reset();
    read_buffer_.clear();
    return Connect();
  }
  parser_.reset();
  Loop();
}

void Connection::TransportFailure(const boost::beast::error_code& ec) {
  boost::system::error_code ignored;
  socket_.close(ignored);
  read_buffer_.clear();
  parser_.reset();
  const bool was_in_flight = in_flight_;
  in_flight_ = false;
  if (finished_ || control_.force_close()) return Finish();

  const int64_t now = NowNanos();
  error_text_ = timed_out_ ? "Timeout" : "transport: " + ec.message();
  if (was_in_flight) {
    Response response;
    response.op = writer_.op();
    response.error_code = error_text_;
    response.sent_ns = sent_ns_;
    response.done_ns = now;
    response.protocol = config_.target.protocol;
    recorder_.Request(response.op, response.sent_ns, response.done_ns, response.error_code);
    workload_->OnResponse(response, recorder_);
  } else {
    recorder_.Error(error_text_, now);
  }
  if (Stopping()) return Finish();
  timer_.expires_after(kReconnectDelay);
  timer_.async_wait([this](const boost::system::error_code&) { Connect(); });
}

void Connection::Watch(int64_t now_ns) {
  if (finished_) return;
  boost::system::error_code ignored;
  if (control_.force_close()) {
    // Every pending handler completes with operation_aborted and ends in Finish().
    socket_.close(ignored);
    timer_.cancel();
    return;
  }
  if (in_flight_ && now_ns - sent_ns_ > std::chrono::nanoseconds(config_.request_timeout).count()) {
    timed_out_ = true;
    socket_.close(ignored);
  }
}

void Connection::Finish() {
  if (finished_) return;
  finished_ = true;
  boost::system::error_code ignored;
  socket_.close(ignored);
  timer_.cancel();
}

}  // namespace wharf::bench
