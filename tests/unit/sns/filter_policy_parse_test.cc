// Validation of SNS filter policies: AWS's messages for invalid policies (sns-fanout.md §5.4)
// and its limits (§5.3). Messages marked "recorded" are AWS's, from LocalStack's AWS-validated
// snapshots (test_sns_filter_policy.snapshot.json), without the JSON location AWS appends; the
// others are the wording of AWS's rule compiler for the same mistake.

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <string_view>

#include "sns/filter_policy.h"

namespace wharf::sns {
namespace {

constexpr auto kAttributes = FilterPolicyScope::kMessageAttributes;
constexpr auto kBody = FilterPolicyScope::kMessageBody;

struct InvalidCase {
  const char* name;
  FilterPolicyScope scope;
  std::string_view policy;
  std::string_view message;  // as SetSubscriptionAttributes answers
};

// {"key": [value1 ... valueN]}
std::string ManyValues(std::string_view key, int count) {
  std::string json = "{\"" + std::string(key) + "\":[";
  for (int i = 0; i < count; ++i) json += (i ? ",\"v" : "\"v") + std::to_string(i) + "\"";
  return json + "]}";
}

const std::string k151Values = ManyValues("key", 151);

const InvalidCase kInvalidCases[] = {
    // Not a policy at all.
    {"NotJson", kAttributes, "{invalidjson}",
     "Invalid parameter: FilterPolicy: failed to parse JSON."},
    {"EmptyText", kAttributes, "", "Invalid parameter: FilterPolicy: failed to parse JSON."},
    {"TrailingGarbage", kAttributes, R"({"a":["x"]} x)",
     "Invalid parameter: FilterPolicy: failed to parse JSON."},
    {"InvalidUtf8", kAttributes, "{\"a\":[\"\xff\"]}",
     "Invalid parameter: FilterPolicy: failed to parse JSON."},
    {"TopLevelArray", kAttributes, R"([{"a":["x"]}])",
     "Invalid parameter: FilterPolicy: Filter is not an object"},
    {"TopLevelString", kBody, R"("a")", "Invalid parameter: FilterPolicy: Filter is not an object"},
    {"EmptyPolicy", kAttributes, "{}",
     "Invalid parameter: FilterPolicy: Empty objects are not allowed"},
    // The shape of a key.
    {"KeyWithBareString", kBody, R"({"key_a":"value_one"})",
     R"(Invalid parameter: FilterPolicy: "key_a" must be an object or an array)"},  // recorded
    {"KeyWithNumber", kAttributes, R"({"a":1})",
     R"(Invalid parameter: FilterPolicy: "a" must be an object or an array)"},
    {"OperatorWithoutList", kAttributes, R"({"key":{"suffix":"value"}})",
     R"(Invalid parameter: FilterPolicy: "suffix" must be an object or an array)"},  // recorded
    {"UnknownNameWithoutList", kAttributes, R"({"key":{"not-an-operator":"value"}})",
     R"(Invalid parameter: FilterPolicy: "not-an-operator" must be an object or an array)"},  // recorded
    {"EmptyList", kAttributes, R"({"Amount":[]})",
     "Invalid parameter: FilterPolicy: Empty arrays are not allowed"},  // recorded (CDK issue)
    {"EmptyNestedObject", kBody, R"({"a":{}})",
     "Invalid parameter: FilterPolicy: Empty objects are not allowed"},
    {"ListInList", kAttributes, R"({"key":[["value"]]})",
     "Invalid parameter: FilterPolicy: Match value must be String, number, true, false, or null"},  // recorded
    // Match expressions.
    {"UnknownOperator", kAttributes, R"({"key":[{"wrong-operator":true}]})",
     "Invalid parameter: FilterPolicy: Unrecognized match type wrong-operator"},  // recorded
    {"WildcardIsNotSupported", kAttributes, R"({"key":[{"wildcard":"a*"}]})",
     "Invalid parameter: FilterPolicy: Unrecognized match type wildcard"},
    {"TwoOperators", kAttributes, R"({"key":[{"suffix":"value","prefix":"value2"}]})",
     "Invalid parameter: FilterPolicy: Only one key allowed in match expression"},  // recorded
    {"EmptyMatchExpression", kAttributes, R"({"key":[{}]})",
     "Invalid parameter: FilterPolicy: Match expression name not found"},
    {"SuffixNumber", kAttributes, R"({"key":[{"suffix":100}]})",
     "Invalid parameter: FilterPolicy: suffix match pattern must be a string"},  // recorded
    {"SuffixNull", kAttributes, R"({"key":[{"suffix":null}]})",
     "Invalid parameter: FilterPolicy: suffix match pattern must be a string"},  // recorded
    {"SuffixList", kAttributes, R"({"key":[{"suffix":["test","test2"]}]})",
     "Invalid parameter: FilterPolicy: suffix match pattern must be a string"},  // recorded
    {"PrefixNumber", kAttributes, R"({"key":[{"prefix":1}]})",
     "Invalid parameter: FilterPolicy: prefix match pattern must be a string"},
    {"EqualsIgnoreCaseNumber", kAttributes, R"({"key":[{"equals-ignore-case":1}]})",
     "Invalid parameter: FilterPolicy: equals-ignore-case match pattern must be a string"},
    {"ExistsNull", kAttributes, R"({"key":[{"exists":null}]})",
     "Invalid parameter: FilterPolicy: exists match pattern must be either true or false."},  // recorded
    {"ExistsString", kAttributes, R"({"key":[{"exists":"no"}]})",
     "Invalid parameter: FilterPolicy: exists match pattern must be either true or false."},  // recorded
    // anything-but.
    {"AnythingButUnknownPattern", kAttributes,
     R"({"key":[{"anything-but":{"wrong-operator":null}}]})",
     "Invalid parameter: FilterPolicy: Unsupported anything-but pattern: wrong-operator"},  // recorded
    {"AnythingButSuffix", kAttributes, R"({"key":[{"anything-but":{"suffix":"test"}}]})",
     "Invalid parameter: FilterPolicy: Unsupported anything-but pattern: suffix"},  // recorded
    {"AnythingButExists", kAttributes, R"({"key":[{"anything-but":{"exists":false}}]})",
     "Invalid parameter: FilterPolicy: Unsupported anything-but pattern: exists"},  // recorded
    {"AnythingButPrefixNotString", kAttributes, R"({"key":[{"anything-but":{"prefix":false}}]})",
     "Invalid parameter: FilterPolicy: prefix match pattern must be a string"},  // recorded
    {"AnythingButMixedList", kAttributes, R"({"key":[{"anything-but":["a",1]}]})",
     "Invalid parameter: FilterPolicy: Inside anything but list, either all values are number or "
     "string, mixed type is not supported"},
    {"AnythingButEmptyList", kAttributes, R"({"key":[{"anything-but":[]}]})",
     "Invalid parameter: FilterPolicy: Inside anything but list, either all values are number or "
     "string, mixed type is not supported"},
    {"AnythingButBooleanInList", kAttributes, R"({"key":[{"anything-but":[true]}]})",
     "Invalid parameter: FilterPolicy: Inside anything but list, start|null|boolean is not "
     "supported."},
    {"AnythingButBoolean", kAttributes, R"({"key":[{"anything-but":true}]})",
     "Invalid parameter: FilterPolicy: Value of anything-but must be an array or single "
     "string/number value."},
    // numeric (all recorded but the last three).
    {"NumericEmpty", kAttributes, R"({"key":[{"numeric":[]}]})",
     "Invalid parameter: FilterPolicy: Invalid member in numeric match: ]"},
    {"NumericUnknownOperator", kAttributes, R"({"key":[{"numeric":["operator"]}]})",
     "Invalid parameter: FilterPolicy: Unrecognized numeric range operator: operator"},
    {"NumericValueFirst", kAttributes, R"({"key":[{"numeric":[1,"<="]}]})",
     "Invalid parameter: FilterPolicy: Invalid member in numeric match: 1"},
    {"NumericEqualsString", kAttributes, R"({"key":[{"numeric":["=","000"]}]})",
     "Invalid parameter: FilterPolicy: Value of equals must be numeric"},
    {"NumericMissingValue", kAttributes, R"({"key":[{"numeric":[">="]}]})",
     "Invalid parameter: FilterPolicy: Value of >= must be numeric"},
    {"NumericUpperThenLower", kAttributes, R"({"key":[{"numeric":["<",100,">",10]}]})",
     "Invalid parameter: FilterPolicy: Too many elements in numeric expression"},
    {"NumericTwoLowerBounds", kAttributes, R"({"key":[{"numeric":[">=",1,">",2]}]})",
     "Invalid parameter: FilterPolicy: Bad numeric range operator: >"},
    {"NumericBottomAboveTop", kAttributes, R"({"key":[{"numeric":[">",3,"<",1]}]})",
     "Invalid parameter: FilterPolicy: Bottom must be less than top"},
    {"NumericMissingTop", kAttributes, R"({"key":[{"numeric":[">",20,"<="]}]})",
     "Invalid parameter: FilterPolicy: Value of <= must be numeric"},
    {"NumericMissingSecondOperator", kAttributes, R"({"key":[{"numeric":[">",20,30]}]})",
     "Invalid parameter: FilterPolicy: Bad value in numeric range: 30"},
    {"NumericBadSecondOperator", kAttributes, R"({"key":[{"numeric":[">",20,"test"]}]})",
     "Invalid parameter: FilterPolicy: Bad numeric range operator: test"},
    {"NumericBottomString", kAttributes, R"({"key":[{"numeric":[">","20","<","30"]}]})",
     "Invalid parameter: FilterPolicy: Value of > must be numeric"},
    {"NumericTopString", kAttributes, R"({"key":[{"numeric":[">",20,"<","30"]}]})",
     "Invalid parameter: FilterPolicy: Value of < must be numeric"},
    {"NumericTooManyTerms", kAttributes, R"({"key":[{"numeric":[">",20,"<",30,"<",50]}]})",
     "Invalid parameter: FilterPolicy: Too many terms in numeric range expression"},
    {"NumericNotAList", kAttributes, R"({"key":[{"numeric":5}]})",
     "Invalid parameter: FilterPolicy: Value of numeric must be an array."},
    {"NumericOutOfRange", kAttributes, R"({"key":[{"numeric":[">",2e9]}]})",
     "Invalid parameter: FilterPolicy: Value must be between -1.0E9 and 1.0E9, inclusive"},
    {"NumericEqualBounds", kAttributes, R"({"key":[{"numeric":[">=",5,"<=",5]}]})",
     "Invalid parameter: FilterPolicy: Bottom must be less than top"},
    // cidr.
    {"CidrWithoutMask", kAttributes, R"({"ip":[{"cidr":"10.0.0.0"}]})",
     "Invalid parameter: FilterPolicy: Malformed CIDR, one '/' required"},
    {"CidrTwoSlashes", kAttributes, R"({"ip":[{"cidr":"10.0.0.0/8/8"}]})",
     "Invalid parameter: FilterPolicy: Malformed CIDR, one '/' required"},
    {"CidrMaskNotInteger", kAttributes, R"({"ip":[{"cidr":"10.0.0.0/x"}]})",
     "Invalid parameter: FilterPolicy: Malformed CIDR, mask bits must be an integer"},
    {"CidrBadAddress", kAttributes, R"({"ip":[{"cidr":"10.0.0/24"}]})",
     "Invalid parameter: FilterPolicy: Nonstandard IP address: 10.0.0"},
    {"CidrMaskTooWide", kAttributes, R"({"ip":[{"cidr":"10.0.0.0/32"}]})",
     "Invalid parameter: FilterPolicy: IPv4 mask bits must be < 32"},
    {"CidrNotString", kAttributes, R"({"ip":[{"cidr":10}]})",
     "Invalid parameter: FilterPolicy: prefix match pattern must be a string"},
    // $or that is not one is an ordinary key, and its list is read as conditions.
    {"OrWithOneBranch", kAttributes, R"({"$or":[{"a":["x"]}]})",
     "Invalid parameter: FilterPolicy: Unrecognized match type a"},
    // Scope.
    {"NestedInAttributeScope", kAttributes, R"({"object":{"key":[{"prefix":"auto-"}]}})",
     "Invalid parameter: Filter policy scope MessageAttributes does not support nested filter "
     "policy"},  // recorded
    {"NestedInOrBranchInAttributeScope", kAttributes, R"({"$or":[{"a":{"b":["x"]}},{"c":["y"]}]})",
     "Invalid parameter: Filter policy scope MessageAttributes does not support nested filter "
     "policy"},
    // Limits (all recorded).
    {"SixKeys", kAttributes,
     R"({"key1":["value1"],"key2":["value2"],"key3":["value3"],"key4":["value4"],"key5":["value5"],"key6":["value6"]})",
     "Invalid parameter: FilterPolicy: Filter policy can not have more than 5 keys"},
    {"SixKeysInBody", kBody,
     R"({"key_a":["value_one"],"key_b":["value_two"],"key_c":["value_three"],"key_d":["value_four"],"key_e":["value_five"],"key_f":["value_six"]})",
     "Invalid parameter: FilterPolicy: Filter policy can not have more than 5 keys"},
    {"TooComplexOneKey", kAttributes, k151Values,
     "Invalid parameter: FilterPolicy: Filter policy is too complex"},
    {"TooComplexNestedBody", kBody,
     R"({"key_a":{"key_b":{"key_c":["value_one","value_two","value_three","value_four"]}},)"
     R"("key_d":{"key_e":["value_one","value_two","value_three"]},"key_f":["value_one","value_two","value_three"]})",
     "Invalid parameter: FilterPolicy: Filter policy is too complex"},  // 3*4 * 2*3 * 3 = 216
    {"TooComplexOr", kAttributes,
     R"({"source":["aws.cloudwatch","aws.events","aws.test","aws.test2"],"$or":[)"
     R"({"metricName":["CPUUtilization","ReadLatency","t1","t2","t3","t4"]},)"
     R"({"metricType":["MetricType","TestType","TestType2","TestType3"],)"
     R"("$or":[{"metricId":[1234,4321,5678,9012]},{"spaceId":[1,2,3,4]}]}]})",
     "Invalid parameter: FilterPolicy: Filter policy is too complex"},  // 24 + 64 + 64 = 152
    {"TooComplexNestedOr", kBody,
     R"({"$or":[{"metricName":["CPUUtilization","ReadLatency","TestValue"]},{"namespace":["AWS/EC2","AWS/ES"]}],)"
     R"("detail":{"scope":["Service","Test"],"$or":[{"source":["aws.cloudwatch"]},)"
     R"({"type":["CloudWatch Alarm State Change","TestValue","TestValue2"]}]}})",
     "Invalid parameter: FilterPolicy: Filter policy is too complex"},  // 24 + 72 + 16 + 48 = 160
};

void PrintTo(const InvalidCase& c, std::ostream* os) { *os << c.name << " " << c.policy; }

class InvalidPolicyTest : public testing::TestWithParam<InvalidCase> {};

TEST_P(InvalidPolicyTest, RefusedWithAwsMessage) {
  const InvalidCase& c = GetParam();
  auto parsed = FilterPolicy::Parse(c.policy, c.scope);
  ASSERT_FALSE(parsed.ok()) << c.policy;
  EXPECT_EQ(parsed.error().message, c.message) << c.policy;
}

INSTANTIATE_TEST_SUITE_P(Table, InvalidPolicyTest, testing::ValuesIn(kInvalidCases),
                         [](const testing::TestParamInfo<InvalidCase>& info) {
                           return std::string(info.param.name);
                         });

struct ValidCase {
  const char* name;
  FilterPolicyScope scope;
  std::string_view policy;
};

const ValidCase kValidCases[] = {
    {"FiveKeys", kAttributes, R"({"a":["1"],"b":["2"],"c":["3"],"d":["4"],"e":["5"]})"},
    {"ExactlyOneHundredFiftyValues", kAttributes, ""},  // filled in by the test
    {"NestedBodyWithinLimit", kBody,
     R"({"key_a":{"key_b":{"key_c":["value_one","value_two","value_three","value_four"]}},)"
     R"("key_d":{"key_e":["value_one","value_two","value_three"]}})"},  // 72, the guide's example
    {"NestedOrAtTheLimit", kAttributes,  // recorded as accepted: 18 + 48 + 84 = 150
     R"({"source":["aws.cloudwatch","aws.events","aws.test"],"$or":[)"
     R"({"metricName":["CPUUtilization","ReadLatency","TestVal","TestVal2","TestVal3","TestVal4"]},)"
     R"({"metricType":["MetricType","TestType","TestType2","TestType3"],)"
     R"("$or":[{"metricId":[1234,4321,5678,9012]},{"spaceId":[1,2,3,4,5,6,7]}]}]})"},
    {"AnythingButForms", kAttributes,  // recorded as accepted
     R"({"a":[{"anything-but":{"prefix":"test-"}}],"b":[{"anything-but":["test","test2"]}],)"
     R"("c":[{"anything-but":"test"}],"d":[{"anything-but":[1,2.5]}],"e":[{"anything-but":7}]})"},
    {"NullAndAnythingBut", kAttributes, R"({"attr1":[null,{"anything-but":"whatever"}]})"},
    {"LiteralsOfEveryType", kBody, R"({"a":["s",1,-2.5e3,true,false,null]})"},
    {"LargeExactNumber", kAttributes, R"({"account":[123456789012]})"},
    {"EveryNumericForm", kAttributes,
     R"({"a":[{"numeric":["=",301.5]},{"numeric":[">",0]},{"numeric":[">=",0,"<",1]},)"
     R"({"numeric":["<",-1e9]},{"numeric":["<=",1e9]}]})"},
    {"OrInBody", kBody, R"({"d":{"$or":[{"a":["x"]},{"b":{"c":["y"]}}]}})"},
    {"DottedKeyInAttributeScope", kAttributes, R"({"a.b":["x"]})"},
    {"CidrForms", kAttributes, R"({"ip":[{"cidr":"10.0.0.0/24"},{"cidr":"2001:db8::/127"}]})"},
    {"DuplicateKeysLastWins", kAttributes, R"({"a":["x"],"a":["y"]})"},
};

void PrintTo(const ValidCase& c, std::ostream* os) { *os << c.name << " " << c.policy; }

class ValidPolicyTest : public testing::TestWithParam<ValidCase> {};

TEST_P(ValidPolicyTest, Accepted) {
  const ValidCase& c = GetParam();
  std::string policy(c.policy);
  if (policy.empty()) policy = ManyValues("key", 150);
  auto parsed = FilterPolicy::Parse(policy, c.scope);
  EXPECT_TRUE(parsed.ok()) << policy << "\n" << (parsed.ok() ? "" : parsed.error().message);
}

INSTANTIATE_TEST_SUITE_P(Table, ValidPolicyTest, testing::ValuesIn(kValidCases),
                         [](const testing::TestParamInfo<ValidCase>& info) {
                           return std::string(info.param.name);
                         });

TEST(FilterPolicyParseTest, CombinationsMultiplyAcrossKeys) {
  // Recorded: 100 × 51 values in two keys is too complex; 100 × 1 is not.
  std::string two_keys = ManyValues("key1", 100);
  two_keys.pop_back();
  EXPECT_FALSE(
      FilterPolicy::Parse(two_keys + "," + ManyValues("key2", 51).substr(1), kAttributes).ok());
  EXPECT_TRUE(FilterPolicy::Parse(two_keys + R"(,"key2":["x"]})", kAttributes).ok());
}

TEST(FilterPolicyParseTest, NestingDepthMultipliesCombinations) {
  // One value 151 levels down counts 151: the depth multiplies (the guide's rule).
  std::string deep;
  for (int i = 0; i < 150; ++i) deep += R"({"k":)";
  std::string at_150 = deep + R"(["v"])" + std::string(150, '}');
  std::string at_151 = R"({"k":)" + at_150 + "}";
  EXPECT_TRUE(FilterPolicy::Parse(at_150, kBody).ok());
  auto refused = FilterPolicy::Parse(at_151, kBody);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message,
            "Invalid parameter: FilterPolicy: Filter policy is too complex");
}

TEST(FilterPolicyParseTest, SizeLimitIs256KiB) {
  std::string padding(256 * 1024 - 20, 'x');
  std::string at_limit = R"({"k":[")" + padding + R"("]})";
  at_limit.insert(at_limit.size() - 4, 256 * 1024 - at_limit.size(), 'y');
  ASSERT_EQ(at_limit.size(), 256u * 1024);
  EXPECT_TRUE(FilterPolicy::Parse(at_limit, kAttributes).ok());
  std::string over = at_limit;
  over.insert(over.size() - 4, "z");
  auto refused = FilterPolicy::Parse(over, kAttributes);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message, "Invalid parameter: FilterPolicy: Filter policy is too large");
}

TEST(FilterPolicyParseTest, FirstMistakeInDocumentOrderIsReported) {
  auto parsed = FilterPolicy::Parse(R"({"a":[{"prefix":1}],"b":[]})", kAttributes);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().message,
            "Invalid parameter: FilterPolicy: prefix match pattern must be a string");
  // Grammar before scope: the nested key's bad value is reported, not the nesting (recorded).
  parsed = FilterPolicy::Parse(R"({"key":{"suffix":"value","prefix":"value"}})", kAttributes);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().message,
            R"(Invalid parameter: FilterPolicy: "suffix" must be an object or an array)");
}

TEST(FilterPolicyParseTest, SubscribeWordsErrorsWithAttributesReason) {
  auto parsed = FilterPolicy::Parse(R"({"key":[{"exists":"no"}]})", kAttributes);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().SubscribeMessage(),
            "Invalid parameter: Attributes Reason: FilterPolicy: exists match pattern must be "
            "either true or false.");  // recorded
  parsed = FilterPolicy::Parse(R"({"object":{"key":["x"]}})", kAttributes);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().SubscribeMessage(),
            "Invalid parameter: Attributes Reason: Filter policy scope MessageAttributes does not "
            "support nested filter policy");
}

}  // namespace
}  // namespace wharf::sns
