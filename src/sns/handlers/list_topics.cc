// ListTopics (sns-fanout.md §3): the caller's topics, 100 per page.

#include "sns/handlers/common.h"
#include "sns/handlers/handlers.h"

namespace wharf::sns {

ApiResult<wire::ListTopicsOutput> ListTopics(SnsService& s, const Ctx& ctx,
                                             wire::ListTopicsInput& in) {
  WHARF_RETURN_IF_ERROR(s.Authorize(ctx, "sns:ListTopics", "*", ctx.account_id, nullptr));
  WHARF_ASSIGN_OR_RETURN(const std::string after, PageStart(in.next_token));
  std::vector<std::string> arns = s.topics().ListTopics(ctx.account_id, after, kPageSize + 1);
  wire::ListTopicsOutput out;
  if (arns.size() > kPageSize) {
    arns.resize(kPageSize);
    const std::string& last = arns.back();
    out.next_token = PageToken(std::string_view(last).substr(last.rfind(':') + 1));
  }
  for (std::string& arn : arns) out.topics.push_back(wire::TopicEntry{std::move(arn)});
  return out;
}

}  // namespace wharf::sns
