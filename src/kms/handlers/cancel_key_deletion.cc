// CancelKeyDeletion: the key comes back Disabled, not Enabled (security.md §4.4).

#include "kms/handlers/handlers.h"

namespace wharf::kms {

R<wire::KeyIdOutput> CancelKeyDeletion(KeyService& s, const Ctx& ctx, wire::KeyIdInput& in) {
  auto key = s.KeyFor(ctx, in.key_id);
  if (!key.ok()) return std::move(key).error();
  auto cancelled = s.store().CancelDeletion(key->key_id);
  if (!cancelled.ok()) return std::move(cancelled).error();
  return wire::KeyIdOutput{cancelled->arn};
}

}  // namespace wharf::kms
