#include "kms/policies.h"

namespace wharf::kms {

std::string DefaultKeyPolicy(std::string_view account) {
  std::string policy =
      R"({"Version":"2012-10-17","Id":"key-default-1","Statement":[{"Sid":"Enable IAM User )"
      R"(Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::)";
  policy.append(account);
  policy.append(R"(:root"},"Action":"kms:*","Resource":"*"}]})");
  return policy;
}

std::string AwsManagedSqsPolicy(std::string_view account, std::string_view region) {
  std::string policy =
      R"({"Version":"2012-10-17","Id":"auto-sqs-2","Statement":[{"Sid":"Allow access through )"
      R"(Simple Queue Service (SQS) for all principals in the account that are authorized to )"
      R"(use SQS","Effect":"Allow","Principal":{"AWS":"*"},"Action":["kms:Encrypt",)"
      R"("kms:Decrypt","kms:ReEncrypt*","kms:GenerateDataKey*","kms:CreateGrant",)"
      R"("kms:DescribeKey"],"Resource":"*","Condition":{"StringEquals":{"kms:ViaService":"sqs.)";
  policy.append(region);
  policy.append(R"(.amazonaws.com","kms:CallerAccount":")");
  policy.append(account);
  policy.append(
      R"("}}},{"Sid":"Allow direct access to key metadata to the account","Effect":"Allow",)"
      R"("Principal":{"AWS":"arn:aws:iam::)");
  policy.append(account);
  policy.append(R"(:root"},"Action":["kms:Describe*","kms:Get*","kms:List*","kms:RevokeGrant"],)"
                R"("Resource":"*"}]})");
  return policy;
}

api::ApiResult<std::shared_ptr<const auth::PolicyDocument>> ParseKeyPolicy(std::string_view text) {
  if (text.size() > kMaxKeyPolicySize) {
    return api::Error(
        api::ErrorCode::kLimitExceeded,
        "Policy size exceeds the limit of " + std::to_string(kMaxKeyPolicySize) + " bytes.");
  }
  auto parsed = auth::ParsePolicyDocument(text, auth::PolicyKind::kResource);
  if (!parsed.ok()) {
    std::string message = parsed.error().message;
    if (message.empty()) message = "The policy document is not valid.";
    return api::Error(api::ErrorCode::kMalformedPolicyDocument, std::move(message));
  }
  return std::make_shared<const auth::PolicyDocument>(std::move(parsed).value());
}

}  // namespace wharf::kms
