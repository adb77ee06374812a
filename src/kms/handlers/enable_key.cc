// EnableKey: a disabled key becomes usable again; a key pending deletion cannot be enabled
// (KMSInvalidStateException; cancel the deletion first).

#include "kms/handlers/handlers.h"

namespace wharf::kms {

R<wire::Empty> EnableKey(KeyService& s, const Ctx& ctx, wire::KeyIdInput& in) {
  auto key = s.KeyFor(ctx, in.key_id);
  if (!key.ok()) return std::move(key).error();
  if (auto st = s.store().Enable(key->key_id); !st.ok()) return std::move(st).error();
  return wire::Empty{};
}

}  // namespace wharf::kms
