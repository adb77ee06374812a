// FifoGroups on its own (sqs-api.md §5.14): per-group send order, a group whose head is not
// visible yields nothing, a take fills with one group's consecutive visible messages before the
// next group, and the heap of available groups stays consistent under any sequence of adds,
// takes, state changes and removals (checked against a brute-force reference model).

#include "sqs/engine/fifo_groups.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace wharf::sqs {
namespace {

// Owns the messages FifoGroups points at.
class FifoGroupsTest : public ::testing::Test {
 protected:
  StoredMessage* Make(const std::string& group, uint64_t seq,
                      MessageState state = MessageState::kVisible) {
    auto content = std::make_shared<MessageContent>();
    content->message_id = group + "-" + std::to_string(seq);
    content->group_id = group;
    auto m = std::make_unique<StoredMessage>();
    m->seq = seq;
    m->content = std::move(content);
    m->state = state;
    StoredMessage* raw = m.get();
    owned_.push_back(std::move(m));
    return raw;
  }

  StoredMessage* Add(const std::string& group, uint64_t seq,
                     MessageState state = MessageState::kVisible) {
    StoredMessage* m = Make(group, seq, state);
    groups_.Add(m);
    return m;
  }

  // Takes up to `max` messages, marking each in flight as the engine does; returns their seqs.
  std::vector<uint64_t> Take(size_t max) {
    std::vector<uint64_t> seqs;
    groups_.TakeVisible(max, [&](StoredMessage* m) {
      EXPECT_EQ(m->state, MessageState::kVisible) << "only visible messages may be taken";
      m->state = MessageState::kInFlight;
      seqs.push_back(m->seq);
    });
    return seqs;
  }

  void SetState(StoredMessage* m, MessageState state) {
    m->state = state;
    groups_.Changed(m);
  }

  FifoGroups groups_;
  std::vector<std::unique_ptr<StoredMessage>> owned_;
};

using Seqs = std::vector<uint64_t>;

TEST_F(FifoGroupsTest, EmptyHasNothingToTake) {
  EXPECT_FALSE(groups_.any_available());
  EXPECT_EQ(groups_.group_count(), 0u);
  EXPECT_EQ(Take(10), Seqs{});
}

TEST_F(FifoGroupsTest, OneGroupIsTakenInSendOrderAndBlocksWhileItsHeadIsInFlight) {
  for (uint64_t s = 1; s <= 5; ++s) Add("g", s);
  EXPECT_EQ(Take(3), (Seqs{1, 2, 3}));
  EXPECT_FALSE(groups_.any_available()) << "head in flight: the group yields nothing";
  EXPECT_EQ(Take(10), Seqs{});
}

TEST_F(FifoGroupsTest, TakeStopsAtTheFirstMessageThatIsNotVisible) {
  StoredMessage* foo = Add("g", 1);
  StoredMessage* bar = Add("g", 2);
  StoredMessage* baz = Add("g", 3);
  for (StoredMessage* m : {foo, bar, baz}) m->state = MessageState::kInFlight;
  groups_.Changed(foo);
  ASSERT_FALSE(groups_.any_available());

  // §5.14: bar extended, foo and baz expired → [foo].
  SetState(foo, MessageState::kVisible);
  SetState(baz, MessageState::kVisible);
  EXPECT_EQ(Take(10), Seqs{1});
  // baz extended, foo (again) and bar expired → [foo, bar].
  SetState(foo, MessageState::kVisible);
  SetState(bar, MessageState::kVisible);
  baz->state = MessageState::kInFlight;
  groups_.Changed(baz);
  EXPECT_EQ(Take(10), (Seqs{1, 2}));
  // foo extended, bar and baz expired → nothing.
  SetState(bar, MessageState::kVisible);
  SetState(baz, MessageState::kVisible);
  EXPECT_FALSE(groups_.any_available());
  EXPECT_EQ(Take(10), Seqs{});
}

TEST_F(FifoGroupsTest, FillsWithOneGroupsConsecutiveMessagesBeforeTheNextGroup) {
  // Interleaved sends: g1 g2 g1 g2 g1.
  Add("g1", 1);
  Add("g2", 2);
  Add("g1", 3);
  Add("g2", 4);
  Add("g1", 5);
  EXPECT_EQ(Take(10), (Seqs{1, 3, 5, 2, 4}));
}

TEST_F(FifoGroupsTest, MaxCutsAGroupShortAndTheRestStaysBlocked) {
  for (uint64_t s = 1; s <= 4; ++s) Add("g1", s);
  Add("g2", 5);
  EXPECT_EQ(Take(2), (Seqs{1, 2}));
  // g1's head is in flight; 3 and 4 wait behind it; g2 is served.
  EXPECT_EQ(Take(10), Seqs{5});
}

TEST_F(FifoGroupsTest, BlockedGroupDoesNotStopOtherGroups) {
  StoredMessage* a1 = Add("a", 1);
  Add("a", 2);
  Add("b", 3);
  a1->state = MessageState::kInFlight;
  groups_.Changed(a1);
  EXPECT_EQ(Take(10), Seqs{3});
}

TEST_F(FifoGroupsTest, RemovingTheHeadUnblocksTheNextMessage) {
  StoredMessage* m1 = Add("g", 1);
  Add("g", 2);
  EXPECT_EQ(Take(1), Seqs{1});
  EXPECT_EQ(Take(1), Seqs{});
  groups_.Remove(m1);
  EXPECT_EQ(Take(1), Seqs{2});
}

TEST_F(FifoGroupsTest, HeadBecomingVisibleAgainComesFirst) {
  StoredMessage* m1 = Add("g", 1);
  StoredMessage* m2 = Add("g", 2);
  EXPECT_EQ(Take(2), (Seqs{1, 2}));
  SetState(m2, MessageState::kVisible);  // m2's timeout ran out first: still blocked by m1
  EXPECT_EQ(Take(10), Seqs{});
  SetState(m1, MessageState::kVisible);
  EXPECT_EQ(Take(10), (Seqs{1, 2}));
}

TEST_F(FifoGroupsTest, RemovingAMiddleMessageKeepsTheOrder) {
  Add("g", 1);
  StoredMessage* m2 = Add("g", 2);
  Add("g", 3);
  groups_.Remove(m2);
  EXPECT_EQ(Take(10), (Seqs{1, 3}));
}

TEST_F(FifoGroupsTest, RemovingTheLastMessageForgetsTheGroup) {
  StoredMessage* a = Add("a", 1);
  StoredMessage* b = Add("b", 2);
  EXPECT_EQ(groups_.group_count(), 2u);
  groups_.Remove(a);
  EXPECT_EQ(groups_.group_count(), 1u);
  groups_.Remove(b);
  EXPECT_EQ(groups_.group_count(), 0u);
  EXPECT_FALSE(groups_.any_available());
  // A message of a forgotten group starts the group afresh.
  Add("a", 3);
  EXPECT_EQ(Take(10), Seqs{3});
}

TEST_F(FifoGroupsTest, RemovingAnUnknownMessageIsANoOp) {
  Add("a", 1);
  StoredMessage* stranger = Make("zzz", 9);
  groups_.Remove(stranger);
  StoredMessage* not_added = Make("a", 5);
  groups_.Remove(not_added);
  EXPECT_EQ(Take(10), Seqs{1});
}

TEST_F(FifoGroupsTest, DelayedHeadBlocksUntilItBecomesVisible) {
  StoredMessage* m1 = Add("g", 1, MessageState::kDelayed);
  Add("g", 2);
  EXPECT_FALSE(groups_.any_available());
  SetState(m1, MessageState::kVisible);
  EXPECT_EQ(Take(10), (Seqs{1, 2}));
}

TEST_F(FifoGroupsTest, MessagesAddedOutOfOrderAreKeptInSeqOrder) {
  // Recovery may restore a group's messages in any order.
  Add("g", 30);
  Add("g", 10);
  Add("g", 20);
  EXPECT_EQ(Take(10), (Seqs{10, 20, 30}));
}

// Groups take turns in the order they became available (round-robin), not by head seq.
TEST_F(FifoGroupsTest, GroupsAreServedInTheOrderTheyBecameAvailable) {
  Add("first", 7);
  Add("second", 2);
  Add("third", 5);
  EXPECT_EQ(Take(1), Seqs{7});
  EXPECT_EQ(Take(1), Seqs{2});
  EXPECT_EQ(Take(1), Seqs{5});
}

TEST_F(FifoGroupsTest, AGroupThatBecomesAvailableAgainGoesToTheBackOfTheLine) {
  StoredMessage* a1 = Add("a", 1);
  Add("a", 2);
  Add("b", 3);
  Add("c", 4);
  EXPECT_EQ(Take(2), (Seqs{1, 2}));  // a's visible prefix; a is now blocked
  groups_.Remove(a1);                // a's head deleted: a2 is in flight, a stays blocked
  EXPECT_EQ(Take(1), Seqs{3});
  Add("a", 5);
  EXPECT_EQ(Take(1), Seqs{4});
}

TEST_F(FifoGroupsTest, ClearForgetsEverything) {
  Add("a", 1);
  Add("b", 2);
  groups_.Clear();
  EXPECT_EQ(groups_.group_count(), 0u);
  EXPECT_FALSE(groups_.any_available());
  EXPECT_EQ(Take(10), Seqs{});
  Add("a", 3);
  EXPECT_EQ(Take(10), Seqs{3});
}

TEST_F(FifoGroupsTest, ManyGroupsEachGetServed) {
  for (uint64_t g = 0; g < 500; ++g) Add("g" + std::to_string(g), g + 1);
  std::vector<uint64_t> all;
  for (int i = 0; i < 60; ++i) {
    Seqs got = Take(10);
    all.insert(all.end(), got.begin(), got.end());
  }
  ASSERT_EQ(all.size(), 500u);
  std::sort(all.begin(), all.end());
  for (uint64_t i = 0; i < 500; ++i) EXPECT_EQ(all[i], i + 1);
}

// Random operations against a reference model that recomputes everything from scratch: the
// available groups are those whose first live message is visible, served in the order they
// last became available, each contributing its visible prefix.
TEST_F(FifoGroupsTest, RandomOperationsMatchAReferenceModel) {
  std::mt19937_64 rng(20240611);
  std::map<uint64_t, StoredMessage*> live;  // by seq
  uint64_t next_seq = 1;
  const int kGroups = 12;

  std::map<std::string, uint64_t> turn;  // when each available group last became available
  uint64_t turns = 0;
  auto by_group = [&] {
    std::map<std::string, std::vector<StoredMessage*>> groups;
    for (auto& [seq, m] : live) groups[*m->content->group_id].push_back(m);
    return groups;
  };
  // Called after every operation: at most one group changes availability per operation.
  auto update_turns = [&] {
    std::map<std::string, uint64_t> next;
    for (auto& [g, msgs] : by_group()) {
      if (msgs.front()->state != MessageState::kVisible) continue;
      auto it = turn.find(g);
      next[g] = it != turn.end() ? it->second : ++turns;
    }
    turn.swap(next);
  };
  auto expected_take = [&](size_t max) {
    auto groups = by_group();
    std::vector<std::pair<uint64_t, std::vector<StoredMessage*>*>> available;
    for (auto& [g, msgs] : groups) {
      if (msgs.front()->state == MessageState::kVisible) available.emplace_back(turn.at(g), &msgs);
    }
    std::sort(available.begin(), available.end());
    Seqs out;
    for (auto& [t, msgs] : available) {
      for (StoredMessage* m : *msgs) {
        if (out.size() == max || m->state != MessageState::kVisible) break;
        out.push_back(m->seq);
      }
      if (out.size() == max) break;
    }
    return out;
  };
  auto pick = [&]() -> StoredMessage* {
    auto it = live.begin();
    std::advance(it, static_cast<long>(rng() % live.size()));
    return it->second;
  };

  for (int step = 0; step < 3000; ++step) {
    const uint64_t op = rng() % 10;
    if (op < 3 || live.empty()) {
      const std::string g = "g" + std::to_string(rng() % kGroups);
      const MessageState st = rng() % 4 == 0 ? MessageState::kDelayed : MessageState::kVisible;
      StoredMessage* m = Add(g, next_seq++, st);
      live[m->seq] = m;
    } else if (op < 6) {
      const size_t max = 1 + rng() % 10;
      Seqs want = expected_take(max);
      Seqs got = Take(max);
      ASSERT_EQ(got, want) << "step " << step;
    } else if (op < 8) {
      StoredMessage* m = pick();
      if (m->state != MessageState::kVisible) SetState(m, MessageState::kVisible);
    } else {
      StoredMessage* m = pick();
      groups_.Remove(m);
      live.erase(m->seq);
    }
    update_turns();
    ASSERT_EQ(groups_.any_available(), !expected_take(1).empty()) << "step " << step;
  }
}

}  // namespace
}  // namespace wharf::sqs
