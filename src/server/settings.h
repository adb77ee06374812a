#pragma once

// Every setting of `wharf serve`, declared once (settings_table.cc): its name, which is also its
// wharf.toml key, its flag (--name-with-dashes) and environment variable (WHARF_NAME), default,
// bounds and description. The command line, `wharf serve --help` and docs/configuration.md are
// all produced from that table, and one resolver applies the same bounds to every source, so a
// value is judged the same whether it came from a flag, the environment or the file.
//
// Precedence: flag > environment (WHARF_*) > wharf.toml > default.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

namespace CLI {
class App;
class Option;
}  // namespace CLI

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
  std::string storage = "embedded";   // "embedded" (RocksDB under data_dir), "memory", "postgres"
  std::string postgres_url;           // libpq connection string or URI (storage "postgres")
  int64_t postgres_pool_size = 8;     // connections to PostgreSQL per node
  std::string durability = "strict";  // "strict": synced before acknowledged; "relaxed": periodic
  int64_t relaxed_sync_ms = 100;
  int64_t outage_memory_mb = 64;  // RocksOptions::max_retained_bytes, in MiB
  int64_t body_memory_mb = 0;     // 0: a quarter of the machine's memory
  std::string region = "us-east-1";
  std::string account_id = "000000000000";
  std::string access_key_id = "test";
  std::string secret_access_key = "test";
  std::string config_file;           // wharf.toml: settings, accounts, provisioning
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
  int64_t legacy_max_message_size = 0;     // 262144 emulates the pre-2025 limit; 0 = current 1 MiB
  std::string auto_create_queues = "off";  // "on": a missing queue is created on first use
  std::string log_level = "info";
  std::string log_format = "text";  // "json": one JSON object per line
  std::string request_log = "off";  // "on": one line per answered request
  std::string audit_log = "off";    // "on": one line per authorization decision on stderr
  std::string auth = "on";          // "off": signatures are parsed, not verified (development only)
  std::string metrics = "on";       // "off": no GET /metrics, no request counting
  std::string metrics_token;        // non-empty: GET /metrics needs "Authorization: Bearer <token>"
  int64_t metrics_max_queues = 1000;
  std::string console = "on";     // "off": no web console at GET /console
  std::string test_mode = "off";  // "on": POST /_wharf/test/clock, /_wharf/test/storage-fault
};

// One row of the table, for documentation and help.
struct SettingInfo {
  std::string name;  // "data_dir": the wharf.toml key
  std::string flag;  // "--data-dir"
  std::string env;   // "WHARF_DATA_DIR"
  std::string default_value;
  std::string bounds;  // "1..65535", "strict|relaxed", "12 digits"; empty: any text
  std::string description;
  bool in_file = true;  // false: cannot be set in wharf.toml (--config itself)
};

// The table, in declaration order.
std::vector<SettingInfo> DescribeSettings();
// docs/configuration.md, generated.
std::string SettingsMarkdown();

// A top-level value of wharf.toml that is not a table: a setting, once its key is known.
struct FileSetting {
  enum class Type : uint8_t { kString, kInteger, kOther };
  std::string key;
  Type type = Type::kOther;
  std::string type_name;  // TOML's type, for errors: "a string", "a boolean", ...
  std::string text;       // kString
  int64_t integer = 0;    // kInteger
};

// Reads an environment variable; nullopt when unset. (Tests pass their own.)
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
EnvLookup ProcessEnvironment();

// Where setting values come from, highest precedence first.
struct SettingSources {
  std::map<std::string, std::string> flags;  // by setting name: values given on the command line
  EnvLookup env;                             // null: no environment
  std::string file_name;                     // names the file in errors
  std::vector<FileSetting> file;
};

// Settings from the sources, each value checked against its bounds. The error names the
// setting and where the bad value came from: "--port: 70000 is not in 1..65535",
// "WHARF_DURABILITY: 'fast' is not one of strict, relaxed", "wharf.toml: port: ...".
// Keys of the file that are not settings are refused (a typo is not ignored).
Result<Settings, std::string> ResolveSettings(const SettingSources& sources);

// The settings as options of `wharf serve`, each taken as text: CLI11 only collects what was
// given; ResolveSettings judges it together with the other sources.
class SettingFlags {
 public:
  SettingFlags() = default;
  SettingFlags(const SettingFlags&) = delete;
  SettingFlags& operator=(const SettingFlags&) = delete;

  void AddTo(CLI::App& app);
  // The settings given on the command line, by name.
  std::map<std::string, std::string> Given() const;

 private:
  std::map<std::string, std::string> values_;  // stable addresses: CLI11 writes into them
  std::map<std::string, const CLI::Option*> options_;
};

}  // namespace wharf::server
