// CreateUser, GetUser, ListUsers, DeleteUser (security.md §3.3).

#include "iam/handlers/common.h"
#include "iam/handlers/handlers.h"

namespace wharf::iam {

R<wire::UserOutput> CreateUser(IdentityService& svc, const Ctx& ctx, wire::CreateUserInput& in) {
  if (auto st = ValidateName("userName", in.user_name, 64); !st.ok()) return std::move(st).error();
  const std::string path = in.path.value_or("/");
  if (auto st = ValidatePath("path", path); !st.ok()) return std::move(st).error();
  if (auto st = svc.AuthorizeIam(ctx, IamArn(ctx.account_id, "user", path, *in.user_name));
      !st.ok()) {
    return std::move(st).error();
  }
  auto user = svc.store().CreateUser(ctx.account_id, *in.user_name, path, FromWire(in.tags));
  if (!user.ok()) return std::move(user).error();
  return wire::UserOutput{ToWire(*user)};
}

R<wire::UserOutput> GetUser(IdentityService& svc, const Ctx& ctx, wire::UserNameInput& in) {
  if (!in.user_name) {
    const auth::RequestPrincipal caller = CallerOf(ctx);
    if (caller.type == auth::PrincipalType::kAccount) {
      // The root's own credentials: IAM describes the root (its account id and root ARN).
      wire::User root;
      root.user_id = caller.account_id;
      root.arn = caller.arn;
      return wire::UserOutput{std::move(root)};
    }
  }
  auto name = TargetUser(ctx, in.user_name);
  if (!name.ok()) return std::move(name).error();
  if (auto st = svc.AuthorizeIam(ctx, UserArn(svc, ctx.account_id, *name)); !st.ok()) {
    return std::move(st).error();
  }
  auto user = svc.store().GetUser(ctx.account_id, *name);
  if (!user.ok()) return std::move(user).error();
  return wire::UserOutput{ToWire(*user)};
}

R<wire::ListUsersOutput> ListUsers(IdentityService& svc, const Ctx& ctx, wire::ListInput& in) {
  if (auto st = svc.AuthorizeIam(ctx, IamArn(ctx.account_id, "user", "/", "")); !st.ok()) {
    return std::move(st).error();
  }
  wire::ListUsersOutput out;
  for (const UserRecord& r : svc.store().ListUsers(ctx.account_id, in.path_prefix.value_or("/"))) {
    out.users.push_back(ToWire(r));
  }
  if (auto st = Paginate(out.users, in.page, out.is_truncated, out.marker); !st.ok()) {
    return std::move(st).error();
  }
  return out;
}

R<wire::Empty> DeleteUser(IdentityService& svc, const Ctx& ctx, wire::UserNameInput& in) {
  if (auto st = ValidateName("userName", in.user_name, 128); !st.ok()) return std::move(st).error();
  if (auto st = svc.AuthorizeIam(ctx, UserArn(svc, ctx.account_id, *in.user_name)); !st.ok()) {
    return std::move(st).error();
  }
  if (auto st = svc.store().DeleteUser(ctx.account_id, *in.user_name); !st.ok()) {
    return std::move(st).error();
  }
  return wire::Empty{};
}

}  // namespace wharf::iam
