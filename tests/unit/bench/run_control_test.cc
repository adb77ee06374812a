#include <gtest/gtest.h>

#include "bench/recorder.h"

namespace wharf::bench {
namespace {

TEST(RunControlTest, ReservesTheCountAcrossRequestsAndNoMore) {
  RunControl control(25);
  control.StartMeasuring(NowNanos());
  EXPECT_EQ(control.ReserveMessages(10).messages, 10u);
  EXPECT_EQ(control.ReserveMessages(10).messages, 10u);
  const RunControl::Reservation last = control.ReserveMessages(10);
  EXPECT_EQ(last.messages, 5u);  // the last batch is smaller
  EXPECT_TRUE(last.from_count);
  EXPECT_EQ(control.ReserveMessages(10).messages, 0u);
}

// A request that failed gives its messages back, and the next request sends them.
TEST(RunControlTest, ReturnedMessagesCanBeReservedAgain) {
  RunControl control(20);
  control.StartMeasuring(NowNanos());
  EXPECT_EQ(control.ReserveMessages(10).messages, 10u);
  EXPECT_EQ(control.ReserveMessages(10).messages, 10u);
  control.ReturnMessages(3);
  EXPECT_EQ(control.ReserveMessages(10).messages, 3u);
  EXPECT_EQ(control.ReserveMessages(10).messages, 0u);
}

// The warm-up's messages are not measured, so they take nothing from the count; nor is anything
// limited without a count.
TEST(RunControlTest, UnlimitedOutsideTheMeasuredCount) {
  RunControl warming(5);
  const RunControl::Reservation during_warmup = warming.ReserveMessages(10);
  EXPECT_EQ(during_warmup.messages, 10u);
  EXPECT_FALSE(during_warmup.from_count);
  warming.StartMeasuring(NowNanos());
  EXPECT_EQ(warming.ReserveMessages(10).messages, 5u);

  RunControl timed(0);
  timed.StartMeasuring(NowNanos());
  for (int i = 0; i < 3; ++i) {
    const RunControl::Reservation r = timed.ReserveMessages(10);
    EXPECT_EQ(r.messages, 10u);
    EXPECT_FALSE(r.from_count);
  }
}

}  // namespace
}  // namespace wharf::bench
