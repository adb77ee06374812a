#pragma once

// Blocking HTTP/1.1 test clients for the HttpServer tests: one on a plain POSIX socket, one over
// TLS with OpenSSL directly (so a test can choose protocol versions, ciphers and ALPN, and see
// exactly how the server ended a session). Every read times out after kReadTimeoutSeconds, so a
// server bug fails a test instead of hanging it.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <signal.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wharf::net {

inline constexpr int kReadTimeoutSeconds = 10;

struct Response {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  int Count(std::string_view name) const {
    int n = 0;
    for (const auto& [k, v] : headers) n += strcasecmp(k.c_str(), std::string(name).c_str()) == 0;
    return n;
  }
  std::string Header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
      if (strcasecmp(k.c_str(), std::string(name).c_str()) == 0) return v;
    }
    return "";
  }
};

// One response from `buf`, calling `fill` (which appends to `buf`, false on EOF, error or
// timeout) until it is complete; nullopt if the bytes end first. `head`: no body follows.
template <typename Fill>
std::optional<Response> ParseResponse(std::string& buf, Fill fill, bool head) {
  size_t end;
  while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
    if (!fill()) return std::nullopt;
  }
  Response r;
  std::string head_text = buf.substr(0, end);
  buf.erase(0, end + 4);
  size_t line_end = head_text.find("\r\n");
  std::string status_line = head_text.substr(0, line_end);
  if (status_line.rfind("HTTP/1.1 ", 0) != 0) return std::nullopt;
  r.status = std::stoi(status_line.substr(9, 3));
  size_t pos = line_end == std::string::npos ? head_text.size() : line_end + 2;
  while (pos < head_text.size()) {
    size_t next = head_text.find("\r\n", pos);
    if (next == std::string::npos) next = head_text.size();
    std::string line = head_text.substr(pos, next - pos);
    size_t colon = line.find(':');
    if (colon == std::string::npos) return std::nullopt;
    std::string value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    r.headers.emplace_back(line.substr(0, colon), value);
    pos = next + 2;
  }
  if (head || r.status == 100) return r;
  size_t length = r.Count("Content-Length") ? std::stoul(r.Header("Content-Length")) : 0;
  while (buf.size() < length) {
    if (!fill()) return std::nullopt;
  }
  r.body = buf.substr(0, length);
  buf.erase(0, length);
  return r;
}

// A TCP connection to 127.0.0.1:port with a receive timeout; -1 if it cannot connect.
inline int ConnectLoopback(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  timeval tv{kReadTimeoutSeconds, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// A blocking HTTP/1.1 client on a plain POSIX socket.
class Client {
 public:
  explicit Client(uint16_t port) : fd_(ConnectLoopback(port)) {}
  ~Client() { Close(); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool connected() const { return fd_ >= 0; }

  bool Send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // One response; nullopt if the connection ends or times out first. `head`: no body follows.
  std::optional<Response> Read(bool head = false) {
    return ParseResponse(
        buf_, [this] { return Fill(); }, head);
  }

  // True if the server closed the connection cleanly and sent nothing more.
  bool ReadEof() {
    if (!buf_.empty()) return false;
    char c;
    return recv(fd_, &c, 1, 0) == 0;
  }

  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

 private:
  bool Fill() {
    char chunk[16384];
    ssize_t n = recv(fd_, chunk, sizeof(chunk), 0);
    if (n <= 0) return false;
    buf_.append(chunk, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  std::string buf_;
};

struct TlsClientOptions {
  int min_version = TLS1_2_VERSION;
  int max_version = 0;             // 0: the newest
  std::string tls12_ciphers;       // OpenSSL cipher string; empty: OpenSSL's default
  std::vector<std::string> alpn;   // protocols to offer; empty: no ALPN extension
  std::string host = "localhost";  // the name (or IP address) the certificate must match
};

// An HTTP/1.1 client over TLS that trusts only `ca_pem` and checks the server's name.
class TlsClient {
 public:
  TlsClient(uint16_t port, const std::string& ca_pem, TlsClientOptions options = {})
      : options_(std::move(options)), fd_(ConnectLoopback(port)) {
    // OpenSSL writes to the socket with write(): an alert sent to a server that has already
    // closed must fail that write, not kill the test binary.
    signal(SIGPIPE, SIG_IGN);
    ctx_ = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_min_proto_version(ctx_, options_.min_version);
    SSL_CTX_set_max_proto_version(ctx_, options_.max_version);
    if (options_.min_version < TLS1_2_VERSION) SSL_CTX_set_security_level(ctx_, 0);
    if (!options_.tls12_ciphers.empty()) {
      SSL_CTX_set_cipher_list(ctx_, options_.tls12_ciphers.c_str());
    }
    BIO* bio = BIO_new_mem_buf(ca_pem.data(), static_cast<int>(ca_pem.size()));
    X509* ca = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx_), ca);
    X509_free(ca);
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
    X509_VERIFY_PARAM_set_flags(SSL_CTX_get0_param(ctx_), X509_V_FLAG_X509_STRICT);
    if (!options_.alpn.empty()) {
      std::string wire;
      for (const std::string& p : options_.alpn) wire += static_cast<char>(p.size()) + p;
      SSL_CTX_set_alpn_protos(ctx_, reinterpret_cast<const unsigned char*>(wire.data()),
                              static_cast<unsigned>(wire.size()));
    }
    ssl_ = SSL_new(ctx_);
    SSL_set_fd(ssl_, fd_);
    if (unsigned char ip[16]; inet_pton(AF_INET, options_.host.c_str(), ip) == 1) {
      X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), options_.host.c_str());
    } else {
      SSL_set_tlsext_host_name(ssl_, options_.host.c_str());
      SSL_set1_host(ssl_, options_.host.c_str());
    }
  }
  ~TlsClient() {
    SSL_free(ssl_);
    SSL_CTX_free(ctx_);
    if (fd_ >= 0) close(fd_);
  }
  TlsClient(const TlsClient&) = delete;
  TlsClient& operator=(const TlsClient&) = delete;

  // True if the handshake succeeded and the certificate verified; else error() says why.
  bool Handshake() {
    ERR_clear_error();
    if (fd_ < 0) {
      error_ = "not connected";
      return false;
    }
    if (SSL_connect(ssl_) == 1) return true;
    error_ = Errors();
    return false;
  }
  // The OpenSSL reason of the last failure, e.g. "tlsv1 alert protocol version".
  const std::string& error() const { return error_; }

  int version() const { return SSL_version(ssl_); }
  std::string alpn() const {
    const unsigned char* data = nullptr;
    unsigned int length = 0;
    SSL_get0_alpn_selected(ssl_, &data, &length);
    return std::string(reinterpret_cast<const char*>(data), length);
  }
  // The serial number of the server's certificate, in hex.
  std::string PeerSerial() const {
    X509* cert = SSL_get0_peer_certificate(ssl_);
    if (cert == nullptr) return "";
    BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr);
    char* hex = BN_bn2hex(bn);
    std::string out = hex;
    OPENSSL_free(hex);
    BN_free(bn);
    return out;
  }
  SSL* ssl() { return ssl_; }

  bool Send(std::string_view data) {
    while (!data.empty()) {
      int n = SSL_write(ssl_, data.data(), static_cast<int>(data.size()));
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  std::optional<Response> Read(bool head = false) {
    return ParseResponse(
        buf_, [this] { return Fill(); }, head);
  }

  // Reads until the session ends: true if the server ended it with a close_notify (a clean TLS
  // close), false for a bare TCP close, a reset, a timeout or more data.
  bool ReadCloseNotify() {
    if (!buf_.empty()) return false;
    char c;
    int n = SSL_read(ssl_, &c, 1);
    return n <= 0 && SSL_get_error(ssl_, n) == SSL_ERROR_ZERO_RETURN;
  }

 private:
  bool Fill() {
    char chunk[16384];
    int n = SSL_read(ssl_, chunk, sizeof(chunk));
    if (n <= 0) return false;
    buf_.append(chunk, static_cast<size_t>(n));
    return true;
  }

  static std::string Errors() {
    std::string text;
    while (unsigned long code = ERR_get_error()) {
      const char* reason = ERR_reason_error_string(code);
      if (!text.empty()) text += "; ";
      text += reason != nullptr ? reason : "?";
    }
    return text.empty() ? "handshake failed" : text;
  }

  TlsClientOptions options_;
  int fd_ = -1;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  std::string buf_;
  std::string error_;
};

}  // namespace wharf::net
