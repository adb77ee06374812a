#pragma once

// HTTP/1.1 listener on Boost.Beast: keep-alive, requests on one connection answered strictly in
// order (so pipelined requests are safe), a request-size limit, a pool of I/O threads, and
// graceful shutdown. It knows no AWS names; everything above it sees HttpRequest/HttpResponse.
//
// Threads: Start() spawns `io_threads` threads running the event loop. The handler is called on
// an I/O thread and must not block; it may answer later from any thread.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "common/result.h"
#include "net/http.h"

namespace wharf::net {

struct ServerOptions {
  std::string address = "0.0.0.0";
  uint16_t port = 9324;  // 0 picks a free port (tests)
  int io_threads = 0;    // 0: one per core
  size_t max_body_bytes = 8 * 1024 * 1024;
  std::chrono::seconds idle_timeout{120};   // keep-alive connections idle this long are closed
  std::chrono::seconds header_timeout{30};  // a request's headers must arrive within this
};

struct NetError {
  std::string message;
};

class HttpServer {
 public:
  HttpServer(ServerOptions options, RequestHandler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts serving. Fails (does not throw) if the address cannot be bound.
  Status<NetError> Start();
  // The bound port (useful with port 0).
  uint16_t port() const;
  // Must not be called from an I/O thread or a handler: it joins the I/O threads.
  // Stops accepting, lets requests in progress finish (up to `grace`), then closes everything
  // and joins the I/O threads. Idempotent.
  void Stop(std::chrono::milliseconds grace = std::chrono::milliseconds(5000));

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// RFC 7231 IMF-fixdate for the Date header, e.g. "Fri, 27 Nov 2026 19:50:48 GMT".
std::string HttpDate(int64_t unix_seconds);

}  // namespace wharf::net
