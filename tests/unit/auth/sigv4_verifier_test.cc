// SigV4 verification against the worked examples of security.md §1.12 (A–D, each cross-checked
// there with botocore and the JS signer) and the error rules of §1.2–1.10.

#include "auth/sigv4_verifier.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <ctime>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace wharf::auth {
namespace {

using api::ErrorCode;
using Headers = std::vector<std::pair<std::string, std::string>>;

constexpr int64_t kExampleTime = 1736942400;  // 2025-01-15T12:00:00Z

// Temporary keys, as the STS service would hand them out.
class SessionStore final : public CredentialStore {
 public:
  void Add(std::string id, std::string secret, std::string token, int64_t expires_at_ms) {
    auto key = std::make_shared<AccessKey>();
    key->access_key_id = id;
    key->secret = std::move(secret);
    key->principal = RootPrincipal("123456789012");
    key->session_token = std::move(token);
    key->expires_at_ms = expires_at_ms;
    keys_[std::move(id)] = std::move(key);
  }
  api::ApiResult<std::shared_ptr<const AccessKey>> Lookup(std::string_view id,
                                                          std::string_view token,
                                                          int64_t now_ms) const override {
    auto it = keys_.find(std::string(id));
    if (it == keys_.end()) return api::Error(ErrorCode::kInvalidClientTokenId);
    return CheckSessionToken(it->second, token, now_ms);
  }

 private:
  std::map<std::string, std::shared_ptr<const AccessKey>> keys_;
};

class SigV4VerifierTest : public ::testing::Test {
 protected:
  SigV4VerifierTest() : chain_({&store_, &sessions_}), verifier_(chain_) {
    store_.AddRootKey("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY",
                      "123456789012");
  }

  api::ApiResult<VerifiedCaller> Verify(std::string_view method, std::string_view path,
                                        std::string_view query, const Headers& headers,
                                        std::string_view body, int64_t now = kExampleTime,
                                        std::string_view service = "sqs") {
    HttpHeaders fields;
    for (const auto& [k, v] : headers) fields.Add(k, v);
    SignedRequest r{method, path, query, &fields, body};
    return verifier_.Verify(r, now, service);
  }

  // Example A of security.md §1.12: SQS SendMessage over JSON.
  Headers ExampleAHeaders(
      std::string signature = "8ea028b1d615618858d4835e003acdb339c0a3ee299882cb7998d4e97db5e5cc") {
    return {{"Host", "localhost:9324"},
            {"Content-Type", "application/x-amz-json-1.0"},
            {"X-Amz-Target", "AmazonSQS.SendMessage"},
            {"X-Amz-Date", "20250115T120000Z"},
            {"Content-Length", "84"},
            {"Authorization",
             "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20250115/us-east-1/sqs/"
             "aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" +
                 signature}};
  }
  static constexpr std::string_view kExampleABody =
      R"({"QueueUrl":"http://localhost:9324/000000000000/orders","MessageBody":"hello world"})";

  StaticCredentialStore store_;
  SessionStore sessions_;
  ChainedCredentialStore chain_;
  SigV4Verifier verifier_;
};

TEST_F(SigV4VerifierTest, ExampleAJsonSendMessage) {
  auto caller = Verify("POST", "/", "", ExampleAHeaders(), kExampleABody);
  ASSERT_TRUE(caller.ok()) << caller.error().message;
  EXPECT_EQ(caller->key->principal.account_id, "123456789012");
  EXPECT_EQ(caller->region, "us-east-1");
}

// The signing key is cached per (key, date, region, service); a new secret for the same access
// key id must not be served from an entry derived from the old one.
TEST_F(SigV4VerifierTest, RotatedSecretIsNotServedFromTheSigningKeyCache) {
  ASSERT_TRUE(Verify("POST", "/", "", ExampleAHeaders(), kExampleABody).ok());
  store_.AddRootKey("AKIAIOSFODNN7EXAMPLE", "a-rotated-secret", "123456789012");
  auto caller = Verify("POST", "/", "", ExampleAHeaders(), kExampleABody);
  ASSERT_FALSE(caller.ok());
  EXPECT_EQ(caller.error().code, ErrorCode::kSignatureDoesNotMatch);
  store_.AddRootKey("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY",
                    "123456789012");
  EXPECT_TRUE(Verify("POST", "/", "", ExampleAHeaders(), kExampleABody).ok());
}

TEST_F(SigV4VerifierTest, ExampleAWithTheJsSignersContentSha256) {
  Headers h = ExampleAHeaders("76d13844a11bb0dd05458b2e0154499ca73145250843af319c9f5953c30d392c");
  h.emplace_back("x-amz-content-sha256",
                 "43d1f5e567974cbacf91e6a4d451776fb9ac733dc39a5dcaf2ae3a1216dddd6e");
  for (auto& [k, v] : h) {
    if (k == "Authorization") {
      v = "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20250115/us-east-1/sqs/aws4_request, "
          "SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-target, "
          "Signature=76d13844a11bb0dd05458b2e0154499ca73145250843af319c9f5953c30d392c";
    }
  }
  auto caller = Verify("POST", "/", "", h, kExampleABody);
  ASSERT_TRUE(caller.ok()) << caller.error().message;
}

TEST_F(SigV4VerifierTest, ExampleBQueryPostWithSessionToken) {
  sessions_.Add("ASIAIOSFODNN7EXAMPLE", "tempSecret/abc+def/0123456789ABCDEFGHIJKL",
                "FwoGZXIvYXdzEJr//////////wEaDE+test/token==", (kExampleTime + 3600) * 1000);
  Headers h = {{"Host", "localhost:9324"},
               {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
               {"X-Amz-Date", "20250115T120000Z"},
               {"X-Amz-Security-Token", "FwoGZXIvYXdzEJr//////////wEaDE+test/token=="},
               {"Authorization",
                "AWS4-HMAC-SHA256 Credential=ASIAIOSFODNN7EXAMPLE/20250115/us-east-1/sts/"
                "aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, "
                "Signature=20728a02446ede3b2bb398b2f74c43454212ed5194ececea1afd95a592013359"}};
  const std::string body = "Action=GetCallerIdentity&Version=2011-06-15";
  auto caller = Verify("POST", "/", "", h, body, kExampleTime, "sts");
  ASSERT_TRUE(caller.ok()) << caller.error().message;
  EXPECT_TRUE(caller->key->temporary());

  // §1.9: the session past its expiry → ExpiredToken (the signature's own window is still fine).
  sessions_.Add("ASIAIOSFODNN7EXAMPLE", "tempSecret/abc+def/0123456789ABCDEFGHIJKL",
                "FwoGZXIvYXdzEJr//////////wEaDE+test/token==", kExampleTime * 1000);
  auto expired = Verify("POST", "/", "", h, body, kExampleTime, "sts");
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.error().code, ErrorCode::kExpiredToken);

  // A temporary key without its token, or with another token → InvalidClientTokenId.
  sessions_.Add("ASIAIOSFODNN7EXAMPLE", "tempSecret/abc+def/0123456789ABCDEFGHIJKL",
                "another-token", (kExampleTime + 3600) * 1000);
  auto wrong = Verify("POST", "/", "", h, body, kExampleTime, "sts");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, ErrorCode::kInvalidClientTokenId);
}

// §1.9 rule 4: a session token sent with a long-term key is refused.
TEST_F(SigV4VerifierTest, SessionTokenWithALongTermKeyIsInvalid) {
  Headers h = ExampleAHeaders();
  h.emplace_back("X-Amz-Security-Token", "some-token");
  auto caller = Verify("POST", "/", "", h, kExampleABody);
  ASSERT_FALSE(caller.ok());
  EXPECT_EQ(caller.error().code, ErrorCode::kInvalidClientTokenId);
}

TEST_F(SigV4VerifierTest, ExampleCPresignedGet) {
  const std::string query =
      "Action=GetQueueAttributes&AttributeName.1=All&Version=2012-11-05&X-Amz-Algorithm=AWS4-"
      "HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20250115%2Fus-east-1%2Fsqs%"
      "2Faws4_request&X-Amz-Date=20250115T120000Z&X-Amz-Expires=300&X-Amz-SignedHeaders=host&"
      "X-Amz-Signature=2ac0321af185e05399c8d11b5b4d9c7160c0b8cd50603f9242ddfa9901d09607";
  Headers h = {{"Host", "localhost:9324"}};
  auto caller = Verify("GET", "/000000000000/orders", query, h, "");
  ASSERT_TRUE(caller.ok()) << caller.error().message;
  // Presigned URLs of non-S3 services last at most 15 minutes, and never beyond X-Amz-Expires.
  EXPECT_TRUE(Verify("GET", "/000000000000/orders", query, h, "", kExampleTime + 300).ok());
  auto late = Verify("GET", "/000000000000/orders", query, h, "", kExampleTime + 301);
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, ErrorCode::kSignatureDoesNotMatch);
  EXPECT_NE(late.error().message.find("Signature expired"), std::string::npos);
  // botocore presigns with POST; the URL fetched with another method must not verify.
  EXPECT_FALSE(Verify("POST", "/000000000000/orders", query, h, "").ok());
}

TEST_F(SigV4VerifierTest, ExampleDGetVanilla) {
  store_.AddRootKey("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "111122223333");
  Headers h = {{"Host", "example.amazonaws.com"},
               {"X-Amz-Date", "20150830T123600Z"},
               {"Authorization",
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
                "SignedHeaders=host;x-amz-date, "
                "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"}};
  const int64_t when = 1440938160;  // 2015-08-30T12:36:00Z
  auto caller = Verify("GET", "/", "", h, "", when, "service");
  ASSERT_TRUE(caller.ok()) << caller.error().message;
}

TEST_F(SigV4VerifierTest, WrongSecretIsSignatureDoesNotMatch) {
  store_ = StaticCredentialStore();
  store_.AddRootKey("AKIAIOSFODNN7EXAMPLE", "not-the-secret", "123456789012");
  auto r = Verify("POST", "/", "", ExampleAHeaders(), kExampleABody);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kSignatureDoesNotMatch);
  EXPECT_EQ(api::InfoOf(r.error().code).http_status, 403);
}

TEST_F(SigV4VerifierTest, TamperedBodyOrHeaderIsRejected) {
  std::string body(kExampleABody);
  body[body.size() - 3] = 'X';
  EXPECT_EQ(Verify("POST", "/", "", ExampleAHeaders(), body).error().code,
            ErrorCode::kSignatureDoesNotMatch);
  Headers h = ExampleAHeaders();
  h[2].second = "AmazonSQS.DeleteQueue";  // a signed header changed
  EXPECT_EQ(Verify("POST", "/", "", h, kExampleABody).error().code,
            ErrorCode::kSignatureDoesNotMatch);
  Headers missing = ExampleAHeaders();
  missing.erase(missing.begin() + 2);  // a signed header removed
  EXPECT_EQ(Verify("POST", "/", "", missing, kExampleABody).error().code,
            ErrorCode::kSignatureDoesNotMatch);
}

TEST_F(SigV4VerifierTest, ContentSha256MustMatchTheBody) {
  Headers h = ExampleAHeaders();
  h.emplace_back("x-amz-content-sha256",
                 "0000000000000000000000000000000000000000000000000000000000000000");
  EXPECT_EQ(Verify("POST", "/", "", h, kExampleABody).error().code,
            ErrorCode::kSignatureDoesNotMatch);
}

TEST_F(SigV4VerifierTest, UnknownKeyIsInvalidClientTokenId) {
  store_ = StaticCredentialStore();
  auto r = Verify("POST", "/", "", ExampleAHeaders(), kExampleABody);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidClientTokenId);
  EXPECT_EQ(api::InfoOf(r.error().code).message,
            "The security token included in the request is invalid.");
}

TEST_F(SigV4VerifierTest, TimeWindowIsFifteenMinutesEachWay) {
  EXPECT_TRUE(Verify("POST", "/", "", ExampleAHeaders(), kExampleABody, kExampleTime + 900).ok());
  EXPECT_TRUE(Verify("POST", "/", "", ExampleAHeaders(), kExampleABody, kExampleTime - 900).ok());
  auto late = Verify("POST", "/", "", ExampleAHeaders(), kExampleABody, kExampleTime + 901);
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, ErrorCode::kSignatureDoesNotMatch);
  EXPECT_EQ(late.error().message,
            "Signature expired: 20250115T120000Z is now earlier than 20250115T120001Z "
            "(20250115T121501Z - 15 min.)");
  auto early = Verify("POST", "/", "", ExampleAHeaders(), kExampleABody, kExampleTime - 901);
  ASSERT_FALSE(early.ok());
  EXPECT_NE(early.error().message.find("Signature not yet current"), std::string::npos);
}

TEST_F(SigV4VerifierTest, MissingCredentialsAndMalformedHeaders) {
  Headers none = {{"Host", "localhost:9324"}};
  EXPECT_EQ(Verify("POST", "/", "", none, "").error().code, ErrorCode::kMissingAuthenticationToken);
  Headers no_date = ExampleAHeaders();
  no_date.erase(no_date.begin() + 3);
  EXPECT_EQ(Verify("POST", "/", "", no_date, kExampleABody).error().code,
            ErrorCode::kIncompleteSignature);
  Headers both = ExampleAHeaders();
  EXPECT_EQ(Verify("POST", "/", "X-Amz-Signature=abc", both, kExampleABody).error().code,
            ErrorCode::kIncompleteSignature);
}

TEST_F(SigV4VerifierTest, ScopeMustNameTheServiceAndMatchTheDate) {
  auto wrong_service =
      Verify("POST", "/", "", ExampleAHeaders(), kExampleABody, kExampleTime, "sns");
  ASSERT_FALSE(wrong_service.ok());
  EXPECT_EQ(wrong_service.error().message,
            "Credential should be scoped to correct service: 'sns'.");
  Headers h = ExampleAHeaders();
  h[3].second = "20250116T120000Z";
  auto wrong_date = Verify("POST", "/", "", h, kExampleABody, kExampleTime + 86400);
  ASSERT_FALSE(wrong_date.ok());
  EXPECT_EQ(wrong_date.error().code, ErrorCode::kSignatureDoesNotMatch);
}

TEST(SigV4CanonicalTest, UriIsNormalisedAndEncodedTwice) {
  EXPECT_EQ(SigV4Verifier::CanonicalUri(""), "/");
  EXPECT_EQ(SigV4Verifier::CanonicalUri("/000000000000/a%20b"), "/000000000000/a%2520b");
  EXPECT_EQ(SigV4Verifier::CanonicalUri("/000000000000/a%20b/../c//d/"), "/000000000000/c/d/");
  EXPECT_EQ(SigV4Verifier::CanonicalUri("/./x/."), "/x");
}

TEST(SigV4CanonicalTest, QueryIsDecodedReencodedAndSorted) {
  EXPECT_EQ(SigV4Verifier::CanonicalQuery("b=2&a=1&k=a+b&e=&x=%2f*", false),
            "a=1&b=2&e=&k=a%20b&x=%2F%2A");
  EXPECT_EQ(SigV4Verifier::CanonicalQuery("X-Amz-Signature=abc&a=1", true), "a=1");
}

TEST(SigV4CanonicalTest, IsoBasicRoundTrips) {
  EXPECT_EQ(IsoBasic(kExampleTime), "20250115T120000Z");
  EXPECT_EQ(ParseIsoBasic("20250115T120000Z"), kExampleTime);
  EXPECT_EQ(ParseIsoBasic("2025-01-15T12:00:00Z"), -1);
  EXPECT_EQ(ParseIsoBasic("20251315T120000Z"), -1);
}

// ParseIsoBasic computes the time itself; it must agree with timegm() on every accepted date,
// including leap days, a day past the month's end and a leap second (both roll over).
TEST(SigV4CanonicalTest, ParseIsoBasicAgreesWithTimegm) {
  for (int year : {1900, 1969, 1970, 1999, 2000, 2024, 2025, 2100, 2400, 9999}) {
    for (int month = 1; month <= 12; ++month) {
      for (int day : {1, 15, 28, 29, 30, 31}) {
        char text[32];
        std::snprintf(text, sizeof text, "%04d%02d%02dT235960Z", year, month, day);
        std::tm tm{};
        tm.tm_year = year - 1900;
        tm.tm_mon = month - 1;
        tm.tm_mday = day;
        tm.tm_hour = 23;
        tm.tm_min = 59;
        tm.tm_sec = 60;
        const auto expected = static_cast<int64_t>(timegm(&tm));
        if (expected >= 253402300800) {  // 10000-01-01T00:00:00Z
          EXPECT_EQ(ParseIsoBasic(text), -1) << text << " rolls over into year 10000";
        } else {
          EXPECT_EQ(ParseIsoBasic(text), expected) << text;
        }
      }
    }
  }
}

// Found by sigv4_fuzz: 9999-12-31T23:59:60 rolled over into year 10000, which IsoBasic writes
// with five digits and ParseIsoBasic then refused. The largest accepted time writes back as itself.
TEST(SigV4CanonicalTest, ParseIsoBasicRefusesRolloverPastYear9999) {
  EXPECT_EQ(ParseIsoBasic("99991231T235960Z"), -1);
  EXPECT_EQ(ParseIsoBasic("99991232T000000Z"), -1);
  const int64_t last = ParseIsoBasic("99991231T235959Z");
  ASSERT_EQ(last, 253402300799);
  EXPECT_EQ(IsoBasic(last), "99991231T235959Z");
  EXPECT_EQ(ParseIsoBasic("99991130T235960Z"), ParseIsoBasic("99991201T000000Z"));
}

}  // namespace
}  // namespace wharf::auth
