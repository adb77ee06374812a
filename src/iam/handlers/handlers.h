#pragma once

// One function per IAM/STS action, all of the form
//   api::ApiResult<Out> Action(IdentityService&, const api::RequestContext&, In&)
// grouped by entity (users.cc, access_keys.cc, policies.cc, roles.cc, groups.cc, sts.cc).
// Each validates its input, authorizes iam:<Action> (STS: its own rules), calls the store and
// builds the output.

#include "api/error.h"
#include "api/iam/actions.h"
#include "api/request_context.h"
#include "api/sts/actions.h"
#include "iam/service.h"

namespace wharf::iam {

namespace wire = api::iam;
using Ctx = api::RequestContext;
template <typename T>
using R = api::ApiResult<T>;

// users.cc
R<wire::UserOutput> CreateUser(IdentityService&, const Ctx&, wire::CreateUserInput&);
R<wire::UserOutput> GetUser(IdentityService&, const Ctx&, wire::UserNameInput&);
R<wire::ListUsersOutput> ListUsers(IdentityService&, const Ctx&, wire::ListInput&);
R<wire::Empty> DeleteUser(IdentityService&, const Ctx&, wire::UserNameInput&);

// access_keys.cc
R<wire::CreateAccessKeyOutput> CreateAccessKey(IdentityService&, const Ctx&, wire::UserNameInput&);
R<wire::ListAccessKeysOutput> ListAccessKeys(IdentityService&, const Ctx&,
                                             wire::ListAccessKeysInput&);
R<wire::Empty> UpdateAccessKey(IdentityService&, const Ctx&, wire::AccessKeyInput&);
R<wire::Empty> DeleteAccessKey(IdentityService&, const Ctx&, wire::AccessKeyInput&);

// policies.cc: inline policies and attachments of users, roles and groups; managed policies.
R<wire::Empty> PutUserPolicy(IdentityService&, const Ctx&, wire::InlinePolicyInput&);
R<wire::GetInlinePolicyOutput> GetUserPolicy(IdentityService&, const Ctx&,
                                             wire::InlinePolicyInput&);
R<wire::ListPolicyNamesOutput> ListUserPolicies(IdentityService&, const Ctx&,
                                                wire::EntityListInput&);
R<wire::Empty> DeleteUserPolicy(IdentityService&, const Ctx&, wire::InlinePolicyInput&);
R<wire::Empty> PutRolePolicy(IdentityService&, const Ctx&, wire::InlinePolicyInput&);
R<wire::GetInlinePolicyOutput> GetRolePolicy(IdentityService&, const Ctx&,
                                             wire::InlinePolicyInput&);
R<wire::ListPolicyNamesOutput> ListRolePolicies(IdentityService&, const Ctx&,
                                                wire::EntityListInput&);
R<wire::Empty> DeleteRolePolicy(IdentityService&, const Ctx&, wire::InlinePolicyInput&);
R<wire::Empty> PutGroupPolicy(IdentityService&, const Ctx&, wire::InlinePolicyInput&);
R<wire::GetInlinePolicyOutput> GetGroupPolicy(IdentityService&, const Ctx&,
                                              wire::InlinePolicyInput&);
R<wire::ListPolicyNamesOutput> ListGroupPolicies(IdentityService&, const Ctx&,
                                                 wire::EntityListInput&);
R<wire::Empty> DeleteGroupPolicy(IdentityService&, const Ctx&, wire::InlinePolicyInput&);

R<wire::Empty> AttachUserPolicy(IdentityService&, const Ctx&, wire::AttachPolicyInput&);
R<wire::Empty> DetachUserPolicy(IdentityService&, const Ctx&, wire::AttachPolicyInput&);
R<wire::ListAttachedPoliciesOutput> ListAttachedUserPolicies(IdentityService&, const Ctx&,
                                                             wire::EntityListInput&);
R<wire::Empty> AttachRolePolicy(IdentityService&, const Ctx&, wire::AttachPolicyInput&);
R<wire::Empty> DetachRolePolicy(IdentityService&, const Ctx&, wire::AttachPolicyInput&);
R<wire::ListAttachedPoliciesOutput> ListAttachedRolePolicies(IdentityService&, const Ctx&,
                                                             wire::EntityListInput&);
R<wire::Empty> AttachGroupPolicy(IdentityService&, const Ctx&, wire::AttachPolicyInput&);
R<wire::Empty> DetachGroupPolicy(IdentityService&, const Ctx&, wire::AttachPolicyInput&);
R<wire::ListAttachedPoliciesOutput> ListAttachedGroupPolicies(IdentityService&, const Ctx&,
                                                              wire::EntityListInput&);

R<wire::PolicyOutput> CreatePolicy(IdentityService&, const Ctx&, wire::CreatePolicyInput&);
R<wire::PolicyOutput> GetPolicy(IdentityService&, const Ctx&, wire::PolicyArnInput&);
R<wire::GetPolicyVersionOutput> GetPolicyVersion(IdentityService&, const Ctx&,
                                                 wire::PolicyArnInput&);
R<wire::ListPoliciesOutput> ListPolicies(IdentityService&, const Ctx&, wire::ListInput&);
R<wire::Empty> DeletePolicy(IdentityService&, const Ctx&, wire::PolicyArnInput&);

// roles.cc
R<wire::RoleOutput> CreateRole(IdentityService&, const Ctx&, wire::CreateRoleInput&);
R<wire::RoleOutput> GetRole(IdentityService&, const Ctx&, wire::RoleNameInput&);
R<wire::ListRolesOutput> ListRoles(IdentityService&, const Ctx&, wire::ListInput&);
R<wire::Empty> DeleteRole(IdentityService&, const Ctx&, wire::RoleNameInput&);
R<wire::Empty> UpdateAssumeRolePolicy(IdentityService&, const Ctx&, wire::RoleNameInput&);

// groups.cc
R<wire::GroupOutput> CreateGroup(IdentityService&, const Ctx&, wire::CreateGroupInput&);
R<wire::ListUsersOutput> GetGroup(IdentityService&, const Ctx&, wire::GroupInput&);
R<wire::ListGroupsOutput> ListGroups(IdentityService&, const Ctx&, wire::ListInput&);
R<wire::Empty> DeleteGroup(IdentityService&, const Ctx&, wire::GroupInput&);
R<wire::Empty> AddUserToGroup(IdentityService&, const Ctx&, wire::GroupInput&);
R<wire::Empty> RemoveUserFromGroup(IdentityService&, const Ctx&, wire::GroupInput&);
R<wire::ListGroupsOutput> ListGroupsForUser(IdentityService&, const Ctx&, wire::EntityListInput&);

// sts.cc
R<api::sts::GetCallerIdentityOutput> GetCallerIdentity(IdentityService&, const Ctx&,
                                                       api::sts::Empty&);
R<api::sts::AssumeRoleOutput> AssumeRole(IdentityService&, const Ctx&, api::sts::AssumeRoleInput&);
R<api::sts::GetSessionTokenOutput> GetSessionToken(IdentityService&, const Ctx&,
                                                   api::sts::GetSessionTokenInput&);

}  // namespace wharf::iam
