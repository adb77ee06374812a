#include "iam/workload_credentials.h"

#include <openssl/crypto.h>

#include "auth/policy/condition_context.h"
#include "auth/policy/evaluator.h"
#include "iam/identifiers.h"

namespace wharf::iam {
namespace {

// Tokens compared in constant time: a workload must not learn another's token byte by byte.
bool SameToken(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

WorkloadCredentials::Answer Refused(uint16_t status, std::string_view message) {
  std::string body = R"({"code":"AccessDenied","message":")";
  body.append(message);
  body.append("\"}");
  return {status, std::move(body)};
}

// Role ARNs, key ids, secrets (base64) and session tokens contain nothing JSON must escape.
void AppendMember(std::string& out, std::string_view name, std::string_view value) {
  if (out.size() > 1) out.push_back(',');
  out.push_back('"');
  out.append(name);
  out.append("\":\"");
  out.append(value);
  out.push_back('"');
}

}  // namespace

WorkloadCredentials::Answer WorkloadCredentials::Serve(std::string_view authorization) const {
  const WorkloadBinding* binding = nullptr;
  for (const WorkloadBinding& b : bindings_) {
    if (!authorization.empty() && SameToken(b.token, authorization)) binding = &b;
  }
  if (binding == nullptr) return Refused(401, "Missing or unknown authorization token.");

  std::optional<RoleForSession> role = identities_.FindRoleByArn(binding->role_arn);
  if (!role || !role->trust) return Refused(403, "The role of this workload does not exist.");
  // The trust policy must let workloads (the ECS tasks service principal) assume the role.
  auth::RequestPrincipal service;
  service.type = auth::PrincipalType::kService;
  service.service = std::string(kWorkloadServicePrincipal);
  auth::ConditionContext conditions;
  auth::AddTimeKeys(clock_.WallMillis(), conditions);
  auth::AuthorizationRequest request;
  request.principal = &service;
  request.action = "sts:AssumeRole";
  request.resource = role->record.arn;
  request.resource_account = role->record.account_id;
  request.resource_policy_role = auth::ResourcePolicyRole::kMandatory;
  request.resource_policy = auth::PolicyRef{"trust policy", role->trust.get()};
  request.context = &conditions;
  if (!auth::Evaluate(request).allowed()) {
    return Refused(403, "The role's trust policy does not allow ecs-tasks.amazonaws.com.");
  }

  auth::RequestPrincipal principal;
  principal.type = auth::PrincipalType::kAssumedRole;
  principal.account_id = role->record.account_id;
  principal.arn = AssumedRoleArn(role->record.account_id, role->record.name, binding->session_name);
  principal.role_arn = role->record.arn;
  principal.unique_id = role->record.id + ":" + binding->session_name;
  principal.session_name = binding->session_name;
  const int64_t duration =
      std::min<int64_t>(binding->duration_seconds, role->record.max_session_duration);
  auto key = sessions_.Issue(std::move(principal), duration, {});

  // The container credential provider's format (what the ECS agent serves).
  std::string body = "{";
  AppendMember(body, "AccessKeyId", key->access_key_id);
  AppendMember(body, "SecretAccessKey", key->secret);
  AppendMember(body, "Token", key->session_token);
  AppendMember(body, "Expiration", IsoTime(key->expires_at_ms));
  AppendMember(body, "RoleArn", role->record.arn);
  body.push_back('}');
  return {200, std::move(body)};
}

}  // namespace wharf::iam
