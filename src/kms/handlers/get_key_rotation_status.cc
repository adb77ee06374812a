// GetKeyRotationStatus: whether automatic rotation is on, its period and next date.

#include "kms/handlers/common.h"
#include "kms/handlers/handlers.h"

namespace wharf::kms {

R<wire::GetKeyRotationStatusOutput> GetKeyRotationStatus(KeyService& s, const Ctx& ctx,
                                                         wire::KeyIdInput& in) {
  auto key = s.KeyFor(ctx, in.key_id);
  if (!key.ok()) return std::move(key).error();
  wire::GetKeyRotationStatusOutput out;
  out.key_rotation_enabled = key->rotation_enabled;
  out.key_id = key->arn;
  if (key->rotation_enabled) {
    out.rotation_period_in_days = key->rotation_period_days;
    out.next_rotation_date = EpochSeconds(key->next_rotation_ms);
  }
  return out;
}

}  // namespace wharf::kms
