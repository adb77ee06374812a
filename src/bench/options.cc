#include "bench/options.h"

#include <CLI/CLI.hpp>
#include <cctype>
#include <charconv>
#include <cmath>
#include <string>

#include "bench/bench.h"
#include "bench/scenario.h"

namespace wharf::bench {

std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  size_t unit_at = 0;
  while (unit_at < text.size() &&
         (std::isdigit(static_cast<unsigned char>(text[unit_at])) || text[unit_at] == '.')) {
    ++unit_at;
  }
  if (unit_at == 0) return std::nullopt;
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + unit_at, value);
  if (ec != std::errc() || end != text.data() + unit_at) return std::nullopt;
  const std::string_view unit = text.substr(unit_at);
  double millis = 0;
  if (unit.empty() || unit == "s") {
    millis = value * 1000;
  } else if (unit == "ms") {
    millis = value;
  } else if (unit == "m") {
    millis = value * 60'000;
  } else {
    return std::nullopt;
  }
  if (!std::isfinite(millis) || millis > 1e12) return std::nullopt;
  return std::chrono::milliseconds(static_cast<int64_t>(std::llround(millis)));
}

namespace {

// Binds a duration flag ("10s", "500ms") to `target`.
void AddDuration(CLI::App& cmd, const std::string& flag, std::chrono::milliseconds& target,
                 const std::string& description) {
  const std::string default_text = target.count() % 1000 == 0
                                       ? std::to_string(target.count() / 1000) + "s"
                                       : std::to_string(target.count()) + "ms";
  cmd.add_option_function<std::string>(
         flag,
         [&target](const std::string& text) {
           // The validator below has accepted `text`.
           target = *ParseDuration(text);
         },
         description)
      ->check(CLI::Validator(
          [](std::string& text) -> std::string {
            return ParseDuration(text) ? "" : "expected a duration such as 10s, 500ms or 2m";
          },
          "DURATION"))
      ->default_str(default_text);
}

}  // namespace

CLI::App* AddCommand(CLI::App& app, Options& o) {
  CLI::App* cmd = app.add_subcommand(
      "bench", "Measure an SQS endpoint: throughput and latency of one scenario (see src/bench)");
  std::string scenarios;
  for (std::string_view name : ScenarioNames()) {
    if (!scenarios.empty()) scenarios += "|";
    scenarios += name;
  }
  cmd->add_option("--endpoint", o.endpoint, "SQS endpoint URL (http only)")->capture_default_str();
  cmd->add_option("--protocol", o.protocol, "Wire protocol: json (AWS JSON 1.0) or query")
      ->check(CLI::IsMember({"json", "query"}))
      ->capture_default_str();
  cmd->add_option("--region", o.region, "Region in the SigV4 credential scope")
      ->capture_default_str();
  cmd->add_option("--access-key", o.access_key, "Access key id")->capture_default_str();
  cmd->add_option("--secret-key", o.secret_key, "Secret access key")->capture_default_str();
  cmd->add_option("--scenario", o.scenario, "Scenario: " + scenarios)
      ->check(
          CLI::IsMember(std::vector<std::string>(ScenarioNames().begin(), ScenarioNames().end())))
      ->capture_default_str();
  cmd->add_option("--queue", o.queue,
                  "Queue name (created if missing); default bench-<scenario>-<random>");
  cmd->add_flag("--keep-queue", o.keep_queue, "Do not delete the queue at the end");
  cmd->add_option("--connections", o.connections, "Concurrent keep-alive connections")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  cmd->add_option("--threads", o.threads, "Client I/O threads (one event loop each)")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  AddDuration(*cmd, "--duration", o.duration, "How long to measure (ignored with --count)");
  cmd->add_option("--count", o.count,
                  "Stop after this many messages instead of a duration (producers send exactly "
                  "this many after the warm-up)");
  AddDuration(*cmd, "--warmup", o.warmup, "Load applied before measuring starts");
  cmd->add_option("--body-size", o.body_size, "Message body bytes")
      ->check(CLI::Range(1, 1024 * 1024))
      ->capture_default_str();
  cmd->add_option("--prefill", o.prefill,
                  "receive-delete: messages sent (in batches) before timing starts; "
                  "default 2 x --count, or 100000");
  cmd->add_option("--rate", o.rate,
                  "Producers' total messages per second (send, send-batch, pipeline); "
                  "0 = unlimited")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_flag("--fifo", o.fifo,
                "FIFO queue: the name gets the .fifo suffix, sends carry MessageGroupId and a "
                "unique MessageDeduplicationId (implied by --scenario fifo)");
  cmd->add_option("--groups", o.groups,
                  "FIFO: spread messages round-robin over this many message groups g0..gN-1")
      ->check(CLI::Range(1, 1'000'000))
      ->capture_default_str();
  cmd->add_option("--kms-key", o.kms_key,
                  "Create the queue with SSE-KMS under this key (KmsMasterKeyId: key id, ARN or "
                  "alias, e.g. alias/aws/sqs), to measure the cost of encryption");
  cmd->add_flag("--json", o.json, "Print the report as one JSON object on stdout");
  cmd->add_flag_function(
      "--no-progress", [&o](int64_t) { o.progress = false; }, "No progress line on stderr");
  return cmd;
}

}  // namespace wharf::bench
