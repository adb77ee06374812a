#include "server/root_key.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <utility>

namespace wharf::server {
namespace {

namespace fs = std::filesystem;

// The passphrase, from the environment or the file; wiped when it goes out of scope.
struct Passphrase {
  std::string value;
  ~Passphrase() { WipeSecret(value); }
};

const char* NonEmptyVariable(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  return value != nullptr && *value != '\0' ? value : nullptr;
}

Status<std::string> ReadPassphrase(const RootKeyLocation& location, Passphrase& out) {
  const char* variable = NonEmptyVariable(location.passphrase_variable);
  if (variable != nullptr && !location.passphrase_file.empty()) {
    return "both " + location.passphrase_variable + " and the passphrase file " +
           location.passphrase_file + " are given: give the root key passphrase one way";
  }
  if (variable != nullptr) {
    out.value = variable;
    return {};
  }
  return ReadPassphraseFile(location.passphrase_file, out.value);
}

std::string Missing(const std::string& what, const std::string& path) {
  return what + " " + path + " does not exist (and is not created here)";
}

Result<RootKey, std::string> FromPassphrase(const RootKeyLocation& location) {
  Passphrase passphrase;
  WHARF_RETURN_IF_ERROR(ReadPassphrase(location, passphrase));
  RootKeyFromPassphrase source;
  source.passphrase = std::move(passphrase.value);
  source.params_path = location.params_file.empty()
                           ? NextToDataDir(location.data_dir, "wharf-root.kdf")
                           : location.params_file;
  const bool create = !fs::exists(source.params_path);
  if (create && !location.create) {
    WipeSecret(source.passphrase);
    return Missing("root key parameters file", source.params_path);
  }
  Result<Sealer, std::string> key =
      create ? CreatePassphraseKey(source) : LoadRootKey(RootKeySource(source));
  WipeSecret(source.passphrase);
  if (!key.ok()) return std::move(key).error();
  RootKey out{std::move(key).value(), "passphrase", create ? source.params_path : ""};
  if (create) {
    std::fprintf(stderr,
                 "wharf: created root key parameters %s (keep it and the passphrase: without "
                 "both no stored message can be read)\n",
                 source.params_path.c_str());
  }
  return out;
}

Result<RootKey, std::string> FromKeyFile(const RootKeyLocation& location) {
  RootKeyFile file;
  file.path = location.key_file.empty() ? NextToDataDir(location.data_dir, "wharf-root.key")
                                        : location.key_file;
  file.data_dir = location.data_dir;
  const bool create = !fs::exists(file.path);
  if (create && !location.create) return Missing("root key file", file.path);
  Result<Sealer, std::string> key = create ? CreateKeyFile(file) : LoadRootKey(file);
  if (!key.ok()) return std::move(key).error();
  RootKey out{std::move(key).value(), "key file", create ? file.path : ""};
  if (create) {
    std::fprintf(stderr,
                 "wharf: created root key %s (keep it, and keep it apart from backups of the "
                 "data directory: without it no stored message can be read)\n",
                 file.path.c_str());
  }
  return out;
}

}  // namespace

RootKeyLocation RootKeyLocationOf(const Settings& settings) {
  RootKeyLocation location;
  location.key_file = settings.root_key_file;
  location.passphrase_file = settings.root_passphrase_file;
  location.params_file = settings.root_key_params_file;
  location.data_dir = settings.data_dir;
  return location;
}

std::string NextToDataDir(const std::string& data_dir, const std::string& name) {
  fs::path data = fs::absolute(data_dir).lexically_normal();
  if (data.filename().empty()) data = data.parent_path();  // "data/"
  return (data.parent_path() / name).string();
}

Result<RootKey, std::string> LoadOrCreateRootKey(const RootKeyLocation& location) {
  if (NonEmptyVariable(location.key_variable) != nullptr) {
    WHARF_ASSIGN_OR_RETURN(Sealer key, LoadRootKey(RootKeyFromEnvironment{location.key_variable}));
    return RootKey{std::move(key), "environment", ""};
  }
  if (NonEmptyVariable(location.passphrase_variable) != nullptr ||
      !location.passphrase_file.empty()) {
    return FromPassphrase(location);
  }
  return FromKeyFile(location);
}

}  // namespace wharf::server
