#include "net/http.h"

#include <gtest/gtest.h>

#include "net/http_server.h"

namespace wharf::net {
namespace {

TEST(HttpRequestTest, HeaderLookupIsCaseInsensitiveAndFirstWins) {
  HttpRequest request;
  request.headers = {{"X-Amz-Target", "AmazonSQS.SendMessage"}, {"x-amz-target", "second"}};
  EXPECT_EQ(request.Header("x-amz-target"), "AmazonSQS.SendMessage");
  EXPECT_EQ(request.Header("X-AMZ-TARGET"), "AmazonSQS.SendMessage");
  EXPECT_EQ(request.Header("Content-Type"), "");
}

TEST(HttpRequestTest, PathAndQuery) {
  HttpRequest request;
  request.target = "/000000000000/q1?Action=SendMessage&x=%20";
  EXPECT_EQ(request.Path(), "/000000000000/q1");
  EXPECT_EQ(request.Query(), "Action=SendMessage&x=%20");
  request.target = "/";
  EXPECT_EQ(request.Path(), "/");
  EXPECT_EQ(request.Query(), "");
}

TEST(HttpDateTest, KnownValues) {
  EXPECT_EQ(HttpDate(0), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(HttpDate(1700000000), "Tue, 14 Nov 2023 22:13:20 GMT");
  EXPECT_EQ(HttpDate(1795809048), "Fri, 27 Nov 2026 19:50:48 GMT");
  EXPECT_EQ(HttpDate(951782400), "Tue, 29 Feb 2000 00:00:00 GMT");
  EXPECT_EQ(HttpDate(951782400 - 1), "Mon, 28 Feb 2000 23:59:59 GMT");
}

}  // namespace
}  // namespace wharf::net
