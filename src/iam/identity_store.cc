#include "iam/identity_store.h"

#include <algorithm>
#include <mutex>

#include "iam/identifiers.h"
#include "iam/identity_store_internal.h"

namespace wharf::iam {
namespace {

using api::ErrorCode;
using namespace store_internal;

// The AWS-managed policies that tutorials use (security.md §3.3).
struct AwsPolicy {
  std::string_view name;
  std::string_view document;
};
constexpr AwsPolicy kAwsPolicies[] = {
    {"AdministratorAccess",
     R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]})"},
    {"AmazonSQSFullAccess",
     R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sqs:*"],"Resource":"*"}]})"},
    {"AmazonSQSReadOnlyAccess",
     R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sqs:GetQueueAttributes","sqs:GetQueueUrl","sqs:ListDeadLetterSourceQueues","sqs:ListQueues","sqs:ListMessageMoveTasks","sqs:ListQueueTags"],"Resource":"*"}]})"},
    {"AmazonSNSFullAccess",
     R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sns:*"],"Resource":"*"}]})"},
};

// Reads Reload makes before giving up while this node keeps changing identities.
constexpr int kReloadAttempts = 3;

}  // namespace

IdentityStore::IdentityStore(const Clock& clock, IdentityJournal& journal, StoreLimits limits)
    : clock_(clock), journal_(journal), limits_(limits) {
  for (const AwsPolicy& p : kAwsPolicies) {
    PolicyEntry entry;
    entry.r.account_id = "aws";
    entry.r.name = std::string(p.name);
    entry.r.arn = IamArn("aws", "policy", "/", p.name);
    entry.r.id = NewUniqueId("ANPA");
    entry.r.document = std::string(p.document);
    entry.doc = ParseQuietly(p.document, auth::PolicyKind::kIdentity);
    aws_policies_.emplace(entry.r.arn, std::move(entry));
  }
}

// --- journal ---------------------------------------------------------------------------------

api::ApiStatus IdentityStore::Journal(const IdentityRecord& record) {
  ++journaled_;  // even if it failed: it may have reached the store
  if (auto written = journal_.Put(record); !written.ok()) {
    return api::Error(ErrorCode::kInternalFailure);
  }
  return {};
}

api::ApiStatus IdentityStore::JournalErase(RecordKind kind, const std::string& account,
                                           const std::string& name) {
  ++journaled_;
  if (auto written = journal_.Erase(kind, account, name); !written.ok()) {
    return api::Error(ErrorCode::kInternalFailure);
  }
  return {};
}

void IdentityStore::Build(const std::vector<IdentityRecord>& records,
                          std::map<std::string, Account>& accounts,
                          std::unordered_map<std::string, KeyEntry>& keys) {
  std::vector<const AccessKeyRecord*> key_records;
  for (const IdentityRecord& record : records) {
    if (const auto* user = std::get_if<UserRecord>(&record)) {
      UserEntry entry{*user, {}};
      for (const InlinePolicy& p : user->policies.inline_policies) {
        entry.docs[p.name] = ParseQuietly(p.document, auth::PolicyKind::kIdentity);
      }
      accounts[user->account_id].users[NameKey(user->name)] = std::move(entry);
    } else if (const auto* role = std::get_if<RoleRecord>(&record)) {
      RoleEntry entry{*role, {}, ParseQuietly(role->trust_policy, auth::PolicyKind::kTrust)};
      for (const InlinePolicy& p : role->policies.inline_policies) {
        entry.docs[p.name] = ParseQuietly(p.document, auth::PolicyKind::kIdentity);
      }
      accounts[role->account_id].roles[NameKey(role->name)] = std::move(entry);
    } else if (const auto* group = std::get_if<GroupRecord>(&record)) {
      GroupEntry entry{*group, {}};
      for (const InlinePolicy& p : group->policies.inline_policies) {
        entry.docs[p.name] = ParseQuietly(p.document, auth::PolicyKind::kIdentity);
      }
      accounts[group->account_id].groups[NameKey(group->name)] = std::move(entry);
    } else if (const auto* policy = std::get_if<ManagedPolicyRecord>(&record)) {
      PolicyEntry entry{*policy, ParseQuietly(policy->document, auth::PolicyKind::kIdentity)};
      accounts[policy->account_id].policies[policy->arn] = std::move(entry);
    } else if (const auto* key = std::get_if<AccessKeyRecord>(&record)) {
      key_records.push_back(key);
    }
  }
  for (const AccessKeyRecord* key : key_records) {  // after the users they belong to
    auto account = accounts.find(key->account_id);
    if (account == accounts.end()) continue;
    auto user = account->second.users.find(NameKey(key->user_name));
    if (user == account->second.users.end()) continue;
    keys[key->access_key_id] = KeyEntry{*key, MakeKey(*key, user->second.r)};
  }
}

void IdentityStore::Load(const std::vector<IdentityRecord>& records) {
  // Built aside, so that parsing the documents does not hold the lock.
  std::map<std::string, Account> accounts;
  std::unordered_map<std::string, KeyEntry> keys;
  Build(records, accounts, keys);
  std::unique_lock lock(mu_);
  accounts_ = std::move(accounts);
  keys_ = std::move(keys);
}

Status<std::string> IdentityStore::Reload(const Loader& load) {
  for (int attempt = 0; attempt < kReloadAttempts; ++attempt) {
    uint64_t journaled = 0;
    {
      std::shared_lock lock(mu_);
      journaled = journaled_;
    }
    auto records = load();
    if (!records.ok()) return std::move(records).error();
    std::map<std::string, Account> accounts;
    std::unordered_map<std::string, KeyEntry> keys;
    Build(*records, accounts, keys);
    std::unique_lock lock(mu_);
    // A change journaled since the read began may be missing from it: read again.
    if (journaled_ != journaled) continue;
    // Access keys handed out before (auth::AccessKey) stay valid for whoever holds them;
    // Lookup answers from the new ones from now on.
    accounts_ = std::move(accounts);
    keys_ = std::move(keys);
    return {};
  }
  return std::string("identities changed during every reload attempt; try again later");
}

std::shared_ptr<const auth::AccessKey> IdentityStore::MakeKey(const AccessKeyRecord& record,
                                                              const UserRecord& user) {
  auto key = std::make_shared<auth::AccessKey>();
  key->access_key_id = record.access_key_id;
  key->secret = record.secret;
  key->principal.type = auth::PrincipalType::kUser;
  key->principal.account_id = user.account_id;
  key->principal.arn = user.arn;
  key->principal.user_name = user.name;
  key->principal.unique_id = user.id;
  return key;
}

// --- users -----------------------------------------------------------------------------------

api::ApiResult<UserRecord> IdentityStore::CreateUser(const std::string& account,
                                                     const std::string& name,
                                                     const std::string& path,
                                                     std::vector<Tag> tags) {
  std::unique_lock lock(mu_);
  auto& users = accounts_[account].users;
  if (users.count(NameKey(name))) {
    return api::Error(ErrorCode::kEntityAlreadyExists,
                      "User with name " + name + " already exists.");
  }
  UserEntry entry;
  entry.r.account_id = account;
  entry.r.name = name;
  entry.r.path = path;
  entry.r.id = NewUniqueId("AIDA");
  entry.r.arn = IamArn(account, "user", path, name);
  entry.r.created_ms = clock_.WallMillis();
  entry.r.tags = std::move(tags);
  if (auto st = Journal(entry.r); !st.ok()) return std::move(st).error();
  UserRecord out = entry.r;
  users.emplace(NameKey(name), std::move(entry));
  return out;
}

api::ApiResult<UserRecord> IdentityStore::GetUser(const std::string& account,
                                                  const std::string& name) const {
  std::shared_lock lock(mu_);
  auto a = accounts_.find(account);
  return RecordIn(a == accounts_.end() ? nullptr : &a->second.users, "user", name);
}

std::vector<UserRecord> IdentityStore::ListUsers(const std::string& account,
                                                 const std::string& path_prefix) const {
  std::shared_lock lock(mu_);
  auto a = accounts_.find(account);
  return RecordsUnder(a == accounts_.end() ? nullptr : &a->second.users, path_prefix);
}

api::ApiStatus IdentityStore::DeleteUser(const std::string& account, const std::string& name) {
  std::unique_lock lock(mu_);
  auto& users = accounts_[account].users;
  auto u = users.find(NameKey(name));
  if (u == users.end()) return NoSuch("user", name);
  for (const auto& [id, key] : keys_) {
    if (key.r.account_id == account && NameKey(key.r.user_name) == u->first) {
      return Conflict("delete access keys");
    }
  }
  const UserRecord& user = u->second.r;
  if (!user.policies.inline_policies.empty()) return Conflict("delete policies");
  if (!user.policies.attached_arns.empty()) return Conflict("detach all policies");
  if (!user.groups.empty()) return Conflict("remove users from group");
  if (auto st = JournalErase(RecordKind::kUser, account, user.name); !st.ok()) return st;
  users.erase(u);
  return {};
}

// --- access keys -----------------------------------------------------------------------------

api::ApiResult<AccessKeyRecord> IdentityStore::CreateAccessKey(const std::string& account,
                                                               const std::string& user) {
  return AddAccessKey(account, user, std::nullopt);
}

api::ApiResult<AccessKeyRecord> IdentityStore::ImportAccessKey(const std::string& account,
                                                               const std::string& user,
                                                               const std::string& key_id,
                                                               const std::string& secret) {
  return AddAccessKey(account, user, std::pair{key_id, secret});
}

api::ApiResult<AccessKeyRecord> IdentityStore::AddAccessKey(
    const std::string& account, const std::string& user,
    const std::optional<std::pair<std::string, std::string>>& given) {
  std::unique_lock lock(mu_);
  auto& users = accounts_[account].users;
  auto u = users.find(NameKey(user));
  if (u == users.end()) return NoSuch("user", user);
  if (given) {
    if (auto existing = keys_.find(given->first); existing != keys_.end()) {
      const AccessKeyRecord& r = existing->second.r;
      if (r.account_id == account && NameKey(r.user_name) == u->first &&
          r.secret == given->second) {
        return r;  // already there, as given: nothing to do
      }
      return api::Error(
          ErrorCode::kEntityAlreadyExists,
          "Access key " + given->first + " already exists with another user or another secret.");
    }
  }
  size_t count = 0;
  for (const auto& [id, key] : keys_) {
    if (key.r.account_id == account && NameKey(key.r.user_name) == u->first) ++count;
  }
  if (count >= limits_.access_keys_per_user) {
    return Quota("AccessKeysPerUser", limits_.access_keys_per_user);
  }
  AccessKeyRecord record;
  record.account_id = account;
  record.user_name = u->second.r.name;
  if (given) {
    record.access_key_id = given->first;
    record.secret = given->second;
  } else {
    do {
      record.access_key_id = NewAccessKeyId("AKIA");
    } while (keys_.count(record.access_key_id));
    record.secret = NewSecretAccessKey();
  }
  record.active = true;
  record.created_ms = clock_.WallMillis();
  if (auto st = Journal(record); !st.ok()) return std::move(st).error();
  keys_[record.access_key_id] = KeyEntry{record, MakeKey(record, u->second.r)};
  return record;
}

api::ApiResult<std::vector<AccessKeyRecord>> IdentityStore::ListAccessKeys(
    const std::string& account, const std::string& user) const {
  std::shared_lock lock(mu_);
  auto a = accounts_.find(account);
  if (a == accounts_.end() || !a->second.users.count(NameKey(user))) return NoSuch("user", user);
  std::vector<AccessKeyRecord> out;
  for (const auto& [id, key] : keys_) {
    if (key.r.account_id == account && NameKey(key.r.user_name) == NameKey(user)) {
      out.push_back(key.r);
      out.back().secret.clear();
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.created_ms != b.created_ms ? a.created_ms < b.created_ms
                                        : a.access_key_id < b.access_key_id;
  });
  return out;
}

api::ApiStatus IdentityStore::UpdateAccessKey(const std::string& account, const std::string& user,
                                              const std::string& key_id, bool active) {
  std::unique_lock lock(mu_);
  auto k = keys_.find(key_id);
  if (k == keys_.end() || k->second.r.account_id != account ||
      NameKey(k->second.r.user_name) != NameKey(user)) {
    return api::Error(ErrorCode::kNoSuchEntity,
                      "The Access Key with id " + key_id + " cannot be found");
  }
  AccessKeyRecord updated = k->second.r;
  updated.active = active;
  if (auto st = Journal(updated); !st.ok()) return st;
  k->second.r = std::move(updated);
  return {};
}

api::ApiStatus IdentityStore::DeleteAccessKey(const std::string& account, const std::string& user,
                                              const std::string& key_id) {
  std::unique_lock lock(mu_);
  auto k = keys_.find(key_id);
  if (k == keys_.end() || k->second.r.account_id != account ||
      NameKey(k->second.r.user_name) != NameKey(user)) {
    return api::Error(ErrorCode::kNoSuchEntity,
                      "The Access Key with id " + key_id + " cannot be found");
  }
  if (auto st = JournalErase(RecordKind::kAccessKey, account, key_id); !st.ok()) return st;
  keys_.erase(k);
  return {};
}

api::ApiResult<std::shared_ptr<const auth::AccessKey>> IdentityStore::Lookup(
    std::string_view access_key_id, std::string_view session_token, int64_t now_ms) const {
  std::shared_lock lock(mu_);
  auto k = keys_.find(std::string(access_key_id));
  if (k == keys_.end() || !k->second.r.active) {
    return api::Error(ErrorCode::kInvalidClientTokenId);
  }
  return auth::CheckSessionToken(k->second.key, session_token, now_ms);
}

// --- roles -----------------------------------------------------------------------------------

api::ApiResult<RoleRecord> IdentityStore::CreateRole(
    const std::string& account, const std::string& name, const std::string& path,
    const std::string& trust_policy, const std::string& description, int64_t max_session_duration,
    std::vector<Tag> tags) {
  auth::PolicyLimits limits;
  limits.max_size = limits_.trust_policy_chars;
  limits.size_ignores_whitespace = true;
  auto trust = Parse(trust_policy, auth::PolicyKind::kTrust, limits,
                     Quota("ACLSizePerRole", limits_.trust_policy_chars));
  if (!trust.ok()) return std::move(trust).error();
  std::unique_lock lock(mu_);
  auto& roles = accounts_[account].roles;
  if (roles.count(NameKey(name))) {
    return api::Error(ErrorCode::kEntityAlreadyExists,
                      "Role with name " + name + " already exists.");
  }
  RoleEntry entry;
  entry.r.account_id = account;
  entry.r.name = name;
  entry.r.path = path;
  entry.r.id = NewUniqueId("AROA");
  entry.r.arn = IamArn(account, "role", path, name);
  entry.r.created_ms = clock_.WallMillis();
  entry.r.trust_policy = trust_policy;
  entry.r.description = description;
  entry.r.max_session_duration = max_session_duration;
  entry.r.tags = std::move(tags);
  entry.trust = *trust;
  if (auto st = Journal(entry.r); !st.ok()) return std::move(st).error();
  RoleRecord out = entry.r;
  roles.emplace(NameKey(name), std::move(entry));
  return out;
}

api::ApiResult<RoleRecord> IdentityStore::GetRole(const std::string& account,
                                                  const std::string& name) const {
  std::shared_lock lock(mu_);
  auto a = accounts_.find(account);
  return RecordIn(a == accounts_.end() ? nullptr : &a->second.roles, "role", name);
}

std::vector<RoleRecord> IdentityStore::ListRoles(const std::string& account,
                                                 const std::string& path_prefix) const {
  std::shared_lock lock(mu_);
  auto a = accounts_.find(account);
  return RecordsUnder(a == accounts_.end() ? nullptr : &a->second.roles, path_prefix);
}

api::ApiStatus IdentityStore::DeleteRole(const std::string& account, const std::string& name) {
  std::unique_lock lock(mu_);
  auto& roles = accounts_[account].roles;
  auto r = roles.find(NameKey(name));
  if (r == roles.end()) return NoSuch("role", name);
  if (!r->second.r.policies.inline_policies.empty()) return Conflict("delete policies");
  if (!r->second.r.policies.attached_arns.empty()) return Conflict("detach all policies");
  if (auto st = JournalErase(RecordKind::kRole, account, r->second.r.name); !st.ok()) return st;
  roles.erase(r);
  return {};
}

api::ApiStatus IdentityStore::UpdateAssumeRolePolicy(const std::string& account,
                                                     const std::string& name,
                                                     const std::string& trust_policy) {
  auth::PolicyLimits limits;
  limits.max_size = limits_.trust_policy_chars;
  limits.size_ignores_whitespace = true;
  auto trust = Parse(trust_policy, auth::PolicyKind::kTrust, limits,
                     Quota("ACLSizePerRole", limits_.trust_policy_chars));
  if (!trust.ok()) return std::move(trust).error();
  std::unique_lock lock(mu_);
  auto& roles = accounts_[account].roles;
  auto r = roles.find(NameKey(name));
  if (r == roles.end()) return NoSuch("role", name);
  RoleEntry copy = r->second;
  copy.r.trust_policy = trust_policy;
  copy.trust = *trust;
  if (auto st = Journal(copy.r); !st.ok()) return st;
  r->second = std::move(copy);
  return {};
}

std::optional<RoleForSession> IdentityStore::FindRoleByArn(const std::string& arn) const {
  auto parsed = ParseIamArn(arn);
  if (!parsed || parsed->kind != "role") return std::nullopt;
  std::shared_lock lock(mu_);
  auto a = accounts_.find(parsed->account_id);
  if (a == accounts_.end()) return std::nullopt;
  auto r = a->second.roles.find(NameKey(parsed->name));
  if (r == a->second.roles.end() || r->second.r.arn != arn) return std::nullopt;
  return RoleForSession{r->second.r, r->second.trust};
}

// --- groups ----------------------------------------------------------------------------------

api::ApiResult<GroupRecord> IdentityStore::CreateGroup(const std::string& account,
                                                       const std::string& name,
                                                       const std::string& path) {
  std::unique_lock lock(mu_);
  auto& groups = accounts_[account].groups;
  if (groups.count(NameKey(name))) {
    return api::Error(ErrorCode::kEntityAlreadyExists,
                      "Group with name " + name + " already exists.");
  }
  GroupEntry entry;
  entry.r.account_id = account;
  entry.r.name = name;
  entry.r.path = path;
  entry.r.id = NewUniqueId("AGPA");
  entry.r.arn = IamArn(account, "group", path, name);
  entry.r.created_ms = clock_.WallMillis();
  if (auto st = Journal(entry.r); !st.ok()) return std::move(st).error();
  GroupRecord out = entry.r;
  groups.emplace(NameKey(name), std::move(entry));
  return out;
}

api::ApiResult<GroupRecord> IdentityStore::GetGroup(const std::string& account,
                                                    const std::string& name) const {
  std::shared_lock lock(mu_);
  auto a = accounts_.find(account);
  return RecordIn(a == accounts_.end() ? nullptr : &a->second.groups, "group", name);
}

api::ApiResult<std::vector<UserRecord>> IdentityStore::GroupMembers(const std::string& account,
                                                                    const std::string& name) const {
  std::shared_lock lock(mu_);
  auto a = accounts_.find(account);
  if (a == accounts_.end() || !a->second.groups.count(NameKey(name))) {
    return NoSuch("group", name);
  }
  std::vector<UserRecord> out;
  for (const auto& [key, user] : a->second.users) {
    for (const std::string& g : user.r.groups) {
      if (NameKey(g) == NameKey(name)) out.push_back(user.r);
    }
  }
  return out;
}

std::vector<GroupRecord> IdentityStore::ListGroups(const std::string& account,
                                                   const std::string& path_prefix) const {
  std::shared_lock lock(mu_);
  auto a = accounts_.find(account);
  return RecordsUnder(a == accounts_.end() ? nullptr : &a->second.groups, path_prefix);
}

api::ApiResult<std::vector<GroupRecord>> IdentityStore::ListGroupsForUser(
    const std::string& account, const std::string& user) const {
  std::shared_lock lock(mu_);
  auto a = accounts_.find(account);
  if (a == accounts_.end()) return NoSuch("user", user);
  auto u = a->second.users.find(NameKey(user));
  if (u == a->second.users.end()) return NoSuch("user", user);
  std::vector<GroupRecord> out;
  for (const std::string& g : u->second.r.groups) {
    if (auto it = a->second.groups.find(NameKey(g)); it != a->second.groups.end()) {
      out.push_back(it->second.r);
    }
  }
  return out;
}

api::ApiStatus IdentityStore::DeleteGroup(const std::string& account, const std::string& name) {
  std::unique_lock lock(mu_);
  Account& a = accounts_[account];
  auto g = a.groups.find(NameKey(name));
  if (g == a.groups.end()) return NoSuch("group", name);
  for (const auto& [key, user] : a.users) {
    for (const std::string& member_of : user.r.groups) {
      if (NameKey(member_of) == g->first) return Conflict("remove users from group");
    }
  }
  if (!g->second.r.policies.inline_policies.empty()) return Conflict("delete policies");
  if (!g->second.r.policies.attached_arns.empty()) return Conflict("detach all policies");
  if (auto st = JournalErase(RecordKind::kGroup, account, g->second.r.name); !st.ok()) return st;
  a.groups.erase(g);
  return {};
}

api::ApiStatus IdentityStore::AddUserToGroup(const std::string& account, const std::string& group,
                                             const std::string& user) {
  std::unique_lock lock(mu_);
  Account& a = accounts_[account];
  auto g = a.groups.find(NameKey(group));
  if (g == a.groups.end()) return NoSuch("group", group);
  auto u = a.users.find(NameKey(user));
  if (u == a.users.end()) return NoSuch("user", user);
  UserEntry copy = u->second;
  for (const std::string& existing : copy.r.groups) {
    if (NameKey(existing) == g->first) return {};
  }
  if (copy.r.groups.size() >= limits_.groups_per_user) {
    return Quota("GroupsPerUser", limits_.groups_per_user);
  }
  copy.r.groups.push_back(g->second.r.name);
  if (auto st = Journal(copy.r); !st.ok()) return st;
  u->second = std::move(copy);
  return {};
}

api::ApiStatus IdentityStore::RemoveUserFromGroup(const std::string& account,
                                                  const std::string& group,
                                                  const std::string& user) {
  std::unique_lock lock(mu_);
  Account& a = accounts_[account];
  auto g = a.groups.find(NameKey(group));
  if (g == a.groups.end()) return NoSuch("group", group);
  auto u = a.users.find(NameKey(user));
  if (u == a.users.end()) return NoSuch("user", user);
  UserEntry copy = u->second;
  auto& groups = copy.r.groups;
  auto it = std::find_if(groups.begin(), groups.end(),
                         [&](const std::string& name) { return NameKey(name) == g->first; });
  if (it == groups.end()) return NoSuch("user", user);
  groups.erase(it);
  if (auto st = Journal(copy.r); !st.ok()) return st;
  u->second = std::move(copy);
  return {};
}

// --- identity policies -----------------------------------------------------------------------

void IdentityStore::AppendPolicies(const PolicyHolder& holder, const Docs& docs,
                                   const std::string& prefix, const std::string& account,
                                   std::vector<auth::NamedPolicy>& out) const {
  for (const InlinePolicy& p : holder.inline_policies) {
    auto doc = docs.find(p.name);
    if (doc != docs.end() && doc->second) out.push_back({prefix + p.name, doc->second});
  }
  for (const std::string& arn : holder.attached_arns) {
    const PolicyEntry* entry = FindPolicy(account, arn);
    if (entry && entry->doc) out.push_back({arn, entry->doc});
  }
}

std::vector<auth::NamedPolicy> IdentityStore::PoliciesOf(
    const auth::RequestPrincipal& principal) const {
  std::vector<auth::NamedPolicy> out;
  std::shared_lock lock(mu_);
  auto a = accounts_.find(principal.account_id);
  if (a == accounts_.end()) return out;
  const Account& account = a->second;
  if (principal.type == auth::PrincipalType::kUser) {
    auto u = account.users.find(NameKey(principal.user_name));
    if (u == account.users.end() || u->second.r.arn != principal.arn) return out;
    const UserRecord& user = u->second.r;
    AppendPolicies(user.policies, u->second.docs, "user/" + user.name + "/", user.account_id, out);
    for (const std::string& group_name : user.groups) {
      auto g = account.groups.find(NameKey(group_name));
      if (g == account.groups.end()) continue;
      AppendPolicies(g->second.r.policies, g->second.docs, "group/" + g->second.r.name + "/",
                     user.account_id, out);
    }
  } else if (principal.type == auth::PrincipalType::kAssumedRole) {
    auto parsed = ParseIamArn(principal.role_arn);
    if (!parsed || parsed->kind != "role") return out;
    auto r = account.roles.find(NameKey(parsed->name));
    if (r == account.roles.end() || r->second.r.arn != principal.role_arn) return out;
    AppendPolicies(r->second.r.policies, r->second.docs, "role/" + r->second.r.name + "/",
                   r->second.r.account_id, out);
  }
  return out;
}

}  // namespace wharf::iam
