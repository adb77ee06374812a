// The building blocks under the evaluator: glob and ARN matching, typed condition values,
// policy variables, single conditions and the SQS permission table.

#include <gtest/gtest.h>

#include <string>

#include "api/action.h"
#include "auth/policy/condition_context.h"
#include "auth/policy/condition_values.h"
#include "auth/policy/conditions.h"
#include "auth/policy/sqs_permissions.h"
#include "auth/policy/variables.h"
#include "auth/policy/wildcard.h"

namespace wharf::auth {
namespace {

TEST(GlobMatchTest, StarAndQuestionMark) {
  EXPECT_TRUE(GlobMatch("*", "", Case::kSensitive));
  EXPECT_TRUE(GlobMatch("*", "anything", Case::kSensitive));
  EXPECT_TRUE(GlobMatch("a*c", "abbbc", Case::kSensitive));
  EXPECT_TRUE(GlobMatch("a*c", "ac", Case::kSensitive));
  EXPECT_FALSE(GlobMatch("a*c", "acb", Case::kSensitive));
  EXPECT_TRUE(GlobMatch("a?c", "abc", Case::kSensitive));
  EXPECT_FALSE(GlobMatch("a?c", "ac", Case::kSensitive));
  EXPECT_FALSE(GlobMatch("a?c", "abbc", Case::kSensitive));
  EXPECT_TRUE(GlobMatch("*a*b*", "xxaxxbxx", Case::kSensitive));
  EXPECT_FALSE(GlobMatch("*a*b*", "xxbxxaxx", Case::kSensitive));
  EXPECT_TRUE(GlobMatch("", "", Case::kSensitive));
  EXPECT_FALSE(GlobMatch("", "a", Case::kSensitive));
  EXPECT_TRUE(GlobMatch("**", "a", Case::kSensitive));
}

TEST(GlobMatchTest, QuestionMarkIsOneUtf8Character) {
  EXPECT_TRUE(GlobMatch("caf?", "caf\xc3\xa9", Case::kSensitive));  // café
  EXPECT_FALSE(GlobMatch("caf??", "caf\xc3\xa9", Case::kSensitive));
  EXPECT_TRUE(GlobMatch("?", "\xf0\x9f\x98\x80", Case::kSensitive));  // one emoji
  EXPECT_TRUE(GlobMatch("*\xc3\xa9", "x\xc3\xa9", Case::kSensitive));
}

TEST(GlobMatchTest, CaseModes) {
  EXPECT_FALSE(GlobMatch("Orders", "orders", Case::kSensitive));
  EXPECT_TRUE(GlobMatch("Orders", "orders", Case::kInsensitive));
  EXPECT_TRUE(MatchAction("SQS:send*", "sqs:SendMessage"));
  EXPECT_TRUE(MatchAction("sqs:sendmessage", "SQS:SENDMESSAGE"));
  EXPECT_FALSE(MatchAction("sqs:Send", "sqs:SendMessage"));
  EXPECT_FALSE(MatchAction("sns:*", "sqs:SendMessage"));
}

TEST(GlobMatchTest, EscapedSyntaxMakesStarsLiteral) {
  EXPECT_TRUE(GlobMatch("a\\*b", "a*b", Case::kSensitive, GlobSyntax::kEscaped));
  EXPECT_FALSE(GlobMatch("a\\*b", "axxb", Case::kSensitive, GlobSyntax::kEscaped));
  EXPECT_TRUE(GlobMatch("a\\?b*", "a?bcd", Case::kSensitive, GlobSyntax::kEscaped));
  EXPECT_TRUE(GlobMatch("a\\\\b", "a\\b", Case::kSensitive, GlobSyntax::kEscaped));
  // In plain syntax a backslash is an ordinary character.
  EXPECT_TRUE(GlobMatch("a\\*", "a\\xyz", Case::kSensitive, GlobSyntax::kPlain));
}

TEST(GlobMatchTest, HostilePatternsStayFast) {
  std::string pattern;
  for (int i = 0; i < 200; ++i) pattern += "*a";
  pattern += "b";
  std::string text(5000, 'a');
  EXPECT_FALSE(GlobMatch(pattern, text, Case::kSensitive));
}

TEST(ArnMatchTest, ResourcesCompareSegmentBySegment) {
  const std::string queue = "arn:aws:sqs:us-east-1:123456789012:orders";
  EXPECT_TRUE(MatchResource("*", queue));
  EXPECT_TRUE(MatchResource("*", "*"));
  EXPECT_TRUE(MatchResource(queue, queue));
  EXPECT_TRUE(MatchResource("arn:aws:sqs:*:123456789012:*", queue));
  EXPECT_TRUE(MatchResource("arn:aws:sqs:us-*-1:123456789012:ord?rs", queue));
  EXPECT_FALSE(MatchResource("arn:aws:sqs:us-east-1:123456789012:Orders", queue));
  EXPECT_FALSE(MatchResource("arn:aws:sqs:us-east-1:111122223333:orders", queue));
  // A `*` inside one of the first five parts cannot swallow a colon (a whole-string glob
  // would let it)...
  EXPECT_FALSE(MatchResource("arn:aws:sqs:*:123456789012:q", "arn:aws:sqs:us:east:123456789012:q"));
  EXPECT_TRUE(GlobMatch("arn:aws:sqs:*:123456789012:q", "arn:aws:sqs:us:east:123456789012:q",
                        Case::kSensitive));
  // ...but a pattern with fewer parts is a whole-string glob, so a trailing `*` runs on.
  EXPECT_TRUE(MatchResource("arn:aws:sqs:*", queue));
  EXPECT_TRUE(MatchResource("arn:aws:sqs:us-east-1:*", queue));
  // The sixth part keeps its colons and slashes.
  EXPECT_TRUE(MatchResource("arn:aws:iam::123456789012:user/*",
                            "arn:aws:iam::123456789012:user/dev/alice"));
  // Resource-less actions are evaluated against "*", which only "*" matches.
  EXPECT_FALSE(MatchResource("arn:aws:sqs:*:*:*", "*"));
}

TEST(ArnMatchTest, ArnOperatorsNeedSixParts) {
  EXPECT_TRUE(
      MatchArnParts("arn:aws:sns:*:123456789012:*", "arn:aws:sns:us-east-1:123456789012:t"));
  EXPECT_FALSE(MatchArnParts("arn:aws:sns:*", "arn:aws:sns:us-east-1:123456789012:t"));
  EXPECT_FALSE(MatchArnParts("arn:aws:sns:*:*:*", "not-an-arn"));
  EXPECT_FALSE(MatchArnParts("arn:aws:sns:*:*:T", "arn:aws:sns:us-east-1:123456789012:t"));
}

TEST(ConditionValuesTest, Numbers) {
  EXPECT_EQ(CompareNumbers("10", "10"), 0);
  EXPECT_EQ(CompareNumbers("9", "10"), -1);
  EXPECT_EQ(CompareNumbers("10.5", "10"), 1);
  EXPECT_EQ(CompareNumbers("1e3", "1000"), 0);
  EXPECT_EQ(CompareNumbers("-3", "2"), -1);
  EXPECT_EQ(CompareNumbers("9223372036854775807", "9223372036854775806"), 1);  // exact
  EXPECT_EQ(CompareNumbers("abc", "1"), std::nullopt);
  EXPECT_EQ(CompareNumbers("", "1"), std::nullopt);
  EXPECT_EQ(CompareNumbers("inf", "1"), std::nullopt);
  EXPECT_EQ(CompareNumbers("nan", "1"), std::nullopt);
  EXPECT_EQ(CompareNumbers("1 ", "1"), std::nullopt);
  EXPECT_EQ(CompareNumbers("0x10", "16"), std::nullopt);
}

TEST(ConditionValuesTest, Dates) {
  constexpr int64_t kNoonMillis = 1736942400000;  // 2025-01-15T12:00:00Z
  EXPECT_EQ(ParseDateMillis("2025-01-15T12:00:00Z"), kNoonMillis);
  EXPECT_EQ(ParseDateMillis("2025-01-15T12:00:00"), kNoonMillis);  // no zone: UTC
  EXPECT_EQ(ParseDateMillis("2025-01-15T12:00Z"), kNoonMillis);
  EXPECT_EQ(ParseDateMillis("2025-01-15T12:00:00.250Z"), kNoonMillis + 250);
  EXPECT_EQ(ParseDateMillis("2025-01-15T14:00:00+02:00"), kNoonMillis);
  EXPECT_EQ(ParseDateMillis("2025-01-15T07:00:00-0500"), kNoonMillis);
  EXPECT_EQ(ParseDateMillis("2025-01-15"), kNoonMillis - 12 * 3600 * 1000);
  EXPECT_EQ(ParseDateMillis("1736942400"), kNoonMillis);
  EXPECT_EQ(ParseDateMillis("2025-02-30"), std::nullopt);
  EXPECT_EQ(ParseDateMillis("2025-01-15T25:00:00Z"), std::nullopt);
  EXPECT_EQ(ParseDateMillis("2025-01-15T12:00:00Q"), std::nullopt);
  EXPECT_EQ(ParseDateMillis("yesterday"), std::nullopt);
  EXPECT_EQ(ParseDateMillis(""), std::nullopt);
  EXPECT_EQ(CompareDates("2025-01-15T12:00:00Z", "2025-01-15T12:00:01Z"), -1);
  EXPECT_EQ(CompareDates("2025-01-15T12:00:00Z", "1736942400"), 0);
}

TEST(ConditionValuesTest, IpRanges) {
  auto contains = [](std::string_view range, std::string_view address) {
    auto r = ParseIpRange(range);
    auto a = ParseIpAddress(address);
    EXPECT_TRUE(r.has_value()) << range;
    EXPECT_TRUE(a.has_value()) << address;
    return r && a && RangeContains(*r, *a);
  };
  EXPECT_TRUE(contains("203.0.113.0/24", "203.0.113.7"));
  EXPECT_FALSE(contains("203.0.113.0/24", "203.0.114.7"));
  EXPECT_TRUE(contains("203.0.113.7", "203.0.113.7"));  // bare address: /32
  EXPECT_FALSE(contains("203.0.113.7", "203.0.113.8"));
  EXPECT_TRUE(contains("0.0.0.0/0", "198.51.100.1"));
  EXPECT_TRUE(contains("10.1.2.3/13", "10.7.255.255"));  // host bits ignored, odd prefix
  EXPECT_FALSE(contains("10.1.2.3/13", "10.8.0.0"));
  EXPECT_TRUE(contains("2001:db8::/32", "2001:db8:1234::5"));
  EXPECT_FALSE(contains("2001:db8::/32", "2001:db9::5"));
  EXPECT_TRUE(contains("2001:db8::5", "2001:0db8:0000::5"));  // bare: /128
  EXPECT_FALSE(contains("2001:db8::/32", "203.0.113.7"));     // families never mix
  EXPECT_FALSE(contains("0.0.0.0/0", "::1"));
  EXPECT_TRUE(contains("203.0.113.0/24", "::ffff:203.0.113.9"));  // IPv4-mapped
  EXPECT_FALSE(ParseIpRange("203.0.113.0/33").has_value());
  EXPECT_FALSE(ParseIpRange("2001:db8::/129").has_value());
  EXPECT_FALSE(ParseIpRange("203.0.113.0/").has_value());
  EXPECT_FALSE(ParseIpRange("203.0.113.0/-1").has_value());
  EXPECT_FALSE(ParseIpRange("example.com").has_value());
  EXPECT_FALSE(ParseIpAddress("203.0.113.7/24").has_value());
  EXPECT_FALSE(ParseIpAddress("").has_value());
}

TEST(ConditionContextTest, KeysAreCaseInsensitive) {
  ConditionContext context;
  context.Set("aws:SourceArn", "arn:aws:sns:us-east-1:123456789012:t");
  ASSERT_NE(context.Find("AWS:SOURCEARN"), nullptr);
  EXPECT_EQ(context.Find("aws:sourcearn")->front(), "arn:aws:sns:us-east-1:123456789012:t");
  context.Set("AWS:SOURCEARN", "arn:aws:sns:us-east-1:123456789012:u");  // replaces, not adds
  ASSERT_EQ(context.Find("aws:SourceArn")->size(), 1u);
  EXPECT_EQ(context.Find("aws:SourceArn")->front(), "arn:aws:sns:us-east-1:123456789012:u");
  EXPECT_EQ(context.Find("aws:SourceAr"), nullptr);
  context.Remove("Aws:SourceArn");
  EXPECT_EQ(context.Find("aws:SourceArn"), nullptr);
}

TEST(ConditionContextTest, PrincipalKeysFollowSection24) {
  RequestPrincipal session{.type = PrincipalType::kAssumedRole,
                           .account_id = "123456789012",
                           .arn = "arn:aws:sts::123456789012:assumed-role/consumer/worker-1",
                           .role_arn = "arn:aws:iam::123456789012:role/consumer",
                           .unique_id = "AROAEXAMPLE:worker-1",
                           .session_name = "worker-1"};
  ConditionContext context;
  AddPrincipalKeys(session, context);
  EXPECT_EQ(context.Find("aws:PrincipalArn")->front(), "arn:aws:iam::123456789012:role/consumer");
  EXPECT_EQ(context.Find("aws:PrincipalType")->front(), "AssumedRole");
  EXPECT_EQ(context.Find("aws:userid")->front(), "AROAEXAMPLE:worker-1");
  EXPECT_EQ(context.Find("aws:username"), nullptr);  // users only

  RequestPrincipal root{.type = PrincipalType::kAccount,
                        .account_id = "123456789012",
                        .arn = "arn:aws:iam::123456789012:root"};
  ConditionContext root_context;
  AddPrincipalKeys(root, root_context);
  EXPECT_EQ(root_context.Find("aws:userid")->front(), "123456789012");
  EXPECT_EQ(root_context.Find("aws:PrincipalType")->front(), "Account");

  ConditionContext service_context;
  AddPrincipalKeys(
      RequestPrincipal{.type = PrincipalType::kService, .service = "sns.amazonaws.com"},
      service_context);
  EXPECT_EQ(service_context.Find("aws:PrincipalArn"), nullptr);
}

TEST(ConditionContextTest, TimeKeys) {
  ConditionContext context;
  AddTimeKeys(1736942400123, context);
  EXPECT_EQ(context.Find("aws:CurrentTime")->front(), "2025-01-15T12:00:00Z");
  EXPECT_EQ(context.Find("aws:EpochTime")->front(), "1736942400");
  EXPECT_EQ(FormatIso8601(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatIso8601(951782400000), "2000-02-29T00:00:00Z");
}

TEST(VariablesTest, SubstitutesDefaultsAndEscapes) {
  ConditionContext context;
  context.Set("aws:username", "alice");
  context.Set("aws:TagKeys", std::vector<std::string>{"a", "b"});
  context.Set("test:starry", "a*b");
  auto expand = [&](std::string_view text, Substitution mode) {
    std::string out;
    return ExpandVariables(text, context, mode, out) ? out : std::string("<no match>");
  };
  EXPECT_EQ(expand("q-${aws:username}-*", Substitution::kLiteral), "q-alice-*");
  EXPECT_EQ(expand("q-${AWS:USERNAME}", Substitution::kLiteral), "q-alice");
  EXPECT_EQ(expand("${aws:userid}", Substitution::kLiteral), "<no match>");
  EXPECT_EQ(expand("${aws:userid, 'anonymous'}", Substitution::kLiteral), "anonymous");
  EXPECT_EQ(expand("${aws:username,'x'}", Substitution::kLiteral), "alice");
  EXPECT_EQ(expand("${aws:TagKeys}", Substitution::kLiteral), "<no match>");  // multi-valued
  EXPECT_EQ(expand("${*}${?}${$}", Substitution::kLiteral), "*?$");
  EXPECT_EQ(expand("${*}${?}", Substitution::kPattern), "\\*\\?");
  EXPECT_EQ(expand("${test:starry}*", Substitution::kPattern), "a\\*b*");
  EXPECT_EQ(expand("back\\slash*", Substitution::kPattern), "back\\\\slash*");
  EXPECT_EQ(expand("open ${aws:username", Substitution::kLiteral), "open ${aws:username");
  EXPECT_TRUE(ContainsVariable("x${y}"));
  EXPECT_FALSE(ContainsVariable("x$y"));
}

TEST(VariablesTest, InsertedValuesMatchLiterally) {
  ConditionContext context;
  context.Set("test:name", "*");
  auto like = [&](std::string_view pattern, std::string_view text) {
    return MatchWithVariables(pattern, true, context, Substitution::kPattern,
                              [&](std::string_view p, GlobSyntax syntax) {
                                return GlobMatch(p, text, Case::kSensitive, syntax);
                              });
  };
  EXPECT_TRUE(like("${test:name}", "*"));
  EXPECT_FALSE(like("${test:name}", "anything"));
  EXPECT_TRUE(like("${test:name}*", "*anything"));
  // Without substitution (2008 policies) the text is literal and its `*` a wildcard.
  EXPECT_TRUE(MatchWithVariables("${test:name}*", false, context, Substitution::kPattern,
                                 [](std::string_view p, GlobSyntax syntax) {
                                   return GlobMatch(p, "${test:name}xyz", Case::kSensitive, syntax);
                                 }));
}

ConditionEntry Entry(std::string_view op, std::string_view key, std::vector<std::string> values) {
  ConditionEntry entry;
  entry.operator_name = std::string(op);
  auto parsed = ParseConditionOperator(op);
  EXPECT_TRUE(parsed.has_value()) << op;
  if (parsed) entry.op = *parsed;
  entry.key = std::string(key);
  entry.values = std::move(values);
  return entry;
}

TEST(ConditionsTest, ParsesOperatorNames) {
  auto op = ParseConditionOperator("ForAnyValue:StringNotLikeIfExists");
  ASSERT_TRUE(op.has_value());
  EXPECT_EQ(op->qualifier, SetQualifier::kForAnyValue);
  EXPECT_EQ(op->comparison, Comparison::kStringLike);
  EXPECT_TRUE(op->negated);
  EXPECT_TRUE(op->if_exists);
  EXPECT_TRUE(ParseConditionOperator("ArnNotEquals")->negated);
  EXPECT_TRUE(ParseConditionOperator("NotIpAddress")->negated);
  EXPECT_FALSE(ParseConditionOperator("BinaryEquals")->negated);
  EXPECT_FALSE(ParseConditionOperator("NullIfExists").has_value());
  EXPECT_FALSE(ParseConditionOperator("ForSomeValues:StringEquals").has_value());
  EXPECT_FALSE(ParseConditionOperator("IfExists").has_value());
  EXPECT_FALSE(ParseConditionOperator("").has_value());
}

TEST(ConditionsTest, UnparsableValuesFailPositiveAndNegatedOperators) {
  ConditionContext context;
  context.Set("test:n", "lots");
  EXPECT_FALSE(EvaluateCondition(Entry("NumericEquals", "test:n", {"1"}), context, true));
  EXPECT_FALSE(EvaluateCondition(Entry("NumericNotEquals", "test:n", {"1"}), context, true));
  EXPECT_FALSE(EvaluateCondition(Entry("DateNotEquals", "test:n", {"2025-01-01"}), context, true));
  EXPECT_FALSE(EvaluateCondition(Entry("NotIpAddress", "test:n", {"10.0.0.0/8"}), context, true));
  EXPECT_FALSE(EvaluateCondition(Entry("Bool", "test:n", {"true"}), context, true));
  // A good policy value still matches even when another one is garbage.
  context.Set("test:n", "5");
  EXPECT_TRUE(EvaluateCondition(Entry("NumericEquals", "test:n", {"x", "5"}), context, true));
}

TEST(ConditionsTest, MultiValuedKeyWithoutSetQualifier) {
  ConditionContext context;
  context.Set("aws:TagKeys", std::vector<std::string>{"env", "team"});
  // Positive: one request value matching is enough. Negated: no request value may match.
  EXPECT_TRUE(EvaluateCondition(Entry("StringEquals", "aws:TagKeys", {"team"}), context, true));
  EXPECT_FALSE(EvaluateCondition(Entry("StringNotEquals", "aws:TagKeys", {"team"}), context, true));
  EXPECT_TRUE(EvaluateCondition(Entry("StringNotEquals", "aws:TagKeys", {"owner"}), context, true));
}

TEST(ConditionsTest, SetQualifiersWithNegatedOperators) {
  ConditionContext context;
  context.Set("aws:TagKeys", std::vector<std::string>{"env", "team"});
  // ForAnyValue:StringNotEquals: some request value is not in the list.
  EXPECT_TRUE(EvaluateCondition(Entry("ForAnyValue:StringNotEquals", "aws:TagKeys", {"env"}),
                                context, true));
  EXPECT_FALSE(EvaluateCondition(
      Entry("ForAnyValue:StringNotEquals", "aws:TagKeys", {"env", "team"}), context, true));
  // ForAllValues:StringNotEquals: no request value is in the list.
  EXPECT_TRUE(EvaluateCondition(Entry("ForAllValues:StringNotEquals", "aws:TagKeys", {"owner"}),
                                context, true));
  EXPECT_FALSE(EvaluateCondition(Entry("ForAllValues:StringNotEquals", "aws:TagKeys", {"env"}),
                                 context, true));
  // ForAnyValue + IfExists on a missing key.
  EXPECT_TRUE(EvaluateCondition(Entry("ForAnyValue:StringEqualsIfExists", "test:none", {"x"}),
                                context, true));
  EXPECT_FALSE(
      EvaluateCondition(Entry("ForAnyValue:StringEquals", "test:none", {"x"}), context, true));
}

TEST(ConditionsTest, NullTestsPresence) {
  ConditionContext context;
  context.Set("test:present", "x");
  context.Set("test:empty", std::vector<std::string>{});
  EXPECT_TRUE(EvaluateCondition(Entry("Null", "test:absent", {"true"}), context, true));
  EXPECT_FALSE(EvaluateCondition(Entry("Null", "test:absent", {"false"}), context, true));
  EXPECT_TRUE(EvaluateCondition(Entry("Null", "test:present", {"false"}), context, true));
  EXPECT_FALSE(EvaluateCondition(Entry("Null", "test:present", {"true"}), context, true));
  EXPECT_TRUE(EvaluateCondition(Entry("Null", "test:empty", {"TRUE"}), context, true));
  EXPECT_FALSE(EvaluateCondition(Entry("Null", "test:absent", {"yes"}), context, true));
}

TEST(SqsPermissionsTest, AgreesWithTheActionTable) {
  for (const api::ActionInfo& info : api::AllActions()) {
    const SqsPermission& permission = SqsPermissionFor(info.action);
    EXPECT_EQ(permission.api, info.action) << info.name;
    EXPECT_EQ(permission.iam_action, info.iam_action) << info.name;
  }
  // Wharf's own actions are checked as the SQS permission they are a form of, on the queue, and
  // may be granted across accounts like it.
  for (const api::ActionInfo& info : api::WharfActions()) {
    const SqsPermission& permission = SqsPermissionFor(info.action);
    EXPECT_EQ(permission.api, info.action) << info.name;
    EXPECT_EQ(permission.iam_action, info.iam_action) << info.name;
    EXPECT_EQ(permission.resource, SqsResource::kQueue) << info.name;
    EXPECT_TRUE(permission.cross_account) << info.name;
  }
}

TEST(SqsPermissionsTest, BatchApisCheckTheirSingleTwin) {
  EXPECT_EQ(SqsPermissionFor(api::Action::kSendMessageBatch).iam_action, "sqs:SendMessage");
  EXPECT_EQ(SqsPermissionFor(api::Action::kDeleteMessageBatch).iam_action, "sqs:DeleteMessage");
  EXPECT_EQ(SqsPermissionFor(api::Action::kChangeMessageVisibilityBatch).iam_action,
            "sqs:ChangeMessageVisibility");
  EXPECT_EQ(SqsPermissionFor(api::Action::kListQueues).resource, SqsResource::kAll);
  EXPECT_EQ(SqsPermissionFor(api::Action::kGetQueueUrl).resource, SqsResource::kQueueByName);
  EXPECT_EQ(SqsPermissionFor(api::Action::kCreateQueue).resource, SqsResource::kCallerAccountQueue);
}

TEST(SqsPermissionsTest, OwnerOnlyActionsAreAwsPublishedList) {
  // security.md §2.7: the actions to which cross-account permissions do not apply.
  const std::vector<std::string_view> owner_only = {"sqs:AddPermission",
                                                    "sqs:CancelMessageMoveTask",
                                                    "sqs:CreateQueue",
                                                    "sqs:DeleteQueue",
                                                    "sqs:ListMessageMoveTasks",
                                                    "sqs:ListQueues",
                                                    "sqs:ListQueueTags",
                                                    "sqs:RemovePermission",
                                                    "sqs:SetQueueAttributes",
                                                    "sqs:StartMessageMoveTask",
                                                    "sqs:TagQueue",
                                                    "sqs:UntagQueue"};
  size_t rows = 0;
  for (const api::ActionInfo& info : api::AllActions()) {
    const SqsPermission& permission = SqsPermissionFor(info.action);
    bool listed =
        std::find(owner_only.begin(), owner_only.end(), permission.iam_action) != owner_only.end();
    EXPECT_EQ(!permission.cross_account, listed) << info.name;
    EXPECT_EQ(IsOwnerOnlySqsAction(permission.iam_action), listed) << info.name;
    if (listed) ++rows;
  }
  EXPECT_EQ(rows, owner_only.size());
  EXPECT_TRUE(IsOwnerOnlySqsAction("SQS:setqueueattributes"));
  EXPECT_FALSE(IsOwnerOnlySqsAction("sqs:SendMessage"));
  EXPECT_FALSE(IsOwnerOnlySqsAction("sqs:SendMessageBatch"));
}

TEST(SqsPermissionsTest, AddPermissionActions) {
  for (std::string_view name :
       {"*", "SendMessage", "ReceiveMessage", "DeleteMessage", "ChangeMessageVisibility",
        "GetQueueAttributes", "GetQueueUrl", "ListDeadLetterSourceQueues", "PurgeQueue"}) {
    EXPECT_EQ(ClassifyAddPermissionAction(name), AddPermissionAction::kAccepted) << name;
  }
  for (std::string_view name : {"CreateQueue", "SetQueueAttributes", "DeleteQueue", "TagQueue",
                                "ListQueues", "AddPermission", "StartMessageMoveTask"}) {
    EXPECT_EQ(ClassifyAddPermissionAction(name), AddPermissionAction::kOwnerOnly) << name;
  }
  for (std::string_view name : {"SendMessageBatch", "sendmessage", "sqs:SendMessage", "Foo", ""}) {
    EXPECT_EQ(ClassifyAddPermissionAction(name), AddPermissionAction::kUnknown) << name;
  }
}

}  // namespace
}  // namespace wharf::auth
