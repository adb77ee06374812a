#pragma once

// `wharf rekey`: rotates the root key of a data directory while no server runs on it. The store's
// data keys are wrapped again under the new storage key and its key check replaced; the owners of
// secrets sealed under their own sub-keys (IAM secret access keys) seal them again under the new
// root key; all in one synced batch, so the directory is either entirely under the old key or
// entirely under the new one. Message bodies are not rewritten (they are sealed under the data
// keys), so it takes a moment whatever the backlog. STS session tokens issued before stop
// working (they are sealed under the old key); IAM access keys keep working.

#include <string>

namespace CLI {
class App;
}

namespace wharf::server {

struct RekeyOptions {
  // The current key, found as `wharf serve` finds it.
  std::string data_dir = "./data";
  std::string root_key_file;
  std::string root_passphrase_file;
  std::string root_key_params_file;
  // The new key: WHARF_NEW_ROOT_KEY (64 hex characters), or a passphrase (WHARF_NEW_ROOT_PASSPHRASE
  // or the file) with its own parameters file, or a key file (created if missing).
  std::string new_root_key_file;
  std::string new_root_passphrase_file;
  std::string new_root_key_params_file;
};

// Adds `wharf rekey` and its options.
CLI::App* AddRekeyCommand(CLI::App& app, RekeyOptions& options);

// Runs it; the exit status (messages on stderr).
int Rekey(const RekeyOptions& options);

}  // namespace wharf::server
