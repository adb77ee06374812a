#pragma once

// Identifiers, ARNs and name rules of IAM and STS (security.md §3.2), and the small text
// helpers IAM's wire format needs (ISO 8601 dates, URL-encoded policy documents).
// Stateless; random values come from OpenSSL's CSPRNG and may be made on any thread.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "api/error.h"

namespace wharf::iam {

// "AIDA" + 17 of [A-Z2-7]: 21 characters (users AIDA, roles AROA, groups AGPA, policies ANPA).
std::string NewUniqueId(std::string_view prefix);
// "AKIA"/"ASIA" + 16 of [A-Z2-7]: 20 characters.
std::string NewAccessKeyId(std::string_view prefix);
// 40 characters of [A-Za-z0-9/+].
std::string NewSecretAccessKey();
// An opaque session token: base64 of 96 random bytes (128 characters).
std::string NewSessionToken();

// arn:aws:iam::<account>:<kind>/<path-without-leading-slash><name>; kind is user, role,
// group or policy.
std::string IamArn(std::string_view account_id, std::string_view kind, std::string_view path,
                   std::string_view name);
// arn:aws:sts::<account>:assumed-role/<role>/<session>
std::string AssumedRoleArn(std::string_view account_id, std::string_view role_name,
                           std::string_view session_name);

struct ParsedArn {
  std::string account_id;  // "aws" for AWS-managed policies
  std::string kind;        // "role", "policy", ...
  std::string path;        // "/" or "/a/b/"
  std::string name;
};
// An IAM ARN arn:aws:iam::<account>:<kind>/<path><name>; nullopt when it is not one.
std::optional<ParsedArn> ParseIamArn(std::string_view arn);

// Validation, with IAM's ValidationError wording. `member` is the model's camelCase name
// ("userName"). Names: [\w+=,.@-]{1,max}; paths "/" or "/…/" of [\x21-\x7E], at most 512.
api::ApiStatus ValidateName(std::string_view member, const std::optional<std::string>& value,
                            size_t max_length);
api::ApiStatus ValidatePath(std::string_view member, std::string_view path);
// The "Member must not be null" error of a missing required member.
api::ApiError MissingMember(std::string_view member);

// IAM's spelling of policy documents in responses: every byte but [A-Za-z0-9-_.~] as %XX.
std::string UrlEncode(std::string_view text);
// "2025-01-15T12:00:00Z" for milliseconds since the epoch.
std::string IsoTime(int64_t wall_millis);
// Name comparison key: IAM names are unique case-insensitively.
std::string NameKey(std::string_view name);

}  // namespace wharf::iam
