// FifoSendOrder without a database: which sends start at once and which wait for which.

#include "sqs/pg/fifo_send_order.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace wharf::sqs::pg {
namespace {

// Records the order sends start in.
struct Starts {
  std::vector<std::string> order;
  std::function<void()> Of(std::string name) {
    return [this, name] { order.push_back(name); };
  }
};

TEST(FifoSendOrderTest, ASendOfABusyGroupWaitsForTheOneBeforeIt) {
  FifoSendOrder order;
  Starts starts;
  order.Submit(1, {"g"}, starts.Of("g1"));
  order.Submit(1, {"g"}, starts.Of("g2"));
  order.Submit(1, {"g"}, starts.Of("g3"));
  EXPECT_EQ(starts.order, std::vector<std::string>{"g1"});
  EXPECT_EQ(order.waiting(), 2u);
  order.Finished(1, {"g"});
  EXPECT_EQ(starts.order, (std::vector<std::string>{"g1", "g2"}));
  order.Finished(1, {"g"});
  order.Finished(1, {"g"});
  EXPECT_EQ(starts.order, (std::vector<std::string>{"g1", "g2", "g3"}));
  EXPECT_EQ(order.waiting(), 0u);
}

TEST(FifoSendOrderTest, OtherGroupsAndOtherQueuesDoNotWait) {
  FifoSendOrder order;
  Starts starts;
  order.Submit(1, {"g"}, starts.Of("q1-g"));
  order.Submit(1, {"h"}, starts.Of("q1-h"));
  order.Submit(2, {"g"}, starts.Of("q2-g"));
  EXPECT_EQ(starts.order, (std::vector<std::string>{"q1-g", "q1-h", "q2-g"}));
  EXPECT_EQ(order.waiting(), 0u);
}

// A batch with groups g and h waits for a running g; a later send of h alone must wait behind
// the batch (h's order), while a later send of k goes at once.
TEST(FifoSendOrderTest, AWaitingBatchHoldsBackLaterSendsOfItsGroups) {
  FifoSendOrder order;
  Starts starts;
  order.Submit(1, {"g"}, starts.Of("g"));
  order.Submit(1, {"g", "h"}, starts.Of("batch"));
  order.Submit(1, {"h"}, starts.Of("h"));
  order.Submit(1, {"k"}, starts.Of("k"));
  EXPECT_EQ(starts.order, (std::vector<std::string>{"g", "k"}));
  order.Finished(1, {"g"});
  EXPECT_EQ(starts.order, (std::vector<std::string>{"g", "k", "batch"}));
  order.Finished(1, {"g", "h"});
  EXPECT_EQ(starts.order, (std::vector<std::string>{"g", "k", "batch", "h"}));
}

// Finishing starts every waiting send that is free, in submission order, in one go.
TEST(FifoSendOrderTest, OneFinishCanReleaseSeveralGroups) {
  FifoSendOrder order;
  Starts starts;
  order.Submit(1, {"a", "b"}, starts.Of("ab"));
  order.Submit(1, {"a"}, starts.Of("a"));
  order.Submit(1, {"b"}, starts.Of("b"));
  order.Submit(1, {"b"}, starts.Of("b2"));
  order.Finished(1, {"a", "b"});
  EXPECT_EQ(starts.order, (std::vector<std::string>{"ab", "a", "b"}));
  order.Finished(1, {"b"});
  EXPECT_EQ(starts.order, (std::vector<std::string>{"ab", "a", "b", "b2"}));
}

// A start that submits again (a sender reacting at once) does not deadlock on the lock.
TEST(FifoSendOrderTest, StartMaySubmitAgain) {
  FifoSendOrder order;
  Starts starts;
  order.Submit(1, {"g"}, starts.Of("first"));
  order.Submit(1, {"g"}, [&] {
    starts.order.push_back("second");
    order.Submit(1, {"g"}, starts.Of("third"));
  });
  order.Finished(1, {"g"});
  EXPECT_EQ(starts.order, (std::vector<std::string>{"first", "second"}));
  order.Finished(1, {"g"});
  EXPECT_EQ(starts.order, (std::vector<std::string>{"first", "second", "third"}));
}

}  // namespace
}  // namespace wharf::sqs::pg
