#pragma once

// Policy variables (security.md §2.5): in a 2012-10-17 policy, `${key}` inside Resource and
// NotResource values and inside String*/Arn* condition values is replaced by the request's
// value of `key` before matching. `${key, 'default'}` supplies a default; `${*}`, `${?}` and
// `${$}` are a literal `*`, `?` and `$`. A missing key without a default makes the element
// match nothing. 2008-10-17 policies (and policies without a Version) have no variables: the
// text is literal, so the caller does not substitute at all.

#include <string>
#include <string_view>

#include "auth/policy/condition_context.h"
#include "auth/policy/wildcard.h"

namespace wharf::auth {

enum class Substitution : bool {
  kLiteral,  // for exact comparisons: the result is plain text
  kPattern,  // for globs: the result is GlobSyntax::kEscaped, inserted text matches literally
};

bool ContainsVariable(std::string_view text);

// Writes the substituted text to `out`. False when a variable names a key the request lacks
// (or holds several values) and has no default. Unterminated `${` is literal text.
bool ExpandVariables(std::string_view text, const ConditionContext& context, Substitution mode,
                     std::string& out);

// Calls `match(text, syntax)` with `value` as written, or after substitution when `substitute`
// (the policy is 2012-10-17) and it contains a variable. Returns false without calling `match`
// when substitution fails. Substitution allocates only for values that contain `${`.
template <typename Match>
bool MatchWithVariables(std::string_view value, bool substitute, const ConditionContext& context,
                        Substitution mode, Match&& match) {
  if (!substitute || !ContainsVariable(value)) return match(value, GlobSyntax::kPlain);
  std::string expanded;
  if (!ExpandVariables(value, context, mode, expanded)) return false;
  return match(std::string_view(expanded),
               mode == Substitution::kPattern ? GlobSyntax::kEscaped : GlobSyntax::kPlain);
}

}  // namespace wharf::auth
