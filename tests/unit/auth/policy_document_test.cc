#include "auth/policy/policy_document.h"

#include <gtest/gtest.h>

#include <string>

namespace wharf::auth {
namespace {

// security.md §2.1's example, a queue policy.
constexpr std::string_view kExample = R"({
  "Version": "2012-10-17",
  "Id": "optional-id",
  "Statement": [
    {
      "Sid": "optional",
      "Effect": "Allow",
      "Principal": {"AWS": ["arn:aws:iam::111122223333:root"]},
      "Action": ["sqs:SendMessage", "sqs:Get*"],
      "Resource": "arn:aws:sqs:us-east-1:123456789012:orders",
      "Condition": {"ArnEquals": {"aws:SourceArn": "arn:aws:sns:us-east-1:123456789012:t"}}
    }
  ]
})";

PolicyDocument ParseOk(std::string_view json, PolicyKind kind = PolicyKind::kResource,
                       const PolicyLimits& limits = {}) {
  auto parsed = ParsePolicyDocument(json, kind, limits);
  EXPECT_TRUE(parsed.ok()) << json << "\n" << (parsed.ok() ? "" : parsed.error().message);
  return parsed.ok() ? std::move(parsed).value() : PolicyDocument{};
}

PolicyError ParseError(std::string_view json, PolicyKind kind = PolicyKind::kResource,
                       const PolicyLimits& limits = {}) {
  auto parsed = ParsePolicyDocument(json, kind, limits);
  EXPECT_FALSE(parsed.ok()) << json;
  if (parsed.ok()) return PolicyError{PolicyError::Kind::kMalformed, "<parsed>"};
  return parsed.error();
}

std::string Wrap(std::string_view statement) {
  std::string json = R"({"Version":"2012-10-17","Statement":)";
  json.append(statement).append("}");
  return json;
}

TEST(PolicyDocumentTest, ParsesTheDocumentedExample) {
  PolicyDocument doc = ParseOk(kExample);
  EXPECT_EQ(doc.version, PolicyVersion::k2012_10_17);
  EXPECT_TRUE(doc.has_variables());
  EXPECT_EQ(doc.id, "optional-id");
  ASSERT_EQ(doc.statements.size(), 1u);
  const Statement& s = doc.statements[0];
  EXPECT_EQ(s.sid, "optional");
  EXPECT_EQ(s.effect, Effect::kAllow);
  EXPECT_EQ(s.actions, (std::vector<std::string>{"sqs:SendMessage", "sqs:Get*"}));
  EXPECT_FALSE(s.not_action);
  EXPECT_EQ(s.resources, std::vector<std::string>{"arn:aws:sqs:us-east-1:123456789012:orders"});
  ASSERT_TRUE(s.principal.has_value());
  EXPECT_FALSE(s.not_principal);
  ASSERT_EQ(s.principal->aws.size(), 1u);
  EXPECT_EQ(s.principal->aws[0].kind, AwsPrincipal::Kind::kAccount);
  EXPECT_EQ(s.principal->aws[0].account_id, "111122223333");
  ASSERT_EQ(s.conditions.size(), 1u);
  EXPECT_EQ(s.conditions[0].operator_name, "ArnEquals");
  EXPECT_EQ(s.conditions[0].op.comparison, Comparison::kArnLike);
  EXPECT_FALSE(s.conditions[0].op.negated);
  EXPECT_EQ(s.conditions[0].key, "aws:SourceArn");
  EXPECT_EQ(s.conditions[0].values,
            std::vector<std::string>{"arn:aws:sns:us-east-1:123456789012:t"});
}

TEST(PolicyDocumentTest, ParsesWhatAddPermissionWrites) {
  // security.md §2.8, recorded from AWS: 2008 version, upper-case SQS: prefix, single action.
  PolicyDocument doc = ParseOk(R"({
    "Version": "2008-10-17",
    "Id": "arn:aws:sqs:us-east-1:123456789012:orders/SQSDefaultPolicy",
    "Statement": [{
      "Sid": "crossaccountpermission",
      "Effect": "Allow",
      "Principal": {"AWS": ["arn:aws:iam::111122223333:root", "arn:aws:iam::123456789012:root"]},
      "Action": "SQS:ReceiveMessage",
      "Resource": "arn:aws:sqs:us-east-1:123456789012:orders"
    }]})");
  EXPECT_EQ(doc.version, PolicyVersion::k2008_10_17);
  EXPECT_FALSE(doc.has_variables());
  ASSERT_EQ(doc.statements.size(), 1u);
  EXPECT_EQ(doc.statements[0].actions, std::vector<std::string>{"SQS:ReceiveMessage"});
  ASSERT_EQ(doc.statements[0].principal->aws.size(), 2u);
  EXPECT_EQ(doc.statements[0].principal->aws[1].account_id, "123456789012");
}

TEST(PolicyDocumentTest, MissingVersionMeansNoVariables) {
  PolicyDocument doc =
      ParseOk(R"({"Statement":{"Effect":"Deny","Principal":"*","Action":"sqs:*","Resource":"*"}})");
  EXPECT_EQ(doc.version, PolicyVersion::k2008_10_17);
  EXPECT_FALSE(doc.has_variables());
  ASSERT_EQ(doc.statements.size(), 1u);  // a single object is one statement
  EXPECT_EQ(doc.statements[0].effect, Effect::kDeny);
  EXPECT_TRUE(doc.statements[0].principal->anyone);
  EXPECT_EQ(doc.statements[0].actions, std::vector<std::string>{"sqs:*"});
}

TEST(PolicyDocumentTest, NegatedElementsAreFlagged) {
  PolicyDocument doc = ParseOk(Wrap(
      R"([{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::123456789012:user/alice"},
           "NotAction":"sqs:ReceiveMessage","NotResource":["arn:aws:sqs:*:*:a","arn:aws:sqs:*:*:b"]}])"));
  const Statement& s = doc.statements[0];
  EXPECT_TRUE(s.not_principal);
  EXPECT_TRUE(s.not_action);
  EXPECT_TRUE(s.not_resource);
  EXPECT_EQ(s.resources.size(), 2u);
  ASSERT_EQ(s.principal->aws.size(), 1u);
  EXPECT_EQ(s.principal->aws[0].kind, AwsPrincipal::Kind::kArn);
  EXPECT_EQ(s.principal->aws[0].arn, "arn:aws:iam::123456789012:user/alice");
}

TEST(PolicyDocumentTest, ClassifiesEveryPrincipalForm) {
  PolicyDocument doc = ParseOk(Wrap(R"([{"Effect":"Allow","Action":"sqs:*","Principal":{
      "AWS":["*","123456789012","arn:aws:iam::123456789012:root",
             "arn:aws:iam::123456789012:user/dev/alice","arn:aws:iam::123456789012:role/consumer",
             "arn:aws:sts::123456789012:assumed-role/consumer/worker-1"],
      "Service":"sns.amazonaws.com",
      "Federated":"cognito-identity.amazonaws.com",
      "CanonicalUser":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"}}])"));
  const PrincipalSet& p = *doc.statements[0].principal;
  EXPECT_FALSE(p.anyone);
  ASSERT_EQ(p.aws.size(), 6u);
  EXPECT_EQ(p.aws[0].kind, AwsPrincipal::Kind::kAnyone);
  EXPECT_EQ(p.aws[1].kind, AwsPrincipal::Kind::kAccount);
  EXPECT_EQ(p.aws[1].account_id, "123456789012");
  EXPECT_EQ(p.aws[2].kind, AwsPrincipal::Kind::kAccount);
  EXPECT_EQ(p.aws[2].account_id, "123456789012");
  for (size_t i = 3; i < 6; ++i) EXPECT_EQ(p.aws[i].kind, AwsPrincipal::Kind::kArn) << i;
  EXPECT_EQ(p.aws[5].arn, "arn:aws:sts::123456789012:assumed-role/consumer/worker-1");
  EXPECT_EQ(p.services, std::vector<std::string>{"sns.amazonaws.com"});
  EXPECT_EQ(p.federated, std::vector<std::string>{"cognito-identity.amazonaws.com"});
  EXPECT_EQ(p.canonical_users.size(), 1u);
  // No Resource in a resource policy: the statement covers the policy's own resource.
  EXPECT_TRUE(doc.statements[0].resources.empty());
}

TEST(PolicyDocumentTest, ConditionValuesBecomeText) {
  PolicyDocument doc = ParseOk(Wrap(R"([{"Effect":"Allow","Action":"sqs:*","Resource":"*",
      "Condition":{
        "NumericLessThan":{"k:int":10,"k:neg":-3,"k:big":18446744073709551615,"k:double":2.5},
        "Bool":{"aws:SecureTransport":false},
        "StringEquals":{"k:list":[1,"two",true]},
        "ForAllValues:StringLikeIfExists":{"aws:TagKeys":"env*"}}}])"),
                               PolicyKind::kIdentity);
  const std::vector<ConditionEntry>& c = doc.statements[0].conditions;
  ASSERT_EQ(c.size(), 7u);
  EXPECT_EQ(c[0].values, std::vector<std::string>{"10"});
  EXPECT_EQ(c[1].values, std::vector<std::string>{"-3"});
  EXPECT_EQ(c[2].values, std::vector<std::string>{"18446744073709551615"});
  EXPECT_EQ(c[3].values, std::vector<std::string>{"2.5"});
  EXPECT_EQ(c[4].values, std::vector<std::string>{"false"});
  EXPECT_EQ(c[5].values, (std::vector<std::string>{"1", "two", "true"}));
  EXPECT_EQ(c[6].op.qualifier, SetQualifier::kForAllValues);
  EXPECT_TRUE(c[6].op.if_exists);
  EXPECT_EQ(c[6].op.comparison, Comparison::kStringLike);
  EXPECT_EQ(c[6].operator_name, "ForAllValues:StringLikeIfExists");
}

TEST(PolicyDocumentTest, AcceptsWhatTheGrammarAllows) {
  // Trust policy: Principal, no Resource.
  ParseOk(Wrap(R"({"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},
                   "Action":"sts:AssumeRole"})"),
          PolicyKind::kTrust);
  // Identity policy with NotResource and a variable.
  ParseOk(Wrap(R"({"Effect":"Allow","Action":"sqs:*",
                   "NotResource":"arn:aws:sqs:*:123456789012:${aws:username}-*"})"),
          PolicyKind::kIdentity);
  // An empty statement list grants nothing but is not malformed.
  EXPECT_TRUE(ParseOk(R"({"Version":"2012-10-17","Statement":[]})").statements.empty());
  // Statements without Sid may coexist; an empty Condition block is no condition.
  PolicyDocument doc =
      ParseOk(Wrap(R"([{"Effect":"Allow","Action":"*","Resource":"*","Condition":{}},
                {"Effect":"Deny","Action":"*","Resource":"*"}])"),
              PolicyKind::kIdentity);
  EXPECT_EQ(doc.statements.size(), 2u);
  EXPECT_TRUE(doc.statements[0].conditions.empty());
}

struct BadCase {
  std::string_view name;
  std::string json;
  PolicyKind kind;
  std::string_view message;
};

TEST(PolicyDocumentTest, RejectsMalformedDocumentsWithIamWording) {
  constexpr std::string_view kSyntax = "Syntax errors in policy.";
  constexpr PolicyKind kRes = PolicyKind::kResource;
  constexpr PolicyKind kId = PolicyKind::kIdentity;
  const std::string ok_statement =
      R"("Effect":"Allow","Principal":"*","Action":"sqs:SendMessage","Resource":"*")";
  const std::vector<BadCase> cases = {
      {"not json", "{", kRes, kSyntax},
      {"empty text", "", kRes, kSyntax},
      {"root is an array", "[]", kRes, kSyntax},
      {"trailing comma", "{\"Statement\":[{" + ok_statement + "},]}", kRes, kSyntax},
      {"comment", "{/*x*/\"Statement\":{" + ok_statement + "}}", kRes, kSyntax},
      {"duplicate top-level key",
       "{\"Version\":\"2012-10-17\",\"Version\":\"2012-10-17\",\"Statement\":{" + ok_statement +
           "}}",
       kRes, kSyntax},
      {"unknown top-level key", "{\"Statement\":{" + ok_statement + "},\"Extra\":1}", kRes,
       kSyntax},
      {"version from the future", R"({"Version":"2012-10-18","Statement":[]})", kRes,
       "The policy failed legacy parsing"},
      {"version is a number", R"({"Version":2012,"Statement":[]})", kRes, kSyntax},
      {"id is a number", R"({"Id":7,"Statement":[]})", kRes, kSyntax},
      {"no statement", R"({"Version":"2012-10-17"})", kRes, "Missing required field Statement"},
      {"statement is a string", R"({"Statement":"x"})", kRes, kSyntax},
      {"statement list holds a string", R"({"Statement":["x"]})", kRes, kSyntax},
      {"unknown statement key", Wrap("{" + ok_statement + ",\"Effects\":\"Allow\"}"), kRes,
       kSyntax},
      {"duplicate statement key", Wrap("{" + ok_statement + ",\"Action\":\"sqs:*\"}"), kRes,
       kSyntax},
      {"no effect", Wrap(R"({"Principal":"*","Action":"sqs:*","Resource":"*"})"), kRes,
       "Missing required field Effect"},
      {"lower-case effect",
       Wrap(R"({"Effect":"allow","Principal":"*","Action":"sqs:*","Resource":"*"})"), kRes,
       "Invalid effect: allow"},
      {"effect is a boolean",
       Wrap(R"({"Effect":true,"Principal":"*","Action":"sqs:*","Resource":"*"})"), kRes, kSyntax},
      {"no action", Wrap(R"({"Effect":"Allow","Principal":"*","Resource":"*"})"), kRes,
       "Policy statement must contain actions."},
      {"action and not-action",
       Wrap(
           R"({"Effect":"Allow","Principal":"*","Action":"sqs:*","NotAction":"sqs:X","Resource":"*"})"),
       kRes, kSyntax},
      {"empty action list",
       Wrap(R"({"Effect":"Allow","Principal":"*","Action":[],"Resource":"*"})"), kRes, kSyntax},
      {"action is a number",
       Wrap(R"({"Effect":"Allow","Principal":"*","Action":5,"Resource":"*"})"), kRes, kSyntax},
      {"action list holds a number",
       Wrap(R"({"Effect":"Allow","Principal":"*","Action":["sqs:*",5],"Resource":"*"})"), kRes,
       kSyntax},
      {"action without vendor",
       Wrap(R"({"Effect":"Allow","Principal":"*","Action":"SendMessage","Resource":"*"})"), kRes,
       "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."},
      {"principal in identity policy", Wrap("{" + ok_statement + "}"), kId,
       "Policy document should not specify a principal."},
      {"not-principal in identity policy",
       Wrap(R"({"Effect":"Deny","NotPrincipal":"*","Action":"sqs:*","Resource":"*"})"), kId,
       "Policy document should not specify a principal."},
      {"identity statement without resource", Wrap(R"({"Effect":"Allow","Action":"sqs:*"})"), kId,
       "Policy statement must contain resources."},
      {"resource and not-resource",
       Wrap(R"({"Effect":"Allow","Action":"sqs:*","Resource":"*","NotResource":"*"})"), kId,
       kSyntax},
      {"resource that is not an ARN",
       Wrap(R"({"Effect":"Allow","Action":"sqs:*","Resource":"orders"})"), kId,
       "Resource orders must be in ARN format or \"*\"."},
      {"resource policy without principal",
       Wrap(R"({"Effect":"Allow","Action":"sqs:*","Resource":"*"})"), kRes,
       "Missing required field Principal"},
      {"trust policy with resource",
       Wrap(R"({"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Resource":"*"})"),
       PolicyKind::kTrust, "Has prohibited field Resource"},
      {"trust policy without principal", Wrap(R"({"Effect":"Allow","Action":"sts:AssumeRole"})"),
       PolicyKind::kTrust, "Missing required field Principal"},
      {"principal and not-principal",
       Wrap(R"({"Effect":"Deny","Principal":"*","NotPrincipal":"*","Action":"sqs:*"})"), kRes,
       kSyntax},
      {"principal string other than *",
       Wrap(R"({"Effect":"Allow","Principal":"arn:aws:iam::123456789012:root","Action":"sqs:*"})"),
       kRes, R"(Invalid principal in policy: "AWS":"arn:aws:iam::123456789012:root")"},
      {"wildcard inside a principal ARN",
       Wrap(
           R"({"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/*"},"Action":"sqs:*"})"),
       kRes, R"(Invalid principal in policy: "AWS":"arn:aws:iam::123456789012:user/*")"},
      {"principal name without ARN",
       Wrap(R"({"Effect":"Allow","Principal":{"AWS":"alice"},"Action":"sqs:*"})"), kRes,
       R"(Invalid principal in policy: "AWS":"alice")"},
      {"short account id",
       Wrap(R"({"Effect":"Allow","Principal":{"AWS":"1234"},"Action":"sqs:*"})"), kRes,
       R"(Invalid principal in policy: "AWS":"1234")"},
      {"principal ARN of a queue",
       Wrap(
           R"({"Effect":"Allow","Principal":{"AWS":"arn:aws:sqs:us-east-1:123456789012:q"},"Action":"sqs:*"})"),
       kRes, R"(Invalid principal in policy: "AWS":"arn:aws:sqs:us-east-1:123456789012:q")"},
      {"unknown principal type",
       Wrap(R"({"Effect":"Allow","Principal":{"Group":"x"},"Action":"sqs:*"})"), kRes,
       R"(Invalid principal in policy: "Group":"")"},
      {"empty principal object", Wrap(R"({"Effect":"Allow","Principal":{},"Action":"sqs:*"})"),
       kRes, kSyntax},
      {"service principal with wildcard",
       Wrap(R"({"Effect":"Allow","Principal":{"Service":"*.amazonaws.com"},"Action":"sqs:*"})"),
       kRes, R"(Invalid principal in policy: "Service":"*.amazonaws.com")"},
      {"unknown condition operator",
       Wrap("{" + ok_statement + R"(,"Condition":{"StringEqualz":{"aws:username":"a"}}})"), kRes,
       "Invalid Condition type : StringEqualz"},
      {"Null cannot take IfExists",
       Wrap("{" + ok_statement + R"(,"Condition":{"NullIfExists":{"aws:username":"true"}}})"), kRes,
       "Invalid Condition type : NullIfExists"},
      {"operator names are case-sensitive",
       Wrap("{" + ok_statement + R"(,"Condition":{"stringequals":{"aws:username":"a"}}})"), kRes,
       "Invalid Condition type : stringequals"},
      {"condition value null",
       Wrap("{" + ok_statement + R"(,"Condition":{"StringEquals":{"aws:username":null}}})"), kRes,
       kSyntax},
      {"condition value object",
       Wrap("{" + ok_statement + R"(,"Condition":{"StringEquals":{"aws:username":{}}}})"), kRes,
       kSyntax},
      {"condition value empty list",
       Wrap("{" + ok_statement + R"(,"Condition":{"StringEquals":{"aws:username":[]}}})"), kRes,
       kSyntax},
      {"condition operator maps to a string",
       Wrap("{" + ok_statement + R"(,"Condition":{"StringEquals":"aws:username"}})"), kRes,
       kSyntax},
      {"duplicate condition key",
       Wrap("{" + ok_statement +
            R"(,"Condition":{"StringEquals":{"aws:username":"a","aws:username":"b"}}})"),
       kRes, kSyntax},
      {"duplicate Sid",
       Wrap(R"([{"Sid":"a",)" + ok_statement + R"(},{"Sid":"a",)" + ok_statement + "}]"), kRes,
       "Statement IDs (SID) in a single policy must be unique."},
      {"Sid is a number", Wrap(R"({"Sid":1,)" + ok_statement + "}"), kRes, kSyntax},
      {"invalid UTF-8", Wrap("{\"Sid\":\"\xff\"," + ok_statement + "}"), kRes, kSyntax},
  };
  for (const BadCase& c : cases) {
    PolicyError error = ParseError(c.json, c.kind);
    EXPECT_EQ(error.kind, PolicyError::Kind::kMalformed) << c.name;
    EXPECT_EQ(error.message, c.message) << c.name;
  }
}

TEST(PolicyDocumentTest, SqsQuotasAreLimitErrors) {
  // 8,192 bytes: a document of exactly that size passes, one more byte fails.
  std::string base = Wrap(
      R"({"Sid":"","Effect":"Allow","Principal":"*","Action":"sqs:SendMessage","Resource":"*"})");
  std::string padded = base;
  padded.insert(padded.size() - 1, std::string(8192 - base.size(), ' '));
  ASSERT_EQ(padded.size(), 8192u);
  ParseOk(padded, PolicyKind::kResource, kSqsQueuePolicyLimits);
  padded.insert(padded.size() - 1, " ");
  PolicyError size = ParseError(padded, PolicyKind::kResource, kSqsQueuePolicyLimits);
  EXPECT_EQ(size.kind, PolicyError::Kind::kLimitExceeded);
  EXPECT_EQ(size.message, "Cannot exceed quota for PolicySize: 8192");

  auto statements = [](size_t n) {
    std::string list = "[";
    for (size_t i = 0; i < n; ++i) {
      if (i > 0) list += ",";
      list.append(R"({"Sid":"s)")
          .append(std::to_string(i))
          .append(R"(","Effect":"Allow","Principal":"*","Action":"sqs:*"})");
    }
    return Wrap(list.append("]"));
  };
  ParseOk(statements(20), PolicyKind::kResource, kSqsQueuePolicyLimits);
  EXPECT_EQ(ParseError(statements(21), PolicyKind::kResource, kSqsQueuePolicyLimits).message,
            "Cannot exceed quota for StatementsPerPolicy: 20");

  std::string eight_actions = Wrap(R"({"Effect":"Allow","Principal":"*","Action":[
      "sqs:A","sqs:B","sqs:C","sqs:D","sqs:E","sqs:F","sqs:G","sqs:H"]})");
  PolicyError actions = ParseError(eight_actions, PolicyKind::kResource, kSqsQueuePolicyLimits);
  EXPECT_EQ(actions.kind, PolicyError::Kind::kLimitExceeded);
  EXPECT_EQ(actions.message, "Cannot exceed quota for ActionsPerStatement: 7");

  std::string principals = R"({"Effect":"Allow","Action":"sqs:*","Principal":{"AWS":[)";
  for (int i = 0; i < 51; ++i) {
    if (i > 0) principals += ",";
    std::string account = std::to_string(100000000000 + i);
    principals.append("\"").append(account).append("\"");
  }
  principals.append("]}}");
  EXPECT_EQ(ParseError(Wrap(principals), PolicyKind::kResource, kSqsQueuePolicyLimits).message,
            "Cannot exceed quota for PrincipalsPerStatement: 50");

  std::string conditions =
      R"({"Effect":"Allow","Action":"sqs:*","Principal":"*","Condition":{"StringEquals":{)";
  for (int i = 0; i < 11; ++i) {
    if (i > 0) conditions += ",";
    conditions.append("\"k:").append(std::to_string(i)).append("\":\"v\"");
  }
  conditions.append("}}}");
  EXPECT_EQ(ParseError(Wrap(conditions), PolicyKind::kResource, kSqsQueuePolicyLimits).message,
            "Cannot exceed quota for ConditionsPerStatement: 10");
  // Without limits the same documents are fine.
  ParseOk(statements(21));
  ParseOk(eight_actions);
  ParseOk(Wrap(principals));
  ParseOk(Wrap(conditions));
}

TEST(PolicyDocumentTest, IamSizeRuleIgnoresWhitespaceOutsideStrings) {
  PolicyLimits limits{.max_size = 0, .size_ignores_whitespace = true};
  std::string compact =
      R"({"Statement":{"Effect":"Allow","Action":"sqs:*","Resource":"arn:aws:sqs:*:*:a b"}})";
  std::string spaced =
      "{\n  \"Statement\" : {\n    \"Effect\": \"Allow\",\n    \"Action\": \"sqs:*\",\n"
      "    \"Resource\": \"arn:aws:sqs:*:*:a b\"\n  }\n}\n";
  limits.max_size = compact.size();
  ParseOk(compact, PolicyKind::kIdentity, limits);
  ParseOk(spaced, PolicyKind::kIdentity, limits);
  limits.max_size = compact.size() - 1;  // the space inside the string still counts
  EXPECT_EQ(ParseError(spaced, PolicyKind::kIdentity, limits).kind,
            PolicyError::Kind::kLimitExceeded);
}

TEST(PolicyDocumentTest, SqsAnswersOneFixedMessage) {
  EXPECT_EQ(kSqsInvalidPolicyMessage, "Invalid value for the parameter Policy.");
}

TEST(PolicyDocumentTest, EveryPrefixOfAValidDocumentIsHandled) {
  // A cheap robustness sweep for the sanitizers: truncated input never crashes or parses.
  std::string json(kExample);
  for (size_t n = 0; n < json.size(); ++n) {
    std::string_view prefix(json.data(), n);
    auto parsed = ParsePolicyDocument(prefix, PolicyKind::kResource);
    EXPECT_FALSE(parsed.ok()) << n;
  }
  EXPECT_TRUE(ParsePolicyDocument(json, PolicyKind::kResource).ok());
}

}  // namespace
}  // namespace wharf::auth
