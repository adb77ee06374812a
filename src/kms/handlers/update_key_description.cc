// UpdateKeyDescription.

#include "kms/handlers/handlers.h"
#include "kms/validation.h"

namespace wharf::kms {

R<wire::Empty> UpdateKeyDescription(KeyService& s, const Ctx& ctx,
                                    wire::UpdateKeyDescriptionInput& in) {
  if (auto st = RequireLength("description", in.description, 0, 8192); !st.ok()) {
    return std::move(st).error();
  }
  auto key = s.KeyFor(ctx, in.key_id);
  if (!key.ok()) return std::move(key).error();
  if (auto st = s.store().SetDescription(key->key_id, *in.description); !st.ok()) {
    return std::move(st).error();
  }
  return wire::Empty{};
}

}  // namespace wharf::kms
