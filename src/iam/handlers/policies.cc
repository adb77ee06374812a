// Inline policies and managed-policy attachments of users, roles and groups, and managed
// policies themselves (security.md §3.3). Documents are returned URL-encoded (§3.1).

#include "iam/handlers/common.h"
#include "iam/handlers/handlers.h"

namespace wharf::iam {
namespace {

struct HolderInfo {
  std::string_view member;  // "userName"
  std::string_view kind;    // ARN kind: "user"
};

HolderInfo InfoOf(Holder holder) {
  switch (holder) {
    case Holder::kUser:
      return {"userName", "user"};
    case Holder::kRole:
      return {"roleName", "role"};
    case Holder::kGroup:
      return {"groupName", "group"};
  }
  return {"userName", "user"};
}

const std::optional<std::string>& NameOf(Holder holder, const wire::EntityName& entity) {
  switch (holder) {
    case Holder::kUser:
      return entity.user_name;
    case Holder::kRole:
      return entity.role_name;
    case Holder::kGroup:
      return entity.group_name;
  }
  return entity.user_name;
}

// Validates the entity name and authorizes the action on the entity's ARN.
api::ApiResult<std::string> Entity(IdentityService& svc, const Ctx& ctx, Holder holder,
                                   const wire::EntityName& entity) {
  const std::optional<std::string>& name = NameOf(holder, entity);
  if (auto st = ValidateName(InfoOf(holder).member, name, 128); !st.ok()) {
    return std::move(st).error();
  }
  std::string arn;
  switch (holder) {
    case Holder::kUser:
      arn = UserArn(svc, ctx.account_id, *name);
      break;
    case Holder::kRole:
      arn = RoleArn(svc, ctx.account_id, *name);
      break;
    case Holder::kGroup:
      arn = GroupArn(svc, ctx.account_id, *name);
      break;
  }
  if (auto st = svc.AuthorizeIam(ctx, arn); !st.ok()) return std::move(st).error();
  return *name;
}

R<wire::Empty> Put(Holder holder, IdentityService& svc, const Ctx& ctx,
                   wire::InlinePolicyInput& in) {
  if (auto st = ValidateName("policyName", in.policy_name, 128); !st.ok()) {
    return std::move(st).error();
  }
  if (!in.policy_document) return MissingMember("policyDocument");
  auto name = Entity(svc, ctx, holder, in.entity);
  if (!name.ok()) return std::move(name).error();
  if (auto st = svc.store().PutInlinePolicy(holder, ctx.account_id, *name, *in.policy_name,
                                            *in.policy_document);
      !st.ok()) {
    return std::move(st).error();
  }
  return wire::Empty{};
}

R<wire::GetInlinePolicyOutput> Get(Holder holder, IdentityService& svc, const Ctx& ctx,
                                   wire::InlinePolicyInput& in) {
  if (auto st = ValidateName("policyName", in.policy_name, 128); !st.ok()) {
    return std::move(st).error();
  }
  auto name = Entity(svc, ctx, holder, in.entity);
  if (!name.ok()) return std::move(name).error();
  auto policy = svc.store().GetInlinePolicy(holder, ctx.account_id, *name, *in.policy_name);
  if (!policy.ok()) return std::move(policy).error();
  wire::GetInlinePolicyOutput out;
  out.entity = in.entity;
  out.policy_name = policy->name;
  out.policy_document = UrlEncode(policy->document);
  return out;
}

R<wire::ListPolicyNamesOutput> List(Holder holder, IdentityService& svc, const Ctx& ctx,
                                    wire::EntityListInput& in) {
  auto name = Entity(svc, ctx, holder, in.entity);
  if (!name.ok()) return std::move(name).error();
  auto names = svc.store().ListInlinePolicies(holder, ctx.account_id, *name);
  if (!names.ok()) return std::move(names).error();
  wire::ListPolicyNamesOutput out;
  out.policy_names = std::move(names).value();
  if (auto st = Paginate(out.policy_names, in.page, out.is_truncated, out.marker); !st.ok()) {
    return std::move(st).error();
  }
  return out;
}

R<wire::Empty> Delete(Holder holder, IdentityService& svc, const Ctx& ctx,
                      wire::InlinePolicyInput& in) {
  if (auto st = ValidateName("policyName", in.policy_name, 128); !st.ok()) {
    return std::move(st).error();
  }
  auto name = Entity(svc, ctx, holder, in.entity);
  if (!name.ok()) return std::move(name).error();
  if (auto st = svc.store().DeleteInlinePolicy(holder, ctx.account_id, *name, *in.policy_name);
      !st.ok()) {
    return std::move(st).error();
  }
  return wire::Empty{};
}

R<wire::Empty> Attach(Holder holder, bool attach, IdentityService& svc, const Ctx& ctx,
                      wire::AttachPolicyInput& in) {
  if (!in.policy_arn) return MissingMember("policyArn");
  auto name = Entity(svc, ctx, holder, in.entity);
  if (!name.ok()) return std::move(name).error();
  auto st = attach ? svc.store().AttachPolicy(holder, ctx.account_id, *name, *in.policy_arn)
                   : svc.store().DetachPolicy(holder, ctx.account_id, *name, *in.policy_arn);
  if (!st.ok()) return std::move(st).error();
  return wire::Empty{};
}

R<wire::ListAttachedPoliciesOutput> ListAttached(Holder holder, IdentityService& svc,
                                                 const Ctx& ctx, wire::EntityListInput& in) {
  auto name = Entity(svc, ctx, holder, in.entity);
  if (!name.ok()) return std::move(name).error();
  auto attached = svc.store().ListAttachedPolicies(holder, ctx.account_id, *name);
  if (!attached.ok()) return std::move(attached).error();
  wire::ListAttachedPoliciesOutput out;
  for (const AttachedPolicyRef& p : *attached) out.attached_policies.push_back({p.name, p.arn});
  if (auto st = Paginate(out.attached_policies, in.page, out.is_truncated, out.marker); !st.ok()) {
    return std::move(st).error();
  }
  return out;
}

}  // namespace

R<wire::Empty> PutUserPolicy(IdentityService& s, const Ctx& c, wire::InlinePolicyInput& in) {
  return Put(Holder::kUser, s, c, in);
}
R<wire::GetInlinePolicyOutput> GetUserPolicy(IdentityService& s, const Ctx& c,
                                             wire::InlinePolicyInput& in) {
  return Get(Holder::kUser, s, c, in);
}
R<wire::ListPolicyNamesOutput> ListUserPolicies(IdentityService& s, const Ctx& c,
                                                wire::EntityListInput& in) {
  return List(Holder::kUser, s, c, in);
}
R<wire::Empty> DeleteUserPolicy(IdentityService& s, const Ctx& c, wire::InlinePolicyInput& in) {
  return Delete(Holder::kUser, s, c, in);
}
R<wire::Empty> PutRolePolicy(IdentityService& s, const Ctx& c, wire::InlinePolicyInput& in) {
  return Put(Holder::kRole, s, c, in);
}
R<wire::GetInlinePolicyOutput> GetRolePolicy(IdentityService& s, const Ctx& c,
                                             wire::InlinePolicyInput& in) {
  return Get(Holder::kRole, s, c, in);
}
R<wire::ListPolicyNamesOutput> ListRolePolicies(IdentityService& s, const Ctx& c,
                                                wire::EntityListInput& in) {
  return List(Holder::kRole, s, c, in);
}
R<wire::Empty> DeleteRolePolicy(IdentityService& s, const Ctx& c, wire::InlinePolicyInput& in) {
  return Delete(Holder::kRole, s, c, in);
}
R<wire::Empty> PutGroupPolicy(IdentityService& s, const Ctx& c, wire::InlinePolicyInput& in) {
  return Put(Holder::kGroup, s, c, in);
}
R<wire::GetInlinePolicyOutput> GetGroupPolicy(IdentityService& s, const Ctx& c,
                                              wire::InlinePolicyInput& in) {
  return Get(Holder::kGroup, s, c, in);
}
R<wire::ListPolicyNamesOutput> ListGroupPolicies(IdentityService& s, const Ctx& c,
                                                 wire::EntityListInput& in) {
  return List(Holder::kGroup, s, c, in);
}
R<wire::Empty> DeleteGroupPolicy(IdentityService& s, const Ctx& c, wire::InlinePolicyInput& in) {
  return Delete(Holder::kGroup, s, c, in);
}

R<wire::Empty> AttachUserPolicy(IdentityService& s, const Ctx& c, wire::AttachPolicyInput& in) {
  return Attach(Holder::kUser, true, s, c, in);
}
R<wire::Empty> DetachUserPolicy(IdentityService& s, const Ctx& c, wire::AttachPolicyInput& in) {
  return Attach(Holder::kUser, false, s, c, in);
}
R<wire::ListAttachedPoliciesOutput> ListAttachedUserPolicies(IdentityService& s, const Ctx& c,
                                                             wire::EntityListInput& in) {
  return ListAttached(Holder::kUser, s, c, in);
}
R<wire::Empty> AttachRolePolicy(IdentityService& s, const Ctx& c, wire::AttachPolicyInput& in) {
  return Attach(Holder::kRole, true, s, c, in);
}
R<wire::Empty> DetachRolePolicy(IdentityService& s, const Ctx& c, wire::AttachPolicyInput& in) {
  return Attach(Holder::kRole, false, s, c, in);
}
R<wire::ListAttachedPoliciesOutput> ListAttachedRolePolicies(IdentityService& s, const Ctx& c,
                                                             wire::EntityListInput& in) {
  return ListAttached(Holder::kRole, s, c, in);
}
R<wire::Empty> AttachGroupPolicy(IdentityService& s, const Ctx& c, wire::AttachPolicyInput& in) {
  return Attach(Holder::kGroup, true, s, c, in);
}
R<wire::Empty> DetachGroupPolicy(IdentityService& s, const Ctx& c, wire::AttachPolicyInput& in) {
  return Attach(Holder::kGroup, false, s, c, in);
}
R<wire::ListAttachedPoliciesOutput> ListAttachedGroupPolicies(IdentityService& s, const Ctx& c,
                                                              wire::EntityListInput& in) {
  return ListAttached(Holder::kGroup, s, c, in);
}

// --- managed policies ------------------------------------------------------------------------

R<wire::PolicyOutput> CreatePolicy(IdentityService& svc, const Ctx& ctx,
                                   wire::CreatePolicyInput& in) {
  if (auto st = ValidateName("policyName", in.policy_name, 128); !st.ok()) {
    return std::move(st).error();
  }
  if (!in.policy_document) return MissingMember("policyDocument");
  const std::string path = in.path.value_or("/");
  if (auto st = ValidatePath("path", path); !st.ok()) return std::move(st).error();
  if (auto st = svc.AuthorizeIam(ctx, IamArn(ctx.account_id, "policy", path, *in.policy_name));
      !st.ok()) {
    return std::move(st).error();
  }
  auto view = svc.store().CreatePolicy(ctx.account_id, *in.policy_name, path, *in.policy_document,
                                       in.description.value_or(""));
  if (!view.ok()) return std::move(view).error();
  return wire::PolicyOutput{ToWire(*view)};
}

R<wire::PolicyOutput> GetPolicy(IdentityService& svc, const Ctx& ctx, wire::PolicyArnInput& in) {
  if (!in.policy_arn) return MissingMember("policyArn");
  if (auto st = svc.AuthorizeIam(ctx, *in.policy_arn); !st.ok()) return std::move(st).error();
  auto view = svc.store().GetPolicy(ctx.account_id, *in.policy_arn);
  if (!view.ok()) return std::move(view).error();
  return wire::PolicyOutput{ToWire(*view)};
}

R<wire::GetPolicyVersionOutput> GetPolicyVersion(IdentityService& svc, const Ctx& ctx,
                                                 wire::PolicyArnInput& in) {
  if (!in.policy_arn) return MissingMember("policyArn");
  if (!in.version_id) return MissingMember("versionId");
  if (auto st = svc.AuthorizeIam(ctx, *in.policy_arn); !st.ok()) return std::move(st).error();
  auto view = svc.store().GetPolicy(ctx.account_id, *in.policy_arn);
  if (!view.ok()) return std::move(view).error();
  if (*in.version_id != "v1") {
    return api::Error(api::ErrorCode::kNoSuchEntity, "Policy " + *in.policy_arn + " version " +
                                                         *in.version_id +
                                                         " does not exist or is not attachable.");
  }
  wire::PolicyVersion version;
  version.document = UrlEncode(view->record.document);
  version.version_id = "v1";
  version.is_default_version = true;
  version.create_date = IsoTime(view->record.created_ms);
  return wire::GetPolicyVersionOutput{std::move(version)};
}

R<wire::ListPoliciesOutput> ListPolicies(IdentityService& svc, const Ctx& ctx,
                                         wire::ListInput& in) {
  const std::string scope = in.scope.value_or("All");
  if (scope != "All" && scope != "AWS" && scope != "Local") {
    return api::Error(api::ErrorCode::kValidationError,
                      "1 validation error detected: Value '" + scope +
                          "' at 'scope' failed to satisfy constraint: Member must satisfy enum "
                          "value set: [All, AWS, Local]");
  }
  if (auto st = svc.AuthorizeIam(ctx, IamArn(ctx.account_id, "policy", "/", "")); !st.ok()) {
    return std::move(st).error();
  }
  wire::ListPoliciesOutput out;
  for (const PolicyView& v : svc.store().ListPolicies(ctx.account_id, scope, in.only_attached,
                                                      in.path_prefix.value_or("/"))) {
    out.policies.push_back(ToWire(v));
  }
  if (auto st = Paginate(out.policies, in.page, out.is_truncated, out.marker); !st.ok()) {
    return std::move(st).error();
  }
  return out;
}

R<wire::Empty> DeletePolicy(IdentityService& svc, const Ctx& ctx, wire::PolicyArnInput& in) {
  if (!in.policy_arn) return MissingMember("policyArn");
  if (auto st = svc.AuthorizeIam(ctx, *in.policy_arn); !st.ok()) return std::move(st).error();
  if (auto st = svc.store().DeletePolicy(ctx.account_id, *in.policy_arn); !st.ok()) {
    return std::move(st).error();
  }
  return wire::Empty{};
}

}  // namespace wharf::iam
