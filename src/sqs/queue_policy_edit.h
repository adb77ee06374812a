#pragma once

// The policy edits of AddPermission and RemovePermission (sqs-api.md §2.15–2.16, security.md
// §2.8): a statement per label, written in the form AWS writes it, appended to (or removed
// from) whatever policy the queue has, keeping the rest of the document as it was.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/error.h"

namespace wharf::sqs {

struct PermissionGrant {
  std::string_view label;
  std::vector<std::string> account_ids;
  std::vector<std::string> actions;  // unqualified: "SendMessage", "*"
};

// The policy text with the grant's statement added. Validates the grant: label syntax and
// uniqueness, account principals, shareable actions, at most 7 of them.
api::ApiResult<std::string> AddPermissionTo(const std::optional<std::string>& policy,
                                            std::string_view queue_arn,
                                            const PermissionGrant& grant);

// The policy text without the statement `label`; nullopt when it was the last one (the
// Policy attribute then disappears).
api::ApiResult<std::optional<std::string>> RemovePermissionFrom(
    const std::optional<std::string>& policy, std::string_view label);

}  // namespace wharf::sqs
