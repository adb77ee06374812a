#pragma once

// Accounts declared in the configuration file (wharf.toml), each with its root access key:
//
//   [[accounts]]
//   id = "111122223333"
//   access_key_id = "AKIAEXAMPLEACCOUNT2"
//   secret_access_key = "..."
//
// They come in addition to the default account of --account-id / --access-key-id. Other
// settings move into the same file with the operations work (issue 10); unknown keys are
// refused so that a typo is not silently ignored.

#include <string>
#include <vector>

#include "common/result.h"

namespace wharf::server {

struct AccountConfig {
  std::string id;  // 12 digits
  std::string access_key_id;
  std::string secret_access_key;  // never logged
};

// Reads the [[accounts]] of a TOML file. The error names the file, the entry and the problem.
Result<std::vector<AccountConfig>, std::string> LoadAccounts(const std::string& path);
// Same, from TOML text (tests); `source` names it in errors.
Result<std::vector<AccountConfig>, std::string> ParseAccounts(std::string_view toml_text,
                                                              const std::string& source);

}  // namespace wharf::server
