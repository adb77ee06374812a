// DedupWindow and DedupKey on their own (sqs-api.md §5.12): a key is a duplicate strictly inside
// its 5-minute window, expiry pops in insertion order and never drops a key that was inserted
// again, and the two deduplication scopes build distinct, unambiguous keys.

#include "sqs/engine/dedup_window.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace wharf::sqs {
namespace {

constexpr int64_t kT0 = 1'700'000'000'000;
constexpr int64_t kWindow = DedupWindow::kWindowMillis;

DedupEntry Entry(const std::string& id, uint64_t seq, int64_t accepted_at) {
  return DedupEntry{id, seq, accepted_at + kWindow};
}

TEST(DedupWindowTest, WindowIsFiveMinutes) { EXPECT_EQ(kWindow, 300'000); }

TEST(DedupWindowTest, FoundInsideTheWindowAndGoneAtExactlyFiveMinutes) {
  DedupWindow w;
  w.Insert("d1", Entry("m1", 7, kT0));
  const DedupEntry* e = w.Find("d1", kT0);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->message_id, "m1");
  EXPECT_EQ(e->seq, 7u);
  EXPECT_NE(w.Find("d1", kT0 + kWindow - 1), nullptr) << "4:59.999 is still a duplicate";
  EXPECT_EQ(w.Find("d1", kT0 + kWindow), nullptr) << "at 5:00 the id is forgotten";
  EXPECT_EQ(w.Find("other", kT0), nullptr);
}

TEST(DedupWindowTest, ExpireDropsOnlyExpiredEntriesAndReportsTheirKeys) {
  DedupWindow w;
  w.Insert("a", Entry("ma", 1, kT0));
  w.Insert("b", Entry("mb", 2, kT0 + 10));
  w.Insert("c", Entry("mc", 3, kT0 + 20));
  std::vector<std::string> expired;
  w.Expire(kT0 + kWindow - 1, expired);
  EXPECT_TRUE(expired.empty());
  EXPECT_EQ(w.size(), 3u);
  w.Expire(kT0 + kWindow + 10, expired);
  EXPECT_EQ(expired, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(w.size(), 1u);
  EXPECT_NE(w.Find("c", kT0 + kWindow + 10), nullptr);
}

TEST(DedupWindowTest, KeyInsertedAgainAfterExpiryIsNotDroppedByItsOldSlot) {
  DedupWindow w;
  w.Insert("k", Entry("old", 1, kT0));
  // The old entry has run out (Find says so) but Expire has not run yet; the key comes again.
  ASSERT_EQ(w.Find("k", kT0 + kWindow), nullptr);
  w.Insert("k", Entry("new", 2, kT0 + kWindow));
  std::vector<std::string> expired;
  w.Expire(kT0 + kWindow, expired);
  EXPECT_TRUE(expired.empty()) << "the old slot must not take the new entry with it";
  const DedupEntry* e = w.Find("k", kT0 + kWindow + 1);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->message_id, "new");
  w.Expire(kT0 + 2 * kWindow, expired);
  EXPECT_EQ(expired, (std::vector<std::string>{"k"}));
  EXPECT_EQ(w.size(), 0u);
}

TEST(DedupWindowTest, EraseForgetsAKeyAndALaterInsertIsKept) {
  DedupWindow w;
  w.Insert("k", Entry("m1", 1, kT0));
  w.Erase("k");
  EXPECT_EQ(w.Find("k", kT0), nullptr);
  // Re-sent (e.g. after a failed write) in the same millisecond.
  w.Insert("k", Entry("m2", 2, kT0));
  std::vector<std::string> expired;
  w.Expire(kT0 + kWindow - 1, expired);
  ASSERT_NE(w.Find("k", kT0 + 1), nullptr);
  EXPECT_EQ(w.Find("k", kT0 + 1)->message_id, "m2");
  w.Expire(kT0 + kWindow, expired);
  EXPECT_EQ(expired, (std::vector<std::string>{"k"})) << "reported once";
  EXPECT_EQ(w.size(), 0u);
}

TEST(DedupWindowTest, ClearForgetsEverything) {
  DedupWindow w;
  w.Insert("a", Entry("ma", 1, kT0));
  w.Insert("b", Entry("mb", 2, kT0));
  w.Clear();
  EXPECT_EQ(w.size(), 0u);
  EXPECT_EQ(w.Find("a", kT0), nullptr);
  std::vector<std::string> expired;
  w.Expire(kT0 + 2 * kWindow, expired);
  EXPECT_TRUE(expired.empty());
}

TEST(DedupWindowTest, QueueScopeKeyIsTheIdAlone) {
  EXPECT_EQ(DedupKey(false, "g1", "d"), DedupKey(false, "g2", "d"));
  EXPECT_NE(DedupKey(false, "g1", "d1"), DedupKey(false, "g1", "d2"));
}

TEST(DedupWindowTest, MessageGroupScopeKeyIsThePair) {
  EXPECT_NE(DedupKey(true, "g1", "d"), DedupKey(true, "g2", "d"));
  EXPECT_EQ(DedupKey(true, "g1", "d"), DedupKey(true, "g1", "d"));
  // Unambiguous: ("ab", "c") and ("a", "bc") are different pairs.
  EXPECT_NE(DedupKey(true, "ab", "c"), DedupKey(true, "a", "bc"));
}

}  // namespace
}  // namespace wharf::sqs
