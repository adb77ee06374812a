// UpdateAlias: points an existing alias at another key of the account. Needs kms:UpdateAlias on
// the alias (identity policy), on the key it pointed at and on the new one (key policies).

#include "kms/handlers/common.h"
#include "kms/handlers/handlers.h"
#include "kms/identifiers.h"

namespace wharf::kms {

R<wire::Empty> UpdateAlias(KeyService& s, const Ctx& ctx, wire::AliasInput& in) {
  if (auto st = ValidateAliasName(in.alias_name); !st.ok()) return std::move(st).error();
  if (in.target_key_id && (in.target_key_id->starts_with(kAliasPrefix) ||
                           in.target_key_id->find(":alias/") != std::string::npos)) {
    return api::Error(api::ErrorCode::kValidationError, "Aliases must refer to keys. Not aliases");
  }
  const std::string account = CallerAccountOf(ctx);
  auto alias = s.store().FindAlias(account, *in.alias_name);
  if (!alias.ok()) return std::move(alias).error();
  auto target = s.KeyFor(ctx, in.target_key_id, {}, nullptr, "targetKeyId");
  if (!target.ok()) return std::move(target).error();
  KeyRef current_ref;
  current_ref.account_id = account;
  current_ref.key_id = alias->target_key_id;
  auto current = s.store().Find(current_ref);
  if (!current.ok()) return std::move(current).error();
  if (auto st = s.Authorize(ctx, "kms:UpdateAlias", *current); !st.ok()) {
    return std::move(st).error();
  }
  if (auto st = s.AuthorizeWithoutKey(ctx, "kms:UpdateAlias",
                                      AliasArn(s.region(), account, *in.alias_name));
      !st.ok()) {
    return std::move(st).error();
  }
  if (auto st = s.store().UpdateAlias(account, *in.alias_name, target->key_id); !st.ok()) {
    return std::move(st).error();
  }
  return wire::Empty{};
}

}  // namespace wharf::kms
