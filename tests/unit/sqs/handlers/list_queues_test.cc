// ListQueues through its handler: prefix, order, pagination (§2.3, §5.9).

#include <gtest/gtest.h>

#include "sqs_test_support.h"

namespace wharf::sqs::testing {
namespace {

using api::ErrorCode;

class ListQueuesTest : public SqsServiceTest {
 protected:
  api::ApiResult<a::ListQueuesOutput> List(std::optional<std::string> prefix,
                                           std::optional<int64_t> max,
                                           std::optional<std::string> token = std::nullopt) {
    return Run(&sqs::ListQueues, a::ListQueuesInput{std::move(prefix), std::move(token), max});
  }
  static std::string Url(const std::string& name) {
    return "http://localhost:9324/000000000000/" + name;
  }
};

TEST_F(ListQueuesTest, PrefixFilterInNameOrder) {
  for (const char* name : {"q3", "q1", "other", "q2"}) CreateQueue(name);
  auto r = List("q", std::nullopt);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->queue_urls, (std::vector<std::string>{Url("q1"), Url("q2"), Url("q3")}));
  EXPECT_FALSE(r->next_token);
  r = List(std::nullopt, std::nullopt);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->queue_urls.size(), 4u);
  r = List("nothing", std::nullopt);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->queue_urls.empty());
}

TEST_F(ListQueuesTest, PagesWithMaxResultsAndNextToken) {
  std::vector<std::string> all;
  for (int i = 0; i < 10; ++i) {
    std::string name = "q" + std::to_string(i);
    CreateQueue(name);
    all.push_back(Url(name));
  }
  // sqs-api.md §2.3: 10 queues, MaxResults=2 → 2 + token; then MaxResults=10 → remaining 8.
  auto first = List(std::nullopt, 2);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->queue_urls, (std::vector<std::string>{all[0], all[1]}));
  ASSERT_TRUE(first->next_token);
  auto rest = List(std::nullopt, 10, first->next_token);
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(rest->queue_urls, std::vector<std::string>(all.begin() + 2, all.end()));
  EXPECT_FALSE(rest->next_token) << "the final page has no token";
  auto exact = List(std::nullopt, 10);
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ(exact->queue_urls.size(), 10u);
  EXPECT_FALSE(exact->next_token) << "nothing remains after exactly MaxResults";
}

TEST_F(ListQueuesTest, MaxResultsRange) {
  for (int64_t bad : {0, 1001, -1}) {
    auto r = List(std::nullopt, bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidParameterValue);
  }
  EXPECT_TRUE(List(std::nullopt, 1000).ok());
  EXPECT_FALSE(List(std::nullopt, 10, "!!not base64!!").ok());
}

}  // namespace
}  // namespace wharf::sqs::testing
