#include "auth/authorizer.h"

#include "auth/policy/condition_context.h"

namespace wharf::auth {

Decision Authorizer::Decide(const api::RequestContext& ctx, const ResourceAccess& access) const {
  RequestPrincipal root;
  const RequestPrincipal* principal = nullptr;
  if (ctx.caller) {
    principal = &ctx.caller->principal;
  } else {
    root = RootPrincipal(ctx.account_id);
    principal = &root;
  }

  // The common case needs no evaluation: an account's root acting in its own account, on a
  // resource without a policy, is allowed whatever the conditions (nothing could deny it), so
  // the condition keys are not even gathered (they cost more than the rest of the decision).
  const bool own_account = access.resource == "*" || access.resource_account.empty() ||
                           access.resource_account == principal->account_id;
  if (principal->type == PrincipalType::kAccount && own_account &&
      access.resource_policy == nullptr && (!ctx.caller || ctx.caller->session_policies.empty())) {
    Decision allow;
    allow.effect = DecisionEffect::kAllow;
    allow.basis = DecisionBasis::kAccountRoot;
    allow.reason = DescribeBasis(allow.basis);
    return allow;
  }

  ConditionContext conditions;
  AddPrincipalKeys(*principal, conditions);
  AddTimeKeys(clock_.WallMillis(), conditions);
  conditions.Set("aws:SecureTransport", ctx.secure_transport ? "true" : "false");
  if (!ctx.source_ip.empty()) conditions.Set("aws:SourceIp", ctx.source_ip);
  for (const auto& [key, value] : access.condition_keys) conditions.Set(key, value);

  // Kept alive for the evaluation: the request only points at them.
  std::vector<NamedPolicy> identity;
  if (identities_ != nullptr && principal->type != PrincipalType::kAccount) {
    identity = identities_->PoliciesOf(*principal);
  }
  AuthorizationRequest request;
  request.principal = principal;
  request.action = access.action;
  request.resource = access.resource;
  request.resource_account = access.resource_account;
  request.resource_policy_role = access.resource_policy_role;
  request.context = &conditions;
  request.identity_policies.reserve(identity.size());
  for (const NamedPolicy& p : identity) {
    if (p.document) request.identity_policies.push_back({p.name, p.document.get()});
  }
  if (ctx.caller) {
    for (const auto& p : ctx.caller->session_policies) {
      if (p) request.session_policies.push_back({"session policy", p.get()});
    }
  }
  if (access.resource_policy != nullptr) {
    request.resource_policy = PolicyRef{access.resource_policy_name, access.resource_policy};
  }
  return Evaluate(request);
}

api::ApiStatus Authorizer::Authorize(const api::RequestContext& ctx,
                                     const ResourceAccess& access) const {
  const Decision decision = Decide(ctx, access);
  if (decision.allowed() && !audit_) return {};  // the common case: nothing more to build
  std::string root_arn;
  std::string_view caller_arn;
  if (ctx.caller) {
    caller_arn = ctx.caller->principal.arn;
  } else {
    root_arn = RootPrincipal(ctx.account_id).arn;
    caller_arn = root_arn;
  }
  if (audit_) {
    audit_(AuditRecord{ctx.request_id, caller_arn, ctx.access_key_id, access.action,
                       access.resource, &decision});
  }
  if (decision.allowed()) return {};
  return api::Error(api::ErrorCode::kAccessDenied,
                    AccessDeniedMessage(decision, caller_arn, access.action, access.resource));
}

std::string FormatAuditRecord(const AuditRecord& r) {
  std::string line = "audit request=";
  line.append(r.request_id);
  line.append(" principal=");
  line.append(r.principal);
  line.append(" key=");
  line.append(r.access_key_id);
  line.append(" action=");
  line.append(r.action);
  line.append(" resource=");
  line.append(r.resource);
  if (r.decision != nullptr) {
    const Decision& d = *r.decision;
    line.append(d.effect == DecisionEffect::kAllow          ? " decision=allow"
                : d.effect == DecisionEffect::kExplicitDeny ? " decision=explicit-deny"
                                                            : " decision=implicit-deny");
    line.append(" reason=\"");
    line.append(d.reason);
    line.push_back('"');
    if (!d.policy.empty()) {
      line.append(" policy=\"");
      line.append(d.policy);
      line.push_back('"');
    }
    if (d.statement_index >= 0) {
      line.append(" statement=");
      line.append(d.sid.empty() ? std::to_string(d.statement_index) : d.sid);
    }
  }
  return line;
}

}  // namespace wharf::auth
