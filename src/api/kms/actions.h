#pragma once

// Typed inputs and outputs of the KMS actions Wharf serves (security.md §4.4), AWS JSON 1.1 only.
// Member names are the KMS service model's. Timestamps (CreationDate, DeletionDate, …) are JSON
// numbers of epoch seconds (§4.5); blobs (Plaintext, CiphertextBlob) are base64.
//
// Inputs keep every member optional where the model allows it to be absent, so that handlers
// can answer a missing one with KMS's own ValidationException wording.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "api/visitor.h"

namespace wharf::api::kms {

struct Empty {
  void Describe(Visitor&) {}
};

struct Tag {
  std::string tag_key;
  std::string tag_value;
  void Describe(Visitor& v) {
    v.String("TagKey", tag_key);
    v.String("TagValue", tag_value);
  }
};

// --- keys -----------------------------------------------------------------------------------

struct KeyMetadata {
  std::string aws_account_id;
  std::string key_id;  // the bare UUID (the ARN is `arn`)
  std::string arn;
  int64_t creation_date = 0;  // epoch seconds
  bool enabled = false;
  std::string description;  // "" when none: KMS always returns it
  std::string key_usage;
  std::string key_state;
  std::optional<int64_t> deletion_date;  // while PendingDeletion
  std::optional<int64_t> pending_deletion_window_in_days;
  std::string origin;
  std::string key_manager;  // CUSTOMER | AWS
  std::string customer_master_key_spec;
  std::string key_spec;
  std::vector<std::string> encryption_algorithms;
  bool multi_region = false;
  std::optional<std::string> current_key_material_id;
  void Describe(Visitor& v) {
    v.String("AWSAccountId", aws_account_id);
    v.String("KeyId", key_id);
    v.String("Arn", arn);
    v.Int("CreationDate", creation_date);
    v.Bool("Enabled", enabled);
    v.String("Description", description);
    v.String("KeyUsage", key_usage);
    v.String("KeyState", key_state);
    v.Int("DeletionDate", deletion_date);
    v.Int("PendingDeletionWindowInDays", pending_deletion_window_in_days);
    v.String("Origin", origin);
    v.String("KeyManager", key_manager);
    v.String("CustomerMasterKeySpec", customer_master_key_spec);
    v.String("KeySpec", key_spec);
    v.StringList("EncryptionAlgorithms", encryption_algorithms, true);
    v.Bool("MultiRegion", multi_region);
    v.String("CurrentKeyMaterialId", current_key_material_id);
  }
};

struct KeyMetadataOutput {
  std::optional<KeyMetadata> key_metadata;
  void Describe(Visitor& v) { Object(v, "KeyMetadata", key_metadata); }
};

struct CreateKeyInput {
  std::optional<std::string> policy;
  std::optional<std::string> description;
  std::optional<std::string> key_usage;
  std::optional<std::string> customer_master_key_spec;
  std::optional<std::string> key_spec;
  std::optional<std::string> origin;
  std::optional<std::string> custom_key_store_id;
  bool bypass_policy_lockout_safety_check = false;
  std::vector<Tag> tags;
  bool multi_region = false;
  std::optional<std::string> xks_key_id;
  void Describe(Visitor& v) {
    v.String("Policy", policy);
    v.String("Description", description);
    v.String("KeyUsage", key_usage);
    v.String("CustomerMasterKeySpec", customer_master_key_spec);
    v.String("KeySpec", key_spec);
    v.String("Origin", origin);
    v.String("CustomKeyStoreId", custom_key_store_id);
    v.Bool("BypassPolicyLockoutSafetyCheck", bypass_policy_lockout_safety_check);
    List(v, "Tags", tags);
    v.Bool("MultiRegion", multi_region);
    v.String("XksKeyId", xks_key_id);
  }
};

// DescribeKey, EnableKey, DisableKey, CancelKeyDeletion, DisableKeyRotation,
// GetKeyRotationStatus, RotateKeyOnDemand.
struct KeyIdInput {
  std::optional<std::string> key_id;
  std::vector<std::string> grant_tokens;
  void Describe(Visitor& v) {
    v.String("KeyId", key_id);
    v.StringList("GrantTokens", grant_tokens);
  }
};

// CancelKeyDeletion, RotateKeyOnDemand: the key's ARN.
struct KeyIdOutput {
  std::string key_id;
  void Describe(Visitor& v) { v.String("KeyId", key_id); }
};

struct UpdateKeyDescriptionInput {
  std::optional<std::string> key_id;
  std::optional<std::string> description;
  void Describe(Visitor& v) {
    v.String("KeyId", key_id);
    v.String("Description", description);
  }
};

struct PagedInput {
  std::optional<int64_t> limit;
  std::optional<std::string> marker;
  void Describe(Visitor& v) {
    v.Int("Limit", limit);
    v.String("Marker", marker);
  }
};

struct KeyListEntry {
  std::string key_id;
  std::string key_arn;
  void Describe(Visitor& v) {
    v.String("KeyId", key_id);
    v.String("KeyArn", key_arn);
  }
};

struct ListKeysOutput {
  std::vector<KeyListEntry> keys;
  std::optional<std::string> next_marker;
  bool truncated = false;
  void Describe(Visitor& v) {
    ListKeepEmpty(v, "Keys", keys);
    v.String("NextMarker", next_marker);
    v.Bool("Truncated", truncated);
  }
};

// --- aliases --------------------------------------------------------------------------------

struct AliasInput {  // CreateAlias, UpdateAlias, DeleteAlias (no TargetKeyId)
  std::optional<std::string> alias_name;
  std::optional<std::string> target_key_id;
  void Describe(Visitor& v) {
    v.String("AliasName", alias_name);
    v.String("TargetKeyId", target_key_id);
  }
};

struct ListAliasesInput {
  std::optional<std::string> key_id;
  std::optional<int64_t> limit;
  std::optional<std::string> marker;
  void Describe(Visitor& v) {
    v.String("KeyId", key_id);
    v.Int("Limit", limit);
    v.String("Marker", marker);
  }
};

struct AliasListEntry {
  std::string alias_name;
  std::string alias_arn;
  std::optional<std::string> target_key_id;
  std::optional<int64_t> creation_date;
  std::optional<int64_t> last_updated_date;
  void Describe(Visitor& v) {
    v.String("AliasName", alias_name);
    v.String("AliasArn", alias_arn);
    v.String("TargetKeyId", target_key_id);
    v.Int("CreationDate", creation_date);
    v.Int("LastUpdatedDate", last_updated_date);
  }
};

struct ListAliasesOutput {
  std::vector<AliasListEntry> aliases;
  std::optional<std::string> next_marker;
  bool truncated = false;
  void Describe(Visitor& v) {
    ListKeepEmpty(v, "Aliases", aliases);
    v.String("NextMarker", next_marker);
    v.Bool("Truncated", truncated);
  }
};

// --- cryptographic operations ---------------------------------------------------------------

struct EncryptInput {
  std::optional<std::string> key_id;
  std::optional<std::string> plaintext;
  StringPairs encryption_context;
  std::vector<std::string> grant_tokens;
  std::optional<std::string> encryption_algorithm;
  void Describe(Visitor& v) {
    v.String("KeyId", key_id);
    v.Blob("Plaintext", plaintext);
    v.StringMap("EncryptionContext", kKeyValue, encryption_context);
    v.StringList("GrantTokens", grant_tokens);
    v.String("EncryptionAlgorithm", encryption_algorithm);
  }
};

struct EncryptOutput {
  std::optional<std::string> ciphertext_blob;
  std::string key_id;  // the key ARN
  std::string encryption_algorithm;
  void Describe(Visitor& v) {
    v.Blob("CiphertextBlob", ciphertext_blob);
    v.String("KeyId", key_id);
    v.String("EncryptionAlgorithm", encryption_algorithm);
  }
};

struct DecryptInput {
  std::optional<std::string> ciphertext_blob;
  StringPairs encryption_context;
  std::vector<std::string> grant_tokens;
  std::optional<std::string> key_id;
  std::optional<std::string> encryption_algorithm;
  void Describe(Visitor& v) {
    v.Blob("CiphertextBlob", ciphertext_blob);
    v.StringMap("EncryptionContext", kKeyValue, encryption_context);
    v.StringList("GrantTokens", grant_tokens);
    v.String("KeyId", key_id);
    v.String("EncryptionAlgorithm", encryption_algorithm);
  }
};

struct DecryptOutput {
  std::string key_id;  // the key ARN
  std::optional<std::string> plaintext;
  std::string encryption_algorithm;
  void Describe(Visitor& v) {
    v.String("KeyId", key_id);
    v.Blob("Plaintext", plaintext);
    v.String("EncryptionAlgorithm", encryption_algorithm);
  }
};

struct ReEncryptInput {
  std::optional<std::string> ciphertext_blob;
  StringPairs source_encryption_context;
  std::optional<std::string> source_key_id;
  std::optional<std::string> destination_key_id;
  StringPairs destination_encryption_context;
  std::optional<std::string> source_encryption_algorithm;
  std::optional<std::string> destination_encryption_algorithm;
  std::vector<std::string> grant_tokens;
  void Describe(Visitor& v) {
    v.Blob("CiphertextBlob", ciphertext_blob);
    v.StringMap("SourceEncryptionContext", kKeyValue, source_encryption_context);
    v.String("SourceKeyId", source_key_id);
    v.String("DestinationKeyId", destination_key_id);
    v.StringMap("DestinationEncryptionContext", kKeyValue, destination_encryption_context);
    v.String("SourceEncryptionAlgorithm", source_encryption_algorithm);
    v.String("DestinationEncryptionAlgorithm", destination_encryption_algorithm);
    v.StringList("GrantTokens", grant_tokens);
  }
};

struct ReEncryptOutput {
  std::optional<std::string> ciphertext_blob;
  std::string source_key_id;  // ARNs
  std::string key_id;
  std::string source_encryption_algorithm;
  std::string destination_encryption_algorithm;
  void Describe(Visitor& v) {
    v.Blob("CiphertextBlob", ciphertext_blob);
    v.String("SourceKeyId", source_key_id);
    v.String("KeyId", key_id);
    v.String("SourceEncryptionAlgorithm", source_encryption_algorithm);
    v.String("DestinationEncryptionAlgorithm", destination_encryption_algorithm);
  }
};

// GenerateDataKey and GenerateDataKeyWithoutPlaintext.
struct GenerateDataKeyInput {
  std::optional<std::string> key_id;
  StringPairs encryption_context;
  std::optional<int64_t> number_of_bytes;
  std::optional<std::string> key_spec;
  std::vector<std::string> grant_tokens;
  void Describe(Visitor& v) {
    v.String("KeyId", key_id);
    v.StringMap("EncryptionContext", kKeyValue, encryption_context);
    v.Int("NumberOfBytes", number_of_bytes);
    v.String("KeySpec", key_spec);
    v.StringList("GrantTokens", grant_tokens);
  }
};

// GenerateDataKeyWithoutPlaintext leaves `plaintext` empty (so absent on the wire).
struct GenerateDataKeyOutput {
  std::optional<std::string> ciphertext_blob;
  std::optional<std::string> plaintext;
  std::string key_id;  // the key ARN
  void Describe(Visitor& v) {
    v.Blob("CiphertextBlob", ciphertext_blob);
    v.Blob("Plaintext", plaintext);
    v.String("KeyId", key_id);
  }
};

struct GenerateRandomInput {
  std::optional<int64_t> number_of_bytes;
  std::optional<std::string> custom_key_store_id;
  void Describe(Visitor& v) {
    v.Int("NumberOfBytes", number_of_bytes);
    v.String("CustomKeyStoreId", custom_key_store_id);
  }
};

struct GenerateRandomOutput {
  std::optional<std::string> plaintext;
  void Describe(Visitor& v) { v.Blob("Plaintext", plaintext); }
};

// --- key state ------------------------------------------------------------------------------

struct ScheduleKeyDeletionInput {
  std::optional<std::string> key_id;
  std::optional<int64_t> pending_window_in_days;
  void Describe(Visitor& v) {
    v.String("KeyId", key_id);
    v.Int("PendingWindowInDays", pending_window_in_days);
  }
};

struct ScheduleKeyDeletionOutput {
  std::string key_id;  // the key ARN
  int64_t deletion_date = 0;
  std::string key_state;
  int64_t pending_window_in_days = 0;
  void Describe(Visitor& v) {
    v.String("KeyId", key_id);
    v.Int("DeletionDate", deletion_date);
    v.String("KeyState", key_state);
    v.Int("PendingWindowInDays", pending_window_in_days);
  }
};

// --- key policies ---------------------------------------------------------------------------

struct GetKeyPolicyInput {
  std::optional<std::string> key_id;
  std::optional<std::string> policy_name;
  void Describe(Visitor& v) {
    v.String("KeyId", key_id);
    v.String("PolicyName", policy_name);
  }
};

struct GetKeyPolicyOutput {
  std::string policy;
  std::string policy_name;
  void Describe(Visitor& v) {
    v.String("Policy", policy);
    v.String("PolicyName", policy_name);
  }
};

struct PutKeyPolicyInput {
  std::optional<std::string> key_id;
  std::optional<std::string> policy_name;
  std::optional<std::string> policy;
  bool bypass_policy_lockout_safety_check = false;
  void Describe(Visitor& v) {
    v.String("KeyId", key_id);
    v.String("PolicyName", policy_name);
    v.String("Policy", policy);
    v.Bool("BypassPolicyLockoutSafetyCheck", bypass_policy_lockout_safety_check);
  }
};

// --- rotation -------------------------------------------------------------------------------

struct EnableKeyRotationInput {
  std::optional<std::string> key_id;
  std::optional<int64_t> rotation_period_in_days;
  void Describe(Visitor& v) {
    v.String("KeyId", key_id);
    v.Int("RotationPeriodInDays", rotation_period_in_days);
  }
};

struct GetKeyRotationStatusOutput {
  bool key_rotation_enabled = false;
  std::string key_id;  // the key ARN
  std::optional<int64_t> rotation_period_in_days;
  std::optional<int64_t> next_rotation_date;
  void Describe(Visitor& v) {
    v.Bool("KeyRotationEnabled", key_rotation_enabled);
    v.String("KeyId", key_id);
    v.Int("RotationPeriodInDays", rotation_period_in_days);
    v.Int("NextRotationDate", next_rotation_date);
  }
};

// --- tags -----------------------------------------------------------------------------------

struct TagResourceInput {
  std::optional<std::string> key_id;
  std::vector<Tag> tags;
  void Describe(Visitor& v) {
    v.String("KeyId", key_id);
    List(v, "Tags", tags);
  }
};

struct UntagResourceInput {
  std::optional<std::string> key_id;
  std::vector<std::string> tag_keys;
  void Describe(Visitor& v) {
    v.String("KeyId", key_id);
    v.StringList("TagKeys", tag_keys);
  }
};

struct ListResourceTagsInput {
  std::optional<std::string> key_id;
  std::optional<int64_t> limit;
  std::optional<std::string> marker;
  void Describe(Visitor& v) {
    v.String("KeyId", key_id);
    v.Int("Limit", limit);
    v.String("Marker", marker);
  }
};

struct ListResourceTagsOutput {
  std::vector<Tag> tags;
  std::optional<std::string> next_marker;
  bool truncated = false;
  void Describe(Visitor& v) {
    ListKeepEmpty(v, "Tags", tags);
    v.String("NextMarker", next_marker);
    v.Bool("Truncated", truncated);
  }
};

}  // namespace wharf::api::kms
