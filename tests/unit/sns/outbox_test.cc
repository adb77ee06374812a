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

Publication Plain(std::string id) {
  Publication p;
  p.topic_arn = "arn:aws:sns:us-east-1:000000000000:t";
  p.message_id = std::move(id);
  p.message = "m";
  return p;
}

void WaitDurable(storage::Store& store, uint64_t ticket) {
  std::promise<storage::StorageStatus> done;
  store.WhenDurable(ticket, [&done](storage::StorageStatus s) { done.set_value(std::move(s)); });
  EXPECT_TRUE(done.get_future().get().ok());
}

size_t Reservations(storage::Store& store) {
  size_t n = 0;
  EXPECT_TRUE(store.ScanObjects(kSequenceKey, [&n](auto, auto) { ++n; }).ok());
  return n;
}

TEST(OutboxTest, AFirstSequenceNumbersFromThereWithoutReservationRecords) {
  TempDir dir;
  ManualClock clock;
  const uint64_t first = (uint64_t{7} << 40) + 1;
  {
    auto store = Open(dir.db());
    ASSERT_NE(store, nullptr);
    Outbox outbox(*store, clock, first);
    auto left = outbox.Load();
    ASSERT_TRUE(left.ok()) << left.error();
    EXPECT_TRUE(left->empty());
    std::vector<Publication> publications{Plain("a"), Plain("b")};
    std::vector<Outbox::Added> added;
    WaitDurable(*store, outbox.Add(publications, added));
    ASSERT_EQ(added.size(), 2u);
    EXPECT_EQ(added[0].sequence, first);
    EXPECT_EQ(added[1].sequence, first + 1);
    EXPECT_EQ(OutboxSize(*store), 2u);
    EXPECT_EQ(Reservations(*store), 0u) << "the epoch is the reservation";
    store->Close();
  }
  // The next run draws a larger epoch: its numbers are above, whatever was left.
  auto store = Open(dir.db());
  ASSERT_NE(store, nullptr);
  Outbox outbox(*store, clock, (uint64_t{8} << 40) + 1);
  auto left = outbox.Load();
  ASSERT_TRUE(left.ok()) << left.error();
  EXPECT_EQ(left->size(), 2u);
  std::vector<Publication> publications{Plain("c")};
  std::vector<Outbox::Added> added;
  WaitDurable(*store, outbox.Add(publications, added));
  ASSERT_EQ(added.size(), 1u);
  EXPECT_EQ(added[0].sequence, (uint64_t{8} << 40) + 1);
  store->Close();
}

// A node's outbox (`gone`) is left with a publication it never delivered; another node's
// service, over the same queues and topics and an outbox of its own, is handed those records
// (as PgObjectStore::Adopt hands them after moving them to the adopter's outbox).
TEST(OutboxTest, AdoptedPublicationsAreDeliveredAndForgotten) {
  TempDir dir, gone_dir, own_dir;
  ManualClock clock;
  auto store = Open(dir.db());
  auto gone_outbox = Open(gone_dir.db());
  auto own_outbox = Open(own_dir.db());
  ASSERT_TRUE(store && gone_outbox && own_outbox);
  std::string topic, queue_url, message_id;
  {
    std::vector<std::function<void()>> never_run;
    Services gone(
        clock, *store, [&never_run](std::function<void()> t) { never_run.push_back(t); },
        gone_outbox.get());
    topic = gone.CreateTopic("orders");
    queue_url = gone.CreateQueue("billing", topic);
    gone.Subscribe(topic, QueueArn("billing"));
    auto published = gone.Publish(Message(topic, "adopted"));
    ASSERT_TRUE(published.ok()) << published.error().message;
    message_id = published->message_id;
    EXPECT_EQ(OutboxSize(*own_outbox), 0u);
    store->Close();
  }
  std::vector<std::pair<std::string, std::string>> records;
  ASSERT_TRUE(gone_outbox
                  ->ScanObjects("sns/",
                                [&records](std::string_view key, std::string_view value) {
                                  records.emplace_back(std::string(key), std::string(value));
                                })
                  .ok());
  ASSERT_EQ(records.size(), 2u) << "the publication and the sequence reservation";

  store = Open(dir.db());
  ASSERT_NE(store, nullptr);
  Services own(clock, *store, {}, own_outbox.get());
  ASSERT_TRUE(own.sqs.Recover().ok());
  ASSERT_TRUE(own.sns.Recover().ok());
  // Adoption moves the records into the adopter's outbox while it serves.
  std::vector<storage::Record> moved;
  for (const auto& [key, value] : records) {
    if (!key.starts_with(kOutboxPrefix)) continue;
    storage::Record r;
    r.type = storage::RecordType::kObjectPut;
    r.key = key;
    r.payload = value;
    moved.push_back(std::move(r));
  }
  WaitDurable(*own_outbox, own_outbox->Append(std::move(moved)));
  records.emplace_back(OutboxKey(99), "not a publication");
  EXPECT_EQ(own.sns.ResumeAdopted(records), 1u) << "the sequence record and the bad one skipped";
  {
    std::lock_guard lock(own.log_mu);
    ASSERT_EQ(own.log.size(), 1u);
    EXPECT_NE(own.log[0].find("unreadable"), std::string::npos) << own.log[0];
  }
  Settle(*store);
  Settle(*own_outbox);
  auto got = own.Receive(queue_url);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_NE(got[0].body.find("\"MessageId\":\"" + message_id + "\""), std::string::npos);
  EXPECT_NE(got[0].body.find("\"Message\":\"adopted\""), std::string::npos);
  EXPECT_EQ(OutboxSize(*own_outbox), 0u) << "delivered: forgotten by the adopter";
  store->Close();
}

// An outbox of the embedded store, left by a version that kept it there, is moved into the
// service's outbox and delivered.
TEST(OutboxTest, AnOldOutboxIsImportedDeliveredAndEmptied) {
  TempDir dir, old_dir, own_dir;
  ManualClock clock;
  auto store = Open(dir.db());
  auto old_outbox = Open(old_dir.db());
  auto own_outbox = Open(own_dir.db());
  ASSERT_TRUE(store && old_outbox && own_outbox);
  std::string topic, queue_url;
  {
    std::vector<std::function<void()>> never_run;
    Services before(
        clock, *store, [&never_run](std::function<void()> t) { never_run.push_back(t); },
        old_outbox.get());
    topic = before.CreateTopic("orders");
    queue_url = before.CreateQueue("billing", topic);
    before.Subscribe(topic, QueueArn("billing"));
    ASSERT_TRUE(before.Publish(Message(topic, "one")).ok());
    ASSERT_TRUE(before.Publish(Message(topic, "two")).ok());
    store->Close();
  }
  ASSERT_EQ(OutboxSize(*old_outbox), 2u);
  store = Open(dir.db());
  ASSERT_NE(store, nullptr);
  Services after(clock, *store, {}, own_outbox.get());
  ASSERT_TRUE(after.sqs.Recover().ok());
  ASSERT_TRUE(after.sns.Recover().ok());
  auto imported = after.sns.ImportOutbox(*old_outbox);
  ASSERT_TRUE(imported.ok()) << imported.error();
  EXPECT_EQ(*imported, 2u);
  Settle(*store);
  Settle(*own_outbox);
  Settle(*old_outbox);
  EXPECT_EQ(OutboxSize(*old_outbox), 0u) << "moved out";
  EXPECT_EQ(OutboxSize(*own_outbox), 0u) << "delivered";
  auto got = after.Receive(queue_url);
  ASSERT_EQ(got.size(), 2u);
  auto again = after.sns.ImportOutbox(*old_outbox);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0u);
  store->Close();
}

}  // namespace
}  // namespace wharf::sns
