// Fuzzes the SNS filter-policy engine (sns/filter_policy.h): FilterPolicy::Parse in both
// scopes, and for every policy it accepts, Matches against message attributes and MatchesBody
// against a message body.
//
// The input is `policy \0 message`. The policy is parsed for each FilterPolicyScope. The
// message is used whole as the body, and read as attributes, one per line:
// "name|type|value" (a line without '|' is a String attribute of that name with an empty
// value; a missing type is "String"). Properties checked besides "no crash, no hang, no UB,
// no leak":
//   * a refusal always says why, in AWS's form ("Invalid parameter: ..."), and Subscribe's
//     wording adds "Attributes Reason: ";
//   * parsing is deterministic: the same text gives the same verdict and message twice;
//   * a policy accepted for attributes is accepted for the body (the body scope only adds
//     nesting);
//   * matching is deterministic, a copy of a policy decides as the original, the order of
//     distinct attributes does not matter, and each scope answers only its own question.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "sns/filter_policy.h"

namespace wharf::sns {
namespace {

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "filter_policy_fuzz: %s\n", what);
  std::abort();
}

std::vector<FilterAttribute> ReadAttributes(std::string_view text) {
  std::vector<FilterAttribute> attributes;
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    FilterAttribute attribute{line, "String", ""};
    size_t first = line.find('|');
    if (first != std::string_view::npos) {
      attribute.name = line.substr(0, first);
      std::string_view rest = line.substr(first + 1);
      size_t second = rest.find('|');
      attribute.data_type = rest.substr(0, second);
      attribute.value =
          second == std::string_view::npos ? std::string_view() : rest.substr(second + 1);
    }
    attributes.push_back(attribute);
  }
  return attributes;
}

bool DistinctNames(const std::vector<FilterAttribute>& attributes) {
  for (size_t i = 0; i < attributes.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (attributes[i].name == attributes[j].name) return false;
    }
  }
  return true;
}

void CheckRefusal(const FilterPolicyError& error) {
  if (!error.message.starts_with("Invalid parameter: ") ||
      error.message.size() <= std::string_view("Invalid parameter: ").size()) {
    Fail("refusal without an InvalidParameter message");
  }
  if (!error.SubscribeMessage().starts_with("Invalid parameter: Attributes Reason: ")) {
    Fail("Subscribe wording without \"Attributes Reason: \"");
  }
}

Result<FilterPolicy, FilterPolicyError> ParseTwice(std::string_view policy,
                                                   FilterPolicyScope scope) {
  auto first = FilterPolicy::Parse(policy, scope);
  auto second = FilterPolicy::Parse(policy, scope);
  if (first.ok() != second.ok()) Fail("Parse gave two verdicts");
  if (!first.ok()) {
    if (first.error().message != second.error().message) Fail("Parse gave two messages");
    CheckRefusal(first.error());
  }
  return first;
}

void ExerciseAttributes(const FilterPolicy& policy, const std::vector<FilterAttribute>& attributes,
                        std::string_view body) {
  const bool verdict = policy.Matches(attributes);
  if (policy.Matches(attributes) != verdict) Fail("Matches gave two answers");
  const FilterPolicy copy = policy;
  if (copy.Matches(attributes) != verdict) Fail("a copy decided differently");
  if (DistinctNames(attributes)) {
    std::vector<FilterAttribute> reversed(attributes.rbegin(), attributes.rend());
    if (policy.Matches(reversed) != verdict) Fail("the attributes' order changed the answer");
  }
  if (policy.MatchesBody(body)) Fail("an attribute-scope policy matched a body");
}

void ExerciseBody(const FilterPolicy& policy, const std::vector<FilterAttribute>& attributes,
                  std::string_view body) {
  const bool verdict = policy.MatchesBody(body);
  if (policy.MatchesBody(body) != verdict) Fail("MatchesBody gave two answers");
  if (policy.Matches(attributes)) Fail("a body-scope policy matched attributes");
}

}  // namespace
}  // namespace wharf::sns

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace wharf::sns;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t split = input.find('\0');
  const std::string_view policy = input.substr(0, split);
  const std::string_view message =
      split == std::string_view::npos ? std::string_view() : input.substr(split + 1);
  const std::vector<FilterAttribute> attributes = ReadAttributes(message);

  auto for_attributes = ParseTwice(policy, FilterPolicyScope::kMessageAttributes);
  auto for_body = ParseTwice(policy, FilterPolicyScope::kMessageBody);
  if (for_attributes.ok() && !for_body.ok()) Fail("accepted for attributes, refused for the body");
  if (for_attributes.ok()) ExerciseAttributes(*for_attributes, attributes, message);
  if (for_body.ok()) ExerciseBody(*for_body, attributes, message);

  // WHARF_FUZZ_VERBOSE=1 when replaying inputs: what each scope said.
  static const bool verbose = std::getenv("WHARF_FUZZ_VERBOSE") != nullptr;
  if (verbose) {
    std::fprintf(stderr, "filter_policy_fuzz: attributes: %s; body: %s\n",
                 for_attributes.ok()
                     ? (for_attributes->Matches(attributes) ? "matches" : "does not match")
                     : for_attributes.error().message.c_str(),
                 for_body.ok() ? (for_body->MatchesBody(message) ? "matches" : "does not match")
                               : for_body.error().message.c_str());
  }
  return 0;
}
