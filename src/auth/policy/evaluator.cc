#include "auth/policy/evaluator.h"

#include <cassert>

#include "auth/policy/sqs_permissions.h"
#include "auth/policy/variables.h"
#include "auth/policy/wildcard.h"

namespace wharf::auth {
namespace {

// A statement that applied, and where it sits.
struct Applied {
  const PolicyRef* policy = nullptr;
  const Statement* statement = nullptr;
  int index = -1;
  PrincipalMatch principal = PrincipalMatch::kDirect;  // resource policies only
};

bool ActionMatches(const Statement& statement, std::string_view action) {
  bool any = false;
  for (const std::string& pattern : statement.actions) {
    if (MatchAction(pattern, action)) {
      any = true;
      break;
    }
  }
  return any != statement.not_action;
}

bool ResourceMatches(const Statement& statement, const PolicyDocument& document,
                     const AuthorizationRequest& request) {
  // No Resource element (resource and trust policies): the resource the policy is attached to.
  if (statement.resources.empty()) return true;
  bool any = false;
  for (const std::string& pattern : statement.resources) {
    any = MatchWithVariables(pattern, document.has_variables(), *request.context,
                             Substitution::kPattern,
                             [&](std::string_view expanded, GlobSyntax syntax) {
                               return MatchResource(expanded, request.resource, syntax);
                             });
    if (any) break;
  }
  return any != statement.not_resource;
}

// How the statement's Principal/NotPrincipal names the caller. A resource-policy statement
// without one names nobody (the parser requires it, this keeps a misuse harmless).
PrincipalMatch PrincipalMatches(const Statement& statement, const RequestPrincipal& caller) {
  if (!statement.principal) return PrincipalMatch::kNone;
  PrincipalMatch match = MatchPrincipal(*statement.principal, caller);
  if (!statement.not_principal) return match;
  // NotPrincipal: everyone that none of the entries names, by any strength (§2.2 [rec]).
  return match == PrincipalMatch::kNone ? PrincipalMatch::kDirect : PrincipalMatch::kNone;
}

// Finds the first statement with `effect` that applies. For a resource policy it returns the
// one with the strongest principal match.
std::optional<Applied> FindApplicable(const PolicyRef& policy, Effect effect, bool resource_policy,
                                      const AuthorizationRequest& request) {
  if (policy.document == nullptr) return std::nullopt;
  const PolicyDocument& document = *policy.document;
  std::optional<Applied> best;
  for (size_t i = 0; i < document.statements.size(); ++i) {
    const Statement& statement = document.statements[i];
    if (statement.effect != effect) continue;
    PrincipalMatch principal = PrincipalMatch::kDirect;
    if (resource_policy) {
      principal = PrincipalMatches(statement, *request.principal);
      if (principal == PrincipalMatch::kNone) continue;
      if (best && best->principal >= principal) continue;
    }
    if (!ActionMatches(statement, request.action) ||
        !ResourceMatches(statement, document, request) ||
        !EvaluateConditions(statement.conditions, *request.context, document.has_variables())) {
      continue;
    }
    best = Applied{&policy, &statement, static_cast<int>(i), principal};
    if (principal == PrincipalMatch::kDirect) break;
  }
  return best;
}

std::optional<Applied> FindApplicable(const std::vector<PolicyRef>& policies, Effect effect,
                                      const AuthorizationRequest& request) {
  for (const PolicyRef& policy : policies) {
    if (auto applied = FindApplicable(policy, effect, false, request)) return applied;
  }
  return std::nullopt;
}

Decision Make(DecisionEffect effect, DecisionBasis basis, const std::optional<Applied>& applied) {
  Decision decision;
  decision.effect = effect;
  decision.basis = basis;
  decision.reason = DescribeBasis(basis);
  if (applied) {
    decision.policy = std::string(applied->policy->name);
    decision.sid = applied->statement->sid;
    decision.statement_index = applied->index;
  }
  return decision;
}

Decision Allow(DecisionBasis basis, const std::optional<Applied>& applied) {
  return Make(DecisionEffect::kAllow, basis, applied);
}

Decision ImplicitDeny(DecisionBasis basis) {
  return Make(DecisionEffect::kImplicitDeny, basis, std::nullopt);
}

bool IsRootOf(const RequestPrincipal& caller, std::string_view account) {
  return caller.type == PrincipalType::kAccount && caller.account_id == account;
}

}  // namespace

Decision Evaluate(const AuthorizationRequest& request) {
  assert(request.principal != nullptr && request.context != nullptr);
  const RequestPrincipal& caller = *request.principal;
  const bool same_account = request.resource == "*" || request.resource_account.empty() ||
                            caller.account_id == request.resource_account;

  // 1. An applicable Deny anywhere wins.
  if (auto deny = FindApplicable(request.identity_policies, Effect::kDeny, request)) {
    return Make(DecisionEffect::kExplicitDeny, DecisionBasis::kDenyInIdentityPolicy, deny);
  }
  if (auto deny = FindApplicable(request.session_policies, Effect::kDeny, request)) {
    return Make(DecisionEffect::kExplicitDeny, DecisionBasis::kDenyInSessionPolicy, deny);
  }
  bool lockout_guard = false;
  if (request.resource_policy) {
    if (auto deny = FindApplicable(*request.resource_policy, Effect::kDeny, true, request)) {
      // The owner's root may still read and replace its own queue's policy (§2.6 [rec]).
      if (!(IsRootOf(caller, request.resource_account) && same_account &&
            IsLockoutExemptSqsAction(request.action))) {
        return Make(DecisionEffect::kExplicitDeny, DecisionBasis::kDenyInResourcePolicy, deny);
      }
      lockout_guard = true;
    }
  }

  // 2. What each side allows.
  std::optional<Applied> resource_allow;
  if (request.resource_policy) {
    resource_allow = FindApplicable(*request.resource_policy, Effect::kAllow, true, request);
  }
  const PrincipalMatch res = resource_allow ? resource_allow->principal : PrincipalMatch::kNone;
  const bool is_root = caller.type == PrincipalType::kAccount;
  std::optional<Applied> identity_allow =
      FindApplicable(request.identity_policies, Effect::kAllow, request);
  bool identity_ok = is_root || identity_allow.has_value();
  bool session_blocks = false;
  if (!request.session_policies.empty() &&
      !FindApplicable(request.session_policies, Effect::kAllow, request)) {
    session_blocks = identity_ok;  // the identity side allowed; the session policy did not
    identity_ok = false;
  }
  const DecisionBasis no_identity = session_blocks ? DecisionBasis::kNoSessionPolicyAllows
                                                   : DecisionBasis::kNoIdentityPolicyAllows;

  // 3. Combine (the pseudo-code of §2.6).
  if (caller.type == PrincipalType::kService) {
    return res == PrincipalMatch::kDirect ? Allow(DecisionBasis::kResourcePolicy, resource_allow)
                                          : ImplicitDeny(DecisionBasis::kNoResourcePolicyAllows);
  }
  if (request.resource_policy_role == ResourcePolicyRole::kMandatory) {
    if (res == PrincipalMatch::kDirect && same_account) {
      return Allow(DecisionBasis::kResourcePolicy, resource_allow);
    }
    if (res == PrincipalMatch::kNone) return ImplicitDeny(DecisionBasis::kNoResourcePolicyAllows);
    if (!identity_ok) return ImplicitDeny(no_identity);
    return Allow(DecisionBasis::kResourceAndIdentity, resource_allow);
  }
  if (same_account) {
    if (lockout_guard) return Allow(DecisionBasis::kOwnerRootLockoutGuard, std::nullopt);
    if (identity_ok && identity_allow) return Allow(DecisionBasis::kIdentityPolicy, identity_allow);
    if (identity_ok) return Allow(DecisionBasis::kAccountRoot, std::nullopt);
    if (res == PrincipalMatch::kDirect) {
      return Allow(DecisionBasis::kResourcePolicy, resource_allow);
    }
    return ImplicitDeny(no_identity);
  }
  // Cross-account.
  if (IsOwnerOnlySqsAction(request.action)) return ImplicitDeny(DecisionBasis::kOwnerOnlyAction);
  if (res == PrincipalMatch::kNone) return ImplicitDeny(DecisionBasis::kNoResourcePolicyAllows);
  if (!identity_ok) return ImplicitDeny(no_identity);
  return Allow(DecisionBasis::kResourceAndIdentity, resource_allow);
}

std::string_view DescribeBasis(DecisionBasis basis) {
  switch (basis) {
    case DecisionBasis::kIdentityPolicy:
      return "allowed by an identity-based policy";
    case DecisionBasis::kResourcePolicy:
      return "allowed by a resource-based policy that names the caller";
    case DecisionBasis::kResourceAndIdentity:
      return "allowed by the resource-based policy together with an identity-based policy";
    case DecisionBasis::kAccountRoot:
      return "allowed as the root of the resource's account";
    case DecisionBasis::kOwnerRootLockoutGuard:
      return "allowed despite a deny in the resource-based policy: the owner's root may always "
             "read and replace its queue's policy";
    case DecisionBasis::kDenyInIdentityPolicy:
      return "explicit deny in an identity-based policy";
    case DecisionBasis::kDenyInSessionPolicy:
      return "explicit deny in a session policy";
    case DecisionBasis::kDenyInResourcePolicy:
      return "explicit deny in a resource-based policy";
    case DecisionBasis::kNoIdentityPolicyAllows:
      return "no identity-based policy allows the action";
    case DecisionBasis::kNoResourcePolicyAllows:
      return "no resource-based policy allows the action";
    case DecisionBasis::kNoSessionPolicyAllows:
      return "no session policy allows the action";
    case DecisionBasis::kOwnerOnlyAction:
      return "only the resource owner may perform the action";
  }
  return "";
}

std::string AccessDeniedMessage(const Decision& decision, std::string_view caller_arn,
                                std::string_view action, std::string_view resource) {
  std::string lowered(action);
  for (char& c : lowered) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + ('a' - 'A'));
  }
  std::string message = "User: ";
  message.append(caller_arn)
      .append(" is not authorized to perform: ")
      .append(lowered)
      .append(" on resource: ")
      .append(resource);
  switch (decision.basis) {
    case DecisionBasis::kDenyInIdentityPolicy:
      return message.append(" with an explicit deny in an identity-based policy");
    case DecisionBasis::kDenyInSessionPolicy:
      return message.append(" with an explicit deny in a session policy");
    case DecisionBasis::kDenyInResourcePolicy:
      return message.append(" with an explicit deny in a resource-based policy");
    case DecisionBasis::kNoSessionPolicyAllows:
      return message.append(" because no session policy allows the ")
          .append(lowered)
          .append(" action");
    case DecisionBasis::kNoResourcePolicyAllows:
    case DecisionBasis::kOwnerOnlyAction:
      return message.append(" because no resource-based policy allows the ")
          .append(lowered)
          .append(" action");
    case DecisionBasis::kNoIdentityPolicyAllows:
    case DecisionBasis::kIdentityPolicy:
    case DecisionBasis::kResourcePolicy:
    case DecisionBasis::kResourceAndIdentity:
    case DecisionBasis::kAccountRoot:
    case DecisionBasis::kOwnerRootLockoutGuard:
      break;
  }
  return message.append(" because no identity-based policy allows the ")
      .append(lowered)
      .append(" action");
}

}  // namespace wharf::auth
