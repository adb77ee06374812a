#include "net/connection.h"

#include <openssl/ssl.h>

#include <algorithm>
#include <array>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>
#include <string>
#include <type_traits>

#include "net/request_parser.h"

namespace wharf::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;
using PlainStream = beast::basic_stream<tcp, Executor>;
// Asio's TLS stream itself. It copies a short header and the start of the body into one record
// (up to 8 KiB), which is what Beast's ssl_stream/flat_stream wrapper was for; with that wrapper
// a response body beyond 16 KiB never reached the client (tls_server_test LargeBodiesBothWays).
using TlsStream = asio::ssl::stream<PlainStream>;

// How much one idle/linger read asks for at a time.
constexpr size_t kReadChunk = 16 * 1024;
// After a response that closes the connection we shut down our sending side and read (and
// discard) what the client still sends for a while, so that closing a socket with unread data
// does not turn into a RST that destroys the response before the client has read it.
constexpr std::chrono::seconds kLingerTimeout{5};
constexpr size_t kLingerMaxBytes = 64 * 1024 * 1024;
// Stop(): how long sending the close_notify of an idle TLS session may take.
constexpr std::chrono::seconds kCloseNotifyTimeout{1};

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

// Exceptions thrown by request handlers, turned into 500s. The one last-resort guard.
std::atomic<uint64_t> handler_exceptions{0};

// RFC 9110 tchar, as a table: every response header name is checked on every request, and a
// search of the punctuation list per character ('-' in nearly every name) showed in profiles.
constexpr std::array<bool, 256> kTokenChars = [] {
  std::array<bool, 256> table{};
  for (int c = 'a'; c <= 'z'; ++c) table[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) table[c] = true;
  for (int c = '0'; c <= '9'; ++c) table[c] = true;
  for (char c : std::string_view("!#$%&'*+-.^_`|~")) table[static_cast<unsigned char>(c)] = true;
  return table;
}();

bool IsTokenChar(char c) { return kTokenChars[static_cast<unsigned char>(c)]; }

bool IEquals(std::string_view a, std::string_view b) { return beast::iequals(a, b); }

// A handler-supplied header that can be written as is: a token name and a value without CR, LF
// or NUL (anything else would let a value split the response).
bool IsWritableHeader(std::string_view name, std::string_view value) {
  if (name.empty() || !std::all_of(name.begin(), name.end(), IsTokenChar)) return false;
  // One pass; string_view::find_first_of calls memchr over the set once per character.
  return std::none_of(value.begin(), value.end(),
                      [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
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

struct NoTlsContext {};

// One accepted socket, plain (Stream = PlainStream) or TLS (Stream = TlsStream). Owned by
// shared_ptr: pending Asio operations and the Responder of the request in progress hold it; the
// Core's registry holds only a weak_ptr. Every member is touched only on the connection's event
// loop, except Respond() (any thread), which posts onto it. What differs between the two streams
// is decided at compile time (`kTls`), so the plain path runs exactly the code it would without
// TLS support.
//
// Lifecycle: [TLS: Handshake (handshake_timeout)] -> WaitForRequest (idle, idle_timeout; before
// the first request header_timeout) -> ReadHeader (header_timeout) -> ReadBody (body_timeout) ->
// Dispatch (handler; no timeout while it works) -> Write (idle_timeout) -> WaitForRequest again,
// or Linger and Close. One request at a time, so bytes of a pipelined next request wait in
// buffer_. Stopping a TLS session gracefully: send a close_notify (kClosing), then Close.
// Timeouts are deadlines, not gaps between reads: trickling bytes does not extend them. The
// connection holds one of the server's max_connections slots from its acceptance until Close()
// (or its destruction, whichever comes first).
template <class Stream>
class Connection : public ConnectionBase, public std::enable_shared_from_this<Connection<Stream>> {
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;
  using TlsContextRef = std::conditional_t<kTls, std::shared_ptr<asio::ssl::context>, NoTlsContext>;

 public:
  Connection(std::shared_ptr<Core> core, Socket socket) requires(!kTls)
      : ConnectionBase(socket.get_executor()), core_(std::move(core)), stream_(std::move(socket)) {}

  Connection(std::shared_ptr<Core> core, Socket socket,
             std::shared_ptr<asio::ssl::context> tls) requires(kTls)
      : ConnectionBase(socket.get_executor()),
        core_(std::move(core)),
        tls_context_(std::move(tls)),
        stream_(std::move(socket), *tls_context_) {}

  ~Connection() override {
    ReleaseSlot();
    SetBusy(false);
    std::lock_guard lock(core_->mu);
    core_->connections.erase(this);
  }

  // On the connection's loop, once.
  void Start() {
    beast::error_code ec;
    Lowest().socket().set_option(tcp::no_delay(true), ec);
    auto endpoint = Lowest().socket().remote_endpoint(ec);
    if (!ec) {
      auto address = endpoint.address();
      if (address.is_v6() && address.to_v6().is_v4_mapped()) {
        address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
      }
      remote_address_ = address.to_string();
    }
    if constexpr (kTls) {
      Handshake();
    } else {
      WaitForRequest();
    }
  }

  void Shutdown(bool force) override {
    if (state_ == State::kClosed) return;
    if (force) return Close();
    if (state_ == State::kAwaitingHandler || state_ == State::kWriting) return;
    if constexpr (kTls) {
      // A read is pending; Asio's TLS stream lets a write (the close_notify) run beside it.
      if (state_ == State::kIdle || state_ == State::kReading) return SendCloseNotify();
      if (state_ == State::kClosing) return;
    }
    Close();
  }

  // Any thread: the Responder of request `seq`.
  void Respond(uint64_t seq, HttpResponse response) {
    std::shared_lock lock(core_->post_mutex);
    if (core_->stopped.load()) return;  // the server is gone: drop the answer
    asio::post(executor(),
               [self = this->shared_from_this(), seq, r = std::move(response)]() mutable {
                 self->OnResponse(seq, std::move(r));
               });
  }

 private:
  enum class State {
    kHandshaking,
    kIdle,
    kReading,
    kAwaitingHandler,
    kWriting,
    kLingering,
    kClosing,
    kClosed
  };

  // The TCP stream with its timer, under the TLS layer or not.
  PlainStream& Lowest() { return beast::get_lowest_layer(stream_); }

  // A read or write completed after the connection was closed or began to close: its handler
  // must stop here.
  bool Interrupted() const {
    if constexpr (kTls) return state_ == State::kClosed || state_ == State::kClosing;
    return state_ == State::kClosed;
  }

  void Handshake() requires(kTls) {
    state_ = State::kHandshaking;
    Lowest().expires_after(core_->options.tls->handshake_timeout);
    stream_.async_handshake(asio::ssl::stream_base::server,
                            [self = this->shared_from_this()](beast::error_code ec) {
                              if (self->state_ == State::kClosed) return;
                              // Timeout, not TLS, refused version or cipher: nothing to answer.
                              if (ec) return self->Close();
                              self->WaitForRequest();
                            });
  }

  void WaitForRequest() {
    state_ = State::kIdle;
    if (core_->stopping.load()) return Close();
    if (buffer_.size() > 0) return ReadHeader();  // a pipelined request is already here
    if (buffer_.capacity() > 4 * kReadChunk) buffer_.shrink_to_fit();  // after a large body
    // A new connection must send its first request within header_timeout, counted from now to
    // the end of its header section (ReadHeader does not restart the clock): connecting and
    // sending nothing or next to nothing does not hold a connection for idle_timeout.
    Lowest().expires_after(seq_ == 0 ? core_->options.header_timeout : core_->options.idle_timeout);
    stream_.async_read_some(buffer_.prepare(kReadChunk),
                            [self = this->shared_from_this()](beast::error_code ec, size_t n) {
                              self->OnFirstBytes(ec, n);
                            });
  }

  void OnFirstBytes(beast::error_code ec, size_t n) {
    if (Interrupted()) return;
    if (ec) return Close();  // idle timeout, EOF, reset
    buffer_.commit(n);
    ReadHeader();
  }

  void ReadHeader() {
    state_ = State::kReading;
    StartRequest(parser_, core_->options.max_header_bytes);
    if (seq_ > 0) Lowest().expires_after(core_->options.header_timeout);  // see WaitForRequest
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (Interrupted()) return;
    if (ec) return OnReadError(ec);
    const HttpRequest& req = parser_->request();
    // From the version and every Connection (and Proxy-Connection) field, as Beast's parser
    // reads them; request_parser's message looked at the first Connection field only.
    keep_alive_ = parser_->keep_alive();
    is_head_ = req.method == "HEAD";
    const uint64_t max_body = core_->options.max_body_bytes;
    if (auto length = parser_->content_length(); length && *length > max_body) {
      return Dispatch(/*body_too_large=*/true);
    }
    if (parser_->is_done()) return Dispatch(false);
    parser_->body_limit(max_body);  // chunked bodies stop at the limit too
    if (IEquals(req.Header("Expect"), "100-continue")) {
      Lowest().expires_after(core_->options.body_timeout);
      asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                        [self = this->shared_from_this()](beast::error_code ec, size_t) {
                          if (self->Interrupted()) return;
                          if (ec) return self->Close();
                          self->continue_sent_ = true;
                          self->ReadBody();
                        });
      return;
    }
    ReadBody();
  }

  // The whole body within body_timeout from the end of the header section (or the 100 Continue).
  void ReadBody() {
    if (!continue_sent_) Lowest().expires_after(core_->options.body_timeout);
    if (parser_->chunked()) {
      chunked_body_.emplace(core_->options.max_header_bytes);
      return ReadChunkedBody();
    }
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](beast::error_code ec, size_t) {
                       if (self->Interrupted()) return;
                       if (ec == http::error::body_limit) return self->Dispatch(true);
                       if (ec) return self->OnReadError(ec);
                       self->Dispatch(false);
                     });
  }

  // See ChunkedBodyReader (net/request_parser.h) for why chunked bodies are not read by Beast.
  void ReadChunkedBody() {
    beast::error_code ec;
    switch (chunked_body_->Read(*parser_, buffer_, ec)) {
      case BodyStep::kDone:
        return Dispatch(false);
      case BodyStep::kError:
        if (ec == http::error::body_limit) return Dispatch(true);
        return OnReadError(ec);
      case BodyStep::kNeedMore:
        break;
    }
    stream_.async_read_some(buffer_.prepare(kReadChunk),
                            [self = this->shared_from_this()](beast::error_code ec, size_t n) {
                              if (self->Interrupted()) return;
                              // EOF, reset or body_timeout before the body's end: nothing to
                              // answer (as OnReadError does for http::async_read).
                              if (ec) return self->Close();
                              self->buffer_.commit(n);
                              self->ReadChunkedBody();
                            });
  }

  void OnReadError(beast::error_code ec) {
    // The peer went away, or a timeout, or a TLS error: nothing to answer.
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
    HttpRequest request = parser_->Release(body_too_large, remote_address_);
    parser_.reset();
    // The unread body makes the rest of the stream unusable.
    if (body_too_large) keep_alive_ = false;
    continue_sent_ = false;
    const uint64_t max_requests = core_->options.max_requests_per_connection;
    if (max_requests != 0 && seq_ + 1 >= max_requests) keep_alive_ = false;
    request.is_tls = kTls;

    state_ = State::kAwaitingHandler;
    const uint64_t seq = ++seq_;
    SetBusy(true);
    Lowest().expires_never();  // long polls may take 20 s; the handler decides

    auto self = this->shared_from_this();
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
    Lowest().expires_after(core_->options.idle_timeout);
    std::array<asio::const_buffer, 2> buffers = {asio::buffer(out_header_),
                                                 asio::buffer(out_body_)};
    asio::async_write(stream_, buffers,
                      [self = this->shared_from_this(), keep_alive](beast::error_code ec, size_t) {
                        self->OnWritten(ec, keep_alive);
                      });
  }

  void OnWritten(beast::error_code ec, bool keep_alive) {
    if (state_ == State::kClosed) return;  // Close() cleared busy_
    out_body_.clear();
    out_body_.shrink_to_fit();
    if (ec) return Close();
    if (!keep_alive) return Linger();
    SetBusy(false);
    WaitForRequest();
  }

  // After the last response: let the client read it before the connection goes (see
  // kLingerTimeout). Plain: half-close and read what still comes. TLS: send a close_notify and
  // wait for the client's (OpenSSL discards data that arrives meanwhile); during Stop() only
  // send it.
  void Linger() {
    if constexpr (kTls) {
      if (core_->stopping.load()) return SendCloseNotify();  // stays busy until sent
      SetBusy(false);
      state_ = State::kLingering;
      Lowest().expires_after(kLingerTimeout);
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {
        if (self->state_ == State::kClosed) return;
        self->Close();
      });
    } else {
      SetBusy(false);
      state_ = State::kLingering;
      beast::error_code ec;
      Lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
      if (ec) return Close();
      Lowest().expires_after(kLingerTimeout);
      LingerRead();
    }
  }

  void LingerRead() requires(!kTls) {
    buffer_.clear();
    stream_.async_read_some(buffer_.prepare(kReadChunk),
                            [self = this->shared_from_this()](beast::error_code ec, size_t n) {
                              if (self->state_ == State::kClosed) return;
                              self->lingered_ += n;
                              if (ec || self->lingered_ > kLingerMaxBytes) return self->Close();
                              self->LingerRead();
                            });
  }

  // Sends our close_notify without waiting for the client's: RFC 8446 §6.1 lets the closing
  // side close its read side at once. Marking the client's as received makes SSL_shutdown
  // write ours and report completion. A read may still be pending (Asio serializes the stream's
  // reads and writes); Close() aborts it.
  void SendCloseNotify() requires(kTls) {
    state_ = State::kClosing;
    SetBusy(true);  // Stop() waits for the close_notify to go out
    SSL_set_shutdown(stream_.native_handle(), SSL_RECEIVED_SHUTDOWN);
    Lowest().expires_after(kCloseNotifyTimeout);
    stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {
      if (self->state_ == State::kClosed) return;
      self->Close();
    });
  }

  void Close() {
    if (state_ == State::kClosed) return;
    state_ = State::kClosed;
    beast::error_code ec;
    Lowest().socket().shutdown(tcp::socket::shutdown_both, ec);
    Lowest().close();  // pending operations complete with operation_aborted and see kClosed
    ReleaseSlot();
    SetBusy(false);
  }

  // The socket is closed (or about to be): its max_connections slot is free.
  void ReleaseSlot() {
    if (!holds_slot_) return;
    holds_slot_ = false;
    core_->open_connections.fetch_sub(1);
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

  const std::shared_ptr<Core> core_;                 // first member: destroyed after the socket
  [[no_unique_address]] TlsContextRef tls_context_;  // TLS: the context of the handshake
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<RequestParser> parser_;
  std::optional<ChunkedBodyReader> chunked_body_;
  std::string remote_address_;
  std::string out_header_;
  std::string out_body_;
  State state_ = State::kIdle;
  uint64_t seq_ = 0;  // of the request last handed to the handler
  size_t lingered_ = 0;
  bool busy_ = false;
  bool holds_slot_ = true;  // StartConnection counted this connection in open_connections
  bool continue_sent_ = false;
  bool keep_alive_ = false;
  bool is_head_ = false;
};

template <class Stream, class... ContextArg>
void StartConnection(const std::shared_ptr<Core>& core, Socket socket, ContextArg&&... tls) {
  core->open_connections.fetch_add(1);  // released by the connection's Close() or destructor
  auto conn = std::make_shared<Connection<Stream>>(core, std::move(socket),
                                                   std::forward<ContextArg>(tls)...);
  core->accepted_connections.fetch_add(1, std::memory_order_relaxed);
  {
    std::lock_guard lock(core->mu);
    core->connections.emplace(conn.get(), conn);
  }
  asio::dispatch(conn->executor(), [conn] { conn->Start(); });
}

}  // namespace

void StartPlainConnection(const std::shared_ptr<Core>& core, Socket socket) {
  StartConnection<PlainStream>(core, std::move(socket));
}

void StartTlsConnection(const std::shared_ptr<Core>& core, Socket socket,
                        std::shared_ptr<asio::ssl::context> tls) {
  StartConnection<TlsStream>(core, std::move(socket), std::move(tls));
}

}  // namespace wharf::net
