#pragma once

// One handler per SNS action, each in its own file with the same shape: validate the typed
// input, resolve and authorize the topic (SnsService::ResolveTopic), call the topic store or
// publish, build the typed output. Reads answer at once; changes answer through Reply once
// durable (SnsService::AnswerWhenDurable, SnsService::Publish).

#include "api/handler_table.h"
#include "api/sns/actions.h"
#include "sns/service.h"

namespace wharf::sns {

namespace wire = api::sns;
using api::ApiResult;
using api::Reply;
using Ctx = api::RequestContext;

void CreateTopic(SnsService& s, const Ctx& ctx, wire::CreateTopicInput in,
                 Reply<wire::TopicArnOutput> reply);
void DeleteTopic(SnsService& s, const Ctx& ctx, wire::TopicArnInput in, Reply<wire::Empty> reply);
ApiResult<wire::ListTopicsOutput> ListTopics(SnsService& s, const Ctx& ctx,
                                             wire::ListTopicsInput& in);
ApiResult<wire::AttributesOutput> GetTopicAttributes(SnsService& s, const Ctx& ctx,
                                                     wire::TopicArnInput& in);
void SetTopicAttributes(SnsService& s, const Ctx& ctx, wire::SetTopicAttributesInput in,
                        Reply<wire::Empty> reply);

void Subscribe(SnsService& s, const Ctx& ctx, wire::SubscribeInput in,
               Reply<wire::SubscriptionArnOutput> reply);
void Unsubscribe(SnsService& s, const Ctx& ctx, wire::SubscriptionArnInput in,
                 Reply<wire::Empty> reply);
ApiResult<wire::ListSubscriptionsOutput> ListSubscriptions(SnsService& s, const Ctx& ctx,
                                                           wire::ListSubscriptionsInput& in);
ApiResult<wire::ListSubscriptionsOutput> ListSubscriptionsByTopic(
    SnsService& s, const Ctx& ctx, wire::ListSubscriptionsByTopicInput& in);
ApiResult<wire::AttributesOutput> GetSubscriptionAttributes(SnsService& s, const Ctx& ctx,
                                                            wire::SubscriptionArnInput& in);
void SetSubscriptionAttributes(SnsService& s, const Ctx& ctx,
                               wire::SetSubscriptionAttributesInput in, Reply<wire::Empty> reply);

void Publish(SnsService& s, const Ctx& ctx, wire::PublishInput in,
             Reply<wire::PublishOutput> reply);
void PublishBatch(SnsService& s, const Ctx& ctx, wire::PublishBatchInput in,
                  Reply<wire::PublishBatchOutput> reply);

void TagResource(SnsService& s, const Ctx& ctx, wire::TagResourceInput in,
                 Reply<wire::Empty> reply);
void UntagResource(SnsService& s, const Ctx& ctx, wire::UntagResourceInput in,
                   Reply<wire::Empty> reply);
ApiResult<wire::ListTagsForResourceOutput> ListTagsForResource(SnsService& s, const Ctx& ctx,
                                                               wire::ResourceArnInput& in);

}  // namespace wharf::sns
