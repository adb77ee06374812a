#include "common/offset_clock.h"

#include <gtest/gtest.h>

#include "common/manual_clock.h"

namespace wharf {
namespace {

TEST(OffsetClockTest, RunsAheadOfItsBaseByWhatItWasAdvanced) {
  ManualClock base(1'700'000'000'000);
  OffsetClock clock(base);
  EXPECT_EQ(clock.WallMillis(), base.WallMillis());
  EXPECT_EQ(clock.Now(), base.Now());
  clock.Advance(901'000);
  EXPECT_EQ(clock.WallMillis(), base.WallMillis() + 901'000);
  EXPECT_EQ(clock.Now(), base.Now() + Seconds(901));
  base.Advance(Seconds(5));
  EXPECT_EQ(clock.WallMillis(), 1'700'000'000'000 + 906'000) << "it follows its base";
  clock.Advance(-10'000);
  EXPECT_EQ(clock.WallMillis(), base.WallMillis() + 901'000) << "never backwards";
}

}  // namespace
}  // namespace wharf
