#include "kms/register.h"

#include <gtest/gtest.h>

#include "api/action.h"

namespace wharf::kms {
namespace {

TEST(KmsRegisterTest, EveryKmsActionHasAHandlerAndNothingElse) {
  api::HandlerTable<KeyService> table;
  RegisterHandlers(table);
  for (const api::ActionInfo& info : api::KmsActions()) {
    EXPECT_NE(table.Find(info.action), nullptr) << info.name;
  }
  for (const api::ActionInfo& info : api::AllActions()) {
    EXPECT_EQ(table.Find(info.action), nullptr) << info.name;
  }
  for (const api::ActionInfo& info : api::IdentityActions()) {
    EXPECT_EQ(table.Find(info.action), nullptr) << info.name;
  }
}

}  // namespace
}  // namespace wharf::kms
