#include "auth/policy/policy_document.h"

#include <simdjson.h>

#include <algorithm>

namespace wharf::auth {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;
using Status = wharf::Status<PolicyError>;

// IAM's wording (security.md §2.1 records the first two; the others follow IAM's replies).
constexpr std::string_view kSyntaxError = "Syntax errors in policy.";
constexpr std::string_view kPrincipalInIdentityPolicy =
    "Policy document should not specify a principal.";

PolicyError Malformed(std::string_view message) {
  return PolicyError{PolicyError::Kind::kMalformed, std::string(message)};
}

PolicyError OverQuota(std::string_view quota, size_t limit) {
  std::string message = "Cannot exceed quota for ";
  message.append(quota).append(": ").append(std::to_string(limit));
  return PolicyError{PolicyError::Kind::kLimitExceeded, std::move(message)};
}

bool IsJsonWhitespace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Characters of the document that IAM counts: everything but whitespace between JSON tokens.
size_t SizeWithoutWhitespace(std::string_view json) {
  size_t count = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : json) {
    if ((static_cast<unsigned char>(c) & 0xC0) == 0x80) continue;  // UTF-8 continuation byte
    if (in_string) {
      ++count;
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (IsJsonWhitespace(c)) continue;
    ++count;
    if (c == '"') in_string = true;
  }
  return count;
}

// Object members in order, refusing a key seen twice (simdjson keeps duplicates, AWS rejects
// them, §2.1). Member counts are small, so a linear scan beats a set.
class Members {
 public:
  Status Read(object obj) {
    for (auto field : obj) {
      for (const auto& seen : fields_) {
        if (seen.key == field.key) return Malformed(kSyntaxError);
      }
      fields_.push_back(field);
    }
    return {};
  }
  const std::vector<simdjson::dom::key_value_pair>& fields() const { return fields_; }

 private:
  std::vector<simdjson::dom::key_value_pair> fields_;
};

Status ReadMembers(element value, Members& members) {
  object obj;
  if (value.get_object().get(obj) != simdjson::SUCCESS) return Malformed(kSyntaxError);
  return members.Read(obj);
}

Status ReadString(element value, std::string& out) {
  std::string_view text;
  if (value.get_string().get(text) != simdjson::SUCCESS) return Malformed(kSyntaxError);
  out = std::string(text);
  return {};
}

// "x" or ["x", "y"]: every "string or list" field (§2.1). An empty list is malformed.
Status ReadStringList(element value, std::vector<std::string>& out) {
  out.clear();
  if (value.type() == element_type::STRING) {
    out.emplace_back(std::string_view(value.get_string().value_unsafe()));
    return {};
  }
  simdjson::dom::array array;
  if (value.get_array().get(array) != simdjson::SUCCESS) return Malformed(kSyntaxError);
  for (element item : array) {
    std::string_view text;
    if (item.get_string().get(text) != simdjson::SUCCESS) return Malformed(kSyntaxError);
    out.emplace_back(text);
  }
  if (out.empty()) return Malformed(kSyntaxError);
  return {};
}

// Condition values may be JSON strings, numbers or booleans; all are compared as text.
Status ReadConditionScalar(element value, std::string& out) {
  switch (value.type()) {
    case element_type::STRING:
      out = std::string(std::string_view(value.get_string().value_unsafe()));
      return {};
    case element_type::INT64:
      out = std::to_string(value.get_int64().value_unsafe());
      return {};
    case element_type::UINT64:
      out = std::to_string(value.get_uint64().value_unsafe());
      return {};
    case element_type::DOUBLE:
      out = simdjson::to_string(value);
      return {};
    case element_type::BOOL:
      out = value.get_bool().value_unsafe() ? "true" : "false";
      return {};
    case element_type::ARRAY:
    case element_type::OBJECT:
    case element_type::NULL_VALUE:
      break;
  }
  return Malformed(kSyntaxError);
}

Status ReadConditionValues(element value, std::vector<std::string>& out) {
  out.clear();
  if (value.type() != element_type::ARRAY) {
    out.emplace_back();
    return ReadConditionScalar(value, out.back());
  }
  simdjson::dom::array array;
  if (value.get_array().get(array) != simdjson::SUCCESS) return Malformed(kSyntaxError);
  for (element item : array) {
    out.emplace_back();
    WHARF_RETURN_IF_ERROR(ReadConditionScalar(item, out.back()));
  }
  if (out.empty()) return Malformed(kSyntaxError);
  return {};
}

PolicyError InvalidPrincipal(std::string_view type, std::string_view value) {
  std::string message = "Invalid principal in policy: \"";
  message.append(type).append("\":\"").append(value).append("\"");
  return Malformed(message);
}

Status ReadPrincipal(element value, PrincipalSet& out, size_t& count) {
  out = PrincipalSet{};
  if (value.type() == element_type::STRING) {
    std::string_view text = value.get_string().value_unsafe();
    if (text != "*") return InvalidPrincipal("AWS", text);
    out.anyone = true;
    count = 1;
    return {};
  }
  Members members;
  WHARF_RETURN_IF_ERROR(ReadMembers(value, members));
  if (members.fields().empty()) return Malformed(kSyntaxError);
  count = 0;
  for (const auto& field : members.fields()) {
    std::vector<std::string> values;
    WHARF_RETURN_IF_ERROR(ReadStringList(field.value, values));
    count += values.size();
    if (field.key == "AWS") {
      for (const std::string& text : values) {
        AwsPrincipal principal;
        if (!ParseAwsPrincipal(text, principal)) return InvalidPrincipal(field.key, text);
        out.aws.push_back(std::move(principal));
      }
    } else if (field.key == "Service") {
      for (const std::string& text : values) {
        if (text.empty() || text.find_first_of("*?") != std::string::npos) {
          return InvalidPrincipal(field.key, text);
        }
      }
      out.services = std::move(values);
    } else if (field.key == "Federated") {
      out.federated = std::move(values);
    } else if (field.key == "CanonicalUser") {
      out.canonical_users = std::move(values);
    } else {
      return InvalidPrincipal(field.key, "");
    }
  }
  return {};
}

Status ReadConditions(element value, std::vector<ConditionEntry>& out) {
  Members operators;
  WHARF_RETURN_IF_ERROR(ReadMembers(value, operators));
  for (const auto& op_field : operators.fields()) {
    std::optional<ConditionOperator> op = ParseConditionOperator(op_field.key);
    if (!op) {
      std::string message = "Invalid Condition type : ";
      message.append(op_field.key);
      return Malformed(message);
    }
    Members keys;
    WHARF_RETURN_IF_ERROR(ReadMembers(op_field.value, keys));
    for (const auto& key_field : keys.fields()) {
      if (key_field.key.empty()) return Malformed(kSyntaxError);
      ConditionEntry entry;
      entry.operator_name = std::string(op_field.key);
      entry.op = *op;
      entry.key = std::string(key_field.key);
      WHARF_RETURN_IF_ERROR(ReadConditionValues(key_field.value, entry.values));
      out.push_back(std::move(entry));
    }
  }
  return {};
}

Status CheckActions(const std::vector<std::string>& actions) {
  for (const std::string& action : actions) {
    size_t colon = action.find(':');
    if (action != "*" && (colon == std::string::npos || colon == 0)) {
      return Malformed(
          "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.");
    }
  }
  return {};
}

Status CheckResources(const std::vector<std::string>& resources) {
  for (const std::string& resource : resources) {
    if (resource != "*" && !resource.starts_with("arn:")) {
      std::string message = "Resource ";
      message.append(resource).append(" must be in ARN format or \"*\".");
      return Malformed(message);
    }
  }
  return {};
}

class StatementReader {
 public:
  StatementReader(PolicyKind kind, const PolicyLimits& limits) : kind_(kind), limits_(limits) {}

  Status Read(element value, Statement& out) {
    Members members;
    WHARF_RETURN_IF_ERROR(ReadMembers(value, members));
    bool has_effect = false, has_action = false, has_resource = false, has_principal = false;
    size_t principal_count = 0;
    for (const auto& field : members.fields()) {
      std::string_view key = field.key;
      if (key == "Sid") {
        WHARF_RETURN_IF_ERROR(ReadString(field.value, out.sid));
      } else if (key == "Effect") {
        std::string effect;
        WHARF_RETURN_IF_ERROR(ReadString(field.value, effect));
        if (effect != "Allow" && effect != "Deny") {
          std::string message = "Invalid effect: ";
          return Malformed(message.append(effect));
        }
        out.effect = effect == "Allow" ? Effect::kAllow : Effect::kDeny;
        has_effect = true;
      } else if (key == "Action" || key == "NotAction") {
        if (has_action) return Malformed(kSyntaxError);  // both Action and NotAction
        WHARF_RETURN_IF_ERROR(ReadStringList(field.value, out.actions));
        out.not_action = key == "NotAction";
        has_action = true;
      } else if (key == "Resource" || key == "NotResource") {
        if (has_resource) return Malformed(kSyntaxError);
        WHARF_RETURN_IF_ERROR(ReadStringList(field.value, out.resources));
        out.not_resource = key == "NotResource";
        has_resource = true;
      } else if (key == "Principal" || key == "NotPrincipal") {
        if (has_principal) return Malformed(kSyntaxError);
        PrincipalSet principal;
        WHARF_RETURN_IF_ERROR(ReadPrincipal(field.value, principal, principal_count));
        out.principal = std::move(principal);
        out.not_principal = key == "NotPrincipal";
        has_principal = true;
      } else if (key == "Condition") {
        WHARF_RETURN_IF_ERROR(ReadConditions(field.value, out.conditions));
      } else {
        return Malformed(kSyntaxError);  // unknown statement key
      }
    }
    if (!has_effect) return Malformed("Missing required field Effect");
    if (!has_action) return Malformed("Policy statement must contain actions.");
    WHARF_RETURN_IF_ERROR(CheckActions(out.actions));
    WHARF_RETURN_IF_ERROR(CheckKindRules(has_principal, has_resource));
    if (has_resource) WHARF_RETURN_IF_ERROR(CheckResources(out.resources));
    return CheckLimits(out, principal_count);
  }

 private:
  Status CheckKindRules(bool has_principal, bool has_resource) const {
    switch (kind_) {
      case PolicyKind::kIdentity:
        if (has_principal) return Malformed(kPrincipalInIdentityPolicy);
        if (!has_resource) return Malformed("Policy statement must contain resources.");
        return {};
      case PolicyKind::kResource:
        if (!has_principal) return Malformed("Missing required field Principal");
        return {};
      case PolicyKind::kTrust:
        if (!has_principal) return Malformed("Missing required field Principal");
        if (has_resource) return Malformed("Has prohibited field Resource");
        return {};
    }
    return {};
  }

  Status CheckLimits(const Statement& statement, size_t principal_count) const {
    if (limits_.max_actions != 0 && statement.actions.size() > limits_.max_actions) {
      return OverQuota("ActionsPerStatement", limits_.max_actions);
    }
    if (limits_.max_principals != 0 && principal_count > limits_.max_principals) {
      return OverQuota("PrincipalsPerStatement", limits_.max_principals);
    }
    if (limits_.max_conditions != 0 && statement.conditions.size() > limits_.max_conditions) {
      return OverQuota("ConditionsPerStatement", limits_.max_conditions);
    }
    return {};
  }

  PolicyKind kind_;
  const PolicyLimits& limits_;
};

Status ReadStatements(element value, PolicyKind kind, const PolicyLimits& limits,
                      std::vector<Statement>& out) {
  StatementReader reader(kind, limits);
  if (value.type() == element_type::OBJECT) {
    out.emplace_back();
    return reader.Read(value, out.back());
  }
  simdjson::dom::array array;
  if (value.get_array().get(array) != simdjson::SUCCESS) return Malformed(kSyntaxError);
  for (element item : array) {
    if (limits.max_statements != 0 && out.size() == limits.max_statements) {
      return OverQuota("StatementsPerPolicy", limits.max_statements);
    }
    out.emplace_back();
    WHARF_RETURN_IF_ERROR(reader.Read(item, out.back()));
  }
  return {};
}

Status CheckUniqueSids(const std::vector<Statement>& statements) {
  for (size_t i = 0; i < statements.size(); ++i) {
    if (statements[i].sid.empty()) continue;
    for (size_t j = 0; j < i; ++j) {
      if (statements[j].sid == statements[i].sid) {
        return Malformed("Statement IDs (SID) in a single policy must be unique.");
      }
    }
  }
  return {};
}

}  // namespace

Result<PolicyDocument, PolicyError> ParsePolicyDocument(std::string_view json, PolicyKind kind,
                                                        const PolicyLimits& limits) {
  if (limits.max_size != 0) {
    size_t size = limits.size_ignores_whitespace ? SizeWithoutWhitespace(json) : json.size();
    if (size > limits.max_size) return OverQuota("PolicySize", limits.max_size);
  }
  simdjson::dom::parser parser;
  element root;
  if (parser.parse(json.data(), json.size()).get(root) != simdjson::SUCCESS) {
    return Malformed(kSyntaxError);
  }
  Members members;
  WHARF_RETURN_IF_ERROR(ReadMembers(root, members));
  PolicyDocument document;
  bool has_statement = false;
  for (const auto& field : members.fields()) {
    if (field.key == "Version") {
      std::string version;
      WHARF_RETURN_IF_ERROR(ReadString(field.value, version));
      if (version == "2012-10-17") {
        document.version = PolicyVersion::k2012_10_17;
      } else if (version == "2008-10-17") {
        document.version = PolicyVersion::k2008_10_17;
      } else {
        return Malformed("The policy failed legacy parsing");
      }
    } else if (field.key == "Id") {
      WHARF_RETURN_IF_ERROR(ReadString(field.value, document.id));
    } else if (field.key == "Statement") {
      WHARF_RETURN_IF_ERROR(ReadStatements(field.value, kind, limits, document.statements));
      has_statement = true;
    } else {
      return Malformed(kSyntaxError);  // unknown top-level key
    }
  }
  if (!has_statement) return Malformed("Missing required field Statement");
  WHARF_RETURN_IF_ERROR(CheckUniqueSids(document.statements));
  return document;
}

}  // namespace wharf::auth
