// DedupWindow and DedupKey on their own (sqs-api.md §5.12): a key is a duplicate strictly inside
// its 5-minute window, expiry pops in insertion order and never drops a key that was inserted
// again, only entries the store holds a record of are reported (so it deletes exactly those),
// and the two deduplication scopes build distinct, unambiguous keys.

#include "sqs/engine/dedup_window.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <map>
#include <random>
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
  w.Insert("d1", Entry("m1", 7, kT0), /*has_record=*/true);
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
  w.Insert("a", Entry("ma", 1, kT0), /*has_record=*/true);
  w.Insert("b", Entry("mb", 2, kT0 + 10), /*has_record=*/true);
  w.Insert("c", Entry("mc", 3, kT0 + 20), /*has_record=*/true);
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
  w.Insert("k", Entry("old", 1, kT0), /*has_record=*/true);
  // The old entry has run out (Find says so) but Expire has not run yet; the key comes again.
  ASSERT_EQ(w.Find("k", kT0 + kWindow), nullptr);
  w.Insert("k", Entry("new", 2, kT0 + kWindow), /*has_record=*/true);
  std::vector<std::string> expired;
  w.Expire(kT0 + kWindow, expired);
  EXPECT_TRUE(expired.empty()) << "the old, superseded entry must not take the new one with it";
  const DedupEntry* e = w.Find("k", kT0 + kWindow + 1);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->message_id, "new");
  w.Expire(kT0 + 2 * kWindow, expired);
  EXPECT_EQ(expired, (std::vector<std::string>{"k"}));
  EXPECT_EQ(w.size(), 0u);
}

TEST(DedupWindowTest, EraseForgetsAKeyAndALaterInsertIsKept) {
  DedupWindow w;
  w.Insert("k", Entry("m1", 1, kT0), /*has_record=*/true);
  w.Erase("k");
  EXPECT_EQ(w.Find("k", kT0), nullptr);
  // Re-sent (e.g. after a failed write) in the same millisecond.
  w.Insert("k", Entry("m2", 2, kT0), /*has_record=*/true);
  std::vector<std::string> expired;
  w.Expire(kT0 + kWindow - 1, expired);
  ASSERT_NE(w.Find("k", kT0 + 1), nullptr);
  EXPECT_EQ(w.Find("k", kT0 + 1)->message_id, "m2");
  w.Expire(kT0 + kWindow, expired);
  EXPECT_EQ(expired, (std::vector<std::string>{"k"})) << "reported once";
  EXPECT_EQ(w.size(), 0u);
}

TEST(DedupWindowTest, AnErasedKeyIsNotCountedAndNeverReported) {
  DedupWindow w;
  w.Insert("a", Entry("ma", 1, kT0), /*has_record=*/true);
  w.Insert("b", Entry("mb", 2, kT0), /*has_record=*/true);
  w.Erase("a");
  w.Erase("a");  // twice: still one erased entry
  EXPECT_EQ(w.size(), 1u);
  EXPECT_EQ(w.Find("a", kT0), nullptr);
  std::vector<std::string> expired;
  w.Expire(kT0 + kWindow, expired);
  EXPECT_EQ(expired, (std::vector<std::string>{"b"})) << "the store already forgot 'a'";
  EXPECT_EQ(w.size(), 0u);
}

// Random claims, inserts, erases, records and expiries over a few keys, against a plain map of
// what each key's latest entry was and whether the store holds a record of the key: Find and
// size agree with it at every step, a key is reported exactly when its latest entry ran out
// holding a record (never if erased), and in the end everything is gone. Under ASan this also
// checks that the index never keeps a view of a key whose entry was popped.
TEST(DedupWindowTest, AgreesWithAPlainMapUnderRandomOperations) {
  struct Latest {
    int64_t expires = 0;
    uint64_t seq = 0;
    bool erased = false;
    bool record = false;  // the store holds a record under the key
  };
  std::mt19937_64 random(20261129);
  DedupWindow w;
  std::map<std::string, Latest> model;  // keys not yet reported or swept
  int64_t now = kT0;
  uint64_t seq = 0;
  auto live = [&](std::map<std::string, Latest>::iterator it) {
    return it != model.end() && !it->second.erased && it->second.expires > now;
  };
  // A replaced entry hands its record on; an erased one's record was deleted by the caller.
  auto inherited = [&](std::map<std::string, Latest>::iterator it) {
    return it != model.end() && it->second.record;
  };
  for (int step = 0; step < 40'000; ++step) {
    const std::string key = "k" + std::to_string(random() % 16);
    auto it = model.find(key);
    switch (random() % 10) {
      case 0:
      case 1: {  // a send: one claim, filled in when not a duplicate (what Queue::Send does)
        const DedupWindow::Claim claim = w.ClaimKey(key, now);
        ASSERT_EQ(claim.fresh, !live(it)) << key << " at step " << step;
        if (claim.fresh) {
          ++seq;
          *claim.entry = Entry("m" + std::to_string(seq), seq, now);
          model[key] = Latest{now + kWindow, seq, false, inherited(it)};
        } else {
          EXPECT_EQ(claim.entry->seq, it->second.seq);
        }
        break;
      }
      case 2: {  // the same with Find, then Insert (as recovery inserts), with or without a record
        ASSERT_EQ(w.Find(key, now) != nullptr, live(it)) << key << " at step " << step;
        if (!live(it)) {
          ++seq;
          const bool has_record = random() % 2 == 0;
          w.Insert(key, Entry("m" + std::to_string(seq), seq, now), has_record);
          model[key] = Latest{now + kWindow, seq, false, inherited(it) || has_record};
        } else {
          EXPECT_EQ(w.Find(key, now)->seq, it->second.seq);
        }
        break;
      }
      case 3: {  // a failed send undone
        const bool had_record = it != model.end() && !it->second.erased && it->second.record;
        EXPECT_EQ(w.Erase(key), had_record) << key << " at step " << step;
        if (it != model.end()) it->second = Latest{it->second.expires, it->second.seq, true, false};
        break;
      }
      case 4: {  // a message leaves: its own seq, or one of another (an older, replaced) message
        const uint64_t which =
            it != model.end() && random() % 4 != 0 ? it->second.seq : seq + 1 + random() % 3;
        const bool expect = live(it) && it->second.seq == which && !it->second.record;
        const DedupEntry* entry = w.RecordIfLive(key, which, now);
        ASSERT_EQ(entry != nullptr, expect) << key << " at step " << step;
        if (entry) {
          EXPECT_EQ(entry->seq, which);
          it->second.record = true;
        }
        break;
      }
      case 5: {
        std::vector<std::string> expired;
        w.Expire(now, expired);
        for (const std::string& k : expired) {
          auto found = model.find(k);
          ASSERT_NE(found, model.end()) << k << " reported twice or never inserted";
          EXPECT_FALSE(found->second.erased) << k;
          EXPECT_TRUE(found->second.record) << k << " reported without a record to delete";
          EXPECT_LE(found->second.expires, now) << k << " reported before it ran out";
          model.erase(found);
        }
        // Entries that ran out without a record went silently; none with one is left.
        for (auto m = model.begin(); m != model.end();) {
          const bool out = !m->second.erased && m->second.expires <= now;
          EXPECT_FALSE(out && m->second.record) << m->first << " ran out but was not reported";
          m = out ? model.erase(m) : std::next(m);
        }
        break;
      }
      default:  // time goes on: mostly a little, sometimes past a whole window, sometimes not
        now += static_cast<int64_t>(random() % 4 == 0 ? random() % (2 * kWindow) : random() % 50);
        break;
    }
    size_t counted = 0;
    for (const auto& [k, latest] : model) counted += latest.erased ? 0 : 1;
    // Reported keys left the model; erased ones are not counted; swept-unreported ones are none.
    ASSERT_EQ(w.size(), counted) << "step " << step;
  }
  std::vector<std::string> expired;
  w.Expire(now + 2 * kWindow, expired);
  for (const std::string& k : expired) {
    auto it = model.find(k);
    ASSERT_NE(it, model.end()) << k;
    EXPECT_FALSE(it->second.erased);
    EXPECT_TRUE(it->second.record);
    model.erase(it);
  }
  for (const auto& [k, latest] : model) {
    EXPECT_TRUE(latest.erased || !latest.record) << k << " never reported";
  }
  EXPECT_EQ(w.size(), 0u);
}

// A sent message's entry: no record, so nothing for the store to delete when it runs out.
TEST(DedupWindowTest, AClaimedEntryRunsOutWithoutAReport) {
  DedupWindow w;
  DedupWindow::Claim claim = w.ClaimKey("k", kT0);
  ASSERT_TRUE(claim.fresh);
  *claim.entry = Entry("m1", 1, kT0);
  w.Insert("r", Entry("m2", 2, kT0), /*has_record=*/false);
  std::vector<std::string> expired;
  w.Expire(kT0 + kWindow, expired);
  EXPECT_TRUE(expired.empty());
  EXPECT_EQ(w.size(), 0u);
  EXPECT_EQ(w.Find("k", kT0), nullptr) << "gone all the same";
}

// The message that claimed a key leaves inside the window: its entry gets a record (once), which
// is then deleted when the entry runs out. Another message's seq, or a run-out entry, gets none.
TEST(DedupWindowTest, RecordIfLiveRecordsTheLiveEntryOfThatMessageOnce) {
  DedupWindow w;
  *w.ClaimKey("a", kT0).entry = Entry("ma", 1, kT0);
  *w.ClaimKey("b", kT0).entry = Entry("mb", 2, kT0);
  EXPECT_EQ(w.RecordIfLive("a", 7, kT0 + 1), nullptr) << "not the message that claimed it";
  EXPECT_EQ(w.RecordIfLive("none", 1, kT0 + 1), nullptr);
  const DedupEntry* a = w.RecordIfLive("a", 1, kT0 + 1);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->message_id, "ma");
  EXPECT_EQ(a->expires_millis, kT0 + kWindow);
  EXPECT_EQ(w.RecordIfLive("a", 1, kT0 + 2), nullptr) << "recorded already";
  EXPECT_EQ(w.RecordIfLive("b", 2, kT0 + kWindow), nullptr) << "run out: nothing to keep";
  std::vector<std::string> expired;
  w.Expire(kT0 + kWindow, expired);
  EXPECT_EQ(expired, std::vector<std::string>{"a"});
}

// An entry that replaces a run-out one of the same key takes over the store's record of the key
// (the store has one record per key): it is deleted when the new entry runs out, or at once by
// the caller when the new entry is erased.
TEST(DedupWindowTest, AReplacingEntryTakesOverTheRecordOfTheKey) {
  DedupWindow w;
  w.Insert("k", Entry("old", 1, kT0), /*has_record=*/true);
  DedupWindow::Claim claim = w.ClaimKey("k", kT0 + kWindow);
  ASSERT_TRUE(claim.fresh);
  *claim.entry = Entry("new", 2, kT0 + kWindow);
  std::vector<std::string> expired;
  w.Expire(kT0 + kWindow, expired);
  EXPECT_TRUE(expired.empty()) << "the old entry's slot reports nothing";
  w.Expire(kT0 + 2 * kWindow, expired);
  EXPECT_EQ(expired, std::vector<std::string>{"k"}) << "the stale record goes with the new entry";

  w.Insert("e", Entry("old", 3, kT0), /*has_record=*/true);
  *w.ClaimKey("e", kT0 + kWindow).entry = Entry("new", 4, kT0 + kWindow);
  EXPECT_TRUE(w.Erase("e")) << "the caller deletes the record it took over";
  EXPECT_FALSE(w.Erase("e"));
  *w.ClaimKey("f", kT0).entry = Entry("mf", 5, kT0);
  EXPECT_FALSE(w.Erase("f")) << "a send's entry has no record";

  // Recovery: an entry from a message, then the key's record with a later expiry, or the other
  // way round: one entry, with the record.
  w.Insert("m", Entry("msg", 6, kT0), /*has_record=*/false);
  w.Insert("m", Entry("msg", 6, kT0 + 5), /*has_record=*/true);
  w.Insert("n", Entry("rec", 7, kT0), /*has_record=*/true);
  w.Insert("n", Entry("msg", 8, kT0 + 5), /*has_record=*/false);
  EXPECT_EQ(w.size(), 2u);
  expired.clear();
  w.Expire(kT0 + kWindow + 5, expired);
  std::sort(expired.begin(), expired.end());
  EXPECT_EQ(expired, (std::vector<std::string>{"m", "n"}));
}

TEST(DedupWindowTest, ClaimReturnsTheLiveEntryOrANewOneReplacingAnExpiredOrErasedOne) {
  DedupWindow w;
  DedupWindow::Claim first = w.ClaimKey("k", kT0);
  ASSERT_TRUE(first.fresh);
  *first.entry = Entry("m1", 1, kT0);
  EXPECT_EQ(w.size(), 1u);

  const DedupWindow::Claim again = w.ClaimKey("k", kT0 + kWindow - 1);
  ASSERT_FALSE(again.fresh) << "4:59.999 later: a duplicate";
  EXPECT_EQ(again.entry->message_id, "m1");
  EXPECT_EQ(again.entry->seq, 1u);

  DedupWindow::Claim later = w.ClaimKey("k", kT0 + kWindow);
  ASSERT_TRUE(later.fresh) << "at 5:00 the key is free again";
  *later.entry = Entry("m2", 2, kT0 + kWindow);
  EXPECT_EQ(w.size(), 1u);
  // The first claim's entry is superseded now: expiring it must not drop the second entry.
  std::vector<std::string> expired;
  w.Expire(kT0 + kWindow + 1, expired);
  EXPECT_TRUE(expired.empty());
  ASSERT_NE(w.Find("k", kT0 + kWindow + 1), nullptr);
  EXPECT_EQ(w.Find("k", kT0 + kWindow + 1)->message_id, "m2");

  w.Erase("k");
  EXPECT_EQ(w.size(), 0u);
  DedupWindow::Claim retried = w.ClaimKey("k", kT0 + kWindow + 2);
  ASSERT_TRUE(retried.fresh) << "an erased key (a failed send) is not a duplicate";
  *retried.entry = Entry("m3", 3, kT0 + kWindow + 2);
  EXPECT_EQ(w.size(), 1u);
  EXPECT_EQ(w.Find("k", kT0 + kWindow + 2)->message_id, "m3");
}

TEST(DedupWindowTest, ClearForgetsEverything) {
  DedupWindow w;
  w.Insert("a", Entry("ma", 1, kT0), /*has_record=*/true);
  w.Insert("b", Entry("mb", 2, kT0), /*has_record=*/true);
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
