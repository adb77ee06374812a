// CreateAccessKey, ListAccessKeys, UpdateAccessKey, DeleteAccessKey (security.md §3.3).
// The secret leaves the server once: in CreateAccessKey's answer.

#include "iam/handlers/common.h"
#include "iam/handlers/handlers.h"

namespace wharf::iam {

using api::ErrorCode;

R<wire::CreateAccessKeyOutput> CreateAccessKey(IdentityService& svc, const Ctx& ctx,
                                               wire::UserNameInput& in) {
  auto name = TargetUser(ctx, in.user_name);
  if (!name.ok()) return std::move(name).error();
  if (auto st = svc.AuthorizeIam(ctx, UserArn(svc, ctx.account_id, *name)); !st.ok()) {
    return std::move(st).error();
  }
  auto key = svc.store().CreateAccessKey(ctx.account_id, *name);
  if (!key.ok()) return std::move(key).error();
  wire::AccessKey out;
  out.user_name = key->user_name;
  out.access_key_id = key->access_key_id;
  out.status = "Active";
  out.secret_access_key = key->secret;
  out.create_date = IsoTime(key->created_ms);
  return wire::CreateAccessKeyOutput{std::move(out)};
}

R<wire::ListAccessKeysOutput> ListAccessKeys(IdentityService& svc, const Ctx& ctx,
                                             wire::ListAccessKeysInput& in) {
  auto name = TargetUser(ctx, in.user_name);
  if (!name.ok()) return std::move(name).error();
  if (auto st = svc.AuthorizeIam(ctx, UserArn(svc, ctx.account_id, *name)); !st.ok()) {
    return std::move(st).error();
  }
  auto keys = svc.store().ListAccessKeys(ctx.account_id, *name);
  if (!keys.ok()) return std::move(keys).error();
  wire::ListAccessKeysOutput out;
  for (const AccessKeyRecord& k : *keys) {
    out.access_key_metadata.push_back(
        {k.user_name, k.access_key_id, k.active ? "Active" : "Inactive", IsoTime(k.created_ms)});
  }
  if (auto st = Paginate(out.access_key_metadata, in.page, out.is_truncated, out.marker);
      !st.ok()) {
    return std::move(st).error();
  }
  return out;
}

R<wire::Empty> UpdateAccessKey(IdentityService& svc, const Ctx& ctx, wire::AccessKeyInput& in) {
  auto name = TargetUser(ctx, in.user_name);
  if (!name.ok()) return std::move(name).error();
  if (!in.access_key_id) return MissingMember("accessKeyId");
  if (!in.status) return MissingMember("status");
  if (*in.status != "Active" && *in.status != "Inactive") {
    return api::Error(ErrorCode::kValidationError,
                      "1 validation error detected: Value '" + *in.status +
                          "' at 'status' failed to satisfy constraint: Member must satisfy enum "
                          "value set: [Active, Inactive]");
  }
  if (auto st = svc.AuthorizeIam(ctx, UserArn(svc, ctx.account_id, *name)); !st.ok()) {
    return std::move(st).error();
  }
  if (auto st = svc.store().UpdateAccessKey(ctx.account_id, *name, *in.access_key_id,
                                            *in.status == "Active");
      !st.ok()) {
    return std::move(st).error();
  }
  return wire::Empty{};
}

R<wire::Empty> DeleteAccessKey(IdentityService& svc, const Ctx& ctx, wire::AccessKeyInput& in) {
  auto name = TargetUser(ctx, in.user_name);
  if (!name.ok()) return std::move(name).error();
  if (!in.access_key_id) return MissingMember("accessKeyId");
  if (auto st = svc.AuthorizeIam(ctx, UserArn(svc, ctx.account_id, *name)); !st.ok()) {
    return std::move(st).error();
  }
  if (auto st = svc.store().DeleteAccessKey(ctx.account_id, *name, *in.access_key_id); !st.ok()) {
    return std::move(st).error();
  }
  return wire::Empty{};
}

}  // namespace wharf::iam
