// HttpServer's HTTPS listener, with certificates made by net/certificates.h and clients built on
// OpenSSL directly (test_clients.h). Real sockets on 127.0.0.1, ports picked by the kernel;
// every wait is bounded.

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include <chrono>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "net/certificates.h"
#include "net/http_server.h"
#include "temp_dir.h"
#include "test_clients.h"

namespace wharf::net {
namespace {

using namespace std::chrono_literals;

constexpr auto kWait = 10s;

std::string Get(std::string_view target) {
  return "GET " + std::string(target) + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
}

// A CA and a server certificate for localhost/127.0.0.1 signed by it, written to a temporary
// directory the way `wharf tls` writes them.
class Certificates {
 public:
  Certificates() {
    auto ca = CreateCertificateAuthority({});
    EXPECT_TRUE(ca.ok()) << ca.error().message;
    ca_ = *ca;
    Issue("server");
  }

  // A new server key pair and certificate in <name>.pem / <name>-key.pem.
  PemKeyPair Issue(const std::string& name) {
    ServerCertificateRequest request;
    request.dns_names = {"localhost"};
    request.ip_addresses = {"127.0.0.1"};
    auto issued = IssueServerCertificate(ca_, request);
    EXPECT_TRUE(issued.ok()) << issued.error().message;
    Write(name + ".pem", issued->certificate);
    Write(name + "-key.pem", issued->private_key);
    return *issued;
  }

  void Write(const std::string& file, const std::string& contents) {
    auto written = WriteFileAtomically(Path(file), contents, 0600, true);
    EXPECT_TRUE(written.ok()) << written.error().message;
  }

  std::string Path(const std::string& file) const { return (dir_.path() / file).string(); }
  const std::string& ca_pem() const { return ca_.certificate; }
  const PemKeyPair& ca() const { return ca_; }

  TlsOptions Options(const std::string& name = "server") const {
    TlsOptions tls;
    tls.port = 0;
    tls.certificate_chain_file = Path(name + ".pem");
    tls.private_key_file = Path(name + "-key.pem");
    return tls;
  }

 private:
  testing::TempDir dir_{"wharf-tls-test"};
  PemKeyPair ca_;
};

ServerOptions TestOptions(TlsOptions tls) {
  ServerOptions options;
  options.address = "127.0.0.1";
  options.port = 0;
  options.io_threads = 2;
  options.tls = std::move(tls);
  return options;
}

// Answers every request with its path and whether it came over TLS, and remembers the requests.
class EchoHandler {
 public:
  RequestHandler handler() {
    return [this](HttpRequest&& request, Responder respond) {
      HttpResponse response;
      response.headers.emplace_back("Content-Type", "text/plain");
      response.body = std::string(request.Path()) + (request.is_tls ? " tls" : " plain");
      if (request.Path() == "/close") response.headers.emplace_back("Connection", "close");
      {
        std::lock_guard lock(mu_);
        requests_.push_back(std::move(request));
      }
      respond(std::move(response));
    };
  }
  std::vector<HttpRequest> requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  std::mutex mu_;
  std::vector<HttpRequest> requests_;
};

class TlsServerTest : public ::testing::Test {
 protected:
  std::unique_ptr<HttpServer> Start(ServerOptions options) {
    auto server = std::make_unique<HttpServer>(std::move(options), echo_.handler());
    auto started = server->Start();
    EXPECT_TRUE(started.ok()) << started.error().message;
    return server;
  }
  std::unique_ptr<HttpServer> Start() { return Start(TestOptions(certs_.Options())); }

  // A request on a fresh TLS connection with `options`: the body, or "" with the failure.
  std::string RequestOver(uint16_t port, TlsClientOptions options = {}) {
    TlsClient client(port, certs_.ca_pem(), std::move(options));
    if (!client.Handshake()) {
      ADD_FAILURE() << "handshake: " << client.error();
      return "";
    }
    EXPECT_TRUE(client.Send(Get("/x")));
    auto response = client.Read();
    return response ? response->body : "";
  }

  Certificates certs_;
  EchoHandler echo_;
};

TEST_F(TlsServerTest, HandshakeRequestAndKeepAlive) {
  auto server = Start();
  ASSERT_NE(server->tls_port(), 0);
  TlsClient client(server->tls_port(), certs_.ca_pem(), {.alpn = {"http/1.1"}});
  ASSERT_TRUE(client.Handshake()) << client.error();
  EXPECT_EQ(client.version(), TLS1_3_VERSION);
  EXPECT_EQ(client.alpn(), "http/1.1");
  for (int i = 0; i < 3; ++i) {  // one session, several requests
    ASSERT_TRUE(client.Send("POST /q" + std::to_string(i) +
                            " HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nhello"));
    auto response = client.Read();
    ASSERT_TRUE(response) << i;
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, "/q" + std::to_string(i) + " tls");
    EXPECT_EQ(response->Header("Connection"), "keep-alive");
  }
  auto requests = echo_.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_TRUE(requests[0].is_tls);
  EXPECT_EQ(requests[0].body, "hello");
  EXPECT_EQ(requests[0].remote_address, "127.0.0.1");
  EXPECT_EQ(requests[0].Header("Host"), "localhost");
}

// Bodies larger than a TLS record (16 KiB) in both directions, several times on one session.
TEST_F(TlsServerTest, LargeBodiesBothWays) {
  auto server = std::make_unique<HttpServer>(
      TestOptions(certs_.Options()), [](HttpRequest&& request, Responder respond) {
        HttpResponse response;
        if (request.body != std::string(request.body.size(), 'q')) response.status = 400;
        response.body = std::string(request.body.size() * 2, 'r');
        respond(std::move(response));
      });
  ASSERT_TRUE(server->Start().ok());
  TlsClient client(server->tls_port(), certs_.ca_pem());
  ASSERT_TRUE(client.Handshake()) << client.error();
  for (size_t size : {size_t{1}, size_t{16 * 1024}, size_t{100'000}, size_t{1 << 20}}) {
    ASSERT_TRUE(client.Send("POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: " +
                            std::to_string(size) + "\r\n\r\n" + std::string(size, 'q')));
    auto response = client.Read();
    ASSERT_TRUE(response) << size;
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, std::string(2 * size, 'r'));
  }
}

TEST_F(TlsServerTest, CertificateVerifiesForTheIpAddressToo) {
  auto server = Start();
  EXPECT_EQ(RequestOver(server->tls_port(), {.host = "127.0.0.1"}), "/x tls");
  // A name the certificate does not carry fails verification: the client really checks.
  TlsClient wrong(server->tls_port(), certs_.ca_pem(), {.host = "example.com"});
  EXPECT_FALSE(wrong.Handshake());
}

TEST_F(TlsServerTest, PlainAndTlsListenersSideBySide) {
  ServerOptions options = TestOptions(certs_.Options());
  auto server = Start(options);
  ASSERT_NE(server->port(), 0);
  ASSERT_NE(server->tls_port(), 0);
  EXPECT_NE(server->port(), server->tls_port());

  Client plain(server->port());
  ASSERT_TRUE(plain.Send(Get("/p")));
  auto response = plain.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "/p plain");
  EXPECT_EQ(RequestOver(server->tls_port()), "/x tls");

  auto requests = echo_.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_FALSE(requests[0].is_tls);
  EXPECT_TRUE(requests[1].is_tls);

  // TLS on the plain port, or plain HTTP on the TLS port, gets nowhere.
  TlsClient tls_on_plain(server->port(), certs_.ca_pem());
  EXPECT_FALSE(tls_on_plain.Handshake());
  Client plain_on_tls(server->tls_port());
  ASSERT_TRUE(plain_on_tls.Send(Get("/nope")));
  EXPECT_FALSE(plain_on_tls.Read());
  EXPECT_EQ(echo_.requests().size(), 2u);
}

TEST_F(TlsServerTest, HttpsOnly) {
  ServerOptions options = TestOptions(certs_.Options());
  options.plain_http = false;
  auto server = Start(options);
  EXPECT_EQ(server->port(), 0);
  EXPECT_EQ(RequestOver(server->tls_port()), "/x tls");
}

TEST_F(TlsServerTest, NothingToListenOnFailsStart) {
  ServerOptions options;
  options.plain_http = false;
  HttpServer server(options, echo_.handler());
  auto started = server.Start();
  ASSERT_FALSE(started.ok());
  EXPECT_NE(started.error().message.find("neither HTTP nor HTTPS"), std::string::npos);
}

TEST_F(TlsServerTest, Tls11IsRefusedAndTls12Accepted) {
  auto server = Start();
  TlsClient old(server->tls_port(), certs_.ca_pem(),
                {.min_version = TLS1_1_VERSION, .max_version = TLS1_1_VERSION});
  EXPECT_FALSE(old.Handshake());
  EXPECT_NE(old.error().find("protocol version"), std::string::npos) << old.error();

  TlsClient tls12(server->tls_port(), certs_.ca_pem(), {.max_version = TLS1_2_VERSION});
  ASSERT_TRUE(tls12.Handshake()) << tls12.error();
  EXPECT_EQ(tls12.version(), TLS1_2_VERSION);
  const std::string cipher = SSL_get_cipher_name(tls12.ssl());
  EXPECT_EQ(cipher.rfind("ECDHE-ECDSA-", 0), 0u) << cipher;
  EXPECT_TRUE(cipher.find("GCM") != std::string::npos ||
              cipher.find("CHACHA20-POLY1305") != std::string::npos)
      << cipher;
}

TEST_F(TlsServerTest, Tls12WithoutEcdheAeadIsRefused) {
  auto server = Start();
  // The server's key is ECDSA: of the TLS 1.2 list only ECDHE-ECDSA suites can work.
  for (const char* cipher :
       {"ECDHE-ECDSA-AES256-SHA384", "ECDHE-ECDSA-AES128-SHA", "ECDHE-ECDSA-AES256-SHA"}) {
    TlsClient client(server->tls_port(), certs_.ca_pem(),
                     {.max_version = TLS1_2_VERSION, .tls12_ciphers = cipher});
    EXPECT_FALSE(client.Handshake()) << cipher << " (CBC) was accepted";
  }
  for (const char* cipher : {"ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-ECDSA-CHACHA20-POLY1305"}) {
    EXPECT_EQ(
        RequestOver(server->tls_port(), {.max_version = TLS1_2_VERSION, .tls12_ciphers = cipher}),
        "/x tls")
        << cipher;
  }
}

TEST_F(TlsServerTest, AlpnOffersOnlyHttp11) {
  auto server = Start();
  TlsClient h2_only(server->tls_port(), certs_.ca_pem(), {.alpn = {"h2"}});
  EXPECT_FALSE(h2_only.Handshake());
  EXPECT_NE(h2_only.error().find("no application protocol"), std::string::npos) << h2_only.error();

  TlsClient both(server->tls_port(), certs_.ca_pem(), {.alpn = {"h2", "http/1.1"}});
  ASSERT_TRUE(both.Handshake()) << both.error();
  EXPECT_EQ(both.alpn(), "http/1.1");

  TlsClient none(server->tls_port(), certs_.ca_pem());
  ASSERT_TRUE(none.Handshake()) << none.error();
  EXPECT_EQ(none.alpn(), "");
}

// OpenSSL 3 servers refuse client-initiated renegotiation unless allowed; SSL_OP_NO_RENEGOTIATION
// states it and rules out server-initiated renegotiation too. This pins the behaviour.
TEST_F(TlsServerTest, RenegotiationIsRefused) {
  auto server = Start();
  TlsClient client(server->tls_port(), certs_.ca_pem(), {.max_version = TLS1_2_VERSION});
  ASSERT_TRUE(client.Handshake()) << client.error();
  ASSERT_EQ(SSL_renegotiate(client.ssl()), 1);
  EXPECT_LE(SSL_do_handshake(client.ssl()), 0) << "the server renegotiated";
}

TEST_F(TlsServerTest, ClientThatNeverCompletesTheHandshakeIsDisconnected) {
  TlsOptions tls = certs_.Options();
  tls.handshake_timeout = 300ms;
  auto server = Start(TestOptions(tls));
  {
    Client silent(server->tls_port());  // connects, sends nothing
    ASSERT_TRUE(silent.connected());
    const auto start = std::chrono::steady_clock::now();
    EXPECT_TRUE(silent.ReadEof());
    const auto waited = std::chrono::steady_clock::now() - start;
    EXPECT_GE(waited, 250ms);
    EXPECT_LT(waited, 5s);
  }
  {
    Client partial(server->tls_port());  // the start of a record header, then nothing
    ASSERT_TRUE(partial.Send(std::string("\x16\x03\x01", 3)));
    const auto start = std::chrono::steady_clock::now();
    EXPECT_TRUE(partial.ReadEof());
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  }
  // The listener still serves others.
  EXPECT_EQ(RequestOver(server->tls_port()), "/x tls");
}

// max_connections counts both listeners; a TLS connection beyond it is closed before the
// handshake (no plain-text 503 on a TLS port).
TEST_F(TlsServerTest, ConnectionLimitCoversBothListeners) {
  ServerOptions options = TestOptions(certs_.Options());
  options.max_connections = 1;
  auto server = Start(options);
  Client plain(server->port());
  ASSERT_TRUE(plain.Send(Get("/p")));
  ASSERT_TRUE(plain.Read());
  {
    TlsClient refused(server->tls_port(), certs_.ca_pem());
    EXPECT_FALSE(refused.Handshake());
  }
  EXPECT_EQ(server->refused_connections(), 1u);
  plain.Close();
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (server->open_connections() != 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(RequestOver(server->tls_port()), "/x tls");
}

// After the handshake, the first request is due within header_timeout (not idle_timeout).
TEST_F(TlsServerTest, SessionThatSendsNoRequestIsClosedAtTheHeaderDeadline) {
  ServerOptions options = TestOptions(certs_.Options());
  options.header_timeout = 1s;
  options.idle_timeout = 3600s;
  auto server = Start(options);
  TlsClient client(server->tls_port(), certs_.ca_pem());
  ASSERT_TRUE(client.Handshake()) << client.error();
  // The read ends when the server closes (a bare close: the deadline cuts the socket), long
  // before the client's own 10 s read timeout.
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(client.Read());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 8s);
  EXPECT_TRUE(echo_.requests().empty());
}

TEST_F(TlsServerTest, ConnectionCloseEndsTheSessionWithCloseNotify) {
  auto server = Start();
  TlsClient client(server->tls_port(), certs_.ca_pem());
  ASSERT_TRUE(client.Handshake()) << client.error();
  ASSERT_TRUE(client.Send(Get("/close")));
  auto response = client.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->Header("Connection"), "close");
  EXPECT_TRUE(client.ReadCloseNotify());
}

TEST_F(TlsServerTest, StopSendsCloseNotifyToIdleSessions) {
  auto server = Start();
  TlsClient idle(server->tls_port(), certs_.ca_pem());
  ASSERT_TRUE(idle.Handshake()) << idle.error();
  ASSERT_TRUE(idle.Send(Get("/a")));
  ASSERT_TRUE(idle.Read());
  // TLS 1.2, where the server sends the last handshake message: when the client's handshake
  // is done, so is the server's. (A TLS 1.3 client finishes first; a handshake the server has
  // not completed is cut off at Stop(), like any connection without a session.)
  TlsClient never_spoke(server->tls_port(), certs_.ca_pem(), {.max_version = TLS1_2_VERSION});
  ASSERT_TRUE(never_spoke.Handshake()) << never_spoke.error();
  // The client has the server's Finished once the server has written it, which can be before
  // the server's handshake completion has run on its loop (seen under a loaded ctest -j2): give
  // it time to, so the connection counts as an idle session. Margin, not synchronization.
  std::this_thread::sleep_for(300ms);

  const auto start = std::chrono::steady_clock::now();
  auto stopped = std::async(std::launch::async, [&] { server->Stop(5s); });
  EXPECT_TRUE(idle.ReadCloseNotify());
  EXPECT_TRUE(never_spoke.ReadCloseNotify());
  ASSERT_EQ(stopped.wait_for(kWait), std::future_status::ready);
  // Neither the grace period nor the close_notify timeout was waited out.
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
}

TEST_F(TlsServerTest, StopDuringAHandshakeDoesNotWait) {
  auto server = Start();
  Client silent(server->tls_port());
  ASSERT_TRUE(silent.connected());
  std::this_thread::sleep_for(50ms);  // let the server accept it; not synchronization
  const auto start = std::chrono::steady_clock::now();
  server->Stop(5s);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
  EXPECT_TRUE(silent.ReadEof());
}

TEST_F(TlsServerTest, ReloadServesNewCertificateToNewConnections) {
  auto server = Start();
  TlsClient before(server->tls_port(), certs_.ca_pem());
  ASSERT_TRUE(before.Handshake()) << before.error();
  const std::string old_serial = before.PeerSerial();
  ASSERT_FALSE(old_serial.empty());

  certs_.Issue("server");  // new key and certificate under the same file names
  ASSERT_TRUE(server->ReloadTls().ok());
  TlsClient after(server->tls_port(), certs_.ca_pem());
  ASSERT_TRUE(after.Handshake()) << after.error();
  const std::string new_serial = after.PeerSerial();
  EXPECT_NE(new_serial, old_serial);

  // The connection made before the reload goes on with its session.
  ASSERT_TRUE(before.Send(Get("/old")));
  auto response = before.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "/old tls");

  // A broken file: the reload fails, says why, and the last good certificate stays.
  certs_.Write("server.pem", "not a certificate\n");
  auto reloaded = server->ReloadTls();
  ASSERT_FALSE(reloaded.ok());
  EXPECT_NE(reloaded.error().message.find(certs_.Path("server.pem")), std::string::npos)
      << reloaded.error().message;
  TlsClient later(server->tls_port(), certs_.ca_pem());
  ASSERT_TRUE(later.Handshake()) << later.error();
  EXPECT_EQ(later.PeerSerial(), new_serial);
}

TEST_F(TlsServerTest, ReloadWithoutTlsIsAnError) {
  ServerOptions options;
  options.address = "127.0.0.1";
  options.port = 0;
  auto server = Start(options);
  EXPECT_EQ(server->tls_port(), 0);
  EXPECT_FALSE(server->ReloadTls().ok());
}

// --- start-up checks of the certificate and key files ---------------------------------------

std::string StartError(ServerOptions options) {
  HttpServer server(std::move(options), [](HttpRequest&&, Responder) {});
  auto started = server.Start();
  EXPECT_FALSE(started.ok()) << "Start() accepted it";
  return started.ok() ? "" : started.error().message;
}

TEST_F(TlsServerTest, KeyOfAnotherCertificateFailsStart) {
  certs_.Issue("other");
  TlsOptions tls = certs_.Options();
  tls.private_key_file = certs_.Path("other-key.pem");
  const std::string error = StartError(TestOptions(tls));
  EXPECT_NE(error.find("does not match the certificate"), std::string::npos) << error;
  EXPECT_NE(error.find("other-key.pem"), std::string::npos) << error;
  EXPECT_FALSE(CheckTlsFiles(tls).ok());
  EXPECT_TRUE(CheckTlsFiles(certs_.Options()).ok());
}

TEST_F(TlsServerTest, MissingOrMalformedFilesFailStartNamingTheFile) {
  TlsOptions missing_cert = certs_.Options();
  missing_cert.certificate_chain_file = certs_.Path("absent.pem");
  std::string error = StartError(TestOptions(missing_cert));
  EXPECT_NE(error.find("absent.pem"), std::string::npos) << error;
  EXPECT_NE(error.find("No such file"), std::string::npos) << error;

  TlsOptions missing_key = certs_.Options();
  missing_key.private_key_file = certs_.Path("absent-key.pem");
  error = StartError(TestOptions(missing_key));
  EXPECT_NE(error.find("absent-key.pem"), std::string::npos) << error;

  certs_.Write("garbage.pem", "-----BEGIN CERTIFICATE-----\nnot base64\n");
  TlsOptions garbage = certs_.Options();
  garbage.certificate_chain_file = certs_.Path("garbage.pem");
  error = StartError(TestOptions(garbage));
  EXPECT_NE(error.find("garbage.pem"), std::string::npos) << error;

  TlsOptions key_as_cert = certs_.Options();
  key_as_cert.certificate_chain_file = certs_.Path("server-key.pem");
  error = StartError(TestOptions(key_as_cert));
  EXPECT_NE(error.find("no start line"), std::string::npos) << error;

  TlsOptions nothing = certs_.Options();
  nothing.certificate_chain_file.clear();
  error = StartError(TestOptions(nothing));
  EXPECT_NE(error.find("no file configured"), std::string::npos) << error;
}

TEST_F(TlsServerTest, EncryptedKeyNeedsItsPassphrase) {
  const PemKeyPair pair = certs_.Issue("enc");
  // Re-write the key encrypted (AES-256-CBC, PKCS#8) with a passphrase.
  BIO* in = BIO_new_mem_buf(pair.private_key.data(), static_cast<int>(pair.private_key.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(in, nullptr, nullptr, nullptr);
  BIO_free(in);
  ASSERT_NE(key, nullptr);
  BIO* out = BIO_new(BIO_s_mem());
  const std::string passphrase = "correct horse";
  ASSERT_EQ(PEM_write_bio_PKCS8PrivateKey(out, key, EVP_aes_256_cbc(), passphrase.data(),
                                          static_cast<int>(passphrase.size()), nullptr, nullptr),
            1);
  char* data = nullptr;
  long size = BIO_get_mem_data(out, &data);
  certs_.Write("enc-key.pem", std::string(data, static_cast<size_t>(size)));
  BIO_free(out);
  EVP_PKEY_free(key);

  TlsOptions tls = certs_.Options("enc");
  // Without the passphrase: a clear failure, not a prompt on the terminal.
  EXPECT_NE(StartError(TestOptions(tls)).find("enc-key.pem"), std::string::npos);
  tls.private_key_passphrase = "wrong";
  EXPECT_FALSE(CheckTlsFiles(tls).ok());
  tls.private_key_passphrase = passphrase;
  auto server = Start(TestOptions(tls));
  EXPECT_EQ(RequestOver(server->tls_port()), "/x tls");
}

TEST_F(TlsServerTest, TlsPortInUseFailsStart) {
  auto first = Start();
  TlsOptions tls = certs_.Options();
  tls.port = first->tls_port();
  const std::string error = StartError(TestOptions(tls));
  EXPECT_NE(error.find("(HTTPS)"), std::string::npos) << error;
}

}  // namespace
}  // namespace wharf::net
