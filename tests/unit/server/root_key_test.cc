// Which root key `wharf serve` runs with (server/root_key.h): the environment key, a passphrase
// (environment or file) or the key file, each created on first start where that applies.

#include "server/root_key.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "temp_dir.h"

namespace wharf::server {
namespace {

namespace fs = std::filesystem;

// Sets (or unsets) an environment variable for the scope, restoring the old value after.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) {
      ::setenv(name, value->c_str(), 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

constexpr char kHexKey[] = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
constexpr char kPassphrase[] = "correct horse battery staple";

class RootKeyModeTest : public ::testing::Test {
 protected:
  RootKeyModeTest() { settings_.data_dir = (temp_.path() / "data").string(); }

  std::string Path(const std::string& name) const { return (temp_.path() / name).string(); }
  std::string Write(const std::string& name, const std::string& contents, mode_t mode = 0600) {
    const std::string path = Path(name);
    std::ofstream(path, std::ios::binary | std::ios::trunc) << contents;
    EXPECT_EQ(::chmod(path.c_str(), mode), 0);
    return path;
  }
  static mode_t ModeOf(const std::string& path) {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0);
    return st.st_mode & 07777;
  }
  std::string Error() {
    auto loaded = LoadOrCreateRootKey(RootKeyLocationOf(settings_));
    if (loaded.ok()) {
      ADD_FAILURE() << "a root key loaded (" << loaded->mode << ")";
      return {};
    }
    return loaded.error();
  }

  wharf::testing::TempDir temp_{"wharf-root-key-test"};
  Settings settings_;
  ScopedEnv no_key_{"WHARF_ROOT_KEY", std::nullopt};
  ScopedEnv no_passphrase_{"WHARF_ROOT_PASSPHRASE", std::nullopt};
};

TEST_F(RootKeyModeTest, KeyFileNextToTheDataDirectoryIsCreatedOnceThenLoaded) {
  auto created = LoadOrCreateRootKey(RootKeyLocationOf(settings_));
  ASSERT_TRUE(created.ok()) << created.error();
  const std::string path = Path("wharf-root.key");
  EXPECT_EQ(created->mode, "key file");
  EXPECT_EQ(created->created_path, path);
  EXPECT_EQ(ModeOf(path), 0600u);
  auto loaded = LoadOrCreateRootKey(RootKeyLocationOf(settings_));
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  EXPECT_TRUE(loaded->created_path.empty());
  EXPECT_EQ(loaded->key.key_id(), created->key.key_id());
}

TEST_F(RootKeyModeTest, WithoutCreateAMissingKeyOrParametersFileIsAnError) {
  RootKeyLocation location = RootKeyLocationOf(settings_);
  location.create = false;
  auto loaded = LoadOrCreateRootKey(location);
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.error().find("does not exist"), std::string::npos) << loaded.error();
  EXPECT_FALSE(fs::exists(Path("wharf-root.key")));
  ScopedEnv passphrase("WHARF_ROOT_PASSPHRASE", kPassphrase);
  loaded = LoadOrCreateRootKey(location);
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.error().find("wharf-root.kdf"), std::string::npos) << loaded.error();
  EXPECT_FALSE(fs::exists(Path("wharf-root.kdf")));
}

TEST_F(RootKeyModeTest, OtherVariablesNameASecondKey) {
  RootKeyLocation location = RootKeyLocationOf(settings_);
  location.key_variable = "WHARF_NEW_ROOT_KEY";
  ScopedEnv old_key("WHARF_ROOT_KEY", std::string(64, 'f'));
  ScopedEnv new_key("WHARF_NEW_ROOT_KEY", kHexKey);
  auto loaded = LoadOrCreateRootKey(location);
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  EXPECT_EQ(loaded->key.key_id(), 0x630dcd29u);
}

TEST_F(RootKeyModeTest, KeyFileOthersCanReadIsRefusedWithTheFix) {
  settings_.root_key_file = Write("root.key", kHexKey, 0644);
  const std::string error = Error();
  EXPECT_NE(error.find("chmod 600"), std::string::npos) << error;
  EXPECT_NE(error.find(settings_.root_key_file), std::string::npos) << error;
}

TEST_F(RootKeyModeTest, EnvironmentKeyComesFirst) {
  settings_.root_key_file = Write("root.key", std::string(64, 'f'));
  ScopedEnv key("WHARF_ROOT_KEY", kHexKey);
  ScopedEnv passphrase("WHARF_ROOT_PASSPHRASE", kPassphrase);
  auto loaded = LoadOrCreateRootKey(RootKeyLocationOf(settings_));
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  EXPECT_EQ(loaded->mode, "environment");
  EXPECT_EQ(loaded->key.key_id(), 0x630dcd29u);
  EXPECT_FALSE(fs::exists(Path("wharf-root.kdf")));
}

TEST_F(RootKeyModeTest, PassphraseFromTheEnvironmentCreatesParametersThenChecksThem) {
  ScopedEnv passphrase("WHARF_ROOT_PASSPHRASE", kPassphrase);
  auto created = LoadOrCreateRootKey(RootKeyLocationOf(settings_));
  ASSERT_TRUE(created.ok()) << created.error();
  const std::string params = Path("wharf-root.kdf");
  EXPECT_EQ(created->mode, "passphrase");
  EXPECT_EQ(created->created_path, params);
  EXPECT_EQ(ModeOf(params), 0600u);
  EXPECT_FALSE(fs::exists(Path("wharf-root.key"))) << "no key file in passphrase mode";

  auto again = LoadOrCreateRootKey(RootKeyLocationOf(settings_));
  ASSERT_TRUE(again.ok()) << again.error();
  EXPECT_EQ(again->key.key_id(), created->key.key_id());

  ScopedEnv wrong("WHARF_ROOT_PASSPHRASE", "correct horse battery stapler");
  const std::string error = Error();
  EXPECT_NE(error.find("passphrase is not the one"), std::string::npos) << error;
}

TEST_F(RootKeyModeTest, PassphraseFileGivesTheSameKeyAsTheEnvironment) {
  settings_.root_key_params_file = Path("params.kdf");
  std::optional<uint32_t> from_environment;
  {
    ScopedEnv passphrase("WHARF_ROOT_PASSPHRASE", kPassphrase);
    auto created = LoadOrCreateRootKey(RootKeyLocationOf(settings_));
    ASSERT_TRUE(created.ok()) << created.error();
    from_environment = created->key.key_id();
  }
  settings_.root_passphrase_file = Write("passphrase", std::string(kPassphrase) + "\n");
  auto loaded = LoadOrCreateRootKey(RootKeyLocationOf(settings_));
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  EXPECT_EQ(loaded->key.key_id(), *from_environment);
}

TEST_F(RootKeyModeTest, PassphraseRefusals) {
  // Readable by others.
  settings_.root_passphrase_file = Write("passphrase", kPassphrase, 0640);
  std::string error = Error();
  EXPECT_NE(error.find("chmod 600"), std::string::npos) << error;
  // Given twice.
  settings_.root_passphrase_file = Write("passphrase", kPassphrase);
  {
    ScopedEnv passphrase("WHARF_ROOT_PASSPHRASE", kPassphrase);
    error = Error();
    EXPECT_NE(error.find("one way"), std::string::npos) << error;
  }
  // Too short to start with.
  settings_.root_passphrase_file = Write("passphrase", "short");
  error = Error();
  EXPECT_NE(error.find("at least 8"), std::string::npos) << error;
  EXPECT_FALSE(fs::exists(Path("wharf-root.kdf")));
  // The parameters file others can read.
  settings_.root_passphrase_file = Write("passphrase", kPassphrase);
  settings_.root_key_params_file = Write("params.kdf", "wharf root key parameters v1\n", 0644);
  error = Error();
  EXPECT_NE(error.find("chmod 600"), std::string::npos) << error;
}

TEST_F(RootKeyModeTest, PassphraseNeverAppearsInAnError) {
  ScopedEnv passphrase("WHARF_ROOT_PASSPHRASE", kPassphrase);
  settings_.root_key_params_file = Write("params.kdf", "not parameters\n");
  const std::string error = Error();
  EXPECT_EQ(error.find(kPassphrase), std::string::npos) << error;
  EXPECT_NE(error.find("damaged"), std::string::npos) << error;
}

}  // namespace
}  // namespace wharf::server
