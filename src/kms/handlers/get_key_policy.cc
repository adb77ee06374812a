// GetKeyPolicy: the key policy as it was given (the only policy name is "default").

#include "kms/handlers/handlers.h"
#include "kms/validation.h"

namespace wharf::kms {

R<wire::GetKeyPolicyOutput> GetKeyPolicy(KeyService& s, const Ctx& ctx,
                                         wire::GetKeyPolicyInput& in) {
  if (auto st = CheckLength("policyName", in.policy_name, 1, 128); !st.ok()) {
    return std::move(st).error();
  }
  auto key = s.KeyFor(ctx, in.key_id);
  if (!key.ok()) return std::move(key).error();
  if (in.policy_name.value_or("default") != "default") {
    return api::Error(api::ErrorCode::kNotFound, "No such policy exists");
  }
  return wire::GetKeyPolicyOutput{key->policy_text, "default"};
}

}  // namespace wharf::kms
