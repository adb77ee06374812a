// ListQueues (sqs-api.md §2.3). The NextToken is the base64 of the last name returned.

#include "common/base64.h"
#include "sqs/handlers/common.h"
#include "sqs/handlers/handlers.h"

namespace wharf::sqs {

ApiResult<a::ListQueuesOutput> ListQueues(SqsService& s, const RequestContext& ctx,
                                          a::ListQueuesInput& in) {
  // Lists the caller's own queues only; the resource is "*" (§2.7).
  WHARF_RETURN_IF_ERROR(s.Authorize(ctx, "*", ctx.account_id, nullptr));
  const int64_t max = s.limits().max_list_results;
  if (in.max_results && (*in.max_results < 1 || *in.max_results > max)) {
    return InvalidParameterValue(std::to_string(*in.max_results), "MaxResults",
                                 "MaxResults must be an integer between 1 and 1000.");
  }
  std::string after;
  if (in.next_token && !in.next_token->empty()) {
    auto decoded = Base64Decode(*in.next_token);
    if (!decoded) {
      return api::Error(api::ErrorCode::kInvalidParameterValue, "Invalid NextToken value.");
    }
    after = std::move(*decoded);
  }
  const std::string prefix = in.queue_name_prefix.value_or("");
  const size_t page = static_cast<size_t>(in.max_results.value_or(max));
  // One more than the page tells whether a next page exists.
  auto queues = s.queues().List(ctx.account_id, prefix, after, page + 1);
  a::ListQueuesOutput out;
  for (size_t i = 0; i < queues.size() && i < page; ++i) {
    out.queue_urls.push_back(s.QueueUrlOf(ctx, *queues[i]));
  }
  // Without MaxResults AWS returns at most 1000 and never a token (§2.3).
  if (in.max_results && queues.size() > page) {
    out.next_token = Base64Encode(queues[page - 1]->identity().name);
  }
  return out;
}

}  // namespace wharf::sqs
