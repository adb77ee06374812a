// The dispatcher with signature verification on, as `wharf serve` runs by default: requests
// signed as in security.md §1.12 Example A pass; a wrong signature, an unknown key or a missing
// Authorization header get the §1.10 errors in the caller's protocol.

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "auth/credentials.h"
#include "common/manual_clock.h"
#include "header_edits.h"
#include "server/dispatcher.h"
#include "sqs/service.h"
#include "storage/store.h"

namespace wharf::server {
namespace {

constexpr int64_t kExampleMillis = 1736942400000;  // 2025-01-15T12:00:00Z

class DispatcherAuthTest : public ::testing::Test {
 protected:
  DispatcherAuthTest()
      : clock_(kExampleMillis),
        service_(clock_, clock_, store_, sqs::ServiceOptions{}),
        dispatcher_(service_, Options()) {}

  DispatcherOptions Options() {
    credentials_.AddRootKey("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY",
                            "123456789012");
    DispatcherOptions o;
    o.credentials = &credentials_;
    o.clock = &clock_;
    return o;
  }

  // security.md §1.12 Example A, with the signature replaceable.
  net::HttpRequest ExampleA(
      std::string signature = "8ea028b1d615618858d4835e003acdb339c0a3ee299882cb7998d4e97db5e5cc",
      std::string key = "AKIAIOSFODNN7EXAMPLE") {
    net::HttpRequest r;
    r.method = "POST";
    r.target = "/";
    r.headers = {{"Host", "localhost:9324"},
                 {"Content-Type", "application/x-amz-json-1.0"},
                 {"X-Amz-Target", "AmazonSQS.SendMessage"},
                 {"X-Amz-Date", "20250115T120000Z"},
                 {"Content-Length", "84"},
                 {"Authorization", "AWS4-HMAC-SHA256 Credential=" + key +
                                       "/20250115/us-east-1/sqs/aws4_request, "
                                       "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
                                       "Signature=" +
                                       signature}};
    r.body =
        R"({"QueueUrl":"http://localhost:9324/000000000000/orders","MessageBody":"hello world"})";
    return r;
  }

  net::HttpResponse Call(net::HttpRequest request) {
    net::HttpResponse out;
    dispatcher_.Handle(std::move(request), [&](net::HttpResponse r) { out = std::move(r); });
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

TEST_F(DispatcherAuthTest, AProperlySignedRequestReachesTheService) {
  // The signature is right, so the service decides: the queue URL names account 000000000000,
  // not the signer's 123456789012, and another account's queue that the caller may not use is
  // AccessDenied whether or not it exists (security.md §2.7).
  net::HttpResponse r = Call(ExampleA());
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(Header(r, "x-amzn-query-error"), "AccessDenied;Sender");
}

TEST_F(DispatcherAuthTest, AWrongSignatureIsSignatureDoesNotMatch) {
  net::HttpResponse r =
      Call(ExampleA("0000000000000000000000000000000000000000000000000000000000000000"));
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(Header(r, "x-amzn-query-error"), "SignatureDoesNotMatch;Sender");
  EXPECT_NE(r.body.find("InvalidSignatureException"), std::string::npos);
}

TEST_F(DispatcherAuthTest, AnUnknownKeyIsInvalidClientTokenId) {
  net::HttpResponse r = Call(
      ExampleA("8ea028b1d615618858d4835e003acdb339c0a3ee299882cb7998d4e97db5e5cc", "AKIANOBODY"));
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(Header(r, "x-amzn-query-error"), "InvalidClientTokenId;Sender");
}

TEST_F(DispatcherAuthTest, AnUnsignedRequestIsMissingAuthenticationToken) {
  net::HttpRequest request = ExampleA();
  request.headers = wharf::testing::WithoutHeader(request.headers, "Authorization");
  net::HttpResponse r = Call(std::move(request));
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(Header(r, "x-amzn-query-error"), "MissingAuthenticationToken;Sender");
}

TEST_F(DispatcherAuthTest, AnOldSignatureIsRejectedAfterFifteenMinutes) {
  clock_.Advance(Seconds(15 * 60 + 1));
  net::HttpResponse r = Call(ExampleA());
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("Signature expired"), std::string::npos);
}

}  // namespace
}  // namespace wharf::server
