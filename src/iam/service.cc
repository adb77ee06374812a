#include "iam/service.h"

namespace wharf::iam {

auth::RequestPrincipal CallerOf(const api::RequestContext& ctx) {
  if (ctx.caller) return ctx.caller->principal;
  return auth::RootPrincipal(ctx.account_id);
}

api::ApiStatus IdentityService::Authorize(
    const api::RequestContext& ctx, std::string_view action, std::string_view resource,
    std::string_view resource_account, const auth::PolicyDocument* resource_policy,
    std::vector<std::pair<std::string, std::string>> condition_keys) const {
  auth::ResourceAccess access;
  access.action = action;
  access.resource = resource;
  access.resource_account = resource_account;
  if (resource_policy != nullptr) {
    access.resource_policy = resource_policy;
    access.resource_policy_name = "trust policy";
    access.resource_policy_role = auth::ResourcePolicyRole::kMandatory;
  }
  access.condition_keys = std::move(condition_keys);
  auto status = authorizer_.Authorize(ctx, access);
  if (status.ok()) return status;
  // The authorizer lower-cases the action as SQS does; IAM and STS keep its case.
  api::ApiError error = std::move(status).error();
  std::string lowered(action);
  for (char& c : lowered) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + ('a' - 'A'));
  }
  for (size_t at = error.message.find(lowered); at != std::string::npos;
       at = error.message.find(lowered, at + action.size())) {
    error.message.replace(at, lowered.size(), action);
  }
  return error;
}

api::ApiStatus IdentityService::AuthorizeIam(const api::RequestContext& ctx,
                                             std::string_view resource) const {
  return Authorize(ctx, api::InfoOf(ctx.action).iam_action, resource, ctx.account_id);
}

}  // namespace wharf::iam
