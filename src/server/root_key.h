#pragma once

// Which root key the server runs with (security.md §4.6 "Root key at rest"), in this order:
//   1. WHARF_ROOT_KEY: 64 hex characters in the environment;
//   2. a passphrase, from WHARF_ROOT_PASSPHRASE or --root-passphrase-file (never argv), stretched
//      with scrypt under the salt and parameters of --root-key-params-file (default wharf-root.kdf
//      next to the data directory), whose key check tells a wrong passphrase at once;
//   3. the key file --root-key-file (default wharf-root.key next to the data directory).
// On first start the key file or the parameters file is created. Every error is a sentence for
// the operator; no key or passphrase ever appears in one.

#include <string>

#include "common/result.h"
#include "common/sealing.h"
#include "server/settings.h"

namespace wharf::server {

// Where to look for one root key. `wharf rekey` uses a second set for the new key.
struct RootKeyLocation {
  std::string key_variable = "WHARF_ROOT_KEY";
  std::string passphrase_variable = "WHARF_ROOT_PASSPHRASE";
  std::string key_file;         // empty: wharf-root.key next to the data directory
  std::string passphrase_file;  // passphrase mode when set (or the passphrase variable is)
  std::string params_file;      // empty: wharf-root.kdf next to the data directory
  std::string data_dir;
  bool create = true;  // create the key file or parameters file when missing
};

// The location `wharf serve` uses.
RootKeyLocation RootKeyLocationOf(const Settings& settings);

struct RootKey {
  Sealer key;
  std::string mode;          // "environment", "passphrase" or "key file", for the start-up log
  std::string created_path;  // the key or parameters file created by this start; empty if none
};

Result<RootKey, std::string> LoadOrCreateRootKey(const RootKeyLocation& location);

// The default location of a root key file named `name`: next to the data directory.
std::string NextToDataDir(const std::string& data_dir, const std::string& name);

}  // namespace wharf::server
