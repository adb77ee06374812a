#pragma once

// Glob matching for the policy language (security.md §2.2): `*` matches any run of characters
// (including none), `?` matches exactly one character. Actions compare case-insensitively,
// ARNs and condition values case-sensitively.

#include <string_view>

namespace wharf::auth {

enum class Case : bool { kSensitive, kInsensitive };

// How a pattern spells a literal `*` or `?`. Policy text has no escape syntax, so patterns
// written by users are kPlain. After policy-variable expansion a pattern is kEscaped: `\*`,
// `\?` and `\\` stand for the literal characters, so that `${*}` and a variable value containing
// `*` match only a star (variables.h produces this form).
enum class GlobSyntax : bool { kPlain, kEscaped };

// Whole-string glob. `?` consumes one UTF-8 character, not one byte, so `?` matches `é`.
// Case folding is ASCII only (action names and the `…IgnoreCase` operators are ASCII in practice).
bool GlobMatch(std::string_view pattern, std::string_view text, Case case_mode,
               GlobSyntax syntax = GlobSyntax::kPlain);

// IAM action match: `sqs:Get*` matches `SQS:GetQueueUrl`. Whole-string, case-insensitive.
bool MatchAction(std::string_view pattern, std::string_view action);

// Resource match for Resource/NotResource. When both sides are six-part ARNs
// (`arn:partition:service:region:account:resource`, the sixth part keeping its colons) the
// first five parts are compared one by one, so a `*` in the region cannot swallow the account;
// otherwise (`*`, `arn:aws:sqs:*`, a resource of `*`) the pattern is a whole-string glob, which
// lets a trailing `*` run past colons as AWS does. Case-sensitive.
bool MatchResource(std::string_view pattern, std::string_view resource,
                   GlobSyntax syntax = GlobSyntax::kPlain);

// The Arn* condition operators (§2.3): both sides must be six-part ARNs, compared part by part
// with glob semantics, case-sensitive. A value that is not an ARN never matches.
bool MatchArnParts(std::string_view pattern, std::string_view arn,
                   GlobSyntax syntax = GlobSyntax::kPlain);

}  // namespace wharf::auth
