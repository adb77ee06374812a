#pragma once

// Reads the provisioning tables of wharf.toml ([[queues]], [[topics]], [[subscriptions]],
// [[users]]) into a Provisioning: shapes, types and unknown keys only. Whether the values make
// sense (attribute values, policy documents, names) is for the API's handlers to say when they
// are created (provisioner.h), so the rules and the messages are the API's.
// Internal to server/ (config_file.cc); includes toml++.

#include <toml++/toml.h>

#include <string>
#include <string_view>

#include "common/result.h"
#include "server/provisioning_config.h"

namespace wharf::server {

// True for the top-level keys this parser reads.
bool IsProvisioningTable(std::string_view key);

// Reads them from `root`; errors name the entry ("wharf.toml: queues[1] (orders): ...").
Result<Provisioning, std::string> ParseProvisioning(const toml::table& root,
                                                    const std::string& source);

}  // namespace wharf::server
