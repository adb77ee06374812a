// Sealing a stored value (docs/storage-format.md "Sealing"): every value the durable store writes
// is sealed on the committer thread and opened again on recovery and body reads, so this is on
// the path of every durable send. A 300-byte value is about a message record with a 256-byte
// body. Associated data is a message key (family byte and 16 key bytes).

#include <benchmark/benchmark.h>

#include <string>

#include "common/sealing.h"

namespace {

using wharf::Sealer;

Sealer MakeSealer() {
  auto sealer = Sealer::FromKey(std::string(32, '\x42'));
  return std::move(sealer).value();
}

const std::string kValue(300, 'v');
const std::string kAssociatedData(17, '\x01');

// Seal as the IAM secrets use it: a fresh string and a random nonce per value.
void BM_Seal300_RandomNonce(benchmark::State& state) {
  const Sealer sealer = MakeSealer();
  for (auto _ : state) benchmark::DoNotOptimize(sealer.Seal(kValue, kAssociatedData));
}
BENCHMARK(BM_Seal300_RandomNonce);

// The store's way: a counter nonce under a per-run data key, into a reused buffer.
void BM_Seal300_CounterNonce(benchmark::State& state) {
  const Sealer sealer = MakeSealer();
  std::string out;
  uint64_t counter = 0;
  for (auto _ : state) {
    Sealer::Nonce nonce{};
    ++counter;
    for (int i = 0; i < 8; ++i) nonce[4 + i] = static_cast<uint8_t>(counter >> (56 - 8 * i));
    sealer.SealTo(kValue, kAssociatedData, nonce, out);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_Seal300_CounterNonce);

// Opening on recovery and body reads, into a reused buffer.
void BM_Open300(benchmark::State& state) {
  const Sealer sealer = MakeSealer();
  const std::string sealed = sealer.Seal(kValue, kAssociatedData);
  std::string out;
  for (auto _ : state) {
    if (!sealer.OpenTo(sealed, kAssociatedData, out).ok()) {
      state.SkipWithError("open failed");
      return;
    }
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_Open300);

// Two sealers alternating on one thread: the per-thread context is keyed again on every value
// (the cost every value paid before contexts were reused).
void BM_Seal300_AlternatingKeys(benchmark::State& state) {
  const Sealer a = MakeSealer();
  const Sealer b = std::move(Sealer::FromKey(std::string(32, '\x43'))).value();
  std::string out;
  Sealer::Nonce nonce{};
  bool flip = false;
  for (auto _ : state) {
    ++nonce[11];
    (flip ? a : b).SealTo(kValue, kAssociatedData, nonce, out);
    flip = !flip;
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_Seal300_AlternatingKeys);

}  // namespace
