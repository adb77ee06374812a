// ListTagsForResource (sns-fanout.md §3).

#include "sns/handlers/common.h"
#include "sns/handlers/handlers.h"

namespace wharf::sns {

ApiResult<wire::ListTagsForResourceOutput> ListTagsForResource(SnsService& s, const Ctx& ctx,
                                                               wire::ResourceArnInput& in) {
  WHARF_ASSIGN_OR_RETURN(auto topic, s.ResolveTopic(ctx, in.resource_arn, "ResourceArn",
                                                    api::ErrorCode::kSnsResourceNotFound));
  return wire::ListTagsForResourceOutput{ToWire(topic->record.tags)};
}

}  // namespace wharf::sns
