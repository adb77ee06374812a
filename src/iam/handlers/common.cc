#include "iam/handlers/common.h"

#include "common/text.h"

namespace wharf::iam {

using api::ErrorCode;

api::iam::User ToWire(const UserRecord& r) {
  api::iam::User u;
  u.path = r.path;
  u.user_name = r.name;
  u.user_id = r.id;
  u.arn = r.arn;
  u.create_date = IsoTime(r.created_ms);
  for (const Tag& t : r.tags) u.tags.push_back({t.key, t.value});
  return u;
}

api::iam::Role ToWire(const RoleRecord& r) {
  api::iam::Role role;
  role.path = r.path;
  role.role_name = r.name;
  role.role_id = r.id;
  role.arn = r.arn;
  role.create_date = IsoTime(r.created_ms);
  role.assume_role_policy_document = UrlEncode(r.trust_policy);
  if (!r.description.empty()) role.description = r.description;
  role.max_session_duration = r.max_session_duration;
  for (const Tag& t : r.tags) role.tags.push_back({t.key, t.value});
  return role;
}

api::iam::Group ToWire(const GroupRecord& r) {
  api::iam::Group g;
  g.path = r.path;
  g.group_name = r.name;
  g.group_id = r.id;
  g.arn = r.arn;
  g.create_date = IsoTime(r.created_ms);
  return g;
}

api::iam::Policy ToWire(const PolicyView& v) {
  api::iam::Policy p;
  p.policy_name = v.record.name;
  p.policy_id = v.record.id;
  p.arn = v.record.arn;
  p.path = v.record.path;
  p.default_version_id = "v1";
  p.attachment_count = v.attachment_count;
  p.is_attachable = true;
  if (!v.record.description.empty()) p.description = v.record.description;
  p.create_date = IsoTime(v.record.created_ms);
  p.update_date = IsoTime(v.record.updated_ms);
  return p;
}

std::vector<Tag> FromWire(const std::vector<api::iam::Tag>& tags) {
  std::vector<Tag> out;
  for (const api::iam::Tag& t : tags) out.push_back({t.key, t.value});
  return out;
}

api::ApiResult<std::string> TargetUser(const api::RequestContext& ctx,
                                       const std::optional<std::string>& user_name) {
  if (user_name) {
    if (auto st = ValidateName("userName", user_name, 128); !st.ok()) return std::move(st).error();
    return *user_name;
  }
  const auth::RequestPrincipal caller = CallerOf(ctx);
  if (caller.type != auth::PrincipalType::kUser) {
    return api::Error(ErrorCode::kValidationError,
                      "Must specify userName when calling with non-User credentials");
  }
  return caller.user_name;
}

std::string UserArn(IdentityService& svc, const std::string& account, const std::string& name) {
  auto user = svc.store().GetUser(account, name);
  return IamArn(account, "user", user.ok() ? user->path : "/", name);
}

std::string RoleArn(IdentityService& svc, const std::string& account, const std::string& name) {
  auto role = svc.store().GetRole(account, name);
  return IamArn(account, "role", role.ok() ? role->path : "/", name);
}

std::string GroupArn(IdentityService& svc, const std::string& account, const std::string& name) {
  auto group = svc.store().GetGroup(account, name);
  return IamArn(account, "group", group.ok() ? group->path : "/", name);
}

api::ApiStatus CheckPage(const api::iam::Page& page, size_t& offset, size_t& limit) {
  limit = 100;
  if (page.max_items) {
    if (*page.max_items < 1 || *page.max_items > 1000) {
      return api::Error(ErrorCode::kValidationError,
                        "1 validation error detected: Value '" + std::to_string(*page.max_items) +
                            "' at 'maxItems' failed to satisfy constraint: Member must have value "
                            "less than or equal to 1000 and greater than or equal to 1");
    }
    limit = static_cast<size_t>(*page.max_items);
  }
  offset = 0;
  if (page.marker) {
    auto n = ParseInt64(*page.marker);
    if (!n || *n < 0) {
      return api::Error(ErrorCode::kValidationError, "Invalid Marker: " + *page.marker);
    }
    offset = static_cast<size_t>(*n);
  }
  return {};
}

}  // namespace wharf::iam
