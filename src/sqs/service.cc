#include "sqs/service.h"

namespace wharf::sqs {

api::ApiError MissingParameter(std::string_view name) {
  return api::Error(api::ErrorCode::kMissingParameter,
                    "The request must contain the parameter " + std::string(name) + ".");
}

SqsService::SqsService(const Clock& clock, Scheduler& scheduler, storage::Store& store,
                       ServiceOptions options)
    : clock_(clock),
      store_(store),
      options_(std::move(options)),
      registry_(QueueDeps{&clock_, &scheduler, &store_, &options_.limits}, options_.region) {}

api::ApiResult<std::shared_ptr<Queue>> SqsService::ResolveQueue(
    const api::RequestContext& ctx, const std::optional<std::string>& queue_url) {
  if (!queue_url || queue_url->empty()) return MissingParameter("QueueUrl");
  std::string_view url = *queue_url;
  // Drop scheme and host: only the path names the queue.
  if (size_t scheme = url.find("://"); scheme != std::string_view::npos) {
    size_t path = url.find('/', scheme + 3);
    url = path == std::string_view::npos ? std::string_view() : url.substr(path);
  }
  while (!url.empty() && url.back() == '/') url.remove_suffix(1);
  std::string_view account = ctx.account_id;
  std::string_view name = url;
  if (size_t slash = url.rfind('/'); slash != std::string_view::npos) {
    name = url.substr(slash + 1);
    std::string_view head = url.substr(0, slash);
    size_t prev = head.rfind('/');
    account = prev == std::string_view::npos ? head : head.substr(prev + 1);
  }
  std::shared_ptr<Queue> queue;
  if (!name.empty() && !account.empty()) queue = registry_.Find(account, name);
  if (!queue) return api::Error(api::ErrorCode::kQueueDoesNotExist);
  return queue;
}

std::string SqsService::QueueUrlOf(const api::RequestContext& ctx, const Queue& queue) const {
  std::string url = ctx.base_url;
  url.push_back('/');
  url.append(queue.identity().account_id);
  url.push_back('/');
  url.append(queue.identity().name);
  return url;
}

QueueTypeLookup SqsService::TypeLookup() {
  return [this](std::string_view arn) -> std::optional<bool> {
    auto queue = registry_.FindByArn(arn);
    if (!queue) return std::nullopt;
    return queue->identity().fifo;
  };
}

}  // namespace wharf::sqs
