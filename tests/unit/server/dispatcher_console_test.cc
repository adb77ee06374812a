// The web console through the dispatcher: its files at GET /console and /console/<file>, with
// their security headers, and Wharf's own actions (Wharf.PeekMessages, Wharf.GetQueueStats)
// reachable only as signed JSON 1.0 requests — never unsigned, never by the Query protocol.

#include <gtest/gtest.h>

#include <string>

#include "auth/credentials.h"
#include "common/manual_clock.h"
#include "server/dispatcher.h"
#include "sqs/service.h"
#include "storage/store.h"

namespace wharf::server {
namespace {

class DispatcherConsoleTest : public ::testing::Test {
 protected:
  DispatcherConsoleTest()
      : clock_(1736942400000),
        service_(clock_, clock_, store_, sqs::ServiceOptions{}),
        dispatcher_(service_, Options()) {}

  DispatcherOptions Options() {
    credentials_.AddRootKey("test", "test", "000000000000");
    DispatcherOptions o;
    o.credentials = &credentials_;
    o.clock = &clock_;
    return o;
  }

  net::HttpResponse Call(std::string method, std::string target, HttpHeaders headers = {},
                         std::string body = {}) {
    net::HttpRequest r;
    r.method = std::move(method);
    r.target = std::move(target);
    r.headers = std::move(headers);
    r.headers.Add("Host", "localhost:9324");
    r.body = std::move(body);
    net::HttpResponse out;
    dispatcher_.Handle(std::move(r), [&](net::HttpResponse answer) { out = std::move(answer); });
    return out;
  }

  static std::string Header(const net::HttpResponse& r, std::string_view name) {
    for (const auto& [k, v] : r.headers) {
      if (k == name) return v;
    }
    return {};
  }

  auth::StaticCredentialStore credentials_;
  ManualClock clock_;
  storage::MemoryStore store_;
  sqs::SqsService service_;
  Dispatcher dispatcher_;
};

TEST_F(DispatcherConsoleTest, ServesThePageWithAStrictPolicy) {
  for (const char* path : {"/console", "/console/", "/console/index.html"}) {
    SCOPED_TRACE(path);
    net::HttpResponse r = Call("GET", path);
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(Header(r, "Content-Type"), "text/html; charset=utf-8");
    EXPECT_NE(r.body.find(R"(<script type="module" src="/console/app.js"></script>)"),
              std::string::npos);
    const std::string csp = Header(r, "Content-Security-Policy");
    EXPECT_NE(csp.find("default-src 'none'"), std::string::npos) << csp;
    EXPECT_NE(csp.find("script-src 'self'"), std::string::npos) << csp;
    EXPECT_NE(csp.find("connect-src 'self'"), std::string::npos) << csp;
    EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << csp;
    EXPECT_EQ(csp.find("unsafe"), std::string::npos) << csp;
    EXPECT_EQ(Header(r, "X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(Header(r, "X-Frame-Options"), "DENY");
    EXPECT_EQ(Header(r, "Cache-Control"), "no-cache");
    EXPECT_FALSE(Header(r, "ETag").empty());
  }
}

TEST_F(DispatcherConsoleTest, ServesEachFileWithItsTypeAndRevalidates) {
  net::HttpResponse js = Call("GET", "/console/app.js");
  ASSERT_EQ(js.status, 200);
  EXPECT_EQ(Header(js, "Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(Call("GET", "/console/style.css").status, 200);
  EXPECT_EQ(Header(Call("GET", "/console/style.css"), "Content-Type"), "text/css; charset=utf-8");
  EXPECT_EQ(Header(Call("GET", "/console/sigv4.js"), "Content-Type"),
            "text/javascript; charset=utf-8");

  net::HttpResponse same = Call("GET", "/console/app.js", {{"If-None-Match", Header(js, "ETag")}});
  EXPECT_EQ(same.status, 304);
  EXPECT_TRUE(same.body.empty());
  EXPECT_NE(Header(Call("GET", "/console/style.css"), "ETag"), Header(js, "ETag"));

  net::HttpResponse missing = Call("GET", "/console/../server/main.cc");
  EXPECT_EQ(missing.status, 404);
  EXPECT_FALSE(Header(missing, "Content-Security-Policy").empty());
  EXPECT_EQ(Call("GET", "/console/nope.js").status, 404);
}

TEST_F(DispatcherConsoleTest, OnlyGetOfItsOwnPathsIsTheConsole) {
  // Anything else is an API request (here: without an action, so a routing error).
  for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{
           {"POST", "/console"}, {"GET", "/consoles"}, {"GET", "/000000000000/console"}}) {
    SCOPED_TRACE(method + " " + path);
    net::HttpResponse r = Call(method, path);
    EXPECT_GE(r.status, 400);
    EXPECT_EQ(Header(r, "Content-Security-Policy"), "");
    EXPECT_EQ(r.body.find("<!doctype html>"), std::string::npos);
  }
}

TEST_F(DispatcherConsoleTest, WharfActionsNeedASignature) {
  for (const char* target : {"Wharf.PeekMessages", "Wharf.GetQueueStats"}) {
    SCOPED_TRACE(target);
    net::HttpResponse r = Call(
        "POST", "/", {{"Content-Type", "application/x-amz-json-1.0"}, {"X-Amz-Target", target}},
        R"({"QueueUrl":"http://localhost:9324/000000000000/q"})");
    EXPECT_EQ(r.status, 403);
    EXPECT_EQ(Header(r, "x-amzn-query-error"), "MissingAuthenticationToken;Sender");
  }
}

TEST_F(DispatcherConsoleTest, WharfActionsAreNotAwsActions) {
  net::HttpResponse unknown = Call(
      "POST", "/",
      {{"Content-Type", "application/x-amz-json-1.0"}, {"X-Amz-Target", "Wharf.ReceiveMessage"}},
      "{}");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_NE(unknown.body.find("Unknown operation Wharf.ReceiveMessage"), std::string::npos);
  net::HttpResponse as_sqs = Call(
      "POST", "/",
      {{"Content-Type", "application/x-amz-json-1.0"}, {"X-Amz-Target", "AmazonSQS.PeekMessages"}},
      "{}");
  EXPECT_EQ(as_sqs.status, 400);
  net::HttpResponse query =
      Call("POST", "/", {{"Content-Type", "application/x-www-form-urlencoded"}},
           "Action=PeekMessages&QueueUrl=http%3A%2F%2Flocalhost%3A9324%2F000000000000%2Fq");
  EXPECT_EQ(query.status, 400);
  EXPECT_NE(query.body.find("InvalidAction"), std::string::npos);
}

TEST(DispatcherConsoleOffTest, ConsoleOffServesNoFiles) {
  ManualClock clock(1736942400000);
  storage::MemoryStore store;
  sqs::SqsService service(clock, clock, store, sqs::ServiceOptions{});
  DispatcherOptions options;
  options.console = false;  // --console off
  Dispatcher dispatcher(service, std::move(options));
  net::HttpRequest r;
  r.method = "GET";
  r.target = "/console";
  r.headers = {{"Host", "localhost:9324"}};
  net::HttpResponse out;
  dispatcher.Handle(std::move(r), [&](net::HttpResponse answer) { out = std::move(answer); });
  EXPECT_GE(out.status, 400);
  EXPECT_EQ(out.body.find("<!doctype html>"), std::string::npos);
}

}  // namespace
}  // namespace wharf::server
