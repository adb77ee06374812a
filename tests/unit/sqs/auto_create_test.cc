// --auto-create-queues: a missing queue of the caller's account is created on its first use
// (GetQueueUrl, SendMessage(Batch), ReceiveMessage, GetQueueAttributes), with default attributes
// and FIFO for a ".fifo" name, only if the caller may sqs:CreateQueue it; nothing else changes.

#include <gtest/gtest.h>

#include <map>

#include "auth/authorizer.h"
#include "sqs_test_support.h"

namespace wharf::sqs {
namespace {

using api::Action;
using api::ErrorCode;
using testing::SqsServiceTest;

ServiceOptions AutoCreating(const auth::Authorizer* authorizer = nullptr) {
  ServiceOptions options;
  options.auto_create_queues = true;
  options.authorizer = authorizer;
  return options;
}

class AutoCreateTest : public SqsServiceTest {
 protected:
  AutoCreateTest() : SqsServiceTest(AutoCreating()) {}

  api::ApiResult<a::QueueUrlOutput> GetUrl(const std::string& name) {
    ctx_.action = Action::kGetQueueUrl;
    return Run(&sqs::GetQueueUrl, a::GetQueueUrlInput{name, std::nullopt});
  }
  api::ApiResult<a::SendMessageOutput> SendTo(const std::string& url, a::SendMessageInput in) {
    ctx_.action = Action::kSendMessage;
    in.queue_url = url;
    if (!in.message_body) in.message_body = "hello";
    return Run(&sqs::SendMessage, std::move(in));
  }
  bool Exists(const std::string& name) {
    return service_.queues().Find("000000000000", name) != nullptr;
  }
};

TEST_F(AutoCreateTest, FirstSendCreatesAStandardQueueWithDefaults) {
  auto sent = SendTo("http://localhost:9324/000000000000/orders", {});
  ASSERT_TRUE(sent.ok()) << sent.error().message;
  ASSERT_TRUE(Exists("orders"));
  ctx_.action = Action::kGetQueueAttributes;
  EXPECT_EQ(Attribute("http://localhost:9324/000000000000/orders", "VisibilityTimeout"), "30");
  EXPECT_EQ(Attribute("http://localhost:9324/000000000000/orders", "ApproximateNumberOfMessages"),
            "1");
  EXPECT_EQ(Attribute("http://localhost:9324/000000000000/orders", "FifoQueue"), "<absent>");
}

TEST_F(AutoCreateTest, FifoNameGivesAFifoQueue) {
  a::SendMessageInput in;
  in.message_group_id = "g";
  in.message_deduplication_id = "d1";
  auto sent = SendTo("http://localhost:9324/000000000000/jobs.fifo", std::move(in));
  ASSERT_TRUE(sent.ok()) << sent.error().message;
  ctx_.action = Action::kGetQueueAttributes;
  EXPECT_EQ(Attribute("http://localhost:9324/000000000000/jobs.fifo", "FifoQueue"), "true");
}

TEST_F(AutoCreateTest, GetQueueUrlCreatesAndThenFindsTheSameQueue) {
  auto first = GetUrl("events");
  ASSERT_TRUE(first.ok()) << first.error().message;
  auto second = GetUrl("events");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(first->queue_url, second->queue_url);
  EXPECT_EQ(service_.queues().List("000000000000", "", "", 100).size(), 1u);
}

TEST_F(AutoCreateTest, DeleteAndPurgeOfAMissingQueueCreateNothing) {
  ctx_.action = Action::kDeleteQueue;
  auto deleted = Run(&sqs::DeleteQueue, a::QueueUrlInput{"http://localhost:9324/000000000000/q"});
  ASSERT_FALSE(deleted.ok());
  EXPECT_EQ(deleted.error().code, ErrorCode::kQueueDoesNotExist);
  ctx_.action = Action::kPurgeQueue;
  auto purged = Run(&sqs::PurgeQueue, a::QueueUrlInput{"http://localhost:9324/000000000000/q"});
  ASSERT_FALSE(purged.ok());
  EXPECT_FALSE(Exists("q"));
}

TEST_F(AutoCreateTest, InvalidNamesAndOtherAccountsStayMissing) {
  auto bad = GetUrl("no spaces allowed");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kQueueDoesNotExist);
  auto other = SendTo("http://localhost:9324/111122223333/orders", {});
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(service_.queues().Find("111122223333", "orders"), nullptr);
}

TEST_F(AutoCreateTest, OffByDefault) {
  storage::MemoryStore store;
  SqsService plain(clock_, clock_, store, ServiceOptions{});
  ctx_.action = Action::kGetQueueUrl;
  a::GetQueueUrlInput in{"orders", std::nullopt};
  auto url = sqs::GetQueueUrl(plain, ctx_, in);
  ASSERT_FALSE(url.ok());
  EXPECT_EQ(url.error().code, ErrorCode::kQueueDoesNotExist);
  EXPECT_EQ(plain.queues().Find("000000000000", "orders"), nullptr);
}

// A user whose policy allows everything on SQS but sqs:CreateQueue.
class NoCreatePolicy final : public auth::IdentityPolicySource {
 public:
  NoCreatePolicy() {
    auto parsed = auth::ParsePolicyDocument(R"({"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":"sqs:*","Resource":"*"},
        {"Effect":"Deny","Action":"sqs:CreateQueue","Resource":"*"}]})",
                                            auth::PolicyKind::kIdentity);
    EXPECT_TRUE(parsed.ok());
    policy_ = std::make_shared<const auth::PolicyDocument>(std::move(parsed).value());
  }
  std::vector<auth::NamedPolicy> PoliciesOf(const auth::RequestPrincipal&) const override {
    return {{"user/dev/inline", policy_}};
  }

 private:
  std::shared_ptr<const auth::PolicyDocument> policy_;
};

TEST(AutoCreateAuthorizationTest, CallerWhoMayNotCreateQueuesGetsQueueDoesNotExist) {
  ManualClock clock;
  storage::MemoryStore store;
  NoCreatePolicy policies;
  auth::Authorizer authorizer(&policies, clock);
  SqsService service(clock, clock, store, AutoCreating(&authorizer));
  api::RequestContext ctx = testing::DefaultContext();
  auto user = std::make_shared<auth::AccessKey>();
  user->access_key_id = "AKIADEV";
  user->principal.type = auth::PrincipalType::kUser;
  user->principal.account_id = "000000000000";
  user->principal.arn = "arn:aws:iam::000000000000:user/dev";
  user->principal.user_name = "dev";
  ctx.caller = user;
  ctx.action = Action::kGetQueueUrl;
  a::GetQueueUrlInput in{"orders", std::nullopt};
  auto url = sqs::GetQueueUrl(service, ctx, in);
  ASSERT_FALSE(url.ok());
  EXPECT_EQ(url.error().code, ErrorCode::kQueueDoesNotExist);
  EXPECT_EQ(service.queues().Find("000000000000", "orders"), nullptr);
  // The account's root may create: the same request then creates the queue.
  ctx.caller = nullptr;
  auto created = sqs::GetQueueUrl(service, ctx, in);
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_NE(service.queues().Find("000000000000", "orders"), nullptr);
}

}  // namespace
}  // namespace wharf::sqs
