// Authorization of SNS calls (sns-fanout.md §3, §7.4; security.md §2.6): IAM users need an
// identity policy (the default topic policy grants them nothing by itself), a topic policy can
// name them or another account, and refusals are AuthorizationError in SNS's wording.

#include <gtest/gtest.h>

#include "auth/authorizer.h"
#include "auth/policy/policy_document.h"
#include "sns_test_support.h"

namespace wharf::sns {
namespace {

using testing::TopicArn;

constexpr char kUserArn[] = "arn:aws:iam::000000000000:user/alice";

// Alice's identity policies: whatever the test puts here.
class Policies final : public auth::IdentityPolicySource {
 public:
  std::vector<auth::NamedPolicy> PoliciesOf(const auth::RequestPrincipal& p) const override {
    if (p.arn != kUserArn) return {};
    return policies;
  }
  std::vector<auth::NamedPolicy> policies;
};

std::shared_ptr<const auth::AccessKey> Alice() {
  auto key = std::make_shared<auth::AccessKey>();
  key->access_key_id = "AKIAALICE";
  key->principal.type = auth::PrincipalType::kUser;
  key->principal.account_id = testing::kAccount;
  key->principal.arn = kUserArn;
  key->principal.user_name = "alice";
  key->principal.unique_id = "AIDAALICE";
  return key;
}

class SnsAuthorizationTest : public ::testing::Test {
 protected:
  SnsAuthorizationTest() {
    ServiceOptions options;
    options.authorizer = &authorizer_;
    sns_ = std::make_unique<SnsService>(clock_, clock_, store_, sqs_, testing::TestSigningKey(),
                                        std::move(options));
  }

  api::ApiResult<wire::PublishOutput> PublishAs(std::shared_ptr<const auth::AccessKey> caller,
                                                const std::string& topic) {
    api::RequestContext ctx =
        testing::ContextFor(api::Action::kPublish, caller->principal.account_id);
    ctx.caller = std::move(caller);
    auto call = std::make_shared<testing::RecordingCall<wire::PublishOutput>>(std::move(ctx));
    wire::PublishInput in;
    in.topic_arn = topic;
    in.message = "m";
    Publish(*sns_, call->context(), std::move(in), api::Reply<wire::PublishOutput>(call));
    return call->Wait();
  }

  std::string CreateTopic(const std::string& name) {
    auto call = std::make_shared<testing::RecordingCall<wire::TopicArnOutput>>(
        testing::ContextFor(api::Action::kCreateTopic));  // the account's root
    sns::CreateTopic(*sns_, call->context(), wire::CreateTopicInput{name, {}, {}, std::nullopt},
                     api::Reply<wire::TopicArnOutput>(call));
    auto out = call->Wait();
    EXPECT_TRUE(out.ok());
    return out.ok() ? out->topic_arn : "";
  }

  void SetPolicy(const std::string& topic, const std::string& policy) {
    auto call = std::make_shared<testing::RecordingCall<wire::Empty>>(
        testing::ContextFor(api::Action::kSetTopicAttributes));
    SetTopicAttributes(*sns_, call->context(),
                       wire::SetTopicAttributesInput{topic, "Policy", policy},
                       api::Reply<wire::Empty>(call));
    ASSERT_TRUE(call->Wait().ok());
  }

  static auth::NamedPolicy Parse(const std::string& json, auth::PolicyKind kind) {
    auto doc = auth::ParsePolicyDocument(json, kind);
    EXPECT_TRUE(doc.ok());
    return {"inline", std::make_shared<const auth::PolicyDocument>(std::move(doc).value())};
  }

  ManualClock clock_;
  storage::MemoryStore store_;
  Policies identities_;
  auth::Authorizer authorizer_{&identities_, clock_};
  sqs::SqsService sqs_{clock_, clock_, store_, sqs::ServiceOptions{}};
  std::unique_ptr<SnsService> sns_;
};

TEST_F(SnsAuthorizationTest, AUserNeedsAnIdentityPolicyUnderTheDefaultTopicPolicy) {
  const std::string topic = CreateTopic("orders");
  auto denied = PublishAs(Alice(), topic);
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error().code, api::ErrorCode::kSnsAuthorizationError);
  EXPECT_EQ(denied.error().message,
            "User: arn:aws:iam::000000000000:user/alice is not authorized to perform: SNS:Publish "
            "on resource: " +
                topic + " because no identity-based policy allows the SNS:Publish action");
  identities_.policies.push_back(
      Parse(R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sns:Publish",)"
            R"("Resource":")" +
                topic + R"("}]})",
            auth::PolicyKind::kIdentity));
  EXPECT_TRUE(PublishAs(Alice(), topic).ok());
}

TEST_F(SnsAuthorizationTest, ATopicPolicyNamingTheUserOrAnotherAccountLetsThemIn) {
  const std::string topic = CreateTopic("shared");
  SetPolicy(topic, R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":)"
                   R"({"AWS":["arn:aws:iam::000000000000:user/alice","111122223333"]},)"
                   R"("Action":"SNS:Publish","Resource":")" +
                       topic + R"("}]})");
  EXPECT_TRUE(PublishAs(Alice(), topic).ok()) << "named directly: no identity policy needed";
  auto other = std::make_shared<auth::AccessKey>();
  other->principal = auth::RootPrincipal("111122223333");
  EXPECT_TRUE(PublishAs(other, topic).ok()) << "the other account's root";
  auto third = std::make_shared<auth::AccessKey>();
  third->principal = auth::RootPrincipal("444455556666");
  auto denied = PublishAs(third, topic);
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error().code, api::ErrorCode::kSnsAuthorizationError);
}

}  // namespace
}  // namespace wharf::sns
