// IdentityStore: inline policies and attachments of users, roles and groups, and managed
// policies (security.md §3.3).

#include <algorithm>
#include <mutex>

#include "iam/identifiers.h"
#include "iam/identity_store.h"
#include "iam/identity_store_internal.h"

namespace wharf::iam {

using api::ErrorCode;
using namespace store_internal;

// --- policies of users, roles and groups ---------------------------------------------------

api::ApiResult<IdentityStore::HolderRef> IdentityStore::FindHolder(
    Holder holder, const std::string& account, const std::string& entity) const {
  auto a = accounts_.find(account);
  const std::string key = NameKey(entity);
  HolderRef ref;
  ref.display = std::string(KindName(holder)) + " " + entity;
  if (a != accounts_.end()) {
    switch (holder) {
      case Holder::kUser:
        if (auto it = a->second.users.find(key); it != a->second.users.end()) {
          ref.policies = &it->second.r.policies;
          ref.docs = &it->second.docs;
          return ref;
        }
        break;
      case Holder::kRole:
        if (auto it = a->second.roles.find(key); it != a->second.roles.end()) {
          ref.policies = &it->second.r.policies;
          ref.docs = &it->second.docs;
          return ref;
        }
        break;
      case Holder::kGroup:
        if (auto it = a->second.groups.find(key); it != a->second.groups.end()) {
          ref.policies = &it->second.r.policies;
          ref.docs = &it->second.docs;
          return ref;
        }
        break;
    }
  }
  return NoSuch(KindName(holder), entity);
}

template <typename Change>
api::ApiStatus IdentityStore::MutateHolder(Holder holder, const std::string& account,
                                           const std::string& entity, Change change) {
  const auto apply = [&](auto& entries) -> api::ApiStatus {
    auto it = entries.find(NameKey(entity));
    if (it == entries.end()) return NoSuch(KindName(holder), entity);
    auto copy = it->second;
    if (auto st = change(copy.r.policies, copy.docs, copy.r.name); !st.ok()) return st;
    if (auto st = Journal(copy.r); !st.ok()) return st;
    it->second = std::move(copy);
    return {};
  };
  Account& a = accounts_[account];
  switch (holder) {
    case Holder::kUser:
      return apply(a.users);
    case Holder::kRole:
      return apply(a.roles);
    case Holder::kGroup:
      return apply(a.groups);
  }
  return {};
}

api::ApiStatus IdentityStore::PutInlinePolicy(Holder holder, const std::string& account,
                                              const std::string& entity,
                                              const std::string& policy_name,
                                              const std::string& document) {
  auto parsed =
      Parse(document, auth::PolicyKind::kIdentity, {}, api::Error(ErrorCode::kLimitExceeded));
  if (!parsed.ok()) return std::move(parsed).error();
  const size_t limit = holder == Holder::kUser   ? limits_.user_inline_chars
                       : holder == Holder::kRole ? limits_.role_inline_chars
                                                 : limits_.group_inline_chars;
  std::unique_lock lock(mu_);
  return MutateHolder(
      holder, account, entity,
      [&](PolicyHolder& policies, Docs& docs, const std::string& name) -> api::ApiStatus {
        auto& list = policies.inline_policies;
        auto it = std::find_if(list.begin(), list.end(),
                               [&](const InlinePolicy& p) { return p.name == policy_name; });
        if (it == list.end()) {
          list.push_back({policy_name, document});
        } else {
          it->document = document;
        }
        size_t total = 0;
        for (const InlinePolicy& p : list) total += NonWhitespace(p.document);
        if (total > limit) {
          return api::Error(ErrorCode::kLimitExceeded,
                            "Maximum policy size of " + std::to_string(limit) +
                                " bytes exceeded for " + std::string(KindName(holder)) + " " +
                                name);
        }
        docs[policy_name] = *parsed;
        return {};
      });
}

api::ApiResult<InlinePolicy> IdentityStore::GetInlinePolicy(Holder holder,
                                                            const std::string& account,
                                                            const std::string& entity,
                                                            const std::string& policy_name) const {
  std::shared_lock lock(mu_);
  auto ref = FindHolder(holder, account, entity);
  if (!ref.ok()) return std::move(ref).error();
  for (const InlinePolicy& p : ref->policies->inline_policies) {
    if (p.name == policy_name) return p;
  }
  return NoSuch(std::string(KindName(holder)) + " policy", policy_name);
}

api::ApiResult<std::vector<std::string>> IdentityStore::ListInlinePolicies(
    Holder holder, const std::string& account, const std::string& entity) const {
  std::shared_lock lock(mu_);
  auto ref = FindHolder(holder, account, entity);
  if (!ref.ok()) return std::move(ref).error();
  std::vector<std::string> names;
  for (const InlinePolicy& p : ref->policies->inline_policies) names.push_back(p.name);
  std::sort(names.begin(), names.end());
  return names;
}

api::ApiStatus IdentityStore::DeleteInlinePolicy(Holder holder, const std::string& account,
                                                 const std::string& entity,
                                                 const std::string& policy_name) {
  std::unique_lock lock(mu_);
  return MutateHolder(
      holder, account, entity,
      [&](PolicyHolder& policies, Docs& docs, const std::string&) -> api::ApiStatus {
        auto& list = policies.inline_policies;
        auto it = std::find_if(list.begin(), list.end(),
                               [&](const InlinePolicy& p) { return p.name == policy_name; });
        if (it == list.end()) {
          return NoSuch(std::string(KindName(holder)) + " policy", policy_name);
        }
        list.erase(it);
        docs.erase(policy_name);
        return {};
      });
}

const IdentityStore::PolicyEntry* IdentityStore::FindPolicy(const std::string& account,
                                                            const std::string& arn) const {
  if (auto it = aws_policies_.find(arn); it != aws_policies_.end()) return &it->second;
  auto a = accounts_.find(account);
  if (a == accounts_.end()) return nullptr;
  auto it = a->second.policies.find(arn);
  return it == a->second.policies.end() ? nullptr : &it->second;
}

api::ApiStatus IdentityStore::AttachPolicy(Holder holder, const std::string& account,
                                           const std::string& entity,
                                           const std::string& policy_arn) {
  std::unique_lock lock(mu_);
  if (!FindPolicy(account, policy_arn)) {
    return api::Error(ErrorCode::kNoSuchEntity,
                      "Policy " + policy_arn + " does not exist or is not attachable.");
  }
  const char* quota = holder == Holder::kUser   ? "PoliciesPerUser"
                      : holder == Holder::kRole ? "PoliciesPerRole"
                                                : "PoliciesPerGroup";
  return MutateHolder(holder, account, entity,
                      [&](PolicyHolder& policies, Docs&, const std::string&) -> api::ApiStatus {
                        auto& arns = policies.attached_arns;
                        if (std::find(arns.begin(), arns.end(), policy_arn) != arns.end()) {
                          return {};  // attaching twice is a no-op, as in IAM
                        }
                        if (arns.size() >= limits_.managed_policies_per_entity) {
                          return Quota(quota, limits_.managed_policies_per_entity);
                        }
                        arns.push_back(policy_arn);
                        return {};
                      });
}

api::ApiStatus IdentityStore::DetachPolicy(Holder holder, const std::string& account,
                                           const std::string& entity,
                                           const std::string& policy_arn) {
  std::unique_lock lock(mu_);
  return MutateHolder(holder, account, entity,
                      [&](PolicyHolder& policies, Docs&, const std::string&) -> api::ApiStatus {
                        auto& arns = policies.attached_arns;
                        auto it = std::find(arns.begin(), arns.end(), policy_arn);
                        if (it == arns.end()) {
                          return api::Error(ErrorCode::kNoSuchEntity,
                                            "Policy " + policy_arn + " was not found.");
                        }
                        arns.erase(it);
                        return {};
                      });
}

api::ApiResult<std::vector<AttachedPolicyRef>> IdentityStore::ListAttachedPolicies(
    Holder holder, const std::string& account, const std::string& entity) const {
  std::shared_lock lock(mu_);
  auto ref = FindHolder(holder, account, entity);
  if (!ref.ok()) return std::move(ref).error();
  std::vector<AttachedPolicyRef> out;
  for (const std::string& arn : ref->policies->attached_arns) {
    const PolicyEntry* p = FindPolicy(account, arn);
    out.push_back({p ? p->r.name : std::string(), arn});
  }
  return out;
}

// --- managed policies ------------------------------------------------------------------------

int64_t IdentityStore::AttachmentCount(const std::string& arn) const {
  int64_t count = 0;
  const auto count_in = [&](const auto& entries) {
    for (const auto& [key, entry] : entries) {
      const auto& arns = entry.r.policies.attached_arns;
      count += std::count(arns.begin(), arns.end(), arn);
    }
  };
  for (const auto& [id, account] : accounts_) {
    count_in(account.users);
    count_in(account.roles);
    count_in(account.groups);
  }
  return count;
}

PolicyView IdentityStore::ViewOf(const PolicyEntry& entry) const {
  return PolicyView{entry.r, AttachmentCount(entry.r.arn)};
}

api::ApiResult<PolicyView> IdentityStore::CreatePolicy(const std::string& account,
                                                       const std::string& name,
                                                       const std::string& path,
                                                       const std::string& document,
                                                       const std::string& description) {
  auth::PolicyLimits limits;
  limits.max_size = limits_.managed_policy_chars;
  limits.size_ignores_whitespace = true;
  auto parsed = Parse(document, auth::PolicyKind::kIdentity, limits,
                      Quota("PolicySize", limits_.managed_policy_chars));
  if (!parsed.ok()) return std::move(parsed).error();
  std::unique_lock lock(mu_);
  auto& policies = accounts_[account].policies;
  for (const auto& [arn, entry] : policies) {
    if (NameKey(entry.r.name) == NameKey(name)) {
      return api::Error(
          ErrorCode::kEntityAlreadyExists,
          "A policy called " + name + " already exists. Duplicate names are not allowed.");
    }
  }
  PolicyEntry entry;
  entry.r.account_id = account;
  entry.r.name = name;
  entry.r.path = path;
  entry.r.id = NewUniqueId("ANPA");
  entry.r.arn = IamArn(account, "policy", path, name);
  entry.r.description = description;
  entry.r.document = document;
  entry.r.created_ms = entry.r.updated_ms = clock_.WallMillis();
  entry.doc = *parsed;
  if (auto st = Journal(entry.r); !st.ok()) return std::move(st).error();
  PolicyView view{entry.r, 0};
  policies.emplace(entry.r.arn, std::move(entry));
  return view;
}

api::ApiResult<PolicyView> IdentityStore::GetPolicy(const std::string& account,
                                                    const std::string& arn) const {
  std::shared_lock lock(mu_);
  const PolicyEntry* entry = FindPolicy(account, arn);
  if (!entry) return api::Error(ErrorCode::kNoSuchEntity, "Policy " + arn + " was not found.");
  return ViewOf(*entry);
}

std::vector<PolicyView> IdentityStore::ListPolicies(const std::string& account,
                                                    const std::string& scope, bool only_attached,
                                                    const std::string& path_prefix) const {
  std::shared_lock lock(mu_);
  std::vector<PolicyView> out;
  const auto add = [&](const PolicyEntry& entry) {
    if (!HasPrefix(entry.r.path, path_prefix)) return;
    PolicyView view = ViewOf(entry);
    if (only_attached && view.attachment_count == 0) return;
    out.push_back(std::move(view));
  };
  if (scope != "Local") {
    for (const auto& [arn, entry] : aws_policies_) add(entry);
  }
  if (scope != "AWS") {
    if (auto a = accounts_.find(account); a != accounts_.end()) {
      for (const auto& [arn, entry] : a->second.policies) add(entry);
    }
  }
  return out;
}

api::ApiStatus IdentityStore::DeletePolicy(const std::string& account, const std::string& arn) {
  std::unique_lock lock(mu_);
  auto& policies = accounts_[account].policies;
  auto it = policies.find(arn);
  if (it == policies.end()) {
    if (aws_policies_.count(arn)) {
      return api::Error(ErrorCode::kInvalidInput, "Cannot delete an AWS managed policy.");
    }
    return api::Error(ErrorCode::kNoSuchEntity, "Policy " + arn + " was not found.");
  }
  if (AttachmentCount(arn) > 0) {
    return api::Error(ErrorCode::kDeleteConflict, "Cannot delete a policy attached to entities.");
  }
  if (auto st = JournalErase(RecordKind::kManagedPolicy, account, arn); !st.ok()) return st;
  policies.erase(it);
  return {};
}

}  // namespace wharf::iam
