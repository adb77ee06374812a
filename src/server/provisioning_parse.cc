#include "server/provisioning_parse.h"

#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <optional>
#include <utility>

namespace wharf::server {
namespace {

// Reads one entry of an array of tables, keeping the first problem, which names the entry.
// (A reader rather than a Result per key: an entry has many optional keys, and the first problem
// is all that is reported.)
class EntryReader {
 public:
  EntryReader(const toml::table& table, std::string where)
      : table_(table), where_(std::move(where)) {}

  const std::string& where() const { return where_; }
  bool ok() const { return problem_.empty(); }
  const std::string& problem() const { return problem_; }

  // Adds the entry's name to where it is: "queues[2]" becomes "queues[2] (orders)".
  void Named(const std::string& name) {
    if (!name.empty()) where_ += " (" + name + ")";
  }

  void Fail(const std::string& problem) {
    if (problem_.empty()) problem_ = where_ + ": " + problem;
  }

  // Refuses keys not in `known`: a typo is not ignored.
  void OnlyKeys(std::initializer_list<std::string_view> known) {
    for (const auto& [key, value] : table_) {
      if (std::find(known.begin(), known.end(), key.str()) == known.end()) {
        Fail("unknown key '" + std::string(key.str()) + "'");
      }
    }
  }

  std::string Text(std::string_view key, bool required) {
    const toml::node* node = table_.get(key);
    if (node == nullptr) {
      if (required) Fail("'" + std::string(key) + "' is missing");
      return {};
    }
    if (!node->is_string()) {
      Fail("'" + std::string(key) + "' must be a string");
      return {};
    }
    std::string text = **node->as_string();
    if (required && text.empty()) Fail("'" + std::string(key) + "' must not be empty");
    return text;
  }

  std::string Account() {
    std::string account = Text("account", false);
    const bool digits = std::all_of(account.begin(), account.end(),
                                    [](unsigned char c) { return std::isdigit(c) != 0; });
    if (table_.get("account") != nullptr && (account.size() != 12 || !digits)) {
      Fail("'account' must be 12 digits");
    }
    return account;
  }

  // An inline table of names to values. Attribute values are text to the API; integers and
  // booleans are accepted as their text (`VisibilityTimeout = 60`, `RawMessageDelivery = true`)
  // when `scalars` is set.
  NamedValues Values(std::string_view key, bool scalars) {
    NamedValues out;
    const toml::node* node = table_.get(key);
    if (node == nullptr) return out;
    const toml::table* values = node->as_table();
    if (values == nullptr) {
      Fail("'" + std::string(key) + "' must be a table ({ Name = \"value\", ... })");
      return out;
    }
    for (const auto& [name, value] : *values) {
      // Built with append: GCC 12 at -O3 reports a false -Wrestrict for `"'" + std::string(...)`.
      std::string where = "'";
      where.append(key).append(".").append(name.str()).append("'");
      if (const auto* text = value.as_string()) {
        out.emplace_back(std::string(name.str()), **text);
      } else if (const auto* number = value.as_integer(); scalars && number != nullptr) {
        out.emplace_back(std::string(name.str()), std::to_string(**number));
      } else if (const auto* flag = value.as_boolean(); scalars && flag != nullptr) {
        out.emplace_back(std::string(name.str()), **flag ? "true" : "false");
      } else {
        Fail(where +
             (scalars ? " must be a string, an integer or a boolean" : " must be a string"));
      }
    }
    return out;
  }

  std::vector<std::string> Texts(std::string_view key) {
    std::vector<std::string> out;
    const toml::node* node = table_.get(key);
    if (node == nullptr) return out;
    const toml::array* list = node->as_array();
    if (list == nullptr) {
      Fail("'" + std::string(key) + "' must be an array of strings");
      return out;
    }
    for (const toml::node& item : *list) {
      if (!item.is_string()) {
        Fail("'" + std::string(key) + "' must be an array of strings");
        return out;
      }
      out.push_back(**item.as_string());
    }
    return out;
  }

  // An array of inline tables (`policies = [{ ... }, { ... }]`) or of [[user.policies]] tables.
  std::vector<const toml::table*> Tables(std::string_view key) {
    std::vector<const toml::table*> out;
    const toml::node* node = table_.get(key);
    if (node == nullptr) return out;
    const toml::array* list = node->as_array();
    if (list == nullptr) {
      Fail("'" + std::string(key) + "' must be an array of tables");
      return out;
    }
    for (const toml::node& item : *list) {
      if (!item.is_table()) {
        Fail("'" + std::string(key) + "' must be an array of tables");
        return {};
      }
      out.push_back(item.as_table());
    }
    return out;
  }

  const toml::table* Table(std::string_view key) {
    const toml::node* node = table_.get(key);
    if (node == nullptr) return nullptr;
    if (!node->is_table()) Fail("'" + std::string(key) + "' must be a table");
    return node->as_table();
  }

 private:
  const toml::table& table_;
  std::string where_;
  std::string problem_;
};

bool HasName(const NamedValues& values, std::string_view name) {
  return std::any_of(values.begin(), values.end(),
                     [name](const auto& value) { return value.first == name; });
}

void ReadQueue(EntryReader& in, QueueProvision& q) {
  q.name = in.Text("name", true);
  in.Named(q.name);
  in.OnlyKeys({"name", "account", "attributes", "tags", "dead_letter", "allow_topics"});
  q.account = in.Account();
  q.attributes = in.Values("attributes", true);
  q.tags = in.Values("tags", false);
  q.allow_topics = in.Texts("allow_topics");
  if (const toml::table* dead_letter = in.Table("dead_letter")) {
    EntryReader dl(*dead_letter, "dead_letter");
    dl.OnlyKeys({"queue", "max_receive_count"});
    q.dead_letter_queue = dl.Text("queue", true);
    const toml::node* count = dead_letter->get("max_receive_count");
    if (count == nullptr || !count->is_integer()) {
      dl.Fail("'max_receive_count' must be an integer");
    } else {
      q.max_receive_count = **count->as_integer();
    }
    if (!dl.ok()) in.Fail(dl.problem());
    if (HasName(q.attributes, "RedrivePolicy")) {
      in.Fail("give either dead_letter or the RedrivePolicy attribute, not both");
    }
  }
  if (!q.allow_topics.empty() && HasName(q.attributes, "Policy")) {
    in.Fail("give either allow_topics or the Policy attribute, not both");
  }
}

void ReadTopic(EntryReader& in, TopicProvision& t) {
  t.name = in.Text("name", true);
  in.Named(t.name);
  in.OnlyKeys({"name", "account", "attributes", "tags"});
  t.account = in.Account();
  t.attributes = in.Values("attributes", true);
  t.tags = in.Values("tags", false);
}

void ReadSubscription(EntryReader& in, SubscriptionProvision& s) {
  s.topic = in.Text("topic", true);
  s.queue = in.Text("queue", true);
  in.Named(s.topic + " → " + s.queue);
  in.OnlyKeys({"topic", "queue", "account", "attributes"});
  s.account = in.Account();
  s.attributes = in.Values("attributes", true);
}

void ReadUser(EntryReader& in, UserProvision& u) {
  u.name = in.Text("name", true);
  in.Named(u.name);
  in.OnlyKeys({"name", "account", "policies", "access_keys"});
  u.account = in.Account();
  const std::vector<const toml::table*> policies = in.Tables("policies");
  for (size_t i = 0; i < policies.size(); ++i) {
    EntryReader p(*policies[i], "policies[" + std::to_string(i) + "]");
    p.OnlyKeys({"name", "document"});
    UserPolicyProvision policy{p.Text("name", true), p.Text("document", true)};
    if (!p.ok()) in.Fail(p.problem());
    u.policies.push_back(std::move(policy));
  }
  const std::vector<const toml::table*> keys = in.Tables("access_keys");
  for (size_t i = 0; i < keys.size(); ++i) {
    EntryReader k(*keys[i], "access_keys[" + std::to_string(i) + "]");
    k.OnlyKeys({"id", "secret"});
    AccessKeyProvision key{k.Text("id", true), k.Text("secret", true)};
    // The character set and length of an access key id, as for [[accounts]].
    if (k.ok() && (key.id.size() > 128 ||
                   !std::all_of(key.id.begin(), key.id.end(),
                                [](unsigned char c) { return std::isalnum(c) != 0; }))) {
      k.Fail("'id' must be 1-128 letters and digits");
    }
    if (!k.ok()) in.Fail(k.problem());
    u.access_keys.push_back(std::move(key));
  }
}

// Reads every entry of the array of tables `key` with `read`.
template <typename Entry, typename Read>
Result<std::vector<Entry>, std::string> ReadAll(const toml::table& root, std::string_view key,
                                                const std::string& source, Read read) {
  std::vector<Entry> out;
  const toml::node* node = root.get(key);
  if (node == nullptr) return out;
  const toml::array* list = node->as_array();
  if (list == nullptr || !list->is_array_of_tables()) {
    return source + ": '" + std::string(key) + "' must be an array of tables ([[" +
           std::string(key) + "]])";
  }
  for (size_t i = 0; i < list->size(); ++i) {
    const toml::table& table = *(*list)[i].as_table();
    EntryReader in(table, source + ": " + std::string(key) + "[" + std::to_string(i) + "]");
    Entry entry;
    read(in, entry);
    if (!in.ok()) return in.problem();
    entry.where = in.where();
    out.push_back(std::move(entry));
  }
  return out;
}

}  // namespace

bool IsProvisioningTable(std::string_view key) {
  return key == "queues" || key == "topics" || key == "subscriptions" || key == "users";
}

Result<Provisioning, std::string> ParseProvisioning(const toml::table& root,
                                                    const std::string& source) {
  Provisioning out;
  auto queues = ReadAll<QueueProvision>(
      root, "queues", source, [](EntryReader& in, QueueProvision& q) { ReadQueue(in, q); });
  if (!queues.ok()) return std::move(queues).error();
  out.queues = std::move(queues).value();
  auto topics = ReadAll<TopicProvision>(
      root, "topics", source, [](EntryReader& in, TopicProvision& t) { ReadTopic(in, t); });
  if (!topics.ok()) return std::move(topics).error();
  out.topics = std::move(topics).value();
  auto subscriptions = ReadAll<SubscriptionProvision>(
      root, "subscriptions", source,
      [](EntryReader& in, SubscriptionProvision& s) { ReadSubscription(in, s); });
  if (!subscriptions.ok()) return std::move(subscriptions).error();
  out.subscriptions = std::move(subscriptions).value();
  auto users = ReadAll<UserProvision>(root, "users", source,
                                      [](EntryReader& in, UserProvision& u) { ReadUser(in, u); });
  if (!users.ok()) return std::move(users).error();
  out.users = std::move(users).value();
  return out;
}

}  // namespace wharf::server
