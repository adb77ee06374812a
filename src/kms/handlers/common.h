#pragma once

// What several KMS handlers share: KeyMetadata of a key, paging, tags, alias names, the
// symmetric encryption algorithm, and the data-key generation both GenerateDataKey actions run.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/error.h"
#include "api/kms/actions.h"
#include "api/request_context.h"
#include "kms/key_store.h"
#include "kms/service.h"

namespace wharf::kms {

inline constexpr std::string_view kSymmetricDefault = "SYMMETRIC_DEFAULT";

api::kms::KeyMetadata MetadataOf(const KeyView& key);

// Limit (1–1000, default 100) and Marker (1–320 characters) of the List* actions.
api::ApiStatus CheckPaging(const std::optional<int64_t>& limit,
                           const std::optional<std::string>& marker);
size_t PageSizeOf(const std::optional<int64_t>& limit);

// Tags of CreateKey and TagResource: keys 1–128, values 0–256 characters, no "aws:" prefix.
api::ApiResult<std::vector<std::pair<std::string, std::string>>> ValidateTags(
    const std::vector<api::kms::Tag>& tags);

// AliasName of CreateAlias/UpdateAlias/DeleteAlias: the model's pattern, the "alias/" prefix,
// and not "alias/aws/…" (reserved for AWS-managed keys).
api::ApiStatus ValidateAliasName(const std::optional<std::string>& name);

// An EncryptionAlgorithm member: absent or SYMMETRIC_DEFAULT; another valid algorithm is
// InvalidKeyUsageException for a symmetric key.
api::ApiStatus CheckEncryptionAlgorithm(std::string_view field,
                                        const std::optional<std::string>& algorithm);

// GenerateDataKey and GenerateDataKeyWithoutPlaintext.
api::ApiResult<api::kms::GenerateDataKeyOutput> GenerateDataKeyFor(
    KeyService& service, const api::RequestContext& ctx, api::kms::GenerateDataKeyInput& in,
    bool with_plaintext);

inline int64_t EpochSeconds(int64_t millis) { return millis / 1000; }

}  // namespace wharf::kms
