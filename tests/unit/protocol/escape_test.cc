#include "protocol/escape.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "common/text.h"

namespace wharf::protocol {
namespace {

constexpr std::string_view kFffd = "\xef\xbf\xbd";

std::string Xml(std::string_view text) {
  std::string out;
  AppendXmlEscaped(out, text);
  return out;
}
std::string Json(std::string_view text) {
  std::string out;
  AppendJsonEscaped(out, text);
  return out;
}

TEST(XmlEscapeTest, MarkupCharacters) {
  EXPECT_EQ(Xml("a & b < c > d \"e\" 'f'"), "a &amp; b &lt; c &gt; d &quot;e&quot; 'f'");
  EXPECT_EQ(Xml("&amp;"), "&amp;amp;");
  EXPECT_EQ(Xml(""), "");
}

TEST(XmlEscapeTest, CarriageReturnIsACharacterReference) {
  // sqs-api.md §1.3.4: the body a\r\nb "q" & <x>.
  EXPECT_EQ(Xml("a\r\nb \"q\" & <x>"), "a&#xD;\nb &quot;q&quot; &amp; &lt;x&gt;");
  EXPECT_EQ(Xml("\r\r"), "&#xD;&#xD;");
}

TEST(XmlEscapeTest, KeepsAllowedCharactersAsUtf8) {
  EXPECT_EQ(Xml("tab\there\nnewline"), "tab\there\nnewline");
  EXPECT_EQ(Xml("h\xc3\xa9llo \xe2\x9c\x93"), "h\xc3\xa9llo \xe2\x9c\x93");
  EXPECT_EQ(Xml("\xf0\x9f\x98\x80"), "\xf0\x9f\x98\x80");  // non-BMP
  EXPECT_EQ(Xml("\xf4\x8f\xbf\xbf"), "\xf4\x8f\xbf\xbf");  // U+10FFFF
  EXPECT_EQ(Xml("\xef\xbf\xbd"), "\xef\xbf\xbd");          // U+FFFD itself
  EXPECT_EQ(Xml("\x7f"), "\x7f");
}

TEST(XmlEscapeTest, ReplacesCharactersXmlCannotCarry) {
  EXPECT_EQ(Xml(std::string("a\0b", 3)), "a" + std::string(kFffd) + "b");
  EXPECT_EQ(Xml("a\x01"
                "b"),
            "a" + std::string(kFffd) + "b");
  EXPECT_EQ(Xml("\x08"), kFffd);
  EXPECT_EQ(Xml("\x1f"), kFffd);
  EXPECT_EQ(Xml("\xef\xbf\xbe"), kFffd);  // U+FFFE
  EXPECT_EQ(Xml("\xef\xbf\xbf"), kFffd);  // U+FFFF
}

TEST(XmlEscapeTest, InvalidUtf8BecomesReplacementCharacters) {
  EXPECT_EQ(Xml("a\xff"
                "b"),
            "a" + std::string(kFffd) + "b");
  EXPECT_EQ(Xml("\x80"), kFffd);
  for (std::string_view bad :
       {"\xc0\xaf", "\xed\xa0\x80", "\xe2\x82", "\xf0\x9f\x98", "\xf4\x90\x80\x80", "\xc3"}) {
    std::string out = Xml("<" + std::string(bad) + ">");
    EXPECT_TRUE(IsValidMessageText(out)) << testing::PrintToString(out);
    EXPECT_EQ(out.substr(0, 4), "&lt;");
    EXPECT_EQ(out.substr(out.size() - 4), "&gt;");
    EXPECT_NE(out.find(kFffd), std::string::npos);
  }
  // Truncated at the very end of the input: no read past it (ASan), still well-formed.
  std::string out = Xml("abc\xe2\x82");
  EXPECT_EQ(out.substr(0, 3), "abc");
  EXPECT_TRUE(IsValidMessageText(out));
}

TEST(XmlEscapeTest, Appends) {
  std::string out = "<Body>";
  AppendXmlEscaped(out, "1 < 2");
  out += "</Body>";
  EXPECT_EQ(out, "<Body>1 &lt; 2</Body>");
}

TEST(JsonEscapeTest, QuotesBackslashesAndControls) {
  EXPECT_EQ(Json("say \"hi\" \\ bye"), "say \\\"hi\\\" \\\\ bye");
  EXPECT_EQ(Json("a\nb\rc\td"), "a\\nb\\rc\\td");
  EXPECT_EQ(Json(std::string("\0", 1)), "\\u0000");
  EXPECT_EQ(Json("\x01\x08\x0b\x0c\x1f"), "\\u0001\\u0008\\u000b\\u000c\\u001f");
  EXPECT_EQ(Json("\x7f / < > & '"), "\x7f / < > & '");
  EXPECT_EQ(Json(""), "");
}

TEST(JsonEscapeTest, KeepsValidUtf8) {
  EXPECT_EQ(Json("h\xc3\xa9llo \xe2\x9c\x93"), "h\xc3\xa9llo \xe2\x9c\x93");
  EXPECT_EQ(Json("\xf0\x9f\x98\x80"), "\xf0\x9f\x98\x80");
  EXPECT_EQ(Json("\xef\xbf\xbf"), "\xef\xbf\xbf");  // a noncharacter, but JSON can carry it
}

TEST(JsonEscapeTest, InvalidUtf8BecomesReplacementCharacters) {
  EXPECT_EQ(Json("a\xff"
                 "b"),
            "a" + std::string(kFffd) + "b");
  for (std::string_view bad :
       {"\xc0\xaf", "\xed\xa0\x80", "\xe2\x82", "\xf0\x9f\x98", "\xf4\x90\x80\x80", "\x80"}) {
    std::string out = Json("[" + std::string(bad) + "]");
    EXPECT_EQ(out.front(), '[');
    EXPECT_EQ(out.back(), ']');
    EXPECT_TRUE(IsValidMessageText(out)) << testing::PrintToString(out);
    EXPECT_NE(out.find(kFffd), std::string::npos);
  }
}

// Both escapers skip plain text eight bytes at a time: each character they must escape is found
// at every offset of a long string.
TEST(EscapeTest, FindsSpecialCharactersAtEveryOffset) {
  const std::string pad(40, 'x');
  for (size_t at = 0; at <= pad.size(); ++at) {
    const std::string before = pad.substr(0, at);
    const std::string after = pad.substr(at);
    for (auto [in, json] : {std::pair<std::string_view, std::string_view>{"\"", "\\\""},
                            {"\\", "\\\\"},
                            {"\n", "\\n"},
                            {"\x01", "\\u0001"},
                            {"\xff", kFffd},
                            {"\xc3\xa9", "\xc3\xa9"}}) {
      EXPECT_EQ(Json(before + std::string(in) + after), before + std::string(json) + after)
          << testing::PrintToString(in) << " at " << at;
    }
    for (auto [in, xml] : {std::pair<std::string_view, std::string_view>{"&", "&amp;"},
                           {"<", "&lt;"},
                           {">", "&gt;"},
                           {"\"", "&quot;"},
                           {"\r", "&#xD;"},
                           {"\x01", kFffd},
                           {"\xc3\xa9", "\xc3\xa9"}}) {
      EXPECT_EQ(Xml(before + std::string(in) + after), before + std::string(xml) + after)
          << testing::PrintToString(in) << " at " << at;
    }
  }
}

}  // namespace
}  // namespace wharf::protocol
