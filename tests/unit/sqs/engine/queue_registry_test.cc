#include "sqs/engine/queue_registry.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "catalog_wait.h"
#include "common/manual_clock.h"
#include "storage/store.h"

// CreateQueue idempotency, the 60-second re-creation block, listing and ARN lookup
// (sqs-api.md §2.1, §2.3, §5.8, §5.9).

namespace wharf::sqs {
namespace {

using api::ErrorCode;
using testing::CreateAndWait;
using testing::RemoveAndWait;

constexpr const char* kAccount = "000000000000";

class QueueRegistryTest : public ::testing::Test {
 protected:
  QueueRegistryTest() : registry_(QueueDeps{&clock_, &clock_, &store_, &limits_}, "us-east-1") {}

  std::shared_ptr<QueueBackend> MustCreate(const std::string& name, QueueConfig config = {},
                                           const std::string& account = kAccount) {
    auto created = CreateAndWait(registry_, account, name, std::move(config), {}, {});
    EXPECT_TRUE(created.ok()) << name;
    return created.ok() ? created->queue : nullptr;
  }

  std::vector<std::string> Names(const std::vector<std::shared_ptr<QueueBackend>>& queues) {
    std::vector<std::string> names;
    for (const auto& q : queues) names.push_back(q->identity().name);
    return names;
  }

  api::ApiStatus SetAttributes(QueueBackend& q, const api::StringPairs& attributes) {
    std::optional<api::ApiStatus> status;
    q.SetAttributes(
        attributes,
        [](std::string_view) {
          return std::optional<DeadLetterTarget>(DeadLetterTarget{false, true});
        },
        [&](api::ApiStatus s) { status = std::move(s); });
    EXPECT_TRUE(status.has_value());
    return status.value_or(api::Error(ErrorCode::kInternalFailure));
  }

  ManualClock clock_;
  storage::MemoryStore store_;
  Limits limits_;
  QueueRegistry registry_;
};

TEST_F(QueueRegistryTest, CreateMakesANewQueueWithItsIdentity) {
  auto created = CreateAndWait(registry_, kAccount, "orders", QueueConfig{}, {}, {});
  ASSERT_TRUE(created.ok());
  EXPECT_TRUE(created->is_new);
  const QueueIdentity& id = created->queue->identity();
  EXPECT_EQ(id.account_id, kAccount);
  EXPECT_EQ(id.name, "orders");
  EXPECT_EQ(id.arn, "arn:aws:sqs:us-east-1:000000000000:orders");
  EXPECT_FALSE(id.fifo);
  EXPECT_EQ(registry_.Find(kAccount, "orders"), created->queue);
  EXPECT_EQ(registry_.Find(kAccount, "Orders"), nullptr) << "names are case-sensitive";
  EXPECT_EQ(registry_.Find("111111111111", "orders"), nullptr) << "queues belong to an account";
}

TEST_F(QueueRegistryTest, CreateIsIdempotentWhenGivenAttributesEqualTheCurrentOnes) {
  auto q = MustCreate("orders");
  auto again = CreateAndWait(registry_, kAccount, "orders", QueueConfig{}, {}, {});
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->is_new);
  EXPECT_EQ(again->queue, q);
  const api::StringPairs equal = {{"VisibilityTimeout", "30"},
                                  {"DelaySeconds", "0"},
                                  {"MaximumMessageSize", "1048576"},
                                  {"MessageRetentionPeriod", "345600"},
                                  {"ReceiveMessageWaitTimeSeconds", "0"},
                                  {"SqsManagedSseEnabled", "TRUE"}};  // booleans: any case
  again = CreateAndWait(registry_, kAccount, "orders", QueueConfig{}, {}, equal);
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->queue, q);
}

TEST_F(QueueRegistryTest, CreateWithADifferentAttributeValueIsQueueNameExists) {
  MustCreate("orders");
  auto again = CreateAndWait(registry_, kAccount, "orders", QueueConfig{}, {},
                             {{"DelaySeconds", "0"}, {"VisibilityTimeout", "60"}});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kQueueNameExists);
  EXPECT_EQ(again.error().message,
            "A queue already exists with the same name and a different value for attribute "
            "VisibilityTimeout");
  EXPECT_EQ(api::InfoOf(ErrorCode::kQueueNameExists).query_code, "QueueAlreadyExists");
}

TEST_F(QueueRegistryTest, ValuesChangedBySetQueueAttributesCountAsCurrent) {
  auto q = MustCreate("orders");
  ASSERT_TRUE(SetAttributes(*q, {{"VisibilityTimeout", "60"}}).ok());
  EXPECT_TRUE(
      CreateAndWait(registry_, kAccount, "orders", {}, {}, {{"VisibilityTimeout", "60"}}).ok());
  auto stale = CreateAndWait(registry_, kAccount, "orders", {}, {}, {{"VisibilityTimeout", "30"}});
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().code, ErrorCode::kQueueNameExists);
}

TEST_F(QueueRegistryTest, RedrivePolicyIsComparedByValueNotByText) {
  MustCreate("dlq");
  auto q = MustCreate("orders");
  ASSERT_TRUE(
      SetAttributes(*q, {{"RedrivePolicy", R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:)"
                                           R"(000000000000:dlq","maxReceiveCount":5})"}})
          .ok());
  EXPECT_TRUE(CreateAndWait(registry_, kAccount, "orders", {}, {},
                            {{"RedrivePolicy", R"({"maxReceiveCount":"5", "deadLetterTargetArn":)"
                                               R"("arn:aws:sqs:us-east-1:000000000000:dlq"})"}})
                  .ok());
  EXPECT_FALSE(CreateAndWait(registry_, kAccount, "orders", {}, {},
                             {{"RedrivePolicy", R"({"maxReceiveCount":6,"deadLetterTargetArn":)"
                                                R"("arn:aws:sqs:us-east-1:000000000000:dlq"})"}})
                   .ok());
}

TEST_F(QueueRegistryTest, DeletedNameIsBlockedForSixtySeconds) {
  auto old = MustCreate("orders");
  EXPECT_TRUE(RemoveAndWait(registry_, old).ok());
  EXPECT_EQ(registry_.Find(kAccount, "orders"), nullptr);
  auto again = CreateAndWait(registry_, kAccount, "orders", {}, {}, {});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kQueueDeletedRecently);
  const api::ErrorInfo& info = api::InfoOf(ErrorCode::kQueueDeletedRecently);
  EXPECT_EQ(again.error().message.empty() ? std::string(info.message) : again.error().message,
            "You must wait 60 seconds after deleting a queue before you can create another with "
            "the same name.");
  EXPECT_EQ(info.query_code, "AWS.SimpleQueueService.QueueDeletedRecently");
  clock_.Advance(Seconds(59));
  EXPECT_FALSE(CreateAndWait(registry_, kAccount, "orders", {}, {}, {}).ok());
  // Other names and other accounts are not blocked.
  EXPECT_TRUE(CreateAndWait(registry_, kAccount, "orders2", {}, {}, {}).ok());
  EXPECT_TRUE(CreateAndWait(registry_, "111111111111", "orders", {}, {}, {}).ok());
  clock_.Advance(Seconds(1));
  auto fresh = CreateAndWait(registry_, kAccount, "orders", {}, {}, {});
  ASSERT_TRUE(fresh.ok());
  EXPECT_TRUE(fresh->is_new);
  EXPECT_NE(fresh->queue->identity().id, old->identity().id)
      << "a new incarnation: old receipt handles must not match it";
}

TEST_F(QueueRegistryTest, RemovingAStaleQueueObjectLeavesTheNewQueueAlone) {
  auto old = MustCreate("orders");
  EXPECT_TRUE(RemoveAndWait(registry_, old).ok());
  clock_.Advance(Seconds(60));
  auto fresh = MustCreate("orders");
  EXPECT_TRUE(RemoveAndWait(registry_, old)
                  .ok());  // e.g. a DeleteQueue that resolved the old queue before it went
  EXPECT_EQ(registry_.Find(kAccount, "orders"), fresh);
}

TEST_F(QueueRegistryTest, ListFiltersByPrefixInNameOrderAndPages) {
  for (const char* name : {"b1", "a2", "a10", "a1", "c", "A0"}) MustCreate(name);
  MustCreate("a3", {}, "111111111111");

  EXPECT_EQ(Names(registry_.List(kAccount, "", "", 100)),
            (std::vector<std::string>{"A0", "a1", "a10", "a2", "b1", "c"}));
  EXPECT_EQ(Names(registry_.List(kAccount, "a", "", 100)),
            (std::vector<std::string>{"a1", "a10", "a2"}))
      << "case-sensitive starts-with, byte order, own account only";
  EXPECT_EQ(Names(registry_.List(kAccount, "a", "", 2)), (std::vector<std::string>{"a1", "a10"}));
  EXPECT_EQ(Names(registry_.List(kAccount, "a", "a10", 2)), (std::vector<std::string>{"a2"}));
  EXPECT_EQ(Names(registry_.List(kAccount, "", "a2", 2)), (std::vector<std::string>{"b1", "c"}));
  EXPECT_TRUE(registry_.List(kAccount, "zzz", "", 100).empty());
  EXPECT_EQ(Names(registry_.List("111111111111", "", "", 100)), (std::vector<std::string>{"a3"}));
}

TEST_F(QueueRegistryTest, FindByArnFindsTheQueueItNames) {
  auto q = MustCreate("orders");
  EXPECT_EQ(registry_.FindByArn("arn:aws:sqs:us-east-1:000000000000:orders"), q);
  EXPECT_EQ(registry_.FindByArn(q->identity().arn), q);
  EXPECT_EQ(registry_.FindByArn("arn:aws:sqs:us-east-1:000000000000:missing"), nullptr);
  EXPECT_EQ(registry_.FindByArn("arn:aws:sqs:us-east-1:111111111111:orders"), nullptr);
  EXPECT_EQ(registry_.FindByArn("arn:aws:sns:us-east-1:000000000000:orders"), nullptr);
  EXPECT_EQ(registry_.FindByArn("arn:aws:sqs:us-east-1:000000000000"), nullptr);
  EXPECT_EQ(registry_.FindByArn("orders"), nullptr);
  EXPECT_EQ(registry_.FindByArn(""), nullptr);
  EXPECT_EQ(registry_.FindByArn("xrn:aws:sqs:us-east-1:000000000000:orders"), nullptr);
  EXPECT_EQ(registry_.FindByArn("arn:aws:sqs:us-east-1:000000000000:orders:extra"), nullptr);
}

TEST_F(QueueRegistryTest, FindByArnRejectsAnotherRegionOrPartition) {
  MustCreate("orders");
  EXPECT_EQ(registry_.FindByArn("arn:aws:sqs:eu-west-1:000000000000:orders"), nullptr);
  EXPECT_EQ(registry_.FindByArn("arn:aws-cn:sqs:us-east-1:000000000000:orders"), nullptr);
}

TEST(QueueRegistryArnTest, ArnCarriesThePartitionOfTheRegion) {
  ManualClock clock;
  storage::MemoryStore store;
  Limits limits;
  QueueDeps deps{&clock, &clock, &store, &limits};
  EXPECT_EQ(QueueRegistry(deps, "us-east-1").ArnOf("000000000000", "q"),
            "arn:aws:sqs:us-east-1:000000000000:q");
  EXPECT_EQ(QueueRegistry(deps, "cn-north-1").ArnOf("000000000000", "q"),
            "arn:aws-cn:sqs:cn-north-1:000000000000:q");
  EXPECT_EQ(QueueRegistry(deps, "us-gov-west-1").ArnOf("000000000000", "q"),
            "arn:aws-us-gov:sqs:us-gov-west-1:000000000000:q");
}

}  // namespace
}  // namespace wharf::sqs
