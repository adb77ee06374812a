#include "kms/handlers/common.h"

#include <set>

#include "common/hashing.h"
#include "kms/identifiers.h"
#include "kms/validation.h"

namespace wharf::kms {

using api::ErrorCode;

api::kms::KeyMetadata MetadataOf(const KeyView& key) {
  api::kms::KeyMetadata m;
  m.aws_account_id = key.account_id;
  m.key_id = key.key_id;
  m.arn = key.arn;
  m.creation_date = EpochSeconds(key.created_ms);
  m.enabled = key.state == KeyState::kEnabled;
  m.description = key.description;
  m.key_usage = "ENCRYPT_DECRYPT";
  m.key_state = std::string(KeyStateName(key.state));
  if (key.state == KeyState::kPendingDeletion) {
    m.deletion_date = EpochSeconds(key.deletion_ms);
    m.pending_deletion_window_in_days = key.pending_window_days;
  }
  m.origin = "AWS_KMS";
  m.key_manager = key.manager == KeyManager::kAws ? "AWS" : "CUSTOMER";
  m.customer_master_key_spec = std::string(kSymmetricDefault);
  m.key_spec = std::string(kSymmetricDefault);
  m.encryption_algorithms = {std::string(kSymmetricDefault)};
  m.multi_region = false;
  // An opaque, stable name for the current material version (64 hex digits, like AWS's).
  m.current_key_material_id =
      HexLower(Sha256Of(key.key_id + "/" + std::to_string(key.current_version)));
  return m;
}

api::ApiStatus CheckPaging(const std::optional<int64_t>& limit,
                           const std::optional<std::string>& marker) {
  if (auto valid = CheckRange("limit", limit, 1, 1000); !valid.ok()) return valid;
  return CheckLength("marker", marker, 1, 320);
}

size_t PageSizeOf(const std::optional<int64_t>& limit) {
  return limit ? static_cast<size_t>(*limit) : 100;
}

api::ApiResult<std::vector<std::pair<std::string, std::string>>> ValidateTags(
    const std::vector<api::kms::Tag>& tags) {
  std::vector<std::pair<std::string, std::string>> out;
  std::set<std::string_view> seen;
  for (const api::kms::Tag& tag : tags) {
    if (auto valid = CheckLength("tags.member.tagKey", tag.tag_key, 1, 128); !valid.ok()) {
      return std::move(valid).error();
    }
    if (auto valid = CheckLength("tags.member.tagValue", tag.tag_value, 0, 256); !valid.ok()) {
      return std::move(valid).error();
    }
    if (tag.tag_key.substr(0, 4) == "aws:") {
      return api::Error(ErrorCode::kTagException, "Tags beginning with aws: are reserved.");
    }
    if (!seen.insert(tag.tag_key).second) {
      return api::Error(ErrorCode::kTagException, "Duplicate tag keys");
    }
    out.emplace_back(tag.tag_key, tag.tag_value);
  }
  return out;
}

api::ApiStatus ValidateAliasName(const std::optional<std::string>& name) {
  if (auto valid = RequireLength("aliasName", name, 1, kMaxAliasNameSize); !valid.ok()) {
    return valid;
  }
  if (!MatchesAliasPattern(*name)) {
    return ConstraintViolation("aliasName", "'" + *name + "'",
                               "Member must satisfy regular expression pattern: "
                               "^[a-zA-Z0-9:/_-]+$");
  }
  if (name->substr(0, kAliasPrefix.size()) != kAliasPrefix) {
    return api::Error(ErrorCode::kValidationError,
                      "Alias must start with the prefix \"alias/\". Please see "
                      "https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html");
  }
  if (name->size() == kAliasPrefix.size()) {
    return api::Error(ErrorCode::kInvalidAliasName, "Alias name must not be empty after alias/");
  }
  if (name->substr(0, kAwsAliasPrefix.size()) == kAwsAliasPrefix) {
    return api::Error(ErrorCode::kInvalidAliasName,
                      "Alias names beginning with alias/aws/ are reserved for AWS managed keys.");
  }
  return {};
}

api::ApiStatus CheckEncryptionAlgorithm(std::string_view field,
                                        const std::optional<std::string>& algorithm) {
  if (auto valid =
          CheckEnum(field, algorithm,
                    {"SYMMETRIC_DEFAULT", "RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256", "SM2PKE"});
      !valid.ok()) {
    return valid;
  }
  if (algorithm && *algorithm != kSymmetricDefault) {
    return api::Error(ErrorCode::kInvalidKeyUsage,
                      "The encryption algorithm " + *algorithm +
                          " is not compatible with a SYMMETRIC_DEFAULT key.");
  }
  return {};
}

api::ApiResult<api::kms::GenerateDataKeyOutput> GenerateDataKeyFor(
    KeyService& service, const api::RequestContext& ctx, api::kms::GenerateDataKeyInput& in,
    bool with_plaintext) {
  if (auto valid = CheckEnum("keySpec", in.key_spec, {"AES_256", "AES_128"}); !valid.ok()) {
    return std::move(valid).error();
  }
  if (auto valid = CheckRange("numberOfBytes", in.number_of_bytes, 1, 1024); !valid.ok()) {
    return std::move(valid).error();
  }
  if (in.key_spec && in.number_of_bytes) {
    return api::Error(ErrorCode::kValidationError,
                      "Please specify either number of bytes or key spec.");
  }
  if (!in.key_spec && !in.number_of_bytes) {
    return api::Error(ErrorCode::kValidationError, "NumberOfBytes is required.");
  }
  const size_t size = in.number_of_bytes          ? static_cast<size_t>(*in.number_of_bytes)
                      : *in.key_spec == "AES_128" ? 16
                                                  : 32;
  const EncryptionContext context = ContextOf(in.encryption_context);
  auto key = service.KeyFor(ctx, in.key_id, {}, &context);
  if (!key.ok()) return std::move(key).error();
  SecretString plaintext(RandomPrivateBytes(size));
  auto blob = service.store().Encrypt(key->key_id, plaintext.value, context);
  if (!blob.ok()) return std::move(blob).error();
  api::kms::GenerateDataKeyOutput out;
  out.ciphertext_blob = std::move(blob).value();
  if (with_plaintext) out.plaintext = plaintext.value;
  out.key_id = key->arn;
  return out;
}

}  // namespace wharf::kms
