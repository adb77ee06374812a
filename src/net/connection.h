#pragma once

// What HttpServer and its connections share, and how a connection is started. Private to net/:
// it exposes Asio types. The connection itself (one class template over the stream type, so the
// plain and the TLS path share every line of HTTP handling and the plain path does no TLS work)
// lives in connection.cc.

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>
#include <vector>

#include "net/http.h"
#include "net/http_server.h"

namespace wharf::net {

// Each connection lives on one event loop run by one thread, so the loop's own executor
// serializes its handlers; no strand, and no type-erased executor on the hot path.
using Executor = boost::asio::io_context::executor_type;
using Socket = boost::asio::ip::tcp::socket::rebind_executor<Executor>::other;

// A connection as the server sees it: something on a loop that can be told to close. The one
// virtual call is Shutdown(), made once per connection when the server stops.
class ConnectionBase {
 public:
  virtual ~ConnectionBase() = default;
  ConnectionBase(const ConnectionBase&) = delete;
  ConnectionBase& operator=(const ConnectionBase&) = delete;

  const Executor& executor() const { return executor_; }
  // On the connection's loop. Graceful: close unless a request is with the handler or being
  // answered (those finish, answered with Connection: close); a TLS session is ended with a
  // close_notify. Force: close the socket regardless.
  virtual void Shutdown(bool force) = 0;

 protected:
  explicit ConnectionBase(Executor executor) : executor_(std::move(executor)) {}

 private:
  const Executor executor_;
};

// State shared by the server and every connection. Connections hold it by shared_ptr, so the
// io_context (and the socket services inside it) outlives every socket, even a connection kept
// alive by a Responder that the layers above still hold after the server was stopped and
// destroyed.
struct Core {
  Core(ServerOptions opts, RequestHandler h, int threads)
      : options(std::move(opts)), handler(std::move(h)) {
    loops.reserve(threads);
    for (int i = 0; i < threads; ++i) {
      loops.push_back(std::make_unique<boost::asio::io_context>(1));
    }
  }

  // One event loop per I/O thread (concurrency hint 1: the loop may skip locking for work
  // posted by its own thread).
  std::vector<std::unique_ptr<boost::asio::io_context>> loops;
  const ServerOptions options;
  RequestHandler handler;  // called on I/O threads only; cleared once they are joined

  // Set when Stop() begins: no new connections or requests; responses say Connection: close.
  std::atomic<bool> stopping{false};
  // Set (under post_mutex, exclusively) once the grace period is over. Responders check it
  // under a shared lock before posting, so nothing is posted once the I/O threads may exit.
  std::shared_mutex post_mutex;
  std::atomic<bool> stopped{false};

  // Requests handed to the handler and not yet answered and written, plus TLS sessions sending
  // their close_notify during Stop().
  std::atomic<int> busy{0};

  // Accepted sockets not yet closed (what options.max_connections bounds), and sockets refused
  // because that many were open. Incremented on the acceptors' loop, decremented on any.
  std::atomic<size_t> open_connections{0};
  std::atomic<uint64_t> refused_connections{0};
  std::atomic<uint64_t> accepted_connections{0};  // ever (metrics)

  std::mutex mu;
  std::condition_variable cv;  // busy reached 0 while stopping; an I/O thread exited
  std::unordered_map<const ConnectionBase*, std::weak_ptr<ConnectionBase>>
      connections;          // guarded by mu
  int threads_running = 0;  // guarded by mu

  std::vector<std::shared_ptr<ConnectionBase>> Snapshot() {
    std::vector<std::shared_ptr<ConnectionBase>> out;
    std::lock_guard lock(mu);
    out.reserve(connections.size());
    for (auto& [ptr, weak] : connections) {
      if (auto conn = weak.lock()) out.push_back(std::move(conn));
    }
    return out;
  }
};

// Registers a connection for an accepted socket in `core` and starts it on the socket's loop:
// plain HTTP, or HTTPS beginning with the handshake (`tls` is the context in use when it was
// accepted). Called on the acceptor's loop.
void StartPlainConnection(const std::shared_ptr<Core>& core, Socket socket);
void StartTlsConnection(const std::shared_ptr<Core>& core, Socket socket,
                        std::shared_ptr<boost::asio::ssl::context> tls);

}  // namespace wharf::net
