#include "server/accounts_config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

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

}  // namespace

Result<std::vector<AccountConfig>, std::string> ParseAccounts(std::string_view toml_text,
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
  std::vector<AccountConfig> accounts;
  for (const auto& [key, value] : root) {
    if (key.str() != "accounts") {
      return source + ": unknown setting '" + std::string(key.str()) + "'";
    }
  }
  const toml::node* node = root.get("accounts");
  if (node == nullptr) return accounts;
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
  return accounts;
}

Result<std::vector<AccountConfig>, std::string> LoadAccounts(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "cannot read the configuration file " + path;
  std::ostringstream text;
  text << in.rdbuf();
  return ParseAccounts(text.str(), path);
}

}  // namespace wharf::server
