#include "sqs/queue_policy_edit.h"

#include <simdjson.h>

#include <algorithm>
#include <cctype>

#include "auth/policy/sqs_permissions.h"

namespace wharf::sqs {
namespace {

using api::ErrorCode;

constexpr size_t kMaxLabelLength = 80;
constexpr size_t kMaxActions = 7;

api::ApiError InvalidParameter(std::string_view value, std::string_view parameter,
                               std::string_view reason) {
  std::string message = "Value ";
  message.append(value);
  message.append(" for parameter ");
  message.append(parameter);
  message.append(" is invalid. Reason: ");
  message.append(reason);
  return api::Error(ErrorCode::kInvalidParameterValue, std::move(message));
}

bool IsLabel(std::string_view label) {
  return !label.empty() && label.size() <= kMaxLabelLength &&
         std::all_of(label.begin(), label.end(),
                     [](unsigned char c) { return std::isalnum(c) || c == '_' || c == '-'; });
}

bool IsAccountId(std::string_view id) {
  return id.size() == 12 &&
         std::all_of(id.begin(), id.end(), [](unsigned char c) { return std::isdigit(c); });
}

// Labels, account ids, action names and queue ARNs contain no character JSON must escape
// (all validated above or by the queue-name rules), so they are written as they are.
void AppendString(std::string& out, std::string_view text) {
  out.push_back('"');
  out.append(text);
  out.push_back('"');
}

// One value, or an array when there are several: the form AWS writes (§2.15).
void AppendOneOrMany(std::string& out, const std::vector<std::string>& values) {
  if (values.size() == 1) return AppendString(out, values.front());
  out.push_back('[');
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out.push_back(',');
    AppendString(out, values[i]);
  }
  out.push_back(']');
}

std::string StatementFor(std::string_view queue_arn, const PermissionGrant& grant) {
  std::vector<std::string> principals;
  for (const std::string& id : grant.account_ids) {
    std::string arn = "arn:aws:iam::";
    arn.append(id);
    arn.append(":root");
    principals.push_back(std::move(arn));
  }
  std::vector<std::string> actions;
  for (const std::string& action : grant.actions) {
    std::string qualified = "SQS:";
    qualified.append(action);
    actions.push_back(std::move(qualified));
  }
  std::string out = "{\"Sid\":";
  AppendString(out, grant.label);
  out.append(",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":");
  AppendOneOrMany(out, principals);
  out.append("},\"Action\":");
  AppendOneOrMany(out, actions);
  out.append(",\"Resource\":");
  AppendString(out, queue_arn);
  out.push_back('}');
  return out;
}

// A stored policy taken apart: its other top-level members (kept verbatim, minified) and its
// statements.
struct PolicyParts {
  std::vector<std::pair<std::string, std::string>> members;  // key, JSON value
  std::vector<std::string> statements;                       // JSON objects
  std::vector<std::string> sids;                             // parallel to statements
};

std::optional<PolicyParts> TakeApart(std::string_view text) {
  simdjson::dom::parser parser;
  simdjson::dom::object root;
  if (parser.parse(text.data(), text.size()).get(root) != simdjson::SUCCESS) return std::nullopt;
  PolicyParts parts;
  for (auto [key, value] : root) {
    if (key != "Statement") {
      parts.members.emplace_back(std::string(key), simdjson::minify(value));
      continue;
    }
    auto add = [&parts](simdjson::dom::element statement) {
      std::string_view sid;
      // A statement without a string Sid has none (sid stays empty).
      if (statement.is_object() && statement["Sid"].get(sid) != simdjson::SUCCESS) sid = {};
      parts.sids.emplace_back(sid);
      parts.statements.push_back(simdjson::minify(statement));
    };
    simdjson::dom::array list;
    if (value.get(list) == simdjson::SUCCESS) {
      for (simdjson::dom::element statement : list) add(statement);
    } else {
      add(value);
    }
  }
  return parts;
}

std::string PutTogether(const PolicyParts& parts) {
  std::string out = "{";
  for (const auto& [key, value] : parts.members) {
    AppendString(out, key);  // keys of a document that parsed: re-emitted as they were read
    out.push_back(':');
    out.append(value);
    out.push_back(',');
  }
  out.append("\"Statement\":[");
  for (size_t i = 0; i < parts.statements.size(); ++i) {
    if (i > 0) out.push_back(',');
    out.append(parts.statements[i]);
  }
  out.append("]}");
  return out;
}

}  // namespace

api::ApiResult<std::string> AddPermissionTo(const std::optional<std::string>& policy,
                                            std::string_view queue_arn,
                                            const PermissionGrant& grant) {
  if (grant.label.empty())
    return api::Error(ErrorCode::kMissingParameter,
                      "The request must contain the parameter Label.");
  if (!IsLabel(grant.label)) {
    return InvalidParameter(grant.label, "Label",
                            "Can only include alphanumeric characters, hyphens, or underscores. "
                            "1 to 80 in length");
  }
  if (grant.account_ids.empty()) {
    return api::Error(ErrorCode::kMissingParameter,
                      "The request must contain the parameter AWSAccountIds.");
  }
  if (grant.actions.empty()) {
    return api::Error(ErrorCode::kMissingParameter,
                      "The request must contain the parameter Actions.");
  }
  for (const std::string& id : grant.account_ids) {
    if (!IsAccountId(id)) {
      return InvalidParameter(id, "AWSAccountIds",
                              "AddPermission does not support adding a non-account principal.");
    }
  }
  if (grant.actions.size() > kMaxActions) {
    return api::Error(ErrorCode::kOverLimit, std::to_string(grant.actions.size()) +
                                                 " Actions were found, maximum allowed is 7.");
  }
  for (const std::string& action : grant.actions) {
    switch (auth::ClassifyAddPermissionAction(action)) {
      case auth::AddPermissionAction::kAccepted:
        break;
      case auth::AddPermissionAction::kOwnerOnly:
        return InvalidParameter("SQS:" + action, "ActionName",
                                "Only the queue owner is allowed to invoke this action.");
      case auth::AddPermissionAction::kUnknown:
        return InvalidParameter("SQS:" + action, "ActionName",
                                "Please refer to the appropriate WSDL for a list of valid "
                                "actions.");
    }
  }

  PolicyParts parts;
  if (policy) {
    auto existing = TakeApart(*policy);
    if (!existing) return api::Error(ErrorCode::kInternalFailure);  // validated when stored
    parts = std::move(*existing);
    if (std::find(parts.sids.begin(), parts.sids.end(), grant.label) != parts.sids.end()) {
      return InvalidParameter(grant.label, "Label", "Already exists.");
    }
  } else {
    parts.members.emplace_back("Version", "\"2008-10-17\"");
    std::string id = "\"";
    id.append(queue_arn);
    id.append("/SQSDefaultPolicy\"");
    parts.members.emplace_back("Id", std::move(id));
  }
  parts.statements.push_back(StatementFor(queue_arn, grant));
  return PutTogether(parts);
}

api::ApiResult<std::optional<std::string>> RemovePermissionFrom(
    const std::optional<std::string>& policy, std::string_view label) {
  if (label.empty()) {
    return api::Error(ErrorCode::kMissingParameter,
                      "The request must contain the parameter Label.");
  }
  std::optional<PolicyParts> parts;
  if (policy) parts = TakeApart(*policy);
  if (!parts) return InvalidParameter(label, "Label", "can't find label.");
  const auto found = std::find(parts->sids.begin(), parts->sids.end(), label);
  if (found == parts->sids.end()) return InvalidParameter(label, "Label", "can't find label.");
  const size_t index = static_cast<size_t>(found - parts->sids.begin());
  parts->statements.erase(parts->statements.begin() + static_cast<std::ptrdiff_t>(index));
  parts->sids.erase(found);
  if (parts->statements.empty()) return std::optional<std::string>();
  return std::optional<std::string>(PutTogether(*parts));
}

}  // namespace wharf::sqs
