#include "sqs/register.h"

#include <gtest/gtest.h>

#include <set>
#include <string_view>

#include "api/action.h"

// Every row of the action table has a handler.

namespace wharf::sqs {
namespace {

const std::set<std::string_view> kNotImplemented = {};

TEST(RegisterHandlersTest, EveryImplementedActionHasAHandler) {
  api::HandlerTable<SqsService> table;
  RegisterHandlers(table);
  int implemented = 0;
  for (const api::ActionInfo& info : api::AllActions()) {
    const bool expected = kNotImplemented.count(info.name) == 0;
    EXPECT_EQ(table.Find(info.action) != nullptr, expected) << info.name;
    implemented += expected;
  }
  EXPECT_EQ(implemented, 23);
}

}  // namespace
}  // namespace wharf::sqs
