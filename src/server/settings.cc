#include "server/settings.h"

#include <CLI/CLI.hpp>

namespace wharf::server {
namespace {

// One row per setting. `bind` attaches the option to its field.
struct Row {
  SettingInfo info;
  void (*bind)(CLI::App&, Settings&, const SettingInfo&);
};

template <auto Member>
void Bind(CLI::App& app, Settings& s, const SettingInfo& info) {
  app.add_option(info.flag, s.*Member, info.description)->envname(info.env)->capture_default_str();
}

const std::vector<Row>& Rows() {
  static const Settings d;
  static const std::vector<Row> rows = {
      {{"--host", "WHARF_HOST", d.host, "Address to listen on."}, &Bind<&Settings::host>},
      {{"--port", "WHARF_PORT", std::to_string(d.port),
        "HTTP port (the port local SQS users know)."},
       &Bind<&Settings::port>},
      {{"--http", "WHARF_HTTP", d.http,
        "on: serve plain HTTP on --port. off: HTTPS only (needs --tls-cert and --tls-key)."},
       &Bind<&Settings::http>},
      {{"--tls-port", "WHARF_TLS_PORT", std::to_string(d.tls_port),
        "HTTPS port, served when --tls-cert and --tls-key are set (TLS 1.2 and 1.3). Requests "
        "that arrive here have aws:SecureTransport true and get https:// queue URLs."},
       &Bind<&Settings::tls_port>},
      {{"--tls-cert", "WHARF_TLS_CERT", "",
        "PEM file with the server's certificate chain, leaf first. Empty: no HTTPS. Reloaded, "
        "with the key, on SIGHUP (for new connections). `wharf tls create-ca` and `wharf tls "
        "issue` make a local CA and a certificate signed by it."},
       &Bind<&Settings::tls_cert>},
      {{"--tls-key", "WHARF_TLS_KEY", "",
        "PEM file with the private key of the --tls-cert leaf (RSA >= 2048 or ECDSA P-256; keep "
        "it mode 0600)."},
       &Bind<&Settings::tls_key>},
      {{"--tls-key-passphrase", "WHARF_TLS_KEY_PASSPHRASE", "",
        "Passphrase of an encrypted --tls-key. Prefer the environment variable: command lines "
        "are visible to other users."},
       &Bind<&Settings::tls_key_passphrase>},
      {{"--tls-handshake-timeout", "WHARF_TLS_HANDSHAKE_TIMEOUT",
        std::to_string(d.tls_handshake_timeout_seconds),
        "Seconds a client has to complete the TLS handshake before the connection is closed."},
       &Bind<&Settings::tls_handshake_timeout_seconds>},
      {{"--data-dir", "WHARF_DATA_DIR", d.data_dir, "Directory for durable data."},
       &Bind<&Settings::data_dir>},
      {{"--storage", "WHARF_STORAGE", d.storage,
        "embedded: durable store under --data-dir; memory: nothing survives a restart (tests)."},
       &Bind<&Settings::storage>},
      {{"--durability", "WHARF_DURABILITY", d.durability,
        "strict: a change is acknowledged only once synced to disk. relaxed: the disk is synced "
        "every --relaxed-sync-ms, so a power loss can lose that much acknowledged work."},
       &Bind<&Settings::durability>},
      {{"--relaxed-sync-ms", "WHARF_RELAXED_SYNC_MS", std::to_string(d.relaxed_sync_ms),
        "Sync interval in relaxed durability."},
       &Bind<&Settings::relaxed_sync_ms>},
      {{"--body-memory-mb", "WHARF_BODY_MEMORY_MB", "0",
        "Message bodies kept in memory across all queues (MiB); beyond it new bodies stay on disk "
        "and are read back when received. 0: a quarter of the machine's memory."},
       &Bind<&Settings::body_memory_mb>},
      {{"--region", "WHARF_REGION", d.region,
        "Region Wharf serves; queue ARNs carry it. Set it to match policies written for another "
        "region."},
       &Bind<&Settings::region>},
      {{"--account-id", "WHARF_ACCOUNT_ID", d.account_id, "Account id of the default (root) user."},
       &Bind<&Settings::account_id>},
      {{"--access-key-id", "WHARF_ACCESS_KEY_ID", d.access_key_id,
        "Access key id of the default account's root credentials."},
       &Bind<&Settings::access_key_id>},
      {{"--secret-access-key", "WHARF_SECRET_ACCESS_KEY", d.secret_access_key,
        "Secret key of the default account's root credentials."},
       &Bind<&Settings::secret_access_key>},
      {{"--config", "WHARF_CONFIG", "",
        "wharf.toml with further [[accounts]] (id, access_key_id, secret_access_key), each an "
        "account with its root key. Empty: only the default account."},
       &Bind<&Settings::config_file>},
      {{"--root-key-file", "WHARF_ROOT_KEY_FILE", "",
        "File with the root key (64 hex characters, mode 0600, outside the data directory) that "
        "seals everything stored at rest; created on first start. Empty: wharf-root.key next to "
        "the data directory. WHARF_ROOT_KEY (64 hex characters) takes precedence over any file, "
        "a passphrase over the key file. Losing the key loses every stored message."},
       &Bind<&Settings::root_key_file>},
      {{"--root-passphrase-file", "WHARF_ROOT_PASSPHRASE_FILE", "",
        "Passphrase mode: file (mode 0600) holding the passphrase the root key is derived from "
        "with scrypt (N=2^17, r=8, p=1). The passphrase may instead be given in the environment "
        "variable WHARF_ROOT_PASSPHRASE; there is no flag for it (argv is visible to every user). "
        "Empty and WHARF_ROOT_PASSPHRASE unset: the key file is used."},
       &Bind<&Settings::root_passphrase_file>},
      {{"--root-key-params-file", "WHARF_ROOT_KEY_PARAMS_FILE", "",
        "Passphrase mode: file with the scrypt salt, parameters and a key check that tells a wrong "
        "passphrase before any data is read; created on first start (mode 0600). Empty: "
        "wharf-root.kdf next to the data directory."},
       &Bind<&Settings::root_key_params_file>},
      {{"--base-url", "WHARF_BASE_URL", "",
        "Scheme, host and port put in queue URLs (e.g. http://sqs.internal:9324), on both "
        "listeners. Empty: the scheme and host the client used (https:// on --tls-port)."},
       &Bind<&Settings::base_url>},
      {{"--io-threads", "WHARF_IO_THREADS", "0", "I/O threads; 0 means one per core."},
       &Bind<&Settings::io_threads>},
      {{"--max-request-bytes", "WHARF_MAX_REQUEST_BYTES", std::to_string(d.max_request_bytes),
        "Largest request body accepted; larger ones get RequestEntityTooLarge (413)."},
       &Bind<&Settings::max_request_bytes>},
      {{"--max-header-bytes", "WHARF_MAX_HEADER_BYTES", std::to_string(d.max_header_bytes),
        "Largest request line plus header fields accepted (1024 to 1048576); larger ones get 431 "
        "and the connection is closed."},
       &Bind<&Settings::max_header_bytes>},
      {{"--max-connections", "WHARF_MAX_CONNECTIONS", std::to_string(d.max_connections),
        "Open client connections, HTTP and HTTPS together. A connection beyond it is answered "
        "503 (HTTPS: closed) and closed at once; open ones are not affected. The open-file limit "
        "is raised to fit it (plus 1024 for the store) if the hard limit allows, else it is "
        "lowered to fit the limit, with a warning."},
       &Bind<&Settings::max_connections>},
      {{"--max-requests-per-connection", "WHARF_MAX_REQUESTS_PER_CONNECTION",
        std::to_string(d.max_requests_per_connection),
        "After this many requests a connection's response says Connection: close and the "
        "client opens a new one (spreads clients over servers behind a load balancer). 0: no "
        "limit."},
       &Bind<&Settings::max_requests_per_connection>},
      {{"--idle-timeout", "WHARF_IDLE_TIMEOUT", std::to_string(d.idle_timeout_seconds),
        "Seconds a keep-alive connection may stay idle between requests before it is closed; "
        "also how long writing a response to a client that does not read it may take."},
       &Bind<&Settings::idle_timeout_seconds>},
      {{"--header-timeout", "WHARF_HEADER_TIMEOUT", std::to_string(d.header_timeout_seconds),
        "Seconds a request's header section may take to arrive, counted from its first byte (on "
        "a new connection from when it was accepted): a client that sends nothing or trickles "
        "its headers (slowloris) is closed after this, however slowly bytes keep coming."},
       &Bind<&Settings::header_timeout_seconds>},
      {{"--body-timeout", "WHARF_BODY_TIMEOUT", std::to_string(d.body_timeout_seconds),
        "Seconds a request's body may take to arrive after its header section; a slower client "
        "is closed."},
       &Bind<&Settings::body_timeout_seconds>},
      {{"--legacy-max-message-size", "WHARF_LEGACY_MAX_MESSAGE_SIZE", "0",
        "Set to 262144 to emulate SQS's pre-2025 256 KiB message limit; 0 keeps 1 MiB."},
       &Bind<&Settings::legacy_max_message_size>},
      {{"--auth", "WHARF_AUTH", d.auth,
        "on: every request's SigV4 signature is verified. off: the access key is read but the "
        "signature is not checked (development only; never the default)."},
       &Bind<&Settings::auth>},
      {{"--audit-log", "WHARF_AUDIT_LOG", d.audit_log,
        "on: log every authorization decision (principal, action, resource, decision, matched "
        "policy statement; never a secret) to stderr."},
       &Bind<&Settings::audit_log>},
      {{"--test-mode", "WHARF_TEST_MODE", d.test_mode,
        "on: serves POST /_wharf/test/clock?advance_seconds=N, which moves the clock of STS "
        "sessions and of the SSE-KMS data-key caches forward so tests can let temporary "
        "credentials and cached data keys expire, and (embedded store) runs the store on a "
        "fault-injecting filesystem switched by POST "
        "/_wharf/test/storage-fault?mode=enospc|eio|enospc-sync|eio-sync|off. Never in "
        "production."},
       &Bind<&Settings::test_mode>},
      {{"--log-level", "WHARF_LOG_LEVEL", d.log_level,
        "trace, debug, info, warn, error or off. SIGUSR1 switches between this level and debug "
        "while the server runs."},
       &Bind<&Settings::log_level>},
      {{"--log-format", "WHARF_LOG_FORMAT", d.log_format,
        "text: `<time> <LEVEL> <event> key=value ...` lines; json: one JSON object per line "
        "(ts, level, event, then the event's fields), for log shippers. Both on stderr."},
       &Bind<&Settings::log_format>},
      {{"--request-log", "WHARF_REQUEST_LOG", d.request_log,
        "on: one line per answered request (event `request`: request id, action, the queue, "
        "topic, key or user it named, HTTP status, error code, latency in microseconds, "
        "principal, access key id, peer address; never a secret or a message body)."},
       &Bind<&Settings::request_log>},
  };
  return rows;
}

}  // namespace

void AddSettings(CLI::App& app, Settings& settings) {
  for (const Row& row : Rows()) row.bind(app, settings, row.info);
}

std::vector<SettingInfo> DescribeSettings() {
  std::vector<SettingInfo> out;
  for (const Row& row : Rows()) out.push_back(row.info);
  return out;
}

std::string SettingsMarkdown() {
  std::string md =
      "# Configuration\n\n"
      "Generated by `wharf settings` from the settings table in `src/server/settings.cc`; do not "
      "edit by hand.\n\n"
      "Precedence: command-line flag > environment variable > default.\n\n"
      "| flag | environment | default | meaning |\n"
      "| --- | --- | --- | --- |\n";
  for (const SettingInfo& s : DescribeSettings()) {
    md += "| `" + s.flag + "` | `" + s.env + "` | `" + s.default_value + "` | " + s.description +
          " |\n";
  }
  return md;
}

}  // namespace wharf::server
