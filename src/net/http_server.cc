#include "net/http_server.h"

#include <time.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/error.hpp>
#include <cstdio>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <vector>

#include "common/thread_name.h"
#include "net/connection.h"
#include "net/tls_context.h"

namespace wharf::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = boost::asio::ip::tcp;

// accept() failed for a reason other than shutdown (EMFILE, ENOBUFS): retry after this.
constexpr std::chrono::milliseconds kAcceptRetryDelay{100};
// What a plain-HTTP connection accepted beyond max_connections is told before it is closed.
constexpr std::string_view kTooManyConnections =
    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
    "Content-Length: 21\r\nRetry-After: 1\r\nConnection: close\r\n\r\n"
    "Too many connections\n";
// Stop(): after every socket is closed, the I/O threads normally run out of work at once; if
// they have not after this long, the event loop is stopped outright.
constexpr std::chrono::seconds kDrainTimeout{2};

// One listening socket, plain or TLS. Lives on the first loop; its handlers run there.
struct Listener {
  Listener(const Executor& executor, bool is_tls)
      : acceptor(executor), retry_timer(executor), tls(is_tls) {}

  tcp::acceptor acceptor;
  asio::steady_timer retry_timer;
  const bool tls;
  std::atomic<uint16_t> port{0};
};

}  // namespace

// Threading model: one event loop (io_context) per I/O thread; accepted connections are dealt
// round-robin to the loops and stay on theirs, the acceptors live on the first. No strands and
// no scheduler queue shared between threads: with a shared loop and a strand per connection,
// the two threads contended on the scheduler's mutex and every handler went through the
// strand's queue (together about 15 % of the server's CPU in `send`, docs/benchmarks.md).
// Handlers never block (design.md), so a connection only waits for its loop's CPU time; answers
// from other threads (group committer, long-poll wake-ups) are posted to the connection's loop.
//
// Owned by HttpServer; its methods are called from the owner's thread (never from an I/O
// thread: Stop() joins them), except ReloadTls(), which may come from any thread. Accept
// handlers run on the first loop.
class HttpServer::Impl {
 public:
  Impl(ServerOptions options, RequestHandler handler) {
    int threads = options.io_threads;
    if (threads <= 0) threads = static_cast<int>(std::thread::hardware_concurrency());
    if (threads <= 0) threads = 1;
    threads_wanted_ = threads;
    core_ = std::make_shared<Core>(std::move(options), std::move(handler), threads);
    const Executor executor = core_->loops.front()->get_executor();
    if (core_->options.plain_http) plain_ = std::make_unique<Listener>(executor, false);
    if (core_->options.tls) tls_ = std::make_unique<Listener>(executor, true);
  }

  ~Impl() { Stop(std::chrono::milliseconds(5000)); }

  ConnectionCounts connections() const {
    return {static_cast<int64_t>(core_->open_connections.load(std::memory_order_relaxed)),
            core_->accepted_connections.load(std::memory_order_relaxed)};
  }

  Status<NetError> Start() {
    std::lock_guard lock(lifecycle_mu_);
    if (started_) return NetError{"server already started"};
    const ServerOptions& options = core_->options;
    if (!plain_ && !tls_) return NetError{"neither HTTP nor HTTPS is enabled"};
    if (tls_) {
      auto context = MakeTlsContext(*options.tls);
      if (!context.ok()) return std::move(context).error();
      std::lock_guard tls_lock(tls_mu_);
      tls_context_ = std::move(context).value();
    }
    if (plain_) WHARF_RETURN_IF_ERROR(Listen(*plain_, options.port));
    if (tls_) {
      if (auto listened = Listen(*tls_, options.tls->port); !listened.ok()) {
        if (plain_) CloseAcceptor(*plain_);
        return listened;
      }
    }

    started_ = true;
    work_.reserve(core_->loops.size());
    for (auto& loop : core_->loops) work_.emplace_back(loop->get_executor());
    if (plain_) DoAccept(*plain_);
    if (tls_) DoAccept(*tls_);
    {
      std::lock_guard core_lock(core_->mu);
      core_->threads_running = threads_wanted_;
    }
    threads_.reserve(threads_wanted_);
    for (int i = 0; i < threads_wanted_; ++i) {
      threads_.emplace_back([core = core_.get(), loop = core_->loops[i].get(), i] {
        NameThisThread("wharf-io-" + std::to_string(i));
        loop->run();
        std::lock_guard lock(core->mu);
        --core->threads_running;
        core->cv.notify_all();
      });
    }
    return {};
  }

  uint16_t port() const { return plain_ ? plain_->port.load() : 0; }
  uint16_t tls_port() const { return tls_ ? tls_->port.load() : 0; }
  size_t open_connections() const { return core_->open_connections.load(); }
  uint64_t refused_connections() const { return core_->refused_connections.load(); }

  Status<NetError> ReloadTls() {
    if (!tls_) return NetError{"TLS is not configured"};
    auto context = MakeTlsContext(*core_->options.tls);
    if (!context.ok()) return std::move(context).error();
    std::lock_guard lock(tls_mu_);
    tls_context_ = std::move(context).value();
    return {};
  }

  void Stop(std::chrono::milliseconds grace) {
    std::lock_guard lock(lifecycle_mu_);
    if (!started_ || stopped_) return;
    stopped_ = true;
    Core& core = *core_;

    // 1. No new connections or requests; idle and half-read connections close now (TLS ones
    // after sending their close_notify).
    core.stopping.store(true);
    asio::post(core.loops.front()->get_executor(), [this] {
      if (plain_) CloseAcceptor(*plain_);
      if (tls_) CloseAcceptor(*tls_);
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
  Status<NetError> Listen(Listener& listener, uint16_t port) {
    const ServerOptions& options = core_->options;
    beast::error_code ec;
    tcp::endpoint endpoint;
    auto address = asio::ip::make_address(options.address, ec);
    if (!ec) {
      endpoint = tcp::endpoint(address, port);
    } else {
      tcp::resolver resolver(*core_->loops.front());
      auto results = resolver.resolve(options.address, std::to_string(port), ec);
      if (ec || results.empty()) {
        return NetError{"cannot resolve listen address '" + options.address +
                        "': " + (ec ? ec.message() : std::string("no addresses"))};
      }
      endpoint = results.begin()->endpoint();
    }
    const std::string where =
        options.address + ":" + std::to_string(port) + (listener.tls ? " (HTTPS)" : " (HTTP)");
    tcp::acceptor& acceptor = listener.acceptor;
    acceptor.open(endpoint.protocol(), ec);
    if (ec) return NetError{"open " + where + ": " + ec.message()};
    acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (ec) return Fail(listener, "setsockopt SO_REUSEADDR " + where, ec);
    acceptor.bind(endpoint, ec);
    if (ec) return Fail(listener, "bind " + where, ec);
    acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return Fail(listener, "listen " + where, ec);
    listener.port.store(acceptor.local_endpoint(ec).port());
    if (ec) return Fail(listener, "getsockname " + where, ec);
    return {};
  }

  static Status<NetError> Fail(Listener& listener, const std::string& what,
                               const beast::error_code& ec) {
    CloseAcceptor(listener);
    return NetError{what + ": " + ec.message()};
  }

  static void CloseAcceptor(Listener& listener) {
    beast::error_code ignored;
    listener.acceptor.close(ignored);
    listener.retry_timer.cancel();
  }

  // On the acceptors' loop. The socket is created on the loop it will live on.
  void DoAccept(Listener& listener) {
    asio::io_context& loop = *core_->loops[next_loop_];
    next_loop_ = (next_loop_ + 1) % core_->loops.size();
    listener.acceptor.async_accept(loop.get_executor(),
                                   [this, &listener](beast::error_code ec, Socket socket) {
                                     OnAccept(listener, ec, std::move(socket));
                                   });
  }

  void OnAccept(Listener& listener, beast::error_code ec, Socket socket) {
    if (ec == asio::error::operation_aborted || core_->stopping.load()) return;
    if (ec) {  // out of descriptors or buffers: back off instead of spinning
      listener.retry_timer.expires_after(kAcceptRetryDelay);
      listener.retry_timer.async_wait([this, &listener](beast::error_code wait_ec) {
        if (!wait_ec && !core_->stopping.load()) DoAccept(listener);
      });
      return;
    }
    if (core_->open_connections.load() >= core_->options.max_connections) {
      Refuse(listener, socket);
    } else if (listener.tls) {
      StartTlsConnection(core_, std::move(socket), CurrentTlsContext());
    } else {
      StartPlainConnection(core_, std::move(socket));
    }
    DoAccept(listener);
  }

  // Over the limit: a plain-HTTP client gets a 503 if the socket takes it at once (it always has
  // room for so few bytes; the request is not read, and the client may see a reset instead if
  // it had sent one), then the socket is closed. A TLS client sees the connection close.
  void Refuse(const Listener& listener, Socket& socket) {
    core_->refused_connections.fetch_add(1, std::memory_order_relaxed);
    beast::error_code ignored;
    if (!listener.tls) {
      socket.non_blocking(true, ignored);
      socket.write_some(asio::buffer(kTooManyConnections.data(), kTooManyConnections.size()),
                        ignored);
      socket.shutdown(tcp::socket::shutdown_both, ignored);
    }
    socket.close(ignored);
  }

  std::shared_ptr<asio::ssl::context> CurrentTlsContext() {
    std::lock_guard lock(tls_mu_);
    return tls_context_;
  }

  std::shared_ptr<Core> core_;  // first member: the listeners need its loops
  std::unique_ptr<Listener> plain_;
  std::unique_ptr<Listener> tls_;
  std::mutex tls_mu_;                                      // guards tls_context_
  std::shared_ptr<asio::ssl::context> tls_context_;        // for connections accepted from now on
  std::vector<asio::executor_work_guard<Executor>> work_;  // one per loop
  size_t next_loop_ = 0;  // on the acceptors' loop: where the next connection goes
  std::vector<std::thread> threads_;
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

uint16_t HttpServer::tls_port() const { return impl_->tls_port(); }

size_t HttpServer::open_connections() const { return impl_->open_connections(); }

uint64_t HttpServer::refused_connections() const { return impl_->refused_connections(); }

HttpServer::ConnectionCounts HttpServer::connections() const { return impl_->connections(); }

Status<NetError> HttpServer::ReloadTls() { return impl_->ReloadTls(); }

void HttpServer::Stop(std::chrono::milliseconds grace) { impl_->Stop(grace); }

Status<NetError> CheckTlsFiles(const TlsOptions& options) {
  auto context = MakeTlsContext(options);
  if (!context.ok()) return std::move(context).error();
  return {};
}

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
