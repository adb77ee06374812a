// The notification envelope (sns-fanout.md §4.1, §4.3): key order and presence, escaping, the
// timestamp form, the string to sign, and signatures that verify against the certificate.

#include "sns/envelope.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>

#include "common/base64.h"
#include "sns/signing_key.h"
#include "sns_test_support.h"
#include "storage/rocks_store.h"
#include "storage_key.h"
#include "temp_dir.h"

namespace wharf::sns {
namespace {

Envelope Example() {
  Envelope e;
  e.message_id = "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324";
  e.topic_arn = "arn:aws:sns:us-east-1:123456789012:orders";
  e.subject = "Order placed";
  e.message = "{\"orderId\": 42, \"note\": \"line1\\nline2 \xc3\xbc\"}";
  e.timestamp = "2025-01-15T12:00:00.123Z";
  e.unsubscribe_url = "https://h/?Action=Unsubscribe&SubscriptionArn=arn:x";
  return e;
}

TEST(EnvelopeTest, KeysInAwsOrderWithOptionalOnesLeftOut) {
  Envelope e = Example();
  e.signature_version = "1";
  e.signature = "c2ln";
  e.signing_cert_url = "https://h/SimpleNotificationService-x.pem";
  api::sns::MessageAttributeMap attributes;
  attributes.emplace_back("blob",
                          api::sns::MessageAttributeValue{"Binary", {}, std::string("\0\1", 2)});
  attributes.emplace_back(
      "colors", api::sns::MessageAttributeValue{"String.Array", R"(["red","green"])", {}});
  attributes.emplace_back("price", api::sns::MessageAttributeValue{"Number", "12.5", {}});
  e.attributes = &attributes;
  EXPECT_EQ(EncodeEnvelope(e),
            R"({"Type":"Notification","MessageId":"22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",)"
            R"("TopicArn":"arn:aws:sns:us-east-1:123456789012:orders","Subject":"Order placed",)"
            R"("Message":"{\"orderId\": 42, \"note\": \"line1\\nline2 )"
            "\xc3\xbc"
            R"(\"}","Timestamp":"2025-01-15T12:00:00.123Z","SignatureVersion":"1",)"
            R"("Signature":"c2ln","SigningCertURL":"https://h/SimpleNotificationService-x.pem",)"
            R"("UnsubscribeURL":"https://h/?Action=Unsubscribe&SubscriptionArn=arn:x",)"
            R"("MessageAttributes":{"blob":{"Type":"Binary","Value":"AAE="},)"
            R"("colors":{"Type":"String.Array","Value":"[\"red\",\"green\"]"},)"
            R"("price":{"Type":"Number","Value":"12.5"}}})");
}

TEST(EnvelopeTest, FifoEnvelopeHasASequenceNumberAndNoSignatureNoSubjectNoAttributes) {
  Envelope e = Example();
  e.subject.reset();
  e.sequence_number = "10000000000000000123";
  api::sns::MessageAttributeMap none;
  e.attributes = &none;
  const std::string json = EncodeEnvelope(e);
  EXPECT_EQ(json.find("\"Subject\""), std::string::npos) << "omitted, not null";
  EXPECT_EQ(json.find("Signature"), std::string::npos);
  EXPECT_EQ(json.find("SigningCertURL"), std::string::npos);
  EXPECT_EQ(json.find("MessageAttributes"), std::string::npos);
  EXPECT_EQ(
      json.find(R"({"Type":"Notification","MessageId":"22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",)"
                R"("SequenceNumber":"10000000000000000123","TopicArn":)"),
      0u);
  EXPECT_NE(
      json.find(R"(,"UnsubscribeURL":"https://h/?Action=Unsubscribe&SubscriptionArn=arn:x"})"),
      std::string::npos);
}

TEST(EnvelopeTest, EscapesWhatJsonRequiresAndNothingElse) {
  std::string out;
  AppendJsonString(out, "a\"b\\c/d\n\r\t\b\f\x01\x1f\x7f \xe2\x82\xac");
  EXPECT_EQ(out, "\"a\\\"b\\\\c/d\\n\\r\\t\\b\\f\\u0001\\u001f\x7f \xe2\x82\xac\"");
}

TEST(EnvelopeTest, TimestampIsUtcIsoWithMilliseconds) {
  EXPECT_EQ(FormatTimestamp(1736942400123), "2025-01-15T12:00:00.123Z");
  EXPECT_EQ(FormatTimestamp(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatTimestamp(1736942400005), "2025-01-15T12:00:00.005Z");
}

TEST(EnvelopeTest, StringToSignFollowsTheReferenceCode) {
  Envelope e = Example();
  EXPECT_EQ(StringToSign(e),
            "Message\n" + e.message + "\nMessageId\n" + e.message_id +
                "\nSubject\nOrder placed\nTimestamp\n2025-01-15T12:00:00.123Z\nTopicArn\n" +
                e.topic_arn + "\nType\nNotification\n");
  e.subject.reset();
  EXPECT_EQ(StringToSign(e).find("Subject"), std::string::npos) << "only when present";
  // Not covered: the per-subscription UnsubscribeURL, the certificate URL, the attributes.
  const std::string before = StringToSign(e);
  e.unsubscribe_url = "elsewhere";
  e.signing_cert_url = "elsewhere";
  EXPECT_EQ(StringToSign(e), before);
}

// Verifies `signature` (base64) of `data` with the certificate's public key.
bool Verifies(const std::string& certificate_pem, const std::string& data,
              const std::string& signature, const EVP_MD* md) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(certificate_pem.data(), static_cast<int>(certificate_pem.size())), BIO_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(
      PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), X509_free);
  if (!cert) return false;
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(X509_get_pubkey(cert.get()),
                                                          EVP_PKEY_free);
  auto raw = Base64Decode(signature);
  if (!raw) return false;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  return EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, key.get()) == 1 &&
         EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(raw->data()),
                          raw->size(), reinterpret_cast<const unsigned char*>(data.data()),
                          data.size()) == 1;
}

TEST(SigningKeyTest, SignaturesVerifyWithTheCertificateForBothVersions) {
  auto key = testing::TestSigningKey();
  ASSERT_NE(key, nullptr);
  const std::string data = StringToSign(Example());
  const std::string v1 = key->Sign(data, 1);
  const std::string v2 = key->Sign(data, 2);
  EXPECT_TRUE(Verifies(key->certificate_pem(), data, v1, EVP_sha1()));
  EXPECT_TRUE(Verifies(key->certificate_pem(), data, v2, EVP_sha256()));
  EXPECT_FALSE(Verifies(key->certificate_pem(), data, v1, EVP_sha256())) << "v1 is SHA-1";
  EXPECT_FALSE(Verifies(key->certificate_pem(), data + " ", v1, EVP_sha1())) << "tampered";
  EXPECT_EQ(key->certificate_file().rfind("SimpleNotificationService-", 0), 0u);
  EXPECT_EQ(key->certificate_file().size(),
            std::string("SimpleNotificationService-.pem").size() + 40);
}

TEST(SigningKeyTest, ARoundTripThroughPemSignsTheSame) {
  auto key = testing::TestSigningKey();
  ASSERT_NE(key, nullptr);
  auto again = SigningKey::FromPem(key->PrivateKeyPem(), key->certificate_pem());
  ASSERT_TRUE(again.ok()) << again.error();
  EXPECT_EQ((*again)->Sign("x", 2), key->Sign("x", 2)) << "PKCS#1 v1.5 is deterministic";
  EXPECT_EQ((*again)->certificate_file(), key->certificate_file());
  EXPECT_FALSE(SigningKey::FromPem("not pem", key->certificate_pem()).ok());
}

}  // namespace
}  // namespace wharf::sns

namespace wharf::sns {
namespace {

std::unique_ptr<storage::RocksStore> OpenStore(const std::string& dir) {
  storage::RocksOptions options;
  options.directory = dir;
  options.sealing_key = wharf::testing::TestStorageKey();
  auto opened = storage::RocksStore::Open(options);
  EXPECT_TRUE(opened.ok());
  return opened.ok() ? std::move(opened).value() : nullptr;
}

Sealer SealerOf(char fill) { return std::move(Sealer::FromKey(std::string(32, fill))).value(); }

TEST(SigningKeyTest, TheKeyIsKeptSealedAndComesBackAfterARestart) {
  wharf::testing::TempDir dir;
  const Sealer root = SealerOf('r');
  const Sealer other_root = SealerOf('x');
  std::string certificate, signature;
  {
    auto store = OpenStore(dir.db());
    ASSERT_NE(store, nullptr);
    auto key = LoadOrCreateSigningKey(*store, &root);
    ASSERT_TRUE(key.ok()) << key.error();
    certificate = (*key)->certificate_pem();
    signature = (*key)->Sign("data", 2);
    store->Close();
  }
  // The private key is nowhere on disk in clear.
  std::string all;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir.path())) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    all.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  EXPECT_EQ(all.find("PRIVATE KEY"), std::string::npos);
  {
    auto store = OpenStore(dir.db());
    ASSERT_NE(store, nullptr);
    auto again = LoadOrCreateSigningKey(*store, &root);
    ASSERT_TRUE(again.ok()) << again.error();
    EXPECT_EQ((*again)->certificate_pem(), certificate) << "the same key: old envelopes verify";
    EXPECT_EQ((*again)->Sign("data", 2), signature);
    auto wrong = LoadOrCreateSigningKey(*store, &other_root);
    ASSERT_FALSE(wrong.ok());
    EXPECT_NE(wrong.error().find("root key"), std::string::npos) << wrong.error();
    store->Close();
  }
}

}  // namespace
}  // namespace wharf::sns
