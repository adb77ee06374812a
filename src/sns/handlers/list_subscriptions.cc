// ListSubscriptions (sns-fanout.md §3): the caller's account's subscriptions, 100 per page.

#include "sns/handlers/common.h"
#include "sns/handlers/handlers.h"

namespace wharf::sns {

ApiResult<wire::ListSubscriptionsOutput> ListSubscriptions(SnsService& s, const Ctx& ctx,
                                                           wire::ListSubscriptionsInput& in) {
  WHARF_RETURN_IF_ERROR(s.Authorize(ctx, "sns:ListSubscriptions", "*", ctx.account_id, nullptr));
  WHARF_ASSIGN_OR_RETURN(const std::string after, PageStart(in.next_token));
  auto page = s.topics().ListSubscriptions(ctx.account_id, after, kPageSize + 1);
  wire::ListSubscriptionsOutput out;
  if (page.size() > kPageSize) {
    page.resize(kPageSize);
    out.next_token = PageToken(page.back()->record.arn);
  }
  for (const auto& subscription : page) out.subscriptions.push_back(ToWire(subscription->record));
  return out;
}

}  // namespace wharf::sns
