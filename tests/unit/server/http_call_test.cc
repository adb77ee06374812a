#include "server/http_call.h"

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "api/sqs/actions.h"
#include "common/manual_clock.h"
#include "harness.h"

// HttpCall: one answer per request, in the request's protocol, and InternalFailure rather than
// a hung client when a handler drops a call without answering.

namespace wharf::server::testing {
namespace {

struct Answers {
  int calls = 0;
  std::optional<net::HttpResponse> last;
};

std::shared_ptr<HttpCall> MakeCall(net::HttpRequest request, std::shared_ptr<Answers> answers) {
  api::RequestContext ctx;
  ctx.request_id = "11111111-2222-4333-8444-555555555555";
  auto call = std::make_shared<HttpCall>(
      std::move(request),
      [answers](net::HttpResponse r) {
        ++answers->calls;
        answers->last = std::move(r);
      },
      std::move(ctx));
  const net::HttpRequest& req = call->request();
  protocol::RequestView view;
  view.method = req.method;
  view.path = req.Path();
  view.query = req.Query();
  view.content_type = req.Header("Content-Type");
  view.amz_target = req.Header("X-Amz-Target");
  view.body = &req.body;
  auto parsed = protocol::Parse(view);
  EXPECT_TRUE(parsed.ok());
  if (parsed.ok()) call->SetParsed(std::move(parsed).value());
  return call;
}

class HttpCallTest : public ::testing::TestWithParam<Wire> {};

INSTANTIATE_TEST_SUITE_P(BothProtocols, HttpCallTest, ::testing::Values(Wire::kQuery, Wire::kJson),
                         [](const ::testing::TestParamInfo<Wire>& info) {
                           return WireName(info.param);
                         });

TEST_P(HttpCallTest, DecodesTheTypedInputOfEitherProtocol) {
  auto answers = std::make_shared<Answers>();
  Params p;
  p.Str("QueueUrl", "http://localhost:9324/000000000000/q")
      .Str("MessageBody", "hi there")
      .Int("DelaySeconds", 7)
      .MessageAttributes("MessageAttributes", "MessageAttribute", {{"City", "String", "Any"}});
  auto call = MakeCall(Harness::Request(GetParam(), "SendMessage", p), answers);
  api::sqs::SendMessageInput in;
  ASSERT_TRUE(call->Decode(api::Shape::Of(in)).ok());
  EXPECT_EQ(in.queue_url, "http://localhost:9324/000000000000/q");
  EXPECT_EQ(in.message_body, "hi there");
  EXPECT_EQ(in.delay_seconds, 7);
  ASSERT_EQ(in.message_attributes.size(), 1u);
  EXPECT_EQ(in.message_attributes[0].first, "City");
  EXPECT_EQ(in.message_attributes[0].second.string_value, "Any");
  call->Fail(api::Error(api::ErrorCode::kInternalFailure));  // answer before the call goes
}

TEST_P(HttpCallTest, OnlyTheFirstAnswerCounts) {
  auto answers = std::make_shared<Answers>();
  auto call = MakeCall(Harness::Request(GetParam(), "GetQueueUrl", Params()), answers);
  api::sqs::QueueUrlOutput out{"http://localhost:9324/000000000000/q"};
  call->Succeed(api::Shape::Of(out));
  call->Fail(api::Error(api::ErrorCode::kQueueDoesNotExist));
  call->Succeed(api::Shape::Of(out));
  call.reset();
  ASSERT_EQ(answers->calls, 1);
  EXPECT_EQ(answers->last->status, 200);
  EXPECT_EQ(HeaderOf(*answers->last, "x-amzn-RequestId"), "11111111-2222-4333-8444-555555555555");
  EXPECT_EQ(Field(GetParam(), answers->last->body, "QueueUrl"),
            "http://localhost:9324/000000000000/q");
}

TEST_P(HttpCallTest, ADroppedCallAnswersInternalFailure) {
  auto answers = std::make_shared<Answers>();
  MakeCall(Harness::Request(GetParam(), "SendMessage", Params()), answers).reset();
  ASSERT_EQ(answers->calls, 1);
  const net::HttpResponse& r = *answers->last;
  EXPECT_EQ(r.status, 500);
  if (GetParam() == Wire::kJson) {
    EXPECT_EQ(HeaderOf(r, "x-amzn-query-error"), "InternalFailure;Receiver");
  } else {
    EXPECT_NE(r.body.find("<Type>Receiver</Type><Code>InternalFailure</Code>"), std::string::npos)
        << r.body;
  }
}

TEST(ToHttpTest, AddsContentTypeRequestIdAndQueryErrorHeaders) {
  protocol::EncodedResponse encoded;
  encoded.status = 403;
  encoded.content_type = "application/x-amz-json-1.0";
  encoded.body = "{}";
  encoded.query_error = "AWS.SimpleQueueService.PurgeQueueInProgress;Sender";
  net::HttpResponse r = ToHttp(encoded, "req-1");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.body, "{}");
  EXPECT_EQ(HeaderOf(r, "Content-Type"), "application/x-amz-json-1.0");
  EXPECT_EQ(HeaderOf(r, "x-amzn-RequestId"), "req-1");
  EXPECT_EQ(HeaderOf(r, "x-amzn-query-error"),
            "AWS.SimpleQueueService.PurgeQueueInProgress;Sender");
  encoded.query_error.reset();
  EXPECT_EQ(HeaderCount(ToHttp(encoded, "req-2"), "x-amzn-query-error"), 0);
}

// Metrics (docs/metrics.md): an answer is counted once, under its action and error code, when it
// is handed to the connection — for a gated answer, when the gate releases it, and as
// InternalFailure if the change did not become durable.
TEST(HttpCallMetricsTest, CountsEachAnswerOnceWithItsCodeAndLatency) {
  ManualClock clock;
  RequestMetrics metrics(clock);
  const size_t slot = RequestMetrics::SlotOf(api::Action::kGetQueueUrl);
  auto answers = std::make_shared<Answers>();
  auto call = MakeCall(Harness::Request(Wire::kJson, "GetQueueUrl", Params()), answers);
  call->SetMetrics(&metrics, metrics.Start());
  clock.Advance(Millis(3));
  call->Fail(api::Error(api::ErrorCode::kQueueDoesNotExist));
  call->Fail(api::Error(api::ErrorCode::kInternalFailure));  // ignored: already answered
  call.reset();
  EXPECT_EQ(metrics.total(slot), 1u);
  EXPECT_EQ(metrics.errors(slot, api::ErrorCode::kQueueDoesNotExist), 1u);
  EXPECT_EQ(metrics.errors(slot, api::ErrorCode::kInternalFailure), 0u);
  HistogramSnapshot latency = metrics.latency_micros(slot);
  EXPECT_EQ(latency.count(), 1u);
  EXPECT_EQ(latency.sum, 3000u);
}

TEST(HttpCallMetricsTest, GatedAnswersAreCountedWhenReleased) {
  ManualClock clock;
  RequestMetrics metrics(clock);
  const size_t slot = RequestMetrics::SlotOf(api::Action::kGetQueueUrl);
  std::vector<std::function<void(bool)>> held;
  auto gate = [&held](std::function<void(bool)> release) { held.push_back(std::move(release)); };
  api::sqs::QueueUrlOutput out{"http://localhost:9324/000000000000/q"};
  for (int i = 0; i < 2; ++i) {
    auto call = MakeCall(Harness::Request(Wire::kJson, "GetQueueUrl", Params()),
                         std::make_shared<Answers>());
    call->SetMetrics(&metrics, metrics.Start());
    call->SetAnswerGate(gate);
    call->Succeed(api::Shape::Of(out));
  }
  ASSERT_EQ(held.size(), 2u);
  EXPECT_EQ(metrics.total(slot), 0u) << "not answered yet";
  clock.Advance(Millis(2));
  held[0](true);
  held[1](false);  // not durable: the client gets InternalFailure, and so do the metrics
  EXPECT_EQ(metrics.total(slot), 2u);
  EXPECT_EQ(metrics.errors(slot, api::ErrorCode::kInternalFailure), 1u);
  EXPECT_EQ(metrics.latency_micros(slot).sum, 4000u);
}

TEST(HttpCallMetricsTest, RouteFailuresAreUnrouted) {
  ManualClock clock;
  RequestMetrics metrics(clock);
  auto answers = std::make_shared<Answers>();
  api::RequestContext ctx;
  auto call = std::make_shared<HttpCall>(
      net::HttpRequest{}, [answers](net::HttpResponse) { ++answers->calls; }, std::move(ctx));
  call->SetMetrics(&metrics, metrics.Start());
  call->FailRoute(
      protocol::RouteError{protocol::Protocol::kQuery, api::Error(api::ErrorCode::kMissingAction)});
  EXPECT_EQ(answers->calls, 1);
  EXPECT_EQ(metrics.total(RequestMetrics::kUnrouted), 1u);
  EXPECT_EQ(metrics.errors(RequestMetrics::kUnrouted, api::ErrorCode::kMissingAction), 1u);
}

}  // namespace
}  // namespace wharf::server::testing
