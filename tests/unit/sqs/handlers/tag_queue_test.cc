// TagQueue / UntagQueue / ListQueueTags through their handlers (§2.21–2.23).

#include <gtest/gtest.h>

#include "sqs_test_support.h"

namespace wharf::sqs::testing {
namespace {

using api::ErrorCode;

class TagQueueTest : public SqsServiceTest {
 protected:
  void SetUp() override { url_ = CreateQueue("q"); }

  api::ApiStatus Tag(api::StringPairs tags) {
    auto r = Run(&sqs::TagQueue, a::TagQueueInput{url_, std::move(tags)});
    if (r.ok()) return {};
    return r.error();
  }
  api::StringPairs Tags() {
    auto r = Run(&sqs::ListQueueTags, a::QueueUrlInput{url_});
    EXPECT_TRUE(r.ok());
    return r.ok() ? r->tags : api::StringPairs{};
  }

  std::string url_;
};

TEST_F(TagQueueTest, AddsOverwritesAndKeysAreCaseSensitive) {
  EXPECT_TRUE(Tags().empty());
  ASSERT_TRUE(Tag({{"MyTag", "1"}, {"empty", ""}}).ok());
  ASSERT_TRUE(Tag({{"mytag", "2"}, {"MyTag", "3"}}).ok());
  EXPECT_EQ(Tags(), (api::StringPairs{{"MyTag", "3"}, {"empty", ""}, {"mytag", "2"}}));
}

TEST_F(TagQueueTest, UntagIgnoresUnknownKeys) {
  ASSERT_TRUE(Tag({{"a", "1"}, {"b", "2"}}).ok());
  ASSERT_TRUE(Run(&sqs::UntagQueue, a::UntagQueueInput{url_, {"a", "nope"}}).ok());
  EXPECT_EQ(Tags(), (api::StringPairs{{"b", "2"}}));
  auto missing = Run(&sqs::UntagQueue, a::UntagQueueInput{url_, {}});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kMissingParameter);
}

TEST_F(TagQueueTest, TagRules) {
  for (const api::StringPairs& bad :
       {api::StringPairs{{"", "v"}}, api::StringPairs{{std::string(129, 'k'), "v"}},
        api::StringPairs{{"aws:reserved", "v"}}, api::StringPairs{{"k", std::string(257, 'v')}}}) {
    api::ApiStatus s = Tag(bad);
    ASSERT_FALSE(s.ok()) << bad.front().first;
    EXPECT_EQ(s.error().code, ErrorCode::kInvalidParameterValue);
  }
  EXPECT_TRUE(Tag({{std::string(128, 'k'), std::string(256, 'v')}}).ok());
  api::ApiStatus empty = Tag({});
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, ErrorCode::kMissingParameter);
}

TEST_F(TagQueueTest, AtMostFiftyTags) {
  api::StringPairs fifty;
  for (int i = 0; i < 50; ++i) fifty.emplace_back("k" + std::to_string(i), "v");
  ASSERT_TRUE(Tag(fifty).ok());
  ASSERT_TRUE(Tag({{"k0", "overwritten"}}).ok()) << "overwriting does not add a tag";
  api::ApiStatus s = Tag({{"one-more", "v"}});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidParameterValue);
  EXPECT_EQ(s.error().message, "Too many tags added for queue q.");
  EXPECT_EQ(Tags().size(), 50u);
}

}  // namespace
}  // namespace wharf::sqs::testing
