#pragma once

// `wharf tls`: a local certificate authority and server certificates signed by it, so HTTPS
// needs no other tool (security.md §5.1).
//
//   wharf tls create-ca --dir DIR          DIR/ca.pem (0644) and DIR/ca-key.pem (0600)
//   wharf tls issue --ca-dir DIR [--out-dir OUT] [--dns NAME]... [--ip ADDRESS]...
//                                          OUT/server.pem (0644) and OUT/server-key.pem (0600)
//
// create-ca never replaces an existing CA; issue replaces the server files atomically, so a
// running server picks the new ones up on SIGHUP.

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace wharf::server {

struct TlsCommandOptions {
  // create-ca
  std::string dir;
  std::string common_name = "Wharf local CA";
  int ca_days = 3650;
  // issue
  std::string ca_dir;
  std::string out_dir;  // empty: ca_dir
  std::vector<std::string> dns_names;
  std::vector<std::string> ip_addresses;
  int days = 825;
};

// File names inside the directories.
inline constexpr const char* kCaCertificateFile = "ca.pem";
inline constexpr const char* kCaKeyFile = "ca-key.pem";
inline constexpr const char* kServerCertificateFile = "server.pem";
inline constexpr const char* kServerKeyFile = "server-key.pem";

// Adds `tls` with its two subcommands to `app`; returns the `tls` command.
CLI::App* AddTlsCommand(CLI::App& app, TlsCommandOptions& options);

// Runs the subcommand of `tls` that was parsed. Exit status: 0, or 1 with a message on stderr.
int RunTlsCommand(const CLI::App& tls, const TlsCommandOptions& options);

// The two commands, for tests: they print what they wrote to stdout, errors to stderr.
int CreateCa(const TlsCommandOptions& options);
int IssueCertificate(const TlsCommandOptions& options);

}  // namespace wharf::server
