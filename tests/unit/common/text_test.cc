#include "common/text.h"

#include <gtest/gtest.h>

#include <cstring>
#include <limits>
#include <string>
#include <vector>

namespace wharf {
namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

TEST(ParseInt64Test, AcceptsPlainDecimals) {
  EXPECT_EQ(ParseInt64("0"), 0);
  EXPECT_EQ(ParseInt64("5"), 5);
  EXPECT_EQ(ParseInt64("-5"), -5);
  EXPECT_EQ(ParseInt64("-0"), 0);
  EXPECT_EQ(ParseInt64("05"), 5);
  EXPECT_EQ(ParseInt64("0000000000000000000000042"), 42);
  EXPECT_EQ(ParseInt64("1250800"), 1250800);
  EXPECT_EQ(ParseInt64("43200"), 43200);
}

TEST(ParseInt64Test, Limits) {
  EXPECT_EQ(ParseInt64("9223372036854775807"), kMax);
  EXPECT_EQ(ParseInt64("-9223372036854775808"), kMin);
  EXPECT_EQ(ParseInt64("-9223372036854775807"), kMin + 1);
  EXPECT_EQ(ParseInt64("9223372036854775806"), kMax - 1);
}

TEST(ParseInt64Test, RejectsOverflow) {
  EXPECT_EQ(ParseInt64("9223372036854775808"), std::nullopt);
  EXPECT_EQ(ParseInt64("9223372036854775810"), std::nullopt);
  EXPECT_EQ(ParseInt64("-9223372036854775809"), std::nullopt);
  EXPECT_EQ(ParseInt64("18446744073709551615"), std::nullopt);
  EXPECT_EQ(ParseInt64("18446744073709551616"), std::nullopt);  // wraps to 0 in 64 bits
  EXPECT_EQ(ParseInt64("99999999999999999999"), std::nullopt);
  EXPECT_EQ(ParseInt64("92233720368547758070"), std::nullopt);
}

TEST(ParseInt64Test, RejectsNonDecimals) {
  const std::vector<std::string> bad = {
      "",     "-",     "+",    "+5",  "--5",
      "-+5",  " 5",    "5 ",   "5.0", "1e3",
      "0x10", "5-",    "five", "٣",   std::string("5\0", 2),
      "\t5",  "1_000",
  };
  for (const std::string& text : bad)
    EXPECT_EQ(ParseInt64(text), std::nullopt) << "[" << text << "]";
}

TEST(EqualsIgnoreCaseTest, FoldsOnlyAsciiLetters) {
  EXPECT_TRUE(EqualsIgnoreCase("SendMessage", "sendmessage"));
  EXPECT_TRUE(EqualsIgnoreCase("TRUE", "true"));
  EXPECT_TRUE(EqualsIgnoreCase("", ""));
  EXPECT_FALSE(EqualsIgnoreCase("true", "tru"));
  EXPECT_FALSE(EqualsIgnoreCase("true", "truee"));
  EXPECT_FALSE(EqualsIgnoreCase("true", "fals"));
  // Characters 32 apart that are not letters must not be folded.
  EXPECT_FALSE(EqualsIgnoreCase("[", "{"));
  EXPECT_FALSE(EqualsIgnoreCase("@", "`"));
  EXPECT_FALSE(EqualsIgnoreCase("^", "~"));
  EXPECT_FALSE(EqualsIgnoreCase("\xc3\x89", "\xc3\xa9"));  // É vs é: no Unicode folding
}

TEST(StartsWithIgnoreCaseTest, Prefixes) {
  EXPECT_TRUE(StartsWithIgnoreCase("Application/X-WWW-Form-Urlencoded; charset=utf-8",
                                   "application/x-www-form-urlencoded"));
  EXPECT_TRUE(StartsWithIgnoreCase("abc", ""));
  EXPECT_FALSE(StartsWithIgnoreCase("ab", "abc"));
  EXPECT_FALSE(StartsWithIgnoreCase("xabc", "abc"));
}

TEST(NextCodePointTest, DecodesAndAdvances) {
  const std::string text = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";  // a é € 😀
  size_t pos = 0;
  EXPECT_EQ(NextCodePoint(text, pos), 0x61);
  EXPECT_EQ(pos, 1u);
  EXPECT_EQ(NextCodePoint(text, pos), 0xE9);
  EXPECT_EQ(pos, 3u);
  EXPECT_EQ(NextCodePoint(text, pos), 0x20AC);
  EXPECT_EQ(pos, 6u);
  EXPECT_EQ(NextCodePoint(text, pos), 0x1F600);
  EXPECT_EQ(pos, 10u);
}

TEST(NextCodePointTest, InvalidSequences) {
  const std::vector<std::string> bad = {
      "\x80",              // continuation byte as lead
      "\xc0\xaf",          // overlong '/'
      "\xc1\xbf",          // overlong
      "\xe0\x80\xaf",      // overlong, 3 bytes
      "\xf0\x80\x80\xaf",  // overlong, 4 bytes
      "\xed\xa0\x80",      // U+D800, a surrogate
      "\xed\xbf\xbf",      // U+DFFF
      "\xf4\x90\x80\x80",  // U+110000
      "\xf5\x80\x80\x80",  // lead byte beyond U+10FFFF
      "\xf8\x88\x80\x80\x80",
      "\xff",
      "\xc3",          // truncated
      "\xe2\x82",      // truncated
      "\xf0\x9f\x98",  // truncated
      "\xc3\x28",      // bad continuation
      "\xe2\x28\xa1",  // bad continuation
  };
  for (const std::string& text : bad) {
    size_t pos = 0;
    EXPECT_EQ(NextCodePoint(text, pos), -1) << testing::PrintToString(text);
  }
}

TEST(IsValidMessageTextTest, AcceptsAllowedCharacters) {
  EXPECT_TRUE(IsValidMessageText(""));
  EXPECT_TRUE(IsValidMessageText("hello world"));
  EXPECT_TRUE(IsValidMessageText("tab\there\nnewline\rcr"));
  EXPECT_TRUE(IsValidMessageText("\x7f"));                       // DEL is in #x20-#xD7FF
  EXPECT_TRUE(IsValidMessageText("\xc2\x85"));                   // U+0085
  EXPECT_TRUE(IsValidMessageText("h\xc3\xa9llo \xe2\x9c\x93"));  // héllo ✓
  EXPECT_TRUE(IsValidMessageText("\xed\x9f\xbf"));               // U+D7FF
  EXPECT_TRUE(IsValidMessageText("\xee\x80\x80"));               // U+E000
  EXPECT_TRUE(IsValidMessageText("\xef\xbf\xbd"));               // U+FFFD
  EXPECT_TRUE(IsValidMessageText("\xf0\x90\x80\x80"));           // U+10000
  EXPECT_TRUE(IsValidMessageText("\xf4\x8f\xbf\xbf"));           // U+10FFFF
  EXPECT_TRUE(IsValidMessageText("emoji \xf0\x9f\x98\x80!"));    // 😀
}

TEST(IsValidMessageTextTest, RejectsForbiddenCharacters) {
  const std::vector<std::string> bad = {
      std::string("\0", 1),        // U+0000
      std::string("ok\0ok", 5),    // U+0000 inside
      "\x08",                      // U+0008
      "\x01",                      // U+0001
      "\x0b",                      // vertical tab
      "\x0c",                      // form feed
      "\x1f",                      // U+001F
      "\xef\xbf\xbe",              // U+FFFE
      "\xef\xbf\xbf",              // U+FFFF
      "abc\xef\xbf\xbf",           // U+FFFF at the end
      "\xed\xa0\x80",              // lone high surrogate encoded in UTF-8
      "\xed\xb0\x80",              // lone low surrogate
      "\xed\xa0\xbd\xed\xb8\x80",  // CESU-8 surrogate pair
      "\xc0\xaf",                  // overlong
      "ok\xc0\xafok",              // overlong inside
      "\xe0\x80\xaf",              // overlong
      "\xe2\x82",                  // truncated
      "abc\xf0\x9f\x98",           // truncated at the end
      "\xc3",                      // truncated
      "\x80",                      // stray continuation
      "\xf4\x90\x80\x80",          // > U+10FFFF
      "\xfe",
      "\xff",
  };
  for (const std::string& text : bad) {
    EXPECT_FALSE(IsValidMessageText(text)) << testing::PrintToString(text);
  }
}

// IsValidMessageText skips printable ASCII eight bytes at a time: a forbidden byte must be found
// at every offset of a long body, and every allowed one must pass there too.
TEST(IsValidMessageTextTest, ChecksEveryOffsetOfALongText) {
  for (size_t at = 0; at < 40; ++at) {
    for (int byte = 0; byte < 0x80; ++byte) {
      std::string text(40, 'x');
      text[at] = static_cast<char>(byte);
      const bool allowed = byte >= 0x20 || byte == '\t' || byte == '\n' || byte == '\r';
      EXPECT_EQ(IsValidMessageText(text), allowed) << "byte " << byte << " at " << at;
    }
    std::string text(40, 'x');
    text.replace(at, 1, "\xc3");  // truncated two-byte sequence
    EXPECT_FALSE(IsValidMessageText(text)) << at;
    text.replace(at, 1, "\xc3\xa9");  // é
    EXPECT_TRUE(IsValidMessageText(text)) << at;
  }
}

TEST(WordAtATimeTest, HasByteAndAllPrintableAscii) {
  auto word = [](std::string_view eight) {
    uint64_t w;
    std::memcpy(&w, eight.data(), sizeof(w));
    return w;
  };
  EXPECT_FALSE(HasByte(word("abcdefgh"), '"'));
  for (size_t at = 0; at < 8; ++at) {
    std::string text(8, 'a');
    text[at] = '"';
    EXPECT_TRUE(HasByte(word(text), '"')) << at;
    EXPECT_FALSE(AllPrintableAscii(word(std::string(text).replace(at, 1, "\x1f")))) << at;
    EXPECT_FALSE(AllPrintableAscii(word(std::string(text).replace(at, 1, "\x80")))) << at;
    EXPECT_TRUE(AllPrintableAscii(word(std::string(text).replace(at, 1, "\x7f")))) << at;
    EXPECT_TRUE(AllPrintableAscii(word(std::string(text).replace(at, 1, " ")))) << at;
  }
}

TEST(CodePointCountTest, CountsCodePoints) {
  EXPECT_EQ(CodePointCount(""), 0u);
  EXPECT_EQ(CodePointCount("hello"), 5u);
  EXPECT_EQ(CodePointCount("h\xc3\xa9llo \xe2\x9c\x93"), 7u);
  EXPECT_EQ(CodePointCount("\xf0\x9f\x98\x80"), 1u);
}

}  // namespace
}  // namespace wharf
