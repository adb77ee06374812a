// UntagResource: removes tags by key (unknown keys are ignored).

#include "kms/handlers/handlers.h"
#include "kms/validation.h"

namespace wharf::kms {

R<wire::Empty> UntagResource(KeyService& s, const Ctx& ctx, wire::UntagResourceInput& in) {
  for (const std::string& tag_key : in.tag_keys) {
    if (auto st = CheckLength("tagKeys.member", tag_key, 1, 128); !st.ok()) {
      return std::move(st).error();
    }
  }
  auto key = s.KeyFor(ctx, in.key_id);
  if (!key.ok()) return std::move(key).error();
  if (auto st = s.store().Untag(key->key_id, in.tag_keys); !st.ok()) return std::move(st).error();
  return wire::Empty{};
}

}  // namespace wharf::kms
