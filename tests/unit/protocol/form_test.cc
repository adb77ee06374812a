#include "protocol/form.h"

#include <gtest/gtest.h>

#include <string>

namespace wharf::protocol {
namespace {

TEST(PercentDecodeTest, SpacesAndEscapes) {
  EXPECT_EQ(PercentDecode("hello+world"), "hello world");
  EXPECT_EQ(PercentDecode("hello%20world"), "hello world");
  EXPECT_EQ(PercentDecode("a%2Bb"), "a+b");
  EXPECT_EQ(PercentDecode("a%2bb"), "a+b");
  EXPECT_EQ(PercentDecode("%41%42%43"), "ABC");
  EXPECT_EQ(PercentDecode("100%25"), "100%");
  EXPECT_EQ(PercentDecode("%e2%9c%93"), "\xe2\x9c\x93");
  EXPECT_EQ(PercentDecode("%00"), std::string("\0", 1));
  EXPECT_EQ(PercentDecode("%FF"), "\xff");
  EXPECT_EQ(PercentDecode("http%3A%2F%2Flocalhost%3A9324%2F000000000000%2Fmy-queue"),
            "http://localhost:9324/000000000000/my-queue");
  EXPECT_EQ(PercentDecode(""), "");
  EXPECT_EQ(PercentDecode("plain-._~"), "plain-._~");
}

TEST(PercentDecodeTest, RejectsMalformedEscapes) {
  for (std::string_view text :
       {"%G1", "%1G", "%4", "%", "abc%", "abc%4", "%%41", "%-1", "% 1", "a%zzb", "%4%41"}) {
    EXPECT_EQ(PercentDecode(text), std::nullopt) << "[" << text << "]";
  }
}

// PercentDecode looks for '+' and '%' eight bytes at a time: each is found at every offset.
TEST(PercentDecodeTest, DecodesAtEveryOffsetOfALongValue) {
  const std::string pad(40, 'x');
  for (size_t at = 0; at <= pad.size(); ++at) {
    const std::string before = pad.substr(0, at);
    const std::string after = pad.substr(at);
    EXPECT_EQ(PercentDecode(before + "+" + after), before + " " + after) << at;
    EXPECT_EQ(PercentDecode(before + "%2B" + after), before + "+" + after) << at;
    EXPECT_EQ(PercentDecode(before + "%zz" + after), std::nullopt) << at;
    EXPECT_EQ(PercentDecode(before + "%4"), std::nullopt) << at;
  }
}

TEST(ParseFormTest, PairsInOrder) {
  FormParams params;
  ASSERT_TRUE(ParseForm("Action=SendMessage&MessageBody=hello+world%21&DelaySeconds=5", params));
  EXPECT_EQ(params, (FormParams{{"Action", "SendMessage"},
                                {"MessageBody", "hello world!"},
                                {"DelaySeconds", "5"}}));
}

TEST(ParseFormTest, EmptyPiecesAndOddShapes) {
  FormParams params;
  ASSERT_TRUE(ParseForm("&a=1&&b=2&", params));
  EXPECT_EQ(params, (FormParams{{"a", "1"}, {"b", "2"}}));

  params.clear();
  ASSERT_TRUE(ParseForm("", params));
  EXPECT_TRUE(params.empty());
  ASSERT_TRUE(ParseForm("&&&", params));
  EXPECT_TRUE(params.empty());

  params.clear();
  ASSERT_TRUE(ParseForm("flag&empty=&=v&a=b=c", params));
  EXPECT_EQ(params, (FormParams{{"flag", ""}, {"empty", ""}, {"", "v"}, {"a", "b=c"}}));
}

TEST(ParseFormTest, DecodesNamesAndValues) {
  FormParams params;
  ASSERT_TRUE(ParseForm("Message+Attribute%2E1=%26%3D%2B&x%20y=a%2Bb+c", params));
  EXPECT_EQ(params, (FormParams{{"Message Attribute.1", "&=+"}, {"x y", "a+b c"}}));
}

TEST(ParseFormTest, KeepsRepeatedNamesAndAppends) {
  FormParams params{{"first", "0"}};
  ASSERT_TRUE(ParseForm("a=1&a=2", params));
  EXPECT_EQ(params, (FormParams{{"first", "0"}, {"a", "1"}, {"a", "2"}}));
}

TEST(ParseFormTest, RejectsMalformedEscapes) {
  FormParams params;
  EXPECT_FALSE(ParseForm("a=%G1", params));
  params.clear();
  EXPECT_FALSE(ParseForm("%G1=a", params));
  params.clear();
  EXPECT_FALSE(ParseForm("a=1&b=%4", params));
  params.clear();
  EXPECT_FALSE(ParseForm("a=1&b=%", params));
}

}  // namespace
}  // namespace wharf::protocol
