#include "server/tls_command.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "net/certificates.h"

namespace wharf::server {
namespace {

constexpr unsigned kCertificateMode = 0644;  // certificates are public
constexpr unsigned kKeyMode = 0600;

std::string PathIn(const std::string& dir, const char* file) {
  return (std::filesystem::path(dir) / file).string();
}

bool ReadFile(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream text;
  text << in.rdbuf();
  out = text.str();
  return !in.bad();
}

int Fail(const std::string& message) {
  std::fprintf(stderr, "wharf tls: %s\n", message.c_str());
  return 1;
}

// Creates `dir` if needed (0700 when new: it will hold a private key).
bool EnsureDirectory(const std::string& dir) {
  std::error_code ec;
  if (std::filesystem::is_directory(dir, ec)) return true;
  if (!std::filesystem::create_directories(dir, ec) || ec) {
    Fail("cannot create directory " + dir + ": " + ec.message());
    return false;
  }
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace, ec);
  return true;
}

}  // namespace

CLI::App* AddTlsCommand(CLI::App& app, TlsCommandOptions& options) {
  CLI::App* tls = app.add_subcommand("tls", "Make a local CA and server certificates for HTTPS");
  tls->require_subcommand(1);

  CLI::App* create_ca = tls->add_subcommand(
      "create-ca", "Create a certificate authority: <dir>/ca.pem and <dir>/ca-key.pem (0600)");
  create_ca->add_option("--dir", options.dir, "Directory for the CA's files")->required();
  create_ca->add_option("--common-name", options.common_name, "Subject CN of the CA")
      ->capture_default_str();
  create_ca->add_option("--days", options.ca_days, "Validity in days")->capture_default_str();

  CLI::App* issue = tls->add_subcommand(
      "issue",
      "Issue a server certificate signed by the CA: <out-dir>/server.pem and "
      "<out-dir>/server-key.pem (0600), for --tls-cert and --tls-key. Without --dns and --ip: "
      "localhost, 127.0.0.1 and ::1");
  issue->add_option("--ca-dir", options.ca_dir, "Directory made by create-ca")->required();
  issue->add_option("--out-dir", options.out_dir, "Where to write (default: --ca-dir)");
  issue->add_option("--dns", options.dns_names, "A DNS name for subjectAltName (repeatable)");
  issue->add_option("--ip", options.ip_addresses, "An IP address for subjectAltName (repeatable)");
  issue->add_option("--days", options.days, "Validity in days")->capture_default_str();
  return tls;
}

int RunTlsCommand(const CLI::App& tls, const TlsCommandOptions& options) {
  if (tls.got_subcommand("create-ca")) return CreateCa(options);
  return IssueCertificate(options);
}

int CreateCa(const TlsCommandOptions& options) {
  const std::string cert_path = PathIn(options.dir, kCaCertificateFile);
  const std::string key_path = PathIn(options.dir, kCaKeyFile);
  std::error_code ec;
  if (std::filesystem::exists(cert_path, ec) || std::filesystem::exists(key_path, ec)) {
    return Fail(options.dir + " already holds a CA; not replacing it");
  }
  if (!EnsureDirectory(options.dir)) return 1;
  auto ca = net::CreateCertificateAuthority({options.common_name, options.ca_days});
  if (!ca.ok()) return Fail(ca.error().message);
  // The key first: a CA certificate without its key would be useless.
  if (auto written = net::WriteFileAtomically(key_path, ca->private_key, kKeyMode, false);
      !written.ok()) {
    return Fail(written.error().message);
  }
  if (auto written = net::WriteFileAtomically(cert_path, ca->certificate, kCertificateMode, false);
      !written.ok()) {
    return Fail(written.error().message);
  }
  std::printf("wrote %s (the CA certificate clients trust) and %s (its key, keep it private)\n",
              cert_path.c_str(), key_path.c_str());
  return 0;
}

int IssueCertificate(const TlsCommandOptions& options) {
  net::PemKeyPair ca;
  const std::string ca_cert_path = PathIn(options.ca_dir, kCaCertificateFile);
  const std::string ca_key_path = PathIn(options.ca_dir, kCaKeyFile);
  if (!ReadFile(ca_cert_path, ca.certificate)) return Fail("cannot read " + ca_cert_path);
  if (!ReadFile(ca_key_path, ca.private_key)) return Fail("cannot read " + ca_key_path);

  net::ServerCertificateRequest request;
  request.dns_names = options.dns_names;
  request.ip_addresses = options.ip_addresses;
  if (request.dns_names.empty() && request.ip_addresses.empty()) {
    request.dns_names = {"localhost"};
    request.ip_addresses = {"127.0.0.1", "::1"};
  }
  request.days = options.days;
  auto issued = net::IssueServerCertificate(ca, request);
  if (!issued.ok()) return Fail(issued.error().message);

  const std::string out_dir = options.out_dir.empty() ? options.ca_dir : options.out_dir;
  if (!EnsureDirectory(out_dir)) return 1;
  const std::string cert_path = PathIn(out_dir, kServerCertificateFile);
  const std::string key_path = PathIn(out_dir, kServerKeyFile);
  // Key, then certificate: between the two renames a reload sees the new key with the old
  // certificate and keeps the old pair (the mismatch is refused), never a broken one.
  if (auto written = net::WriteFileAtomically(key_path, issued->private_key, kKeyMode, true);
      !written.ok()) {
    return Fail(written.error().message);
  }
  if (auto written =
          net::WriteFileAtomically(cert_path, issued->certificate, kCertificateMode, true);
      !written.ok()) {
    return Fail(written.error().message);
  }
  std::printf("wrote %s and %s: wharf serve --tls-cert %s --tls-key %s\n", cert_path.c_str(),
              key_path.c_str(), cert_path.c_str(), key_path.c_str());
  return 0;
}

}  // namespace wharf::server
