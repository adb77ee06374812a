// Reloading topics and subscriptions while serving (SnsService::ReloadTopics): two services over
// one store stand for two nodes sharing it. What one node changes, the other sees after a reload
// — creations, changes and deletions — and a reload that cannot read the store changes nothing.
// The outbox may live in a store of its own (ServiceOptions::outbox_store): publications and
// their sequence go there, never into the topics' store.

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <future>
#include <vector>

#include "reload_race.h"
#include "sns/record_codec.h"
#include "sns/topic_store.h"
#include "sns_test_support.h"
#include "storage/rocks_store.h"
#include "storage_key.h"
#include "temp_dir.h"

namespace wharf::sns {
namespace {

using testing::QueueArn;
using testing::Services;
using testing::TopicArn;
using wharf::testing::RaceReloads;
using wharf::testing::TempDir;

std::unique_ptr<storage::RocksStore> Open(const std::string& dir) {
  storage::RocksOptions options;
  options.directory = dir;
  options.sealing_key = wharf::testing::TestStorageKey();
  auto opened = storage::RocksStore::Open(options);
  EXPECT_TRUE(opened.ok());
  return opened.ok() ? std::move(opened).value() : nullptr;
}

// Waits until everything appended so far, and what its completions appended, is durable.
void Settle(storage::Store& store) {
  for (int round = 0; round < 3; ++round) {
    std::promise<void> done;
    store.WhenDurable(store.Append({}), [&done](storage::StorageStatus) { done.set_value(); });
    done.get_future().wait();
  }
}

size_t ObjectsUnder(storage::Store& store, std::string_view prefix) {
  size_t n = 0;
  EXPECT_TRUE(store.ScanObjects(prefix, [&n](auto, auto) { ++n; }).ok());
  return n;
}

std::vector<std::string> TopicArns(Services& s) {
  auto listed = s.Call(&ListTopics, api::Action::kListTopics, api::sns::ListTopicsInput{});
  EXPECT_TRUE(listed.ok());
  std::vector<std::string> arns;
  if (listed.ok()) {
    for (const auto& t : listed->topics) arns.push_back(t.topic_arn);
  }
  return arns;
}

std::vector<std::string> SubscriptionArns(Services& s, const std::string& topic) {
  std::vector<std::string> arns;
  for (const auto& sub : s.sns.topics().SubscriptionsOf(testing::kAccount, topic)) {
    arns.push_back(sub->record.arn);
  }
  return arns;
}

std::string DisplayNameOf(Services& s, const std::string& topic) {
  auto found = s.sns.topics().FindTopic(testing::kAccount, topic);
  if (!found) return "<none>";
  for (const auto& [name, value] : found->record.attributes) {
    if (name == "DisplayName") return value;
  }
  return "";
}

TEST(TopicReloadTest, ASecondNodeSeesCreationsChangesAndDeletionsAfterAReload) {
  TempDir dir;
  ManualClock clock;
  auto store = Open(dir.db());
  ASSERT_NE(store, nullptr);
  Services one(clock, *store);
  Services two(clock, *store);
  ASSERT_TRUE(one.sns.Recover().ok());
  ASSERT_TRUE(two.sns.Recover().ok());

  one.CreateTopic("orders", {{"DisplayName", "Orders"}});
  one.CreateTopic("gone");
  const std::string kept = one.Subscribe(TopicArn("orders"), QueueArn("q"));
  // Loads order a topic's subscriptions by creation time (then ARN, a random UUID): one
  // millisecond apart, they come back in subscribe order.
  clock.Advance(std::chrono::milliseconds(1));
  const std::string dropped = one.Subscribe(TopicArn("orders"), QueueArn("other"));
  one.Subscribe(TopicArn("gone"), QueueArn("q"));
  EXPECT_TRUE(TopicArns(two).empty()) << "nothing before the reload";

  ASSERT_TRUE(two.sns.ReloadTopics().ok());
  EXPECT_EQ(TopicArns(two), (std::vector<std::string>{TopicArn("gone"), TopicArn("orders")}));
  EXPECT_EQ(SubscriptionArns(two, "orders"), (std::vector<std::string>{kept, dropped}));
  EXPECT_EQ(DisplayNameOf(two, "orders"), "Orders");
  ASSERT_NE(two.sns.topics().FindSubscription(dropped), nullptr);

  api::sns::SetTopicAttributesInput set{TopicArn("orders"), "DisplayName", "Renamed"};
  ASSERT_TRUE(one.Call(&SetTopicAttributes, api::Action::kSetTopicAttributes, set).ok());
  ASSERT_TRUE(
      one.Call(&Unsubscribe, api::Action::kUnsubscribe, api::sns::SubscriptionArnInput{dropped})
          .ok());
  ASSERT_TRUE(
      one.Call(&DeleteTopic, api::Action::kDeleteTopic, api::sns::TopicArnInput{TopicArn("gone")})
          .ok());
  // The second node's own change, made just before its reload, is not undone by it.
  two.CreateTopic("mine");

  ASSERT_TRUE(two.sns.ReloadTopics().ok());
  EXPECT_EQ(TopicArns(two), (std::vector<std::string>{TopicArn("mine"), TopicArn("orders")}));
  EXPECT_EQ(DisplayNameOf(two, "orders"), "Renamed");
  EXPECT_EQ(SubscriptionArns(two, "orders"), (std::vector<std::string>{kept}));
  EXPECT_EQ(two.sns.topics().FindSubscription(dropped), nullptr);
  EXPECT_TRUE(SubscriptionArns(two, "gone").empty());

  // Reloaded is the same as freshly loaded.
  Services fresh(clock, *store);
  ASSERT_TRUE(fresh.sns.Recover().ok());
  EXPECT_EQ(TopicArns(fresh), TopicArns(two));
  EXPECT_EQ(SubscriptionArns(fresh, "orders"), SubscriptionArns(two, "orders"));
  EXPECT_EQ(DisplayNameOf(fresh, "orders"), DisplayNameOf(two, "orders"));
  store->Close();
}

TEST(TopicReloadTest, AFailedReloadLeavesTheStateAsItWas) {
  TempDir dir;
  ManualClock clock;
  auto store = Open(dir.db());
  ASSERT_NE(store, nullptr);
  Services one(clock, *store);
  Services two(clock, *store);
  one.CreateTopic("orders");
  const std::string subscription = one.Subscribe(TopicArn("orders"), QueueArn("q"));
  ASSERT_TRUE(two.sns.ReloadTopics().ok());

  one.CreateTopic("later");
  std::vector<storage::Record> corrupt(1);
  corrupt[0].type = storage::RecordType::kObjectPut;
  corrupt[0].key = TopicKey(testing::kAccount, "broken");
  corrupt[0].payload = "not a topic record";
  store->Append(std::move(corrupt));

  auto reloaded = two.sns.ReloadTopics();
  ASSERT_FALSE(reloaded.ok());
  EXPECT_NE(reloaded.error().find("broken"), std::string::npos) << reloaded.error();
  EXPECT_EQ(TopicArns(two), (std::vector<std::string>{TopicArn("orders")}));
  EXPECT_NE(two.sns.topics().FindSubscription(subscription), nullptr);

  std::vector<storage::Record> repair(1);
  repair[0].type = storage::RecordType::kObjectDelete;
  repair[0].key = TopicKey(testing::kAccount, "broken");
  store->Append(std::move(repair));
  ASSERT_TRUE(two.sns.ReloadTopics().ok());
  EXPECT_EQ(TopicArns(two), (std::vector<std::string>{TopicArn("later"), TopicArn("orders")}));
  store->Close();
}

TEST(TopicReloadTest, APublicationWhoseSubscriptionIsReloadedAwayIsNotDeliveredThere) {
  TempDir dir;
  ManualClock clock;
  auto store = Open(dir.db());
  ASSERT_NE(store, nullptr);
  Services one(clock, *store);
  std::vector<std::function<void()>> deferred;
  Services two(clock, *store,
               [&deferred](std::function<void()> task) { deferred.push_back(std::move(task)); });
  const std::string topic = one.CreateTopic("orders");
  const std::string queue_url = two.CreateQueue("billing", topic);
  const std::string subscription = one.Subscribe(topic, QueueArn("billing"));
  ASSERT_TRUE(two.sns.ReloadTopics().ok());
  auto held = two.sns.topics().FindSubscription(subscription);
  ASSERT_NE(held, nullptr);

  api::sns::PublishInput in;
  in.topic_arn = topic;
  in.message = "in flight";
  ASSERT_TRUE(two.Publish(in).ok());
  ASSERT_EQ(deferred.size(), 1u) << "published to the subscription, not yet fanned out";

  ASSERT_TRUE(one.Call(&Unsubscribe, api::Action::kUnsubscribe,
                       api::sns::SubscriptionArnInput{subscription})
                  .ok());
  ASSERT_TRUE(two.sns.ReloadTopics().ok());
  EXPECT_EQ(held->record.arn, subscription) << "a holder keeps its snapshot";
  for (auto& task : deferred) task();  // as after an Unsubscribe on this node: skipped
  Settle(*store);
  EXPECT_TRUE(two.Receive(queue_url).empty());
  EXPECT_EQ(ObjectsUnder(*store, kOutboxPrefix), 0u) << "nothing owed: forgotten";
  store->Close();
}

TEST(TopicReloadTest, TheOutboxCanLiveInAStoreOfItsOwn) {
  TempDir topics_dir;
  TempDir outbox_dir;
  ManualClock clock;
  auto topics_store = Open(topics_dir.db());
  auto outbox_store = Open(outbox_dir.db());
  ASSERT_NE(topics_store, nullptr);
  ASSERT_NE(outbox_store, nullptr);
  std::vector<std::function<void()>> deferred;
  {
    Services s(
        clock, *topics_store,
        [&deferred](std::function<void()> task) { deferred.push_back(std::move(task)); },
        outbox_store.get());
    ASSERT_TRUE(s.sns.Recover().ok());
    const std::string topic = s.CreateTopic("orders");
    const std::string queue_url = s.CreateQueue("billing", topic);
    s.Subscribe(topic, QueueArn("billing"));
    api::sns::PublishInput in;
    in.topic_arn = topic;
    in.message = "per node";
    auto published = s.Publish(in);
    ASSERT_TRUE(published.ok()) << published.error().message;
    ASSERT_EQ(deferred.size(), 1u) << "durable in the outbox store, then started";

    EXPECT_EQ(ObjectsUnder(*outbox_store, kOutboxPrefix), 1u);
    EXPECT_EQ(ObjectsUnder(*outbox_store, kSequenceKey), 1u);
    EXPECT_EQ(ObjectsUnder(*outbox_store, kTopicPrefix), 0u);
    EXPECT_EQ(ObjectsUnder(*topics_store, kOutboxPrefix), 0u);
    EXPECT_EQ(ObjectsUnder(*topics_store, kSequenceKey), 0u);
    EXPECT_EQ(ObjectsUnder(*topics_store, kTopicPrefix), 1u);

    for (auto& task : deferred) task();
    Settle(*topics_store);
    Settle(*outbox_store);
    ASSERT_EQ(s.Receive(queue_url).size(), 1u);
    EXPECT_EQ(ObjectsUnder(*outbox_store, kOutboxPrefix), 0u) << "delivered: removed there";
  }
  topics_store->Close();
  outbox_store->Close();
}

TEST(TopicReloadTest, ReloadsRacingWithRequestsNeverUndoALocalChange) {
  TempDir dir;
  ManualClock clock;
  auto store = Open(dir.db());
  ASSERT_NE(store, nullptr);
  Services s(clock, *store);
  RaceReloads([&] { return s.sns.ReloadTopics(); },
              [&] {
                for (int i = 0; i < 10; ++i) {
                  const std::string name = "topic" + std::to_string(i);
                  s.CreateTopic(name);
                  const std::string subscription = s.Subscribe(TopicArn(name), QueueArn("q"));
                  EXPECT_NE(s.sns.topics().FindTopic(testing::kAccount, name), nullptr);
                  EXPECT_NE(s.sns.topics().FindSubscription(subscription), nullptr);
                }
              });
  ASSERT_TRUE(s.sns.ReloadTopics().ok());
  EXPECT_EQ(TopicArns(s).size(), 10u);
  store->Close();
}

}  // namespace
}  // namespace wharf::sns
