#pragma once

// The IAM state of every account: users, their access keys, groups, roles, managed policies,
// inline policies and attachments (security.md §3.3). It answers the IAM API's questions with
// IAM's errors, and serves the rest of the server in two roles:
//   - auth::CredentialStore: IAM users' long-term keys (inactive keys are unknown keys);
//   - auth::IdentityPolicySource: the identity-based policies of a user (inline, attached and
//     its groups') or of a role session (its role's, found through principal.role_arn), read at
//     request time so that policy changes apply to existing sessions.
// Every change goes through the IdentityJournal before it becomes visible.
// Thread-safety: all methods may be called from any thread (one reader/writer lock; IAM calls
// are rare, lookups on the request path take the shared side).

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "api/error.h"
#include "auth/authorizer.h"
#include "auth/credentials.h"
#include "auth/policy/policy_document.h"
#include "common/clock.h"
#include "common/result.h"
#include "iam/records.h"

namespace wharf::iam {

// Which entity an inline-policy or attachment operation is about.
enum class Holder : uint8_t { kUser, kRole, kGroup };

struct AttachedPolicyRef {
  std::string name;
  std::string arn;
};

struct PolicyView {
  ManagedPolicyRecord record;
  int64_t attachment_count = 0;
};

struct RoleForSession {
  RoleRecord record;
  std::shared_ptr<const auth::PolicyDocument> trust;
};

struct StoreLimits {
  size_t access_keys_per_user = 2;
  size_t managed_policies_per_entity = 10;
  size_t groups_per_user = 10;
  size_t user_inline_chars = 2048;  // aggregate, white space not counted
  size_t role_inline_chars = 10240;
  size_t group_inline_chars = 5120;
  size_t managed_policy_chars = 6144;
  size_t trust_policy_chars = 2048;
};

class IdentityStore final : public auth::CredentialStore, public auth::IdentityPolicySource {
 public:
  // `journal` must outlive the store.
  IdentityStore(const Clock& clock, IdentityJournal& journal, StoreLimits limits = {});

  // Restores the state from persisted records (at start, before serving). Records whose
  // documents no longer parse are kept, with no effect on authorization. Replaces whatever the
  // store held.
  void Load(const std::vector<IdentityRecord>& records);

  // Every persisted record, or why they cannot be read (StoreJournal::Load).
  using Loader = std::function<Result<std::vector<IdentityRecord>, std::string>()>;
  // Re-reads the records while serving (another node sharing the store changed identities)
  // and replaces the whole state with them, exactly as Load at start-up would build it. `load`
  // must return every change journaled before it was called (StoreJournal::Load waits for
  // them to be durable). It runs without the lock — lookups go on, and a store completion that
  // needs the lock cannot deadlock with it — and the result is installed only if this store
  // journaled nothing meanwhile, so a change of this node is never undone; otherwise the read
  // is tried again, a few times, then given up with an error. If `load` fails, nothing changes
  // and its error is returned. The AWS-managed policies are not persisted and stay as they are.
  Status<std::string> Reload(const Loader& load);

  // --- users ---
  api::ApiResult<UserRecord> CreateUser(const std::string& account, const std::string& name,
                                        const std::string& path, std::vector<Tag> tags);
  api::ApiResult<UserRecord> GetUser(const std::string& account, const std::string& name) const;
  std::vector<UserRecord> ListUsers(const std::string& account,
                                    const std::string& path_prefix) const;
  api::ApiStatus DeleteUser(const std::string& account, const std::string& name);

  // --- access keys ---
  api::ApiResult<AccessKeyRecord> CreateAccessKey(const std::string& account,
                                                  const std::string& user);
  // A key with the given id and secret, for fixed development credentials provisioned from
  // wharf.toml (the API only makes random ones). The record as it is when the user already has
  // exactly this key (so a restart changes nothing); EntityAlreadyExists when the id is taken by
  // another user or with another secret; the per-user key limit applies.
  api::ApiResult<AccessKeyRecord> ImportAccessKey(const std::string& account,
                                                  const std::string& user,
                                                  const std::string& key_id,
                                                  const std::string& secret);
  // Secrets are not included.
  api::ApiResult<std::vector<AccessKeyRecord>> ListAccessKeys(const std::string& account,
                                                              const std::string& user) const;
  api::ApiStatus UpdateAccessKey(const std::string& account, const std::string& user,
                                 const std::string& key_id, bool active);
  api::ApiStatus DeleteAccessKey(const std::string& account, const std::string& user,
                                 const std::string& key_id);

  // --- inline policies and attachments of users, roles and groups ---
  api::ApiStatus PutInlinePolicy(Holder holder, const std::string& account,
                                 const std::string& entity, const std::string& policy_name,
                                 const std::string& document);
  api::ApiResult<InlinePolicy> GetInlinePolicy(Holder holder, const std::string& account,
                                               const std::string& entity,
                                               const std::string& policy_name) const;
  api::ApiResult<std::vector<std::string>> ListInlinePolicies(Holder holder,
                                                              const std::string& account,
                                                              const std::string& entity) const;
  api::ApiStatus DeleteInlinePolicy(Holder holder, const std::string& account,
                                    const std::string& entity, const std::string& policy_name);
  api::ApiStatus AttachPolicy(Holder holder, const std::string& account, const std::string& entity,
                              const std::string& policy_arn);
  api::ApiStatus DetachPolicy(Holder holder, const std::string& account, const std::string& entity,
                              const std::string& policy_arn);
  api::ApiResult<std::vector<AttachedPolicyRef>> ListAttachedPolicies(
      Holder holder, const std::string& account, const std::string& entity) const;

  // --- managed policies ---
  api::ApiResult<PolicyView> CreatePolicy(const std::string& account, const std::string& name,
                                          const std::string& path, const std::string& document,
                                          const std::string& description);
  // The account's own policies and the AWS-managed ones (arn:aws:iam::aws:policy/…).
  api::ApiResult<PolicyView> GetPolicy(const std::string& account, const std::string& arn) const;
  // scope: "All" (default), "AWS" or "Local".
  std::vector<PolicyView> ListPolicies(const std::string& account, const std::string& scope,
                                       bool only_attached, const std::string& path_prefix) const;
  api::ApiStatus DeletePolicy(const std::string& account, const std::string& arn);

  // --- roles ---
  api::ApiResult<RoleRecord> CreateRole(const std::string& account, const std::string& name,
                                        const std::string& path, const std::string& trust_policy,
                                        const std::string& description,
                                        int64_t max_session_duration, std::vector<Tag> tags);
  api::ApiResult<RoleRecord> GetRole(const std::string& account, const std::string& name) const;
  std::vector<RoleRecord> ListRoles(const std::string& account,
                                    const std::string& path_prefix) const;
  api::ApiStatus DeleteRole(const std::string& account, const std::string& name);
  api::ApiStatus UpdateAssumeRolePolicy(const std::string& account, const std::string& name,
                                        const std::string& trust_policy);
  // The role an ARN names (path included), with its parsed trust policy.
  std::optional<RoleForSession> FindRoleByArn(const std::string& arn) const;

  // --- groups ---
  api::ApiResult<GroupRecord> CreateGroup(const std::string& account, const std::string& name,
                                          const std::string& path);
  api::ApiResult<GroupRecord> GetGroup(const std::string& account, const std::string& name) const;
  api::ApiResult<std::vector<UserRecord>> GroupMembers(const std::string& account,
                                                       const std::string& name) const;
  std::vector<GroupRecord> ListGroups(const std::string& account,
                                      const std::string& path_prefix) const;
  api::ApiResult<std::vector<GroupRecord>> ListGroupsForUser(const std::string& account,
                                                             const std::string& user) const;
  api::ApiStatus DeleteGroup(const std::string& account, const std::string& name);
  api::ApiStatus AddUserToGroup(const std::string& account, const std::string& group,
                                const std::string& user);
  api::ApiStatus RemoveUserFromGroup(const std::string& account, const std::string& group,
                                     const std::string& user);

  // --- auth::CredentialStore ---
  api::ApiResult<std::shared_ptr<const auth::AccessKey>> Lookup(std::string_view access_key_id,
                                                                std::string_view session_token,
                                                                int64_t now_ms) const override;
  // --- auth::IdentityPolicySource ---
  std::vector<auth::NamedPolicy> PoliciesOf(const auth::RequestPrincipal& principal) const override;

 private:
  using Docs = std::map<std::string, std::shared_ptr<const auth::PolicyDocument>>;
  struct UserEntry {
    UserRecord r;
    Docs docs;  // parsed inline policies by name
  };
  struct RoleEntry {
    RoleRecord r;
    Docs docs;
    std::shared_ptr<const auth::PolicyDocument> trust;
  };
  struct GroupEntry {
    GroupRecord r;
    Docs docs;
  };
  struct PolicyEntry {
    ManagedPolicyRecord r;
    std::shared_ptr<const auth::PolicyDocument> doc;
  };
  struct KeyEntry {
    AccessKeyRecord r;
    std::shared_ptr<const auth::AccessKey> key;  // what Lookup hands out
  };
  struct Account {
    std::map<std::string, UserEntry> users;  // by NameKey
    std::map<std::string, RoleEntry> roles;
    std::map<std::string, GroupEntry> groups;
    std::map<std::string, PolicyEntry> policies;  // by ARN
  };
  // A user, role or group seen through what it shares.
  struct HolderRef {
    const PolicyHolder* policies = nullptr;
    const Docs* docs = nullptr;
    std::string display;  // "user alice"
  };

  // The users, roles, groups, policies and access keys `records` describe, with their parsed
  // documents: what Load and Reload install.
  static void Build(const std::vector<IdentityRecord>& records,
                    std::map<std::string, Account>& accounts,
                    std::unordered_map<std::string, KeyEntry>& keys);
  // CreateAccessKey (random id and secret) and ImportAccessKey (`given` id and secret).
  api::ApiResult<AccessKeyRecord> AddAccessKey(
      const std::string& account, const std::string& user,
      const std::optional<std::pair<std::string, std::string>>& given);
  api::ApiStatus Journal(const IdentityRecord& record);
  api::ApiStatus JournalErase(RecordKind kind, const std::string& account, const std::string& name);
  api::ApiResult<HolderRef> FindHolder(Holder holder, const std::string& account,
                                       const std::string& entity) const;
  // Applies `change` to a copy of the entity's policies, journals the copy, then installs it.
  template <typename Change>
  api::ApiStatus MutateHolder(Holder holder, const std::string& account, const std::string& entity,
                              Change change);
  const PolicyEntry* FindPolicy(const std::string& account, const std::string& arn) const;
  int64_t AttachmentCount(const std::string& arn) const;
  void AppendPolicies(const PolicyHolder& holder, const Docs& docs, const std::string& prefix,
                      const std::string& account, std::vector<auth::NamedPolicy>& out) const;
  static std::shared_ptr<const auth::AccessKey> MakeKey(const AccessKeyRecord& record,
                                                        const UserRecord& user);
  PolicyView ViewOf(const PolicyEntry& entry) const;

  const Clock& clock_;
  IdentityJournal& journal_;
  const StoreLimits limits_;
  mutable std::shared_mutex mu_;
  std::map<std::string, Account> accounts_;
  std::unordered_map<std::string, KeyEntry> keys_;  // by access key id
  uint64_t journaled_ = 0;  // changes journaled so far (under mu_): Reload's validation
  std::map<std::string, PolicyEntry> aws_policies_;  // AWS-managed, by ARN
};

}  // namespace wharf::iam
