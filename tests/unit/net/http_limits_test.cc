// HttpServer's limits against clients that hold connections without using them: the connection
// limit, requests per connection, the header size limit, and the deadlines of the first request,
// the header section and the body (slowloris). Real sockets on 127.0.0.1 (port 0).
//
// Timing: every deadline under test is 1 s and every check allows 8-10 s for it to act (or, for
// "still open", waits 2.5 s past a 1 s deadline that must not apply), so a loaded machine
// delays the tests but does not fail them.

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "net/http_server.h"
#include "test_clients.h"

namespace wharf::net {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr auto kWait = 10s;

std::string Get(std::string_view target, std::string_view extra_headers = "") {
  return "GET " + std::string(target) + " HTTP/1.1\r\nHost: localhost\r\n" +
         std::string(extra_headers) + "\r\n";
}

HttpResponse Text(uint16_t status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "text/plain");
  r.body = std::move(body);
  return r;
}

ServerOptions TestOptions() {
  ServerOptions options;
  options.address = "127.0.0.1";
  options.port = 0;
  options.io_threads = 2;
  return options;
}

// A server answering every request 200 "ok", counting the requests it was handed.
struct OkServer {
  explicit OkServer(ServerOptions options) {
    server =
        std::make_unique<HttpServer>(std::move(options), [this](HttpRequest&&, Responder respond) {
          ++calls;
          respond(Text(200, "ok"));
        });
    auto status = server->Start();
    EXPECT_TRUE(status.ok()) << (status.ok() ? "" : status.error().message);
  }
  uint16_t port() const { return server->port(); }

  std::atomic<int> calls{0};
  std::unique_ptr<HttpServer> server;
};

// Waits (bounded) until the server counts `n` open connections.
bool WaitForOpenConnections(const HttpServer& server, size_t n) {
  const auto deadline = Clock::now() + kWait;
  while (server.open_connections() != n) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

// Whether the server has closed `fd` (EOF or reset), without blocking.
bool PeerClosed(int fd) {
  char c;
  ssize_t n = recv(fd, &c, 1, MSG_DONTWAIT | MSG_PEEK);
  return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

// Connects and sends `prefix`, then one `piece` every 100 ms until the server closes the
// connection or `budget` is over. Returns how long the server let it trickle, or nullopt if it
// never closed.
std::optional<Clock::duration> Trickle(uint16_t port, const std::string& prefix,
                                       const std::string& piece, Clock::duration budget = 8s) {
  int fd = ConnectLoopback(port);
  if (fd < 0) return std::nullopt;
  const auto start = Clock::now();
  std::optional<Clock::duration> closed_after;
  bool ok = send(fd, prefix.data(), prefix.size(), MSG_NOSIGNAL) >= 0;
  while (ok && Clock::now() - start < budget) {
    std::this_thread::sleep_for(100ms);
    if (PeerClosed(fd) || send(fd, piece.data(), piece.size(), MSG_NOSIGNAL) < 0) {
      closed_after = Clock::now() - start;
      break;
    }
  }
  close(fd);
  return closed_after;
}

TEST(HttpLimitsTest, ConnectionsBeyondTheLimitAreRefusedWith503AndClosed) {
  ServerOptions options = TestOptions();
  options.max_connections = 2;
  OkServer server(options);
  // Two connections, each known to be accepted (answered), hold both slots.
  Client first(server.port()), second(server.port());
  for (Client* c : {&first, &second}) {
    ASSERT_TRUE(c->Send(Get("/")));
    auto response = c->Read();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
  }
  EXPECT_EQ(server.server->open_connections(), 2u);

  Client third(server.port());  // the kernel completes the handshake; the server refuses it
  auto refused = third.Read();
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 503);
  EXPECT_EQ(refused->Header("Connection"), "close");
  EXPECT_TRUE(third.ReadEof());
  EXPECT_EQ(server.server->refused_connections(), 1u);
  EXPECT_EQ(server.calls.load(), 2);

  // The open connections keep working; once one leaves, a new one is served.
  ASSERT_TRUE(second.Send(Get("/again")));
  auto again = second.Read();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200);
  first.Close();
  ASSERT_TRUE(WaitForOpenConnections(*server.server, 1));
  Client fourth(server.port());
  ASSERT_TRUE(fourth.Send(Get("/")));
  auto response = fourth.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
}

TEST(HttpLimitsTest, SlowlorisHoldsASlotOnlyUntilTheHeaderDeadline) {
  ServerOptions options = TestOptions();
  options.max_connections = 1;
  options.header_timeout = 1s;
  OkServer server(options);
  {
    Client slow(server.port());
    ASSERT_TRUE(slow.Send("GET / HTTP/1.1\r\nHost: x\r\n"));  // never finished
    ASSERT_TRUE(WaitForOpenConnections(*server.server, 1));
    EXPECT_TRUE(slow.ReadEof());  // closed at the deadline; the client reads within 10 s
  }
  ASSERT_TRUE(WaitForOpenConnections(*server.server, 0));
  Client next(server.port());
  ASSERT_TRUE(next.Send(Get("/")));
  auto response = next.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
}

TEST(HttpLimitsTest, AConnectionThatSendsNothingIsClosedAtTheHeaderDeadline) {
  ServerOptions options = TestOptions();
  options.header_timeout = 1s;
  options.idle_timeout = 3600s;  // not what closes it
  OkServer server(options);
  Client idle(server.port());
  const auto start = Clock::now();
  EXPECT_TRUE(idle.ReadEof());  // the client's read gives up after 10 s
  EXPECT_GE(Clock::now() - start, 500ms);
  EXPECT_EQ(server.calls.load(), 0);
}

TEST(HttpLimitsTest, KeepAliveConnectionsWaitForIdleTimeoutNotHeaderTimeout) {
  ServerOptions options = TestOptions();
  options.header_timeout = 1s;
  options.idle_timeout = 3600s;
  OkServer server(options);
  Client client(server.port());
  ASSERT_TRUE(client.Send(Get("/")));
  ASSERT_TRUE(client.Read());
  std::this_thread::sleep_for(2500ms);  // idle past header_timeout, between requests
  ASSERT_TRUE(client.Send(Get("/")));
  auto response = client.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
}

TEST(HttpLimitsTest, TrickledHeadersAreCutOffAtTheDeadline) {
  ServerOptions options = TestOptions();
  options.header_timeout = 1s;
  OkServer server(options);
  // A new header line every 100 ms: each read brings bytes, none completes the section.
  auto closed_after = Trickle(server.port(), "GET / HTTP/1.1\r\nHost: x\r\n", "X-A: b\r\n");
  ASSERT_TRUE(closed_after) << "the server let the headers trickle for 8 s";
  EXPECT_GE(*closed_after, 500ms);
  EXPECT_EQ(server.calls.load(), 0);
  EXPECT_TRUE(WaitForOpenConnections(*server.server, 0));
}

TEST(HttpLimitsTest, TrickledBodyIsCutOffAtTheBodyDeadline) {
  ServerOptions options = TestOptions();
  options.header_timeout = 3600s;
  options.body_timeout = 1s;
  OkServer server(options);
  auto closed_after =
      Trickle(server.port(), "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n", "b");
  ASSERT_TRUE(closed_after) << "the server let the body trickle for 8 s";
  EXPECT_EQ(server.calls.load(), 0);
}

TEST(HttpLimitsTest, MaxRequestsPerConnectionClosesAfterTheLastOne) {
  ServerOptions options = TestOptions();
  options.max_requests_per_connection = 3;
  OkServer server(options);
  Client client(server.port());
  for (int i = 1; i <= 3; ++i) {
    ASSERT_TRUE(client.Send(Get("/")));
    auto response = client.Read();
    ASSERT_TRUE(response) << i;
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->Header("Connection"), i < 3 ? "keep-alive" : "close") << i;
  }
  EXPECT_TRUE(client.ReadEof());
  EXPECT_EQ(server.calls.load(), 3);
}

TEST(HttpLimitsTest, HeaderLimitIsConfigurable) {
  ServerOptions options = TestOptions();
  options.max_header_bytes = 2048;
  OkServer server(options);
  {
    Client client(server.port());
    ASSERT_TRUE(client.Send(Get("/", "X-Small: " + std::string(1000, 's') + "\r\n")));
    auto response = client.Read();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
  }
  Client client(server.port());
  ASSERT_TRUE(client.Send(Get("/", "X-Big: " + std::string(3000, 'b') + "\r\n")));
  auto response = client.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 431);
  EXPECT_EQ(response->Header("Connection"), "close");
  EXPECT_TRUE(client.ReadEof());
  EXPECT_EQ(server.calls.load(), 1);
}

TEST(HttpLimitsTest, OpenConnectionsReturnToZeroAfterClientsLeave) {
  OkServer server(TestOptions());
  {
    std::vector<std::unique_ptr<Client>> clients;
    for (int i = 0; i < 20; ++i) {
      clients.push_back(std::make_unique<Client>(server.port()));
      // Every other one leaves in the middle of a request, the rest after an answer.
      if (i % 2 == 0) {
        ASSERT_TRUE(clients.back()->Send("GET / HTTP/1.1\r\nHost: x\r\n"));
      } else {
        ASSERT_TRUE(clients.back()->Send(Get("/")));
        ASSERT_TRUE(clients.back()->Read());
      }
    }
    EXPECT_TRUE(WaitForOpenConnections(*server.server, 20));
  }
  EXPECT_TRUE(WaitForOpenConnections(*server.server, 0))
      << server.server->open_connections() << " still open";
  EXPECT_EQ(server.server->refused_connections(), 0u);
}

}  // namespace
}  // namespace wharf::net
