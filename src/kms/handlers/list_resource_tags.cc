// ListResourceTags: a key's tags in key order, Limit/Marker pages (the marker is the last key).

#include <algorithm>

#include "kms/handlers/common.h"
#include "kms/handlers/handlers.h"

namespace wharf::kms {

R<wire::ListResourceTagsOutput> ListResourceTags(KeyService& s, const Ctx& ctx,
                                                 wire::ListResourceTagsInput& in) {
  if (auto st = CheckPaging(in.limit, in.marker); !st.ok()) return std::move(st).error();
  auto key = s.KeyFor(ctx, in.key_id);
  if (!key.ok()) return std::move(key).error();
  const size_t limit = PageSizeOf(in.limit);
  auto it = in.marker ? std::upper_bound(key->tags.begin(), key->tags.end(), *in.marker,
                                         [](const std::string& marker, const auto& tag) {
                                           return marker < tag.first;
                                         })
                      : key->tags.begin();
  wire::ListResourceTagsOutput out;
  for (; it != key->tags.end(); ++it) {
    if (out.tags.size() == limit) {
      out.next_marker = out.tags.back().tag_key;
      out.truncated = true;
      break;
    }
    out.tags.push_back({it->first, it->second});
  }
  return out;
}

}  // namespace wharf::kms
