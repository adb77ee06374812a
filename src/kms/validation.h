#pragma once

// KMS's input validation messages (AWS's model constraints, as every AWS JSON service words
// them): "1 validation error detected: Value '0' at 'numberOfBytes' failed to satisfy constraint:
// Member must have value greater than or equal to 1" (security.md §4.4). Field names are the
// members' lowerCamel names. Values of sensitive members (plaintexts, blobs) are not echoed.

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "api/error.h"

namespace wharf::kms {

// ValidationException "1 validation error detected: Value <value> at '<field>' failed to satisfy
// constraint: <constraint>"; `quoted_value` is written as given ("null", "'x'" or "" for a
// sensitive one).
api::ApiError ConstraintViolation(std::string_view field, std::string_view quoted_value,
                                  std::string_view constraint);

// "Member must not be null" unless present.
api::ApiStatus RequirePresent(std::string_view field, const std::optional<std::string>& value);
// A required string member of min..max characters.
api::ApiStatus RequireLength(std::string_view field, const std::optional<std::string>& value,
                             size_t min, size_t max);
// An optional string member: checked only when present.
api::ApiStatus CheckLength(std::string_view field, const std::optional<std::string>& value,
                           size_t min, size_t max);
// A sensitive blob member (Plaintext, CiphertextBlob): required, min..max bytes, not echoed.
api::ApiStatus RequireBlobLength(std::string_view field, const std::optional<std::string>& value,
                                 size_t min, size_t max);
// An optional integer member in min..max.
api::ApiStatus CheckRange(std::string_view field, const std::optional<int64_t>& value, int64_t min,
                          int64_t max);
// An optional member that must be one of `allowed` ("[AES_256, AES_128]").
api::ApiStatus CheckEnum(std::string_view field, const std::optional<std::string>& value,
                         std::initializer_list<std::string_view> allowed);

}  // namespace wharf::kms
