// PutKeyPolicy: replaces the key policy. The new policy must parse
// (MalformedPolicyDocumentException) and, unless BypassPolicyLockoutSafetyCheck, still let the
// caller change it.

#include "kms/handlers/handlers.h"
#include "kms/policies.h"
#include "kms/validation.h"

namespace wharf::kms {

R<wire::Empty> PutKeyPolicy(KeyService& s, const Ctx& ctx, wire::PutKeyPolicyInput& in) {
  if (auto st = CheckLength("policyName", in.policy_name, 1, 128); !st.ok()) {
    return std::move(st).error();
  }
  if (auto st = RequireLength("policy", in.policy, 1, kMaxKeyPolicyInputSize); !st.ok()) {
    return std::move(st).error();
  }
  auto key = s.KeyFor(ctx, in.key_id);
  if (!key.ok()) return std::move(key).error();
  if (in.policy_name.value_or("default") != "default") {
    return api::Error(api::ErrorCode::kNotFound, "No such policy exists");
  }
  auto policy = ParseKeyPolicy(*in.policy);
  if (!policy.ok()) return std::move(policy).error();
  if (!in.bypass_policy_lockout_safety_check) {
    if (auto st = s.CheckLockout(ctx, **policy, key->arn, key->account_id); !st.ok()) {
      return std::move(st).error();
    }
  }
  if (auto st = s.store().PutPolicy(key->key_id, *in.policy, std::move(policy).value()); !st.ok()) {
    return std::move(st).error();
  }
  return wire::Empty{};
}

}  // namespace wharf::kms
