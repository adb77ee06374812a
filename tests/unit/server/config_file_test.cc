// [[accounts]] in wharf.toml: what is accepted, and that every mistake is named.

#include "server/config_file.h"

#include <gtest/gtest.h>

namespace wharf::server {
namespace {

Result<std::vector<AccountConfig>, std::string> ParseAccounts(std::string_view text,
                                                              const std::string& source) {
  auto config = ParseConfigFile(text, source);
  if (!config.ok()) return std::move(config).error();
  return std::move(config->accounts);
}

Result<std::vector<AccountConfig>, std::string> LoadAccounts(const std::string& path) {
  auto config = LoadConfigFile(path);
  if (!config.ok()) return std::move(config).error();
  return std::move(config->accounts);
}

TEST(ConfigFileTest, ReadsEveryAccount) {
  auto accounts = ParseAccounts(R"(
[[accounts]]
id = "111122223333"
access_key_id = "AKIAACCOUNTB"
secret_access_key = "secret-b"

[[accounts]]
id = "444455556666"
access_key_id = "AKIAACCOUNTC"
secret_access_key = "secret/c+d"
)",
                                "wharf.toml");
  ASSERT_TRUE(accounts.ok()) << accounts.error();
  ASSERT_EQ(accounts->size(), 2u);
  EXPECT_EQ((*accounts)[0].id, "111122223333");
  EXPECT_EQ((*accounts)[0].access_key_id, "AKIAACCOUNTB");
  EXPECT_EQ((*accounts)[1].secret_access_key, "secret/c+d");
}

TEST(ConfigFileTest, EmptyFileMeansNoFurtherAccounts) {
  auto accounts = ParseAccounts("# nothing yet\n", "wharf.toml");
  ASSERT_TRUE(accounts.ok()) << accounts.error();
  EXPECT_TRUE(accounts->empty());
}

struct BadCase {
  const char* name;
  const char* toml;
  const char* message;  // expected substring of the error
};

class ConfigFileErrorTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(ConfigFileErrorTest, IsRefusedWithAMessageNamingTheProblem) {
  auto accounts = ParseAccounts(GetParam().toml, "wharf.toml");
  ASSERT_FALSE(accounts.ok());
  EXPECT_NE(accounts.error().find(GetParam().message), std::string::npos) << accounts.error();
  EXPECT_EQ(accounts.error().rfind("wharf.toml", 0), 0u) << accounts.error();
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ConfigFileErrorTest,
    ::testing::Values(
        BadCase{"Syntax", "[[accounts]\nid = 1", "wharf.toml:1"},
        BadCase{"UnknownTopLevel", "regoin = \"eu-west-1\"\n", "unknown setting 'regoin'"},
        BadCase{"NotAnArray", "[accounts]\nid = \"111122223333\"\n", "array of tables"},
        BadCase{"ShortId",
                "[[accounts]]\nid = \"1234\"\naccess_key_id = \"K\"\nsecret_access_key = \"s\"\n",
                "'id' must be 12 digits"},
        BadCase{"NumericId",
                "[[accounts]]\nid = 111122223333\naccess_key_id = \"K\"\nsecret_access_key = "
                "\"s\"\n",
                "'id' must be a string"},
        BadCase{"BadKeyId",
                "[[accounts]]\nid = \"111122223333\"\naccess_key_id = \"K-1\"\n"
                "secret_access_key = \"s\"\n",
                "'access_key_id' must be"},
        BadCase{"MissingSecret", "[[accounts]]\nid = \"111122223333\"\naccess_key_id = \"K\"\n",
                "'secret_access_key' is missing"},
        BadCase{"UnknownKey",
                "[[accounts]]\nid = \"111122223333\"\naccess_key_id = \"K\"\n"
                "secret_access_key = \"s\"\nsecret = \"x\"\n",
                "unknown key 'secret'"},
        BadCase{"DuplicateAccount",
                "[[accounts]]\nid = \"111122223333\"\naccess_key_id = \"K1\"\n"
                "secret_access_key = \"s\"\n[[accounts]]\nid = \"111122223333\"\n"
                "access_key_id = \"K2\"\nsecret_access_key = \"s\"\n",
                "account 111122223333 twice"},
        BadCase{"DuplicateKey",
                "[[accounts]]\nid = \"111122223333\"\naccess_key_id = \"K1\"\n"
                "secret_access_key = \"s\"\n[[accounts]]\nid = \"444455556666\"\n"
                "access_key_id = \"K1\"\nsecret_access_key = \"s\"\n",
                "access key K1 twice"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(ConfigFileTest, WorkloadCredentialsBindTokensToRoles) {
  auto config = ParseConfigFile(R"(
[[workload_credentials]]
token = "0123456789abcdef0123"
role_arn = "arn:aws:iam::000000000000:role/producer"

[[workload_credentials]]
token = "fedcba9876543210fedc"
role_arn = "arn:aws:iam::000000000000:role/team/consumer"
duration_seconds = 900
)",
                                "wharf.toml");
  ASSERT_TRUE(config.ok()) << config.error();
  ASSERT_EQ(config->workloads.size(), 2u);
  EXPECT_EQ(config->workloads[0].role_arn, "arn:aws:iam::000000000000:role/producer");
  EXPECT_EQ(config->workloads[0].duration_seconds, 3600);
  EXPECT_EQ(config->workloads[1].duration_seconds, 900);
  EXPECT_TRUE(config->accounts.empty());
}

TEST(ConfigFileTest, BadWorkloadBindingsAreNamed) {
  const std::pair<const char*, const char*> cases[] = {
      {"[[workload_credentials]]\ntoken = \"short\"\nrole_arn = "
       "\"arn:aws:iam::000000000000:role/r\"\n",
       "'token' must be at least 16 characters"},
      {"[[workload_credentials]]\ntoken = \"0123456789abcdef\"\nrole_arn = "
       "\"arn:aws:iam::000000000000:user/u\"\n",
       "'role_arn' must be a role ARN"},
      {"[[workload_credentials]]\ntoken = \"0123456789abcdef\"\nrole_arn = "
       "\"arn:aws:iam::000000000000:role/r\"\nduration_seconds = 60\n",
       "'duration_seconds' must be between 900 and 43200"},
      {"[[workload_credentials]]\ntoken = \"0123456789abcdef\"\nrole = \"x\"\n",
       "unknown key 'role'"},
  };
  for (const auto& [text, message] : cases) {
    auto config = ParseConfigFile(text, "wharf.toml");
    ASSERT_FALSE(config.ok()) << text;
    EXPECT_NE(config.error().find(message), std::string::npos) << config.error();
  }
}

TEST(ConfigFileTest, MissingFileIsReported) {
  auto accounts = LoadAccounts("/nonexistent/wharf.toml");
  ASSERT_FALSE(accounts.ok());
  EXPECT_NE(accounts.error().find("/nonexistent/wharf.toml"), std::string::npos);
}

}  // namespace
}  // namespace wharf::server
