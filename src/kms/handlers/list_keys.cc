// ListKeys (security.md §4.4): the caller's keys, KeyId and KeyArn, Limit/Marker pages.

#include "kms/handlers/common.h"
#include "kms/handlers/handlers.h"

namespace wharf::kms {

R<wire::ListKeysOutput> ListKeys(KeyService& s, const Ctx& ctx, wire::PagedInput& in) {
  if (auto st = CheckPaging(in.limit, in.marker); !st.ok()) return std::move(st).error();
  if (auto st = s.AuthorizeWithoutKey(ctx, "kms:ListKeys", "*"); !st.ok()) {
    return std::move(st).error();
  }
  auto page = s.store().ListKeys(CallerAccountOf(ctx), PageSizeOf(in.limit), in.marker);
  if (!page.ok()) return std::move(page).error();
  wire::ListKeysOutput out;
  for (const KeyView& key : page->items) out.keys.push_back({key.key_id, key.arn});
  out.next_marker = page->next_marker;
  out.truncated = page->next_marker.has_value();
  return out;
}

}  // namespace wharf::kms
