#include "sns/signing_key.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <future>
#include <optional>

#include "common/base64.h"
#include "common/binary_codec.h"
#include "common/hashing.h"
#include "common/ids.h"
#include "sns/record_codec.h"

namespace wharf::sns {
namespace {

constexpr uint8_t kRecordVersion = 1;
constexpr std::string_view kSealLabel = "sns-signing v1";  // associated data of the sealed key

EVP_PKEY* AsKey(void* key) { return static_cast<EVP_PKEY*>(key); }

std::string ReadBio(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return size > 0 ? std::string(data, static_cast<size_t>(size)) : std::string();
}

// A self-signed certificate for `key`, as PEM; nullopt if OpenSSL cannot make one.
std::optional<std::string> SelfSignedCertificate(EVP_PKEY* key, std::string_view name) {
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
  if (!cert) return std::nullopt;
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set_uint64(X509_get_serialNumber(cert.get()), RandomU64() >> 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 10L * 365 * 24 * 3600);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* subject = X509_get_subject_name(cert.get());
  const std::string cn(name);
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), subject);
  if (X509_sign(cert.get(), key, EVP_sha256()) <= 0) return std::nullopt;
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  if (!bio || PEM_write_bio_X509(bio.get(), cert.get()) != 1) return std::nullopt;
  return ReadBio(bio.get());
}

}  // namespace

SigningKey::SigningKey(void* key, std::string certificate_pem)
    : key_(key), certificate_pem_(std::move(certificate_pem)) {
  // The file name carries the SHA-1 of the certificate (sns-fanout.md §4.3): a new key gets a
  // new URL, so a cached old certificate is never taken for the new one.
  unsigned char sha1[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(certificate_pem_.data(), certificate_pem_.size(), sha1, &size, EVP_sha1(), nullptr);
  certificate_file_ = "SimpleNotificationService-" + HexLower(sha1, size) + ".pem";
}

SigningKey::~SigningKey() { EVP_PKEY_free(AsKey(key_)); }

Result<std::shared_ptr<const SigningKey>, std::string> SigningKey::Generate(
    std::string_view common_name) {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  if (key == nullptr) return std::string("cannot generate an RSA key");
  std::optional<std::string> cert = SelfSignedCertificate(key, common_name);
  if (!cert) {
    EVP_PKEY_free(key);
    return std::string("cannot make a certificate for the signing key");
  }
  return std::shared_ptr<const SigningKey>(new SigningKey(key, std::move(*cert)));
}

Result<std::shared_ptr<const SigningKey>, std::string> SigningKey::FromPem(
    std::string_view private_key_pem, std::string certificate_pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(private_key_pem.data(), static_cast<int>(private_key_pem.size())), BIO_free);
  EVP_PKEY* key = bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  if (key == nullptr) return std::string("the stored signing key is not a PEM private key");
  return std::shared_ptr<const SigningKey>(new SigningKey(key, std::move(certificate_pem)));
}

std::string SigningKey::Sign(std::string_view data, uint8_t signature_version) const {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  const EVP_MD* md = signature_version == 2 ? EVP_sha256() : EVP_sha1();
  size_t size = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, AsKey(key_)) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &size, reinterpret_cast<const unsigned char*>(data.data()),
                     data.size()) != 1) {
    return std::string();
  }
  std::string signature(size, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &size,
                     reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1) {
    return std::string();
  }
  signature.resize(size);
  return Base64Encode(signature);
}

std::string SigningKey::PrivateKeyPem() const {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), AsKey(key_), nullptr, nullptr, 0, nullptr,
                                       nullptr) != 1) {
    return std::string();
  }
  return ReadBio(bio.get());
}

Result<std::shared_ptr<const SigningKey>, std::string> LoadSigningKey(storage::Store& store,
                                                                      const Sealer& sealer) {
  std::string stored;
  auto scanned = store.ScanObjects(std::string(kSigningKeyKey),
                                   [&](std::string_view key, std::string_view payload) {
                                     if (key == std::string_view(kSigningKeyKey)) {
                                       stored = std::string(payload);
                                     }
                                   });
  if (!scanned.ok()) return "cannot read the SNS signing key: " + scanned.error().detail;
  if (stored.empty()) return std::shared_ptr<const SigningKey>();
  BinaryReader r(stored);
  const uint8_t version = r.U8();
  std::string sealed = r.Bytes();
  std::string certificate = r.Bytes();
  if (!r.ok() || version != kRecordVersion) return std::string("unreadable SNS signing key");
  auto pem = sealer.Open(sealed, kSealLabel);
  if (!pem.ok()) {
    return "the SNS signing key does not open: " + std::string(SealErrorName(pem.error())) +
           " (is this the root key the data was written with?)";
  }
  return SigningKey::FromPem(*pem, std::move(certificate));
}

Status<std::string> SaveSigningKey(storage::Store& store, const SigningKey& key,
                                   const Sealer& sealer) {
  std::string payload;
  BinaryWriter w(payload);
  w.U8(kRecordVersion);
  w.Bytes(sealer.Seal(key.PrivateKeyPem(), kSealLabel));
  w.Bytes(key.certificate_pem());
  std::vector<storage::Record> records(1);
  records[0].type = storage::RecordType::kObjectPut;
  records[0].key = std::string(kSigningKeyKey);
  records[0].payload = std::move(payload);
  std::promise<storage::StorageStatus> written;
  store.WhenDurable(store.Append(std::move(records)),
                    [&written](storage::StorageStatus s) { written.set_value(std::move(s)); });
  storage::StorageStatus status = written.get_future().get();
  if (!status.ok()) return "cannot store the SNS signing key: " + status.error().detail;
  return {};
}

Result<std::shared_ptr<const SigningKey>, std::string> LoadOrCreateSigningKey(
    storage::Store& store, const Sealer* sealer) {
  if (sealer != nullptr) {
    auto stored = LoadSigningKey(store, *sealer);
    if (!stored.ok() || *stored) return stored;
  }
  auto fresh = SigningKey::Generate("wharf-sns-signing");
  if (!fresh.ok() || sealer == nullptr || !store.durable()) return fresh;
  // Durable before any envelope is signed with it: start-up waits here once, at first start.
  if (auto saved = SaveSigningKey(store, **fresh, *sealer); !saved.ok()) return saved.error();
  return fresh;
}

}  // namespace wharf::sns
