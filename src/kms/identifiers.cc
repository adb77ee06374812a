#include "kms/identifiers.h"

#include <algorithm>

#include "kms/crypto.h"

namespace wharf::kms {
namespace {

constexpr std::string_view kArnPrefix = "arn:aws:kms:";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

bool IsAccountId(std::string_view text) {
  return text.size() == 12 &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::optional<KeyRef> ParseKeyRef(std::string_view text, std::string_view caller_account,
                                  std::string_view region) {
  KeyRef ref;
  ref.text = std::string(text);
  if (text.substr(0, kArnPrefix.size()) == kArnPrefix) {
    // arn:aws:kms:<region>:<account>:key/<id> | alias/<name>
    std::string_view rest = text.substr(kArnPrefix.size());
    const size_t region_end = rest.find(':');
    if (region_end == std::string_view::npos || rest.substr(0, region_end) != region) {
      return std::nullopt;
    }
    rest.remove_prefix(region_end + 1);
    const size_t account_end = rest.find(':');
    if (account_end == std::string_view::npos || !IsAccountId(rest.substr(0, account_end))) {
      return std::nullopt;
    }
    ref.account_id = std::string(rest.substr(0, account_end));
    const std::string_view resource = rest.substr(account_end + 1);
    if (resource.substr(0, 4) == "key/" && IsKeyId(resource.substr(4))) {
      ref.kind = KeyRefKind::kKeyArn;
      ref.key_id = std::string(resource.substr(4));
      return ref;
    }
    if (resource.substr(0, kAliasPrefix.size()) == kAliasPrefix && resource.size() > 6) {
      ref.kind = KeyRefKind::kAliasArn;
      ref.alias_name = std::string(resource);
      return ref;
    }
    return std::nullopt;
  }
  ref.account_id = std::string(caller_account);
  if (text.substr(0, kAliasPrefix.size()) == kAliasPrefix && text.size() > kAliasPrefix.size()) {
    ref.kind = KeyRefKind::kAliasName;
    ref.alias_name = std::string(text);
    return ref;
  }
  if (IsKeyId(text)) {
    ref.kind = KeyRefKind::kKeyId;
    ref.key_id = std::string(text);
    return ref;
  }
  return std::nullopt;
}

std::string KeyArn(std::string_view region, std::string_view account, std::string_view key_id) {
  std::string arn(kArnPrefix);
  arn.append(region).append(":").append(account).append(":key/").append(key_id);
  return arn;
}

std::string AliasArn(std::string_view region, std::string_view account,
                     std::string_view alias_name) {
  std::string arn(kArnPrefix);
  arn.append(region).append(":").append(account).append(":").append(alias_name);
  return arn;
}

bool IsKeyId(std::string_view text) {
  if (text.size() != 36) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? text[i] != '-' : HexValue(text[i]) < 0) return false;
  }
  return true;
}

std::optional<KeyUuid> KeyUuidOf(std::string_view key_id) {
  if (!IsKeyId(key_id)) return std::nullopt;
  KeyUuid uuid{};
  size_t n = 0;
  for (size_t i = 0; i < key_id.size(); ++i) {
    if (key_id[i] == '-') continue;
    const int hi = HexValue(key_id[i]);
    const int lo = HexValue(key_id[++i]);
    uuid[n++] = static_cast<uint8_t>((hi << 4) | lo);
  }
  return uuid;
}

std::string KeyIdOf(const KeyUuid& uuid) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (size_t i = 0; i < uuid.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[uuid[i] >> 4]);
    out.push_back(kHex[uuid[i] & 15]);
  }
  return out;
}

std::string NewKeyId() {
  KeyUuid uuid{};
  RandomPublicBytes(uuid.data(), uuid.size());
  uuid[6] = static_cast<uint8_t>((uuid[6] & 0x0f) | 0x40);  // version 4
  uuid[8] = static_cast<uint8_t>((uuid[8] & 0x3f) | 0x80);  // RFC 4122 variant
  return KeyIdOf(uuid);
}

bool MatchesAliasPattern(std::string_view name) {
  if (name.empty() || name.size() > kMaxAliasNameSize) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ':' ||
           c == '/' || c == '_' || c == '-';
  });
}

}  // namespace wharf::kms
