#include "iam/register.h"

#include "iam/handlers/handlers.h"

namespace wharf::iam {

void RegisterHandlers(api::HandlerTable<IdentityService>& table) {
  using api::Action;
  table.Add<&CreateUser>(Action::kCreateUser);
  table.Add<&GetUser>(Action::kGetUser);
  table.Add<&ListUsers>(Action::kListUsers);
  table.Add<&DeleteUser>(Action::kDeleteUser);
  table.Add<&CreateAccessKey>(Action::kCreateAccessKey);
  table.Add<&ListAccessKeys>(Action::kListAccessKeys);
  table.Add<&UpdateAccessKey>(Action::kUpdateAccessKey);
  table.Add<&DeleteAccessKey>(Action::kDeleteAccessKey);
  table.Add<&PutUserPolicy>(Action::kPutUserPolicy);
  table.Add<&GetUserPolicy>(Action::kGetUserPolicy);
  table.Add<&ListUserPolicies>(Action::kListUserPolicies);
  table.Add<&DeleteUserPolicy>(Action::kDeleteUserPolicy);
  table.Add<&PutRolePolicy>(Action::kPutRolePolicy);
  table.Add<&GetRolePolicy>(Action::kGetRolePolicy);
  table.Add<&ListRolePolicies>(Action::kListRolePolicies);
  table.Add<&DeleteRolePolicy>(Action::kDeleteRolePolicy);
  table.Add<&PutGroupPolicy>(Action::kPutGroupPolicy);
  table.Add<&GetGroupPolicy>(Action::kGetGroupPolicy);
  table.Add<&ListGroupPolicies>(Action::kListGroupPolicies);
  table.Add<&DeleteGroupPolicy>(Action::kDeleteGroupPolicy);
  table.Add<&AttachUserPolicy>(Action::kAttachUserPolicy);
  table.Add<&DetachUserPolicy>(Action::kDetachUserPolicy);
  table.Add<&ListAttachedUserPolicies>(Action::kListAttachedUserPolicies);
  table.Add<&AttachRolePolicy>(Action::kAttachRolePolicy);
  table.Add<&DetachRolePolicy>(Action::kDetachRolePolicy);
  table.Add<&ListAttachedRolePolicies>(Action::kListAttachedRolePolicies);
  table.Add<&AttachGroupPolicy>(Action::kAttachGroupPolicy);
  table.Add<&DetachGroupPolicy>(Action::kDetachGroupPolicy);
  table.Add<&ListAttachedGroupPolicies>(Action::kListAttachedGroupPolicies);
  table.Add<&CreatePolicy>(Action::kCreatePolicy);
  table.Add<&GetPolicy>(Action::kGetPolicy);
  table.Add<&GetPolicyVersion>(Action::kGetPolicyVersion);
  table.Add<&ListPolicies>(Action::kListPolicies);
  table.Add<&DeletePolicy>(Action::kDeletePolicy);
  table.Add<&CreateRole>(Action::kCreateRole);
  table.Add<&GetRole>(Action::kGetRole);
  table.Add<&ListRoles>(Action::kListRoles);
  table.Add<&DeleteRole>(Action::kDeleteRole);
  table.Add<&UpdateAssumeRolePolicy>(Action::kUpdateAssumeRolePolicy);
  table.Add<&CreateGroup>(Action::kCreateGroup);
  table.Add<&GetGroup>(Action::kGetGroup);
  table.Add<&ListGroups>(Action::kListGroups);
  table.Add<&DeleteGroup>(Action::kDeleteGroup);
  table.Add<&AddUserToGroup>(Action::kAddUserToGroup);
  table.Add<&RemoveUserFromGroup>(Action::kRemoveUserFromGroup);
  table.Add<&ListGroupsForUser>(Action::kListGroupsForUser);
  table.Add<&GetCallerIdentity>(Action::kGetCallerIdentity);
  table.Add<&AssumeRole>(Action::kAssumeRole);
  table.Add<&GetSessionToken>(Action::kGetSessionToken);
}

}  // namespace wharf::iam
