// ListDeadLetterSourceQueues (sqs-api.md §2.17): the queues whose RedrivePolicy targets this one.

#include "common/base64.h"
#include "sqs/handlers/common.h"
#include "sqs/handlers/handlers.h"

namespace wharf::sqs {

ApiResult<a::ListDeadLetterSourceQueuesOutput> ListDeadLetterSourceQueues(
    SqsService& s, const RequestContext& ctx, a::ListDeadLetterSourceQueuesInput& in) {
  auto queue = s.ResolveQueue(ctx, in.queue_url);
  if (!queue.ok()) return std::move(queue).error();
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
  const std::string& arn = (*queue)->identity().arn;
  std::vector<std::shared_ptr<QueueBackend>> sources;
  for (const auto& candidate : s.queues().All()) {
    if (candidate->identity().account_id != ctx.account_id) continue;
    if (!after.empty() && candidate->identity().name <= after) continue;
    QueueConfig config = candidate->config();
    if (config.redrive_policy && config.redrive_policy->dead_letter_target_arn == arn) {
      sources.push_back(candidate);
    }
  }
  const size_t page = static_cast<size_t>(in.max_results.value_or(max));
  a::ListDeadLetterSourceQueuesOutput out;
  for (size_t i = 0; i < sources.size() && i < page; ++i) {
    out.queue_urls.push_back(s.QueueUrlOf(ctx, *sources[i]));
  }
  if (in.max_results && sources.size() > page) {
    out.next_token = Base64Encode(sources[page - 1]->identity().name);
  }
  return out;
}

}  // namespace wharf::sqs
