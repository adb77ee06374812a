#include "common/hashing.h"

#include <gtest/gtest.h>

#include <string>

namespace wharf {
namespace {

std::string Md5Hex(std::string_view s) { return HexLower(Md5Of(s)); }
std::string Sha256Hex(std::string_view s) { return HexLower(Sha256Of(s)); }
std::string HmacHex(std::string_view key, std::string_view data) {
  return HexLower(HmacSha256(key, data));
}
std::string AsBytes(const Sha256Digest& d) {
  return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

TEST(HexLowerTest, LowerCaseTwoDigitsPerByte) {
  const uint8_t bytes[] = {0x00, 0x0f, 0xa0, 0xff, 0x5c};
  EXPECT_EQ(HexLower(bytes, sizeof(bytes)), "000fa0ff5c");
  EXPECT_EQ(HexLower(bytes, 0), "");
  std::array<uint8_t, 2> arr{0xAB, 0x01};
  EXPECT_EQ(HexLower(arr), "ab01");
}

TEST(Md5Test, KnownDigests) {
  // sqs-api.md §4.6.
  EXPECT_EQ(Md5Hex("hello world"), "5eb63bbbe01eeed093cb22bb8f5acdc3");
  EXPECT_EQ(Md5Hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(Md5Hex(std::string_view()), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(Md5Hex("test"), "098f6bcd4621d373cade4e832627b4f6");
  EXPECT_EQ(Md5Hex("msg"), "6e2baaf3b97dbeef01c0043275f9a0e7");
  EXPECT_EQ(Md5Hex("h\xc3\xa9llo \xe2\x9c\x93"), "21b1ae5bc147bb564254200a4731e337");
  EXPECT_EQ(Md5Hex("a\r\nb \"q\" & <x>"), "7a5e9ae9ce811a18c63b710d659d1492");
  // RFC 1321 appendix A.5.
  EXPECT_EQ(Md5Hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(Md5Hex("message digest"), "f96b697d7cb7938d525a2f31aaf161d0");
}

TEST(Md5Test, IncrementalEqualsOneShotForEverySplit) {
  const std::string text =
      "The quick brown fox jumps over the lazy dog, and then some more bytes to cross a block: "
      "0123456789abcdef0123456789abcdef0123456789abcdef";
  const Md5Digest expected = Md5Of(text);
  for (size_t split = 0; split <= text.size(); ++split) {
    Md5 md5;
    md5.Update(std::string_view(text).substr(0, split));
    md5.Update("");
    md5.Update(std::string_view(text).substr(split));
    EXPECT_EQ(md5.Finish(), expected) << "split=" << split;
  }
  Md5 bytewise;
  for (char c : text) bytewise.Update(std::string_view(&c, 1));
  EXPECT_EQ(bytewise.Finish(), expected);
  Md5 nothing;
  EXPECT_EQ(HexLower(nothing.Finish()), "d41d8cd98f00b204e9800998ecf8427e");
}

// The MD5OfMessageAttributes buffers of sqs-api.md §4.6, fed piece by piece as the service does.
void PutLenBytes(Md5& md5, std::string_view bytes) {
  const uint32_t n = static_cast<uint32_t>(bytes.size());
  const char len[4] = {static_cast<char>(n >> 24), static_cast<char>(n >> 16),
                       static_cast<char>(n >> 8), static_cast<char>(n)};
  md5.Update(std::string_view(len, 4));
  md5.Update(bytes);
}
void PutStringAttribute(Md5& md5, std::string_view name, std::string_view type,
                        std::string_view value) {
  PutLenBytes(md5, name);
  PutLenBytes(md5, type);
  md5.Update("\x01");
  PutLenBytes(md5, value);
}

TEST(Md5Test, MessageAttributeWorkedExamples) {
  {  // Example A
    Md5 md5;
    PutStringAttribute(md5, "Hello", "String", "There");
    EXPECT_EQ(HexLower(md5.Finish()), "a311262e065454b75da111d535b8dacd");
  }
  {  // Example B
    Md5 md5;
    PutStringAttribute(md5, "City", "String", "Any City");
    PutStringAttribute(md5, "Population", "Number", "1250800");
    PutStringAttribute(md5, "Weight", "Number.float", "3.14");
    EXPECT_EQ(HexLower(md5.Finish()), "37be9c66a26f6493892520be4c5f3abe");
  }
  {  // Example E: binary, transport byte 2, raw bytes
    Md5 md5;
    PutLenBytes(md5, "attr1");
    PutLenBytes(md5, "Binary");
    md5.Update("\x02");
    PutLenBytes(md5,
                "traceparent\x1e"
                "00-774062d6c37081a5a0b9b5b88e30627c-2d2482211f6489da-01");
    EXPECT_EQ(HexLower(md5.Finish()), "8cbe4db156db8a94db8b801b7addb984");
  }
  {  // Example F
    Md5 md5;
    PutStringAttribute(
        md5, "AWSTraceHeader", "String",
        "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1");
    EXPECT_EQ(HexLower(md5.Finish()), "5ae4d5d7636402d80f4eb6d213245a88");
  }
}

TEST(Sha256Test, KnownDigests) {
  EXPECT_EQ(Sha256Hex("hello world"),
            "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9");
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // security.md §1.12 Example A payload hash.
  EXPECT_EQ(
      Sha256Hex(
          R"({"QueueUrl":"http://localhost:9324/000000000000/orders","MessageBody":"hello world"})"),
      "43d1f5e567974cbacf91e6a4d451776fb9ac733dc39a5dcaf2ae3a1216dddd6e");
}

// RFC 4231 §4.
TEST(HmacSha256Test, Rfc4231Vectors) {
  // Test case 1.
  EXPECT_EQ(HmacHex(std::string(20, '\x0b'), "Hi There"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  // Test case 2: key shorter than the output.
  EXPECT_EQ(HmacHex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Test case 3: 0xdd bytes.
  EXPECT_EQ(HmacHex(std::string(20, '\xaa'), std::string(50, '\xdd')),
            "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
  // Test case 6: key larger than the block size.
  EXPECT_EQ(
      HmacHex(std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First"),
      "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(HmacSha256Test, EmptyKeyAndData) {
  EXPECT_EQ(HmacHex("", ""), "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
  EXPECT_EQ(HmacHex(std::string_view(), std::string_view()),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

// The SigV4 derivation chain of security.md §1.12 Example A, using only these primitives.
TEST(HmacSha256Test, SigV4ExampleA) {
  const std::string secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY";
  Sha256Digest k_date = HmacSha256("AWS4" + secret, "20250115");
  EXPECT_EQ(HexLower(k_date), "dd855ba68e6f76d8a4aa6bbb2e3530406d791ea8c2aef74f68116f89a850ccea");
  Sha256Digest k_region = HmacSha256(AsBytes(k_date), "us-east-1");
  EXPECT_EQ(HexLower(k_region), "b9299dc7a6cedd24f2e031a592f31142012f56cce9f6a2552eab50d13a10bc92");
  Sha256Digest k_service = HmacSha256(AsBytes(k_region), "sqs");
  EXPECT_EQ(HexLower(k_service),
            "e05cf51ec090291242f63b1c763722161f0fc0efd91e5b8b2c928eaa4de5635e");
  Sha256Digest k_signing = HmacSha256(AsBytes(k_service), "aws4_request");
  EXPECT_EQ(HexLower(k_signing),
            "7bafc1040cbe2bc529620252d2293cb26e9bcddb3af665a551fed213bab8249e");

  const std::string canonical_request =
      "POST\n/\n\n"
      "content-type:application/x-amz-json-1.0\n"
      "host:localhost:9324\n"
      "x-amz-date:20250115T120000Z\n"
      "x-amz-target:AmazonSQS.SendMessage\n\n"
      "content-type;host;x-amz-date;x-amz-target\n"
      "43d1f5e567974cbacf91e6a4d451776fb9ac733dc39a5dcaf2ae3a1216dddd6e";
  const std::string canonical_hash = Sha256Hex(canonical_request);
  EXPECT_EQ(canonical_hash, "7744b6dbaef4d5ea8b960f2ffb2e6dc908153fd7a0cefd2bdd36e5b3505c68c5");
  const std::string string_to_sign =
      "AWS4-HMAC-SHA256\n20250115T120000Z\n20250115/us-east-1/sqs/aws4_request\n" + canonical_hash;
  EXPECT_EQ(HmacHex(AsBytes(k_signing), string_to_sign),
            "8ea028b1d615618858d4835e003acdb339c0a3ee299882cb7998d4e97db5e5cc");
}

// AWS's published SigV4 test vector "get-vanilla" (security.md §1.12 Example D).
TEST(HmacSha256Test, SigV4GetVanilla) {
  const std::string secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  Sha256Digest key = HmacSha256("AWS4" + secret, "20150830");
  key = HmacSha256(AsBytes(key), "us-east-1");
  key = HmacSha256(AsBytes(key), "service");
  key = HmacSha256(AsBytes(key), "aws4_request");
  const std::string canonical_request =
      "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  const std::string string_to_sign =
      "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n" +
      Sha256Hex(canonical_request);
  EXPECT_EQ(HmacHex(AsBytes(key), string_to_sign),
            "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

}  // namespace
}  // namespace wharf
