#include "sns/register.h"

#include "sns/handlers/handlers.h"

namespace wharf::sns {

void RegisterHandlers(api::HandlerTable<SnsService>& table) {
  using api::Action;
  table.Add<&CreateTopic>(Action::kCreateTopic);
  table.Add<&DeleteTopic>(Action::kDeleteTopic);
  table.Add<&ListTopics>(Action::kListTopics);
  table.Add<&GetTopicAttributes>(Action::kGetTopicAttributes);
  table.Add<&SetTopicAttributes>(Action::kSetTopicAttributes);
  table.Add<&Subscribe>(Action::kSubscribe);
  table.Add<&Unsubscribe>(Action::kUnsubscribe);
  table.Add<&ListSubscriptions>(Action::kListSubscriptions);
  table.Add<&ListSubscriptionsByTopic>(Action::kListSubscriptionsByTopic);
  table.Add<&GetSubscriptionAttributes>(Action::kGetSubscriptionAttributes);
  table.Add<&SetSubscriptionAttributes>(Action::kSetSubscriptionAttributes);
  table.Add<&Publish>(Action::kPublish);
  table.Add<&PublishBatch>(Action::kPublishBatch);
  table.Add<&TagResource>(Action::kSnsTagResource);
  table.Add<&UntagResource>(Action::kSnsUntagResource);
  table.Add<&ListTagsForResource>(Action::kListTagsForResource);
}

}  // namespace wharf::sns
