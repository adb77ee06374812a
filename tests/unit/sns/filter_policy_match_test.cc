// Matching tables for the SNS filter-policy engine (sns-fanout.md §5.1, §5.2). Cases marked
// "recorded" are the policies and messages of LocalStack's AWS-validated filter-policy tests
// (tests/aws/services/sns/test_sns_filter_policy.py), with the outcome AWS gave.

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "sns/filter_policy.h"

namespace wharf::sns {
namespace {

struct AttributeCase {
  const char* name;
  std::string_view policy;
  std::vector<FilterAttribute> attributes;
  bool matches;
};

struct BodyCase {
  const char* name;
  std::string_view policy;
  std::string_view body;
  bool matches;
};

// A failing case prints as its name and policy, not as bytes.
void PrintTo(const AttributeCase& c, std::ostream* os) { *os << c.name << " " << c.policy; }
void PrintTo(const BodyCase& c, std::ostream* os) { *os << c.name << " " << c.policy; }

FilterAttribute Str(std::string_view name, std::string_view value) {
  return {name, "String", value};
}
FilterAttribute Num(std::string_view name, std::string_view value) {
  return {name, "Number", value};
}
FilterAttribute Arr(std::string_view name, std::string_view json) {
  return {name, "String.Array", json};
}

// The AWS guide's $or example (and-or-logic.html): "source" && ("metricName" || "namespace").
constexpr std::string_view kSourceAndOr =
    R"({"source":["aws.cloudwatch"],"$or":[{"metricName":["CPUUtilization"]},)"
    R"({"namespace":["AWS/EC2"]}]})";

// Recorded as accepted: exactly 150 combinations, with a $or nested in a $or branch.
constexpr std::string_view kNestedOr = R"({
  "source": ["aws.cloudwatch", "aws.events", "aws.test"],
  "$or": [
    {"metricName": ["CPUUtilization", "ReadLatency", "TestVal", "TestVal2", "TestVal3", "TestVal4"]},
    {"metricType": ["MetricType", "TestType", "TestType2", "TestType3"],
     "$or": [{"metricId": [1234, 4321, 5678, 9012]}, {"spaceId": [1, 2, 3, 4, 5, 6, 7]}]}
  ]})";

const AttributeCase kAttributeCases[] = {
    // Exact strings: case-sensitive, OR within a key.
    {"ExactStringMatches",
     R"({"store":["example_corp","other"]})",
     {Str("store", "example_corp")},
     true},
    {"ExactStringSecondValueMatches",
     R"({"store":["example_corp","other"]})",
     {Str("store", "other")},
     true},
    {"ExactStringOtherValueFails",
     R"({"store":["example_corp"]})",
     {Str("store", "example")},
     false},
    {"ExactStringIsCaseSensitive",
     R"({"store":["example_corp"]})",
     {Str("store", "Example_Corp")},
     false},
    {"MissingAttributeFails",
     R"({"store":["example_corp"]})",
     {Str("other", "example_corp")},
     false},
    {"NoAttributesFail", R"({"store":["example_corp"]})", {}, false},
    {"AttributeNamesAreCaseSensitive", R"({"store":["x"]})", {Str("Store", "x")}, false},
    // AND across keys.
    {"AndAcrossKeysNeedsBoth", R"({"a":["x"],"b":["y"]})", {Str("a", "x")}, false},
    {"AndAcrossKeysBothPresent", R"({"a":["x"],"b":["y"]})", {Str("b", "y"), Str("a", "x")}, true},
    {"DottedAttributeNameIsOneName", R"({"a.b":["x"]})", {Str("a.b", "x")}, true},
    {"UnmentionedAttributesAreIgnored", R"({"a":["x"]})", {Str("a", "x"), Str("z", "q")}, true},
    // Numbers: Number attributes compare numerically, strings and numbers never equal.
    {"NumberAttributeEqualsNumber", R"({"n":[3.0]})", {Num("n", "3")}, true},
    {"NumberAttributeInExponentForm",
     R"({"price_usd":[301.5]})",
     {Num("price_usd", "3.015e2")},
     true},
    {"NumberBeyondSixDecimalsIsEqual", R"({"n":[3]})", {Num("n", "3.0000001")}, true},
    {"NumberAtSixthDecimalDiffers", R"({"n":[3]})", {Num("n", "3.000001")}, false},
    {"StringAttributeIsNotANumber", R"({"n":[3]})", {Str("n", "3")}, false},
    {"NumberAttributeIsNotAString", R"({"n":["3"]})", {Num("n", "3")}, false},
    {"CustomNumberTypeIsANumber",
     R"({"n":[{"numeric":[">",2]}]})",
     {{"n", "Number.int", "3"}},
     true},
    {"CustomStringTypeIsAString", R"({"s":["x"]})", {{"s", "String.custom", "x"}}, true},
    // prefix / suffix / equals-ignore-case.
    {"PrefixMatches", R"({"sport":[{"prefix":"bas"}]})", {Str("sport", "basketball")}, true},
    {"PrefixFails", R"({"sport":[{"prefix":"bas"}]})", {Str("sport", "rugby")}, false},
    {"PrefixDoesNotApplyToNumbers", R"({"n":[{"prefix":"12"}]})", {Num("n", "123")}, false},
    {"SuffixMatches", R"({"sport":[{"suffix":"ball"}]})", {Str("sport", "football")}, true},
    {"SuffixFails", R"({"sport":[{"suffix":"ball"}]})", {Str("sport", "rugby")}, false},
    {"EqualsIgnoreCaseMatches",
     R"({"sport":[{"equals-ignore-case":"RuGbY"}]})",
     {Str("sport", "rugby")},
     true},
    {"EqualsIgnoreCaseNeedsWholeValue",
     R"({"sport":[{"equals-ignore-case":"RUGBY"}]})",
     {Str("sport", "rugby league")},
     false},
    {"MixedConditionsAreAlternatives",
     R"({"s":["x",{"prefix":"y"},{"suffix":"z"}]})",
     {Str("s", "abcz")},
     true},
    // anything-but.
    {"AnythingButOtherValueMatches",
     R"({"sport":[{"anything-but":"rugby"}]})",
     {Str("sport", "tennis")},
     true},
    {"AnythingButListedValueFails",
     R"({"sport":[{"anything-but":["rugby","tennis"]}]})",
     {Str("sport", "tennis")},
     false},
    {"AnythingButListOtherValueMatches",
     R"({"sport":[{"anything-but":["rugby","tennis"]}]})",
     {Str("sport", "baseball")},
     true},
    {"AnythingButNumbersCompareNumerically",
     R"({"price":[{"anything-but":[100,500]}]})",
     {Num("price", "100.0")},
     false},
    {"AnythingButNumbersOtherValue",
     R"({"price":[{"anything-but":[100,500]}]})",
     {Num("price", "100.1")},
     true},
    {"AnythingButPrefixExcludesPrefix",
     R"({"sport":[{"anything-but":{"prefix":"bas"}}]})",
     {Str("sport", "basketball")},
     false},
    {"AnythingButPrefixOtherValue",
     R"({"sport":[{"anything-but":{"prefix":"bas"}}]})",
     {Str("sport", "rugby")},
     true},
    {"AnythingButNeedsTheAttribute", R"({"sport":[{"anything-but":"rugby"}]})", {}, false},
    {"NullDoesNotMatchAMissingAttribute",
     R"({"attr1":[null,{"anything-but":"whatever"}]})",
     {},
     false},  // recorded
    {"AnythingButOrExistsFalseMatchesAbsence",
     R"({"sport":[{"anything-but":"rugby"},{"exists":false}]})",
     {},
     true},
    // numeric.
    {"NumericRangeInside",
     R"({"attr1":[{"numeric":[">",0,"<=",100]}]})",
     {Num("attr1", "99")},
     true},  // recorded
    {"NumericRangeAbove",
     R"({"attr1":[{"numeric":[">",0,"<=",100]}]})",
     {Num("attr1", "111")},
     false},  // recorded
    {"NumericRangeClosedTop", R"({"n":[{"numeric":[">",0,"<=",100]}]})", {Num("n", "100")}, true},
    {"NumericRangeOpenBottom", R"({"n":[{"numeric":[">",0,"<=",100]}]})", {Num("n", "0")}, false},
    {"NumericAtLeast", R"({"n":[{"numeric":[">=",0]}]})", {Num("n", "0")}, true},
    {"NumericLessThan", R"({"n":[{"numeric":["<",0]}]})", {Num("n", "-0.5")}, true},
    {"NumericLessThanFailsAtBound", R"({"n":[{"numeric":["<",0]}]})", {Num("n", "0")}, false},
    {"NumericAtMost", R"({"n":[{"numeric":["<=",-1]}]})", {Num("n", "-1")}, true},
    {"NumericEquals",
     R"({"price_usd":[{"numeric":["=",301.5]}]})",
     {Num("price_usd", "3.015e2")},
     true},
    {"NumericIgnoresStringAttributes", R"({"n":[{"numeric":[">",0]}]})", {Str("n", "50")}, false},
    {"NumericIgnoresValuesOutOfRange", R"({"n":[{"numeric":[">",0]}]})", {Num("n", "2e9")}, false},
    {"UnparsableNumberHasNoValue", R"({"n":[{"numeric":[">",0]}]})", {Num("n", "abc")}, false},
    // exists.
    {"ExistsTruePresent",
     R"({"store":[{"exists":true}]})",
     {Num("store", "99"), Num("def", "99")},
     true},  // recorded
    {"ExistsTrueAbsent",
     R"({"store":[{"exists":true}]})",
     {Num("attr1", "111")},
     false},                                                                             // recorded
    {"ExistsFalseAbsent", R"({"store":[{"exists":false}]})", {Num("def", "99")}, true},  // recorded
    {"ExistsFalsePresent",
     R"({"store":[{"exists":false}]})",
     {Num("store", "99"), Num("def", "99")},
     false},  // recorded
    {"ExistsTrueOnUnparsableNumber", R"({"n":[{"exists":true}]})", {Num("n", "abc")}, true},
    // Binary attributes take no part in filtering.
    {"BinaryNeverMatchesAValue", R"({"b":["aGVsbG8="]})", {{"b", "Binary", "aGVsbG8="}}, false},
    {"BinaryDoesNotExist", R"({"b":[{"exists":true}]})", {{"b", "Binary", "aGVsbG8="}}, false},
    {"BinaryCountsAsAbsent", R"({"b":[{"exists":false}]})", {{"b", "Binary.x", "aGVsbG8="}}, true},
    // String.Array: any element matching any condition.
    {"StringArrayContainsValue",
     R"({"store":["value1"]})",
     {Arr("store", R"(["value1","value2"])")},
     true},  // recorded
    {"StringArrayLacksValue",
     R"({"store":["value1"]})",
     {Arr("store", R"(["value2","value3"])")},
     false},  // recorded
    {"StringArrayNumbersAreNumbers", R"({"n":[{"numeric":[">",1]}]})", {Arr("n", "[1, 2]")}, true},
    {"StringArrayNumberIsNotAString", R"({"n":["2"]})", {Arr("n", "[1, 2]")}, false},
    {"StringArrayBooleanAndNull", R"({"f":[true]})", {Arr("f", "[null, true]")}, true},
    {"StringArrayAnythingButAnyElement",
     R"({"sport":[{"anything-but":"rugby"}]})",
     {Arr("sport", R"(["rugby","baseball"])")},
     true},
    {"StringArrayAnythingButOnlyExcluded",
     R"({"sport":[{"anything-but":"rugby"}]})",
     {Arr("sport", R"(["rugby"])")},
     false},
    {"StringArrayEmptyStillExists", R"({"s":[{"exists":true}]})", {Arr("s", "[]")}, true},
    {"StringArrayNotJsonHasNoValues", R"({"s":["a"]})", {Arr("s", "a")}, false},
    // cidr.
    {"CidrInsideBlock", R"({"ip":[{"cidr":"10.0.0.0/24"}]})", {Str("ip", "10.0.0.7")}, true},
    {"CidrOutsideBlock", R"({"ip":[{"cidr":"10.0.0.0/24"}]})", {Str("ip", "10.0.1.7")}, false},
    {"CidrIpv6", R"({"ip":[{"cidr":"2001:db8::/32"}]})", {Str("ip", "2001:db8:1::1")}, true},
    {"CidrNotAnAddress", R"({"ip":[{"cidr":"10.0.0.0/8"}]})", {Str("ip", "10.x")}, false},
    // $or.
    {"OrFirstBranch",
     kSourceAndOr,
     {Str("source", "aws.cloudwatch"), Str("metricName", "CPUUtilization")},
     true},
    {"OrSecondBranch",
     kSourceAndOr,
     {Str("source", "aws.cloudwatch"), Str("namespace", "AWS/EC2")},
     true},
    {"OrNeitherBranch", kSourceAndOr, {Str("source", "aws.cloudwatch")}, false},
    {"OrStillNeedsSiblingKey",
     kSourceAndOr,
     {Str("metricName", "CPUUtilization"), Str("namespace", "AWS/EC2")},
     false},
    {"NestedOrInnerBranch",
     kNestedOr,
     {Str("source", "aws.test"), Str("metricType", "TestType2"), Num("spaceId", "7")},
     true},
    {"NestedOrInnerBranchMissing",
     kNestedOr,
     {Str("source", "aws.test"), Str("metricType", "TestType2"), Num("spaceId", "8")},
     false},
    {"OrWithOneBranchIsAnOrdinaryKey", R"({"$or":["a","b"]})", {Str("$or", "b")}, true},
};

const BodyCase kBodyCases[] = {
    // Recorded: nested keys with prefix, a literal and exists:false.
    {"NestedPrefixMatches",
     R"({"object":{"key":[{"prefix":"auto-"},"hardcodedvalue"],)"
     R"("nested_key":[{"exists":false}]},"test":[{"exists":false}]})",
     R"({"object":{"key":"auto-test"}})", true},
    {"NestedLiteralMatches",
     R"({"object":{"key":[{"prefix":"auto-"},"hardcodedvalue"],)"
     R"("nested_key":[{"exists":false}]},"test":[{"exists":false}]})",
     R"({"object":{"key":"hardcodedvalue"}})", true},
    {"NestedPrefixFails",
     R"({"object":{"key":[{"prefix":"auto-"},"hardcodedvalue"],)"
     R"("nested_key":[{"exists":false}]},"test":[{"exists":false}]})",
     R"({"object":{"key":"test-auto"}})", false},
    {"TopLevelExistsFalseFails",
     R"({"object":{"key":[{"prefix":"auto-"},"hardcodedvalue"],)"
     R"("nested_key":[{"exists":false}]},"test":[{"exists":false}]})",
     R"({"object":{"key":"auto-test"},"test":"just-exists"})", false},
    {"NestedExistsFalseFails",
     R"({"object":{"key":[{"prefix":"auto-"},"hardcodedvalue"],)"
     R"("nested_key":[{"exists":false}]},"test":[{"exists":false}]})",
     R"({"object":{"key":"auto-test","nested_key":"just-exists"}})", false},
    {"NestedKeyMissing",
     R"({"object":{"key":[{"prefix":"auto-"},"hardcodedvalue"],)"
     R"("nested_key":[{"exists":false}]},"test":[{"exists":false}]})",
     R"({"object":{"test":"auto-test"}})", false},
    {"NotJsonNeverMatches", R"({"test":[{"exists":false}]})", "Regular string message", false},
    {"JsonStringNeverMatches", R"({"test":[{"exists":false}]})", R"("Regular string message")",
     false},
    {"JsonArrayNeverMatches", R"({"a":[{"exists":false}]})", "[1,2]", false},
    {"EmptyObjectMatchesExistsFalse", R"({"a":[{"exists":false}]})", "{}", true},
    // Recorded: dotted policy keys match nested and dotted body keys alike.
    {"DottedKeyFindsNestedBody", R"({"object.nested":["string.value"]})",
     R"({"object":{"nested":"string.value"}})", true},
    {"DottedKeyFindsDottedBody", R"({"object.nested":["string.value"]})",
     R"({"object.nested":"string.value"})", true},
    {"DottedKeyOtherValue", R"({"object.nested":["string.value"]})",
     R"({"object":{"nested":"test-auto"}})", false},
    {"DeepDottedKeyNested", R"({"object.nested.test":["string.value"]})",
     R"({"object":{"nested":{"test":"string.value"}}})", true},
    {"DeepDottedKeyHalfDotted", R"({"object.nested.test":["string.value"]})",
     R"({"object.nested":{"test":"string.value"}})", true},
    {"DeepDottedKeyOtherHalf", R"({"object.nested.test":["string.value"]})",
     R"({"object":{"nested.test":"string.value"}})", true},
    {"NestedPolicyFindsDottedBody", R"({"a":{"b":["x"]}})", R"({"a.b":"x"})", true},
    {"DottedPrefixIsNotAKey", R"({"ab":["x"]})", R"({"a":{"b":"x"}})", false},
    // Recorded: arrays in the body match when any element does.
    {"ArrayOtherElement", R"({"headers":{"route-to":["queue1"]}})",
     R"({"headers":{"route-to":["queue3"]}})", false},
    {"ArraySingleElement", R"({"headers":{"route-to":["queue1"]}})",
     R"({"headers":{"route-to":["queue1"]}})", true},
    {"ArrayOneOfTwo", R"({"headers":{"route-to":["queue2"]}})",
     R"({"headers":{"route-to":["queue1","queue2"]}})", true},
    // Recorded: arrays of objects (S3 event notifications), also an array of arrays.
    {"ArrayOfObjectsMatches",
     R"({"Records":{"s3":{"object":{"key":[{"prefix":"auto-"}]}},"eventName":[{"prefix":"ObjectCreated:"}]}})",
     R"({"Records":[{"eventName":"ObjectCreated:Put","s3":{"object":{"key":"auto-insurance-2314.xml"}}}]})",
     true},
    {"ArrayOfObjectsWrongEvent",
     R"({"Records":{"s3":{"object":{"key":[{"prefix":"auto-"}]}},"eventName":[{"prefix":"ObjectCreated:"}]}})",
     R"({"Records":[{"eventName":"ObjectRemoved:Delete","s3":{"object":{"key":"auto-insurance-2314.xml"}}}]})",
     false},
    {"ArrayOfObjectsWrongKey",
     R"({"Records":{"s3":{"object":{"key":[{"prefix":"auto-"}]}},"eventName":[{"prefix":"ObjectCreated:"}]}})",
     R"({"Records":[{"eventName":"ObjectCreated:Put","s3":{"object":{"key":"home-insurance-2314.xml"}}}]})",
     false},
    {"ArrayOfArraysOfObjects",
     R"({"Records":{"s3":{"object":{"key":[{"prefix":"auto-"}]}},"eventName":[{"prefix":"ObjectCreated:"}]}})",
     R"({"Records":[{"eventName":"ObjectCreated:Put","s3":{"object":[[{"key":"auto-insurance-2314.xml","size":17}]]}},)"
     R"({"eventName":"ObjectRemoved:Delete","s3":{"object":{"key":"home-insurance-2314.xml"}}}]})",
     true},
    // Typed JSON values.
    {"BodyNumberEqualsNumber", R"({"count":[3]})", R"({"count":3.0})", true},
    {"BodyStringIsNotANumber", R"({"count":[3]})", R"({"count":"3"})", false},
    {"BodyTrueMatchesTrue", R"({"flag":[true]})", R"({"flag":true})", true},
    {"BodyTrueIsNotAString", R"({"flag":["true"]})", R"({"flag":true})", false},
    {"BodyFalseIsNotTrue", R"({"flag":[true]})", R"({"flag":false})", false},
    {"BodyNullMatchesNull", R"({"x":[null]})", R"({"x":null})", true},
    {"BodyNullNeedsTheField", R"({"x":[null]})", R"({"y":null})", false},
    {"BodyNullIsNotTheString", R"({"x":[null]})", R"({"x":"null"})", false},
    {"BodyNumericRange", R"({"price":[{"numeric":[">=",10,"<",20]}]})", R"({"price":19.99})", true},
    {"BodyNumericRangeTop", R"({"price":[{"numeric":[">=",10,"<",20]}]})", R"({"price":20})",
     false},
    {"BodyNumericInArray", R"({"p":[{"numeric":["<",0]}]})", R"({"p":[5,-1]})", true},
    {"BodyLargeIntegerOutOfRange", R"({"id":[{"numeric":[">",0]}]})",
     R"({"id":18446744073709551615})", false},
    {"BodyEqualsIgnoreCase", R"({"s":[{"equals-ignore-case":"ABC"}]})", R"({"s":"aBc"})", true},
    {"BodyAnythingButInArray", R"({"s":[{"anything-but":["a"]}]})", R"({"s":["a","b"]})", true},
    {"BodyAnythingButNumberVsString", R"({"s":[{"anything-but":[1]}]})", R"({"s":"1"})", true},
    {"BodyCidr", R"({"src":{"ip":[{"cidr":"192.168.0.0/16"}]}})", R"({"src":{"ip":"192.168.4.2"}})",
     true},
    // exists in the body applies to leaves.
    {"ExistsTrueOnLeaf", R"({"a":{"b":[{"exists":true}]}})", R"({"a":{"b":0}})", true},
    {"ExistsTrueOnNull", R"({"a":[{"exists":true}]})", R"({"a":null})", true},
    {"ExistsTrueOnObjectIsNotALeaf", R"({"a":[{"exists":true}]})", R"({"a":{"b":1}})", false},
    {"ExistsFalseOnEmptyArray", R"({"a":[{"exists":false}]})", R"({"a":[]})", true},
    {"ExistsFalseInArrayOfObjects", R"({"r":{"x":[{"exists":false}]}})", R"({"r":[{"y":1}]})",
     true},
    // $or in the body, at the top and inside a nested object (the recorded policy).
    {"BodyOrSourceBranch",
     R"({"$or":[{"metricName":["CPUUtilization","ReadLatency"]},{"namespace":["AWS/EC2","AWS/ES"]}],)"
     R"("detail":{"scope":["Service"],"$or":[{"source":["aws.cloudwatch"]},{"type":["CloudWatch Alarm State Change"]}]}})",
     R"({"metricName":"CPUUtilization","detail":{"scope":"Service","source":"aws.cloudwatch"}})",
     true},
    {"BodyOrTypeBranch",
     R"({"$or":[{"metricName":["CPUUtilization","ReadLatency"]},{"namespace":["AWS/EC2","AWS/ES"]}],)"
     R"("detail":{"scope":["Service"],"$or":[{"source":["aws.cloudwatch"]},{"type":["CloudWatch Alarm State Change"]}]}})",
     R"({"namespace":"AWS/ES","detail":{"scope":"Service","type":"CloudWatch Alarm State Change"}})",
     true},
    {"BodyOrMissingScope",
     R"({"$or":[{"metricName":["CPUUtilization","ReadLatency"]},{"namespace":["AWS/EC2","AWS/ES"]}],)"
     R"("detail":{"scope":["Service"],"$or":[{"source":["aws.cloudwatch"]},{"type":["CloudWatch Alarm State Change"]}]}})",
     R"({"metricName":"CPUUtilization","detail":{"type":"CloudWatch Alarm State Change"}})", false},
    {"BodyOrNoInnerBranch",
     R"({"$or":[{"metricName":["CPUUtilization","ReadLatency"]},{"namespace":["AWS/EC2","AWS/ES"]}],)"
     R"("detail":{"scope":["Service"],"$or":[{"source":["aws.cloudwatch"]},{"type":["CloudWatch Alarm State Change"]}]}})",
     R"({"metricName":"CPUUtilization","detail":{"scope":"Service","type":"CPUUtilization"}})",
     false},
    {"BodyOrNoOuterBranch",
     R"({"$or":[{"metricName":["CPUUtilization","ReadLatency"]},{"namespace":["AWS/EC2","AWS/ES"]}],)"
     R"("detail":{"scope":["Service"],"$or":[{"source":["aws.cloudwatch"]},{"type":["CloudWatch Alarm State Change"]}]}})",
     R"({"metricName":"AWS/EC2","detail":{"scope":"Service","source":"aws.cloudwatch"}})", false},
};

FilterPolicy ParseOk(std::string_view json, FilterPolicyScope scope) {
  auto parsed = FilterPolicy::Parse(json, scope);
  EXPECT_TRUE(parsed.ok()) << json << "\n" << (parsed.ok() ? "" : parsed.error().message);
  if (!parsed.ok()) return FilterPolicy::Parse(R"({"never":["parsed"]})", scope).value();
  return std::move(parsed).value();
}

class AttributeScopeTest : public testing::TestWithParam<AttributeCase> {};

TEST_P(AttributeScopeTest, Matches) {
  const AttributeCase& c = GetParam();
  FilterPolicy policy = ParseOk(c.policy, FilterPolicyScope::kMessageAttributes);
  EXPECT_EQ(policy.Matches(c.attributes), c.matches) << c.policy;
  // The same decision whatever the attributes' order.
  std::vector<FilterAttribute> reversed(c.attributes.rbegin(), c.attributes.rend());
  EXPECT_EQ(policy.Matches(reversed), c.matches) << c.policy << " (attributes reversed)";
}

INSTANTIATE_TEST_SUITE_P(Table, AttributeScopeTest, testing::ValuesIn(kAttributeCases),
                         [](const testing::TestParamInfo<AttributeCase>& info) {
                           return std::string(info.param.name);
                         });

class BodyScopeTest : public testing::TestWithParam<BodyCase> {};

TEST_P(BodyScopeTest, MatchesBody) {
  const BodyCase& c = GetParam();
  FilterPolicy policy = ParseOk(c.policy, FilterPolicyScope::kMessageBody);
  EXPECT_EQ(policy.MatchesBody(c.body), c.matches) << c.policy << "\n" << c.body;
}

INSTANTIATE_TEST_SUITE_P(Table, BodyScopeTest, testing::ValuesIn(kBodyCases),
                         [](const testing::TestParamInfo<BodyCase>& info) {
                           return std::string(info.param.name);
                         });

TEST(FilterPolicyMatchTest, TablesAreLargeEnough) {
  EXPECT_GE(std::size(kAttributeCases) + std::size(kBodyCases), 50u);
}

TEST(FilterPolicyMatchTest, EachScopeAnswersOnlyItsOwnQuestion) {
  FilterPolicy attributes =
      ParseOk(R"({"a":[{"exists":false}]})", FilterPolicyScope::kMessageAttributes);
  FilterPolicy body = ParseOk(R"({"a":[{"exists":false}]})", FilterPolicyScope::kMessageBody);
  EXPECT_EQ(attributes.scope(), FilterPolicyScope::kMessageAttributes);
  EXPECT_EQ(body.scope(), FilterPolicyScope::kMessageBody);
  EXPECT_TRUE(attributes.Matches({}));
  EXPECT_FALSE(attributes.MatchesBody("{}"));
  EXPECT_TRUE(body.MatchesBody("{}"));
  EXPECT_FALSE(body.Matches({}));
}

TEST(FilterPolicyMatchTest, EmptyViewsAreNotJson) {
  // Found by filter_policy_fuzz: a default-constructed view has a null data pointer, which
  // must not reach simdjson (it would memcpy from it).
  FilterPolicy body = ParseOk(R"({"a":[{"exists":false}]})", FilterPolicyScope::kMessageBody);
  EXPECT_FALSE(body.MatchesBody(std::string_view()));
  FilterPolicy attributes = ParseOk(R"({"a":["x"]})", FilterPolicyScope::kMessageAttributes);
  const FilterAttribute empty_array{"a", "String.Array", std::string_view()};
  EXPECT_FALSE(attributes.Matches({&empty_array, 1}));
  auto parsed = FilterPolicy::Parse(std::string_view(), FilterPolicyScope::kMessageAttributes);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().message, "Invalid parameter: FilterPolicy: failed to parse JSON.");
}

TEST(FilterPolicyMatchTest, CopiesShareTheCompiledPolicy) {
  FilterPolicy original = ParseOk(R"({"a":["x"]})", FilterPolicyScope::kMessageAttributes);
  FilterPolicy copy = original;
  const FilterAttribute attribute = Str("a", "x");
  EXPECT_TRUE(copy.Matches({&attribute, 1}));
  EXPECT_TRUE(original.Matches({&attribute, 1}));
}

TEST(FilterPolicyMatchTest, BodyMatchingReusesOneParserAcrossSizes) {
  // A large body, then a small one, then the large one again: the thread's parser is reused
  // and each decision is still about the message at hand.
  FilterPolicy policy = ParseOk(R"({"k":["v"]})", FilterPolicyScope::kMessageBody);
  std::string large = R"({"pad":")" + std::string(100000, 'x') + R"(","k":"v"})";
  EXPECT_TRUE(policy.MatchesBody(large));
  EXPECT_FALSE(policy.MatchesBody(R"({"k":"w"})"));
  EXPECT_TRUE(policy.MatchesBody(large));
}

}  // namespace
}  // namespace wharf::sns
