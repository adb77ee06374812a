// The request log: the resource a decoded input names, and the line written per request (with
// no secret in it).

#include "server/request_log.h"

#include <gtest/gtest.h>

#include "api/sns/actions.h"
#include "api/sqs/actions.h"
#include "auth/credentials.h"
#include "common/log.h"

namespace wharf::server {
namespace {

TEST(RequestLogTest, ResourceOfNamesTheQueueTopicOrUser) {
  api::sqs::SendMessageInput send;
  send.queue_url = "http://localhost:9324/000000000000/orders.fifo";
  send.message_body = "secret body";
  EXPECT_EQ(ResourceOf(api::Shape::Of(send)), "orders.fifo");

  api::sqs::CreateQueueInput create;
  create.queue_name = "new-queue";
  EXPECT_EQ(ResourceOf(api::Shape::Of(create)), "new-queue");

  api::sns::PublishInput publish;
  publish.topic_arn = "arn:aws:sns:us-east-1:000000000000:t";
  publish.message = "secret";
  EXPECT_EQ(ResourceOf(api::Shape::Of(publish)), "arn:aws:sns:us-east-1:000000000000:t");

  api::sqs::ListQueuesInput list;
  EXPECT_EQ(ResourceOf(api::Shape::Of(list)), "");
}

TEST(RequestLogTest, OneLinePerRequestWithItsFactsAndNoSecret) {
  log::SetFormat(log::Format::kText);
  log::SetLevel(log::Level::kInfo);
  api::RequestContext context;
  context.request_id = "rid-1";
  context.access_key_id = "AKIAEXAMPLE";
  context.source_ip = "127.0.0.1";
  auto key = std::make_shared<auth::AccessKey>();
  key->access_key_id = "AKIAEXAMPLE";
  key->secret = "verysecretvalue";
  key->session_token = "sessiontokenvalue";
  key->principal.arn = "arn:aws:iam::000000000000:user/alice";
  context.caller = key;
  RequestOutcome outcome;
  outcome.action = api::Action::kSendMessage;
  outcome.status = 400;
  outcome.error = api::ErrorCode::kQueueDoesNotExist;
  outcome.latency = std::chrono::microseconds(1234);

  EnableRequestLog(false);
  ::testing::internal::CaptureStderr();
  LogRequest(context, "orders", outcome);
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "") << "off by default";

  EnableRequestLog(true);
  ::testing::internal::CaptureStderr();
  LogRequest(context, "orders", outcome);
  const std::string line = ::testing::internal::GetCapturedStderr();
  EnableRequestLog(false);
  EXPECT_NE(line.find(" INFO request request_id=rid-1 action=SendMessage resource=orders "
                      "status=400 error=AWS.SimpleQueueService.NonExistentQueue latency_us=1234 "
                      "principal=arn:aws:iam::000000000000:user/alice access_key_id=AKIAEXAMPLE "
                      "source_ip=127.0.0.1\n"),
            std::string::npos)
      << line;
  EXPECT_EQ(line.find("verysecretvalue"), std::string::npos);
  EXPECT_EQ(line.find("sessiontokenvalue"), std::string::npos);
}

}  // namespace
}  // namespace wharf::server
