#pragma once

// Every setting of `wharf serve`, declared once: name, flag, environment variable, default,
// description. The command line, `--help` and docs/configuration.md are all produced from this
// table. Precedence: flag > environment (WHARF_*) > default. (A wharf.toml layer comes with the
// operations work.)

#include <cstdint>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace wharf::server {

struct Settings {
  std::string host = "0.0.0.0";
  uint16_t port = 9324;
  std::string http = "on";  // "off": no plain-HTTP listener (HTTPS only)
  // HTTPS on a second port when a certificate chain and key are configured (security.md §5).
  uint16_t tls_port = 9325;
  std::string tls_cert;  // PEM certificate chain, leaf first
  std::string tls_key;   // PEM private key
  std::string tls_key_passphrase;
  int64_t tls_handshake_timeout_seconds = 10;
  std::string data_dir = "./data";
  std::string storage = "embedded";   // "embedded" (RocksDB under data_dir) or "memory"
  std::string durability = "strict";  // "strict": synced before acknowledged; "relaxed": periodic
  int64_t relaxed_sync_ms = 100;
  int64_t body_memory_mb = 0;  // 0: a quarter of the machine's memory
  std::string region = "us-east-1";
  std::string account_id = "000000000000";
  std::string access_key_id = "test";
  std::string secret_access_key = "test";
  std::string config_file;           // wharf.toml: further accounts
  std::string root_key_file;         // empty: wharf-root.key next to the data directory
  std::string root_passphrase_file;  // passphrase mode (or WHARF_ROOT_PASSPHRASE); empty: off
  std::string root_key_params_file;  // passphrase mode; empty: wharf-root.kdf next to the data
  std::string base_url;              // empty: built from the Host header of each request
  int io_threads = 0;
  int64_t max_request_bytes = 8 * 1024 * 1024;
  int64_t max_header_bytes = 64 * 1024;
  int64_t max_connections = 10'000;
  int64_t max_requests_per_connection = 0;  // 0: no limit
  int64_t idle_timeout_seconds = 120;
  int64_t header_timeout_seconds = 20;
  int64_t body_timeout_seconds = 60;
  int64_t legacy_max_message_size = 0;  // 262144 emulates the pre-2025 limit; 0 = current 1 MiB
  std::string log_level = "info";
  std::string log_format = "text";  // "json": one JSON object per line
  std::string request_log = "off";  // "on": one line per answered request
  std::string audit_log = "off";    // "on": one line per authorization decision on stderr
  std::string auth = "on";
  std::string test_mode = "off";  // "on": POST /_wharf/test/clock, /_wharf/test/storage-fault //
                                  // "off": signatures are parsed, not verified (development only)
};

struct SettingInfo {
  std::string flag;  // "--port"
  std::string env;   // "WHARF_PORT"
  std::string default_value;
  std::string description;
};

// Adds every setting to `app` as an option bound to `settings`.
void AddSettings(CLI::App& app, Settings& settings);
// The table, for documentation.
std::vector<SettingInfo> DescribeSettings();
// docs/configuration.md, generated.
std::string SettingsMarkdown();

}  // namespace wharf::server
