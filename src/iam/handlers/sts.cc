// STS: GetCallerIdentity, AssumeRole, GetSessionToken (security.md §3.4).

#include <algorithm>

#include "iam/handlers/common.h"
#include "iam/handlers/handlers.h"

namespace wharf::iam {
namespace {

using api::ErrorCode;
namespace sts = api::sts;

constexpr int64_t kChainedMaxSeconds = 3600;
constexpr size_t kSessionPolicyChars = 2048;  // inline session policy, packed limit basis
constexpr size_t kMaxSessionPolicyArns = 10;

api::ApiError RangeError(std::string_view member, int64_t value, int64_t min, int64_t max) {
  return api::Error(ErrorCode::kValidationError,
                    "1 validation error detected: Value '" + std::to_string(value) + "' at '" +
                        std::string(member) +
                        "' failed to satisfy constraint: Member must have value less than or "
                        "equal to " +
                        std::to_string(max) + " and greater than or equal to " +
                        std::to_string(min));
}

api::ApiError Denied(const auth::RequestPrincipal& caller, std::string_view action,
                     std::string_view resource) {
  std::string message = "User: ";
  message.append(caller.arn);
  message.append(" is not authorized to perform: ");
  message.append(action);
  message.append(" on resource: ");
  message.append(resource);
  return api::Error(ErrorCode::kAccessDenied, std::move(message));
}

sts::Credentials CredentialsOf(const auth::AccessKey& key) {
  return sts::Credentials{key.access_key_id, key.secret, key.session_token,
                          IsoTime(key.expires_at_ms)};
}

size_t NonWhitespace(std::string_view text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return c != ' ' && c != '\t' && c != '\n' && c != '\r';
  }));
}

}  // namespace

R<sts::GetCallerIdentityOutput> GetCallerIdentity(IdentityService&, const Ctx& ctx, sts::Empty&) {
  // Never authorized: AWS answers it even under an explicit deny.
  const auth::RequestPrincipal caller = CallerOf(ctx);
  return sts::GetCallerIdentityOutput{caller.unique_id, caller.account_id, caller.arn};
}

R<sts::AssumeRoleOutput> AssumeRole(IdentityService& svc, const Ctx& ctx,
                                    sts::AssumeRoleInput& in) {
  if (!in.role_arn) return MissingMember("roleArn");
  if (!in.role_session_name) return MissingMember("roleSessionName");
  if (auto st = ValidateName("roleSessionName", in.role_session_name, 64); !st.ok()) {
    return std::move(st).error();
  }
  if (in.role_session_name->size() < 2) {
    return api::Error(ErrorCode::kValidationError,
                      "1 validation error detected: Value '" + *in.role_session_name +
                          "' at 'roleSessionName' failed to satisfy constraint: Member must have "
                          "length greater than or equal to 2");
  }
  if (in.role_arn->size() < 20 || in.role_arn->size() > 2048) {
    return api::Error(ErrorCode::kValidationError,
                      "1 validation error detected: Value '" + *in.role_arn +
                          "' at 'roleArn' failed to satisfy constraint: Member must have length "
                          "greater than or equal to 20");
  }
  const int64_t duration = in.duration_seconds.value_or(3600);
  if (duration < 900 || duration > 43200)
    return RangeError("durationSeconds", duration, 900, 43200);
  if (in.external_id && (in.external_id->size() < 2 || in.external_id->size() > 1224)) {
    return api::Error(ErrorCode::kValidationError,
                      "1 validation error detected: Value at 'externalId' failed to satisfy "
                      "constraint: Member must have length less than or equal to 1224 and "
                      "greater than or equal to 2");
  }
  if (in.serial_number || in.token_code) {
    return api::Error(ErrorCode::kValidationError, "MFA is not supported by this server.");
  }

  // 1. Roots may not assume roles.
  const auth::RequestPrincipal caller = CallerOf(ctx);
  if (caller.type == auth::PrincipalType::kAccount) {
    return api::Error(ErrorCode::kAccessDenied, "Roles may not be assumed by root accounts.");
  }
  // 2. An unknown role is indistinguishable from a denied one.
  std::optional<RoleForSession> role = svc.store().FindRoleByArn(*in.role_arn);
  if (!role || !role->trust) return Denied(caller, "sts:AssumeRole", *in.role_arn);
  // 3. The trust policy is a mandatory resource policy; the caller's identity policies must
  // allow too unless the trust policy names the caller directly (same account).
  std::vector<std::pair<std::string, std::string>> keys;
  keys.emplace_back("sts:RoleSessionName", *in.role_session_name);
  if (in.external_id) keys.emplace_back("sts:ExternalId", *in.external_id);
  if (in.source_identity) keys.emplace_back("sts:SourceIdentity", *in.source_identity);
  if (auto st = svc.Authorize(ctx, "sts:AssumeRole", role->record.arn, role->record.account_id,
                              role->trust.get(), keys);
      !st.ok()) {
    return Denied(caller, "sts:AssumeRole", *in.role_arn);
  }
  if (!in.tags.empty()) {
    if (auto st = svc.Authorize(ctx, "sts:TagSession", role->record.arn, role->record.account_id,
                                role->trust.get(), keys);
        !st.ok()) {
      return Denied(caller, "sts:TagSession", *in.role_arn);
    }
  }
  if (in.source_identity) {
    if (auto st = svc.Authorize(ctx, "sts:SetSourceIdentity", role->record.arn,
                                role->record.account_id, role->trust.get(), keys);
        !st.ok()) {
      return Denied(caller, "sts:SetSourceIdentity", *in.role_arn);
    }
  }
  // 4. Duration limits.
  if (duration > role->record.max_session_duration) {
    return api::Error(ErrorCode::kValidationError,
                      "The requested DurationSeconds exceeds the MaxSessionDuration set for this "
                      "role.");
  }
  if (caller.type == auth::PrincipalType::kAssumedRole && duration > kChainedMaxSeconds) {
    return api::Error(ErrorCode::kValidationError,
                      "The requested DurationSeconds exceeds the 1 hour session limit for roles "
                      "assumed by role chaining.");
  }
  // 5. Session policies.
  std::vector<std::shared_ptr<const auth::PolicyDocument>> session_policies;
  std::vector<std::string> policy_texts;  // their JSON, carried in a sealed session token
  std::optional<int64_t> packed;
  if (in.policy) {
    const size_t size = NonWhitespace(*in.policy);
    if (size > kSessionPolicyChars) return api::Error(ErrorCode::kPackedPolicyTooLarge);
    auto parsed = auth::ParsePolicyDocument(*in.policy, auth::PolicyKind::kIdentity);
    policy_texts.push_back(*in.policy);
    if (!parsed.ok()) {
      return api::Error(ErrorCode::kMalformedPolicyDocument, parsed.error().message);
    }
    session_policies.push_back(
        std::make_shared<const auth::PolicyDocument>(std::move(parsed).value()));
    packed = static_cast<int64_t>((size * 100 + kSessionPolicyChars - 1) / kSessionPolicyChars);
  }
  if (in.policy_arns.size() > kMaxSessionPolicyArns) {
    return api::Error(ErrorCode::kValidationError,
                      "1 validation error detected: Value at 'policyArns' failed to satisfy "
                      "constraint: Member must have length less than or equal to 10");
  }
  for (const sts::PolicyDescriptor& descriptor : in.policy_arns) {
    auto view = svc.store().GetPolicy(role->record.account_id, descriptor.arn);
    if (!view.ok()) {
      return api::Error(ErrorCode::kMalformedPolicyDocument,
                        "The policy " + descriptor.arn + " does not exist or is not attachable.");
    }
    auto parsed = auth::ParsePolicyDocument(view->record.document, auth::PolicyKind::kIdentity);
    policy_texts.push_back(view->record.document);
    if (!parsed.ok()) return api::Error(ErrorCode::kMalformedPolicyDocument);
    session_policies.push_back(
        std::make_shared<const auth::PolicyDocument>(std::move(parsed).value()));
  }

  auth::RequestPrincipal principal;
  principal.type = auth::PrincipalType::kAssumedRole;
  principal.account_id = role->record.account_id;
  principal.arn = AssumedRoleArn(role->record.account_id, role->record.name, *in.role_session_name);
  principal.role_arn = role->record.arn;
  principal.unique_id = role->record.id + ":" + *in.role_session_name;
  principal.session_name = *in.role_session_name;
  auto key = svc.sessions().Issue(principal, duration, std::move(session_policies), policy_texts);

  sts::AssumeRoleOutput out;
  out.credentials = CredentialsOf(*key);
  out.assumed_role_user = sts::AssumedRoleUser{principal.unique_id, principal.arn};
  out.packed_policy_size = packed;
  out.source_identity = in.source_identity;
  return out;
}

R<sts::GetSessionTokenOutput> GetSessionToken(IdentityService& svc, const Ctx& ctx,
                                              sts::GetSessionTokenInput& in) {
  const auth::RequestPrincipal caller = CallerOf(ctx);
  if (caller.type != auth::PrincipalType::kUser && caller.type != auth::PrincipalType::kAccount) {
    return api::Error(ErrorCode::kAccessDenied,
                      "Cannot call GetSessionToken with session credentials");
  }
  if (ctx.caller && ctx.caller->temporary()) {
    return api::Error(ErrorCode::kAccessDenied,
                      "Cannot call GetSessionToken with session credentials");
  }
  const bool root = caller.type == auth::PrincipalType::kAccount;
  const int64_t max = root ? 3600 : 129600;
  const int64_t duration = in.duration_seconds.value_or(root ? 3600 : 43200);
  if (duration < 900 || duration > max) return RangeError("durationSeconds", duration, 900, max);
  if (in.serial_number || in.token_code) {
    return api::Error(ErrorCode::kValidationError, "MFA is not supported by this server.");
  }
  auto key = svc.sessions().Issue(caller, duration, {});
  return sts::GetSessionTokenOutput{CredentialsOf(*key)};
}

}  // namespace wharf::iam
