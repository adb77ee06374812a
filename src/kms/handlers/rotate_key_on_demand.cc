// RotateKeyOnDemand: a new material version now, whatever the automatic schedule says.

#include "kms/handlers/handlers.h"

namespace wharf::kms {

R<wire::KeyIdOutput> RotateKeyOnDemand(KeyService& s, const Ctx& ctx, wire::KeyIdInput& in) {
  auto key = s.KeyFor(ctx, in.key_id);
  if (!key.ok()) return std::move(key).error();
  auto rotated = s.store().RotateNow(key->key_id);
  if (!rotated.ok()) return std::move(rotated).error();
  return wire::KeyIdOutput{rotated->arn};
}

}  // namespace wharf::kms
