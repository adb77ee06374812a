#pragma once

// What the IAM and STS handlers share: conversions from records to wire shapes, pagination,
// and the target-user rule of actions whose UserName is optional.

#include <optional>
#include <string>
#include <vector>

#include "api/iam/actions.h"
#include "api/request_context.h"
#include "iam/identifiers.h"
#include "iam/records.h"
#include "iam/service.h"

namespace wharf::iam {

api::iam::User ToWire(const UserRecord& r);
api::iam::Role ToWire(const RoleRecord& r);
api::iam::Group ToWire(const GroupRecord& r);
api::iam::Policy ToWire(const PolicyView& v);
std::vector<Tag> FromWire(const std::vector<api::iam::Tag>& tags);

// The user an action with an optional UserName is about: the named one, or the calling user.
api::ApiResult<std::string> TargetUser(const api::RequestContext& ctx,
                                       const std::optional<std::string>& user_name);

// The ARN of an account's user/role/group for authorization: with its path when it exists.
std::string UserArn(IdentityService& svc, const std::string& account, const std::string& name);
std::string RoleArn(IdentityService& svc, const std::string& account, const std::string& name);
std::string GroupArn(IdentityService& svc, const std::string& account, const std::string& name);

// Cuts `items` to one page: Marker is the decimal offset handed out by the previous page.
template <typename T>
api::ApiStatus Paginate(std::vector<T>& items, const api::iam::Page& page, bool& is_truncated,
                        std::optional<std::string>& next_marker);

api::ApiStatus CheckPage(const api::iam::Page& page, size_t& offset, size_t& limit);

template <typename T>
api::ApiStatus Paginate(std::vector<T>& items, const api::iam::Page& page, bool& is_truncated,
                        std::optional<std::string>& next_marker) {
  size_t offset = 0;
  size_t limit = 0;
  if (auto st = CheckPage(page, offset, limit); !st.ok()) return st;
  if (offset > items.size()) offset = items.size();
  items.erase(items.begin(), items.begin() + static_cast<std::ptrdiff_t>(offset));
  is_truncated = items.size() > limit;
  if (is_truncated) {
    items.resize(limit);
    next_marker = std::to_string(offset + limit);
  }
  return {};
}

}  // namespace wharf::iam
