#pragma once

// Every topic and subscription, in memory for serving and as keyed objects in the store for
// restarts (record_codec.h). A change is appended to the store under the lock (so records reach
// the disk in the order the state changed) and applied in memory at once; the caller answers
// its client only once the returned ticket is durable (SnsService::AnswerWhenDurable).
//
// Topics and subscriptions are immutable snapshots replaced whole on change: a reader (a
// delivery, GetTopicAttributes) keeps a consistent copy without holding the lock.
// Thread-safety: every method may be called from any thread (one reader/writer lock).

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "api/error.h"
#include "common/clock.h"
#include "common/result.h"
#include "sns/records.h"
#include "sns/subscription_attributes.h"
#include "sns/subscription_filter.h"
#include "sns/topic_attributes.h"
#include "storage/store.h"

namespace wharf::sns {

struct Topic {
  TopicRecord record;
  TopicSettings settings;
};

struct Subscription {
  SubscriptionRecord record;
  SubscriptionSettings settings;
  SubscriptionFilter filter;
};

class TopicStore {
 public:
  TopicStore(storage::Store& store, const Clock& clock, std::string region);

  // Reads every stored topic and subscription (start-up, before serving). Fails, naming the
  // object, on one it cannot read, and then changes nothing. Replaces whatever the store held.
  Status<std::string> Load();
  // The same while serving (another node sharing the store changed topics or subscriptions):
  // waits for the changes appended so far to be durable, reads, and replaces the whole state.
  // The read runs without the lock (requests go on, and a store completion that needs the lock
  // cannot deadlock with it) and is installed only if this store appended no change meanwhile,
  // so a change of this node is never undone; otherwise it is tried again, a few times, then
  // given up with an error. Deliveries in flight keep the subscription they hold, as they do
  // when it is unsubscribed; publications not yet fanned out skip the subscriptions that are
  // gone. If the read fails, nothing changes. Not on the store's completion thread.
  Status<std::string> Reload();

  const std::string& region() const { return region_; }

  struct Changed {
    std::string arn;
    uint64_t ticket = 0;  // wait for it before answering
  };

  // Creates `proposed` (account, name, fifo, attributes and tags validated; arn and time are
  // filled in), or returns the existing topic of that name when the `given` attributes match
  // its own and, if `tags_given`, so do the tags ("Topic already exists with different …").
  api::ApiResult<Changed> CreateTopic(TopicRecord proposed, const api::StringPairs& given,
                                      bool tags_given);
  // Deletes the topic and its subscriptions; nothing happens (and it is no error) if it is gone.
  uint64_t DeleteTopic(std::string_view account, std::string_view name);
  std::shared_ptr<const Topic> FindTopic(std::string_view account, std::string_view name) const;
  // ARNs of `account`'s topics in name order, after the topic named `after`, at most `limit`.
  std::vector<std::string> ListTopics(std::string_view account, std::string_view after,
                                      size_t limit) const;
  SubscriptionCounts CountsOf(std::string_view account, std::string_view name) const;
  // Changes a topic's record through `edit` (which validates and may refuse). NotFound when the
  // topic is gone.
  using TopicEdit = std::function<api::ApiStatus(TopicRecord&)>;
  api::ApiResult<uint64_t> EditTopic(std::string_view account, std::string_view name,
                                     const TopicEdit& edit);

  // Subscribes `proposed.endpoint` to `proposed.topic_arn` (the topic `account`/`name`), or
  // returns the existing subscription of the same (topic, protocol, endpoint) when the `given`
  // attributes match its own. NotFound when the topic is gone.
  api::ApiResult<Changed> Subscribe(std::string_view account, std::string_view name,
                                    SubscriptionRecord proposed, const api::StringPairs& given);
  // NotFound "Subscription does not exist".
  api::ApiResult<uint64_t> Unsubscribe(std::string_view arn);
  std::shared_ptr<const Subscription> FindSubscription(std::string_view arn) const;
  using SubscriptionEdit = std::function<api::ApiStatus(SubscriptionRecord&)>;
  api::ApiResult<uint64_t> EditSubscription(std::string_view arn, const SubscriptionEdit& edit);
  // The topic's subscriptions in the order they were made.
  std::vector<std::shared_ptr<const Subscription>> SubscriptionsOf(std::string_view account,
                                                                   std::string_view name) const;
  // Subscriptions in ARN order after `after`, at most `limit`: all of `owner`'s, or (with a
  // topic) all of the topic's.
  std::vector<std::shared_ptr<const Subscription>> ListSubscriptions(std::string_view owner,
                                                                     std::string_view after,
                                                                     size_t limit) const;
  std::vector<std::shared_ptr<const Subscription>> ListSubscriptionsByTopic(
      std::string_view topic_arn, std::string_view after, size_t limit) const;

 private:
  struct TopicEntry {
    std::shared_ptr<const Topic> topic;
    std::vector<std::shared_ptr<const Subscription>> subscriptions;  // in subscribe order
  };
  using TopicMap = std::map<std::string, TopicEntry>;  // "account/name"
  using SubscriptionMap = std::map<std::string, std::shared_ptr<const Subscription>, std::less<>>;
  static std::string Key(std::string_view account, std::string_view name);
  // Reads every stored topic and subscription into `topics` and `subscriptions` (empty).
  Status<std::string> Read(TopicMap& topics, SubscriptionMap& subscriptions);
  // Appends one object put (or delete, with an empty payload) and returns the ticket. Under mu_.
  uint64_t Put(std::string key, std::string payload);
  uint64_t Erase(std::vector<std::string> keys);
  static std::shared_ptr<const Topic> MakeTopic(TopicRecord record);
  static api::ApiResult<std::shared_ptr<const Subscription>> MakeSubscription(
      SubscriptionRecord record);

  storage::Store& store_;
  const Clock& clock_;
  const std::string region_;
  mutable std::shared_mutex mu_;
  TopicMap topics_;                // "account/name"
  SubscriptionMap subscriptions_;  // by ARN
  uint64_t changes_ = 0;           // puts and erases appended so far: Reload's validation
};

// NotFound "Topic does not exist" / "Subscription does not exist".
api::ApiError TopicNotFound();
api::ApiError SubscriptionNotFound();

}  // namespace wharf::sns
