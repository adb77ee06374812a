#pragma once

// The one place where a service asks "may the caller of this request do this to that?"
// (design.md: SigV4 → principal → policy evaluation). It gathers what the evaluator needs — the
// caller's principal and session policies (from its access key), its identity policies (from
// the identity service), the condition keys of the request — evaluates, reports the decision
// to the audit sink, and turns a deny into AccessDenied with IAM's wording (security.md §2.9).
// Thread-safety: Authorize may be called from any thread.

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/error.h"
#include "api/request_context.h"
#include "auth/credentials.h"
#include "auth/policy/evaluator.h"
#include "common/clock.h"

namespace wharf::auth {

struct NamedPolicy {
  std::string name;  // reported in decisions: "arn:aws:iam::…:policy/x", "user/alice/inline"
  std::shared_ptr<const PolicyDocument> document;
};

// The identity-based policies that apply to a principal: a user's inline, attached and group
// policies; a role session's role policies. Implemented by the identity service.
class IdentityPolicySource {
 public:
  virtual ~IdentityPolicySource() = default;
  virtual std::vector<NamedPolicy> PoliciesOf(const RequestPrincipal& principal) const = 0;
};

// What is being accessed.
struct ResourceAccess {
  std::string_view action;            // "sqs:SendMessage"
  std::string_view resource;          // an ARN, or "*"
  std::string_view resource_account;  // owner of `resource`
  const PolicyDocument* resource_policy = nullptr;
  std::string_view resource_policy_name = "resource policy";
  ResourcePolicyRole resource_policy_role = ResourcePolicyRole::kOptional;
  // Service-specific condition keys (aws:SourceArn of an SNS delivery, sqs:… keys).
  std::vector<std::pair<std::string, std::string>> condition_keys;
};

// One authorization decision, for the audit log. Never carries a secret.
struct AuditRecord {
  std::string_view request_id;
  std::string_view principal;  // caller ARN
  std::string_view access_key_id;
  std::string_view action;
  std::string_view resource;
  const Decision* decision = nullptr;
};
using AuditSink = std::function<void(const AuditRecord&)>;

class Authorizer {
 public:
  // `identities` may be null (no IAM users yet: only account roots call). `audit` may be empty.
  Authorizer(const IdentityPolicySource* identities, const Clock& clock, AuditSink audit = {})
      : identities_(identities), clock_(clock), audit_(std::move(audit)) {}

  // The decision for the request's caller (ctx.caller). A request without a caller (signature
  // checks switched off) acts as the root of its account.
  Decision Decide(const api::RequestContext& ctx, const ResourceAccess& access) const;

  // Ok, or AccessDenied (403) with IAM's message.
  api::ApiStatus Authorize(const api::RequestContext& ctx, const ResourceAccess& access) const;

 private:
  const IdentityPolicySource* identities_;
  const Clock& clock_;
  AuditSink audit_;
};

// One line for a log: principal, action, resource, effect, basis, policy and statement.
std::string FormatAuditRecord(const AuditRecord& record);

}  // namespace wharf::auth
