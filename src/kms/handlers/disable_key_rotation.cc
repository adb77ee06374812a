// DisableKeyRotation.

#include "kms/handlers/handlers.h"

namespace wharf::kms {

R<wire::Empty> DisableKeyRotation(KeyService& s, const Ctx& ctx, wire::KeyIdInput& in) {
  auto key = s.KeyFor(ctx, in.key_id);
  if (!key.ok()) return std::move(key).error();
  if (auto st = s.store().DisableRotation(key->key_id); !st.ok()) return std::move(st).error();
  return wire::Empty{};
}

}  // namespace wharf::kms
