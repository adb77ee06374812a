// CreateRole, GetRole, ListRoles, DeleteRole, UpdateAssumeRolePolicy (security.md §3.3).

#include "iam/handlers/common.h"
#include "iam/handlers/handlers.h"

namespace wharf::iam {

using api::ErrorCode;

R<wire::RoleOutput> CreateRole(IdentityService& svc, const Ctx& ctx, wire::CreateRoleInput& in) {
  if (auto st = ValidateName("roleName", in.role_name, 64); !st.ok()) return std::move(st).error();
  if (!in.assume_role_policy_document) return MissingMember("assumeRolePolicyDocument");
  const std::string path = in.path.value_or("/");
  if (auto st = ValidatePath("path", path); !st.ok()) return std::move(st).error();
  const int64_t max_session = in.max_session_duration.value_or(3600);
  if (max_session < 3600 || max_session > 43200) {
    return api::Error(ErrorCode::kValidationError,
                      "1 validation error detected: Value '" + std::to_string(max_session) +
                          "' at 'maxSessionDuration' failed to satisfy constraint: Member must "
                          "have value less than or equal to 43200 and greater than or equal to "
                          "3600");
  }
  if (auto st = svc.AuthorizeIam(ctx, IamArn(ctx.account_id, "role", path, *in.role_name));
      !st.ok()) {
    return std::move(st).error();
  }
  auto role =
      svc.store().CreateRole(ctx.account_id, *in.role_name, path, *in.assume_role_policy_document,
                             in.description.value_or(""), max_session, FromWire(in.tags));
  if (!role.ok()) return std::move(role).error();
  return wire::RoleOutput{ToWire(*role)};
}

R<wire::RoleOutput> GetRole(IdentityService& svc, const Ctx& ctx, wire::RoleNameInput& in) {
  if (auto st = ValidateName("roleName", in.role_name, 64); !st.ok()) return std::move(st).error();
  if (auto st = svc.AuthorizeIam(ctx, RoleArn(svc, ctx.account_id, *in.role_name)); !st.ok()) {
    return std::move(st).error();
  }
  auto role = svc.store().GetRole(ctx.account_id, *in.role_name);
  if (!role.ok()) return std::move(role).error();
  return wire::RoleOutput{ToWire(*role)};
}

R<wire::ListRolesOutput> ListRoles(IdentityService& svc, const Ctx& ctx, wire::ListInput& in) {
  if (auto st = svc.AuthorizeIam(ctx, IamArn(ctx.account_id, "role", "/", "")); !st.ok()) {
    return std::move(st).error();
  }
  wire::ListRolesOutput out;
  for (const RoleRecord& r : svc.store().ListRoles(ctx.account_id, in.path_prefix.value_or("/"))) {
    out.roles.push_back(ToWire(r));
  }
  if (auto st = Paginate(out.roles, in.page, out.is_truncated, out.marker); !st.ok()) {
    return std::move(st).error();
  }
  return out;
}

R<wire::Empty> DeleteRole(IdentityService& svc, const Ctx& ctx, wire::RoleNameInput& in) {
  if (auto st = ValidateName("roleName", in.role_name, 64); !st.ok()) return std::move(st).error();
  if (auto st = svc.AuthorizeIam(ctx, RoleArn(svc, ctx.account_id, *in.role_name)); !st.ok()) {
    return std::move(st).error();
  }
  if (auto st = svc.store().DeleteRole(ctx.account_id, *in.role_name); !st.ok()) {
    return std::move(st).error();
  }
  return wire::Empty{};
}

R<wire::Empty> UpdateAssumeRolePolicy(IdentityService& svc, const Ctx& ctx,
                                      wire::RoleNameInput& in) {
  if (auto st = ValidateName("roleName", in.role_name, 64); !st.ok()) return std::move(st).error();
  if (!in.policy_document) return MissingMember("policyDocument");
  if (auto st = svc.AuthorizeIam(ctx, RoleArn(svc, ctx.account_id, *in.role_name)); !st.ok()) {
    return std::move(st).error();
  }
  if (auto st =
          svc.store().UpdateAssumeRolePolicy(ctx.account_id, *in.role_name, *in.policy_document);
      !st.ok()) {
    return std::move(st).error();
  }
  return wire::Empty{};
}

}  // namespace wharf::iam
