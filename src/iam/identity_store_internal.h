#pragma once

// Helpers shared by identity_store.cc and identity_store_policies.cc: IAM's error wording and
// the policy parser's verdict in IAM's terms. Private to the iam module.

#include <algorithm>
#include <memory>
#include <string>
#include <string_view>

#include "api/error.h"
#include "auth/policy/policy_document.h"
#include "iam/identity_store.h"

namespace wharf::iam::store_internal {

using ErrorCode = api::ErrorCode;

inline api::ApiError NoSuch(std::string_view kind, std::string_view name) {
  std::string message = "The ";
  message.append(kind);
  message.append(" with name ");
  message.append(name);
  message.append(" cannot be found.");
  return api::Error(ErrorCode::kNoSuchEntity, std::move(message));
}

inline api::ApiError Conflict(std::string_view what) {
  std::string message = "Cannot delete entity, must ";
  message.append(what);
  message.append(" first.");
  return api::Error(ErrorCode::kDeleteConflict, std::move(message));
}

inline api::ApiError Quota(std::string_view name, size_t limit) {
  std::string message = "Cannot exceed quota for ";
  message.append(name);
  message.append(": ");
  message.append(std::to_string(limit));
  return api::Error(ErrorCode::kLimitExceeded, std::move(message));
}

inline std::string_view KindName(Holder holder) {
  switch (holder) {
    case Holder::kUser:
      return "user";
    case Holder::kRole:
      return "role";
    case Holder::kGroup:
      return "group";
  }
  return "user";
}

inline size_t NonWhitespace(std::string_view text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return c != ' ' && c != '\t' && c != '\n' && c != '\r';
  }));
}

// The parser's verdict in IAM's terms.
inline api::ApiResult<std::shared_ptr<const auth::PolicyDocument>> Parse(
    std::string_view json, auth::PolicyKind kind, const auth::PolicyLimits& limits,
    api::ApiError too_large) {
  auto parsed = auth::ParsePolicyDocument(json, kind, limits);
  if (!parsed.ok()) {
    if (parsed.error().kind == auth::PolicyError::Kind::kLimitExceeded) return too_large;
    return api::Error(ErrorCode::kMalformedPolicyDocument, parsed.error().message);
  }
  return std::make_shared<const auth::PolicyDocument>(std::move(parsed).value());
}

inline std::shared_ptr<const auth::PolicyDocument> ParseQuietly(std::string_view json,
                                                                auth::PolicyKind kind) {
  auto parsed = auth::ParsePolicyDocument(json, kind);
  if (!parsed.ok()) return nullptr;
  return std::make_shared<const auth::PolicyDocument>(std::move(parsed).value());
}

inline bool HasPrefix(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// The record of the user, role or group `name` (in `entities`, one account's map of them), or
// NoSuchEntity. Shared by GetUser/GetRole/GetGroup.
template <typename Entities>
auto RecordIn(const Entities* entities, std::string_view kind, const std::string& name)
    -> api::ApiResult<decltype(entities->begin()->second.r)> {
  if (entities != nullptr) {
    auto it = entities->find(NameKey(name));
    if (it != entities->end()) return it->second.r;
  }
  return NoSuch(kind, name);
}

// The records of `entities` (may be null) under `path_prefix`. Shared by the List* calls.
template <typename Entities>
auto RecordsUnder(const Entities* entities, std::string_view path_prefix)
    -> std::vector<decltype(entities->begin()->second.r)> {
  std::vector<decltype(entities->begin()->second.r)> out;
  if (entities == nullptr) return out;
  for (const auto& [key, entry] : *entities) {
    if (HasPrefix(entry.r.path, path_prefix)) out.push_back(entry.r);
  }
  return out;
}

}  // namespace wharf::iam::store_internal
