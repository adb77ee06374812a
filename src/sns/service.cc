#include "sns/service.h"

#include <future>

#include "auth/credentials.h"
#include "sns/identifiers.h"
#include "sns/record_codec.h"

namespace wharf::sns {

auth::RequestPrincipal CallerOf(const api::RequestContext& ctx) {
  if (ctx.caller) return ctx.caller->principal;
  return auth::RootPrincipal(ctx.account_id);
}

SnsService::SnsService(const Clock& clock, Scheduler& scheduler, storage::Store& store,
                       sqs::SqsService& sqs, std::shared_ptr<const SigningKey> signing_key,
                       ServiceOptions options)
    : clock_(clock),
      store_(store),
      outbox_store_(options.outbox_store != nullptr ? *options.outbox_store : store),
      signing_key_(std::move(signing_key)),
      options_(std::move(options)),
      topics_(store, clock, options_.region),
      outbox_(outbox_store_, clock, options_.outbox_first_sequence),
      deliveries_(sqs, topics_, outbox_, scheduler, clock, signing_key_, options_.delivery) {}

Result<SnsService::RecoveryStats, std::string> SnsService::Recover() {
  WHARF_RETURN_IF_ERROR(topics_.Load());
  auto left = outbox_.Load();
  if (!left.ok()) return std::move(left).error();
  RecoveryStats stats;
  stats.pending_publications = left->size();
  for (Publication& p : *left) {
    deliveries_.Start(std::make_shared<const Publication>(std::move(p)));
  }
  return stats;
}

Result<size_t, std::string> SnsService::ImportOutbox(storage::Store& old_store) {
  Outbox old(old_store, clock_);
  auto left = old.Load();
  if (!left.ok()) return "the SNS outbox of the embedded store: " + left.error();
  if (left->empty()) return size_t{0};
  std::vector<uint64_t> old_numbers;
  old_numbers.reserve(left->size());
  for (const Publication& p : *left) old_numbers.push_back(p.sequence);
  std::vector<Outbox::Added> added;
  const uint64_t ticket = outbox_.Add(*left, added);
  std::promise<storage::StorageStatus> written;
  outbox_store_.WhenDurable(
      ticket, [&written](storage::StorageStatus status) { written.set_value(std::move(status)); });
  storage::StorageStatus status = written.get_future().get();
  if (!status.ok()) return "cannot move the SNS outbox: " + status.error().detail;
  // Only now: a crash before this point finds them in the old outbox again.
  for (uint64_t number : old_numbers) old.Remove(number);
  size_t started = 0;
  for (size_t i = 0; i < added.size(); ++i) {
    if (added[i].duplicate) continue;
    deliveries_.Start(std::make_shared<const Publication>(std::move((*left)[i])));
    ++started;
  }
  return started;
}

size_t SnsService::ResumeAdopted(const std::vector<std::pair<std::string, std::string>>& records) {
  size_t started = 0;
  for (const auto& [key, value] : records) {
    if (!key.starts_with(kOutboxPrefix)) continue;
    std::optional<Publication> publication = DecodePublication(value);
    if (!publication) {
      if (options_.delivery.log) options_.delivery.log("unreadable adopted outbox record " + key);
      continue;
    }
    deliveries_.Start(std::make_shared<const Publication>(std::move(*publication)));
    ++started;
  }
  return started;
}

std::string SnsService::EndpointFor(const api::RequestContext& ctx) const {
  return options_.public_endpoint.empty() ? ctx.base_url : options_.public_endpoint;
}

api::ApiResult<std::shared_ptr<const Topic>> SnsService::ResolveTopic(
    const api::RequestContext& ctx, const std::optional<std::string>& arn,
    std::string_view parameter, api::ErrorCode not_found,
    std::vector<std::pair<std::string, std::string>> condition_keys) {
  if (!arn) {
    std::string member(parameter);
    member[0] = static_cast<char>(member[0] - 'A' + 'a');  // topicArn, resourceArn
    return MissingMember(member);
  }
  WHARF_ASSIGN_OR_RETURN(const TopicRef ref, ParseTopicArn(*arn, parameter));
  const std::string_view iam_action = api::InfoOf(ctx.action).iam_action;
  std::shared_ptr<const Topic> topic;
  if (ref.region == options_.region) topic = topics_.FindTopic(ref.account, ref.name);
  if (!topic) {
    const api::ApiError missing =
        not_found == api::ErrorCode::kSnsNotFound ? TopicNotFound() : api::Error(not_found);
    if (ref.account == ctx.account_id) return missing;
    // Another account's topic that does not exist is refused like one that exists but does not
    // admit the caller: no policy grants anything, so the answer reveals nothing.
    WHARF_RETURN_IF_ERROR(Authorize(ctx, iam_action, *arn, ref.account, nullptr));
    return missing;
  }
  WHARF_RETURN_IF_ERROR(Authorize(ctx, iam_action, topic->record.arn, topic->record.account_id,
                                  topic.get(), std::move(condition_keys)));
  return topic;
}

api::ApiStatus SnsService::Authorize(
    const api::RequestContext& ctx, std::string_view iam_action, std::string_view resource,
    std::string_view resource_account, const Topic* topic,
    std::vector<std::pair<std::string, std::string>> condition_keys) {
  api::ApiStatus status;
  if (options_.authorizer == nullptr) {
    // No policies: callers reach their own account's topics only.
    if (resource != "*" && resource_account != ctx.account_id) {
      status = api::Error(api::ErrorCode::kAccessDenied);
    }
  } else {
    auth::ResourceAccess access;
    access.action = iam_action;
    access.resource = resource;
    access.resource_account = resource_account;
    access.resource_policy = topic ? topic->settings.policy.get() : nullptr;
    access.resource_policy_name = "topic policy";
    access.condition_keys = std::move(condition_keys);
    status = options_.authorizer->Authorize(ctx, access);
  }
  if (status.ok()) return status;
  // SNS answers AuthorizationError and spells the action "SNS:Publish" (sns-fanout.md §7.4);
  // the authorizer lower-cases it as SQS does.
  std::string message = std::move(status).error().message;
  std::string lowered(iam_action);
  for (char& c : lowered) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + ('a' - 'A'));
  }
  std::string spelled = "SNS:" + std::string(iam_action.substr(iam_action.find(':') + 1));
  for (size_t at = message.find(lowered); at != std::string::npos;
       at = message.find(lowered, at + spelled.size())) {
    message.replace(at, lowered.size(), spelled);
  }
  if (message.empty()) {
    message = "User: " + CallerOf(ctx).arn + " is not authorized to perform: " + spelled +
              " on resource: " + std::string(resource);
  }
  return api::Error(api::ErrorCode::kSnsAuthorizationError, std::move(message));
}

void SnsService::Publish(std::vector<Publication> publications, PublishDone done) {
  auto added = std::make_shared<std::vector<Outbox::Added>>();
  // Held until the completion is registered (the durable store completes in ticket order) or,
  // with a store that completes at once, has run.
  std::lock_guard lock(publish_mu_);
  const uint64_t ticket = outbox_.Add(publications, *added);
  // Only what was written is delivered; FIFO repeats are answered but not sent again.
  auto written = std::make_shared<std::vector<Publication>>();
  for (size_t i = 0; i < added->size(); ++i) {
    if (!(*added)[i].duplicate) written->push_back(std::move(publications[i]));
  }
  // The ticket is the outbox store's: wait on that one.
  outbox_store_.WhenDurable(
      ticket, [this, added, written, done = std::move(done)](storage::StorageStatus status) {
        if (!status.ok()) return done(false, *added);
        // Deliveries start before the answer, so a publisher that waits for it before
        // publishing again finds its messages delivered in order.
        for (Publication& p : *written) {
          deliveries_.Start(std::make_shared<const Publication>(std::move(p)));
        }
        done(true, *added);
      });
}

}  // namespace wharf::sns
