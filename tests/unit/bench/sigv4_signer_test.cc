#include "bench/sigv4_signer.h"

#include <gtest/gtest.h>

#include <string>

namespace wharf::bench {
namespace {

constexpr std::string_view kEmptyHash =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

std::string Hex(const Sha256Digest& d) {
  std::string out;
  AppendHex(out, d.data(), d.size());
  return out;
}

// security.md §1.12 Example D: AWS's published SigV4 test vector "get-vanilla".
TEST(SigV4SignerTest, GetVanilla) {
  SigV4Signer signer("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "us-east-1",
                     "service");
  const std::string_view authorization =
      signer.Sign("GET", "/", "", "host:example.amazonaws.com\nx-amz-date:20150830T123600Z\n",
                  "host;x-amz-date", kEmptyHash, "20150830T123600Z");
  EXPECT_EQ(signer.canonical_request(),
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
            "host;x-amz-date\n" +
                std::string(kEmptyHash));
  EXPECT_EQ(authorization,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=host;x-amz-date, "
            "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

// security.md §1.12 Example A: SQS SendMessage over JSON, with the key derivation.
TEST(SigV4SignerTest, SqsJsonSendMessage) {
  SigV4Signer signer("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY",
                     "us-east-1", "sqs");
  EXPECT_EQ(Hex(signer.SigningKey("20250115")),
            "7bafc1040cbe2bc529620252d2293cb26e9bcddb3af665a551fed213bab8249e");
  const std::string body =
      R"({"QueueUrl":"http://localhost:9324/000000000000/orders","MessageBody":"hello world"})";
  const std::string payload = Hex(Sha256Of(body));
  EXPECT_EQ(payload, "43d1f5e567974cbacf91e6a4d451776fb9ac733dc39a5dcaf2ae3a1216dddd6e");
  const std::string_view authorization =
      signer.Sign("POST", "/", "",
                  "content-type:application/x-amz-json-1.0\nhost:localhost:9324\n"
                  "x-amz-date:20250115T120000Z\nx-amz-target:AmazonSQS.SendMessage\n",
                  "content-type;host;x-amz-date;x-amz-target", payload, "20250115T120000Z");
  EXPECT_EQ(signer.string_to_sign(),
            "AWS4-HMAC-SHA256\n20250115T120000Z\n20250115/us-east-1/sqs/aws4_request\n"
            "7744b6dbaef4d5ea8b960f2ffb2e6dc908153fd7a0cefd2bdd36e5b3505c68c5");
  EXPECT_EQ(authorization,
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20250115/us-east-1/sqs/aws4_request, "
            "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
            "Signature=8ea028b1d615618858d4835e003acdb339c0a3ee299882cb7998d4e97db5e5cc");
}

TEST(SigV4SignerTest, SigningKeyFollowsTheDay) {
  SigV4Signer signer("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY",
                     "us-east-1", "sqs");
  const std::string day1 = Hex(signer.SigningKey("20250115"));
  const std::string day2 = Hex(signer.SigningKey("20250116"));
  EXPECT_NE(day1, day2);
  EXPECT_EQ(Hex(signer.SigningKey("20250115")), day1);
}

TEST(AmzDateTest, FormatsBasicIso8601) {
  const auto text = AmzDate::Format(1440938160);  // 2015-08-30 12:36:00 UTC
  EXPECT_EQ(std::string_view(text.data(), text.size()), "20150830T123600Z");
  AmzDate date;
  EXPECT_EQ(date.Now().size(), 16u);
  EXPECT_EQ(date.Now().back(), 'Z');
}

}  // namespace
}  // namespace wharf::bench
