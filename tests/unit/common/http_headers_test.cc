#include "common/http_headers.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace wharf {
namespace {

std::vector<std::pair<std::string, std::string>> Fields(const HttpHeaders& headers) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [name, value] : headers) out.emplace_back(name, value);
  return out;
}

TEST(HttpHeadersTest, KeepsOrderAndNamesAsAdded) {
  HttpHeaders h;
  EXPECT_TRUE(h.empty());
  h.Add("Host", "localhost:9324");
  h.Add("x-Amz-Target", "AmazonSQS.SendMessage");
  h.Add("Empty", "");
  h.Add("host", "second");
  EXPECT_EQ(h.size(), 4u);
  EXPECT_EQ(Fields(h), (std::vector<std::pair<std::string, std::string>>{
                           {"Host", "localhost:9324"},
                           {"x-Amz-Target", "AmazonSQS.SendMessage"},
                           {"Empty", ""},
                           {"host", "second"}}));
  EXPECT_EQ(h[1].name, "x-Amz-Target");
  EXPECT_EQ(h[1].value, "AmazonSQS.SendMessage");
}

TEST(HttpHeadersTest, GetIsTheFirstFieldCaseInsensitively) {
  HttpHeaders h = {{"X-Amz-Target", "first"}, {"x-amz-target", "second"}, {"Empty", ""}};
  EXPECT_EQ(h.Get("x-amz-target"), "first");
  EXPECT_EQ(h.Get("X-AMZ-TARGET"), "first");
  EXPECT_EQ(h.Get("Empty"), "");
  EXPECT_EQ(h.Get("Absent"), "");
  EXPECT_EQ(h.Get("X-Amz-Targe"), "");
}

TEST(HttpHeadersTest, CopiesAndMovesKeepTheFields) {
  // Short enough for the buffer to be a small string, which a move copies to a new place.
  HttpHeaders small = {{"A", "1"}, {"B", "2"}};
  HttpHeaders copy = small;
  HttpHeaders moved = std::move(small);
  EXPECT_EQ(copy, moved);
  EXPECT_EQ(moved.Get("b"), "2");
  EXPECT_EQ(Fields(moved),
            (std::vector<std::pair<std::string, std::string>>{{"A", "1"}, {"B", "2"}}));
  HttpHeaders reserved;
  reserved.Reserve(2, 4);
  reserved.Add("A", "1");
  reserved.Add("B", "2");
  EXPECT_EQ(reserved, copy);
  reserved.Add("C", "3");
  EXPECT_NE(reserved, copy);
}

}  // namespace
}  // namespace wharf
