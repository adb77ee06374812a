// Topics and subscriptions are durable: everything the API changed comes back after the store
// is reopened, deletions stay deleted, and the records are versioned keyed objects.

#include "sns/topic_store.h"

#include <gtest/gtest.h>

#include "sns/record_codec.h"
#include "sns_test_support.h"
#include "storage/rocks_store.h"
#include "storage_key.h"
#include "temp_dir.h"

namespace wharf::sns {
namespace {

using testing::QueueArn;
using testing::Services;
using testing::TopicArn;
using wharf::testing::TempDir;

std::unique_ptr<storage::RocksStore> Open(const std::string& dir) {
  storage::RocksOptions options;
  options.directory = dir;
  options.sealing_key = wharf::testing::TestStorageKey();
  auto opened = storage::RocksStore::Open(options);
  EXPECT_TRUE(opened.ok());
  return opened.ok() ? std::move(opened).value() : nullptr;
}

const std::string* Find(const api::StringPairs& pairs, std::string_view name) {
  for (const auto& [k, v] : pairs) {
    if (k == name) return &v;
  }
  return nullptr;
}

TEST(TopicStoreTest, TopicsAndSubscriptionsSurviveAReopen) {
  TempDir dir;
  ManualClock clock;
  std::string kept_subscription, removed_subscription;
  const std::string policy = testing::AllowTopicPolicy(QueueArn("q"), TopicArn("orders"));
  {
    auto store = Open(dir.db());
    ASSERT_NE(store, nullptr);
    Services s(clock, *store);
    s.CreateTopic("orders", {{"DisplayName", "Orders"}, {"SignatureVersion", "2"}});
    s.CreateTopic("events.fifo", {{"FifoTopic", "true"}, {"ContentBasedDeduplication", "true"}});
    s.CreateTopic("gone");
    api::sns::TagResourceInput tag{TopicArn("orders"), {{"team", "billing"}}};
    ASSERT_TRUE(s.Call(&TagResource, api::Action::kSnsTagResource, tag).ok());
    api::sns::SetTopicAttributesInput set{TopicArn("orders"), "Policy", R"({"Statement":[]})"};
    set.attribute_value =
        R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"SNS:Publish","Resource":")" +
        TopicArn("orders") + R"("}]})";
    ASSERT_TRUE(s.Call(&SetTopicAttributes, api::Action::kSetTopicAttributes, set).ok());
    kept_subscription =
        s.Subscribe(TopicArn("orders"), QueueArn("q"),
                    {{"RawMessageDelivery", "true"},
                     {"FilterPolicy", R"({"store":["example_corp"]})"},
                     {"RedrivePolicy", R"({"deadLetterTargetArn":")" + QueueArn("dlq") + "\"}"}});
    removed_subscription = s.Subscribe(TopicArn("orders"), QueueArn("other"));
    ASSERT_TRUE(s.Call(&Unsubscribe, api::Action::kUnsubscribe,
                       api::sns::SubscriptionArnInput{removed_subscription})
                    .ok());
    s.Subscribe(TopicArn("gone"), QueueArn("q"));
    ASSERT_TRUE(
        s.Call(&DeleteTopic, api::Action::kDeleteTopic, api::sns::TopicArnInput{TopicArn("gone")})
            .ok());
    store->Close();  // every answer above waited for durability; nothing more is flushed here
  }
  auto store = Open(dir.db());
  ASSERT_NE(store, nullptr);
  Services s(clock, *store);
  ASSERT_TRUE(s.sns.Recover().ok());

  auto topics = s.Call(&ListTopics, api::Action::kListTopics, api::sns::ListTopicsInput{});
  ASSERT_TRUE(topics.ok());
  ASSERT_EQ(topics->topics.size(), 2u);
  EXPECT_EQ(topics->topics[0].topic_arn, TopicArn("events.fifo"));
  EXPECT_EQ(topics->topics[1].topic_arn, TopicArn("orders"));

  auto orders = s.Call(&GetTopicAttributes, api::Action::kGetTopicAttributes,
                       api::sns::TopicArnInput{TopicArn("orders")});
  ASSERT_TRUE(orders.ok());
  EXPECT_EQ(*Find(orders->attributes, "DisplayName"), "Orders");
  EXPECT_EQ(*Find(orders->attributes, "SignatureVersion"), "2");
  EXPECT_NE(Find(orders->attributes, "Policy")->find("SNS:Publish"), std::string::npos);
  EXPECT_EQ(*Find(orders->attributes, "SubscriptionsConfirmed"), "1");
  EXPECT_EQ(Find(orders->attributes, "FifoTopic"), nullptr);
  auto events = s.Call(&GetTopicAttributes, api::Action::kGetTopicAttributes,
                       api::sns::TopicArnInput{TopicArn("events.fifo")});
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(*Find(events->attributes, "FifoTopic"), "true");
  EXPECT_EQ(*Find(events->attributes, "ContentBasedDeduplication"), "true");

  auto tags = s.Call(&ListTagsForResource, api::Action::kListTagsForResource,
                     api::sns::ResourceArnInput{TopicArn("orders")});
  ASSERT_TRUE(tags.ok());
  ASSERT_EQ(tags->tags.size(), 1u);
  EXPECT_EQ(tags->tags[0].value, "billing");

  auto subscriptions = s.Call(&ListSubscriptions, api::Action::kListSubscriptions,
                              api::sns::ListSubscriptionsInput{});
  ASSERT_TRUE(subscriptions.ok());
  ASSERT_EQ(subscriptions->subscriptions.size(), 1u) << "unsubscribed and deleted stay gone";
  EXPECT_EQ(subscriptions->subscriptions[0].subscription_arn, kept_subscription);
  auto attributes = s.Call(&GetSubscriptionAttributes, api::Action::kGetSubscriptionAttributes,
                           api::sns::SubscriptionArnInput{kept_subscription});
  ASSERT_TRUE(attributes.ok());
  EXPECT_EQ(*Find(attributes->attributes, "RawMessageDelivery"), "true");
  EXPECT_EQ(*Find(attributes->attributes, "FilterPolicy"), R"({"store":["example_corp"]})");
  EXPECT_EQ(*Find(attributes->attributes, "FilterPolicyScope"), "MessageAttributes");
  EXPECT_NE(Find(attributes->attributes, "RedrivePolicy")->find(QueueArn("dlq")),
            std::string::npos);
  EXPECT_EQ(*Find(attributes->attributes, "Endpoint"), QueueArn("q"));
  EXPECT_EQ(*Find(attributes->attributes, "PendingConfirmation"), "false");
  EXPECT_FALSE(s.Call(&GetTopicAttributes, api::Action::kGetTopicAttributes,
                      api::sns::TopicArnInput{TopicArn("gone")})
                   .ok());
  store->Close();
}

TEST(TopicStoreTest, AnUnreadableRecordStopsTheStartNamingIt) {
  TempDir dir;
  ManualClock clock;
  {
    auto store = Open(dir.db());
    ASSERT_NE(store, nullptr);
    std::vector<storage::Record> records(1);
    records[0].type = storage::RecordType::kObjectPut;
    records[0].key = TopicKey(testing::kAccount, "broken");
    records[0].payload = std::string("\x09garbage", 8);  // an unknown format version
    store->Append(std::move(records));
    store->Close();
  }
  auto store = Open(dir.db());
  ASSERT_NE(store, nullptr);
  Services s(clock, *store);
  auto recovered = s.sns.Recover();
  ASSERT_FALSE(recovered.ok());
  EXPECT_NE(recovered.error().find("sns/topic/000000000000/broken"), std::string::npos)
      << recovered.error();
  store->Close();
}

TEST(RecordCodecTest, RecordsRoundTripAndRefuseOtherVersions) {
  TopicRecord t{"000000000000", "orders", TopicArn("orders"), false, {{"DisplayName", "x"}},
                {{"k", "v"}},   42};
  auto decoded = DecodeTopic(EncodeTopic(t));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->arn, t.arn);
  EXPECT_EQ(decoded->attributes, t.attributes);
  EXPECT_EQ(decoded->tags, t.tags);
  EXPECT_EQ(decoded->created_ms, 42);
  std::string bad = EncodeTopic(t);
  bad[0] = 2;
  EXPECT_FALSE(DecodeTopic(bad));
  EXPECT_FALSE(DecodeTopic(EncodeTopic(t).substr(0, 10))) << "truncated";

  Publication p;
  p.sequence = 7;
  p.topic_arn = TopicArn("t.fifo");
  p.fifo = true;
  p.message_id = "m";
  p.subject = "s";
  p.message = "body";
  p.attributes.emplace_back("b", api::sns::MessageAttributeValue{"Binary", {}, "\x01"});
  p.group_id = "g";
  p.deduplication_id = "d";
  p.endpoint = "http://h";
  p.signature_version = 2;
  p.subscription_arns = {"a", "b"};
  p.dedup_by_group = true;
  auto back = DecodePublication(EncodePublication(p));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->sequence, 7u);
  EXPECT_EQ(back->attributes[0].second.binary_value, "\x01");
  EXPECT_EQ(back->subscription_arns, p.subscription_arns);
  EXPECT_EQ(back->signature_version, 2);
  EXPECT_TRUE(back->dedup_by_group);
  EXPECT_EQ(OutboxKey(7), "sns/outbox/00000000000000000007");
  EXPECT_LT(OutboxKey(9), OutboxKey(10)) << "keys sort in publish order";
}

}  // namespace
}  // namespace wharf::sns
