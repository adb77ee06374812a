// Table-driven tests of the policy evaluator (security.md §2.2–2.6). Every row is a complete
// authorization: who calls, which policies exist, the request's condition keys, and the
// expected effect and deciding statement.

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "auth/policy/evaluator.h"

namespace wharf::auth {
namespace {

constexpr std::string_view kOwner = "123456789012";
constexpr std::string_view kOther = "111122223333";
constexpr std::string_view kOrders = "arn:aws:sqs:us-east-1:123456789012:orders";
constexpr std::string_view kTopic = "arn:aws:sns:us-east-1:123456789012:orders-topic";
constexpr std::string_view kKey =
    "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
constexpr int64_t kNow = 1736942400000;  // 2025-01-15T12:00:00Z

enum class Who { kAlice, kCarol, kOwnerRoot, kWorker, kBob, kOtherRoot, kSns };

RequestPrincipal PrincipalFor(Who who) {
  switch (who) {
    case Who::kAlice:
      return {.type = PrincipalType::kUser,
              .account_id = std::string(kOwner),
              .arn = "arn:aws:iam::123456789012:user/alice",
              .user_name = "alice",
              .unique_id = "AIDAALICEEXAMPLE"};
    case Who::kCarol:
      return {.type = PrincipalType::kUser,
              .account_id = std::string(kOwner),
              .arn = "arn:aws:iam::123456789012:user/carol",
              .user_name = "carol",
              .unique_id = "AIDACAROLEXAMPLE"};
    case Who::kOwnerRoot:
      return {.type = PrincipalType::kAccount,
              .account_id = std::string(kOwner),
              .arn = "arn:aws:iam::123456789012:root"};
    case Who::kWorker:
      return {.type = PrincipalType::kAssumedRole,
              .account_id = std::string(kOwner),
              .arn = "arn:aws:sts::123456789012:assumed-role/consumer/worker-1",
              .role_arn = "arn:aws:iam::123456789012:role/consumer",
              .unique_id = "AROACONSUMER:worker-1",
              .session_name = "worker-1"};
    case Who::kBob:
      return {.type = PrincipalType::kUser,
              .account_id = std::string(kOther),
              .arn = "arn:aws:iam::111122223333:user/bob",
              .user_name = "bob",
              .unique_id = "AIDABOBEXAMPLE"};
    case Who::kOtherRoot:
      return {.type = PrincipalType::kAccount,
              .account_id = std::string(kOther),
              .arn = "arn:aws:iam::111122223333:root"};
    case Who::kSns:
      return {.type = PrincipalType::kService, .service = "sns.amazonaws.com"};
  }
  return {};
}

// What the dispatcher would put in the context (§2.4): principal keys, time, transport and
// source IP for signed requests; SourceArn/SourceAccount for SNS deliveries.
ConditionContext BaseContext(const RequestPrincipal& principal) {
  ConditionContext context;
  AddPrincipalKeys(principal, context);
  AddTimeKeys(kNow, context);
  context.Set("aws:SecureTransport", "true");
  context.Set("aws:RequestedRegion", "us-east-1");
  if (principal.type == PrincipalType::kService) {
    context.Set("aws:SourceArn", std::string(kTopic));
    context.Set("aws:SourceAccount", std::string(kOwner));
  } else {
    context.Set("aws:SourceIp", "203.0.113.7");
  }
  return context;
}

constexpr DecisionEffect kAllowed = DecisionEffect::kAllow;
constexpr DecisionEffect kExplicit = DecisionEffect::kExplicitDeny;
constexpr DecisionEffect kImplicit = DecisionEffect::kImplicitDeny;

using Keys = std::vector<std::pair<std::string, std::vector<std::string>>>;

struct Row {
  std::string name;
  Who who = Who::kAlice;
  // Each entry is one policy: a whole document, or statement(s) that get wrapped in a
  // 2012-10-17 document.
  std::vector<std::string> identity = {};
  std::string resource_policy = "";
  std::vector<std::string> session = {};
  std::string action = "sqs:SendMessage";
  std::string resource = std::string(kOrders);
  std::string resource_account = std::string(kOwner);
  ResourcePolicyRole role = ResourcePolicyRole::kOptional;
  Keys set = {};
  std::vector<std::string> remove = {};
  DecisionEffect expect = kImplicit;
  std::string sid = "";
};

// gtest prints a failing row by its name rather than as bytes.
void PrintTo(const Row& row, std::ostream* out) { *out << row.name; }

std::string Document(const std::string& text) {
  if (text.find("\"Statement\"") != std::string::npos) return text;
  std::string json = R"({"Version":"2012-10-17","Statement":)";
  return json.append(text).append("}");
}

std::string Q(std::string_view text) {
  std::string quoted = "\"";
  return quoted.append(text).append("\"");
}

// Identity-policy statement.
std::string Allow(std::string_view sid, std::string_view action, std::string_view resource) {
  std::string json = R"({"Sid":)";
  json.append(Q(sid)).append(R"(,"Effect":"Allow","Action":)").append(Q(action));
  return json.append(R"(,"Resource":)").append(Q(resource)).append("}");
}
std::string Deny(std::string_view sid, std::string_view action, std::string_view resource) {
  std::string json = R"({"Sid":)";
  json.append(Q(sid)).append(R"(,"Effect":"Deny","Action":)").append(Q(action));
  return json.append(R"(,"Resource":)").append(Q(resource)).append("}");
}
// Identity statement "Cond": SendMessage on anything, if `condition` holds.
std::string AllowIf(std::string_view condition) {
  std::string json =
      R"({"Sid":"Cond","Effect":"Allow","Action":"sqs:SendMessage","Resource":"*","Condition":)";
  return json.append(condition).append("}");
}
// Resource-policy statement with a Principal element given as JSON.
std::string Grant(std::string_view sid, std::string_view principal, std::string_view action,
                  std::string_view extra = "") {
  std::string json = R"({"Sid":)";
  json.append(Q(sid)).append(R"(,"Effect":"Allow","Principal":)").append(principal);
  json.append(R"(,"Action":)").append(Q(action));
  return json.append(extra).append("}");
}
std::string Aws(std::string_view who) {
  std::string json = R"({"AWS":)";
  return json.append(Q(who)).append("}");
}

const std::string kAliceArn = "arn:aws:iam::123456789012:user/alice";
const std::string kBobArn = "arn:aws:iam::111122223333:user/bob";
const std::string kSnsPolicy = R"({
  "Version": "2012-10-17",
  "Statement": [{
    "Sid": "AllowSnsTopic",
    "Effect": "Allow",
    "Principal": {"Service": "sns.amazonaws.com"},
    "Action": "sqs:SendMessage",
    "Resource": "arn:aws:sqs:us-east-1:123456789012:orders",
    "Condition": {"ArnEquals": {"aws:SourceArn": "arn:aws:sns:us-east-1:123456789012:orders-topic"}}
  }]
})";

std::vector<Row> IdentityRows() {
  const std::string send_orders = Allow("Send", "sqs:SendMessage", kOrders);
  return {
      {.name = "identity_allows_exact_action_and_queue",
       .identity = {"[" + send_orders + "]"},
       .expect = kAllowed,
       .sid = "Send"},
      {.name = "no_policy_at_all_is_implicit_deny"},
      {.name = "identity_allows_another_action_only",
       .identity = {Allow("Recv", "sqs:ReceiveMessage", kOrders)}},
      {.name = "policy_action_case_is_ignored",
       .identity = {Allow("Send", "SQS:sendmessage", kOrders)},
       .expect = kAllowed,
       .sid = "Send"},
      {.name = "request_action_case_is_ignored",
       .identity = {send_orders},
       .action = "SQS:SENDMESSAGE",
       .expect = kAllowed,
       .sid = "Send"},
      {.name = "action_star_suffix",
       .identity = {Allow("Star", "sqs:Send*", kOrders)},
       .expect = kAllowed,
       .sid = "Star"},
      {.name = "action_question_mark",
       .identity = {Allow("Q", "sqs:?endMessage", kOrders)},
       .expect = kAllowed,
       .sid = "Q"},
      {.name = "action_star_matches_everything",
       .identity = {Allow("All", "*", "*")},
       .expect = kAllowed,
       .sid = "All"},
      {.name = "action_wildcard_with_other_prefix", .identity = {Allow("Get", "sqs:Get*", "*")}},
      {.name = "action_of_other_service", .identity = {Allow("Sns", "sns:*", "*")}},
      {.name = "not_action_allows_everything_else",
       .identity =
           {R"({"Sid":"NotDel","Effect":"Allow","NotAction":"sqs:DeleteQueue","Resource":"*"})"},
       .expect = kAllowed,
       .sid = "NotDel"},
      {.name = "not_action_excludes_what_it_lists",
       .identity =
           {R"({"Sid":"NotSend","Effect":"Allow","NotAction":["sqs:Send*"],"Resource":"*"})"}},
      {.name = "not_action_reaches_other_services",
       .identity = {R"({"Sid":"NotSqs","Effect":"Allow","NotAction":"sqs:*","Resource":"*"})"},
       .action = "kms:Decrypt",
       .resource = std::string(kKey),
       .expect = kAllowed,
       .sid = "NotSqs"},
      {.name = "resource_wildcards_in_region_and_name",
       .identity = {Allow("Wild", "sqs:SendMessage", "arn:aws:sqs:*:123456789012:ord*")},
       .expect = kAllowed,
       .sid = "Wild"},
      {.name = "resource_is_another_queue",
       .identity = {Allow("Pay", "sqs:SendMessage",
                          "arn:aws:sqs:us-east-1:123456789012:payments")}},
      {.name = "resource_arn_is_case_sensitive",
       .identity = {Allow("Up", "sqs:SendMessage", "arn:aws:sqs:us-east-1:123456789012:Orders")}},
      {.name = "resource_trailing_star_runs_past_colons",
       .identity = {Allow("Region", "sqs:SendMessage", "arn:aws:sqs:us-east-1:*")},
       .expect = kAllowed,
       .sid = "Region"},
      {.name = "not_resource_allows_other_queues",
       .identity = {R"({"Sid":"NotPay","Effect":"Allow","Action":"sqs:*",
                       "NotResource":"arn:aws:sqs:us-east-1:123456789012:payments"})"},
       .expect = kAllowed,
       .sid = "NotPay"},
      {.name = "not_resource_excludes_its_match",
       .identity = {R"({"Sid":"NotOrd","Effect":"Allow","Action":"sqs:*",
                       "NotResource":"arn:aws:sqs:*:*:ord*"})"}},
      {.name = "list_queues_needs_star_resource",
       .identity = {Allow("AllQueues", "sqs:ListQueues", "arn:aws:sqs:*:*:*")},
       .action = "sqs:ListQueues",
       .resource = "*",
       .resource_account = ""},
      {.name = "list_queues_with_star_resource",
       .identity = {Allow("List", "sqs:ListQueues", "*")},
       .action = "sqs:ListQueues",
       .resource = "*",
       .resource_account = "",
       .expect = kAllowed,
       .sid = "List"},
      {.name = "first_applicable_statement_is_reported",
       .identity = {"[" + Allow("First", "sqs:ReceiveMessage", "*") + "," +
                    Allow("Second", "sqs:SendMessage", "*") + "," + Allow("Third", "sqs:*", "*") +
                    "]"},
       .expect = kAllowed,
       .sid = "Second"},
      {.name = "any_identity_policy_may_allow",
       .identity = {Allow("One", "sqs:ReceiveMessage", "*"), Allow("Two", "sqs:SendMessage", "*")},
       .expect = kAllowed,
       .sid = "Two"},
  };
}

std::vector<Row> DenyRows() {
  const std::string allow_all = Allow("AllowAll", "sqs:*", "*");
  const std::string deny_all_queue =
      R"([{"Sid":"DenyAll","Effect":"Deny","Principal":"*","Action":"sqs:*"}])";
  return {
      {.name = "identity_deny_beats_identity_allow",
       .identity = {"[" + allow_all + "," + Deny("NoSend", "sqs:SendMessage", "*") + "]"},
       .expect = kExplicit,
       .sid = "NoSend"},
      {.name = "deny_in_another_identity_policy_wins",
       .identity = {allow_all, Deny("NoSend", "sqs:Send*", kOrders)},
       .expect = kExplicit,
       .sid = "NoSend"},
      {.name = "resource_deny_beats_identity_allow",
       .identity = {allow_all},
       .resource_policy = deny_all_queue,
       .expect = kExplicit,
       .sid = "DenyAll"},
      {.name = "resource_deny_beats_resource_allow",
       .resource_policy =
           "[" + Grant("Alice", Aws(kAliceArn), "sqs:SendMessage") + "," +
           R"({"Sid":"Block","Effect":"Deny","Principal":"*","Action":"sqs:SendMessage"}])",
       .expect = kExplicit,
       .sid = "Block"},
      {.name = "deny_not_principal_spares_the_listed_user",
       .identity = {allow_all},
       .resource_policy = R"([{"Sid":"OnlyAlice","Effect":"Deny",
           "NotPrincipal":{"AWS":"arn:aws:iam::123456789012:user/alice"},"Action":"sqs:*"}])",
       .expect = kAllowed,
       .sid = "AllowAll"},
      {.name = "deny_not_principal_hits_everyone_else",
       .who = Who::kWorker,
       .identity = {allow_all},
       .resource_policy = R"([{"Sid":"OnlyAlice","Effect":"Deny",
           "NotPrincipal":{"AWS":"arn:aws:iam::123456789012:user/alice"},"Action":"sqs:*"}])",
       .expect = kExplicit,
       .sid = "OnlyAlice"},
      {.name = "deny_star_applies_to_service_principals",
       .who = Who::kSns,
       .resource_policy = "[" + Grant("AllowSns", R"({"Service":"sns.amazonaws.com"})", "sqs:*") +
                          R"(,{"Sid":"DenyAll","Effect":"Deny","Principal":"*","Action":"sqs:*"}])",
       .expect = kExplicit,
       .sid = "DenyAll"},
      {.name = "deny_star_applies_to_the_owner_root",
       .who = Who::kOwnerRoot,
       .resource_policy = deny_all_queue,
       .expect = kExplicit,
       .sid = "DenyAll"},
      {.name = "owner_root_can_still_replace_a_deny_all_policy",
       .who = Who::kOwnerRoot,
       .resource_policy = deny_all_queue,
       .action = "sqs:SetQueueAttributes",
       .expect = kAllowed,
       .sid = ""},
      {.name = "lockout_guard_is_only_for_the_owner_root",
       .identity = {allow_all},
       .resource_policy = deny_all_queue,
       .action = "sqs:SetQueueAttributes",
       .expect = kExplicit,
       .sid = "DenyAll"},
      {.name = "deny_whose_condition_fails_does_not_apply",
       .identity = {"[" + allow_all +
                    R"(,{"Sid":"NeedTls","Effect":"Deny","Action":"*","Resource":"*",
                        "Condition":{"Bool":{"aws:SecureTransport":"false"}}}])"},
       .expect = kAllowed,
       .sid = "AllowAll"},
      {.name = "deny_whose_condition_holds_applies",
       .identity = {"[" + allow_all +
                    R"(,{"Sid":"NeedTls","Effect":"Deny","Action":"*","Resource":"*",
                        "Condition":{"Bool":{"aws:SecureTransport":"false"}}}])"},
       .set = {{"aws:SecureTransport", {"false"}}},
       .expect = kExplicit,
       .sid = "NeedTls"},
      {.name = "guard_rail_deny_with_negated_operator_on_missing_key",
       .identity = {"[" + allow_all +
                    R"(,{"Sid":"VpcOnly","Effect":"Deny","Action":"*","Resource":"*",
                        "Condition":{"StringNotEquals":{"aws:SourceVpc":"vpc-1"}}}])"},
       .expect = kExplicit,
       .sid = "VpcOnly"},
      {.name = "guard_rail_deny_satisfied",
       .identity = {"[" + allow_all +
                    R"(,{"Sid":"VpcOnly","Effect":"Deny","Action":"*","Resource":"*",
                        "Condition":{"StringNotEquals":{"aws:SourceVpc":"vpc-1"}}}])"},
       .set = {{"aws:SourceVpc", {"vpc-1"}}},
       .expect = kAllowed,
       .sid = "AllowAll"},
  };
}

std::vector<Row> SameAccountResourceRows() {
  return {
      {.name = "queue_policy_naming_the_user_grants_alone",
       .resource_policy = "[" +
                          Grant("Alice", Aws(kAliceArn), "sqs:SendMessage",
                                R"(,"Resource":"arn:aws:sqs:us-east-1:123456789012:orders")") +
                          "]",
       .expect = kAllowed,
       .sid = "Alice"},
      {.name = "queue_policy_naming_the_account_id_does_not_grant_users",
       .resource_policy = Grant("Acct", Aws(kOwner), "sqs:SendMessage")},
      {.name = "queue_policy_naming_the_account_root_does_not_grant_users",
       .resource_policy = Grant("Root", Aws("arn:aws:iam::123456789012:root"), "sqs:SendMessage")},
      {.name = "account_principal_plus_identity_policy_allows",
       .identity = {Allow("Id", "sqs:SendMessage", "*")},
       .resource_policy = Grant("Acct", Aws(kOwner), "sqs:SendMessage"),
       .expect = kAllowed,
       .sid = "Id"},
      {.name = "queue_policy_star_principal",
       .resource_policy = Grant("Anyone", Q("*"), "sqs:SendMessage"),
       .expect = kAllowed,
       .sid = "Anyone"},
      {.name = "queue_policy_aws_star_principal",
       .resource_policy = Grant("Anyone", Aws("*"), "sqs:SendMessage"),
       .expect = kAllowed,
       .sid = "Anyone"},
      {.name = "role_arn_covers_its_sessions",
       .who = Who::kWorker,
       .resource_policy =
           Grant("Role", Aws("arn:aws:iam::123456789012:role/consumer"), "sqs:SendMessage"),
       .expect = kAllowed,
       .sid = "Role"},
      {.name = "session_arn_names_that_session",
       .who = Who::kWorker,
       .resource_policy = Grant(
           "Session", Aws("arn:aws:sts::123456789012:assumed-role/consumer/worker-1"), "sqs:*"),
       .expect = kAllowed,
       .sid = "Session"},
      {.name = "another_session_of_the_role_is_not_named",
       .who = Who::kWorker,
       .resource_policy = Grant(
           "Session", Aws("arn:aws:sts::123456789012:assumed-role/consumer/worker-2"), "sqs:*")},
      {.name = "queue_policy_naming_another_user",
       .resource_policy = Grant("Carol", Aws("arn:aws:iam::123456789012:user/carol"), "sqs:*")},
      {.name = "owner_root_needs_no_policy", .who = Who::kOwnerRoot, .expect = kAllowed, .sid = ""},
      {.name = "queue_policy_statement_without_resource_covers_the_queue",
       .resource_policy = Grant("NoRes", Aws(kAliceArn), "sqs:SendMessage"),
       .expect = kAllowed,
       .sid = "NoRes"},
      {.name = "queue_policy_for_another_action",
       .resource_policy = Grant("Recv", Aws(kAliceArn), "sqs:ReceiveMessage")},
      {.name = "queue_policy_for_another_queue",
       .resource_policy = Grant("Pay", Aws(kAliceArn), "sqs:SendMessage",
                                R"(,"Resource":"arn:aws:sqs:us-east-1:123456789012:payments")")},
      {.name = "strongest_principal_match_is_reported",
       .resource_policy = "[" + Grant("Acct", Aws(kOwner), "sqs:*") + "," +
                          Grant("Direct", Aws(kAliceArn), "sqs:*") + "]",
       .expect = kAllowed,
       .sid = "Direct"},
  };
}

std::vector<Row> CrossAccountRows() {
  const std::string bob_identity = Allow("BobId", "sqs:SendMessage", kOrders);
  const std::string grant_other = Grant("Other", Aws(kOther), "sqs:SendMessage");
  return {
      {.name = "cross_account_queue_policy_alone_is_not_enough",
       .who = Who::kBob,
       .resource_policy = grant_other},
      {.name = "cross_account_identity_policy_alone_is_not_enough",
       .who = Who::kBob,
       .identity = {bob_identity}},
      {.name = "cross_account_both_sides_allow",
       .who = Who::kBob,
       .identity = {bob_identity},
       .resource_policy = grant_other,
       .expect = kAllowed,
       .sid = "Other"},
      {.name = "cross_account_user_named_directly_still_needs_identity",
       .who = Who::kBob,
       .resource_policy = Grant("Bob", Aws(kBobArn), "sqs:SendMessage")},
      {.name = "cross_account_user_named_directly_with_identity",
       .who = Who::kBob,
       .identity = {bob_identity},
       .resource_policy = Grant("Bob", Aws(kBobArn), "sqs:SendMessage"),
       .expect = kAllowed,
       .sid = "Bob"},
      {.name = "cross_account_root_counts_as_identity_allowed",
       .who = Who::kOtherRoot,
       .resource_policy = grant_other,
       .expect = kAllowed,
       .sid = "Other"},
      {.name = "cross_account_root_without_queue_grant", .who = Who::kOtherRoot},
      {.name = "cross_account_grant_to_a_third_account",
       .who = Who::kBob,
       .identity = {bob_identity},
       .resource_policy = Grant("Third", Aws("444455556666"), "sqs:*")},
      {.name = "cross_account_owner_only_action_is_denied",
       .who = Who::kBob,
       .identity = {Allow("BobAll", "sqs:*", "*")},
       .resource_policy = Grant("OtherAll", Aws(kOther), "sqs:*"),
       .action = "sqs:SetQueueAttributes"},
      {.name = "cross_account_owner_only_action_even_for_root",
       .who = Who::kOtherRoot,
       .resource_policy = Grant("OtherAll", Aws(kOther), "sqs:*"),
       .action = "sqs:DeleteQueue"},
      {.name = "cross_account_shareable_action_under_sqs_star",
       .who = Who::kOtherRoot,
       .resource_policy = Grant("OtherAll", Aws(kOther), "sqs:*"),
       .action = "sqs:ReceiveMessage",
       .expect = kAllowed,
       .sid = "OtherAll"},
      {.name = "cross_account_add_permission_policy",
       .who = Who::kBob,
       .identity = {Allow("BobRecv", "sqs:ReceiveMessage", "*")},
       .resource_policy = R"({
          "Version": "2008-10-17",
          "Id": "arn:aws:sqs:us-east-1:123456789012:orders/SQSDefaultPolicy",
          "Statement": [{
            "Sid": "crossaccountpermission",
            "Effect": "Allow",
            "Principal": {"AWS": ["arn:aws:iam::111122223333:root", "arn:aws:iam::123456789012:root"]},
            "Action": "SQS:ReceiveMessage",
            "Resource": "arn:aws:sqs:us-east-1:123456789012:orders"}]})",
       .action = "sqs:ReceiveMessage",
       .expect = kAllowed,
       .sid = "crossaccountpermission"},
      {.name = "cross_account_star_principal_with_identity",
       .who = Who::kBob,
       .identity = {bob_identity},
       .resource_policy = Grant("Anyone", Q("*"), "sqs:SendMessage"),
       .expect = kAllowed,
       .sid = "Anyone"},
      {.name = "cross_account_identity_deny_wins",
       .who = Who::kBob,
       .identity = {"[" + bob_identity + "," + Deny("BobNo", "sqs:*", "*") + "]"},
       .resource_policy = grant_other,
       .expect = kExplicit,
       .sid = "BobNo"},
      {.name = "list_queues_on_star_counts_as_same_account",
       .who = Who::kBob,
       .identity = {Allow("List", "sqs:ListQueues", "*")},
       .action = "sqs:ListQueues",
       .resource = "*",
       .resource_account = "",
       .expect = kAllowed,
       .sid = "List"},
  };
}

std::vector<Row> ServicePrincipalRows() {
  return {
      {.name = "sns_delivers_with_the_documented_policy",
       .who = Who::kSns,
       .resource_policy = kSnsPolicy,
       .expect = kAllowed,
       .sid = "AllowSnsTopic"},
      {.name = "sns_from_another_topic",
       .who = Who::kSns,
       .resource_policy = kSnsPolicy,
       .set = {{"aws:SourceArn", {"arn:aws:sns:us-east-1:123456789012:other-topic"}}}},
      {.name = "sns_without_source_arn",
       .who = Who::kSns,
       .resource_policy = kSnsPolicy,
       .remove = {"aws:SourceArn"}},
      {.name = "sns_without_queue_policy_even_in_one_account", .who = Who::kSns},
      {.name = "sns_not_covered_by_an_account_principal",
       .who = Who::kSns,
       .resource_policy = Grant("Acct", Aws(kOwner), "sqs:SendMessage")},
      {.name = "sns_with_legacy_star_principal_and_arn_like",
       .who = Who::kSns,
       .resource_policy = Grant(
           "Legacy", Q("*"), "sqs:SendMessage",
           R"(,"Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:123456789012:orders-*"}})"),
       .expect = kAllowed,
       .sid = "Legacy"},
      {.name = "sns_with_source_account_condition",
       .who = Who::kSns,
       .resource_policy =
           Grant("SrcAcct", R"({"Service":"sns.amazonaws.com"})", "sqs:SendMessage",
                 R"(,"Condition":{"StringEquals":{"aws:SourceAccount":"123456789012"}})"),
       .expect = kAllowed,
       .sid = "SrcAcct"},
      {.name = "service_principal_ignores_identity_policies",
       .who = Who::kSns,
       .identity = {Allow("All", "*", "*")}},
      {.name = "other_service_principal_not_matched",
       .who = Who::kSns,
       .resource_policy = Grant("Events", R"({"Service":"events.amazonaws.com"})", "sqs:*")},
      {.name = "service_principal_in_a_list",
       .who = Who::kSns,
       .resource_policy =
           Grant("Both", R"({"Service":["events.amazonaws.com","sns.amazonaws.com"]})", "sqs:*"),
       .expect = kAllowed,
       .sid = "Both"},
  };
}

// One positive and one negative row per operator.
std::vector<Row> OperatorRows() {
  auto yes = [](std::string name, std::string condition, Keys set = {}) {
    return Row{.name = std::move(name),
               .identity = {AllowIf(condition)},
               .set = std::move(set),
               .expect = kAllowed,
               .sid = "Cond"};
  };
  auto no = [](std::string name, std::string condition, Keys set = {}) {
    return Row{.name = std::move(name), .identity = {AllowIf(condition)}, .set = std::move(set)};
  };
  const Keys count = {{"test:count", {"300"}}};
  const Keys blob = {{"test:blob", {"aGVsbG8="}}};
  const Keys v6 = {{"aws:SourceIp", {"2001:db8:1234::5"}}};
  return {
      yes("string_equals_match", R"({"StringEquals":{"aws:username":"alice"}})"),
      no("string_equals_values_are_case_sensitive", R"({"StringEquals":{"aws:username":"Alice"}})"),
      yes("string_not_equals_match", R"({"StringNotEquals":{"aws:username":"bob"}})"),
      no("string_not_equals_no_match", R"({"StringNotEquals":{"aws:username":"alice"}})"),
      yes("string_equals_ignore_case_match",
          R"({"StringEqualsIgnoreCase":{"aws:username":"ALICE"}})"),
      no("string_equals_ignore_case_no_match",
         R"({"StringEqualsIgnoreCase":{"aws:username":"bob"}})"),
      yes("string_not_equals_ignore_case_match",
          R"({"StringNotEqualsIgnoreCase":{"aws:username":"BOB"}})"),
      no("string_not_equals_ignore_case_no_match",
         R"({"StringNotEqualsIgnoreCase":{"aws:username":"ALICE"}})"),
      yes("string_like_match", R"({"StringLike":{"aws:username":"al*"}})"),
      no("string_like_no_match", R"({"StringLike":{"aws:username":"b?b"}})"),
      yes("string_not_like_match", R"({"StringNotLike":{"aws:username":"b*"}})"),
      no("string_not_like_no_match", R"({"StringNotLike":{"aws:username":"a?ice"}})"),
      yes("numeric_equals_match", R"({"NumericEquals":{"test:count":300}})", count),
      no("numeric_equals_no_match", R"({"NumericEquals":{"test:count":301}})", count),
      yes("numeric_not_equals_match", R"({"NumericNotEquals":{"test:count":"301"}})", count),
      no("numeric_not_equals_no_match", R"({"NumericNotEquals":{"test:count":"300"}})", count),
      yes("numeric_less_than_match", R"({"NumericLessThan":{"test:count":3600}})", count),
      no("numeric_less_than_no_match", R"({"NumericLessThan":{"test:count":300}})", count),
      yes("numeric_less_than_equals_match", R"({"NumericLessThanEquals":{"test:count":300}})",
          count),
      no("numeric_less_than_equals_no_match", R"({"NumericLessThanEquals":{"test:count":299}})",
         count),
      yes("numeric_greater_than_match", R"({"NumericGreaterThan":{"test:count":299.5}})", count),
      no("numeric_greater_than_no_match", R"({"NumericGreaterThan":{"test:count":300}})", count),
      yes("numeric_greater_than_equals_match", R"({"NumericGreaterThanEquals":{"test:count":300}})",
          count),
      no("numeric_greater_than_equals_no_match",
         R"({"NumericGreaterThanEquals":{"test:count":301}})", count),
      yes("numeric_exponent_in_policy", R"({"NumericLessThan":{"test:count":1e3}})", count),
      no("numeric_unparsable_request_value_fails_negated_operator",
         R"({"NumericNotEquals":{"test:count":5}})", {{"test:count", {"many"}}}),
      yes("date_equals_match", R"({"DateEquals":{"aws:CurrentTime":"2025-01-15T12:00:00Z"}})"),
      no("date_equals_no_match", R"({"DateEquals":{"aws:CurrentTime":"2025-01-15T12:00:01Z"}})"),
      yes("date_not_equals_match",
          R"({"DateNotEquals":{"aws:CurrentTime":"2025-01-15T12:00:01Z"}})"),
      no("date_not_equals_no_match_epoch_form",
         R"({"DateNotEquals":{"aws:CurrentTime":"1736942400"}})"),
      yes("date_less_than_current_time_before_expiry",
          R"({"DateLessThan":{"aws:CurrentTime":"2025-06-01T00:00:00Z"}})"),
      no("date_less_than_current_time_after_expiry",
         R"({"DateLessThan":{"aws:CurrentTime":"2025-01-01T00:00:00Z"}})"),
      yes("date_less_than_equals_match",
          R"({"DateLessThanEquals":{"aws:CurrentTime":"2025-01-15T12:00:00Z"}})"),
      no("date_less_than_equals_no_match",
         R"({"DateLessThanEquals":{"aws:CurrentTime":"2025-01-15T11:59:59Z"}})"),
      yes("date_greater_than_date_only", R"({"DateGreaterThan":{"aws:CurrentTime":"2025-01-15"}})"),
      no("date_greater_than_no_match", R"({"DateGreaterThan":{"aws:CurrentTime":"2025-01-16"}})"),
      yes("date_greater_than_equals_epoch_number",
          R"({"DateGreaterThanEquals":{"aws:CurrentTime":1736942400}})"),
      no("date_greater_than_equals_no_match",
         R"({"DateGreaterThanEquals":{"aws:CurrentTime":1736942401}})"),
      no("date_less_than_with_zone_offset",
         R"({"DateLessThan":{"aws:CurrentTime":"2025-01-15T13:00:00+02:00"}})"),
      yes("bool_match_json_boolean", R"({"Bool":{"aws:SecureTransport":true}})"),
      no("bool_no_match", R"({"Bool":{"aws:SecureTransport":"true"}})",
         {{"aws:SecureTransport", {"false"}}}),
      yes("bool_is_case_insensitive", R"({"Bool":{"aws:SecureTransport":"TRUE"}})"),
      yes("binary_equals_match", R"({"BinaryEquals":{"test:blob":"aGVsbG8="}})", blob),
      yes("binary_equals_ignores_padding", R"({"BinaryEquals":{"test:blob":"aGVsbG8"}})", blob),
      no("binary_equals_no_match", R"({"BinaryEquals":{"test:blob":"d29ybGQ="}})", blob),
      yes("ip_address_v4_match", R"({"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}})"),
      no("ip_address_v4_no_match", R"({"IpAddress":{"aws:SourceIp":"198.51.100.0/24"}})"),
      yes("ip_address_bare_v4_is_slash_32", R"({"IpAddress":{"aws:SourceIp":"203.0.113.7"}})"),
      yes("ip_address_v6_cidr_match", R"({"IpAddress":{"aws:SourceIp":"2001:db8::/32"}})", v6),
      no("ip_address_v6_cidr_no_match", R"({"IpAddress":{"aws:SourceIp":"2001:db9::/32"}})", v6),
      yes("ip_address_list_mixing_families",
          R"({"IpAddress":{"aws:SourceIp":["198.51.100.0/24","2001:db8::/32"]}})", v6),
      no("ip_address_v4_range_never_matches_v6", R"({"IpAddress":{"aws:SourceIp":"0.0.0.0/0"}})",
         v6),
      yes("not_ip_address_match", R"({"NotIpAddress":{"aws:SourceIp":"198.51.100.0/24"}})"),
      no("not_ip_address_no_match", R"({"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}})"),
      yes("not_ip_address_v6", R"({"NotIpAddress":{"aws:SourceIp":"2001:db9::/32"}})", v6),
      yes("not_ip_address_without_source_ip",
          R"({"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}})", {{"aws:SourceIp", {}}}),
      yes("arn_equals_match",
          R"({"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::123456789012:user/alice"}})"),
      no("arn_equals_no_match",
         R"({"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::123456789012:user/carol"}})"),
      yes("arn_like_match",
          R"({"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::123456789012:user/*"}})"),
      no("arn_like_no_match", R"({"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::111122223333:*"}})"),
      yes("arn_not_equals_match",
          R"({"ArnNotEquals":{"aws:PrincipalArn":"arn:aws:iam::123456789012:user/carol"}})"),
      no("arn_not_equals_no_match",
         R"({"ArnNotEquals":{"aws:PrincipalArn":"arn:aws:iam::123456789012:user/alice"}})"),
      yes("arn_not_like_match",
          R"({"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::111122223333:*"}})"),
      no("arn_not_like_no_match", R"({"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/*"}})"),
      yes("null_true_on_missing_key", R"({"Null":{"aws:SourceArn":"true"}})"),
      no("null_true_on_present_key", R"({"Null":{"aws:username":"true"}})"),
      yes("null_false_on_present_key", R"({"Null":{"aws:username":"false"}})"),
      no("null_false_on_missing_key", R"({"Null":{"aws:SourceArn":false}})"),
  };
}

std::vector<Row> ConditionSemanticsRows() {
  auto yes = [](std::string name, std::string condition, Keys set = {}, Who who = Who::kAlice) {
    return Row{.name = std::move(name),
               .who = who,
               .identity = {AllowIf(condition)},
               .set = std::move(set),
               .expect = kAllowed,
               .sid = "Cond"};
  };
  auto no = [](std::string name, std::string condition, Keys set = {}) {
    return Row{.name = std::move(name), .identity = {AllowIf(condition)}, .set = std::move(set)};
  };
  const Keys tags = {{"aws:TagKeys", {"env", "team"}}};
  const Keys no_tags = {{"aws:TagKeys", {}}};
  return {
      yes("if_exists_on_missing_key", R"({"StringEqualsIfExists":{"test:team":"blue"}})"),
      no("if_exists_on_present_key_with_other_value",
         R"({"StringEqualsIfExists":{"test:team":"blue"}})", {{"test:team", {"red"}}}),
      yes("if_exists_on_present_key_with_value", R"({"StringEqualsIfExists":{"test:team":"blue"}})",
          {{"test:team", {"blue"}}}),
      yes("numeric_if_exists_on_missing_key", R"({"NumericLessThanIfExists":{"test:absent":5}})"),
      no("positive_operator_on_missing_key", R"({"StringEquals":{"test:team":"blue"}})"),
      yes("negated_operator_on_missing_key", R"({"StringNotEquals":{"test:team":"blue"}})"),
      yes("for_any_value_one_matches",
          R"({"ForAnyValue:StringEquals":{"aws:TagKeys":["team","owner"]}})", tags),
      no("for_any_value_none_matches", R"({"ForAnyValue:StringEquals":{"aws:TagKeys":"owner"}})",
         tags),
      no("for_any_value_empty_set_is_false",
         R"({"ForAnyValue:StringEquals":{"aws:TagKeys":"env"}})", no_tags),
      no("for_any_value_missing_key_is_false",
         R"({"ForAnyValue:StringEquals":{"aws:TagKeys":"env"}})"),
      yes("for_all_values_subset",
          R"({"ForAllValues:StringEquals":{"aws:TagKeys":["env","team","owner"]}})", tags),
      no("for_all_values_not_a_subset", R"({"ForAllValues:StringEquals":{"aws:TagKeys":"env"}})",
         tags),
      yes("for_all_values_empty_set_is_true",
          R"({"ForAllValues:StringEquals":{"aws:TagKeys":"env"}})", no_tags),
      yes("for_all_values_missing_key_is_true",
          R"({"ForAllValues:StringEquals":{"aws:TagKeys":"env"}})"),
      yes("for_all_values_with_like", R"({"ForAllValues:StringLike":{"aws:TagKeys":["e*","t*"]}})",
          tags),
      yes("policy_values_are_alternatives", R"({"StringEquals":{"aws:username":["bob","alice"]}})"),
      no("keys_under_one_operator_must_all_hold",
         R"({"StringEquals":{"aws:username":"alice","aws:PrincipalAccount":"111122223333"}})"),
      no("operators_must_all_hold",
         R"({"StringEquals":{"aws:username":"alice"},"Bool":{"aws:SecureTransport":"false"}})"),
      yes("all_operators_hold",
          R"({"StringEquals":{"aws:username":"alice"},"Bool":{"aws:SecureTransport":"true"}})"),
      yes("condition_key_names_are_case_insensitive",
          R"({"StringEquals":{"AWS:USERNAME":"alice"}})"),
      yes("principal_arn_of_a_session_is_the_role",
          R"({"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::123456789012:role/consumer"}})", {},
          Who::kWorker),
      yes("username_is_absent_for_role_sessions", R"({"Null":{"aws:username":"true"}})", {},
          Who::kWorker),
      yes("string_operator_with_json_boolean", R"({"StringEquals":{"aws:SecureTransport":true}})"),
  };
}

std::vector<Row> VariableRows() {
  const std::string own_queues = R"({"Sid":"Own","Effect":"Allow","Action":"sqs:*",
      "Resource":"arn:aws:sqs:us-east-1:123456789012:${aws:username}-*"})";
  const std::string own_queues_2008 = R"({"Version":"2008-10-17","Statement":)" + own_queues + "}";
  const std::string alice_inbox = "arn:aws:sqs:us-east-1:123456789012:alice-inbox";
  return {
      {.name = "variable_in_resource_matches_own_queue",
       .identity = {own_queues},
       .resource = alice_inbox,
       .expect = kAllowed,
       .sid = "Own"},
      {.name = "variable_in_resource_other_users_queue",
       .identity = {own_queues},
       .resource = "arn:aws:sqs:us-east-1:123456789012:bob-inbox"},
      {.name = "version_2008_does_not_substitute",
       .identity = {own_queues_2008},
       .resource = alice_inbox},
      {.name = "variable_with_missing_key_matches_nothing",
       .who = Who::kWorker,
       .identity = {own_queues},
       .resource = "arn:aws:sqs:us-east-1:123456789012:-inbox"},
      {.name = "variable_default_when_key_missing",
       .who = Who::kWorker,
       .identity = {R"({"Sid":"Shared","Effect":"Allow","Action":"sqs:*",
           "Resource":"arn:aws:sqs:us-east-1:123456789012:${aws:username, 'shared'}-*"})"},
       .resource = "arn:aws:sqs:us-east-1:123456789012:shared-inbox",
       .expect = kAllowed,
       .sid = "Shared"},
      {.name = "variable_in_arn_condition",
       .identity = {AllowIf(
           R"({"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::${aws:PrincipalAccount}:user/*"}})")},
       .expect = kAllowed,
       .sid = "Cond"},
      {.name = "variable_in_condition_of_2008_policy_is_literal",
       .identity = {R"({"Version":"2008-10-17","Statement":)" +
                    AllowIf(R"({"StringEquals":{"aws:username":"${aws:username}"}})") + "}"}},
      {.name = "variable_escape_gives_a_literal_star",
       .identity = {AllowIf(R"({"StringEquals":{"test:name":"a${*}b"}})")},
       .set = {{"test:name", {"a*b"}}},
       .expect = kAllowed,
       .sid = "Cond"},
      {.name = "variable_escape_star_is_not_a_wildcard",
       .identity = {AllowIf(R"({"StringLike":{"test:name":"a${*}b"}})")},
       .set = {{"test:name", {"axxb"}}}},
  };
}

std::vector<Row> SessionAndMandatoryRows() {
  const std::string key_delegation = R"({"Version":"2012-10-17","Statement":[{
      "Sid":"Enable IAM User Permissions","Effect":"Allow",
      "Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"kms:*","Resource":"*"}]})";
  const std::string decrypt = Allow("Decrypt", "kms:Decrypt", kKey);
  return {
      {.name = "session_policy_narrows_the_role",
       .who = Who::kWorker,
       .identity = {Allow("RoleAll", "sqs:*", "*")},
       .session = {Allow("OnlyReceive", "sqs:ReceiveMessage", "*")}},
      {.name = "session_policy_permits_what_both_allow",
       .who = Who::kWorker,
       .identity = {Allow("RoleAll", "sqs:*", "*")},
       .session = {Allow("OnlyReceive", "sqs:ReceiveMessage", "*")},
       .action = "sqs:ReceiveMessage",
       .expect = kAllowed,
       .sid = "RoleAll"},
      {.name = "session_policy_deny",
       .who = Who::kWorker,
       .identity = {Allow("RoleAll", "sqs:*", "*")},
       .session = {"[" + Allow("All", "*", "*") + "," + Deny("NoSend", "sqs:SendMessage", "*") +
                   "]"},
       .expect = kExplicit,
       .sid = "NoSend"},
      {.name = "session_policy_does_not_grant_by_itself",
       .who = Who::kWorker,
       .session = {Allow("All", "*", "*")}},
      {.name = "key_policy_required_even_in_one_account",
       .identity = {decrypt},
       .action = "kms:Decrypt",
       .resource = std::string(kKey),
       .role = ResourcePolicyRole::kMandatory},
      {.name = "key_policy_delegating_to_the_account_plus_identity",
       .identity = {decrypt},
       .resource_policy = key_delegation,
       .action = "kms:Decrypt",
       .resource = std::string(kKey),
       .role = ResourcePolicyRole::kMandatory,
       .expect = kAllowed,
       .sid = "Enable IAM User Permissions"},
      {.name = "key_policy_delegation_without_identity_policy",
       .resource_policy = key_delegation,
       .action = "kms:Decrypt",
       .resource = std::string(kKey),
       .role = ResourcePolicyRole::kMandatory},
      {.name = "key_policy_naming_the_user_directly",
       .resource_policy = Grant("KeyUser", Aws(kAliceArn), "kms:Decrypt"),
       .action = "kms:Decrypt",
       .resource = std::string(kKey),
       .role = ResourcePolicyRole::kMandatory,
       .expect = kAllowed,
       .sid = "KeyUser"},
      {.name = "key_policy_delegation_lets_the_root_in",
       .who = Who::kOwnerRoot,
       .resource_policy = key_delegation,
       .action = "kms:Decrypt",
       .resource = std::string(kKey),
       .role = ResourcePolicyRole::kMandatory,
       .expect = kAllowed,
       .sid = "Enable IAM User Permissions"},
      {.name = "key_without_policy_locks_out_even_the_root",
       .who = Who::kOwnerRoot,
       .action = "kms:Decrypt",
       .resource = std::string(kKey),
       .role = ResourcePolicyRole::kMandatory},
      {.name = "trust_policy_naming_the_user_allows_assume_role",
       .resource_policy = R"({"Version":"2012-10-17","Statement":[{"Sid":"Trust","Effect":"Allow",
           "Principal":{"AWS":"arn:aws:iam::123456789012:user/alice"},"Action":"sts:AssumeRole"}]})",
       .action = "sts:AssumeRole",
       .resource = "arn:aws:iam::123456789012:role/consumer",
       .role = ResourcePolicyRole::kMandatory,
       .expect = kAllowed,
       .sid = "Trust"},
  };
}

std::vector<Row> AllRows() {
  std::vector<Row> rows;
  for (auto part : {IdentityRows(), DenyRows(), SameAccountResourceRows(), CrossAccountRows(),
                    ServicePrincipalRows(), OperatorRows(), ConditionSemanticsRows(),
                    VariableRows(), SessionAndMandatoryRows()}) {
    for (Row& row : part) rows.push_back(std::move(row));
  }
  return rows;
}

// Owns everything an AuthorizationRequest points at.
class Scenario {
 public:
  explicit Scenario(const Row& row)
      : principal_(PrincipalFor(row.who)), context_(BaseContext(principal_)) {
    for (const auto& [key, values] : row.set) context_.Set(key, values);
    for (const std::string& key : row.remove) context_.Remove(key);
    // Reserve so that the PolicyRefs' pointers stay valid.
    documents_.reserve(row.identity.size() + row.session.size() + 1);
    request_.principal = &principal_;
    request_.context = &context_;
    request_.action = row.action;
    request_.resource = row.resource;
    request_.resource_account = row.resource_account;
    request_.resource_policy_role = row.role;
    for (const std::string& text : row.identity) {
      request_.identity_policies.push_back(Add(text, PolicyKind::kIdentity, "identity"));
    }
    for (const std::string& text : row.session) {
      request_.session_policies.push_back(Add(text, PolicyKind::kIdentity, "session"));
    }
    if (!row.resource_policy.empty()) {
      request_.resource_policy = Add(row.resource_policy, PolicyKind::kResource, "resource");
    }
  }

  const AuthorizationRequest& request() const { return request_; }
  bool ok() const { return ok_; }

 private:
  PolicyRef Add(const std::string& text, PolicyKind kind, std::string_view name) {
    auto parsed = ParsePolicyDocument(Document(text), kind);
    EXPECT_TRUE(parsed.ok()) << Document(text) << "\n"
                             << (parsed.ok() ? "" : parsed.error().message);
    if (!parsed.ok()) {
      ok_ = false;
      return {};
    }
    documents_.push_back(std::move(parsed).value());
    return PolicyRef{name, &documents_.back()};
  }

  RequestPrincipal principal_;
  ConditionContext context_;
  std::vector<PolicyDocument> documents_;
  AuthorizationRequest request_;
  bool ok_ = true;
};

class PolicyEvaluatorTableTest : public testing::TestWithParam<Row> {};

TEST_P(PolicyEvaluatorTableTest, Decides) {
  const Row& row = GetParam();
  Scenario scenario(row);
  ASSERT_TRUE(scenario.ok()) << "a policy of this row does not parse";
  Decision decision = Evaluate(scenario.request());
  EXPECT_EQ(decision.effect, row.expect) << decision.reason;
  EXPECT_EQ(decision.sid, row.sid) << decision.reason;
  EXPECT_EQ(decision.reason, DescribeBasis(decision.basis));
  if (!row.sid.empty()) {
    EXPECT_GE(decision.statement_index, 0);
  }
}

INSTANTIATE_TEST_SUITE_P(Rows, PolicyEvaluatorTableTest, testing::ValuesIn(AllRows()),
                         [](const testing::TestParamInfo<Row>& info) { return info.param.name; });

TEST(PolicyEvaluatorTest, TableIsLargeAndCoversEveryOperator) {
  std::vector<Row> rows = AllRows();
  EXPECT_GE(rows.size(), 80u);
  // Each operator of §2.3 appears in a row that allows and in one that does not.
  for (std::string_view op : {"\"StringEquals\"",
                              "\"StringNotEquals\"",
                              "\"StringEqualsIgnoreCase\"",
                              "\"StringNotEqualsIgnoreCase\"",
                              "\"StringLike\"",
                              "\"StringNotLike\"",
                              "\"NumericEquals\"",
                              "\"NumericNotEquals\"",
                              "\"NumericLessThan\"",
                              "\"NumericLessThanEquals\"",
                              "\"NumericGreaterThan\"",
                              "\"NumericGreaterThanEquals\"",
                              "\"DateEquals\"",
                              "\"DateNotEquals\"",
                              "\"DateLessThan\"",
                              "\"DateLessThanEquals\"",
                              "\"DateGreaterThan\"",
                              "\"DateGreaterThanEquals\"",
                              "\"Bool\"",
                              "\"BinaryEquals\"",
                              "\"IpAddress\"",
                              "\"NotIpAddress\"",
                              "\"ArnEquals\"",
                              "\"ArnLike\"",
                              "\"ArnNotEquals\"",
                              "\"ArnNotLike\"",
                              "\"Null\"",
                              "IfExists\"",
                              "\"ForAnyValue:",
                              "\"ForAllValues:"}) {
    bool allowed = false, refused = false;
    for (const Row& row : rows) {
      for (const std::string& policy : row.identity) {
        if (policy.find(op) == std::string::npos) continue;
        (row.expect == kAllowed ? allowed : refused) = true;
      }
    }
    EXPECT_TRUE(allowed) << op;
    EXPECT_TRUE(refused) << op;
  }
}

TEST(PolicyEvaluatorTest, DecisionNamesThePolicyAndStatementIndex) {
  Row row{.name = "x",
          .identity = {"[" + Allow("A", "sqs:ReceiveMessage", "*") +
                       R"(,{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"*"}])"}};
  Scenario scenario(row);
  ASSERT_TRUE(scenario.ok());
  Decision decision = Evaluate(scenario.request());
  EXPECT_TRUE(decision.allowed());
  EXPECT_EQ(decision.basis, DecisionBasis::kIdentityPolicy);
  EXPECT_EQ(decision.policy, "identity");
  EXPECT_EQ(decision.sid, "");
  EXPECT_EQ(decision.statement_index, 1);
}

TEST(PolicyEvaluatorTest, BasisTellsWhichSideDecided) {
  auto basis = [](Row row) {
    Scenario scenario(row);
    EXPECT_TRUE(scenario.ok());
    return Evaluate(scenario.request()).basis;
  };
  EXPECT_EQ(basis({.name = "x"}), DecisionBasis::kNoIdentityPolicyAllows);
  EXPECT_EQ(basis({.name = "x", .who = Who::kBob, .identity = {Allow("I", "sqs:*", "*")}}),
            DecisionBasis::kNoResourcePolicyAllows);
  EXPECT_EQ(
      basis({.name = "x", .who = Who::kBob, .resource_policy = Grant("O", Aws(kOther), "sqs:*")}),
      DecisionBasis::kNoIdentityPolicyAllows);
  EXPECT_EQ(basis({.name = "x",
                   .who = Who::kBob,
                   .identity = {Allow("I", "sqs:*", "*")},
                   .resource_policy = Grant("O", Aws(kOther), "sqs:*"),
                   .action = "sqs:TagQueue"}),
            DecisionBasis::kOwnerOnlyAction);
  EXPECT_EQ(basis({.name = "x",
                   .who = Who::kWorker,
                   .identity = {Allow("I", "sqs:*", "*")},
                   .session = {Allow("S", "sqs:ReceiveMessage", "*")}}),
            DecisionBasis::kNoSessionPolicyAllows);
  EXPECT_EQ(basis({.name = "x", .who = Who::kOwnerRoot}), DecisionBasis::kAccountRoot);
  EXPECT_EQ(basis({.name = "x", .resource_policy = Grant("D", Aws(kAliceArn), "sqs:*")}),
            DecisionBasis::kResourcePolicy);
  EXPECT_EQ(basis({.name = "x",
                   .who = Who::kBob,
                   .identity = {Allow("I", "sqs:*", "*")},
                   .resource_policy = Grant("O", Aws(kOther), "sqs:*")}),
            DecisionBasis::kResourceAndIdentity);
  EXPECT_EQ(
      basis({.name = "x",
             .who = Who::kOwnerRoot,
             .resource_policy = R"({"Statement":{"Effect":"Deny","Principal":"*","Action":"*"}})",
             .action = "sqs:GetQueueAttributes"}),
      DecisionBasis::kOwnerRootLockoutGuard);
}

TEST(PolicyEvaluatorTest, AccessDeniedMessagesUseIamWording) {
  const std::string prefix =
      "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: sqs:sendmessage "
      "on resource: arn:aws:sqs:us-east-1:123456789012:orders";
  auto message = [](DecisionBasis basis) {
    Decision decision;
    decision.basis = basis;
    return AccessDeniedMessage(decision, "arn:aws:iam::123456789012:user/alice", "sqs:SendMessage",
                               kOrders);
  };
  EXPECT_EQ(message(DecisionBasis::kNoIdentityPolicyAllows),
            prefix + " because no identity-based policy allows the sqs:sendmessage action");
  EXPECT_EQ(message(DecisionBasis::kNoResourcePolicyAllows),
            prefix + " because no resource-based policy allows the sqs:sendmessage action");
  EXPECT_EQ(message(DecisionBasis::kNoSessionPolicyAllows),
            prefix + " because no session policy allows the sqs:sendmessage action");
  EXPECT_EQ(message(DecisionBasis::kDenyInIdentityPolicy),
            prefix + " with an explicit deny in an identity-based policy");
  EXPECT_EQ(message(DecisionBasis::kDenyInResourcePolicy),
            prefix + " with an explicit deny in a resource-based policy");
  EXPECT_EQ(message(DecisionBasis::kDenyInSessionPolicy),
            prefix + " with an explicit deny in a session policy");
}

}  // namespace
}  // namespace wharf::auth
