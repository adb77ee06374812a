// SNS through the dispatcher: requests signed for "sns" reach the SNS handlers and are answered
// in SNS's namespace, the envelope signing certificate is served without credentials, and a
// server without SNS refuses SNS actions.

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "common/manual_clock.h"
#include "server/dispatcher.h"
#include "sns/service.h"
#include "sns/signing_key.h"
#include "sqs/service.h"
#include "storage/store.h"

namespace wharf::server {
namespace {

std::shared_ptr<const sns::SigningKey> Key() {
  static const auto key = std::move(sns::SigningKey::Generate("dispatcher-test")).value();
  return key;
}

class DispatcherSnsTest : public ::testing::Test {
 protected:
  DispatcherSnsTest()
      : sqs_(clock_, clock_, store_, sqs::ServiceOptions{}),
        sns_(clock_, clock_, store_, sqs_, Key(), sns::ServiceOptions{}),
        dispatcher_(sqs_, Options(&sns_)) {}

  static DispatcherOptions Options(sns::SnsService* sns) {
    DispatcherOptions o;
    o.sns = sns;
    return o;
  }

  static net::HttpRequest Signed(std::string body, std::string service = "sns") {
    net::HttpRequest r;
    r.method = "POST";
    r.target = "/";
    r.headers = {
        {"Host", "localhost:9324"},
        {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
        {"Authorization", "AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/" + service +
                              "/aws4_request, SignedHeaders=host, Signature=abc"}};
    r.body = std::move(body);
    return r;
  }

  net::HttpResponse Call(Dispatcher& d, net::HttpRequest request) {
    net::HttpResponse out;
    d.Handle(std::move(request), [&](net::HttpResponse r) { out = std::move(r); });
    return out;
  }
  net::HttpResponse Call(net::HttpRequest request) { return Call(dispatcher_, std::move(request)); }

  ManualClock clock_;
  storage::MemoryStore store_;
  sqs::SqsService sqs_;
  sns::SnsService sns_;
  Dispatcher dispatcher_;
};

TEST_F(DispatcherSnsTest, SnsSignedRequestsReachSns) {
  auto created = Call(Signed("Action=CreateTopic&Version=2010-03-31&Name=orders"));
  EXPECT_EQ(created.status, 200);
  EXPECT_NE(
      created.body.find(R"(<CreateTopicResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">)"
                        "<CreateTopicResult><TopicArn>arn:aws:sns:us-east-1:000000000000:orders"
                        "</TopicArn></CreateTopicResult>"),
      std::string::npos)
      << created.body;
  auto missing =
      Call(Signed("Action=Publish&Version=2010-03-31&TopicArn=arn:aws:sns:us-east-1:000000000000:"
                  "nope&Message=x"));
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(missing.body.find("<Code>NotFound</Code><Message>Topic does not exist</Message>"),
            std::string::npos)
      << missing.body;
  // AddPermission is an SQS action too: the scope decides whose it is.
  auto sqs = Call(Signed("Action=ListQueues&Version=2012-11-05", "sqs"));
  EXPECT_EQ(sqs.status, 200);
  auto not_sns = Call(Signed("Action=ListQueues&Version=2010-03-31"));
  EXPECT_EQ(not_sns.status, 400);
  EXPECT_NE(not_sns.body.find("Could not find operation ListQueues for version 2010-03-31"),
            std::string::npos);
}

TEST_F(DispatcherSnsTest, TheSigningCertificateIsServedWithoutCredentials) {
  net::HttpRequest get;
  get.method = "GET";
  get.target = "/" + Key()->certificate_file();
  auto cert = Call(std::move(get));
  EXPECT_EQ(cert.status, 200);
  EXPECT_EQ(cert.body, Key()->certificate_pem());
  net::HttpRequest other;
  other.method = "GET";
  other.target = "/SimpleNotificationService-0000000000000000000000000000000000000000.pem";
  EXPECT_NE(Call(std::move(other)).status, 200) << "only the server's own certificate";
}

TEST_F(DispatcherSnsTest, WithoutSnsTheActionsAreInvalid) {
  Dispatcher without(sqs_, DispatcherOptions{});
  auto r = Call(without, Signed("Action=ListTopics&Version=2010-03-31"));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("<Code>InvalidAction</Code>"), std::string::npos) << r.body;
}

}  // namespace
}  // namespace wharf::server
