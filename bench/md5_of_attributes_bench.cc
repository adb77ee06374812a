// MD5OfMessageAttributes (sqs-api.md §4.6): computed for every SendMessage (and batch entry)
// that carries message attributes, and for every received message that returns them.

#include <benchmark/benchmark.h>

#include <string>

#include "sqs/message_validation.h"

namespace {

using wharf::api::sqs::MessageAttributeMap;
using wharf::api::sqs::MessageAttributeValue;

MessageAttributeValue StringValue(std::string type, std::string value) {
  MessageAttributeValue v;
  v.data_type = std::move(type);
  v.string_value = std::move(value);
  return v;
}

// The worked example of sqs-api.md §1.3.4 (digest 37be9c66a26f6493892520be4c5f3abe).
MessageAttributeMap ThreeAttributes() {
  return {{"City", StringValue("String", "Any City")},
          {"Population", StringValue("Number", "1250800")},
          {"Weight", StringValue("Number.float", "3.14")}};
}

// The most an SQS message may carry: 10 attributes, here with 100-byte values and one binary.
MessageAttributeMap TenAttributes() {
  MessageAttributeMap map;
  for (int i = 0; i < 10; ++i) {
    map.emplace_back("attribute-" + std::to_string(i),
                     StringValue("String", std::string(100, static_cast<char>('a' + i))));
  }
  map[9].second.string_value.reset();
  map[9].second.data_type = "Binary";
  map[9].second.binary_value = std::string(100, '\x01');
  return map;
}

void BM_Md5OfAttributes_Three(benchmark::State& state) {
  const MessageAttributeMap map = ThreeAttributes();
  if (wharf::sqs::Md5OfAttributes(map) != "37be9c66a26f6493892520be4c5f3abe") {
    state.SkipWithError("wrong digest");
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize(wharf::sqs::Md5OfAttributes(map));
}
BENCHMARK(BM_Md5OfAttributes_Three);

void BM_Md5OfAttributes_Ten(benchmark::State& state) {
  const MessageAttributeMap map = TenAttributes();
  for (auto _ : state) benchmark::DoNotOptimize(wharf::sqs::Md5OfAttributes(map));
}
BENCHMARK(BM_Md5OfAttributes_Ten);

}  // namespace
