#include "server/metrics.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "harness.h"

// GET /metrics through the dispatcher after known traffic (docs/metrics.md): the CloudWatch
// per-queue figures, requests by action and error code, latency buckets on the ManualClock, the
// cap on queue label sets, and the bearer token. No sockets, no sleeps.

namespace wharf::server::testing {
namespace {

// The samples of an exposition, by series as rendered (`name{labels}`), after checking the
// format: every sample follows the # TYPE of its family, families are not split, and no series
// appears twice.
std::map<std::string, double> ParseExposition(const std::string& text) {
  std::map<std::string, double> samples;
  std::map<std::string, std::string> types;  // family → type
  std::set<std::string> closed;              // families already left
  std::string current;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    EXPECT_NE(end, std::string::npos) << "the exposition ends with a newline";
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    if (line.rfind("# HELP ", 0) == 0) continue;
    if (line.rfind("# TYPE ", 0) == 0) {
      const std::string rest = line.substr(7);
      const std::string family = rest.substr(0, rest.find(' '));
      EXPECT_FALSE(types.contains(family)) << "family declared twice: " << family;
      types[family] = rest.substr(rest.find(' ') + 1);
      if (!current.empty()) closed.insert(current);
      current = family;
      continue;
    }
    EXPECT_FALSE(line.empty() || line[0] == '#') << "unexpected line: " << line;
    const size_t space = line.rfind(' ');
    const std::string series = line.substr(0, space);
    const std::string value = line.substr(space + 1);
    const std::string name = series.substr(0, series.find('{'));
    std::string family = name;
    if (types[current] == "histogram") {
      for (std::string suffix : {"_bucket", "_sum", "_count"}) {
        if (name.size() > suffix.size() && name.ends_with(suffix) &&
            name.substr(0, name.size() - suffix.size()) == current) {
          family = current;
        }
      }
    }
    EXPECT_EQ(family, current) << "sample outside its family: " << line;
    EXPECT_FALSE(closed.contains(family)) << "family split: " << line;
    if (types[current] == "counter") {
      EXPECT_TRUE(name.ends_with("_total")) << name;
    }
    EXPECT_FALSE(samples.contains(series)) << "series twice: " << series;
    samples[series] = value == "+Inf" ? 1e300 : std::stod(value);
  }
  return samples;
}

class MetricsTest : public ::testing::Test {
 protected:
  explicit MetricsTest(MetricsOptions options = {})
      : metrics_(clock_, std::move(options)),
        service_(clock_, clock_, store_, sqs::ServiceOptions{}),
        dispatcher_(service_, OptionsWith(&metrics_)) {
    metrics_.SetSources(MetricsSources{&service_, nullptr, nullptr, nullptr});
  }

  static DispatcherOptions OptionsWith(Metrics* metrics) {
    DispatcherOptions options;
    options.metrics = metrics;
    return options;
  }

  std::shared_ptr<Harness::Capture> Dispatch(net::HttpRequest request) {
    auto capture = std::make_shared<Harness::Capture>();
    dispatcher_.Handle(std::move(request), [capture](net::HttpResponse response) {
      ++capture->calls;
      capture->response = std::move(response);
    });
    return capture;
  }

  net::HttpResponse Call(std::string_view action, const Params& params = {},
                         Wire wire = Wire::kJson) {
    auto capture = Dispatch(Harness::Request(wire, action, params));
    EXPECT_EQ(capture->calls, 1) << action << " must be answered at once";
    return capture->response.value_or(net::HttpResponse{0, {}, "<no response>"});
  }

  std::string CreateQueue(const std::string& name) {
    net::HttpResponse r = Call("CreateQueue", Params().Str("QueueName", name));
    EXPECT_EQ(r.status, 200) << r.body;
    return Field(Wire::kJson, r.body, "QueueUrl").value_or("");
  }

  void Send(const std::string& url, const std::string& body, int64_t delay = -1) {
    Params p;
    p.Str("QueueUrl", url).Str("MessageBody", body);
    if (delay >= 0) p.Int("DelaySeconds", delay);
    net::HttpResponse r = Call("SendMessage", p);
    EXPECT_EQ(r.status, 200) << r.body;
  }

  // Receives up to `max` messages at once and returns their receipt handles.
  std::vector<std::string> Receive(const std::string& url, int64_t max) {
    net::HttpResponse r = Call("ReceiveMessage", Params()
                                                     .Str("QueueUrl", url)
                                                     .Int("MaxNumberOfMessages", max)
                                                     .Int("VisibilityTimeout", 30)
                                                     .Int("WaitTimeSeconds", 0));
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<std::string> handles;
    const std::string key = "\"ReceiptHandle\":\"";
    for (size_t at = r.body.find(key); at != std::string::npos; at = r.body.find(key, at + 1)) {
      handles.push_back(JsonStringAt(r.body, at + key.size()).value_or(""));
    }
    return handles;
  }

  net::HttpResponse GetMetrics(std::string_view authorization = {}) {
    net::HttpRequest request;
    request.method = "GET";
    request.target = "/metrics";
    if (!authorization.empty()) request.headers.Add("Authorization", authorization);
    auto capture = Dispatch(std::move(request));
    EXPECT_EQ(capture->calls, 1);
    return capture->response.value_or(net::HttpResponse{0, {}, "<no response>"});
  }

  std::map<std::string, double> Scrape() {
    net::HttpResponse r = GetMetrics();
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(HeaderOf(r, "Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
    return ParseExposition(r.body);
  }

  static std::string Q(std::string_view name, std::string_view queue,
                       std::string_view account = "000000000000") {
    return std::string(name) + "{account=\"" + std::string(account) + "\",queue=\"" +
           std::string(queue) + "\"}";
  }
  static std::string Req(std::string_view action) {
    return "wharf_requests_total{service=\"sqs\",action=\"" + std::string(action) + "\"}";
  }

  ManualClock clock_;
  storage::MemoryStore store_;
  Metrics metrics_;  // outlives the service: calls it still holds are counted when freed
  sqs::SqsService service_;
  Dispatcher dispatcher_;
};

TEST_F(MetricsTest, CloudWatchQueueFiguresAfterKnownTraffic) {
  const std::string url = CreateQueue("orders");
  const std::string empty_url = CreateQueue("empty");
  for (int i = 0; i < 4; ++i) Send(url, "m" + std::to_string(i));  // 2 bytes each
  Send(url, std::string(2000, 'x'));                               // 2000 bytes
  clock_.Advance(Seconds(3));
  Send(url, "later", /*delay=*/60);  // delayed
  const std::vector<std::string> handles = Receive(url, 3);
  ASSERT_EQ(handles.size(), 3u);
  for (int i = 0; i < 2; ++i) {
    net::HttpResponse r =
        Call("DeleteMessage", Params().Str("QueueUrl", url).Str("ReceiptHandle", handles[i]));
    ASSERT_EQ(r.status, 200) << r.body;
  }
  EXPECT_TRUE(Receive(empty_url, 1).empty());
  clock_.Advance(Seconds(4));

  std::map<std::string, double> m = Scrape();
  EXPECT_EQ(m[Q("wharf_sqs_number_of_messages_sent_total", "orders")], 6);
  EXPECT_EQ(m[Q("wharf_sqs_number_of_messages_received_total", "orders")], 3);
  EXPECT_EQ(m[Q("wharf_sqs_number_of_messages_deleted_total", "orders")], 2);
  EXPECT_EQ(m[Q("wharf_sqs_number_of_empty_receives_total", "orders")], 0);
  EXPECT_EQ(m[Q("wharf_sqs_number_of_empty_receives_total", "empty")], 1);
  EXPECT_EQ(m[Q("wharf_sqs_number_of_messages_received_total", "empty")], 0);
  // 6 sent: 3 received (2 of them deleted), 1 delayed.
  EXPECT_EQ(m[Q("wharf_sqs_approximate_number_of_messages_visible", "orders")], 2);
  EXPECT_EQ(m[Q("wharf_sqs_approximate_number_of_messages_not_visible", "orders")], 1);
  EXPECT_EQ(m[Q("wharf_sqs_approximate_number_of_messages_delayed", "orders")], 1);
  EXPECT_EQ(m[Q("wharf_sqs_approximate_age_of_oldest_message_seconds", "orders")], 7);
  EXPECT_EQ(m[Q("wharf_sqs_approximate_age_of_oldest_message_seconds", "empty")], 0);
  // SentMessageSize: four 2-byte bodies and a 5-byte one up to 1 KiB, 2000 bytes up to 4 KiB.
  const std::string size = "wharf_sqs_sent_message_size_bytes";
  const std::string orders = "account=\"000000000000\",queue=\"orders\"";
  EXPECT_EQ(m[size + "_bucket{" + orders + ",le=\"1024\"}"], 5);
  EXPECT_EQ(m[size + "_bucket{" + orders + ",le=\"4096\"}"], 6);
  EXPECT_EQ(m[size + "_bucket{" + orders + ",le=\"+Inf\"}"], 6);
  EXPECT_EQ(m[size + "_sum{" + orders + "}"], 4 * 2 + 2000 + 5);
  EXPECT_EQ(m[size + "_count{" + orders + "}"], 6);
  EXPECT_EQ(m["wharf_sqs_queues"], 2);
  EXPECT_EQ(m["wharf_sqs_metrics_queues_aggregated"], 0);
  EXPECT_FALSE(m.contains(Q("wharf_sqs_number_of_messages_sent_total", "_other", "_other")));

  // The same scrape counts the requests that made it.
  EXPECT_EQ(m[Req("CreateQueue")], 2);
  EXPECT_EQ(m[Req("SendMessage")], 6);
  EXPECT_EQ(m[Req("ReceiveMessage")], 2);
  EXPECT_EQ(m[Req("DeleteMessage")], 2);
  EXPECT_FALSE(m.contains(Req("GetQueueUrl"))) << "actions never called have no series";
  // The ManualClock did not move during any request: every one took 0 s.
  EXPECT_EQ(m["wharf_request_duration_seconds_bucket{service=\"sqs\",action=\"SendMessage\","
              "le=\"0.0001\"}"],
            6);
  EXPECT_EQ(m["wharf_request_duration_seconds_count{service=\"sqs\",action=\"SendMessage\"}"], 6);
}

TEST_F(MetricsTest, ErrorsAreCountedByActionAndCode) {
  const std::string url = CreateQueue("present");
  net::HttpResponse r = Call("GetQueueUrl", Params().Str("QueueName", "absent"));
  EXPECT_EQ(r.status, 400);
  r = Call("SendMessage", Params().Str("QueueUrl", url + "-gone").Str("MessageBody", "x"),
           Wire::kQuery);
  EXPECT_EQ(r.status, 400);
  r = Call("ReceiveMessage", Params().Str("QueueUrl", url).Int("MaxNumberOfMessages", 11));
  EXPECT_EQ(r.status, 400);
  r = Call("ReceiveMessage", Params().Str("QueueUrl", url).Int("WaitTimeSeconds", 0));
  EXPECT_EQ(r.status, 200);

  std::map<std::string, double> m = Scrape();
  EXPECT_EQ(m[Req("GetQueueUrl")], 1);
  EXPECT_EQ(m["wharf_request_errors_total{service=\"sqs\",action=\"GetQueueUrl\","
              "code=\"QueueDoesNotExist\"}"],
            1);
  // The code is the error's name, whichever protocol the client spoke (Query here).
  EXPECT_EQ(m["wharf_request_errors_total{service=\"sqs\",action=\"SendMessage\","
              "code=\"QueueDoesNotExist\"}"],
            1);
  EXPECT_EQ(m[Req("ReceiveMessage")], 2);
  EXPECT_EQ(m["wharf_request_errors_total{service=\"sqs\",action=\"ReceiveMessage\","
              "code=\"InvalidParameterValueException\"}"],
            1);
  // A failed receive is not an empty receive.
  EXPECT_EQ(m[Q("wharf_sqs_number_of_empty_receives_total", "present")], 1);
}

TEST_F(MetricsTest, RequestsRefusedBeforeRoutingAreCountedAsUnknown) {
  net::HttpRequest request = Harness::Request(Wire::kQuery, "NoSuchAction", {});
  Dispatch(std::move(request));
  net::HttpRequest too_large = Harness::Request(Wire::kJson, "SendMessage", {});
  too_large.body.clear();
  too_large.body_too_large = true;
  Dispatch(std::move(too_large));
  std::map<std::string, double> m = Scrape();
  EXPECT_EQ(m["wharf_requests_total{service=\"unknown\",action=\"unknown\"}"], 2);
  EXPECT_EQ(m["wharf_request_errors_total{service=\"unknown\",action=\"unknown\","
              "code=\"RequestEntityTooLarge\"}"],
            1);
}

TEST_F(MetricsTest, LongPollWaitersAndTheirLatency) {
  const std::string url = CreateQueue("slow");
  auto parked = Dispatch(Harness::Request(
      Wire::kJson, "ReceiveMessage", Params().Str("QueueUrl", url).Int("WaitTimeSeconds", 10)));
  EXPECT_EQ(parked->calls, 0);
  std::map<std::string, double> m = Scrape();
  EXPECT_EQ(m["wharf_sqs_long_poll_waiters"], 1);
  EXPECT_FALSE(m.contains(Req("ReceiveMessage"))) << "counted when answered";

  clock_.Advance(Seconds(10));
  ASSERT_EQ(parked->calls, 1);
  m = Scrape();
  EXPECT_EQ(m["wharf_sqs_long_poll_waiters"], 0);
  EXPECT_EQ(m[Q("wharf_sqs_number_of_empty_receives_total", "slow")], 1);
  const std::string receive = "service=\"sqs\",action=\"ReceiveMessage\"";
  EXPECT_EQ(m["wharf_request_duration_seconds_bucket{" + receive + ",le=\"5\"}"], 0);
  EXPECT_EQ(m["wharf_request_duration_seconds_bucket{" + receive + ",le=\"10\"}"], 1);
  EXPECT_EQ(m["wharf_request_duration_seconds_sum{" + receive + "}"], 10);
}

TEST_F(MetricsTest, MetricsRequestsAreNotCountedAsApiRequests) {
  Scrape();
  std::map<std::string, double> m = Scrape();
  for (const auto& [series, value] : m) {
    EXPECT_FALSE(series.starts_with("wharf_requests_total")) << series;
  }
  EXPECT_EQ(m["wharf_sqs_queues"], 0);
  EXPECT_EQ(m["wharf_sqs_long_poll_waiters"], 0);
}

class MetricsCapTest : public MetricsTest {
 protected:
  MetricsCapTest() : MetricsTest(MetricsOptions{2, "", "test"}) {}
};

TEST_F(MetricsCapTest, QueuesBeyondTheCapAreSummedUnderOther) {
  const std::string a = CreateQueue("a");
  const std::string b = CreateQueue("b");
  std::map<std::string, double> m = Scrape();  // a and b take the two label sets
  EXPECT_EQ(m["wharf_sqs_metrics_queues_aggregated"], 0);

  const std::string c = CreateQueue("c");
  const std::string d = CreateQueue("d");
  Send(c, "one");
  Send(d, "two");
  Send(d, "three");
  Send(a, "four");
  m = Scrape();
  EXPECT_EQ(m["wharf_sqs_queues"], 4);
  EXPECT_EQ(m["wharf_sqs_metrics_queues_aggregated"], 2);
  EXPECT_EQ(m[Q("wharf_sqs_number_of_messages_sent_total", "a")], 1);
  EXPECT_EQ(m[Q("wharf_sqs_number_of_messages_sent_total", "b")], 0);
  EXPECT_FALSE(m.contains(Q("wharf_sqs_number_of_messages_sent_total", "c")));
  EXPECT_FALSE(m.contains(Q("wharf_sqs_number_of_messages_sent_total", "d")));
  EXPECT_EQ(m[Q("wharf_sqs_number_of_messages_sent_total", "_other", "_other")], 3);
  EXPECT_EQ(m[Q("wharf_sqs_approximate_number_of_messages_visible", "_other", "_other")], 3);
  EXPECT_EQ(m["wharf_sqs_sent_message_size_bytes_count{account=\"_other\",queue=\"_other\"}"], 3);
  size_t labelled = 0;
  for (const auto& [series, value] : m) {
    labelled += series.starts_with("wharf_sqs_number_of_messages_sent_total{");
  }
  EXPECT_EQ(labelled, 3u) << "two queues of their own and _other";

  // A deleted queue gives its label set to a queue that had none.
  net::HttpResponse r = Call("DeleteQueue", Params().Str("QueueUrl", a));
  ASSERT_EQ(r.status, 200) << r.body;
  m = Scrape();
  EXPECT_EQ(m["wharf_sqs_queues"], 3);
  EXPECT_EQ(m["wharf_sqs_metrics_queues_aggregated"], 1);
  EXPECT_FALSE(m.contains(Q("wharf_sqs_number_of_messages_sent_total", "a")));
  EXPECT_EQ(m[Q("wharf_sqs_number_of_messages_sent_total", "c")], 1);
  EXPECT_EQ(m[Q("wharf_sqs_number_of_messages_sent_total", "_other", "_other")], 2);
}

class MetricsTokenTest : public MetricsTest {
 protected:
  MetricsTokenTest() : MetricsTest(MetricsOptions{1000, "s3cret", "test"}) {}
};

TEST_F(MetricsTokenTest, ABearerTokenIsRequiredWhenSet) {
  EXPECT_EQ(GetMetrics().status, 401);
  EXPECT_EQ(GetMetrics("Bearer wrong").status, 401);
  EXPECT_EQ(GetMetrics("Bearer s3cret-and-more").status, 401);
  EXPECT_EQ(GetMetrics("Basic s3cret").status, 401);
  net::HttpResponse r = GetMetrics("Bearer s3cret");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("wharf_build_info{version=\"test\"} 1\n"), std::string::npos);
}

TEST(MetricsCodeLabelsTest, WithoutMetricsTheDispatcherServesNoMetricsPath) {
  Harness h;  // DispatcherOptions{}: metrics null
  net::HttpRequest request;
  request.method = "GET";
  request.target = "/metrics";
  auto capture = h.Dispatch(std::move(request));
  ASSERT_EQ(capture->calls, 1);
  EXPECT_NE(capture->response->status, 200);
}

}  // namespace
}  // namespace wharf::server::testing
