#include "iam/register.h"

#include <gtest/gtest.h>

#include "api/action.h"

namespace wharf::iam {
namespace {

TEST(IdentityRegisterTest, EveryIamAndStsActionHasAHandler) {
  api::HandlerTable<IdentityService> table;
  RegisterHandlers(table);
  for (const api::ActionInfo& info : api::IdentityActions()) {
    EXPECT_NE(table.Find(info.action), nullptr) << info.name;
  }
  for (const api::ActionInfo& info : api::AllActions()) {
    EXPECT_EQ(table.Find(info.action), nullptr) << info.name;  // SQS is not ours
  }
}

}  // namespace
}  // namespace wharf::iam
