#pragma once

// SNS subscription filter policies (sns-fanout.md §5): parsing and validating a subscription's
// FilterPolicy for its FilterPolicyScope, and deciding whether a published message passes it.
//
// Parse once when the policy is set (Subscribe, SetSubscriptionAttributes), keep the
// FilterPolicy, and call Matches/MatchesBody for every Publish. A FilterPolicy is immutable and
// may be shared between threads; copies share the compiled form. Matching allocates nothing
// for String and Number attributes; String.Array attributes and message bodies are parsed with
// a per-thread simdjson parser whose buffers are reused from one call to the next.
//
// The grammar and the error texts are those of AWS's rule compiler (the "event ruler" that
// SNS's recorded messages come from); matching is typed as it is there: a string condition
// matches only strings, a number condition only numbers (String attributes are strings,
// Number attributes numbers, String.Array elements and body values whatever JSON type they
// have). Numbers are compared at six decimal places within -1e9..1e9.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "common/result.h"

namespace wharf::sns {

enum class FilterPolicyScope : uint8_t { kMessageAttributes, kMessageBody };

// One message attribute of a published message, as the SNS API carries it.
struct FilterAttribute {
  std::string_view name;
  std::string_view data_type;  // "String", "Number", "Binary", "String.Array" (may carry a custom
                               // suffix: "String.foo", "Number.int" — the base type decides)
  std::string_view value;      // StringValue (for String.Array: the JSON array text)
};

struct FilterPolicyError {
  // The text SetSubscriptionAttributes answers in InvalidParameter, e.g. "Invalid parameter:
  // FilterPolicy: Empty arrays are not allowed" (sns-fanout.md §5.4). AWS appends a JSON
  // location ("\n at [Source: ...]") to the syntax errors; Wharf does not.
  std::string message;

  // The same error as Subscribe words it: "Invalid parameter: Attributes Reason: ...".
  std::string SubscribeMessage() const;
};

namespace filter {
struct CompiledPolicy;
}

class FilterPolicy {
 public:
  // Parses and validates `json` (the FilterPolicy attribute) for `scope`, enforcing AWS's limits:
  // 256 KB, 5 top-level keys, 150 value combinations, flat policies only in attribute scope.
  // An empty string is not a policy (SNS treats FilterPolicy="" as "remove the policy"; that
  // is the caller's business) and is refused like any other text that is not JSON.
  static Result<FilterPolicy, FilterPolicyError> Parse(std::string_view json,
                                                       FilterPolicyScope scope);

  FilterPolicyScope scope() const { return scope_; }

  // Scope kMessageAttributes: the message's attributes (any order; names are case-sensitive).
  // Binary attributes are invisible to filtering. False for a kMessageBody policy.
  bool Matches(std::span<const FilterAttribute> attributes) const;

  // Scope kMessageBody: `body` must be a JSON object, anything else never matches. False for a
  // kMessageAttributes policy.
  bool MatchesBody(std::string_view body) const;

 private:
  FilterPolicy(FilterPolicyScope scope, std::shared_ptr<const filter::CompiledPolicy> compiled);

  FilterPolicyScope scope_;
  std::shared_ptr<const filter::CompiledPolicy> compiled_;
};

}  // namespace wharf::sns
