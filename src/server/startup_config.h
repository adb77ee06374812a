#pragma once

// What `wharf serve` starts with: the settings from flags, environment and wharf.toml, and the
// rest of that file (accounts, workload bindings, what to provision). The file is found first
// (--config, else WHARF_CONFIG), since it is one of the sources of the other settings.

#include <map>
#include <string>

#include "common/result.h"
#include "server/config_file.h"
#include "server/settings.h"

namespace wharf::server {

struct StartupConfig {
  Settings settings;
  ConfigFile file;  // empty without --config
};

// `flags`: the settings given on the command line (SettingFlags::Given). Any problem, in the file
// or in a setting from any source, is the error: the server must not start on it.
Result<StartupConfig, std::string> LoadStartupConfig(
    const std::map<std::string, std::string>& flags, const EnvLookup& env);

}  // namespace wharf::server
