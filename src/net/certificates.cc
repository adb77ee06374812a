#include "net/certificates.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "net/openssl_util.h"

namespace wharf::net {
namespace {

constexpr int kMaxDays = 36500;
// notBefore lies this far in the past, so a client whose clock is a little behind accepts a
// certificate made a moment ago.
constexpr long kBackdateSeconds = 3600;

bool IsLabelChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

// A host name as subjectAltName dNSName: letters, digits and hyphens in dot-separated labels of
// 1..63 characters (no leading/trailing hyphen), optionally "*." in front; at most 253 in all.
// Also keeps a name from smuggling further entries into the extension's text form.
bool IsValidDnsName(std::string_view name) {
  if (name.substr(0, 2) == "*.") name.remove_prefix(2);
  if (name.empty() || name.size() > 253) return false;
  size_t start = 0;
  while (start <= name.size()) {
    size_t end = name.find('.', start);
    if (end == std::string_view::npos) end = name.size();
    std::string_view label = name.substr(start, end - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    for (char c : label) {
      if (!IsLabelChar(c)) return false;
    }
    start = end + 1;
  }
  return true;
}

bool IsValidIpAddress(const std::string& address) {
  unsigned char buffer[sizeof(in6_addr)];
  return inet_pton(AF_INET, address.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, address.c_str(), buffer) == 1;
}

Result<KeyPtr, NetError> NewKey() {
  KeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return NetError{"cannot generate an EC P-256 key: " + TakeOpenSslErrors()};
  return key;
}

// A random positive serial number of 127 bits (RFC 5280: unique, at most 20 octets).
Status<NetError> SetRandomSerial(X509* cert) {
  BignumPtr serial(BN_new());
  if (!serial || BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
      BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert)) == nullptr) {
    return NetError{"cannot make a serial number: " + TakeOpenSslErrors()};
  }
  return {};
}

Status<NetError> SetName(X509* cert, const std::string& common_name) {
  X509_NAME* name = X509_get_subject_name(cert);
  const auto* cn = reinterpret_cast<const unsigned char*>(common_name.c_str());
  const auto* org = reinterpret_cast<const unsigned char*>("Wharf");
  if (common_name.empty() || common_name.size() > 64 ||
      X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, org, -1, -1, 0) != 1 ||
      X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, cn, -1, -1, 0) != 1) {
    return NetError{"invalid common name '" + common_name + "' (1 to 64 characters)"};
  }
  return {};
}

Status<NetError> SetValidity(X509* cert, int days) {
  if (days < 1 || days > kMaxDays) {
    return NetError{"validity must be 1 to " + std::to_string(kMaxDays) + " days"};
  }
  if (X509_gmtime_adj(X509_getm_notBefore(cert), -kBackdateSeconds) == nullptr ||
      X509_time_adj_ex(X509_getm_notAfter(cert), days, 0, nullptr) == nullptr) {
    return NetError{"cannot set the validity period: " + TakeOpenSslErrors()};
  }
  return {};
}

// Adds one extension given in OpenSSL's configuration syntax ("critical,CA:TRUE").
Status<NetError> AddExtension(X509* cert, X509V3_CTX* ctx, int nid, const std::string& value) {
  ExtensionPtr extension(X509V3_EXT_nconf_nid(nullptr, ctx, nid, value.c_str()));
  if (!extension || X509_add_ext(cert, extension.get(), -1) != 1) {
    return NetError{"cannot add extension " + std::string(OBJ_nid2sn(nid)) + "=" + value + ": " +
                    TakeOpenSslErrors()};
  }
  return {};
}

// Everything but the extensions and the signature: version 3, serial, names, validity, key.
Result<X509Ptr, NetError> NewCertificate(const std::string& common_name, int days, EVP_PKEY* key,
                                         X509* issuer) {
  X509Ptr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1) {
    return NetError{"cannot create a certificate: " + TakeOpenSslErrors()};
  }
  WHARF_RETURN_IF_ERROR(SetRandomSerial(cert.get()));
  WHARF_RETURN_IF_ERROR(SetName(cert.get(), common_name));
  X509_NAME* issuer_name = X509_get_subject_name(issuer != nullptr ? issuer : cert.get());
  if (X509_set_issuer_name(cert.get(), issuer_name) != 1 || X509_set_pubkey(cert.get(), key) != 1) {
    return NetError{"cannot create a certificate: " + TakeOpenSslErrors()};
  }
  WHARF_RETURN_IF_ERROR(SetValidity(cert.get(), days));
  return cert;
}

Result<PemKeyPair, NetError> ToPem(X509* cert, EVP_PKEY* key) {
  BioPtr cert_bio(BIO_new(BIO_s_mem()));
  BioPtr key_bio(BIO_new(BIO_s_mem()));
  if (!cert_bio || !key_bio || PEM_write_bio_X509(cert_bio.get(), cert) != 1 ||
      PEM_write_bio_PrivateKey(key_bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return NetError{"cannot write PEM: " + TakeOpenSslErrors()};
  }
  return PemKeyPair{BioText(cert_bio.get()), BioText(key_bio.get())};
}

Result<X509Ptr, NetError> ReadCertificate(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  X509Ptr cert(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!cert) return NetError{"CA certificate: " + TakeOpenSslErrors("not a PEM certificate")};
  return cert;
}

Result<KeyPtr, NetError> ReadPrivateKey(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  // No passphrase: an encrypted CA key fails here instead of prompting on the terminal.
  KeyPtr key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, PassphraseCallback, nullptr)
                 : nullptr);
  if (!key) return NetError{"CA private key: " + TakeOpenSslErrors("not a PEM private key")};
  return key;
}

}  // namespace

Result<PemKeyPair, NetError> CreateCertificateAuthority(const CaRequest& request) {
  ERR_clear_error();
  WHARF_ASSIGN_OR_RETURN(KeyPtr key, NewKey());
  WHARF_ASSIGN_OR_RETURN(X509Ptr cert,
                         NewCertificate(request.common_name, request.days, key.get(), nullptr));
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  WHARF_RETURN_IF_ERROR(
      AddExtension(cert.get(), &ctx, NID_basic_constraints, "critical,CA:TRUE,pathlen:0"));
  WHARF_RETURN_IF_ERROR(
      AddExtension(cert.get(), &ctx, NID_key_usage, "critical,keyCertSign,cRLSign"));
  WHARF_RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_subject_key_identifier, "hash"));
  WHARF_RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_authority_key_identifier, "keyid"));
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0) {
    return NetError{"cannot sign the CA certificate: " + TakeOpenSslErrors()};
  }
  return ToPem(cert.get(), key.get());
}

Result<PemKeyPair, NetError> IssueServerCertificate(const PemKeyPair& ca,
                                                    const ServerCertificateRequest& request) {
  ERR_clear_error();
  std::string alt_names;
  for (const std::string& name : request.dns_names) {
    if (!IsValidDnsName(name)) return NetError{"invalid DNS name '" + name + "'"};
    alt_names += (alt_names.empty() ? "DNS:" : ",DNS:") + name;
  }
  for (const std::string& address : request.ip_addresses) {
    if (!IsValidIpAddress(address)) return NetError{"invalid IP address '" + address + "'"};
    alt_names += (alt_names.empty() ? "IP:" : ",IP:") + address;
  }
  if (alt_names.empty()) return NetError{"a server certificate needs a DNS name or an IP address"};

  WHARF_ASSIGN_OR_RETURN(X509Ptr ca_cert, ReadCertificate(ca.certificate));
  WHARF_ASSIGN_OR_RETURN(KeyPtr ca_key, ReadPrivateKey(ca.private_key));
  if (X509_check_ca(ca_cert.get()) == 0) {
    return NetError{"the CA certificate is not a certificate authority (basicConstraints CA:TRUE)"};
  }
  if (X509_check_private_key(ca_cert.get(), ca_key.get()) != 1) {
    ERR_clear_error();
    return NetError{"the CA private key does not match the CA certificate"};
  }

  const std::string common_name =
      request.dns_names.empty() ? request.ip_addresses.front() : request.dns_names.front();
  WHARF_ASSIGN_OR_RETURN(KeyPtr key, NewKey());
  WHARF_ASSIGN_OR_RETURN(X509Ptr cert,
                         NewCertificate(common_name, request.days, key.get(), ca_cert.get()));
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, ca_cert.get(), cert.get(), nullptr, nullptr, 0);
  WHARF_RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_basic_constraints, "critical,CA:FALSE"));
  WHARF_RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_key_usage, "critical,digitalSignature"));
  WHARF_RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_ext_key_usage, "serverAuth"));
  WHARF_RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_subject_alt_name, alt_names));
  WHARF_RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_subject_key_identifier, "hash"));
  WHARF_RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_authority_key_identifier, "keyid"));
  if (X509_sign(cert.get(), ca_key.get(), EVP_sha256()) <= 0) {
    return NetError{"cannot sign the server certificate: " + TakeOpenSslErrors()};
  }
  return ToPem(cert.get(), key.get());
}

Status<NetError> WriteFileAtomically(const std::string& path, std::string_view contents,
                                     unsigned mode, bool replace) {
  // A hidden temporary name beside the target: ".<name>.XXXXXX".
  const std::filesystem::path target(path);
  std::string hidden(".");
  hidden += target.filename().string();
  hidden += ".XXXXXX";
  std::string temp = (target.parent_path() / hidden).string();
  int fd = mkstemp(temp.data());  // created 0600, whatever the umask
  if (fd < 0) return NetError{"cannot create a file next to " + path + ": " + std::strerror(errno)};
  auto fail = [&](const std::string& what) -> Status<NetError> {
    const std::string reason = std::strerror(errno);
    if (fd >= 0) close(fd);
    unlink(temp.c_str());
    return NetError{what + " " + path + ": " + reason};
  };
  if (fchmod(fd, static_cast<mode_t>(mode)) != 0) return fail("cannot set the mode of");
  std::string_view rest = contents;
  while (!rest.empty()) {
    const ssize_t n = write(fd, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return fail("cannot write");
    rest.remove_prefix(static_cast<size_t>(n));
  }
  if (fsync(fd) != 0) return fail("cannot sync");
  const int closed = close(fd);
  fd = -1;
  if (closed != 0) return fail("cannot write");
  if (replace) {
    if (rename(temp.c_str(), path.c_str()) != 0) return fail("cannot replace");
    return {};
  }
  // link() fails if the name exists, so an existing file is never replaced.
  if (link(temp.c_str(), path.c_str()) != 0) {
    if (errno == EEXIST) {
      unlink(temp.c_str());
      return NetError{path + " already exists; not replacing it"};
    }
    return fail("cannot create");
  }
  unlink(temp.c_str());
  return {};
}

}  // namespace wharf::net
