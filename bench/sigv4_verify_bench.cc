// The per-request cost of authentication: hashing primitives and a whole SigV4 verification of
// a JSON SendMessage (security.md §1.12 Example A), signing key already cached.

#include <benchmark/benchmark.h>

#include <string>
#include <utility>
#include <vector>

#include "auth/sigv4_verifier.h"
#include "common/hashing.h"

namespace {

const std::string kStringToSign(200, 's');

void BM_HmacSha256(benchmark::State& state) {
  const wharf::Sha256Digest key{};
  const std::string_view key_view(reinterpret_cast<const char*>(key.data()), key.size());
  for (auto _ : state) benchmark::DoNotOptimize(wharf::HmacSha256(key_view, kStringToSign));
}
BENCHMARK(BM_HmacSha256);

void BM_Sha256Of(benchmark::State& state) {
  const std::string bytes(static_cast<size_t>(state.range(0)), 'b');
  for (auto _ : state) benchmark::DoNotOptimize(wharf::Sha256Of(bytes));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Sha256Of)->Arg(64)->Arg(512)->Arg(4096);

void BM_Md5Of(benchmark::State& state) {
  const std::string bytes(static_cast<size_t>(state.range(0)), 'b');
  for (auto _ : state) benchmark::DoNotOptimize(wharf::Md5Of(bytes));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Md5Of)->Arg(256)->Arg(4096);

void BM_VerifyJsonSendMessage(benchmark::State& state) {
  wharf::auth::StaticCredentialStore store;
  store.AddRootKey("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY",
                   "123456789012");
  wharf::auth::SigV4Verifier verifier(store);
  const wharf::HttpHeaders headers = {
      {"Host", "localhost:9324"},
      {"Content-Type", "application/x-amz-json-1.0"},
      {"X-Amz-Target", "AmazonSQS.SendMessage"},
      {"X-Amz-Date", "20250115T120000Z"},
      {"Content-Length", "84"},
      {"Authorization",
       "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20250115/us-east-1/sqs/aws4_request, "
       "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
       "Signature=8ea028b1d615618858d4835e003acdb339c0a3ee299882cb7998d4e97db5e5cc"}};
  const std::string body =
      R"({"QueueUrl":"http://localhost:9324/000000000000/orders","MessageBody":"hello world"})";
  const wharf::auth::SignedRequest request{"POST", "/", "", &headers, body};
  constexpr int64_t kNow = 1736942400;  // the example's signing time
  if (!verifier.Verify(request, kNow, "sqs").ok()) {
    state.SkipWithError("the example no longer verifies");
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize(verifier.Verify(request, kNow, "sqs"));
}
BENCHMARK(BM_VerifyJsonSendMessage);

}  // namespace
