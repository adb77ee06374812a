// The ciphertext blob of security.md §4.6: its layout, and that nothing but the exact blob, the
// exact context and the right material opens it.

#include "kms/blob.h"

#include <gtest/gtest.h>

#include "kms/identifiers.h"

namespace wharf::kms {
namespace {

BlobHeader HeaderOf(std::string_view key_id, uint32_t version) {
  BlobHeader header;
  header.key_uuid = *KeyUuidOf(key_id);
  header.material_version = version;
  return header;
}

constexpr char kKeyId[] = "1234abcd-12ab-34cd-56ef-1234567890ab";

TEST(BlobTest, LayoutIsVersionUuidMaterialVersionNonceCiphertextTag) {
  const KeyMaterial material = KeyMaterial::Random();
  const EncryptionContext context{{"aws:sqs:arn", "arn:aws:sqs:us-east-1:123456789012:orders"}};
  const std::string blob = SealBlob(material, HeaderOf(kKeyId, 0x01020304), "hello", context);
  ASSERT_EQ(blob.size(), 33u + 5u + 16u);
  EXPECT_EQ(static_cast<uint8_t>(blob[0]), 0x01);
  EXPECT_EQ(blob.substr(1, 16),
            std::string("\x12\x34\xab\xcd\x12\xab\x34\xcd\x56\xef\x12\x34\x56\x78\x90\xab", 16));
  EXPECT_EQ(blob.substr(17, 4), std::string("\x01\x02\x03\x04", 4));
  auto header = ParseBlobHeader(blob);
  ASSERT_TRUE(header);
  EXPECT_EQ(KeyIdOf(header->key_uuid), kKeyId);
  EXPECT_EQ(header->material_version, 0x01020304u);
  auto opened = OpenBlob(material, blob, context);
  ASSERT_TRUE(opened);
  EXPECT_EQ(*opened, "hello");
}

TEST(BlobTest, MaximumPlaintextFitsKmsLimit) {
  const KeyMaterial material = KeyMaterial::Random();
  const std::string plaintext(4096, 'x');
  const std::string blob = SealBlob(material, HeaderOf(kKeyId, 1), plaintext, {});
  EXPECT_EQ(blob.size(), 4145u);
  EXPECT_LE(blob.size(), 6144u);
  EXPECT_EQ(OpenBlob(material, blob, {}), plaintext);
}

TEST(BlobTest, NoncesAreFreshSoEqualPlaintextsGiveDifferentBlobs) {
  const KeyMaterial material = KeyMaterial::Random();
  const BlobHeader header = HeaderOf(kKeyId, 1);
  EXPECT_NE(SealBlob(material, header, "same", {}), SealBlob(material, header, "same", {}));
}

TEST(BlobTest, EveryTamperedByteIsRefused) {
  const KeyMaterial material = KeyMaterial::Random();
  const EncryptionContext context{{"k", "v"}};
  const std::string blob = SealBlob(material, HeaderOf(kKeyId, 7), "secret data", context);
  for (size_t i = 0; i < blob.size(); ++i) {
    std::string tampered = blob;
    tampered[i] = static_cast<char>(tampered[i] ^ 0x01);
    EXPECT_FALSE(OpenBlob(material, tampered, context)) << "byte " << i;
  }
  EXPECT_FALSE(OpenBlob(material, blob.substr(0, blob.size() - 1), context)) << "truncated";
  EXPECT_FALSE(OpenBlob(material, blob + "x", context)) << "extended";
}

TEST(BlobTest, TheContextMustBeExactlyTheSame) {
  const KeyMaterial material = KeyMaterial::Random();
  const EncryptionContext context{{"a", "1"}, {"b", "2"}};
  const std::string blob = SealBlob(material, HeaderOf(kKeyId, 1), "p", context);
  EXPECT_TRUE(OpenBlob(material, blob, EncryptionContext{{"b", "2"}, {"a", "1"}}))
      << "the order pairs are given in does not matter";
  EXPECT_FALSE(OpenBlob(material, blob, {}));
  EXPECT_FALSE(OpenBlob(material, blob, EncryptionContext{{"a", "1"}}));
  EXPECT_FALSE(OpenBlob(material, blob, EncryptionContext{{"a", "1"}, {"b", "3"}}));
  EXPECT_FALSE(OpenBlob(material, blob, EncryptionContext{{"a", "1"}, {"b", "2"}, {"c", ""}}));
}

TEST(BlobTest, OtherMaterialDoesNotOpenIt) {
  const std::string blob = SealBlob(KeyMaterial::Random(), HeaderOf(kKeyId, 1), "p", {});
  EXPECT_FALSE(OpenBlob(KeyMaterial::Random(), blob, {}));
}

TEST(BlobTest, OtherFormatVersionsAndShortBlobsHaveNoHeader) {
  const KeyMaterial material = KeyMaterial::Random();
  std::string blob = SealBlob(material, HeaderOf(kKeyId, 1), "p", {});
  blob[0] = 0x02;
  EXPECT_FALSE(ParseBlobHeader(blob));
  EXPECT_FALSE(OpenBlob(material, blob, {}));
  EXPECT_FALSE(ParseBlobHeader(std::string(kBlobOverhead - 1, '\x01')));
  EXPECT_FALSE(ParseBlobHeader(""));
}

TEST(BlobTest, CanonicalContextIsSortedAndLengthPrefixed) {
  const EncryptionContext context{{"b", "22"}, {"a", "1"}};
  EXPECT_EQ(CanonicalContext(context), std::string("\0\0\0\x01"
                                                   "a"
                                                   "\0\0\0\x01"
                                                   "1"
                                                   "\0\0\0\x01"
                                                   "b"
                                                   "\0\0\0\x02"
                                                   "22",
                                                   21));
  // Length prefixes keep {"ab": "c"} and {"a": "bc"} apart.
  EXPECT_NE(CanonicalContext({{"ab", "c"}}), CanonicalContext({{"a", "bc"}}));
  EXPECT_EQ(CanonicalContext({}), "");
}

}  // namespace
}  // namespace wharf::kms
