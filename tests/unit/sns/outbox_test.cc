// The durable outbox (sns-fanout.md §7.3): a publish acknowledged to the client is delivered
// even when the server stops before delivering it, and delivered publications are forgotten.

#include "sns/outbox.h"

#include <gtest/gtest.h>

#include <future>

#include "sns/record_codec.h"
#include "sns_test_support.h"
#include "storage/rocks_store.h"
#include "storage_key.h"
#include "temp_dir.h"

namespace wharf::sns {
namespace {

using testing::QueueArn;
using testing::Services;
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

size_t OutboxSize(storage::Store& store) {
  size_t n = 0;
  EXPECT_TRUE(store.ScanObjects(kOutboxPrefix, [&n](auto, auto) { ++n; }).ok());
  return n;
}

wire::PublishInput Message(const std::string& topic, std::string text,
                           std::optional<std::string> group = std::nullopt) {
  wire::PublishInput in;
  in.topic_arn = topic;
  in.message = std::move(text);
  in.message_group_id = std::move(group);
  return in;
}

TEST(OutboxTest, AnAcknowledgedPublishIsDeliveredAfterARestart) {
  TempDir dir;
  ManualClock clock;
  std::string topic, queue_url, message_id;
  {
    auto store = Open(dir.db());
    ASSERT_NE(store, nullptr);
    // Deliveries are handed to an executor that never runs them: the server "dies" between
    // acknowledging the publish and delivering it.
    std::vector<std::function<void()>> never_run;
    Services s(clock, *store, [&never_run](std::function<void()> t) { never_run.push_back(t); });
    topic = s.CreateTopic("orders");
    queue_url = s.CreateQueue("billing", topic);
    s.Subscribe(topic, QueueArn("billing"));
    auto published = s.Publish(Message(topic, "survives"));
    ASSERT_TRUE(published.ok()) << published.error().message;
    message_id = published->message_id;
    EXPECT_EQ(never_run.size(), 1u);
    EXPECT_TRUE(s.Receive(queue_url).empty());
    EXPECT_EQ(OutboxSize(*store), 1u);
    store->Close();
  }
  {
    auto store = Open(dir.db());
    ASSERT_NE(store, nullptr);
    Services s(clock, *store);
    ASSERT_TRUE(s.sqs.Recover().ok());
    auto recovered = s.sns.Recover();
    ASSERT_TRUE(recovered.ok()) << recovered.error();
    EXPECT_EQ(recovered->pending_publications, 1u);
    Settle(*store);
    auto got = s.Receive(queue_url);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_NE(got[0].body.find("\"MessageId\":\"" + message_id + "\""), std::string::npos)
        << "the id the publisher was given";
    EXPECT_NE(got[0].body.find("\"Message\":\"survives\""), std::string::npos);
    EXPECT_EQ(OutboxSize(*store), 0u) << "delivered: forgotten";
    store->Close();
  }
  auto store = Open(dir.db());
  ASSERT_NE(store, nullptr);
  Services s(clock, *store);
  ASSERT_TRUE(s.sqs.Recover().ok());
  auto recovered = s.sns.Recover();
  ASSERT_TRUE(recovered.ok());
  EXPECT_EQ(recovered->pending_publications, 0u) << "not delivered twice";
  store->Close();
}

TEST(OutboxTest, SequenceNumbersKeepIncreasingAcrossRestarts) {
  TempDir dir;
  ManualClock clock;
  std::string topic, before;
  {
    auto store = Open(dir.db());
    ASSERT_NE(store, nullptr);
    Services s(clock, *store);
    topic = s.CreateTopic("t.fifo", {{"FifoTopic", "true"}, {"ContentBasedDeduplication", "true"}});
    auto out = s.Publish(Message(topic, "a", "g"));
    ASSERT_TRUE(out.ok());
    before = *out->sequence_number;
    Settle(*store);
    store->Close();
  }
  auto store = Open(dir.db());
  ASSERT_NE(store, nullptr);
  Services s(clock, *store);
  ASSERT_TRUE(s.sns.Recover().ok());
  auto out = s.Publish(Message(topic, "b", "g"));
  ASSERT_TRUE(out.ok());
  EXPECT_LT(before, *out->sequence_number);
  EXPECT_EQ(out->sequence_number->size(), 20u);
  store->Close();
}

TEST(OutboxTest, RepeatsWithinFiveMinutesAreAnsweredNotWritten) {
  ManualClock clock;
  storage::MemoryStore store;
  Outbox outbox(store, clock);
  auto publication = [](std::string dedup, std::string group, bool by_group = false) {
    Publication p;
    p.dedup_by_group = by_group;
    p.topic_arn = "arn:aws:sns:us-east-1:000000000000:t.fifo";
    p.fifo = true;
    p.message_id = "id-" + dedup + group;
    p.deduplication_id = std::move(dedup);
    p.group_id = std::move(group);
    return p;
  };
  std::vector<Outbox::Added> added;
  std::vector<Publication> first{publication("d1", "g1"), publication("d1", "g2")};
  outbox.Add(first, added);
  ASSERT_EQ(added.size(), 2u);
  EXPECT_FALSE(added[0].duplicate);
  EXPECT_TRUE(added[1].duplicate) << "topic-wide scope: the group does not matter";
  EXPECT_EQ(added[1].message_id, "id-d1g1");
  EXPECT_EQ(added[1].sequence, added[0].sequence);

  std::vector<Publication> by_group{publication("d2", "g1", true), publication("d2", "g2", true)};
  outbox.Add(by_group, added);
  EXPECT_FALSE(added[0].duplicate);
  EXPECT_FALSE(added[1].duplicate) << "MessageGroup scope: another group is another message";

  clock.Advance(Seconds(301));
  std::vector<Publication> later{publication("d1", "g1")};
  outbox.Add(later, added);
  EXPECT_FALSE(added[0].duplicate) << "the window is five minutes";
}

}  // namespace
}  // namespace wharf::sns
