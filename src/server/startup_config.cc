#include "server/startup_config.h"

#include <utility>

namespace wharf::server {

Result<StartupConfig, std::string> LoadStartupConfig(
    const std::map<std::string, std::string>& flags, const EnvLookup& env) {
  std::string path;
  if (auto flag = flags.find("config"); flag != flags.end()) {
    path = flag->second;
  } else if (env) {
    path = env("WHARF_CONFIG").value_or("");
  }
  StartupConfig config;
  SettingSources sources;
  sources.flags = flags;
  sources.env = env;
  if (!path.empty()) {
    auto loaded = LoadConfigFile(path);
    if (!loaded.ok()) return std::move(loaded).error();
    config.file = std::move(loaded).value();
    sources.file_name = path;
    sources.file = std::move(config.file.settings);
    config.file.settings.clear();
  }
  auto settings = ResolveSettings(sources);
  if (!settings.ok()) return std::move(settings).error();
  config.settings = std::move(settings).value();
  return config;
}

}  // namespace wharf::server
