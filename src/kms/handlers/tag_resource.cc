// TagResource: adds or replaces tags (at most 50 per key).

#include "kms/handlers/common.h"
#include "kms/handlers/handlers.h"

namespace wharf::kms {

R<wire::Empty> TagResource(KeyService& s, const Ctx& ctx, wire::TagResourceInput& in) {
  auto tags = ValidateTags(in.tags);
  if (!tags.ok()) return std::move(tags).error();
  auto key = s.KeyFor(ctx, in.key_id);
  if (!key.ok()) return std::move(key).error();
  if (auto st = s.store().Tag(key->key_id, *tags); !st.ok()) return std::move(st).error();
  return wire::Empty{};
}

}  // namespace wharf::kms
