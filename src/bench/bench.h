#pragma once

// `wharf bench`: a load generator for any SQS endpoint (Wharf or not), in the spirit of
// RabbitMQ's PerfTest. It speaks both SQS wire protocols with real SigV4 signatures, runs one
// scenario (send, send-batch, fifo, receive-delete, pipeline, long-poll) over N keep-alive
// connections, on a standard or a FIFO queue, and reports throughput and latency percentiles as
// a table or one JSON object.
//
// This is the module's only public header: the HTTP client (Boost.Beast) stays inside.

#include <chrono>
#include <cstdint>
#include <string>

namespace CLI {
class App;
}

namespace wharf::bench {

struct Options {
  std::string endpoint = "http://127.0.0.1:9324";
  std::string protocol = "json";  // "json" (AWS JSON 1.0) or "query" (AWS Query)
  std::string region = "us-east-1";
  std::string access_key = "test";
  std::string secret_key = "test";
  std::string scenario = "send";
  std::string queue;  // empty: bench-<scenario>-<random>, created and deleted by the run
  bool keep_queue = false;
  int connections = 16;
  int threads = 1;
  std::chrono::milliseconds duration{10'000};
  uint64_t count = 0;  // > 0: stop after this many messages instead of after `duration`
  std::chrono::milliseconds warmup{1'000};
  int body_size = 256;
  uint64_t prefill = 0;  // receive-delete: messages sent before timing starts (0: automatic)
  double rate = 0;       // producers' total messages per second; 0 = as fast as possible
  bool fifo = false;     // a FIFO queue (name suffixed .fifo; sends carry group and dedup ids)
  int groups = 1;        // FIFO: message group ids g0..g<groups-1>, used round-robin
  std::string kms_key;   // non-empty: the queue is created with KmsMasterKeyId = this (SSE-KMS)
  bool json = false;     // JSON report on stdout (the table goes to stderr)
  bool progress = true;  // one progress line per second on stderr
};

// Adds the `bench` subcommand to `app`, bound to `options`. Run it when the returned
// subcommand was parsed.
CLI::App* AddCommand(CLI::App& app, Options& options);

// Runs one benchmark; returns the process exit code (0 ok, 1 failed, 2 bad options).
int Run(const Options& options);

}  // namespace wharf::bench
