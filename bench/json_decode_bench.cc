// Decoding a SendMessage request in the AWS JSON 1.0 protocol: routing (protocol::Parse) plus
// filling the typed input (ParsedRequest::Decode), i.e. the protocol layer's share of a send.

#include <benchmark/benchmark.h>

#include <string>

#include "api/handler_table.h"
#include "api/sqs/actions.h"
#include "protocol/protocol.h"

namespace {

using namespace wharf;

// The request body stays padded for simdjson (capacity > size + 64), as net/ delivers it.
std::string Padded(std::string body) {
  body.reserve(body.size() + 64);
  return body;
}

void DecodeLoop(benchmark::State& state, const std::string& body) {
  protocol::RequestView view;
  view.method = "POST";
  view.path = "/";
  view.content_type = "application/x-amz-json-1.0";
  view.amz_target = "AmazonSQS.SendMessage";
  view.body = &body;
  for (auto _ : state) {
    auto parsed = protocol::Parse(view);
    if (!parsed.ok()) {
      state.SkipWithError("Parse failed");
      return;
    }
    api::sqs::SendMessageInput input;
    if (!parsed->Decode(api::Shape::Of(input)).ok()) {
      state.SkipWithError("Decode failed");
      return;
    }
    benchmark::DoNotOptimize(input);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}

void BM_JsonDecodeSendMessage_Plain(benchmark::State& state) {
  const std::string body =
      Padded(R"({"QueueUrl":"http://localhost:9324/000000000000/orders","MessageBody":")" +
             std::string(256, 'x') + R"("})");
  DecodeLoop(state, body);
}
BENCHMARK(BM_JsonDecodeSendMessage_Plain);

// sqs-api.md §1.4.4: attributes and a system attribute.
void BM_JsonDecodeSendMessage_Attributes(benchmark::State& state) {
  const std::string body = Padded(
      R"({"QueueUrl":"http://localhost:9324/000000000000/my-queue","MessageBody":"hello world",)"
      R"("DelaySeconds":5,"MessageAttributes":{"City":{"DataType":"String","StringValue":"Any City"},)"
      R"("Population":{"DataType":"Number","StringValue":"1250800"},)"
      R"("Weight":{"DataType":"Number.float","StringValue":"3.14"}},)"
      R"("MessageSystemAttributes":{"AWSTraceHeader":{"DataType":"String",)"
      R"("StringValue":"Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"}}})");
  DecodeLoop(state, body);
}
BENCHMARK(BM_JsonDecodeSendMessage_Attributes);

}  // namespace
