#include "net/http_server.h"

#include <time.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "net/request_parser.h"

namespace wharf::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;
// Each connection lives on one event loop run by one thread, so the loop's own executor
// serializes its handlers; no strand, and no type-erased executor on the hot path.
using Executor = asio::io_context::executor_type;
using Socket = tcp::socket::rebind_executor<Executor>::other;
using Stream = beast::basic_stream<tcp, Executor>;

// How much one idle/linger read asks for at a time.
constexpr size_t kReadChunk = 16 * 1024;
// After a response that closes the connection we shut down our sending side and read (and
// discard) what the client still sends for a while, so that closing a socket with unread data
// does not turn into a RST that destroys the response before the client has read it.
constexpr std::chrono::seconds kLingerTimeout{5};
constexpr size_t kLingerMaxBytes = 64 * 1024 * 1024;
// accept() failed for a reason other than shutdown (EMFILE, ENOBUFS): retry after this.
constexpr std::chrono::milliseconds kAcceptRetryDelay{100};
// Stop(): after every socket is closed, the I/O threads normally run out of work at once; if
// they have not after this long, the event loop is stopped outright.
constexpr std::chrono::seconds kDrainTimeout{2};

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

// Exceptions thrown by request handlers, turned into 500s. The one last-resort guard.
std::atomic<uint64_t> handler_exceptions{0};

class Connection;

// State shared by the server and every connection. Connections hold it by shared_ptr, so the
// io_context (and the socket services inside it) outlives every socket, even a connection kept
// alive by a Responder that the layers above still hold after the server was stopped and
// destroyed.
struct Core {
  Core(ServerOptions opts, RequestHandler h, int threads)
      : options(std::move(opts)), handler(std::move(h)) {
    loops.reserve(threads);
    for (int i = 0; i < threads; ++i) loops.push_back(std::make_unique<asio::io_context>(1));
  }

  // One event loop per I/O thread (concurrency hint 1: the loop may skip locking for work
  // posted by its own thread).
  std::vector<std::unique_ptr<asio::io_context>> loops;
  const ServerOptions options;
  RequestHandler handler;  // called on I/O threads only; cleared once they are joined

  // Set when Stop() begins: no new connections or requests; responses say Connection: close.
  std::atomic<bool> stopping{false};
  // Set (under post_mutex, exclusively) once the grace period is over. Responders check it
  // under a shared lock before posting, so nothing is posted once the I/O threads may exit.
  std::shared_mutex post_mutex;
  std::atomic<bool> stopped{false};

  // Requests handed to the handler and not yet answered and written.
  std::atomic<int> busy{0};

  std::mutex mu;
  std::condition_variable cv;  // busy reached 0 while stopping; an I/O thread exited
  std::unordered_map<const Connection*, std::weak_ptr<Connection>> connections;  // guarded by mu
  int threads_running = 0;                                                       // guarded by mu

  std::vector<std::shared_ptr<Connection>> Snapshot() {
    std::vector<std::shared_ptr<Connection>> out;
    std::lock_guard lock(mu);
    out.reserve(connections.size());
    for (auto& [ptr, weak] : connections) {
      if (auto conn = weak.lock()) out.push_back(std::move(conn));
    }
    return out;
  }
};

bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool IEquals(std::string_view a, std::string_view b) { return beast::iequals(a, b); }

// A handler-supplied header that can be written as is: a token name and a value without CR, LF
// or NUL (anything else would let a value split the response).
bool IsWritableHeader(std::string_view name, std::string_view value) {
  if (name.empty() || !std::all_of(name.begin(), name.end(), IsTokenChar)) return false;
  return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

std::string_view ReasonPhrase(unsigned status) {
  http::status s = http::int_to_status(status);
  if (s == http::status::unknown) return "Unknown";
  return http::obsolete_reason(s);
}

// The Date header value for now, formatted at most once per second per thread.
std::string_view CurrentHttpDate() {
  thread_local int64_t cached_second = -1;
  thread_local std::string cached;
  int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  if (now != cached_second) {
    cached = HttpDate(now);
    cached_second = now;
  }
  return cached;
}

// One accepted socket. Owned by shared_ptr: pending Asio operations and the Responder of the
// request in progress hold it; the Core's registry holds only a weak_ptr. Every member is
// touched only on the connection's event loop, except Respond() (any thread), which posts onto it.
//
// Lifecycle: WaitForRequest (idle, idle_timeout) -> ReadHeader/ReadBody (header_timeout) ->
// Dispatch (handler; no timeout while it works) -> Write -> WaitForRequest again, or Linger
// and Close. One request at a time, so bytes of a pipelined next request wait in buffer_.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(std::shared_ptr<Core> core, Socket socket)
      : core_(std::move(core)), executor_(socket.get_executor()), stream_(std::move(socket)) {}

  ~Connection() {
    SetBusy(false);
    std::lock_guard lock(core_->mu);
    core_->connections.erase(this);
  }

  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  const Executor& executor() const { return executor_; }

  // On the connection's loop, once.
  void Start() {
    beast::error_code ec;
    stream_.socket().set_option(tcp::no_delay(true), ec);
    auto endpoint = stream_.socket().remote_endpoint(ec);
    if (!ec) {
      auto address = endpoint.address();
      if (address.is_v6() && address.to_v6().is_v4_mapped()) {
        address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
      }
      remote_address_ = address.to_string();
    }
    WaitForRequest();
  }

  // On the connection's loop. Graceful: close unless a request is with the handler or being
  // answered (those finish, answered with Connection: close). Force: close regardless.
  void Shutdown(bool force) {
    if (state_ == State::kClosed) return;
    if (force || (state_ != State::kAwaitingHandler && state_ != State::kWriting)) Close();
  }

  // Any thread: the Responder of request `seq`.
  void Respond(uint64_t seq, HttpResponse response) {
    std::shared_lock lock(core_->post_mutex);
    if (core_->stopped.load()) return;  // the server is gone: drop the answer
    asio::post(executor_, [self = shared_from_this(), seq, r = std::move(response)]() mutable {
      self->OnResponse(seq, std::move(r));
    });
  }

 private:
  enum class State { kIdle, kReading, kAwaitingHandler, kWriting, kLingering, kClosed };

  void WaitForRequest() {
    state_ = State::kIdle;
    if (core_->stopping.load()) return Close();
    if (buffer_.size() > 0) return ReadHeader();  // a pipelined request is already here
    if (buffer_.capacity() > 4 * kReadChunk) buffer_.shrink_to_fit();  // after a large body
    stream_.expires_after(core_->options.idle_timeout);
    stream_.async_read_some(
        buffer_.prepare(kReadChunk),
        [self = shared_from_this()](beast::error_code ec, size_t n) { self->OnFirstBytes(ec, n); });
  }

  void OnFirstBytes(beast::error_code ec, size_t n) {
    if (state_ == State::kClosed) return;
    if (ec) return Close();  // idle timeout, EOF, reset
    buffer_.commit(n);
    ReadHeader();
  }

  void ReadHeader() {
    state_ = State::kReading;
    StartRequest(parser_);
    stream_.expires_after(core_->options.header_timeout);
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (state_ == State::kClosed) return;
    if (ec) return OnReadError(ec);
    const auto& req = parser_->get();
    keep_alive_ = req.keep_alive();
    is_head_ = req.method() == http::verb::head;
    const uint64_t max_body = core_->options.max_body_bytes;
    if (auto length = parser_->content_length(); length && *length > max_body) {
      return Dispatch(/*body_too_large=*/true);
    }
    if (parser_->is_done()) return Dispatch(false);
    parser_->body_limit(max_body);  // chunked bodies stop at the limit too
    if (IEquals(req[http::field::expect], "100-continue")) {
      stream_.expires_after(core_->options.header_timeout);
      asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                        [self = shared_from_this()](beast::error_code ec, size_t) {
                          if (self->state_ == State::kClosed) return;
                          if (ec) return self->Close();
                          self->ReadBody();
                        });
      return;
    }
    ReadBody();
  }

  // The body has the same deadline as the header: header_timeout from when it starts.
  void ReadBody() {
    stream_.expires_after(core_->options.header_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (self->state_ == State::kClosed) return;
                       if (ec == http::error::body_limit) return self->Dispatch(true);
                       if (ec) return self->OnReadError(ec);
                       self->Dispatch(false);
                     });
  }

  void OnReadError(beast::error_code ec) {
    // The peer went away, or a timeout: nothing to answer.
    if (ec == http::error::end_of_stream || ec == http::error::partial_message ||
        ec.category() != http::make_error_code(http::error::bad_target).category()) {
      return Close();
    }
    HttpResponse response;
    if (ec == http::error::header_limit) {
      response.status = 431;
      response.body = "Request Header Fields Too Large\n";
    } else {
      response.status = 400;
      response.body = "Bad Request\n";
    }
    response.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
    state_ = State::kAwaitingHandler;
    keep_alive_ = false;
    Write(std::move(response));
  }

  void Dispatch(bool body_too_large) {
    if (core_->stopped.load()) return Close();
    HttpRequest request = ToHttpRequest(parser_->release(), body_too_large, remote_address_);
    parser_.reset();
    // The unread body makes the rest of the stream unusable.
    if (body_too_large) keep_alive_ = false;

    state_ = State::kAwaitingHandler;
    const uint64_t seq = ++seq_;
    SetBusy(true);
    stream_.expires_never();  // long polls may take 20 s; the handler decides

    auto self = shared_from_this();
    try {
      core_->handler(std::move(request), [self, seq](HttpResponse response) {
        self->Respond(seq, std::move(response));
      });
    } catch (...) {
      handler_exceptions.fetch_add(1, std::memory_order_relaxed);
      HttpResponse response;
      response.status = 500;
      response.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
      response.body = "Internal Server Error\n";
      // Ignored by OnResponse if the handler answered before throwing.
      Respond(seq, std::move(response));
    }
  }

  void OnResponse(uint64_t seq, HttpResponse response) {
    // A second answer to the same request, or one for a connection already closed: drop it.
    if (state_ != State::kAwaitingHandler || seq != seq_) return;
    Write(std::move(response));
  }

  void Write(HttpResponse response) {
    bool keep_alive = keep_alive_ && !core_->stopping.load();
    unsigned status = response.status;
    if (status < 200 || status > 999) status = 500;  // no interim or invalid final statuses
    const bool no_body = status == 204 || status == 304;

    std::string& out = out_header_;
    out.clear();
    out += "HTTP/1.1 ";
    out += std::to_string(status);
    out += ' ';
    out += ReasonPhrase(status);
    out += "\r\n";
    for (const auto& [name, value] : response.headers) {
      if (!IsWritableHeader(name, value)) continue;
      // Framing and connection management are ours.
      if (IEquals(name, "Connection")) {
        if (IEquals(value, "close")) keep_alive = false;
        continue;
      }
      if (IEquals(name, "Content-Length") || IEquals(name, "Transfer-Encoding") ||
          IEquals(name, "Date") || IEquals(name, "Server")) {
        continue;
      }
      out += name;
      out += ": ";
      out += value;
      out += "\r\n";
    }
    if (status != 204) {
      out += "Content-Length: ";
      out += std::to_string(no_body ? 0 : response.body.size());
      out += "\r\n";
    }
    out += "Date: ";
    out += CurrentHttpDate();
    out += "\r\nServer: Wharf\r\nConnection: ";
    out += keep_alive ? "keep-alive" : "close";
    out += "\r\n\r\n";

    out_body_ = std::move(response.body);
    if (no_body || is_head_) out_body_.clear();  // HEAD: the length of what GET would send

    state_ = State::kWriting;
    stream_.expires_after(core_->options.idle_timeout);
    std::array<asio::const_buffer, 2> buffers = {asio::buffer(out_header_),
                                                 asio::buffer(out_body_)};
    asio::async_write(stream_, buffers,
                      [self = shared_from_this(), keep_alive](beast::error_code ec, size_t) {
                        self->OnWritten(ec, keep_alive);
                      });
  }

  void OnWritten(beast::error_code ec, bool keep_alive) {
    SetBusy(false);
    if (state_ == State::kClosed) return;
    out_body_.clear();
    out_body_.shrink_to_fit();
    if (ec) return Close();
    if (!keep_alive) return Linger();
    WaitForRequest();
  }

  void Linger() {
    state_ = State::kLingering;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return Close();
    stream_.expires_after(kLingerTimeout);
    LingerRead();
  }

  void LingerRead() {
    buffer_.clear();
    stream_.async_read_some(buffer_.prepare(kReadChunk),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              if (self->state_ == State::kClosed) return;
                              self->lingered_ += n;
                              if (ec || self->lingered_ > kLingerMaxBytes) return self->Close();
                              self->LingerRead();
                            });
  }

  void Close() {
    if (state_ == State::kClosed) return;
    state_ = State::kClosed;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();  // pending operations complete with operation_aborted and see kClosed
    SetBusy(false);
  }

  void SetBusy(bool busy) {
    if (busy_ == busy) return;
    busy_ = busy;
    if (busy) {
      core_->busy.fetch_add(1);
    } else if (core_->busy.fetch_sub(1) == 1 && core_->stopping.load()) {
      std::lock_guard lock(core_->mu);
      core_->cv.notify_all();
    }
  }

  const std::shared_ptr<Core> core_;  // first member: destroyed after the socket
  const Executor executor_;
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<RequestParser> parser_;
  std::string remote_address_;
  std::string out_header_;
  std::string out_body_;
  State state_ = State::kIdle;
  uint64_t seq_ = 0;  // of the request last handed to the handler
  size_t lingered_ = 0;
  bool busy_ = false;
  bool keep_alive_ = false;
  bool is_head_ = false;
};

}  // namespace

// Threading model: one event loop (io_context) per I/O thread; accepted connections are dealt
// round-robin to the loops and stay on theirs, the acceptor lives on the first. No strands and
// no scheduler queue shared between threads: with a shared loop and a strand per connection,
// the two threads contended on the scheduler's mutex and every handler went through the
// strand's queue (together about 15 % of the server's CPU in `send`, docs/benchmarks.md).
// Handlers never block (design.md), so a connection only waits for its loop's CPU time; answers
// from other threads (group committer, long-poll wake-ups) are posted to the connection's loop.
//
// Owned by HttpServer; its methods are called from the owner's thread (never from an I/O
// thread: Stop() joins them). Accept handlers run on the first loop.
class HttpServer::Impl {
 public:
  Impl(ServerOptions options, RequestHandler handler) {
    int threads = options.io_threads;
    if (threads <= 0) threads = static_cast<int>(std::thread::hardware_concurrency());
    if (threads <= 0) threads = 1;
    threads_wanted_ = threads;
    core_ = std::make_shared<Core>(std::move(options), std::move(handler), threads);
    acceptor_.emplace(core_->loops.front()->get_executor());
    retry_timer_.emplace(acceptor_->get_executor());
  }

  ~Impl() { Stop(std::chrono::milliseconds(5000)); }

  Status<NetError> Start() {
    std::lock_guard lock(lifecycle_mu_);
    if (started_) return NetError{"server already started"};
    const ServerOptions& options = core_->options;
    beast::error_code ec;
    tcp::endpoint endpoint;
    auto address = asio::ip::make_address(options.address, ec);
    if (!ec) {
      endpoint = tcp::endpoint(address, options.port);
    } else {
      tcp::resolver resolver(*core_->loops.front());
      auto results = resolver.resolve(options.address, std::to_string(options.port), ec);
      if (ec || results.empty()) {
        return NetError{"cannot resolve listen address '" + options.address +
                        "': " + (ec ? ec.message() : std::string("no addresses"))};
      }
      endpoint = results.begin()->endpoint();
    }
    const std::string where = options.address + ":" + std::to_string(options.port);
    acceptor_->open(endpoint.protocol(), ec);
    if (ec) return NetError{"open " + where + ": " + ec.message()};
    acceptor_->set_option(asio::socket_base::reuse_address(true), ec);
    if (ec) return Fail("setsockopt SO_REUSEADDR " + where, ec);
    acceptor_->bind(endpoint, ec);
    if (ec) return Fail("bind " + where, ec);
    acceptor_->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return Fail("listen " + where, ec);
    port_.store(acceptor_->local_endpoint(ec).port());
    if (ec) return Fail("getsockname " + where, ec);

    started_ = true;
    work_.reserve(core_->loops.size());
    for (auto& loop : core_->loops) work_.emplace_back(loop->get_executor());
    DoAccept();
    {
      std::lock_guard core_lock(core_->mu);
      core_->threads_running = threads_wanted_;
    }
    threads_.reserve(threads_wanted_);
    for (int i = 0; i < threads_wanted_; ++i) {
      threads_.emplace_back([core = core_.get(), loop = core_->loops[i].get()] {
        loop->run();
        std::lock_guard lock(core->mu);
        --core->threads_running;
        core->cv.notify_all();
      });
    }
    return {};
  }

  uint16_t port() const { return port_.load(); }

  void Stop(std::chrono::milliseconds grace) {
    std::lock_guard lock(lifecycle_mu_);
    if (!started_ || stopped_) return;
    stopped_ = true;
    Core& core = *core_;

    // 1. No new connections or requests; idle and half-read connections close now.
    core.stopping.store(true);
    asio::post(acceptor_->get_executor(), [this] {
      beast::error_code ec;
      acceptor_->close(ec);
      retry_timer_->cancel();
    });
    for (auto& conn : core.Snapshot()) {
      asio::post(conn->executor(), [conn] { conn->Shutdown(/*force=*/false); });
    }

    // 2. Requests with the handler get `grace` to be answered and written.
    {
      std::unique_lock core_lock(core.mu);
      core.cv.wait_for(core_lock, grace, [&] { return core.busy.load() == 0; });
    }

    // 3. Answers from now on are dropped; close every socket and let the loop run dry.
    {
      std::unique_lock post_lock(core.post_mutex);
      core.stopped.store(true);
    }
    for (auto& conn : core.Snapshot()) {
      asio::post(conn->executor(), [conn] { conn->Shutdown(/*force=*/true); });
    }
    work_.clear();
    {
      std::unique_lock core_lock(core.mu);
      if (!core.cv.wait_for(core_lock, kDrainTimeout, [&] { return core.threads_running == 0; })) {
        for (auto& loop : core.loops) loop->stop();
      }
    }
    for (auto& thread : threads_) thread.join();
    threads_.clear();
    // Nothing calls the handler any more; release what it captured now rather than when the
    // last connection held by an outstanding Responder goes away.
    core.handler = nullptr;
  }

 private:
  Status<NetError> Fail(const std::string& what, const beast::error_code& ec) {
    beast::error_code ignored;
    acceptor_->close(ignored);
    return NetError{what + ": " + ec.message()};
  }

  // On the acceptor's loop. The socket is created on the loop it will live on.
  void DoAccept() {
    asio::io_context& loop = *core_->loops[next_loop_];
    next_loop_ = (next_loop_ + 1) % core_->loops.size();
    acceptor_->async_accept(loop.get_executor(), [this](beast::error_code ec, Socket socket) {
      OnAccept(ec, std::move(socket));
    });
  }

  void OnAccept(beast::error_code ec, Socket socket) {
    if (ec == asio::error::operation_aborted || core_->stopping.load()) return;
    if (ec) {  // out of descriptors or buffers: back off instead of spinning
      retry_timer_->expires_after(kAcceptRetryDelay);
      retry_timer_->async_wait([this](beast::error_code wait_ec) {
        if (!wait_ec && !core_->stopping.load()) DoAccept();
      });
      return;
    }
    auto conn = std::make_shared<Connection>(core_, std::move(socket));
    {
      std::lock_guard lock(core_->mu);
      core_->connections.emplace(conn.get(), conn);
    }
    asio::dispatch(conn->executor(), [conn] { conn->Start(); });
    DoAccept();
  }

  std::shared_ptr<Core> core_;  // first member: the acceptor and timer need its loops
  std::optional<tcp::acceptor> acceptor_;
  std::optional<asio::steady_timer> retry_timer_;
  std::vector<asio::executor_work_guard<Executor>> work_;  // one per loop
  size_t next_loop_ = 0;  // on the acceptor's loop: where the next connection goes
  std::vector<std::thread> threads_;
  std::atomic<uint16_t> port_{0};
  std::mutex lifecycle_mu_;  // serializes Start/Stop
  int threads_wanted_ = 1;
  bool started_ = false;
  bool stopped_ = false;
};

HttpServer::HttpServer(ServerOptions options, RequestHandler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

HttpServer::~HttpServer() = default;

Status<NetError> HttpServer::Start() { return impl_->Start(); }

uint16_t HttpServer::port() const { return impl_->port(); }

void HttpServer::Stop(std::chrono::milliseconds grace) { impl_->Stop(grace); }

std::string HttpDate(int64_t unix_seconds) {
  static constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed",
                                                       "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  time_t t = static_cast<time_t>(unix_seconds);
  struct tm tm {};
  if (gmtime_r(&t, &tm) == nullptr || tm.tm_wday < 0 || tm.tm_wday > 6 || tm.tm_mon < 0 ||
      tm.tm_mon > 11) {
    return "Thu, 01 Jan 1970 00:00:00 GMT";
  }
  char buf[64];
  int n = std::snprintf(buf, sizeof(buf), "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday],
                        tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                        tm.tm_sec);
  return std::string(buf, n > 0 ? std::min(static_cast<size_t>(n), sizeof(buf) - 1) : 0);
}

}  // namespace wharf::net
