#include "auth/policy/variables.h"

namespace wharf::auth {
namespace {

std::string_view Trim(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

// Appends text that must match itself: in a pattern, `*`, `?` and `\` are escaped.
void AppendLiteral(std::string_view text, Substitution mode, std::string& out) {
  for (char c : text) {
    if (mode == Substitution::kPattern && (c == '*' || c == '?' || c == '\\')) out.push_back('\\');
    out.push_back(c);
  }
}

// Appends policy text outside variables: its `*` and `?` stay wildcards, but a backslash must
// still be escaped because the result is read with GlobSyntax::kEscaped.
void AppendPolicyText(std::string_view text, Substitution mode, std::string& out) {
  for (char c : text) {
    if (mode == Substitution::kPattern && c == '\\') out.push_back('\\');
    out.push_back(c);
  }
}

// The value of one `${…}` body, or false when it has none.
bool VariableValue(std::string_view body, const ConditionContext& context,
                   std::string_view& value) {
  if (body == "*" || body == "?" || body == "$") {
    value = body;
    return true;
  }
  std::string_view key = body;
  std::string_view fallback;
  bool has_default = false;
  if (size_t comma = body.find(','); comma != std::string_view::npos) {
    key = body.substr(0, comma);
    fallback = Trim(body.substr(comma + 1));
    if (fallback.size() >= 2 && fallback.front() == '\'' && fallback.back() == '\'') {
      fallback = fallback.substr(1, fallback.size() - 2);
    }
    has_default = true;
  }
  const std::vector<std::string>* values = context.Find(Trim(key));
  // A variable stands for one value; a multi-valued key cannot be substituted.
  if (values != nullptr && values->size() == 1) {
    value = values->front();
    return true;
  }
  if (has_default) {
    value = fallback;
    return true;
  }
  return false;
}

}  // namespace

bool ContainsVariable(std::string_view text) { return text.find("${") != std::string_view::npos; }

bool ExpandVariables(std::string_view text, const ConditionContext& context, Substitution mode,
                     std::string& out) {
  out.clear();
  out.reserve(text.size() + 16);
  while (!text.empty()) {
    size_t start = text.find("${");
    size_t end = start == std::string_view::npos ? start : text.find('}', start + 2);
    if (end == std::string_view::npos) {
      AppendPolicyText(text, mode, out);
      return true;
    }
    AppendPolicyText(text.substr(0, start), mode, out);
    std::string_view value;
    if (!VariableValue(text.substr(start + 2, end - start - 2), context, value)) return false;
    AppendLiteral(value, mode, out);
    text.remove_prefix(end + 1);
  }
  return true;
}

}  // namespace wharf::auth
