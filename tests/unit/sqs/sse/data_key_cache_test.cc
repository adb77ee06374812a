#include "sqs/sse/data_key_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "common/manual_clock.h"

// The plaintext data-key caches (security.md §4.2): entries serve while younger than the reuse
// period given at lookup, per (queue, key, principal) on send and (data key, principal) on
// receive.

namespace wharf::sqs {
namespace {

constexpr std::string_view kArn = "arn:aws:sqs:us-east-1:000000000000:orders";

SendDataKey Key(uint64_t id) {
  SendDataKey key;
  key.record = std::make_shared<const DataKeyRecord>(DataKeyRecord{id, "arn:key", "blob", 0});
  key.key.bytes.fill(static_cast<uint8_t>(id));
  return key;
}

TEST(SendKeyCacheTest, ServesWhileYoungerThanTheReusePeriodAtLookup) {
  ManualClock clock;
  SendKeyCache cache(clock);
  cache.Put(SendCacheKey{std::string(kArn), "alias/orders", "alice"}, Key(1));
  auto hit = cache.Find(SendCacheView{kArn, "alias/orders", "alice"}, Seconds(300));
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(hit->record->id, 1u);
  EXPECT_EQ(hit->key.bytes[0], 1);
  clock.Advance(Seconds(299));
  EXPECT_TRUE(cache.Find(SendCacheView{kArn, "alias/orders", "alice"}, Seconds(300)));
  // A shorter period set meanwhile applies at once.
  EXPECT_FALSE(cache.Find(SendCacheView{kArn, "alias/orders", "alice"}, Seconds(60)));
  cache.Put(SendCacheKey{std::string(kArn), "alias/orders", "alice"}, Key(2));
  clock.Advance(Seconds(300));
  EXPECT_FALSE(cache.Find(SendCacheView{kArn, "alias/orders", "alice"}, Seconds(300)))
      << "exactly the reuse period old: expired";
  EXPECT_EQ(cache.size(), 0u) << "an expired entry is dropped when met";
}

TEST(SendKeyCacheTest, QueueKeyAndPrincipalEachSeparateEntries) {
  ManualClock clock;
  SendKeyCache cache(clock);
  cache.Put(SendCacheKey{std::string(kArn), "alias/orders", "alice"}, Key(1));
  EXPECT_FALSE(cache.Find(SendCacheView{kArn, "alias/orders", "bob"}, Seconds(300)));
  EXPECT_FALSE(cache.Find(SendCacheView{kArn, "alias/other", "alice"}, Seconds(300)));
  EXPECT_FALSE(
      cache.Find(SendCacheView{"arn:aws:sqs:us-east-1:000000000000:other", "alias/orders", "alice"},
                 Seconds(300)));
  EXPECT_TRUE(cache.Find(SendCacheView{kArn, "alias/orders", "alice"}, Seconds(300)));
}

TEST(SendKeyCacheTest, AShardPastItsBoundDropsItsOldestEntries) {
  ManualClock clock;
  SendKeyCache cache(clock, /*max_per_shard=*/2);
  for (uint64_t i = 1; i <= 100; ++i) {
    cache.Put(SendCacheKey{std::string(kArn), "k", "p" + std::to_string(i)}, Key(i));
    clock.Advance(Millis(1));
  }
  EXPECT_LE(cache.size(), 32u) << "16 shards of at most 2";
  EXPECT_TRUE(cache.Find(SendCacheView{kArn, "k", "p100"}, Seconds(300))) << "newest kept";
}

TEST(ReceiveKeyCacheTest, PerDataKeyAndPrincipal) {
  ManualClock clock;
  ReceiveKeyCache cache(clock);
  SecretDataKey key;
  key.bytes.fill(9);
  cache.Put(ReceiveCacheKey{7, "carol"}, key);
  auto hit = cache.Find(ReceiveCacheView{7, "carol"}, Seconds(60));
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(hit->bytes[31], 9);
  EXPECT_FALSE(cache.Find(ReceiveCacheView{7, "dave"}, Seconds(60)));
  EXPECT_FALSE(cache.Find(ReceiveCacheView{8, "carol"}, Seconds(60)));
  clock.Advance(Seconds(60));
  EXPECT_FALSE(cache.Find(ReceiveCacheView{7, "carol"}, Seconds(60)));
}

TEST(SendKeyCacheTest, ConcurrentProducersAlwaysSeeTheirOwnKeys) {
  ManualClock clock;
  SendKeyCache cache(clock, /*max_per_shard=*/8);  // small, so trimming races too
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5000; ++i) {
        const uint64_t id = static_cast<uint64_t>(t * 100 + i % 50 + 1);
        const std::string principal = "p" + std::to_string(id);
        if (auto hit = cache.Find(SendCacheView{kArn, "k", principal}, Seconds(300))) {
          if (hit->record->id != id || hit->key.bytes[0] != static_cast<uint8_t>(id)) ++mismatches;
        } else {
          cache.Put(SendCacheKey{std::string(kArn), "k", principal}, Key(id));
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(mismatches.load(), 0);
  EXPECT_LE(cache.size(), 16u * 8u);
}

}  // namespace
}  // namespace wharf::sqs
