// ListAliases (security.md §4.4): the caller's aliases, or only those of KeyId (a key id or key
// ARN), with TargetKeyId as the bare key id.

#include "kms/handlers/common.h"
#include "kms/handlers/handlers.h"
#include "kms/identifiers.h"
#include "kms/validation.h"

namespace wharf::kms {

R<wire::ListAliasesOutput> ListAliases(KeyService& s, const Ctx& ctx, wire::ListAliasesInput& in) {
  if (auto st = CheckPaging(in.limit, in.marker); !st.ok()) return std::move(st).error();
  if (auto st = CheckLength("keyId", in.key_id, 1, 2048); !st.ok()) return std::move(st).error();
  if (auto st = s.AuthorizeWithoutKey(ctx, "kms:ListAliases", "*"); !st.ok()) {
    return std::move(st).error();
  }
  const std::string account = CallerAccountOf(ctx);
  std::optional<std::string> key_id;
  if (in.key_id) {
    auto ref = ParseKeyRef(*in.key_id, account, s.region());
    if (!ref || ref->is_alias()) return InvalidKeyId(*in.key_id);
    auto key = s.store().Find(*ref);
    if (!key.ok()) return std::move(key).error();
    key_id = key->key_id;
  }
  auto page = s.store().ListAliases(account, key_id, PageSizeOf(in.limit), in.marker);
  if (!page.ok()) return std::move(page).error();
  wire::ListAliasesOutput out;
  for (const AliasRecord& alias : page->items) {
    wire::AliasListEntry entry;
    entry.alias_name = alias.name;
    entry.alias_arn = AliasArn(s.region(), account, alias.name);
    entry.target_key_id = alias.target_key_id;
    entry.creation_date = EpochSeconds(alias.created_ms);
    entry.last_updated_date = EpochSeconds(alias.updated_ms);
    out.aliases.push_back(std::move(entry));
  }
  out.next_marker = page->next_marker;
  out.truncated = page->next_marker.has_value();
  return out;
}

}  // namespace wharf::kms
