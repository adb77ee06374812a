// The settings of `wharf serve`, one row each (settings.h). Add a setting here and it gets a flag,
// an environment variable, a wharf.toml key, a line in --help and in docs/configuration.md, and
// its bounds are enforced for all of them.

#include "server/settings_table.h"

#include <algorithm>
#include <cctype>
#include <type_traits>

namespace wharf::server {
namespace {

template <auto Member>
using FieldType = std::remove_cvref_t<decltype(std::declval<Settings&>().*Member)>;

template <auto Member>
SettingRow Integer(std::string_view name, int64_t min, int64_t max, std::string_view description) {
  SettingRow row;
  row.name = name;
  row.kind = SettingKind::kInteger;
  row.min = min;
  row.max = max;
  row.description = description;
  row.assign = [](Settings& s, std::string_view, int64_t number) {
    s.*Member = static_cast<FieldType<Member>>(number);
  };
  row.read = [](const Settings& s) { return std::to_string(s.*Member); };
  return row;
}

template <auto Member>
SettingRow Text(std::string_view name, std::string_view description,
                std::string (*check)(std::string_view) = nullptr, std::string_view rule = {}) {
  SettingRow row;
  row.name = name;
  row.kind = SettingKind::kText;
  row.check = check;
  row.rule = rule;
  row.description = description;
  row.assign = [](Settings& s, std::string_view text, int64_t) { s.*Member = std::string(text); };
  row.read = [](const Settings& s) { return std::string(s.*Member); };
  return row;
}

template <auto Member>
SettingRow Choice(std::string_view name, std::vector<std::string_view> choices,
                  std::string_view description) {
  SettingRow row = Text<Member>(name, description);
  row.kind = SettingKind::kChoice;
  row.choices = std::move(choices);
  return row;
}

// on|off switches.
template <auto Member>
SettingRow Switch(std::string_view name, std::string_view description) {
  return Choice<Member>(name, {"on", "off"}, description);
}

bool AllOf(std::string_view text, int (*is)(int)) {
  return std::all_of(text.begin(), text.end(), [is](unsigned char c) { return is(c) != 0; });
}

std::string CheckAccountId(std::string_view id) {
  return id.size() == 12 && AllOf(id, ::isdigit) ? "" : "must be 12 digits";
}

// AWS access key ids are 16-128 upper-case letters and digits; Wharf also accepts lower case and
// the `test` of local tools, so only the character set and a sane length are checked.
std::string CheckAccessKeyId(std::string_view id) {
  return !id.empty() && id.size() <= 128 && AllOf(id, ::isalnum)
             ? ""
             : "must be 1-128 letters and digits";
}

std::string CheckNotEmpty(std::string_view text) { return text.empty() ? "must not be empty" : ""; }

constexpr int64_t kMaxPort = 65535;
constexpr int64_t kDay = 86'400;

std::vector<SettingRow> MakeRows() {
  std::vector<SettingRow> rows = {
      Text<&Settings::host>("host", "Address to listen on.", &CheckNotEmpty, "not empty"),
      Integer<&Settings::port>("port", 1, kMaxPort, "HTTP port (the port local SQS users know)."),
      Switch<&Settings::http>(
          "http",
          "on: serve plain HTTP on --port. off: HTTPS only (needs --tls-cert and --tls-key)."),
      Integer<&Settings::tls_port>(
          "tls_port", 1, kMaxPort,
          "HTTPS port, served when --tls-cert and --tls-key are set (TLS 1.2 and 1.3). Requests "
          "that arrive here have aws:SecureTransport true and get https:// queue URLs."),
      Text<&Settings::tls_cert>(
          "tls_cert",
          "PEM file with the server's certificate chain, leaf first. Empty: no HTTPS. Reloaded, "
          "with the key, on SIGHUP (for new connections). `wharf tls create-ca` and `wharf tls "
          "issue` make a local CA and a certificate signed by it."),
      Text<&Settings::tls_key>(
          "tls_key",
          "PEM file with the private key of the --tls-cert leaf (RSA >= 2048 or ECDSA P-256; keep "
          "it mode 0600)."),
      Text<&Settings::tls_key_passphrase>(
          "tls_key_passphrase",
          "Passphrase of an encrypted --tls-key. Prefer the environment variable or a wharf.toml "
          "of mode 0600: command lines are visible to other users."),
      Integer<&Settings::tls_handshake_timeout_seconds>(
          "tls_handshake_timeout", 1, 600,
          "Seconds a client has to complete the TLS handshake before the connection is closed."),
      Text<&Settings::data_dir>("data_dir", "Directory for durable data.", &CheckNotEmpty,
                                "not empty"),
      Choice<&Settings::storage>(
          "storage", {"embedded", "memory", "postgres"},
          "embedded: durable store under --data-dir; memory: nothing survives a restart (tests); "
          "postgres: queues and messages in the PostgreSQL database of --postgres-url, shared by "
          "every node started with it (standard queues so far, docs/adr/0002), the rest under "
          "--data-dir as with embedded."),
      Text<&Settings::postgres_url>(
          "postgres_url",
          "PostgreSQL connection string or URI for --storage postgres, e.g. "
          "postgresql://wharf@db.internal/wharf. Put a password in ~/.pgpass or PGPASSWORD "
          "rather than here: command lines are visible to other users."),
      Integer<&Settings::postgres_pool_size>(
          "postgres_pool_size", 1, 1000,
          "Connections this node opens to PostgreSQL at most; as many worker threads run the "
          "queue operations (a request waits for one, not on an I/O thread)."),
      Choice<&Settings::durability>(
          "durability", {"strict", "relaxed"},
          "strict: a change is acknowledged only once synced to disk. relaxed: the disk is synced "
          "every --relaxed-sync-ms, so a power loss can lose that much acknowledged work."),
      Integer<&Settings::relaxed_sync_ms>("relaxed_sync_ms", 1, 60'000,
                                          "Sync interval in relaxed durability."),
      Integer<&Settings::outage_memory_mb>(
          "outage_memory_mb", 1, 1024 * 1024,
          "While the disk fails: memory (MiB) for changes kept to be written when it recovers. "
          "Once reached, receives, deletes and queue changes are answered 503 "
          "ServiceUnavailable too (sends already are) until the disk recovers."),
      Integer<&Settings::body_memory_mb>(
          "body_memory_mb", 0, 16 * 1024 * 1024,
          "Message bodies kept in memory across all queues (MiB); beyond it new bodies stay on "
          "disk and are read back when received. 0: a quarter of the machine's memory."),
      Text<&Settings::region>("region",
                              "Region Wharf serves; queue ARNs carry it. Set it to match policies "
                              "written for another region.",
                              &CheckNotEmpty, "not empty"),
      Text<&Settings::account_id>("account_id", "Account id of the default (root) user.",
                                  &CheckAccountId, "12 digits"),
      Text<&Settings::access_key_id>("access_key_id",
                                     "Access key id of the default account's root credentials.",
                                     &CheckAccessKeyId, "1-128 letters and digits"),
      Text<&Settings::secret_access_key>("secret_access_key",
                                         "Secret key of the default account's root credentials.",
                                         &CheckNotEmpty, "not empty"),
      Text<&Settings::config_file>(
          "config",
          "wharf.toml: settings by their names (`port = 9324`), further [[accounts]] and what "
          "to provision at start (queues, topics, subscriptions, users; docs/provisioning.md). "
          "Empty: no file."),
      Text<&Settings::root_key_file>(
          "root_key_file",
          "File with the root key (64 hex characters, mode 0600, outside the data directory) that "
          "seals everything stored at rest; created on first start. Empty: wharf-root.key next to "
          "the data directory. WHARF_ROOT_KEY (64 hex characters) takes precedence over any file, "
          "a passphrase over the key file. Losing the key loses every stored message."),
      Text<&Settings::root_passphrase_file>(
          "root_passphrase_file",
          "Passphrase mode: file (mode 0600) holding the passphrase the root key is derived from "
          "with scrypt (N=2^17, r=8, p=1). The passphrase may instead be given in the environment "
          "variable WHARF_ROOT_PASSPHRASE; there is no flag for it (argv is visible to every "
          "user). Empty and WHARF_ROOT_PASSPHRASE unset: the key file is used."),
      Text<&Settings::root_key_params_file>(
          "root_key_params_file",
          "Passphrase mode: file with the scrypt salt, parameters and a key check that tells a "
          "wrong passphrase before any data is read; created on first start (mode 0600). Empty: "
          "wharf-root.kdf next to the data directory."),
      Text<&Settings::base_url>(
          "base_url",
          "Scheme, host and port put in queue URLs (e.g. http://sqs.internal:9324), on both "
          "listeners. Empty: the scheme and host the client used (https:// on --tls-port)."),
      Integer<&Settings::io_threads>("io_threads", 0, 1024, "I/O threads; 0 means one per core."),
      Integer<&Settings::max_request_bytes>(
          "max_request_bytes", 1024, 1024 * 1024 * 1024,
          "Largest request body accepted; larger ones get RequestEntityTooLarge (413)."),
      Integer<&Settings::max_header_bytes>(
          "max_header_bytes", 1024, 1024 * 1024,
          "Largest request line plus header fields accepted; larger ones get 431 and the "
          "connection is closed."),
      Integer<&Settings::max_connections>(
          "max_connections", 1, 1'000'000,
          "Open client connections, HTTP and HTTPS together. A connection beyond it is answered "
          "503 (HTTPS: closed) and closed at once; open ones are not affected. The open-file "
          "limit is raised to fit it (plus 1024 for the store) if the hard limit allows, else it "
          "is lowered to fit the limit, with a warning."),
      Integer<&Settings::max_requests_per_connection>(
          "max_requests_per_connection", 0, 1'000'000'000,
          "After this many requests a connection's response says Connection: close and the "
          "client opens a new one (spreads clients over servers behind a load balancer). 0: no "
          "limit."),
      Integer<&Settings::idle_timeout_seconds>(
          "idle_timeout", 1, kDay,
          "Seconds a keep-alive connection may stay idle between requests before it is closed; "
          "also how long writing a response to a client that does not read it may take."),
      Integer<&Settings::header_timeout_seconds>(
          "header_timeout", 1, kDay,
          "Seconds a request's header section may take to arrive, counted from its first byte (on "
          "a new connection from when it was accepted): a client that sends nothing or trickles "
          "its headers (slowloris) is closed after this, however slowly bytes keep coming."),
      Integer<&Settings::body_timeout_seconds>(
          "body_timeout", 1, kDay,
          "Seconds a request's body may take to arrive after its header section; a slower client "
          "is closed."),
      Integer<&Settings::legacy_max_message_size>(
          "legacy_max_message_size", 0, 1024 * 1024,
          "Set to 262144 to emulate SQS's pre-2025 256 KiB message limit; 0 keeps 1 MiB."),
      Switch<&Settings::auto_create_queues>(
          "auto_create_queues",
          "on: a request to a queue of the caller's account that does not exist (GetQueueUrl, "
          "SendMessage, SendMessageBatch, ReceiveMessage, GetQueueAttributes) creates it with "
          "default attributes (FIFO when the name ends in .fifo), if the caller may "
          "sqs:CreateQueue it. Development only: a typo in a queue name becomes a new queue."),
      Switch<&Settings::auth>(
          "auth",
          "on: every request's SigV4 signature is verified. off: the access key is read but the "
          "signature is not checked (development only; never the default)."),
      Switch<&Settings::audit_log>(
          "audit_log",
          "on: log every authorization decision (principal, action, resource, decision, matched "
          "policy statement; never a secret) to stderr."),
      Switch<&Settings::metrics>(
          "metrics",
          "on: serve Prometheus metrics at GET /metrics on the API port(s) (docs/metrics.md). "
          "They name queues and accounts: set --metrics-token, or keep the port private. off: "
          "no /metrics and no request counting."),
      Text<&Settings::metrics_token>(
          "metrics_token",
          "Non-empty: GET /metrics answers 401 unless the request carries `Authorization: Bearer "
          "<token>` (Prometheus: `authorization: {credentials: <token>}`). Prefer the environment "
          "variable or a wharf.toml of mode 0600: command lines are visible to other users."),
      Integer<&Settings::metrics_max_queues>(
          "metrics_max_queues", 0, 1'000'000,
          "Queues that get series of their own in /metrics (the first seen keep them until "
          "deleted); the figures of the others are summed under account=\"_other\", "
          "queue=\"_other\". Bounds the number of series."),
      Switch<&Settings::console>(
          "console",
          "on: serve the web console at GET /console on the API port(s) (docs/console.md): static "
          "files only; every call it makes is a signed API request, authorised as its user. off: "
          "no console."),
      Switch<&Settings::test_mode>(
          "test_mode",
          "on: serves POST /_wharf/test/clock?advance_seconds=N, which moves the clock of STS "
          "sessions and of the SSE-KMS data-key caches forward so tests can let temporary "
          "credentials and cached data keys expire, and (embedded store) runs the store on a "
          "fault-injecting filesystem switched by POST "
          "/_wharf/test/storage-fault?mode=enospc|eio|enospc-sync|eio-sync|off. Never in "
          "production."),
      Choice<&Settings::log_level>(
          "log_level", {"trace", "debug", "info", "warn", "error", "off"},
          "How much the server logs. SIGUSR1 switches between this level and debug while the "
          "server runs."),
      Choice<&Settings::log_format>(
          "log_format", {"text", "json"},
          "text: `<time> <LEVEL> <event> key=value ...` lines; json: one JSON object per line "
          "(ts, level, event, then the event's fields), for log shippers. Both on stderr."),
      Switch<&Settings::request_log>(
          "request_log",
          "on: one line per answered request (event `request`: request id, action, the queue, "
          "topic, key or user it named, HTTP status, error code, latency in microseconds, "
          "principal, access key id, peer address; never a secret or a message body)."),
  };
  // --config names the file, so the file cannot set it.
  for (SettingRow& row : rows) row.in_file = row.name != "config";
  return rows;
}

}  // namespace

const std::vector<SettingRow>& SettingRows() {
  static const std::vector<SettingRow> rows = MakeRows();
  return rows;
}

std::string FlagOf(std::string_view name) {
  std::string flag = "--" + std::string(name);
  std::replace(flag.begin(), flag.end(), '_', '-');
  return flag;
}

std::string EnvOf(std::string_view name) {
  std::string env = "WHARF_" + std::string(name);
  for (char& c : env) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return env;
}

}  // namespace wharf::server
