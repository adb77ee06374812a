#include "common/result.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace wharf {
namespace {

struct TestError {
  int code = 0;
  std::string what;
};

using TestStatus = Status<TestError>;
template <typename T>
using TestResult = Result<T, TestError>;

TEST(StatusTest, DefaultAndOkAreOk) {
  TestStatus a;
  EXPECT_TRUE(a.ok());
  EXPECT_TRUE(static_cast<bool>(a));
  TestStatus b = TestStatus::Ok();
  EXPECT_TRUE(b.ok());
}

TEST(StatusTest, CarriesItsError) {
  TestStatus s = TestError{7, "seven"};
  EXPECT_FALSE(s.ok());
  EXPECT_FALSE(static_cast<bool>(s));
  EXPECT_EQ(s.error().code, 7);
  EXPECT_EQ(s.error().what, "seven");
  TestError moved = std::move(s).error();
  EXPECT_EQ(moved.what, "seven");
}

TEST(ResultTest, HoldsValue) {
  TestResult<std::string> r = std::string("hello");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(static_cast<bool>(r));
  EXPECT_EQ(r.value(), "hello");
  EXPECT_EQ(*r, "hello");
  EXPECT_EQ(r->size(), 5u);
  r.value() += "!";
  EXPECT_EQ(r.value(), "hello!");
  EXPECT_TRUE(r.status().ok());
  std::string taken = std::move(r).value();
  EXPECT_EQ(taken, "hello!");
}

TEST(ResultTest, HoldsError) {
  TestResult<int> r = TestError{3, "bad"};
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, 3);
  TestStatus s = r.status();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().what, "bad");
}

TEST(ResultTest, FromFailedStatus) {
  TestStatus s = TestError{4, "from status"};
  TestResult<int> r = s;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, 4);
  EXPECT_EQ(r.error().what, "from status");
}

TEST(ResultTest, MoveOnlyValue) {
  TestResult<std::unique_ptr<int>> r = std::make_unique<int>(42);
  ASSERT_TRUE(r.ok());
  std::unique_ptr<int> p = std::move(r).value();
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(*p, 42);
}

// --- macros ---------------------------------------------------------------------------------

TestStatus Step(bool fail, int code, std::vector<int>& trace) {
  trace.push_back(code);
  if (fail) return TestError{code, "step failed"};
  return TestStatus::Ok();
}

TestResult<int> Number(bool fail, int value, std::vector<int>& trace) {
  trace.push_back(value);
  if (fail) return TestError{value, "number failed"};
  return value;
}

TestStatus ThreeSteps(int failing, std::vector<int>& trace) {
  WHARF_RETURN_IF_ERROR(Step(failing == 1, 1, trace));
  WHARF_RETURN_IF_ERROR(Step(failing == 2, 2, trace));
  WHARF_RETURN_IF_ERROR(Number(failing == 3, 3, trace));  // a Result works too
  return TestStatus::Ok();
}

TEST(MacroTest, ReturnIfErrorStopsAtFirstError) {
  std::vector<int> trace;
  EXPECT_TRUE(ThreeSteps(0, trace).ok());
  EXPECT_EQ(trace, (std::vector<int>{1, 2, 3}));

  trace.clear();
  TestStatus s = ThreeSteps(2, trace);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, 2);
  EXPECT_EQ(s.error().what, "step failed");
  EXPECT_EQ(trace, (std::vector<int>{1, 2}));

  trace.clear();
  s = ThreeSteps(3, trace);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().what, "number failed");
}

TestResult<int> SumOfTwo(bool fail_first, bool fail_second, std::vector<int>& trace) {
  WHARF_ASSIGN_OR_RETURN(int a, Number(fail_first, 10, trace));
  int b = 0;
  WHARF_ASSIGN_OR_RETURN(b, Number(fail_second, 20, trace));  // assigns an existing variable
  WHARF_RETURN_IF_ERROR(Step(false, 30, trace));
  return a + b;
}

TEST(MacroTest, AssignOrReturn) {
  std::vector<int> trace;
  TestResult<int> r = SumOfTwo(false, false, trace);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 30);
  EXPECT_EQ(trace, (std::vector<int>{10, 20, 30}));

  trace.clear();
  r = SumOfTwo(true, false, trace);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, 10);
  EXPECT_EQ(trace, (std::vector<int>{10}));

  trace.clear();
  r = SumOfTwo(false, true, trace);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, 20);
  EXPECT_EQ(trace, (std::vector<int>{10, 20}));
}

TestResult<std::unique_ptr<int>> MakeBox(bool fail) {
  if (fail) return TestError{9, "no box"};
  return std::make_unique<int>(5);
}

TestStatus UnboxInto(bool fail, int& out) {
  WHARF_ASSIGN_OR_RETURN(std::unique_ptr<int> box, MakeBox(fail));
  out = *box;
  return TestStatus::Ok();
}

TEST(MacroTest, AssignOrReturnMovesMoveOnlyValues) {
  int out = 0;
  EXPECT_TRUE(UnboxInto(false, out).ok());
  EXPECT_EQ(out, 5);
  TestStatus s = UnboxInto(true, out);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, 9);
}

TEST(MacroTest, ExpressionEvaluatedOnce) {
  int calls = 0;
  auto f = [&]() -> TestStatus {
    ++calls;
    return TestStatus::Ok();
  };
  auto g = [&]() -> TestStatus {
    WHARF_RETURN_IF_ERROR(f());
    return TestStatus::Ok();
  };
  EXPECT_TRUE(g().ok());
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace wharf
