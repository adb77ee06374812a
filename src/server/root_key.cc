#include "server/root_key.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <utility>

namespace wharf::server {
namespace {

namespace fs = std::filesystem;

constexpr const char* kKeyVariable = "WHARF_ROOT_KEY";
constexpr const char* kPassphraseVariable = "WHARF_ROOT_PASSPHRASE";

// The passphrase, from the environment or the file; wiped when it goes out of scope.
struct Passphrase {
  std::string value;
  ~Passphrase() { WipeSecret(value); }
};

Status<std::string> ReadPassphrase(const Settings& settings, Passphrase& out) {
  const char* variable = std::getenv(kPassphraseVariable);
  const bool from_environment = variable != nullptr && *variable != '\0';
  if (from_environment && !settings.root_passphrase_file.empty()) {
    return std::string("both ") + kPassphraseVariable +
           " and --root-passphrase-file are set: " + "give the root key passphrase one way";
  }
  if (from_environment) {
    out.value = variable;
    return {};
  }
  return ReadPassphraseFile(settings.root_passphrase_file, out.value);
}

Result<RootKey, std::string> FromPassphrase(const Settings& settings) {
  Passphrase passphrase;
  WHARF_RETURN_IF_ERROR(ReadPassphrase(settings, passphrase));
  RootKeyFromPassphrase source;
  source.passphrase = std::move(passphrase.value);
  source.params_path = settings.root_key_params_file.empty()
                           ? NextToDataDir(settings.data_dir, "wharf-root.kdf")
                           : settings.root_key_params_file;
  const bool create = !fs::exists(source.params_path);
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

Result<RootKey, std::string> FromKeyFile(const Settings& settings) {
  RootKeyFile file;
  file.path = settings.root_key_file.empty() ? NextToDataDir(settings.data_dir, "wharf-root.key")
                                             : settings.root_key_file;
  file.data_dir = settings.data_dir;
  const bool create = !fs::exists(file.path);
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

std::string NextToDataDir(const std::string& data_dir, const std::string& name) {
  fs::path data = fs::absolute(data_dir).lexically_normal();
  if (data.filename().empty()) data = data.parent_path();  // "data/"
  return (data.parent_path() / name).string();
}

Result<RootKey, std::string> LoadOrCreateRootKey(const Settings& settings) {
  if (const char* hex = std::getenv(kKeyVariable); hex != nullptr && *hex != '\0') {
    WHARF_ASSIGN_OR_RETURN(Sealer key, LoadRootKey(RootKeyFromEnvironment{kKeyVariable}));
    return RootKey{std::move(key), "environment", ""};
  }
  const char* passphrase = std::getenv(kPassphraseVariable);
  if ((passphrase != nullptr && *passphrase != '\0') || !settings.root_passphrase_file.empty()) {
    return FromPassphrase(settings);
  }
  return FromKeyFile(settings);
}

}  // namespace wharf::server
