#include "net/certificates.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "temp_dir.h"

namespace wharf::net {
namespace {

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using Cert = std::unique_ptr<X509, X509Free>;
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;

Cert ParseCert(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  Cert cert(PEM_read_bio_X509(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  return cert;
}

Key ParseKey(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  Key key(PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  return key;
}

// X509_verify_cert of `leaf` against `ca` with strict RFC 5280 checks, for a host name or an IP
// address; the verification error string, or "ok".
std::string Verify(const std::string& ca_pem, const std::string& leaf_pem, const std::string& host,
                   bool is_ip) {
  Cert ca = ParseCert(ca_pem);
  Cert leaf = ParseCert(leaf_pem);
  if (!ca || !leaf) return "unparsable";
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, ca.get());
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, leaf.get(), nullptr);
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx);
  X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_X509_STRICT);
  X509_VERIFY_PARAM_set_purpose(param, X509_PURPOSE_SSL_SERVER);
  if (is_ip) {
    X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
  } else {
    X509_VERIFY_PARAM_set1_host(param, host.c_str(), 0);
  }
  const int ok = X509_verify_cert(ctx);
  std::string result =
      ok == 1 ? "ok" : X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx));
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  return result;
}

std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

unsigned ModeOf(const std::filesystem::path& path) {
  struct stat st {};
  EXPECT_EQ(stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

PemKeyPair NewCa() {
  auto ca = CreateCertificateAuthority({});
  EXPECT_TRUE(ca.ok()) << ca.error().message;
  return ca.ok() ? *ca : PemKeyPair{};
}

TEST(CertificatesTest, CaIsASelfSignedP256CertificateAuthority) {
  auto ca = CreateCertificateAuthority({"Test CA", 30});
  ASSERT_TRUE(ca.ok()) << ca.error().message;
  EXPECT_EQ(ca->certificate.rfind("-----BEGIN CERTIFICATE-----", 0), 0u);
  EXPECT_EQ(ca->private_key.rfind("-----BEGIN PRIVATE KEY-----", 0), 0u);
  Cert cert = ParseCert(ca->certificate);
  Key key = ParseKey(ca->private_key);
  ASSERT_TRUE(cert && key);
  EXPECT_EQ(X509_check_ca(cert.get()), 1);
  EXPECT_EQ(X509_check_private_key(cert.get(), key.get()), 1);
  EXPECT_EQ(X509_check_issued(cert.get(), cert.get()), X509_V_OK);  // self-signed
  EXPECT_TRUE(EVP_PKEY_is_a(key.get(), "EC"));
  char group[32] = {};
  size_t length = 0;
  ASSERT_EQ(EVP_PKEY_get_group_name(key.get(), group, sizeof(group), &length), 1);
  EXPECT_STREQ(group, "prime256v1");
  EXPECT_EQ(X509_get_signature_nid(cert.get()), NID_ecdsa_with_SHA256);
  char cn[64] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert.get()), NID_commonName, cn, sizeof(cn));
  EXPECT_STREQ(cn, "Test CA");
  // Valid now, for about the days asked.
  EXPECT_LT(X509_cmp_current_time(X509_get0_notBefore(cert.get())), 0);
  int days = 0, seconds = 0;
  ASSERT_EQ(ASN1_TIME_diff(&days, &seconds, X509_get0_notBefore(cert.get()),
                           X509_get0_notAfter(cert.get())),
            1);
  EXPECT_EQ(days, 30);  // plus the hour it is backdated
  // Two CAs never share a key or a serial.
  PemKeyPair other = NewCa();
  EXPECT_NE(other.private_key, ca->private_key);
  EXPECT_NE(ASN1_INTEGER_cmp(X509_get0_serialNumber(cert.get()),
                             X509_get0_serialNumber(ParseCert(other.certificate).get())),
            0);
}

TEST(CertificatesTest, ServerCertificateVerifiesStrictlyForItsNamesOnly) {
  PemKeyPair ca = NewCa();
  ServerCertificateRequest request;
  request.dns_names = {"localhost", "sqs.internal"};
  request.ip_addresses = {"127.0.0.1", "::1"};
  auto server = IssueServerCertificate(ca, request);
  ASSERT_TRUE(server.ok()) << server.error().message;
  EXPECT_EQ(Verify(ca.certificate, server->certificate, "localhost", false), "ok");
  EXPECT_EQ(Verify(ca.certificate, server->certificate, "sqs.internal", false), "ok");
  EXPECT_EQ(Verify(ca.certificate, server->certificate, "127.0.0.1", true), "ok");
  EXPECT_EQ(Verify(ca.certificate, server->certificate, "::1", true), "ok");
  EXPECT_NE(Verify(ca.certificate, server->certificate, "example.com", false), "ok");
  EXPECT_NE(Verify(ca.certificate, server->certificate, "10.0.0.1", true), "ok");
  // Another CA does not vouch for it.
  EXPECT_NE(Verify(NewCa().certificate, server->certificate, "localhost", false), "ok");

  Cert cert = ParseCert(server->certificate);
  ASSERT_TRUE(cert);
  EXPECT_EQ(X509_check_ca(cert.get()), 0);
  EXPECT_EQ(X509_check_private_key(cert.get(), ParseKey(server->private_key).get()), 1);
  EXPECT_NE(X509_get_extended_key_usage(cert.get()) & XKU_SSL_SERVER, 0u);
  EXPECT_NE(X509_get_key_usage(cert.get()) & KU_DIGITAL_SIGNATURE, 0u);
  EXPECT_NE(X509_get0_authority_key_id(cert.get()), nullptr);
}

TEST(CertificatesTest, WildcardNameAndIpOnlyCertificates) {
  PemKeyPair ca = NewCa();
  auto wildcard = IssueServerCertificate(ca, {{"*.example.test"}, {}, 30});
  ASSERT_TRUE(wildcard.ok()) << wildcard.error().message;
  EXPECT_EQ(Verify(ca.certificate, wildcard->certificate, "a.example.test", false), "ok");
  auto ip_only = IssueServerCertificate(ca, {{}, {"192.0.2.7"}, 30});
  ASSERT_TRUE(ip_only.ok()) << ip_only.error().message;
  EXPECT_EQ(Verify(ca.certificate, ip_only->certificate, "192.0.2.7", true), "ok");
}

TEST(CertificatesTest, BadNamesAndAddressesAreRejected) {
  PemKeyPair ca = NewCa();
  for (const char* name :
       {"", "a,DNS:evil.example", "-lead.example", "trail-.example", "a..b", "under_score",
        "space name", "localhost.", "*", "a.*.example", "IP:127.0.0.1"}) {
    auto issued = IssueServerCertificate(ca, {{name}, {}, 30});
    EXPECT_FALSE(issued.ok()) << "accepted DNS name '" << name << "'";
    if (!issued.ok()) {
      EXPECT_NE(issued.error().message.find("invalid DNS name"), std::string::npos);
    }
  }
  EXPECT_FALSE(IssueServerCertificate(ca, {{std::string(64, 'a')}, {}, 30}).ok());
  for (const char* address : {"", "localhost", "256.1.1.1", "1.2.3", "::g", "127.0.0.1,DNS:x"}) {
    auto issued = IssueServerCertificate(ca, {{}, {address}, 30});
    EXPECT_FALSE(issued.ok()) << "accepted IP address '" << address << "'";
  }
  auto none = IssueServerCertificate(ca, {{}, {}, 30});
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().message.find("needs a DNS name or an IP address"), std::string::npos);
  EXPECT_FALSE(IssueServerCertificate(ca, {{"localhost"}, {}, 0}).ok());
  EXPECT_FALSE(IssueServerCertificate(ca, {{"localhost"}, {}, 40000}).ok());
  EXPECT_FALSE(CreateCertificateAuthority({"", 30}).ok());
  EXPECT_FALSE(CreateCertificateAuthority({"CA", -1}).ok());
}

TEST(CertificatesTest, IssuingNeedsARealCaWithItsKey) {
  PemKeyPair ca = NewCa();
  auto server = IssueServerCertificate(ca, {{"localhost"}, {}, 30});
  ASSERT_TRUE(server.ok());
  // A server certificate is no CA.
  auto by_leaf = IssueServerCertificate(*server, {{"localhost"}, {}, 30});
  ASSERT_FALSE(by_leaf.ok());
  EXPECT_NE(by_leaf.error().message.find("not a certificate authority"), std::string::npos);
  // The CA certificate with another CA's key.
  PemKeyPair mixed{ca.certificate, NewCa().private_key};
  auto by_mixed = IssueServerCertificate(mixed, {{"localhost"}, {}, 30});
  ASSERT_FALSE(by_mixed.ok());
  EXPECT_NE(by_mixed.error().message.find("does not match"), std::string::npos);
  // Garbage.
  EXPECT_FALSE(IssueServerCertificate({"junk", ca.private_key}, {{"localhost"}, {}, 30}).ok());
  EXPECT_FALSE(IssueServerCertificate({ca.certificate, "junk"}, {{"localhost"}, {}, 30}).ok());
}

TEST(CertificatesTest, WriteFileAtomicallySetsTheModeAndRespectsReplace) {
  testing::TempDir dir("wharf-cert-files");
  const auto path = dir.path() / "key.pem";
  ASSERT_TRUE(WriteFileAtomically(path.string(), "secret", 0600, false).ok());
  EXPECT_EQ(ReadAll(path), "secret");
  EXPECT_EQ(ModeOf(path), 0600u);

  auto again = WriteFileAtomically(path.string(), "other", 0600, false);
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().message.find("already exists"), std::string::npos);
  EXPECT_EQ(ReadAll(path), "secret");

  ASSERT_TRUE(WriteFileAtomically(path.string(), "public", 0644, true).ok());
  EXPECT_EQ(ReadAll(path), "public");
  EXPECT_EQ(ModeOf(path), 0644u);
  // No temporary files left behind.
  int files = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.path()))
    ++files;
  EXPECT_EQ(files, 1);

  EXPECT_FALSE(
      WriteFileAtomically((dir.path() / "missing-dir" / "f").string(), "x", 0600, true).ok());
}

}  // namespace
}  // namespace wharf::net
