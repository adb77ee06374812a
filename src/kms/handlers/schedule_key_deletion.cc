// ScheduleKeyDeletion: PendingDeletion for 7–30 days (default 30), then the key and its aliases
// are gone and its ciphertexts can never be decrypted again.

#include "kms/handlers/common.h"
#include "kms/handlers/handlers.h"
#include "kms/validation.h"

namespace wharf::kms {

R<wire::ScheduleKeyDeletionOutput> ScheduleKeyDeletion(KeyService& s, const Ctx& ctx,
                                                       wire::ScheduleKeyDeletionInput& in) {
  if (auto st = CheckRange("pendingWindowInDays", in.pending_window_in_days, 7, 30); !st.ok()) {
    return std::move(st).error();
  }
  auto key = s.KeyFor(ctx, in.key_id);
  if (!key.ok()) return std::move(key).error();
  auto scheduled = s.store().ScheduleDeletion(key->key_id, in.pending_window_in_days.value_or(30));
  if (!scheduled.ok()) return std::move(scheduled).error();
  wire::ScheduleKeyDeletionOutput out;
  out.key_id = scheduled->arn;
  out.deletion_date = EpochSeconds(scheduled->deletion_ms);
  out.key_state = std::string(KeyStateName(scheduled->state));
  out.pending_window_in_days = scheduled->pending_window_days;
  return out;
}

}  // namespace wharf::kms
