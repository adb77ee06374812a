#include "sqs/sse/body_envelope.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

// The SSE-KMS body envelope (security.md §4.6): nonce ‖ ciphertext ‖ tag under a data key, with
// "sqs-body-v1" ‖ queue ARN ‖ message id as authenticated data.

namespace wharf::sqs {
namespace {

constexpr std::string_view kArn = "arn:aws:sqs:us-east-1:000000000000:orders";
constexpr std::string_view kOtherArn = "arn:aws:sqs:us-east-1:000000000000:invoices";
constexpr std::string_view kId = "5fea7756-0ea4-451a-a703-a558b933e274";
constexpr std::string_view kOtherId = "6aeb8867-1fb5-462b-b814-b669c044f385";

kms::DataKeyBytes Key(uint8_t seed) {
  kms::DataKeyBytes key;
  for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<uint8_t>(seed + 7 * i);
  return key;
}

TEST(BodyEnvelopeTest, OpensWhatItSealedAndAddsExactlyNonceAndTag) {
  const std::string body = "{\"order\": 42, \"note\": \"caf\xc3\xa9\"}";
  const std::string sealed = SealBody(Key(1), kArn, kId, body);
  EXPECT_EQ(sealed.size(), body.size() + kBodyEnvelopeOverhead);
  EXPECT_EQ(sealed.find("order"), std::string::npos) << "the body must not appear in clear";
  auto opened = OpenBody(Key(1), kArn, kId, sealed);
  ASSERT_TRUE(opened.has_value());
  EXPECT_EQ(*opened, body);
}

TEST(BodyEnvelopeTest, EmptyAndLargeBodiesRoundTrip) {
  for (size_t size : {size_t{0}, size_t{1}, size_t{1'048'576}}) {
    const std::string body(size, 'x');
    auto opened = OpenBody(Key(2), kArn, kId, SealBody(Key(2), kArn, kId, body));
    ASSERT_TRUE(opened.has_value()) << size;
    EXPECT_EQ(*opened, body);
  }
}

TEST(BodyEnvelopeTest, EverySealUsesAFreshNonce) {
  std::set<std::string> nonces;
  for (int i = 0; i < 100; ++i) {
    nonces.insert(SealBody(Key(3), kArn, kId, "same body").substr(0, kBodyNonceSize));
  }
  EXPECT_EQ(nonces.size(), 100u);
}

TEST(BodyEnvelopeTest, AnyFlippedBitIsRefused) {
  const std::string sealed = SealBody(Key(4), kArn, kId, "hello, world");
  for (size_t i = 0; i < sealed.size(); ++i) {
    for (int bit : {0, 7}) {
      std::string tampered = sealed;
      tampered[i] = static_cast<char>(tampered[i] ^ (1 << bit));
      EXPECT_FALSE(OpenBody(Key(4), kArn, kId, tampered).has_value())
          << "byte " << i << " bit " << bit;
    }
  }
}

TEST(BodyEnvelopeTest, ABodyOpensOnlyForItsQueueAndMessageUnderItsKey) {
  const std::string sealed = SealBody(Key(5), kArn, kId, "payload");
  EXPECT_FALSE(OpenBody(Key(5), kOtherArn, kId, sealed).has_value()) << "moved to another queue";
  EXPECT_FALSE(OpenBody(Key(5), kArn, kOtherId, sealed).has_value())
      << "swapped with another message";
  EXPECT_FALSE(OpenBody(Key(6), kArn, kId, sealed).has_value()) << "another data key";
  EXPECT_TRUE(OpenBody(Key(5), kArn, kId, sealed).has_value());
}

TEST(BodyEnvelopeTest, TruncatedEnvelopesAreRefused) {
  const std::string sealed = SealBody(Key(7), kArn, kId, "abc");
  for (size_t n = 0; n < sealed.size(); ++n) {
    EXPECT_FALSE(OpenBody(Key(7), kArn, kId, sealed.substr(0, n)).has_value()) << n;
  }
  EXPECT_FALSE(OpenBody(Key(7), kArn, kId, sealed + "x").has_value());
}

TEST(BodyEnvelopeTest, WipeKeyZeroesTheKey) {
  kms::DataKeyBytes key = Key(8);
  WipeKey(key);
  EXPECT_EQ(key, kms::DataKeyBytes{});
}

}  // namespace
}  // namespace wharf::sqs
