#pragma once

// Writes the Prometheus text exposition format, version 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/): one `# HELP` and one `# TYPE`
// line per metric family, then its samples, every sample of a family together. Label values are
// escaped (backslash, double quote, line feed), as is HELP text (backslash, line feed).
// Not thread-safe: one writer per scrape.

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "common/histogram.h"

namespace wharf::server {

struct Label {
  std::string_view name;
  std::string_view value;
};

// `\` → `\\`, `"` → `\"`, line feed → `\n`.
std::string EscapeLabelValue(std::string_view value);
// `\` → `\\`, line feed → `\n`.
std::string EscapeHelp(std::string_view help);
// A sample value or `le` bound: integers without a fraction, other numbers in the shortest
// decimal form that reads back the same (never an exponent), "+Inf", "-Inf", "NaN".
std::string FormatNumber(double value);

class PrometheusText {
 public:
  // Starts a family: `type` is "counter", "gauge" or "histogram".
  void Family(std::string_view name, std::string_view type, std::string_view help);
  void Sample(std::string_view name, std::initializer_list<Label> labels, uint64_t value);
  void Sample(std::string_view name, std::initializer_list<Label> labels, int64_t value);
  void Sample(std::string_view name, std::initializer_list<Label> labels, double value);
  // `<name>_bucket{...,le="..."}` (cumulative, ending with le="+Inf"), `<name>_sum` and
  // `<name>_count`. Bounds and sum are divided by `divisor` (1e6: microseconds to seconds;
  // dividing, not multiplying by 1e-6, keeps 250 µs "0.00025").
  void Histogram(std::string_view name, std::initializer_list<Label> labels,
                 const HistogramSnapshot& histogram, double divisor = 1.0);

  const std::string& text() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  void Head(std::string_view name, std::string_view suffix, std::initializer_list<Label> labels,
            const Label* extra);

  std::string out_;
};

}  // namespace wharf::server
