// EnableKeyRotation: a new material version every RotationPeriodInDays (90–2560, default 365),
// made on the key's first use after the date; blobs of older versions still open.

#include "kms/handlers/handlers.h"
#include "kms/validation.h"

namespace wharf::kms {

R<wire::Empty> EnableKeyRotation(KeyService& s, const Ctx& ctx, wire::EnableKeyRotationInput& in) {
  if (auto st = CheckRange("rotationPeriodInDays", in.rotation_period_in_days, 90, 2560);
      !st.ok()) {
    return std::move(st).error();
  }
  auto key = s.KeyFor(ctx, in.key_id);
  if (!key.ok()) return std::move(key).error();
  if (auto st = s.store().EnableRotation(
          key->key_id, in.rotation_period_in_days.value_or(kDefaultRotationPeriodDays));
      !st.ok()) {
    return std::move(st).error();
  }
  return wire::Empty{};
}

}  // namespace wharf::kms
