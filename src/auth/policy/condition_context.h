#pragma once

// The request's condition keys (security.md §2.4): what Condition blocks and policy variables
// read. Keys are case-insensitive (`aws:SourceArn` ≡ `AWS:sourcearn`); every key holds a list
// of values because some keys are multi-valued (`aws:TagKeys`). Values are text; booleans are
// "true"/"false", times ISO 8601 UTC.
// Thread-safety: built by one request, then only read.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "auth/policy/principals.h"

namespace wharf::auth {

class ConditionContext {
 public:
  // Replaces whatever `key` held.
  void Set(std::string_view key, std::vector<std::string> values);
  void Set(std::string_view key, std::string value);
  void Remove(std::string_view key);

  // nullptr when the request does not carry `key`. A key set to an empty list is present
  // with no values: `ForAllValues` is true for it, `ForAnyValue` false, like a missing key.
  const std::vector<std::string>* Find(std::string_view key) const;

 private:
  // Orders keys ignoring ASCII case, so lookups neither fold nor allocate.
  struct LessIgnoreCase {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const;
  };
  std::map<std::string, std::vector<std::string>, LessIgnoreCase> values_;
};

// Adds the principal keys of §2.4: aws:PrincipalArn (the role ARN for a session),
// aws:PrincipalAccount, aws:PrincipalType, aws:userid and, for IAM users only, aws:username.
// A service principal gets none of them.
void AddPrincipalKeys(const RequestPrincipal& principal, ConditionContext& context);

// Adds aws:CurrentTime (ISO 8601 UTC, whole seconds) and aws:EpochTime (seconds).
void AddTimeKeys(int64_t wall_millis, ConditionContext& context);

// "2025-01-15T12:00:00Z" for a wall-clock time in milliseconds since the epoch.
std::string FormatIso8601(int64_t wall_millis);

}  // namespace wharf::auth
