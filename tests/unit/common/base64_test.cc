#include "common/base64.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace wharf {
namespace {

// RFC 4648 §10 test vectors.
const std::vector<std::pair<std::string, std::string>> kRfc4648 = {
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"},
};

TEST(Base64Test, EncodesRfc4648Vectors) {
  for (const auto& [plain, encoded] : kRfc4648) {
    EXPECT_EQ(Base64Encode(plain), encoded) << "plain=" << plain;
  }
}

TEST(Base64Test, DecodesRfc4648Vectors) {
  for (const auto& [plain, encoded] : kRfc4648) {
    EXPECT_EQ(Base64Decode(encoded), plain) << "encoded=" << encoded;
  }
}

TEST(Base64Test, DecodesUnpadded) {
  EXPECT_EQ(Base64Decode("Zg"), "f");
  EXPECT_EQ(Base64Decode("Zm8"), "fo");
  EXPECT_EQ(Base64Decode("Zm9vYg"), "foob");
  EXPECT_EQ(Base64Decode("Zm9vYmE"), "fooba");
}

TEST(Base64Test, UsesStandardAlphabetWithPlusAndSlash) {
  EXPECT_EQ(Base64Encode("\xfb\xff\xbf"), "+/+/");
  EXPECT_EQ(Base64Decode("+/+/"), "\xfb\xff\xbf");
  EXPECT_EQ(Base64Encode(std::string("\x00\x01\x02", 3)), "AAEC");
  EXPECT_EQ(Base64Decode("AQID"), "\x01\x02\x03");
}

TEST(Base64Test, RoundTripsEveryByteValueAndLength) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (size_t len = 0; len <= all.size(); ++len) {
    std::string bytes = all.substr(all.size() - len);
    std::string encoded = Base64Encode(bytes);
    EXPECT_EQ(encoded.size() % 4, 0u);
    EXPECT_EQ(encoded.size(), (len + 2) / 3 * 4);
    auto decoded = Base64Decode(encoded);
    ASSERT_TRUE(decoded.has_value()) << "len=" << len;
    EXPECT_EQ(*decoded, bytes) << "len=" << len;
  }
}

TEST(Base64Test, RejectsInvalidInput) {
  const std::vector<std::string> invalid = {
      "Z",            // a single leftover character carries fewer than 8 bits
      "Zm9vY",        // same after a full quantum
      "Zg=",          // wrong amount of padding
      "Zm9v=",        // padding after a full quantum
      "Zm9v==",       // ditto
      "Zg===",        // too much padding
      "Zm9v====",     // ditto
      "=",            // padding only
      "==",           // ditto
      "====",         // ditto
      "Zm=v",         // padding in the middle
      "Zg==Zg==",     // two padded quanta concatenated
      "Zm 9v",        // whitespace is not allowed
      "Zm9v\n",       // ditto
      "Zm9v\r\n",     // ditto
      "Zm-v",         // URL-safe alphabet is not standard base64
      "Zm_v",         // ditto
      "Zm9\xc3\xa9",  // non-ASCII
      std::string("Zm\0v", 4),
  };
  for (const std::string& text : invalid) {
    EXPECT_EQ(Base64Decode(text), std::nullopt) << "text=" << text;
  }
}

}  // namespace
}  // namespace wharf
