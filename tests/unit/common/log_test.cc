// The log's line formats: text and JSON lines, escaping that keeps one event on one line and
// its fields unforgeable, level gating, and redaction.

#include "common/log.h"

#include <gtest/gtest.h>

#include <regex>

namespace wharf::log {
namespace {

class LogTest : public ::testing::Test {
 protected:
  void TearDown() override {
    SetLevel(Level::kInfo);
    SetFormat(Format::kText);
  }
};

TEST_F(LogTest, TextLinesAreTimestampLevelEventThenFields) {
  SetFormat(Format::kText);
  Line line(Level::kInfo, "request");
  line.Str("action", "SendMessage").Int("status", 200).Bool("ok", true);
  EXPECT_TRUE(std::regex_match(line.text(),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO request )"
                                          R"(action=SendMessage status=200 ok=true)")))
      << line.text();
}

TEST_F(LogTest, TextValuesThatCouldForgeAFieldOrALineAreQuoted) {
  SetFormat(Format::kText);
  Line line(Level::kWarn, "x");
  line.Str("a", "two words").Str("b", "k=v").Str("c", "line\nbreak").Str("d", "").Str("e", "q\"");
  const std::string& t = line.text();
  EXPECT_NE(t.find(R"(a="two words")"), std::string::npos) << t;
  EXPECT_NE(t.find(R"(b="k=v")"), std::string::npos) << t;
  EXPECT_NE(t.find(R"(c="line\nbreak")"), std::string::npos) << t;
  EXPECT_NE(t.find(R"(d="")"), std::string::npos) << t;
  EXPECT_NE(t.find(R"(e="q\"")"), std::string::npos) << t;
  EXPECT_EQ(t.find('\n'), std::string::npos);
}

TEST_F(LogTest, JsonLinesAreOneObjectWithEscapedStrings) {
  SetFormat(Format::kJson);
  std::string text;
  {
    Line line(Level::kError, "sns_delivery");
    line.Str("detail", "a \"quoted\" \\ and \x01 control\n").Int("n", -5);
    text = line.text() + "}";  // the closing brace is added when the line is written
  }
  EXPECT_TRUE(std::regex_match(
      text, std::regex(R"(\{"ts":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z","level":"error",)"
                       R"("event":"sns_delivery","detail":"a \\"quoted\\" \\\\ and \\u0001 )"
                       R"(control\\n","n":-5\})")))
      << text;
}

TEST_F(LogTest, LinesBelowTheLevelAreNotFormatted) {
  SetLevel(Level::kWarn);
  Line info(Level::kInfo, "quiet");
  info.Str("k", "v");
  EXPECT_TRUE(info.text().empty());
  EXPECT_FALSE(Enabled(Level::kDebug));
  EXPECT_TRUE(Enabled(Level::kError));
  SetLevel(Level::kOff);
  EXPECT_FALSE(Enabled(Level::kError));
}

TEST_F(LogTest, LevelsAndFormatsParse) {
  EXPECT_EQ(ParseLevel("debug"), Level::kDebug);
  EXPECT_EQ(ParseLevel("warning"), Level::kWarn);
  EXPECT_EQ(ParseLevel("off"), Level::kOff);
  EXPECT_FALSE(ParseLevel("DEBUG"));
  EXPECT_FALSE(ParseLevel("verbose"));
  EXPECT_EQ(LevelName(Level::kTrace), "trace");
  EXPECT_EQ(ParseFormat("json"), Format::kJson);
  EXPECT_FALSE(ParseFormat("xml"));
}

TEST_F(LogTest, RedactedShowsOnlyAPrefixAndTheLength) {
  EXPECT_EQ(Redacted("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"), "wJal…(40)");
  EXPECT_EQ(Redacted("ab"), "ab…(2)");
}

}  // namespace
}  // namespace wharf::log
