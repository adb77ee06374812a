#pragma once

// A parsed IAM policy document (security.md §2.1) and its parser. One grammar serves identity
// policies, session policies, resource policies (queue and topic `Policy`, KMS key policies)
// and role trust policies; PolicyKind says which rules about Principal and Resource apply.
// Documents are immutable once parsed and may be shared between threads.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/policy/conditions.h"
#include "auth/policy/principals.h"
#include "common/result.h"

namespace wharf::auth {

enum class PolicyVersion : uint8_t {
  k2008_10_17,  // also what a document without Version is: no policy variables
  k2012_10_17,
};

enum class Effect : uint8_t { kAllow, kDeny };

enum class PolicyKind : uint8_t {
  kIdentity,  // user/role/session policies: no Principal, Resource required
  kResource,  // queue, topic and key policies: Principal required, Resource optional
  kTrust,     // role trust policies: Principal required, Resource forbidden
};

struct Statement {
  std::string sid;  // "" when absent
  Effect effect = Effect::kAllow;
  // Exactly one of Action/NotAction: `not_action` says which one `actions` came from.
  std::vector<std::string> actions;
  bool not_action = false;
  // Empty only where Resource may be absent (resource and trust policies); then the statement
  // covers the resource the policy is attached to.
  std::vector<std::string> resources;
  bool not_resource = false;
  std::optional<PrincipalSet> principal;  // absent in identity policies
  bool not_principal = false;
  std::vector<ConditionEntry> conditions;
};

struct PolicyDocument {
  PolicyVersion version = PolicyVersion::k2008_10_17;
  std::string id;  // "" when absent
  std::vector<Statement> statements;

  bool has_variables() const { return version == PolicyVersion::k2012_10_17; }
};

// Limits checked while parsing; 0 means unlimited. `max_size` counts bytes of the text as
// given, or, with `size_ignores_whitespace`, the characters outside JSON whitespace (IAM's
// rule for managed policies).
struct PolicyLimits {
  size_t max_size = 0;
  bool size_ignores_whitespace = false;
  size_t max_statements = 0;
  // Per statement. SQS's quota table does not say whether principals and conditions are
  // counted per statement or per policy; per statement is the reading that does not refuse
  // the common "one statement per SNS topic" queue policy.
  size_t max_principals = 0;
  size_t max_conditions = 0;  // condition keys, counted over all operators
  size_t max_actions = 0;
};

// AWS "SQS policy quotas" (security.md §2.8).
inline constexpr PolicyLimits kSqsQueuePolicyLimits{
    .max_size = 8192,
    .max_statements = 20,
    .max_principals = 50,
    .max_conditions = 10,
    .max_actions = 7,
};

struct PolicyError {
  enum class Kind : uint8_t {
    kMalformed,      // IAM MalformedPolicyDocument; SQS InvalidAttributeValue
    kLimitExceeded,  // IAM LimitExceeded; SQS InvalidAttributeValue
  };
  Kind kind = Kind::kMalformed;
  // IAM's wording where known ("Syntax errors in policy.", "Policy document should not specify
  // a principal."); SQS does not say why and answers kSqsInvalidPolicyMessage instead.
  std::string message;
};

// What SQS's SetQueueAttributes answers for any bad Policy (security.md §2.1, AWS-recorded).
inline constexpr std::string_view kSqsInvalidPolicyMessage =
    "Invalid value for the parameter Policy.";

// Strict JSON (no comments, trailing commas or duplicate keys), known keys only, the shape
// rules of §2.1 for `kind`, and `limits`.
Result<PolicyDocument, PolicyError> ParsePolicyDocument(std::string_view json, PolicyKind kind,
                                                        const PolicyLimits& limits = {});

}  // namespace wharf::auth
