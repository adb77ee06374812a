// Fuzzes the IAM policy parser (auth/policy/policy_document.h) and, for every document it
// accepts, the evaluator (auth/policy/evaluator.h) and everything below it: principal matching,
// action/resource wildcards, policy variables and every condition operator.
//
// The input is one policy document. It is parsed as each PolicyKind, without limits and with
// the SQS and IAM-managed limits. Properties checked besides "no crash, no hang, no UB":
//   * limits only ever refuse more: a document accepted under limits is accepted without them;
//   * a refusal always says why (a non-empty message);
//   * Evaluate is deterministic: the same request against the same document gives the same
//     Decision twice.

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "auth/credentials.h"
#include "auth/policy/condition_context.h"
#include "auth/policy/evaluator.h"
#include "auth/policy/policy_document.h"

namespace wharf::auth {
namespace {

constexpr std::string_view kOwnerAccount = "123456789012";
constexpr std::string_view kQueueArn = "arn:aws:sqs:us-east-1:123456789012:orders";
constexpr std::string_view kRoleArn = "arn:aws:iam::123456789012:role/app/worker";
constexpr int64_t kNowMillis = 1736942400123;  // 2025-01-15T12:00:00.123Z

// IAM's managed-policy limit: 6,144 characters not counting whitespace.
constexpr PolicyLimits kIamManagedLimits{.max_size = 6144, .size_ignores_whitespace = true};

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "policy_document_fuzz: %s\n", what);
  std::abort();
}

RequestPrincipal User(std::string_view account, std::string name) {
  RequestPrincipal p;
  p.type = PrincipalType::kUser;
  p.account_id = std::string(account);
  p.arn = "arn:aws:iam::" + p.account_id + ":user/team/" + name;
  p.user_name = std::move(name);
  p.unique_id = "AIDAEXAMPLEUSERID0001";
  return p;
}

RequestPrincipal Session(std::string_view account) {
  RequestPrincipal p;
  p.type = PrincipalType::kAssumedRole;
  p.account_id = std::string(account);
  p.role_arn = "arn:aws:iam::" + p.account_id + ":role/app/worker";
  p.arn = "arn:aws:sts::" + p.account_id + ":assumed-role/worker/session-1";
  p.unique_id = "AROAEXAMPLEROLEID0001:session-1";
  p.session_name = "session-1";
  return p;
}

RequestPrincipal Service() {
  RequestPrincipal p;
  p.type = PrincipalType::kService;
  p.service = "sns.amazonaws.com";
  return p;
}

// One caller with the condition keys a real request of theirs would carry, plus keys whose
// values are awkward for each operator family (multi-valued, empty, huge, IPv6, zoned dates).
struct Caller {
  RequestPrincipal principal;
  ConditionContext context;
};

Caller MakeCaller(RequestPrincipal principal) {
  Caller c{std::move(principal), {}};
  AddPrincipalKeys(c.principal, c.context);
  AddTimeKeys(kNowMillis, c.context);
  c.context.Set("aws:SecureTransport", "false");
  c.context.Set("aws:SourceIp", "192.0.2.10");
  c.context.Set("aws:SourceArn", "arn:aws:sns:us-east-1:123456789012:orders-topic");
  c.context.Set("aws:SourceAccount", "123456789012");
  c.context.Set("aws:RequestedRegion", "us-east-1");
  c.context.Set("aws:TagKeys", std::vector<std::string>{"team", "Cost-Center", ""});
  c.context.Set("aws:ResourceTag/team", "blue");
  c.context.Set("sqs:MessageAttribute", std::vector<std::string>{});  // present, no values
  c.context.Set("wharf:Ipv6", "2001:db8::ff00:42:8329");
  c.context.Set("wharf:Mapped", "::ffff:10.0.0.1");
  c.context.Set("wharf:Number", "-12.5e3");
  c.context.Set("wharf:BigNumber", "99999999999999999999999999");
  c.context.Set("wharf:Date", "2025-01-15T13:00:00.5+01:00");
  c.context.Set("wharf:Binary", "aGVsbG8=");
  c.context.Set("wharf:Pattern", "a*b?c\\${aws:username}");
  return c;
}

const std::vector<Caller>& Callers() {
  static const std::vector<Caller> callers = [] {
    std::vector<Caller> v;
    v.push_back(MakeCaller(User(kOwnerAccount, "alice")));
    v.push_back(MakeCaller(User("111122223333", "bob")));
    v.push_back(MakeCaller(RootPrincipal(kOwnerAccount)));
    v.push_back(MakeCaller(RootPrincipal("111122223333")));
    v.push_back(MakeCaller(Session(kOwnerAccount)));
    v.push_back(MakeCaller(Service()));
    return v;
  }();
  return callers;
}

bool SameDecision(const Decision& a, const Decision& b) {
  return a.effect == b.effect && a.basis == b.basis && a.policy == b.policy && a.sid == b.sid &&
         a.statement_index == b.statement_index && a.reason == b.reason;
}

void EvaluateTwice(const AuthorizationRequest& request) {
  const Decision first = Evaluate(request);
  const Decision second = Evaluate(request);
  if (!SameDecision(first, second)) Fail("Evaluate gave two different decisions");
  if (first.statement_index >= 0 && first.policy.empty()) {
    Fail("a deciding statement without its policy name");
  }
  if (!first.allowed()) {
    std::string message =
        AccessDeniedMessage(first, request.principal->arn, request.action, request.resource);
    if (message.empty()) Fail("empty AccessDenied message");
  }
}

void Exercise(const PolicyDocument& document, PolicyKind kind) {
  static constexpr std::array<std::string_view, 5> kActions = {
      "sqs:SendMessage", "SQS:receivemessage", "sqs:SetQueueAttributes", "sqs:ListQueues",
      "sts:AssumeRole"};
  const PolicyRef ref{"fuzzed policy", &document};
  for (const Caller& caller : Callers()) {
    for (std::string_view action : kActions) {
      AuthorizationRequest request;
      request.principal = &caller.principal;
      request.context = &caller.context;
      request.action = action;
      request.resource = action == "sqs:ListQueues" ? "*" : kQueueArn;
      request.resource_account = kOwnerAccount;
      switch (kind) {
        case PolicyKind::kIdentity:
          // As the caller's own policy, then also as the session policy narrowing it.
          request.identity_policies = {ref};
          EvaluateTwice(request);
          request.session_policies = {ref};
          EvaluateTwice(request);
          break;
        case PolicyKind::kResource:
          request.resource_policy = ref;
          EvaluateTwice(request);
          break;
        case PolicyKind::kTrust:
          request.resource = kRoleArn;
          request.resource_policy = ref;
          request.resource_policy_role = ResourcePolicyRole::kMandatory;
          EvaluateTwice(request);
          break;
      }
    }
  }
}

}  // namespace
}  // namespace wharf::auth

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace wharf::auth;
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  static constexpr std::array<PolicyKind, 3> kKinds = {PolicyKind::kIdentity, PolicyKind::kResource,
                                                       PolicyKind::kTrust};
  for (PolicyKind kind : kKinds) {
    auto unlimited = ParsePolicyDocument(json, kind);
    if (!unlimited.ok() && unlimited.error().message.empty()) Fail("refusal without a message");
    for (const PolicyLimits& limits : {kSqsQueuePolicyLimits, kIamManagedLimits}) {
      auto limited = ParsePolicyDocument(json, kind, limits);
      if (limited.ok() && !unlimited.ok()) Fail("accepted under limits, refused without them");
      if (!limited.ok() && limited.error().message.empty()) Fail("refusal without a message");
    }
    if (unlimited.ok()) Exercise(*unlimited, kind);
  }
  return 0;
}
