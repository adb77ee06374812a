#include "sqs/service_delivery.h"

#include <memory>
#include <utility>
#include <vector>

#include "auth/authorizer.h"
#include "auth/credentials.h"
#include "common/ids.h"
#include "sqs/message_validation.h"
#include "sqs/service.h"

namespace wharf::sqs {
namespace {

// The caller of a service delivery: the service principal itself. It has no account, no ARN
// and no identity policies (security.md §2.4).
std::shared_ptr<const auth::AccessKey> ServiceCaller(const std::string& service) {
  auto key = std::make_shared<auth::AccessKey>();
  key->principal.type = auth::PrincipalType::kService;
  key->principal.service = service;
  return key;
}

}  // namespace

bool IsRetryableDeliveryError(const api::ApiError& error) {
  switch (error.code) {
    case api::ErrorCode::kServiceUnavailable:
    case api::ErrorCode::kInternalFailure:
    case api::ErrorCode::kRequestThrottled:
    case api::ErrorCode::kThrottling:
    case api::ErrorCode::kKmsThrottled:
      return true;
    default:
      return false;
  }
}

void SendAsService(SqsService& sqs, std::string_view queue_arn, ServiceMessage m,
                   ServiceSendDone done) {
  std::shared_ptr<QueueBackend> queue = sqs.queues().FindByArn(queue_arn);
  if (!queue) return done(api::Error(api::ErrorCode::kQueueDoesNotExist));

  api::RequestContext ctx;
  ctx.request_id = NewUuid();
  ctx.action = api::Action::kSendMessage;
  ctx.region = sqs.region();
  ctx.sender_id = m.sender_id;
  ctx.secure_transport = true;  // a service never calls in clear (sns-fanout.md §7.1)
  ctx.caller = ServiceCaller(m.service);

  const std::shared_ptr<const auth::PolicyDocument> policy = queue->policy();
  auth::ResourceAccess access;
  access.action = "sqs:SendMessage";
  access.resource = queue->identity().arn;
  access.resource_account = queue->identity().account_id;
  access.resource_policy = policy.get();
  access.resource_policy_name = "queue policy";
  access.condition_keys = {{"aws:SourceArn", m.source_arn},
                           {"aws:SourceAccount", m.source_account}};
  // Without an authorizer (engine tests) the same rules apply, without identities or audit.
  const auth::Authorizer fallback(nullptr, sqs.clock());
  const auth::Authorizer& authorizer = sqs.authorizer() ? *sqs.authorizer() : fallback;
  if (api::ApiStatus allowed = authorizer.Authorize(ctx, access); !allowed.ok()) {
    return done(std::move(allowed).error());
  }

  std::optional<std::string> body = std::move(m.body);
  std::optional<int64_t> no_delay;
  api::sqs::MessageAttributeMap no_system_attributes;
  SendFields fields{body,      no_delay, m.attributes, no_system_attributes, m.deduplication_id,
                    m.group_id};
  const SendRules rules = queue->send_rules();
  auto message =
      BuildMessage(fields, SendKind::kSingle, rules, sqs.limits(), ctx, sqs.clock().WallMillis());
  if (!message.ok()) return done(std::move(message).error());
  std::vector<NewMessage> batch;
  batch.push_back(std::move(message).value());
  // SSE-KMS: sealed under a data key the service itself obtains, so the key policy must let the
  // service principal use the key (kms:GenerateDataKey, kms:Decrypt), as on AWS; a refusal is
  // the same Kms* error a client would get, final unless KMS throttled.
  if (rules.kms_master_key_id) {
    if (api::ApiStatus sealed = sqs.encryption().SealForSend(ctx, queue->identity(), rules, batch);
        !sealed.ok()) {
      return done(std::move(sealed).error());
    }
  }
  queue->Send(std::move(batch),
              [done = std::move(done)](api::ApiResult<std::vector<SendResult>> result) {
                if (!result.ok()) return done(std::move(result).error());
                done(std::move(result->front()));
              });
}

}  // namespace wharf::sqs
