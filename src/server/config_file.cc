#include "server/config_file.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

#include "server/provisioning_parse.h"

namespace wharf::server {
namespace {

bool IsAccountId(std::string_view id) {
  return id.size() == 12 &&
         std::all_of(id.begin(), id.end(), [](unsigned char c) { return std::isdigit(c); });
}

// AWS access key ids are 16-128 upper-case letters and digits; Wharf also accepts lower case
// and the `test` of local tools, so only the character set and a sane length are checked.
bool IsAccessKeyId(std::string_view id) {
  return !id.empty() && id.size() <= 128 &&
         std::all_of(id.begin(), id.end(), [](unsigned char c) { return std::isalnum(c); });
}

bool IsSettingName(std::string_view name) {
  for (const SettingInfo& info : DescribeSettings()) {
    if (info.name == name) return true;
  }
  return false;
}

std::string TypeName(const toml::node& value) {
  switch (value.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
    case toml::node_type::time:
    case toml::node_type::date_time:
      return "a date or time";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::none:
      break;
  }
  return "a value";
}

FileSetting ToFileSetting(const std::string& key, const toml::node& value) {
  FileSetting setting;
  setting.key = key;
  setting.type_name = TypeName(value);
  if (const auto* text = value.as_string()) {
    setting.type = FileSetting::Type::kString;
    setting.text = **text;
  } else if (const auto* number = value.as_integer()) {
    setting.type = FileSetting::Type::kInteger;
    setting.integer = **number;
  }
  return setting;
}

// [[workload_credentials]]: each a token bound to a role.
Result<std::vector<WorkloadConfig>, std::string> ParseWorkloads(const toml::node& node,
                                                                const std::string& source) {
  std::vector<WorkloadConfig> out;
  const toml::array* list = node.as_array();
  if (list == nullptr) {
    return source +
           ": 'workload_credentials' must be an array of tables ([[workload_credentials]])";
  }
  std::set<std::string> tokens;
  for (size_t i = 0; i < list->size(); ++i) {
    const std::string where = source + ": workload_credentials[" + std::to_string(i) + "]";
    const toml::table* entry = (*list)[i].as_table();
    if (entry == nullptr) return where + " must be a table";
    WorkloadConfig w;
    for (const auto& [key, value] : *entry) {
      const std::string_view name = key.str();
      if (name == "token" || name == "role_arn") {
        if (!value.is_string()) return where + ": '" + std::string(name) + "' must be a string";
        (name == "token" ? w.token : w.role_arn) = **value.as_string();
      } else if (name == "duration_seconds") {
        if (!value.is_integer()) return where + ": 'duration_seconds' must be an integer";
        w.duration_seconds = **value.as_integer();
      } else {
        return where + ": unknown key '" + std::string(name) + "'";
      }
    }
    // Long enough not to be guessed: the token is the workload's only credential.
    if (w.token.size() < 16) return where + ": 'token' must be at least 16 characters";
    if (w.role_arn.rfind("arn:aws:iam::", 0) != 0 ||
        w.role_arn.find(":role/") == std::string::npos) {
      return where + ": 'role_arn' must be a role ARN (arn:aws:iam::<account>:role/<name>)";
    }
    if (w.duration_seconds < 900 || w.duration_seconds > 43200) {
      return where + ": 'duration_seconds' must be between 900 and 43200";
    }
    if (!tokens.insert(w.token).second) return where + ": the same token twice";
    out.push_back(std::move(w));
  }
  return out;
}

}  // namespace

Result<ConfigFile, std::string> ParseConfigFile(std::string_view toml_text,
                                                const std::string& source) {
  // toml++ reports syntax errors by exception; they stop here.
  toml::table root;
  try {
    root = toml::parse(toml_text, source);
  } catch (const toml::parse_error& e) {
    std::ostringstream out;
    out << source << ":" << e.source().begin.line << ":" << e.source().begin.column << ": "
        << e.description();
    return out.str();
  }
  ConfigFile config;
  std::vector<AccountConfig>& accounts = config.accounts;
  for (const auto& [key, value] : root) {
    const std::string name(key.str());
    if (name == "accounts" || name == "workload_credentials" || IsProvisioningTable(name)) {
      continue;
    }
    if (!IsSettingName(name) || value.is_table() || value.is_array()) {
      return source + ": unknown setting '" + name + "'";
    }
    config.settings.push_back(ToFileSetting(name, value));
  }
  auto provisioning = ParseProvisioning(root, source);
  if (!provisioning.ok()) return std::move(provisioning).error();
  config.provisioning = std::move(provisioning).value();
  if (const toml::node* workloads = root.get("workload_credentials")) {
    auto parsed = ParseWorkloads(*workloads, source);
    if (!parsed.ok()) return std::move(parsed).error();
    config.workloads = std::move(parsed).value();
  }
  const toml::node* node = root.get("accounts");
  if (node == nullptr) return config;
  const toml::array* list = node->as_array();
  if (list == nullptr) return source + ": 'accounts' must be an array of tables ([[accounts]])";
  std::set<std::string> ids;
  std::set<std::string> key_ids;
  for (size_t i = 0; i < list->size(); ++i) {
    const std::string where = source + ": accounts[" + std::to_string(i) + "]";
    const toml::table* entry = (*list)[i].as_table();
    if (entry == nullptr) return where + " must be a table";
    for (const auto& [key, value] : *entry) {
      const std::string_view name = key.str();
      if (name != "id" && name != "access_key_id" && name != "secret_access_key") {
        return where + ": unknown key '" + std::string(name) + "'";
      }
      if (!value.is_string()) return where + ": '" + std::string(name) + "' must be a string";
    }
    AccountConfig account;
    account.id = entry->get("id") ? **entry->get("id")->as_string() : "";
    account.access_key_id =
        entry->get("access_key_id") ? **entry->get("access_key_id")->as_string() : "";
    account.secret_access_key =
        entry->get("secret_access_key") ? **entry->get("secret_access_key")->as_string() : "";
    if (!IsAccountId(account.id)) return where + ": 'id' must be 12 digits";
    if (!IsAccessKeyId(account.access_key_id)) {
      return where + ": 'access_key_id' must be 1-128 letters and digits";
    }
    if (account.secret_access_key.empty()) return where + ": 'secret_access_key' is missing";
    if (!ids.insert(account.id).second) return where + ": account " + account.id + " twice";
    if (!key_ids.insert(account.access_key_id).second) {
      return where + ": access key " + account.access_key_id + " twice";
    }
    accounts.push_back(std::move(account));
  }
  return config;
}

Result<ConfigFile, std::string> LoadConfigFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "cannot read the configuration file " + path;
  std::ostringstream text;
  text << in.rdbuf();
  return ParseConfigFile(text.str(), path);
}

}  // namespace wharf::server
