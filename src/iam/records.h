#pragma once

// The identity state as records: what the identity store keeps per account and what it hands
// to its journal for persistence. One record per entity (a user with its inline policies,
// attachments and group memberships; an access key; a role; a group; a managed policy), keyed
// by (kind, account, name). Plain data; secrets are in AccessKeyRecord only.

#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "common/result.h"

namespace wharf::iam {

struct InlinePolicy {
  std::string name;
  std::string document;  // the JSON text as given
};

// What users, roles and groups share: their identity-based policies.
struct PolicyHolder {
  std::vector<InlinePolicy> inline_policies;  // in PutXPolicy order
  std::vector<std::string> attached_arns;     // managed policies, in attach order
};

struct Tag {
  std::string key;
  std::string value;
};

struct UserRecord {
  std::string account_id;
  std::string name;
  std::string path = "/";
  std::string id;  // AIDA…
  std::string arn;
  int64_t created_ms = 0;
  std::vector<Tag> tags;
  std::vector<std::string> groups;  // group names, as given
  PolicyHolder policies;
};

struct AccessKeyRecord {
  std::string account_id;
  std::string user_name;
  std::string access_key_id;  // AKIA…
  std::string secret;         // never logged
  bool active = true;
  int64_t created_ms = 0;
};

struct RoleRecord {
  std::string account_id;
  std::string name;
  std::string path = "/";
  std::string id;  // AROA…
  std::string arn;
  int64_t created_ms = 0;
  std::string trust_policy;  // AssumeRolePolicyDocument JSON
  std::string description;
  int64_t max_session_duration = 3600;
  std::vector<Tag> tags;
  PolicyHolder policies;
};

struct GroupRecord {
  std::string account_id;
  std::string name;
  std::string path = "/";
  std::string id;  // AGPA…
  std::string arn;
  int64_t created_ms = 0;
  PolicyHolder policies;
};

struct ManagedPolicyRecord {
  std::string account_id;  // "aws" for AWS-managed policies
  std::string name;
  std::string path = "/";
  std::string id;  // ANPA…
  std::string arn;
  std::string description;
  std::string document;  // the default version (v1)
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
};

using IdentityRecord =
    std::variant<UserRecord, AccessKeyRecord, RoleRecord, GroupRecord, ManagedPolicyRecord>;

enum class RecordKind : uint8_t { kUser, kAccessKey, kRole, kGroup, kManagedPolicy };

// Where the identity store writes its changes so that they survive a restart. Called under the
// store's write lock, before the change is visible: an error fails the API call and the store
// stays as it was. Implementations must be durable when Put/Erase return ("acknowledged ⇒
// synced"); they must not log the records (access keys carry secrets).
class IdentityJournal {
 public:
  virtual ~IdentityJournal() = default;
  // Creates or replaces the record with the same (kind, account, name).
  virtual Status<std::string> Put(const IdentityRecord& record) = 0;
  // `name`: user/role/group name, access key id, or managed policy ARN.
  virtual Status<std::string> Erase(RecordKind kind, const std::string& account_id,
                                    const std::string& name) = 0;
};

// Keeps nothing: identities live as long as the process (the default until the durable store
// is wired in).
class NullJournal final : public IdentityJournal {
 public:
  Status<std::string> Put(const IdentityRecord&) override { return {}; }
  Status<std::string> Erase(RecordKind, const std::string&, const std::string&) override {
    return {};
  }
};

}  // namespace wharf::iam
