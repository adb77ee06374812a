#include "server/tls_command.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "net/http_server.h"
#include "temp_dir.h"

// `wharf tls create-ca` and `wharf tls issue` on real files: names, modes, refusal to replace a
// CA, and that the server accepts what they write.

namespace wharf::server {
namespace {

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

// The subjectAltName entries of a PEM certificate, as "DNS:x" / "IP:y" (IPv4 only).
std::vector<std::string> AltNames(const std::string& pem) {
  std::vector<std::string> out;
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (cert == nullptr) return out;
  auto* names =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; names != nullptr && i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    if (name->type == GEN_DNS) {
      out.push_back("DNS:" + std::string(reinterpret_cast<const char*>(
                                             ASN1_STRING_get0_data(name->d.dNSName)),
                                         ASN1_STRING_length(name->d.dNSName)));
    } else if (name->type == GEN_IPADD) {
      out.push_back("IP/" + std::to_string(ASN1_STRING_length(name->d.iPAddress)));
    }
  }
  GENERAL_NAMES_free(names);
  X509_free(cert);
  return out;
}

TEST(TlsCommandTest, CreateCaWritesTheCertificateAndAPrivateKey) {
  testing::TempDir temp("wharf-tls-cmd");
  TlsCommandOptions options;
  options.dir = (temp.path() / "ca").string();  // created
  ASSERT_EQ(CreateCa(options), 0);
  const auto cert = temp.path() / "ca" / kCaCertificateFile;
  const auto key = temp.path() / "ca" / kCaKeyFile;
  EXPECT_EQ(ModeOf(cert), 0644u);
  EXPECT_EQ(ModeOf(key), 0600u);
  EXPECT_EQ(ModeOf(temp.path() / "ca"), 0700u);
  EXPECT_NE(ReadAll(cert).find("BEGIN CERTIFICATE"), std::string::npos);
  EXPECT_NE(ReadAll(key).find("BEGIN PRIVATE KEY"), std::string::npos);

  // Never replaces a CA: clients may already trust it.
  const std::string before = ReadAll(key);
  EXPECT_EQ(CreateCa(options), 1);
  EXPECT_EQ(ReadAll(key), before);
}

TEST(TlsCommandTest, IssueWritesAServerPairTheServerAccepts) {
  testing::TempDir temp("wharf-tls-cmd");
  TlsCommandOptions options;
  options.dir = options.ca_dir = temp.path().string();
  ASSERT_EQ(CreateCa(options), 0);
  options.out_dir = (temp.path() / "server").string();
  ASSERT_EQ(IssueCertificate(options), 0);
  const auto cert = temp.path() / "server" / kServerCertificateFile;
  const auto key = temp.path() / "server" / kServerKeyFile;
  EXPECT_EQ(ModeOf(cert), 0644u);
  EXPECT_EQ(ModeOf(key), 0600u);
  // Without --dns/--ip: localhost, 127.0.0.1 and ::1.
  EXPECT_EQ(AltNames(ReadAll(cert)), (std::vector<std::string>{"DNS:localhost", "IP/4", "IP/16"}));

  net::TlsOptions tls;
  tls.certificate_chain_file = cert.string();
  tls.private_key_file = key.string();
  auto usable = net::CheckTlsFiles(tls);
  EXPECT_TRUE(usable.ok()) << usable.error().message;

  // Issuing again replaces the pair (a renewal), with the names asked for.
  const std::string first = ReadAll(cert);
  options.dns_names = {"sqs.internal"};
  ASSERT_EQ(IssueCertificate(options), 0);
  EXPECT_NE(ReadAll(cert), first);
  EXPECT_EQ(AltNames(ReadAll(cert)), (std::vector<std::string>{"DNS:sqs.internal"}));
  EXPECT_TRUE(net::CheckTlsFiles(tls).ok());
}

TEST(TlsCommandTest, IssueFailsWithoutACaOrWithABadName) {
  testing::TempDir temp("wharf-tls-cmd");
  TlsCommandOptions options;
  options.ca_dir = temp.path().string();
  EXPECT_EQ(IssueCertificate(options), 1);  // no CA there
  options.dir = options.ca_dir;
  ASSERT_EQ(CreateCa(options), 0);
  options.dns_names = {"bad name"};
  EXPECT_EQ(IssueCertificate(options), 1);
  EXPECT_FALSE(std::filesystem::exists(temp.path() / kServerCertificateFile));
  EXPECT_FALSE(std::filesystem::exists(temp.path() / kServerKeyFile));
}

}  // namespace
}  // namespace wharf::server
