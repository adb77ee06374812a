#pragma once

// Authorization: may this principal perform this action on this resource? The algorithm is
// security.md §2.6: an applicable Deny anywhere wins; within the resource's account either an
// identity policy or a resource-policy statement naming the caller directly allows; across
// accounts both the resource policy (naming the caller or its account) and the caller's
// identity policies must allow; service principals only ever get in through the resource
// policy. The answer is a Decision that says why, for audit logs and AccessDenied messages.
// Stateless and thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/policy/condition_context.h"
#include "auth/policy/policy_document.h"
#include "auth/policy/principals.h"

namespace wharf::auth {

// A parsed policy and the name it is reported under ("arn:aws:iam::…:policy/x",
// "user/alice/inline-policy", "queue policy"). Neither is owned: both must outlive Evaluate.
struct PolicyRef {
  std::string_view name;
  const PolicyDocument* document = nullptr;
};

enum class ResourcePolicyRole : uint8_t {
  // SQS queues and SNS topics: inside the account an identity policy alone is enough.
  kOptional,
  // KMS key policies and role trust policies (§2.6): even inside the account the resource
  // policy must name the caller or delegate to the account.
  kMandatory,
};

// A view over what the caller already holds: nothing here is owned, and every pointer and
// string_view must outlive Evaluate. Built per request, so it copies nothing.
struct AuthorizationRequest {
  const RequestPrincipal* principal = nullptr;  // required
  std::string_view action;                      // "sqs:SendMessage"; case-insensitive
  std::string_view resource;  // an ARN, or "*" for actions without a resource (ListQueues)
  // Owner of `resource`. Requests on "*" (or with no owner given) count as same-account.
  std::string_view resource_account;
  ResourcePolicyRole resource_policy_role = ResourcePolicyRole::kOptional;
  std::vector<PolicyRef> identity_policies;
  // Policies passed to AssumeRole: when present they narrow what the identity policies allow.
  std::vector<PolicyRef> session_policies;
  std::optional<PolicyRef> resource_policy;
  const ConditionContext* context = nullptr;  // required
};

enum class DecisionEffect : uint8_t { kAllow, kExplicitDeny, kImplicitDeny };

// Why the decision came out as it did; AccessDeniedMessage turns the deny cases into
// IAM's wording.
enum class DecisionBasis : uint8_t {
  // Allow
  kIdentityPolicy,         // same account, an identity policy allows
  kResourcePolicy,         // the resource policy names the caller directly
  kResourceAndIdentity,    // cross-account (or a key/trust policy delegating): both sides allow
  kAccountRoot,            // the root of the resource's account
  kOwnerRootLockoutGuard,  // the owner's root reading/fixing its own queue's policy (§2.6)
  // Explicit deny
  kDenyInIdentityPolicy,
  kDenyInSessionPolicy,
  kDenyInResourcePolicy,
  // Implicit deny
  kNoIdentityPolicyAllows,
  kNoResourcePolicyAllows,
  kNoSessionPolicyAllows,
  kOwnerOnlyAction,  // cross-account call to an action that only the owner may make (§2.7)
};

struct Decision {
  DecisionEffect effect = DecisionEffect::kImplicitDeny;
  DecisionBasis basis = DecisionBasis::kNoIdentityPolicyAllows;
  // The deciding statement: the Deny that matched, or the Allow that granted (for allows that
  // need both sides, the resource-policy statement). Empty/-1 when no statement decided.
  std::string policy;
  std::string sid;
  int statement_index = -1;
  std::string_view reason;  // one line for audit logs, from DescribeBasis

  bool allowed() const { return effect == DecisionEffect::kAllow; }
};

Decision Evaluate(const AuthorizationRequest& request);

std::string_view DescribeBasis(DecisionBasis basis);

// IAM's AccessDenied text (security.md §2.9), e.g. "User: arn:aws:iam::123456789012:user/alice
// is not authorized to perform: sqs:sendmessage on resource: arn:… because no identity-based
// policy allows the sqs:sendmessage action". The action is lower-cased, as SQS does.
std::string AccessDeniedMessage(const Decision& decision, std::string_view caller_arn,
                                std::string_view action, std::string_view resource);

}  // namespace wharf::auth
