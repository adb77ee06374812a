#pragma once

// HTTP/1.1 listener on Boost.Beast: keep-alive, requests on one connection answered strictly in
// order (so pipelined requests are safe), a request-size limit, a pool of I/O threads, and
// graceful shutdown. It serves plain HTTP on one port and, when a certificate is configured,
// HTTPS (OpenSSL, TLS 1.2+) on a second; either may be left out. It knows no AWS names;
// everything above it sees HttpRequest/HttpResponse (`is_tls` says which listener a request
// came through).
//
// Threads: Start() spawns `io_threads` threads running the event loops. The handler is called on
// an I/O thread and must not block; it may answer later from any thread.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "common/result.h"
#include "net/http.h"
#include "net/net_error.h"

namespace wharf::net {

// The HTTPS listener (security.md §5.1): TLS 1.2 and 1.3 only, ECDHE with AEAD ciphers, groups
// X25519/P-256/P-384, no renegotiation, ALPN http/1.1.
struct TlsOptions {
  uint16_t port = 9325;                // 0 picks a free port (tests)
  std::string certificate_chain_file;  // PEM, leaf first
  std::string private_key_file;        // PEM (PKCS#8 or traditional), matching the leaf
  std::string private_key_passphrase;  // empty: the key is not encrypted
  // A client must complete the handshake within this, so connecting and sending nothing does
  // not hold a connection.
  std::chrono::milliseconds handshake_timeout{10'000};
};

struct ServerOptions {
  std::string address = "0.0.0.0";
  uint16_t port = 9324;    // plain HTTP; 0 picks a free port (tests)
  bool plain_http = true;  // false: HTTPS only (needs `tls`)
  std::optional<TlsOptions> tls;
  int io_threads = 0;  // 0: one per core
  size_t max_body_bytes = 8 * 1024 * 1024;
  // The request line and header fields of one request; larger ones get 431 and the connection
  // is closed.
  uint32_t max_header_bytes = 64 * 1024;
  // Open connections (both listeners together, lingering ones included). A connection accepted
  // beyond this is answered 503 (plain HTTP; TLS: closed) and closed at once, so descriptors and
  // per-connection memory stay bounded whatever clients do. Connections already open are not
  // affected.
  size_t max_connections = 10'000;
  // After this many requests a connection's response says Connection: close. 0: no limit.
  uint64_t max_requests_per_connection = 0;
  // Keep-alive connections idle this long between requests are closed; also the deadline for
  // writing a response to a client that does not read it.
  std::chrono::seconds idle_timeout{120};
  // The header section of a request must arrive within this, counted from its first byte, or for
  // a connection's first request from when the connection was accepted (after the TLS
  // handshake): a client that connects and sends nothing, or trickles its headers byte by byte
  // (slowloris), holds the connection for at most this long.
  std::chrono::seconds header_timeout{20};
  // A request's body must arrive within this, counted from the end of its header section.
  std::chrono::seconds body_timeout{60};
};

class HttpServer {
 public:
  HttpServer(ServerOptions options, RequestHandler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Loads the certificate and key (if TLS is configured), binds and starts serving. Fails (does
  // not throw) with a message naming the file or address if a file is missing or unreadable,
  // the key does not match the certificate, or an address cannot be bound.
  Status<NetError> Start();
  // The bound ports (useful with port 0); 0 for a listener that is not configured.
  uint16_t port() const;
  uint16_t tls_port() const;
  // Reads the certificate chain and key files again and uses them for connections accepted from
  // now on (connections already open keep theirs). On failure the old ones stay in use. Any
  // thread; for SIGHUP.
  Status<NetError> ReloadTls();
  // Connections open now (accepted and not yet closed), and connections refused so far because
  // `max_connections` were open. Any thread.
  size_t open_connections() const;
  uint64_t refused_connections() const;
  // Connections open now (plain and TLS, handshakes included) and accepted since the start;
  // any thread (metrics).
  struct ConnectionCounts {
    int64_t open = 0;
    uint64_t accepted = 0;
  };
  ConnectionCounts connections() const;
  // Must not be called from an I/O thread or a handler: it joins the I/O threads.
  // Stops accepting, lets requests in progress finish (up to `grace`), ends idle TLS sessions
  // with a close_notify, then closes everything and joins the I/O threads. Idempotent.
  void Stop(std::chrono::milliseconds grace = std::chrono::milliseconds(5000));

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// Whether HttpServer::Start() would accept these certificate and key files (the same checks),
// for failing fast before other start-up work.
Status<NetError> CheckTlsFiles(const TlsOptions& options);

// RFC 7231 IMF-fixdate for the Date header, e.g. "Fri, 27 Nov 2026 19:50:48 GMT".
std::string HttpDate(int64_t unix_seconds);

}  // namespace wharf::net
