// `wharf --version`: the release, the commit, how it was built and the library versions.

#include "server/version.h"

#include <gtest/gtest.h>

#include <regex>

namespace wharf::server {
namespace {

TEST(VersionTextTest, NamesReleaseCommitBuildAndLibraries) {
  const std::string text = VersionText("0123456789ab-dirty");
  EXPECT_TRUE(std::regex_search(
      text, std::regex(R"(^wharf \d+\.\d+\.\d+ \(commit 0123456789ab-dirty\)\n)")))
      << text;
  EXPECT_TRUE(std::regex_search(text, std::regex(R"(\nbuild: \w+, (GCC|clang) [^\n]*\n)"))) << text;
  EXPECT_TRUE(std::regex_search(
      text, std::regex(R"(\nlibraries: RocksDB \d+\.\d+\.\d+, Boost \d+\.\d+\.\d+, OpenSSL \d)")))
      << text;
}

TEST(VersionTextTest, SanitizerBuildsSayTheyAreNotForProduction) {
  const std::string text = VersionText("x");
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  EXPECT_NE(text.find("(not for production)"), std::string::npos) << text;
#else
  EXPECT_EQ(text.find("not for production"), std::string::npos) << text;
#endif
}

}  // namespace
}  // namespace wharf::server
