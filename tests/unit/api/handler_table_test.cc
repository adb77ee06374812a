#include "api/handler_table.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace wharf::api {
namespace {

// --- shapes and a fake service ---------------------------------------------------------------

struct GreetInput {
  std::optional<std::string> name;
  std::optional<int64_t> times;
  void Describe(Visitor& v) {
    v.String("Name", name);
    v.Int("Times", times);
  }
};
struct GreetOutput {
  std::string greeting;
  void Describe(Visitor& v) { v.String("Greeting", greeting); }
};

struct FakeService {
  int sync_calls = 0;
  int async_calls = 0;
  std::vector<GreetInput> seen;
  std::vector<Reply<GreetOutput>> parked;  // async answers not given yet
  const RequestContext* last_context = nullptr;
};

ApiResult<GreetOutput> Greet(FakeService& svc, const RequestContext& ctx, GreetInput& in) {
  ++svc.sync_calls;
  svc.seen.push_back(in);
  svc.last_context = &ctx;
  if (!in.name) return Error(ErrorCode::kMissingParameter, "The request must contain Name.");
  std::string text;
  for (int64_t i = 0; i < in.times.value_or(1); ++i) text += "hello " + *in.name + ";";
  return GreetOutput{text + ctx.request_id};
}

void GreetLater(FakeService& svc, const RequestContext& ctx, GreetInput in,
                Reply<GreetOutput> reply) {
  ++svc.async_calls;
  svc.last_context = &ctx;
  EXPECT_EQ(&reply.context(), &ctx);
  svc.seen.push_back(std::move(in));
  svc.parked.push_back(std::move(reply));
}

// --- a fake Call: decodes from a name→value map, records answers ------------------------------

// Fills String/Int members from a map by JSON name; everything else is left alone.
class MapDecoder final : public Visitor {
 public:
  MapDecoder(const std::map<std::string, std::string>& values, ApiStatus* status)
      : values_(values), status_(status) {}
  void String(Member m, std::optional<std::string>& value) override {
    if (auto it = values_.find(std::string(m.json)); it != values_.end()) value = it->second;
  }
  void String(Member m, std::string& value) override {
    if (auto it = values_.find(std::string(m.json)); it != values_.end()) value = it->second;
  }
  void Int(Member m, std::optional<int64_t>& value) override {
    auto it = values_.find(std::string(m.json));
    if (it == values_.end()) return;
    try {
      value = std::stoll(it->second);
    } catch (...) {
      *status_ = Error(ErrorCode::kInvalidParameterValue, "bad int");
    }
  }
  void Int(Member, int64_t&) override {}
  void Bool(Member, bool&) override {}
  void Blob(Member, std::optional<std::string>&) override {}
  void StringList(Member, std::vector<std::string>&) override {}
  void StringMap(Member, MapNames, StringPairs&) override {}
  void StructList(Member, ListRef&) override {}
  void StructMap(Member, MapNames, MapRef&) override {}

 private:
  const std::map<std::string, std::string>& values_;
  ApiStatus* status_;
};

// Reads String members of an output into a map.
class MapEncoder final : public Visitor {
 public:
  explicit MapEncoder(std::map<std::string, std::string>& out) : out_(out) {}
  void String(Member m, std::optional<std::string>& value) override {
    if (value) out_[std::string(m.json)] = *value;
  }
  void String(Member m, std::string& value) override { out_[std::string(m.json)] = value; }
  void Int(Member, std::optional<int64_t>&) override {}
  void Int(Member, int64_t&) override {}
  void Bool(Member, bool&) override {}
  void Blob(Member, std::optional<std::string>&) override {}
  void StringList(Member, std::vector<std::string>&) override {}
  void StringMap(Member, MapNames, StringPairs&) override {}
  void StructList(Member, ListRef&) override {}
  void StructMap(Member, MapNames, MapRef&) override {}

 private:
  std::map<std::string, std::string>& out_;
};

class FakeCall final : public Call {
 public:
  explicit FakeCall(std::map<std::string, std::string> params) : params_(std::move(params)) {
    context_.request_id = "req-1";
  }
  const RequestContext& context() const override { return context_; }
  ApiStatus Decode(Shape input) override {
    ++decodes;
    ApiStatus status;
    MapDecoder decoder(params_, &status);
    input.Describe(decoder);
    return status;
  }
  void Succeed(Shape output) override {
    std::map<std::string, std::string> encoded;
    MapEncoder encoder(encoded);
    output.Describe(encoder);
    successes.push_back(std::move(encoded));
  }
  void Fail(ApiError error) override { failures.push_back(std::move(error)); }

  int decodes = 0;
  std::vector<std::map<std::string, std::string>> successes;
  std::vector<ApiError> failures;

 private:
  std::map<std::string, std::string> params_;
  RequestContext context_;
};

class HandlerTableTest : public testing::Test {
 protected:
  HandlerTableTest() {
    table_.Add<&Greet>(Action::kGetQueueUrl);
    table_.Add<&GreetLater>(Action::kReceiveMessage);
  }
  std::shared_ptr<FakeCall> Run(Action action, std::map<std::string, std::string> params) {
    auto call = std::make_shared<FakeCall>(std::move(params));
    auto thunk = table_.Find(action);
    EXPECT_NE(thunk, nullptr);
    if (thunk) thunk(service_, call);
    return call;
  }

  HandlerTable<FakeService> table_;
  FakeService service_;
};

TEST_F(HandlerTableTest, UnregisteredActionsHaveNoHandler) {
  for (size_t i = 0; i < kActionCount; ++i) {
    const auto action = static_cast<Action>(i);
    const bool registered = action == Action::kGetQueueUrl || action == Action::kReceiveMessage;
    EXPECT_EQ(table_.Find(action) != nullptr, registered) << InfoOf(action).name;
  }
}

TEST_F(HandlerTableTest, SyncHandlerSucceeds) {
  auto call = Run(Action::kGetQueueUrl, {{"Name", "bob"}, {"Times", "2"}});
  EXPECT_EQ(call->decodes, 1);
  EXPECT_EQ(service_.sync_calls, 1);
  ASSERT_EQ(service_.seen.size(), 1u);
  EXPECT_EQ(service_.seen[0].name, "bob");
  EXPECT_EQ(service_.seen[0].times, 2);
  EXPECT_EQ(service_.last_context, &call->context());
  ASSERT_EQ(call->successes.size(), 1u);
  EXPECT_EQ(call->successes[0].at("Greeting"), "hello bob;hello bob;req-1");
  EXPECT_TRUE(call->failures.empty());
}

TEST_F(HandlerTableTest, SyncHandlerErrorBecomesFail) {
  auto call = Run(Action::kGetQueueUrl, {});
  EXPECT_EQ(service_.sync_calls, 1);
  EXPECT_TRUE(call->successes.empty());
  ASSERT_EQ(call->failures.size(), 1u);
  EXPECT_EQ(call->failures[0].code, ErrorCode::kMissingParameter);
  EXPECT_EQ(call->failures[0].message, "The request must contain Name.");
}

TEST_F(HandlerTableTest, DecodeErrorFailsWithoutCallingTheHandler) {
  auto sync_call = Run(Action::kGetQueueUrl, {{"Name", "bob"}, {"Times", "x"}});
  auto async_call = Run(Action::kReceiveMessage, {{"Times", "x"}});
  EXPECT_EQ(service_.sync_calls, 0);
  EXPECT_EQ(service_.async_calls, 0);
  for (const auto& call : {sync_call, async_call}) {
    EXPECT_TRUE(call->successes.empty());
    ASSERT_EQ(call->failures.size(), 1u);
    EXPECT_EQ(call->failures[0].code, ErrorCode::kInvalidParameterValue);
  }
}

TEST_F(HandlerTableTest, EachInvocationGetsAFreshInput) {
  auto first = Run(Action::kGetQueueUrl, {{"Name", "a"}, {"Times", "3"}});
  auto second = Run(Action::kGetQueueUrl, {{"Name", "b"}});
  ASSERT_EQ(service_.seen.size(), 2u);
  EXPECT_EQ(service_.seen[1].name, "b");
  EXPECT_EQ(service_.seen[1].times, std::nullopt);
  EXPECT_EQ(second->successes.at(0).at("Greeting"), "hello b;req-1");
}

TEST_F(HandlerTableTest, AsyncHandlerAnswersLater) {
  std::weak_ptr<FakeCall> weak;
  {
    auto call = Run(Action::kReceiveMessage, {{"Name", "later"}});
    weak = call;
    EXPECT_EQ(service_.async_calls, 1);
    EXPECT_EQ(service_.last_context, &call->context());
    ASSERT_EQ(service_.seen.size(), 1u);
    EXPECT_EQ(service_.seen[0].name, "later");
    EXPECT_TRUE(call->successes.empty());
    EXPECT_TRUE(call->failures.empty());
  }
  // The parked Reply keeps the call alive.
  ASSERT_FALSE(weak.expired());
  ASSERT_EQ(service_.parked.size(), 1u);
  service_.parked[0].Ok(GreetOutput{"done"});
  auto call = weak.lock();
  ASSERT_EQ(call->successes.size(), 1u);
  EXPECT_EQ(call->successes[0].at("Greeting"), "done");
  call.reset();
  service_.parked.clear();
  EXPECT_TRUE(weak.expired());
}

TEST_F(HandlerTableTest, ReplyForwardsEveryAnswer) {
  // Reply does not filter: keeping only the first answer is the Call's job, so a fake Call sees
  // everything the handler sent.
  auto call = Run(Action::kReceiveMessage, {{"Name", "x"}});
  ASSERT_EQ(service_.parked.size(), 1u);
  Reply<GreetOutput> reply = service_.parked[0];  // copyable
  reply.Fail(Error(ErrorCode::kOverLimit, "first"));
  reply.Ok(GreetOutput{"second"});
  reply(ApiResult<GreetOutput>(GreetOutput{"third"}));
  reply(ApiResult<GreetOutput>(Error(ErrorCode::kQueueDoesNotExist)));
  ASSERT_EQ(call->failures.size(), 2u);
  EXPECT_EQ(call->failures[0].code, ErrorCode::kOverLimit);
  EXPECT_EQ(call->failures[0].message, "first");
  EXPECT_EQ(call->failures[1].code, ErrorCode::kQueueDoesNotExist);
  ASSERT_EQ(call->successes.size(), 2u);
  EXPECT_EQ(call->successes[0].at("Greeting"), "second");
  EXPECT_EQ(call->successes[1].at("Greeting"), "third");
  EXPECT_EQ(&reply.context(), &call->context());
  EXPECT_EQ(reply.context().request_id, "req-1");
}

TEST_F(HandlerTableTest, ReaddingReplacesTheHandler) {
  table_.Add<&Greet>(Action::kReceiveMessage);
  auto call = Run(Action::kReceiveMessage, {{"Name", "now"}});
  EXPECT_EQ(service_.async_calls, 0);
  EXPECT_EQ(service_.sync_calls, 1);
  ASSERT_EQ(call->successes.size(), 1u);
}

TEST(ShapeTest, DescribesTheObjectItPointsTo) {
  GreetOutput out{"hi"};
  Shape shape = Shape::Of(out);
  EXPECT_EQ(shape.object, &out);
  std::map<std::string, std::string> encoded;
  MapEncoder encoder(encoded);
  shape.Describe(encoder);
  EXPECT_EQ(encoded.at("Greeting"), "hi");
}

}  // namespace
}  // namespace wharf::api
