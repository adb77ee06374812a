#pragma once

// The configuration file (wharf.toml, --config). Top-level keys are settings (settings.h, by
// their names: `port = 9324`); they are collected here and judged by ResolveSettings. The file
// also declares accounts, each with its root access key:
//
//   [[accounts]]
//   id = "111122223333"
//   access_key_id = "AKIAEXAMPLEACCOUNT2"
//   secret_access_key = "..."
//
// They come in addition to the default account of --account-id / --access-key-id. The same file
// binds workload tokens to roles (the container-credentials endpoint, iam/workload_credentials.h):
//
//   [[workload_credentials]]
//   token = "a-long-random-token"          # the worker's AWS_CONTAINER_AUTHORIZATION_TOKEN
//   role_arn = "arn:aws:iam::000000000000:role/producer"
//   duration_seconds = 3600                # optional, 900-43200 (capped by the role)
//
// and lists what to create at start ([[queues]], [[topics]], [[subscriptions]], [[users]]:
// provisioning_config.h). Unknown keys are refused so that a typo is not silently ignored.

#include <string>
#include <vector>

#include "common/result.h"
#include "server/provisioning_config.h"
#include "server/settings.h"

namespace wharf::server {

struct AccountConfig {
  std::string id;  // 12 digits
  std::string access_key_id;
  std::string secret_access_key;  // never logged
};

struct WorkloadConfig {
  std::string token;  // never logged
  std::string role_arn;
  int64_t duration_seconds = 3600;
};

struct ConfigFile {
  std::vector<FileSetting> settings;  // top-level keys, unchecked: ResolveSettings judges them
  std::vector<AccountConfig> accounts;
  std::vector<WorkloadConfig> workloads;
  Provisioning provisioning;  // [[queues]], [[topics]], [[subscriptions]], [[users]]
};

// Reads a TOML configuration file. The error names the file, the entry and the problem.
Result<ConfigFile, std::string> LoadConfigFile(const std::string& path);
// Same, from TOML text (tests); `source` names it in errors.
Result<ConfigFile, std::string> ParseConfigFile(std::string_view toml_text,
                                                const std::string& source);

}  // namespace wharf::server
