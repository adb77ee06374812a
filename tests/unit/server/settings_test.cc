// The settings registry: one set of bounds for flags, environment and wharf.toml, the precedence
// flag > environment > file > default, and errors that name the setting and the value's source.

#include "server/settings.h"

#include <gtest/gtest.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <fstream>
#include <set>

#include "server/config_file.h"
#include "server/startup_config.h"
#include "temp_dir.h"

namespace wharf::server {
namespace {

using Env = std::map<std::string, std::string>;

EnvLookup FakeEnvironment(Env values) {
  return [values = std::move(values)](const std::string& name) -> std::optional<std::string> {
    auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

// Settings from a TOML text, environment and flags, as `wharf serve` resolves them.
Result<Settings, std::string> Resolve(std::string_view toml, Env env = {},
                                      std::map<std::string, std::string> flags = {}) {
  auto file = ParseConfigFile(toml, "wharf.toml");
  if (!file.ok()) return std::move(file).error();
  SettingSources sources;
  sources.flags = std::move(flags);
  sources.env = FakeEnvironment(std::move(env));
  sources.file_name = "wharf.toml";
  sources.file = std::move(file->settings);
  return ResolveSettings(sources);
}

TEST(SettingsTest, NamesFlagsAndVariablesAreDerivedFromOneNameAndUnique) {
  std::set<std::string> names;
  for (const SettingInfo& s : DescribeSettings()) {
    EXPECT_TRUE(names.insert(s.name).second) << s.name;
    std::string flag = "--" + s.name;
    std::string env = "WHARF_" + s.name;
    for (char& c : flag) c = c == '_' ? '-' : c;
    for (char& c : env) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_EQ(s.flag, flag);
    EXPECT_EQ(s.env, env);
    EXPECT_FALSE(s.description.empty()) << s.name;
  }
  // The names the rest of the project and its users rely on.
  for (const char* name : {"port", "data_dir", "durability", "storage", "config", "auth",
                           "auto_create_queues", "max_connections", "tls_handshake_timeout"}) {
    EXPECT_TRUE(names.count(name)) << name;
  }
}

TEST(SettingsTest, EveryDefaultIsWithinItsBounds) {
  // Feed every default back in as a flag: each must be accepted and give the same settings.
  std::map<std::string, std::string> flags;
  for (const SettingInfo& s : DescribeSettings()) flags[s.name] = s.default_value;
  auto settings = Resolve("", {}, flags);
  ASSERT_TRUE(settings.ok()) << settings.error();
  EXPECT_EQ(settings->port, 9324);
  EXPECT_EQ(settings->durability, "strict");
  EXPECT_EQ(settings->auto_create_queues, "off");
}

TEST(SettingsTest, NothingGivenMeansTheDefaults) {
  auto settings = Resolve("");
  ASSERT_TRUE(settings.ok()) << settings.error();
  EXPECT_EQ(settings->port, 9324);
  EXPECT_EQ(settings->data_dir, "./data");
  EXPECT_EQ(settings->max_connections, 10'000);
}

TEST(SettingsTest, FileSetsEverySettingByItsName) {
  auto settings = Resolve(R"(
port = 9500
data_dir = "/var/lib/wharf"
durability = "relaxed"
relaxed_sync_ms = 50
idle_timeout = 30
auth = "off"
auto_create_queues = "on"
account_id = "111122223333"

[[accounts]]
id = "444455556666"
access_key_id = "AKIAB"
secret_access_key = "s"
)");
  ASSERT_TRUE(settings.ok()) << settings.error();
  EXPECT_EQ(settings->port, 9500);
  EXPECT_EQ(settings->data_dir, "/var/lib/wharf");
  EXPECT_EQ(settings->durability, "relaxed");
  EXPECT_EQ(settings->relaxed_sync_ms, 50);
  EXPECT_EQ(settings->idle_timeout_seconds, 30);
  EXPECT_EQ(settings->auth, "off");
  EXPECT_EQ(settings->auto_create_queues, "on");
  EXPECT_EQ(settings->account_id, "111122223333");
}

TEST(SettingsTest, EnvironmentBeatsTheFileAndFlagsBeatBoth) {
  const char* file = "port = 9500\ndurability = \"relaxed\"\ndata_dir = \"/from/file\"\n";
  {
    auto s = Resolve(file);
    ASSERT_TRUE(s.ok()) << s.error();
    EXPECT_EQ(s->port, 9500);
    EXPECT_EQ(s->durability, "relaxed");
    EXPECT_EQ(s->data_dir, "/from/file");
  }
  {
    auto s = Resolve(file, {{"WHARF_PORT", "9600"}, {"WHARF_DATA_DIR", "/from/env"}});
    ASSERT_TRUE(s.ok()) << s.error();
    EXPECT_EQ(s->port, 9600);
    EXPECT_EQ(s->durability, "relaxed");  // only in the file
    EXPECT_EQ(s->data_dir, "/from/env");
  }
  {
    auto s = Resolve(file, {{"WHARF_PORT", "9600"}, {"WHARF_DATA_DIR", "/from/env"}},
                     {{"port", "9700"}, {"durability", "strict"}});
    ASSERT_TRUE(s.ok()) << s.error();
    EXPECT_EQ(s->port, 9700);
    EXPECT_EQ(s->durability, "strict");
    EXPECT_EQ(s->data_dir, "/from/env");
  }
}

TEST(SettingsTest, EmptyVariableCountsAsUnset) {
  auto s = Resolve("port = 9500\n", {{"WHARF_PORT", ""}});
  ASSERT_TRUE(s.ok()) << s.error();
  EXPECT_EQ(s->port, 9500);
}

TEST(SettingsTest, AHigherSourceDoesNotHideABadValueBelowIt) {
  // A flag wins, so a bad value in the environment under it is never used: not an error.
  auto s = Resolve("", {{"WHARF_PORT", "70000"}}, {{"port", "9400"}});
  ASSERT_TRUE(s.ok()) << s.error();
  EXPECT_EQ(s->port, 9400);
}

struct Bad {
  const char* name;
  const char* toml;
  Env env;
  std::map<std::string, std::string> flags;
  const char* message;  // the whole error
};

class SettingsErrorTest : public ::testing::TestWithParam<Bad> {};

TEST_P(SettingsErrorTest, NamesTheSettingAndTheSource) {
  auto s = Resolve(GetParam().toml, GetParam().env, GetParam().flags);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error(), GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, SettingsErrorTest,
    ::testing::Values(
        Bad{"PortFromFlag", "", {}, {{"port", "70000"}}, "--port: 70000 is not in 1..65535"},
        Bad{"PortFromEnv",
            "",
            {{"WHARF_PORT", "70000"}},
            {},
            "WHARF_PORT: 70000 is not in 1..65535"},
        Bad{"PortFromFile", "port = 70000\n", {}, {}, "wharf.toml: port: 70000 is not in 1..65535"},
        Bad{"ZeroPort", "port = 0\n", {}, {}, "wharf.toml: port: 0 is not in 1..65535"},
        Bad{"NotANumber",
            "",
            {},
            {{"max_connections", "many"}},
            "--max-connections: 'many' is not a whole number (1..1000000)"},
        Bad{"TrailingJunk",
            "",
            {{"WHARF_IDLE_TIMEOUT", "30s"}},
            {},
            "WHARF_IDLE_TIMEOUT: '30s' is not a whole number (1..86400)"},
        Bad{"ChoiceFromFlag",
            "",
            {},
            {{"durability", "fast"}},
            "--durability: 'fast' is not one of strict, relaxed"},
        Bad{"ChoiceFromEnv",
            "",
            {{"WHARF_DURABILITY", "fast"}},
            {},
            "WHARF_DURABILITY: 'fast' is not one of strict, relaxed"},
        Bad{"ChoiceFromFile",
            "storage = \"disk\"\n",
            {},
            {},
            "wharf.toml: storage: 'disk' is not one of embedded, memory, postgres"},
        Bad{"SwitchFromEnv",
            "",
            {{"WHARF_AUTO_CREATE_QUEUES", "yes"}},
            {},
            "WHARF_AUTO_CREATE_QUEUES: 'yes' is not one of on, off"},
        Bad{"LogLevel",
            "log_level = \"verbose\"\n",
            {},
            {},
            "wharf.toml: log_level: 'verbose' is not one of trace, debug, info, warn, error, off"},
        Bad{"AccountId",
            "",
            {},
            {{"account_id", "1234"}},
            "--account-id: '1234' must be 12 digits"},
        Bad{"StringForNumber",
            "port = \"9324\"\n",
            {},
            {},
            "wharf.toml: port: must be an integer (1..65535), not a string"},
        Bad{"BooleanForSwitch",
            "auth = false\n",
            {},
            {},
            "wharf.toml: auth: must be a string (\"on|off\"), not a boolean"},
        Bad{"NumberForText",
            "data_dir = 5\n",
            {},
            {},
            "wharf.toml: data_dir: must be a string, not an integer"},
        Bad{"FloatForNumber",
            "relaxed_sync_ms = 1.5\n",
            {},
            {},
            "wharf.toml: relaxed_sync_ms: must be an integer (1..60000), not a float"},
        Bad{"ConfigInFile",
            "config = \"other.toml\"\n",
            {},
            {},
            "wharf.toml: 'config' cannot be set in the configuration file (it names the file)"},
        Bad{"UnknownKey", "prot = 9324\n", {}, {}, "wharf.toml: unknown setting 'prot'"},
        Bad{"SettingAsTable", "[port]\nvalue = 1\n", {}, {}, "wharf.toml: unknown setting 'port'"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(SettingsTest, FlagsCollectOnlyWhatWasGiven) {
  CLI::App app;
  SettingFlags flags;
  flags.AddTo(app);
  const char* argv[] = {"wharf", "--port", "9400", "--durability=relaxed", "--max-connections",
                        "abc"};
  ASSERT_NO_THROW(app.parse(6, const_cast<char**>(argv)));
  // Values are text to CLI11; the resolver judges them with the other sources.
  std::map<std::string, std::string> expected = {
      {"port", "9400"}, {"durability", "relaxed"}, {"max_connections", "abc"}};
  EXPECT_EQ(flags.Given(), expected);
}

TEST(SettingsTest, TheProcessEnvironmentIsReadByTheResolverNotByCli11) {
  // CLI11 would apply an envname itself, above the file; the options have none, so an exported
  // variable is not a "given flag" and the resolver puts it between flags and the file.
  ASSERT_EQ(setenv("WHARF_RELAXED_SYNC_MS", "250", 1), 0);
  CLI::App app;
  SettingFlags flags;
  flags.AddTo(app);
  const char* argv[] = {"wharf"};
  ASSERT_NO_THROW(app.parse(1, const_cast<char**>(argv)));
  EXPECT_TRUE(flags.Given().empty());
  SettingSources sources;
  sources.env = ProcessEnvironment();
  sources.file_name = "wharf.toml";
  sources.file = std::move(ParseConfigFile("relaxed_sync_ms = 50\n", "wharf.toml")->settings);
  auto settings = ResolveSettings(sources);
  unsetenv("WHARF_RELAXED_SYNC_MS");
  ASSERT_TRUE(settings.ok()) << settings.error();
  EXPECT_EQ(settings->relaxed_sync_ms, 250);
}

TEST(SettingsTest, HelpShowsBoundsVariablesAndFileKeys) {
  CLI::App app;
  SettingFlags flags;
  flags.AddTo(app);
  const std::string help = app.help();
  EXPECT_NE(help.find("--port 1..65535"), std::string::npos) << help;
  EXPECT_NE(help.find("--durability strict|relaxed"), std::string::npos) << help;
  EXPECT_NE(help.find("WHARF_DATA_DIR; wharf.toml: data_dir"), std::string::npos) << help;
}

TEST(SettingsTest, MarkdownListsEverySettingWithBoundsAndKey) {
  const std::string md = SettingsMarkdown();
  for (const SettingInfo& s : DescribeSettings()) {
    EXPECT_NE(md.find("`" + s.flag + "`"), std::string::npos) << s.flag;
  }
  EXPECT_NE(md.find("| `port` | `--port` | `WHARF_PORT` | `9324` | `1..65535` |"),
            std::string::npos);
  EXPECT_NE(md.find("flag > environment variable > wharf.toml > default"), std::string::npos);
}

class StartupConfigTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = (dir_.path() / name).string();
    std::ofstream(path) << text;
    return path;
  }
  wharf::testing::TempDir dir_;
};

TEST_F(StartupConfigTest, FileComesFromTheFlagOrTheEnvironment) {
  const std::string a = Write("a.toml", "port = 9501\n");
  const std::string b = Write("b.toml", "port = 9502\n");
  auto from_env = LoadStartupConfig({}, FakeEnvironment({{"WHARF_CONFIG", a}}));
  ASSERT_TRUE(from_env.ok()) << from_env.error();
  EXPECT_EQ(from_env->settings.port, 9501);
  EXPECT_EQ(from_env->settings.config_file, a);
  auto from_flag = LoadStartupConfig({{"config", b}}, FakeEnvironment({{"WHARF_CONFIG", a}}));
  ASSERT_TRUE(from_flag.ok()) << from_flag.error();
  EXPECT_EQ(from_flag->settings.port, 9502);
  EXPECT_EQ(from_flag->settings.config_file, b);
}

TEST_F(StartupConfigTest, ErrorsNameTheFileByItsPath) {
  const std::string path = Write("wharf.toml", "durability = \"sometimes\"\n");
  auto config = LoadStartupConfig({{"config", path}}, FakeEnvironment({}));
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error(), path + ": durability: 'sometimes' is not one of strict, relaxed");
  auto missing = LoadStartupConfig({{"config", path + ".missing"}}, FakeEnvironment({}));
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().find(path + ".missing"), std::string::npos);
}

TEST_F(StartupConfigTest, AccountsAndSettingsShareTheFile) {
  const std::string path = Write("wharf.toml", R"(
port = 9503
[[accounts]]
id = "111122223333"
access_key_id = "AKIAB"
secret_access_key = "s"
)");
  auto config = LoadStartupConfig({}, FakeEnvironment({{"WHARF_CONFIG", path}}));
  ASSERT_TRUE(config.ok()) << config.error();
  EXPECT_EQ(config->settings.port, 9503);
  ASSERT_EQ(config->file.accounts.size(), 1u);
  EXPECT_EQ(config->file.accounts[0].id, "111122223333");
}

}  // namespace
}  // namespace wharf::server
