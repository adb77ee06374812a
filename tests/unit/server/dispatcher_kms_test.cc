// KMS through the dispatcher (security.md §4.5): X-Amz-Target: TrentService.* goes to the key
// service, answers are AWS JSON 1.1, errors KMS's own shapes with HTTP 400, authentication
// errors under their JSON names, and answers wait for the KMS gate (durability).

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "auth/authorizer.h"
#include "auth/credentials.h"
#include "common/manual_clock.h"
#include "harness.h"
#include "kms/key_store.h"
#include "kms/records.h"
#include "kms/service.h"
#include "server/dispatcher.h"
#include "sqs/service.h"
#include "storage/store.h"

namespace wharf::server {
namespace {

using testing::HeaderOf;

net::HttpRequest KmsRequest(std::string_view action, std::string body, bool signed_request = true,
                            std::string access_key = "test") {
  net::HttpRequest r;
  r.method = "POST";
  r.target = "/";
  r.headers.Add("Host", "localhost:9324");
  r.headers.Add("X-Amz-Date", "20250101T000000Z");
  r.headers.Add("Content-Type", "application/x-amz-json-1.1");
  r.headers.Add("X-Amz-Target", "TrentService." + std::string(action));
  if (signed_request) {
    r.headers.Add("Authorization", "AWS4-HMAC-SHA256 Credential=" + access_key +
                                       "/20250101/us-east-1/kms/aws4_request, SignedHeaders=host, "
                                       "Signature=abc");
  }
  r.body = std::move(body);
  r.body.reserve(r.body.size() + net::kBodyPadding);
  return r;
}

class DispatcherKmsTest : public ::testing::Test {
 protected:
  DispatcherKmsTest()
      : clock_(1735689600000),  // 2025-01-01T00:00:00Z, the requests' X-Amz-Date
        sqs_(clock_, clock_, store_, sqs::ServiceOptions{}),
        keys_(clock_, journal_, "us-east-1"),
        authorizer_(nullptr, clock_),
        kms_(keys_, authorizer_, clock_) {}

  std::unique_ptr<Dispatcher> Make(DispatcherOptions options) {
    return std::make_unique<Dispatcher>(sqs_, std::move(options));
  }

  DispatcherOptions WithKms() {
    DispatcherOptions o;
    o.kms = &kms_;
    return o;
  }

  static std::optional<net::HttpResponse> Call(Dispatcher& d, net::HttpRequest request) {
    std::optional<net::HttpResponse> out;
    d.Handle(std::move(request), [&](net::HttpResponse r) { out = std::move(r); });
    return out;
  }

  ManualClock clock_;
  storage::MemoryStore store_;
  sqs::SqsService sqs_;
  kms::NullJournal journal_;
  kms::KeyStore keys_;
  auth::Authorizer authorizer_;
  kms::KeyService kms_;
};

TEST_F(DispatcherKmsTest, ServesKmsActionsAsJson11) {
  auto d = Make(WithKms());
  auto created = Call(*d, KmsRequest("CreateKey", R"({"Description":"wire"})"));
  ASSERT_TRUE(created);
  EXPECT_EQ(created->status, 200) << created->body;
  EXPECT_EQ(HeaderOf(*created, "Content-Type"), "application/x-amz-json-1.1");
  EXPECT_FALSE(HeaderOf(*created, "x-amzn-RequestId").empty());
  EXPECT_TRUE(HeaderOf(*created, "x-amzn-query-error").empty());
  EXPECT_NE(created->body.find(R"("Description":"wire")"), std::string::npos) << created->body;
  EXPECT_NE(created->body.find(R"("AWSAccountId":"000000000000")"), std::string::npos);

  auto missing = Call(*d, KmsRequest("DescribeKey", R"({"KeyId":"alias/none"})"));
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 400);
  EXPECT_EQ(missing->body, R"({"__type":"NotFoundException","message":"Alias )"
                           R"(arn:aws:kms:us-east-1:000000000000:alias/none is not found."})");

  auto malformed = Call(*d, KmsRequest("DescribeKey", "{not json"));
  ASSERT_TRUE(malformed);
  EXPECT_EQ(malformed->status, 400);
  EXPECT_NE(malformed->body.find(R"("__type":"SerializationException")"), std::string::npos);

  auto unknown = Call(*d, KmsRequest("Sign", "{}"));
  ASSERT_TRUE(unknown);
  EXPECT_NE(unknown->body.find(R"("__type":"UnknownOperationException")"), std::string::npos);
}

TEST_F(DispatcherKmsTest, WithoutAKeyServiceKmsIsAnUnknownOperation) {
  auto d = Make(DispatcherOptions{});
  auto r = Call(*d, KmsRequest("ListKeys", "{}"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(r->body.find(R"("__type":"UnknownOperationException")"), std::string::npos) << r->body;
}

TEST_F(DispatcherKmsTest, AuthenticationErrorsUseTheJsonNames) {
  auth::StaticCredentialStore credentials;
  credentials.AddRootKey("test", "test", "000000000000");
  DispatcherOptions o = WithKms();
  o.credentials = &credentials;
  o.clock = &clock_;
  auto d = Make(std::move(o));
  auto unsigned_request = Call(*d, KmsRequest("ListKeys", "{}", false));
  ASSERT_TRUE(unsigned_request);
  EXPECT_EQ(unsigned_request->status, 400);
  EXPECT_EQ(unsigned_request->body,
            R"({"__type":"MissingAuthenticationTokenException","message":"Request is missing )"
            R"(Authentication Token"})");
  auto unknown_key = Call(*d, KmsRequest("ListKeys", "{}", true, "AKIAUNKNOWN"));
  ASSERT_TRUE(unknown_key);
  EXPECT_EQ(unknown_key->status, 400);
  EXPECT_NE(unknown_key->body.find(R"("__type":"UnrecognizedClientException")"), std::string::npos)
      << unknown_key->body;
}

TEST_F(DispatcherKmsTest, AnswersWaitForTheKmsGate) {
  std::function<void(bool)> held;
  DispatcherOptions o = WithKms();
  o.kms_gate = [&held](std::function<void(bool)> release) { held = std::move(release); };
  auto d = Make(std::move(o));
  std::optional<net::HttpResponse> answer;
  d->Handle(KmsRequest("CreateKey", "{}"), [&](net::HttpResponse r) { answer = std::move(r); });
  EXPECT_FALSE(answer) << "held until the key is durable";
  ASSERT_TRUE(held);
  held(true);
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 200);

  answer.reset();
  d->Handle(KmsRequest("CreateKey", "{}"), [&](net::HttpResponse r) { answer = std::move(r); });
  held(false);
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 500) << "not durable: no acknowledgement";
  EXPECT_NE(answer->body.find(R"("__type":"KMSInternalException")"), std::string::npos)
      << answer->body;
}

}  // namespace
}  // namespace wharf::server
