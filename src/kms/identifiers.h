#pragma once

// KMS identifiers (security.md §4.4): key ids (UUIDs), key ARNs, alias names and alias ARNs,
// how a KeyId parameter names a key, and the alias-name rules.
// Pure functions; thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "kms/blob.h"

namespace wharf::kms {

// The four ways a KeyId names a key.
enum class KeyRefKind : uint8_t { kKeyId, kKeyArn, kAliasName, kAliasArn };

struct KeyRef {
  KeyRefKind kind = KeyRefKind::kKeyId;
  std::string account_id;  // where the key or alias is looked up
  std::string key_id;      // kKeyId, kKeyArn: the UUID
  std::string alias_name;  // kAliasName, kAliasArn: "alias/…"
  std::string text;        // as the caller wrote it (error messages)

  bool is_alias() const { return kind == KeyRefKind::kAliasName || kind == KeyRefKind::kAliasArn; }
};

// Parses a KeyId: a bare id or alias name is in `caller_account`; an ARN names its own account
// and must be a KMS ARN of `region`. Nullopt for anything else (KMS: "Invalid keyId …").
std::optional<KeyRef> ParseKeyRef(std::string_view text, std::string_view caller_account,
                                  std::string_view region);

std::string KeyArn(std::string_view region, std::string_view account, std::string_view key_id);
std::string AliasArn(std::string_view region, std::string_view account,
                     std::string_view alias_name);

// "1234abcd-12ab-34cd-56ef-1234567890ab": 8-4-4-4-12 lower-case hex digits.
bool IsKeyId(std::string_view text);
std::optional<KeyUuid> KeyUuidOf(std::string_view key_id);
std::string KeyIdOf(const KeyUuid& uuid);
// A fresh random (version 4) key id.
std::string NewKeyId();

inline constexpr std::string_view kAliasPrefix = "alias/";
inline constexpr std::string_view kAwsAliasPrefix = "alias/aws/";
inline constexpr size_t kMaxAliasNameSize = 256;

// Alias names: 1–256 characters of [a-zA-Z0-9:/_-] (the model's pattern).
bool MatchesAliasPattern(std::string_view name);

}  // namespace wharf::kms
