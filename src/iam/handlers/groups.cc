// CreateGroup, GetGroup, ListGroups, DeleteGroup, AddUserToGroup, RemoveUserFromGroup,
// ListGroupsForUser (security.md §3.3).

#include "iam/handlers/common.h"
#include "iam/handlers/handlers.h"

namespace wharf::iam {

R<wire::GroupOutput> CreateGroup(IdentityService& svc, const Ctx& ctx, wire::CreateGroupInput& in) {
  if (auto st = ValidateName("groupName", in.group_name, 128); !st.ok()) {
    return std::move(st).error();
  }
  const std::string path = in.path.value_or("/");
  if (auto st = ValidatePath("path", path); !st.ok()) return std::move(st).error();
  if (auto st = svc.AuthorizeIam(ctx, IamArn(ctx.account_id, "group", path, *in.group_name));
      !st.ok()) {
    return std::move(st).error();
  }
  auto group = svc.store().CreateGroup(ctx.account_id, *in.group_name, path);
  if (!group.ok()) return std::move(group).error();
  return wire::GroupOutput{ToWire(*group)};
}

R<wire::ListUsersOutput> GetGroup(IdentityService& svc, const Ctx& ctx, wire::GroupInput& in) {
  if (auto st = ValidateName("groupName", in.group_name, 128); !st.ok()) {
    return std::move(st).error();
  }
  if (auto st = svc.AuthorizeIam(ctx, GroupArn(svc, ctx.account_id, *in.group_name)); !st.ok()) {
    return std::move(st).error();
  }
  auto group = svc.store().GetGroup(ctx.account_id, *in.group_name);
  if (!group.ok()) return std::move(group).error();
  auto members = svc.store().GroupMembers(ctx.account_id, *in.group_name);
  if (!members.ok()) return std::move(members).error();
  wire::ListUsersOutput out;
  out.group = ToWire(*group);
  for (const UserRecord& u : *members) out.users.push_back(ToWire(u));
  if (auto st = Paginate(out.users, in.page, out.is_truncated, out.marker); !st.ok()) {
    return std::move(st).error();
  }
  return out;
}

R<wire::ListGroupsOutput> ListGroups(IdentityService& svc, const Ctx& ctx, wire::ListInput& in) {
  if (auto st = svc.AuthorizeIam(ctx, IamArn(ctx.account_id, "group", "/", "")); !st.ok()) {
    return std::move(st).error();
  }
  wire::ListGroupsOutput out;
  for (const GroupRecord& g :
       svc.store().ListGroups(ctx.account_id, in.path_prefix.value_or("/"))) {
    out.groups.push_back(ToWire(g));
  }
  if (auto st = Paginate(out.groups, in.page, out.is_truncated, out.marker); !st.ok()) {
    return std::move(st).error();
  }
  return out;
}

R<wire::Empty> DeleteGroup(IdentityService& svc, const Ctx& ctx, wire::GroupInput& in) {
  if (auto st = ValidateName("groupName", in.group_name, 128); !st.ok()) {
    return std::move(st).error();
  }
  if (auto st = svc.AuthorizeIam(ctx, GroupArn(svc, ctx.account_id, *in.group_name)); !st.ok()) {
    return std::move(st).error();
  }
  if (auto st = svc.store().DeleteGroup(ctx.account_id, *in.group_name); !st.ok()) {
    return std::move(st).error();
  }
  return wire::Empty{};
}

namespace {

R<wire::Empty> Membership(bool add, IdentityService& svc, const Ctx& ctx, wire::GroupInput& in) {
  if (auto st = ValidateName("groupName", in.group_name, 128); !st.ok()) {
    return std::move(st).error();
  }
  if (auto st = ValidateName("userName", in.user_name, 128); !st.ok()) {
    return std::move(st).error();
  }
  if (auto st = svc.AuthorizeIam(ctx, GroupArn(svc, ctx.account_id, *in.group_name)); !st.ok()) {
    return std::move(st).error();
  }
  auto st = add ? svc.store().AddUserToGroup(ctx.account_id, *in.group_name, *in.user_name)
                : svc.store().RemoveUserFromGroup(ctx.account_id, *in.group_name, *in.user_name);
  if (!st.ok()) return std::move(st).error();
  return wire::Empty{};
}

}  // namespace

R<wire::Empty> AddUserToGroup(IdentityService& svc, const Ctx& ctx, wire::GroupInput& in) {
  return Membership(true, svc, ctx, in);
}

R<wire::Empty> RemoveUserFromGroup(IdentityService& svc, const Ctx& ctx, wire::GroupInput& in) {
  return Membership(false, svc, ctx, in);
}

R<wire::ListGroupsOutput> ListGroupsForUser(IdentityService& svc, const Ctx& ctx,
                                            wire::EntityListInput& in) {
  if (auto st = ValidateName("userName", in.entity.user_name, 128); !st.ok()) {
    return std::move(st).error();
  }
  if (auto st = svc.AuthorizeIam(ctx, UserArn(svc, ctx.account_id, *in.entity.user_name));
      !st.ok()) {
    return std::move(st).error();
  }
  auto groups = svc.store().ListGroupsForUser(ctx.account_id, *in.entity.user_name);
  if (!groups.ok()) return std::move(groups).error();
  wire::ListGroupsOutput out;
  for (const GroupRecord& g : *groups) out.groups.push_back(ToWire(g));
  if (auto st = Paginate(out.groups, in.page, out.is_truncated, out.marker); !st.ok()) {
    return std::move(st).error();
  }
  return out;
}

}  // namespace wharf::iam
