// DeleteAlias: needs kms:DeleteAlias on the alias (identity policy) and on its key (key policy).

#include "kms/handlers/common.h"
#include "kms/handlers/handlers.h"
#include "kms/identifiers.h"

namespace wharf::kms {

R<wire::Empty> DeleteAlias(KeyService& s, const Ctx& ctx, wire::AliasInput& in) {
  if (auto st = ValidateAliasName(in.alias_name); !st.ok()) return std::move(st).error();
  const std::string account = CallerAccountOf(ctx);
  auto alias = s.store().FindAlias(account, *in.alias_name);
  if (!alias.ok()) return std::move(alias).error();
  KeyRef ref;
  ref.account_id = account;
  ref.key_id = alias->target_key_id;
  auto key = s.store().Find(ref);
  if (!key.ok()) return std::move(key).error();
  if (auto st = s.Authorize(ctx, "kms:DeleteAlias", *key); !st.ok()) return std::move(st).error();
  if (auto st = s.AuthorizeWithoutKey(ctx, "kms:DeleteAlias",
                                      AliasArn(s.region(), account, *in.alias_name));
      !st.ok()) {
    return std::move(st).error();
  }
  if (auto st = s.store().DeleteAlias(account, *in.alias_name); !st.ok()) {
    return std::move(st).error();
  }
  return wire::Empty{};
}

}  // namespace wharf::kms
