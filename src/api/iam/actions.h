#pragma once

// Typed inputs and outputs of the IAM actions Wharf serves (security.md §3.3). IAM speaks AWS
// Query only: lists are wrapped ("Users.member" → <Users><member>…</member></Users>), entities
// are nested elements, timestamps ISO 8601 strings, and policy documents in outputs are
// URL-encoded JSON (§3.1).

#include <optional>
#include <string>
#include <vector>

#include "api/visitor.h"

namespace wharf::api::iam {

struct Empty {
  void Describe(Visitor&) {}
};

struct Tag {
  std::string key;
  std::string value;
  void Describe(Visitor& v) {
    v.String("Key", key);
    v.String("Value", value);
  }
};

// --- entities ------------------------------------------------------------------------------

struct User {
  // Absent only when GetUser describes the account root (no name, path or creation date).
  std::optional<std::string> path;
  std::optional<std::string> user_name;
  std::string user_id;
  std::string arn;
  std::optional<std::string> create_date;
  std::vector<Tag> tags;
  void Describe(Visitor& v) {
    v.String("Path", path);
    v.String("UserName", user_name);
    v.String("UserId", user_id);
    v.String("Arn", arn);
    v.String("CreateDate", create_date);
    if (!tags.empty()) List(v, {"Tags", "Tags.member"}, tags);
  }
};

struct Group {
  std::string path;
  std::string group_name;
  std::string group_id;
  std::string arn;
  std::string create_date;
  void Describe(Visitor& v) {
    v.String("Path", path);
    v.String("GroupName", group_name);
    v.String("GroupId", group_id);
    v.String("Arn", arn);
    v.String("CreateDate", create_date);
  }
};

struct Role {
  std::string path;
  std::string role_name;
  std::string role_id;
  std::string arn;
  std::string create_date;
  std::string assume_role_policy_document;  // URL-encoded
  std::optional<std::string> description;
  int64_t max_session_duration = 3600;
  std::vector<Tag> tags;
  void Describe(Visitor& v) {
    v.String("Path", path);
    v.String("RoleName", role_name);
    v.String("RoleId", role_id);
    v.String("Arn", arn);
    v.String("CreateDate", create_date);
    v.String("AssumeRolePolicyDocument", assume_role_policy_document);
    v.String("Description", description);
    v.Int("MaxSessionDuration", max_session_duration);
    if (!tags.empty()) List(v, {"Tags", "Tags.member"}, tags);
  }
};

struct AccessKey {
  std::string user_name;
  std::string access_key_id;
  std::string status;
  std::string secret_access_key;
  std::string create_date;
  void Describe(Visitor& v) {
    v.String("UserName", user_name);
    v.String("AccessKeyId", access_key_id);
    v.String("Status", status);
    v.String("SecretAccessKey", secret_access_key);
    v.String("CreateDate", create_date);
  }
};

struct AccessKeyMetadata {
  std::string user_name;
  std::string access_key_id;
  std::string status;
  std::string create_date;
  void Describe(Visitor& v) {
    v.String("UserName", user_name);
    v.String("AccessKeyId", access_key_id);
    v.String("Status", status);
    v.String("CreateDate", create_date);
  }
};

struct Policy {
  std::string policy_name;
  std::string policy_id;
  std::string arn;
  std::string path;
  std::string default_version_id;
  int64_t attachment_count = 0;
  int64_t permissions_boundary_usage_count = 0;
  bool is_attachable = true;
  std::optional<std::string> description;
  std::string create_date;
  std::string update_date;
  void Describe(Visitor& v) {
    v.String("PolicyName", policy_name);
    v.String("PolicyId", policy_id);
    v.String("Arn", arn);
    v.String("Path", path);
    v.String("DefaultVersionId", default_version_id);
    v.Int("AttachmentCount", attachment_count);
    v.Int("PermissionsBoundaryUsageCount", permissions_boundary_usage_count);
    v.Bool("IsAttachable", is_attachable);
    v.String("Description", description);
    v.String("CreateDate", create_date);
    v.String("UpdateDate", update_date);
  }
};

struct PolicyVersion {
  std::string document;  // URL-encoded
  std::string version_id;
  bool is_default_version = true;
  std::string create_date;
  void Describe(Visitor& v) {
    v.String("Document", document);
    v.String("VersionId", version_id);
    v.Bool("IsDefaultVersion", is_default_version);
    v.String("CreateDate", create_date);
  }
};

struct AttachedPolicy {
  std::string policy_name;
  std::string policy_arn;
  void Describe(Visitor& v) {
    v.String("PolicyName", policy_name);
    v.String("PolicyArn", policy_arn);
  }
};

// --- common inputs -------------------------------------------------------------------------

// Pagination of every List* action: Marker is the opaque position, MaxItems 1..1000.
struct Page {
  std::optional<std::string> marker;
  std::optional<int64_t> max_items;
  void Describe(Visitor& v) {
    v.String("Marker", marker);
    v.Int("MaxItems", max_items);
  }
};

// The entity a policy operation is about: exactly one of the three is used per action.
struct EntityName {
  std::optional<std::string> user_name;
  std::optional<std::string> role_name;
  std::optional<std::string> group_name;
  void Describe(Visitor& v) {
    v.String("UserName", user_name);
    v.String("RoleName", role_name);
    v.String("GroupName", group_name);
  }
};

// --- users ---------------------------------------------------------------------------------

struct CreateUserInput {
  std::optional<std::string> user_name;
  std::optional<std::string> path;
  std::vector<Tag> tags;
  void Describe(Visitor& v) {
    v.String("UserName", user_name);
    v.String("Path", path);
    List(v, {"Tags", "Tags.member"}, tags);
  }
};
struct UserOutput {  // CreateUser, GetUser
  std::optional<User> user;
  void Describe(Visitor& v) { Object(v, "User", user); }
};

struct UserNameInput {  // GetUser, DeleteUser, CreateAccessKey
  std::optional<std::string> user_name;
  void Describe(Visitor& v) { v.String("UserName", user_name); }
};

struct ListInput {  // ListUsers, ListRoles, ListGroups, ListPolicies
  std::optional<std::string> path_prefix;
  std::optional<std::string> scope;  // ListPolicies: All | AWS | Local
  bool only_attached = false;        // ListPolicies
  Page page;
  void Describe(Visitor& v) {
    v.String("PathPrefix", path_prefix);
    v.String("Scope", scope);
    v.Bool("OnlyAttached", only_attached);
    page.Describe(v);
  }
};

struct ListUsersOutput {       // ListUsers, GetGroup
  std::optional<Group> group;  // GetGroup only
  std::vector<User> users;
  bool is_truncated = false;
  std::optional<std::string> marker;
  void Describe(Visitor& v) {
    Object(v, "Group", group);
    List(v, {"Users", "Users.member"}, users);
    v.Bool("IsTruncated", is_truncated);
    v.String("Marker", marker);
  }
};

// --- access keys ---------------------------------------------------------------------------

struct CreateAccessKeyOutput {
  std::optional<AccessKey> access_key;
  void Describe(Visitor& v) { Object(v, "AccessKey", access_key); }
};

struct AccessKeyInput {  // UpdateAccessKey, DeleteAccessKey
  std::optional<std::string> user_name;
  std::optional<std::string> access_key_id;
  std::optional<std::string> status;
  void Describe(Visitor& v) {
    v.String("UserName", user_name);
    v.String("AccessKeyId", access_key_id);
    v.String("Status", status);
  }
};

struct ListAccessKeysInput {
  std::optional<std::string> user_name;
  Page page;
  void Describe(Visitor& v) {
    v.String("UserName", user_name);
    page.Describe(v);
  }
};
struct ListAccessKeysOutput {
  std::vector<AccessKeyMetadata> access_key_metadata;
  bool is_truncated = false;
  std::optional<std::string> marker;
  void Describe(Visitor& v) {
    List(v, {"AccessKeyMetadata", "AccessKeyMetadata.member"}, access_key_metadata);
    v.Bool("IsTruncated", is_truncated);
    v.String("Marker", marker);
  }
};

// --- inline policies (users, roles, groups) -------------------------------------------------

struct InlinePolicyInput {  // Put/Get/Delete{User,Role,Group}Policy
  EntityName entity;
  std::optional<std::string> policy_name;
  std::optional<std::string> policy_document;
  void Describe(Visitor& v) {
    entity.Describe(v);
    v.String("PolicyName", policy_name);
    v.String("PolicyDocument", policy_document);
  }
};
struct GetInlinePolicyOutput {
  EntityName entity;
  std::string policy_name;
  std::string policy_document;  // URL-encoded
  void Describe(Visitor& v) {
    entity.Describe(v);
    v.String("PolicyName", policy_name);
    v.String("PolicyDocument", policy_document);
  }
};

struct EntityListInput {  // List{User,Role,Group}Policies, ListAttached*Policies, ListGroupsForUser
  EntityName entity;
  std::optional<std::string> path_prefix;
  Page page;
  void Describe(Visitor& v) {
    entity.Describe(v);
    v.String("PathPrefix", path_prefix);
    page.Describe(v);
  }
};
struct ListPolicyNamesOutput {
  std::vector<std::string> policy_names;
  bool is_truncated = false;
  std::optional<std::string> marker;
  void Describe(Visitor& v) {
    v.StringList({"PolicyNames", "PolicyNames.member"}, policy_names);
    v.Bool("IsTruncated", is_truncated);
    v.String("Marker", marker);
  }
};

// --- managed policies ----------------------------------------------------------------------

struct CreatePolicyInput {
  std::optional<std::string> policy_name;
  std::optional<std::string> path;
  std::optional<std::string> policy_document;
  std::optional<std::string> description;
  std::vector<Tag> tags;
  void Describe(Visitor& v) {
    v.String("PolicyName", policy_name);
    v.String("Path", path);
    v.String("PolicyDocument", policy_document);
    v.String("Description", description);
    List(v, {"Tags", "Tags.member"}, tags);
  }
};
struct PolicyOutput {  // CreatePolicy, GetPolicy
  std::optional<Policy> policy;
  void Describe(Visitor& v) { Object(v, "Policy", policy); }
};

struct PolicyArnInput {  // GetPolicy, DeletePolicy, GetPolicyVersion
  std::optional<std::string> policy_arn;
  std::optional<std::string> version_id;
  void Describe(Visitor& v) {
    v.String("PolicyArn", policy_arn);
    v.String("VersionId", version_id);
  }
};
struct GetPolicyVersionOutput {
  std::optional<PolicyVersion> policy_version;
  void Describe(Visitor& v) { Object(v, "PolicyVersion", policy_version); }
};

struct ListPoliciesOutput {
  std::vector<Policy> policies;
  bool is_truncated = false;
  std::optional<std::string> marker;
  void Describe(Visitor& v) {
    List(v, {"Policies", "Policies.member"}, policies);
    v.Bool("IsTruncated", is_truncated);
    v.String("Marker", marker);
  }
};

struct AttachPolicyInput {  // Attach/Detach{User,Role,Group}Policy
  EntityName entity;
  std::optional<std::string> policy_arn;
  void Describe(Visitor& v) {
    entity.Describe(v);
    v.String("PolicyArn", policy_arn);
  }
};
struct ListAttachedPoliciesOutput {
  std::vector<AttachedPolicy> attached_policies;
  bool is_truncated = false;
  std::optional<std::string> marker;
  void Describe(Visitor& v) {
    List(v, {"AttachedPolicies", "AttachedPolicies.member"}, attached_policies);
    v.Bool("IsTruncated", is_truncated);
    v.String("Marker", marker);
  }
};

// --- roles ---------------------------------------------------------------------------------

struct CreateRoleInput {
  std::optional<std::string> role_name;
  std::optional<std::string> path;
  std::optional<std::string> assume_role_policy_document;
  std::optional<std::string> description;
  std::optional<int64_t> max_session_duration;
  std::vector<Tag> tags;
  void Describe(Visitor& v) {
    v.String("RoleName", role_name);
    v.String("Path", path);
    v.String("AssumeRolePolicyDocument", assume_role_policy_document);
    v.String("Description", description);
    v.Int("MaxSessionDuration", max_session_duration);
    List(v, {"Tags", "Tags.member"}, tags);
  }
};
struct RoleOutput {  // CreateRole, GetRole
  std::optional<Role> role;
  void Describe(Visitor& v) { Object(v, "Role", role); }
};

struct RoleNameInput {  // GetRole, DeleteRole, UpdateAssumeRolePolicy
  std::optional<std::string> role_name;
  std::optional<std::string> policy_document;  // UpdateAssumeRolePolicy
  void Describe(Visitor& v) {
    v.String("RoleName", role_name);
    v.String("PolicyDocument", policy_document);
  }
};

struct ListRolesOutput {
  std::vector<Role> roles;
  bool is_truncated = false;
  std::optional<std::string> marker;
  void Describe(Visitor& v) {
    List(v, {"Roles", "Roles.member"}, roles);
    v.Bool("IsTruncated", is_truncated);
    v.String("Marker", marker);
  }
};

// --- groups --------------------------------------------------------------------------------

struct CreateGroupInput {
  std::optional<std::string> group_name;
  std::optional<std::string> path;
  void Describe(Visitor& v) {
    v.String("GroupName", group_name);
    v.String("Path", path);
  }
};
struct GroupOutput {
  std::optional<Group> group;
  void Describe(Visitor& v) { Object(v, "Group", group); }
};

struct GroupInput {  // GetGroup, DeleteGroup, AddUserToGroup, RemoveUserFromGroup
  std::optional<std::string> group_name;
  std::optional<std::string> user_name;
  Page page;
  void Describe(Visitor& v) {
    v.String("GroupName", group_name);
    v.String("UserName", user_name);
    page.Describe(v);
  }
};

struct ListGroupsOutput {  // ListGroups, ListGroupsForUser
  std::vector<Group> groups;
  bool is_truncated = false;
  std::optional<std::string> marker;
  void Describe(Visitor& v) {
    List(v, {"Groups", "Groups.member"}, groups);
    v.Bool("IsTruncated", is_truncated);
    v.String("Marker", marker);
  }
};

}  // namespace wharf::api::iam
