#pragma once

// The key policies KMS writes itself (security.md §4.4), and how a key policy is checked when it
// is given. Key policies are resource policies that are *mandatory* (§2.6): no statement that
// names the caller or delegates to its account, no access — whatever IAM says.

#include <memory>
#include <string>
#include <string_view>

#include "api/error.h"
#include "auth/policy/policy_document.h"

namespace wharf::kms {

// CreateKey without Policy: "Enable IAM User Permissions", which delegates the key to the
// identity policies of `account` (its root may do everything).
std::string DefaultKeyPolicy(std::string_view account);

// The AWS-managed alias/aws/sqs key's policy: every principal of `account` may use the key
// through SQS in `region` only; the account may read its metadata directly.
std::string AwsManagedSqsPolicy(std::string_view account, std::string_view region);

// KMS's limit on a key policy (bytes); the service model allows longer input.
inline constexpr size_t kMaxKeyPolicySize = 32768;
inline constexpr size_t kMaxKeyPolicyInputSize = 131072;

// Parses a key policy with the IAM policy grammar (Principal required). Errors are KMS's:
// MalformedPolicyDocumentException (and LimitExceededException beyond 32 KiB).
api::ApiResult<std::shared_ptr<const auth::PolicyDocument>> ParseKeyPolicy(std::string_view text);

}  // namespace wharf::kms
