// IAM and STS through the dispatcher with signature verification on: requests without
// X-Amz-Target are routed by the credential scope's service and verified for that service
// (security.md §0); the answers use the IAM/STS namespaces.

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "auth/authorizer.h"
#include "auth/credentials.h"
#include "common/manual_clock.h"
#include "header_edits.h"
#include "iam/identity_store.h"
#include "iam/records.h"
#include "iam/service.h"
#include "iam/session_store.h"
#include "server/dispatcher.h"
#include "sqs/service.h"
#include "storage/store.h"

namespace wharf::server {
namespace {

constexpr int64_t kExampleMillis = 1736942400000;  // 2025-01-15T12:00:00Z

// security.md §1.12 Example B's temporary key, as a role session.
class ExampleBSession final : public auth::CredentialStore {
 public:
  api::ApiResult<std::shared_ptr<const auth::AccessKey>> Lookup(std::string_view id,
                                                                std::string_view token,
                                                                int64_t now_ms) const override {
    if (id != "ASIAIOSFODNN7EXAMPLE") return api::Error(api::ErrorCode::kInvalidClientTokenId);
    auto key = std::make_shared<auth::AccessKey>();
    key->access_key_id = "ASIAIOSFODNN7EXAMPLE";
    key->secret = "tempSecret/abc+def/0123456789ABCDEFGHIJKL";
    key->session_token = "FwoGZXIvYXdzEJr//////////wEaDE+test/token==";
    key->expires_at_ms = kExampleMillis + 60'000;  // a minute after the example's time
    key->principal.type = auth::PrincipalType::kAssumedRole;
    key->principal.account_id = "123456789012";
    key->principal.arn = "arn:aws:sts::123456789012:assumed-role/consumer/worker-1";
    key->principal.role_arn = "arn:aws:iam::123456789012:role/consumer";
    key->principal.unique_id = "AROADBQP57FF2AEXAMPLE:worker-1";
    return auth::CheckSessionToken(std::move(key), token, now_ms);
  }
};

class DispatcherIdentityTest : public ::testing::Test {
 protected:
  DispatcherIdentityTest()
      : clock_(kExampleMillis),
        service_(clock_, clock_, store_, sqs::ServiceOptions{}),
        identity_store_(clock_, journal_),
        sessions_(clock_),
        chain_({&session_, &identity_store_, &sessions_}),
        authorizer_(&identity_store_, clock_),
        identity_(identity_store_, sessions_, authorizer_, clock_),
        dispatcher_(service_, Options()) {}

  DispatcherOptions Options() {
    DispatcherOptions o;
    o.credentials = &chain_;
    o.clock = &clock_;
    o.identity = &identity_;
    return o;
  }

  // security.md §1.12 Example B, with the credential scope's service replaceable.
  static net::HttpRequest ExampleB(std::string service = "sts") {
    net::HttpRequest r;
    r.method = "POST";
    r.target = "/";
    r.headers = {
        {"Host", "localhost:9324"},
        {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
        {"X-Amz-Date", "20250115T120000Z"},
        {"X-Amz-Security-Token", "FwoGZXIvYXdzEJr//////////wEaDE+test/token=="},
        {"Authorization",
         "AWS4-HMAC-SHA256 Credential=ASIAIOSFODNN7EXAMPLE/20250115/us-east-1/" + service +
             "/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, "
             "Signature=20728a02446ede3b2bb398b2f74c43454212ed5194ececea1afd95a592013359"}};
    r.body = "Action=GetCallerIdentity&Version=2011-06-15";
    return r;
  }

  net::HttpResponse Call(net::HttpRequest request) {
    net::HttpResponse out;
    dispatcher_.Handle(std::move(request), [&](net::HttpResponse r) { out = std::move(r); });
    return out;
  }

  ManualClock clock_;
  storage::MemoryStore store_;
  sqs::SqsService service_;
  iam::NullJournal journal_;
  iam::IdentityStore identity_store_;
  iam::SessionStore sessions_;
  ExampleBSession session_;
  auth::ChainedCredentialStore chain_;
  auth::Authorizer authorizer_;
  iam::IdentityService identity_;
  Dispatcher dispatcher_;
};

TEST_F(DispatcherIdentityTest, StsRequestIsRoutedAndVerifiedForSts) {
  net::HttpResponse r = Call(ExampleB());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(
      r.body,
      R"(<?xml version="1.0"?><GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">)"
      "<GetCallerIdentityResult><UserId>AROADBQP57FF2AEXAMPLE:worker-1</UserId>"
      "<Account>123456789012</Account>"
      "<Arn>arn:aws:sts::123456789012:assumed-role/consumer/worker-1</Arn>"
      "</GetCallerIdentityResult><ResponseMetadata><RequestId>" +
          r.headers[1].second + "</RequestId></ResponseMetadata></GetCallerIdentityResponse>");
}

TEST_F(DispatcherIdentityTest, TheSignatureCoversTheScopeService) {
  // Signed for sts, scope rewritten to iam: routed to IAM, where the action does not exist.
  net::HttpResponse iam = Call(ExampleB("iam"));
  EXPECT_EQ(iam.status, 400);
  EXPECT_NE(iam.body.find("<Code>InvalidAction</Code>"), std::string::npos) << iam.body;
  EXPECT_NE(iam.body.find("https://iam.amazonaws.com/doc/2010-05-08/"), std::string::npos);
  // Scope rewritten to sqs: an SQS Query request whose signature no longer matches.
  net::HttpResponse sqs = Call(ExampleB("sqs"));
  EXPECT_EQ(sqs.status, 400);  // SQS has no GetCallerIdentity
  EXPECT_NE(sqs.body.find("InvalidAction"), std::string::npos) << sqs.body;
}

TEST_F(DispatcherIdentityTest, ExpiredSessionsAreExpiredTokens) {
  clock_.Advance(Seconds(60));  // still inside the signature's 15-minute window
  net::HttpResponse r = Call(ExampleB());
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("<Code>ExpiredToken</Code>"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("https://sts.amazonaws.com/doc/2011-06-15/"), std::string::npos);
}

TEST_F(DispatcherIdentityTest, ATamperedTokenIsInvalid) {
  net::HttpRequest request = ExampleB();
  request.headers = wharf::testing::WithHeader(request.headers, "X-Amz-Security-Token",
                                               "FwoGZXIvYXdzEJr//////////wEaDE+test/token=x");
  net::HttpResponse r = Call(std::move(request));
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("<Code>InvalidClientTokenId</Code>"), std::string::npos) << r.body;
}

}  // namespace
}  // namespace wharf::server
