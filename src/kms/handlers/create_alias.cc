// CreateAlias (security.md §4.4): "alias/" + [a-zA-Z0-9:/_-], not alias/aws/…, pointing at a key
// (id or ARN) of the caller's account. Needs kms:CreateAlias on the alias (identity policy) and
// on the key (key policy).

#include "kms/handlers/common.h"
#include "kms/handlers/handlers.h"
#include "kms/identifiers.h"

namespace wharf::kms {

R<wire::Empty> CreateAlias(KeyService& s, const Ctx& ctx, wire::AliasInput& in) {
  if (auto st = ValidateAliasName(in.alias_name); !st.ok()) return std::move(st).error();
  if (in.target_key_id && (in.target_key_id->starts_with(kAliasPrefix) ||
                           in.target_key_id->find(":alias/") != std::string::npos)) {
    return api::Error(api::ErrorCode::kValidationError, "Aliases must refer to keys. Not aliases");
  }
  auto key = s.KeyFor(ctx, in.target_key_id, {}, nullptr, "targetKeyId");
  if (!key.ok()) return std::move(key).error();
  const std::string account = CallerAccountOf(ctx);
  if (auto st = s.AuthorizeWithoutKey(ctx, "kms:CreateAlias",
                                      AliasArn(s.region(), account, *in.alias_name));
      !st.ok()) {
    return std::move(st).error();
  }
  if (auto st = s.store().CreateAlias(account, *in.alias_name, key->key_id); !st.ok()) {
    return std::move(st).error();
  }
  return wire::Empty{};
}

}  // namespace wharf::kms
