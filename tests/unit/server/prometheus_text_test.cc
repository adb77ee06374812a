#include "server/prometheus_text.h"

#include <gtest/gtest.h>

// The Prometheus text exposition format 0.0.4: families, samples, label and HELP escaping,
// number formatting and histograms.

namespace wharf::server {
namespace {

TEST(PrometheusTextTest, LabelValuesEscapeBackslashQuoteAndNewline) {
  EXPECT_EQ(EscapeLabelValue("plain-name_1.fifo"), "plain-name_1.fifo");
  EXPECT_EQ(EscapeLabelValue(R"(a\b)"), R"(a\\b)");
  EXPECT_EQ(EscapeLabelValue(R"(say "hi")"), R"(say \"hi\")");
  EXPECT_EQ(EscapeLabelValue("two\nlines"), R"(two\nlines)");
  EXPECT_EQ(EscapeLabelValue("\\\"\n"), R"(\\\"\n)");
  EXPECT_EQ(EscapeLabelValue("tab\tand ünïcode"), "tab\tand ünïcode") << "only three escapes";
}

TEST(PrometheusTextTest, HelpEscapesBackslashAndNewlineButNotQuotes) {
  EXPECT_EQ(EscapeHelp("a \"quoted\" word\\\nnext"), R"(a "quoted" word\\\nnext)");
}

TEST(PrometheusTextTest, NumbersAreIntegersOrShortDecimalsNeverExponents) {
  EXPECT_EQ(FormatNumber(0), "0");
  EXPECT_EQ(FormatNumber(42), "42");
  EXPECT_EQ(FormatNumber(-3), "-3");
  EXPECT_EQ(FormatNumber(250.0 / 1e6), "0.00025");
  EXPECT_EQ(FormatNumber(100.0 / 1e6), "0.0001");
  EXPECT_EQ(FormatNumber(2.5), "2.5");
  EXPECT_EQ(FormatNumber(1e300 * 1e300), "+Inf");
  EXPECT_EQ(FormatNumber(-1e300 * 1e300), "-Inf");
}

TEST(PrometheusTextTest, FamiliesAndSamples) {
  PrometheusText out;
  out.Family("wharf_things_total", "counter", "Things counted.\nSecond \\ line.");
  out.Sample("wharf_things_total", {}, uint64_t{7});
  out.Sample("wharf_things_total", {{"queue", "q\"1"}, {"account", "000000000000"}}, int64_t{-1});
  out.Sample("wharf_things_total", {{"x", "y"}}, 0.5);
  EXPECT_EQ(out.text(),
            "# HELP wharf_things_total Things counted.\\nSecond \\\\ line.\n"
            "# TYPE wharf_things_total counter\n"
            "wharf_things_total 7\n"
            "wharf_things_total{queue=\"q\\\"1\",account=\"000000000000\"} -1\n"
            "wharf_things_total{x=\"y\"} 0.5\n");
}

constexpr std::array<uint64_t, 2> kMicros{250, 1'000'000};

TEST(PrometheusTextTest, HistogramBucketsAreCumulativeAndEndAtInf) {
  Histogram<kMicros> h;
  h.Observe(100);        // ≤ 0.00025 s
  h.Observe(250);        // ≤ 0.00025 s (bounds are inclusive)
  h.Observe(500'000);    // ≤ 1 s
  h.Observe(3'000'000);  // above every bound
  PrometheusText out;
  out.Family("wharf_latency_seconds", "histogram", "Latency.");
  out.Histogram("wharf_latency_seconds", {{"action", "SendMessage"}}, h.Snapshot(), 1e6);
  EXPECT_EQ(out.text(),
            "# HELP wharf_latency_seconds Latency.\n"
            "# TYPE wharf_latency_seconds histogram\n"
            "wharf_latency_seconds_bucket{action=\"SendMessage\",le=\"0.00025\"} 2\n"
            "wharf_latency_seconds_bucket{action=\"SendMessage\",le=\"1\"} 3\n"
            "wharf_latency_seconds_bucket{action=\"SendMessage\",le=\"+Inf\"} 4\n"
            "wharf_latency_seconds_sum{action=\"SendMessage\"} 3.50035\n"
            "wharf_latency_seconds_count{action=\"SendMessage\"} 4\n");
}

TEST(PrometheusTextTest, HistogramWithoutLabels) {
  Histogram<kMicros> h;
  h.Observe(7);
  PrometheusText out;
  out.Histogram("wharf_batch", {}, h.Snapshot());
  EXPECT_EQ(out.text(),
            "wharf_batch_bucket{le=\"250\"} 1\n"
            "wharf_batch_bucket{le=\"1000000\"} 1\n"
            "wharf_batch_bucket{le=\"+Inf\"} 1\n"
            "wharf_batch_sum 7\n"
            "wharf_batch_count 1\n");
}

}  // namespace
}  // namespace wharf::server
