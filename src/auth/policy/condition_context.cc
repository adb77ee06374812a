#include "auth/policy/condition_context.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace wharf::auth {
namespace {

char FoldAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c; }

std::string_view TypeName(PrincipalType type) {
  switch (type) {
    case PrincipalType::kAccount:
      return "Account";
    case PrincipalType::kUser:
      return "User";
    case PrincipalType::kAssumedRole:
      return "AssumedRole";
    case PrincipalType::kService:
      return "Service";
  }
  return "";
}

}  // namespace

bool ConditionContext::LessIgnoreCase::operator()(std::string_view a, std::string_view b) const {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(),
                                      [](char x, char y) { return FoldAscii(x) < FoldAscii(y); });
}

void ConditionContext::Set(std::string_view key, std::vector<std::string> values) {
  auto it = values_.find(key);
  if (it != values_.end()) {
    it->second = std::move(values);
  } else {
    values_.emplace(std::string(key), std::move(values));
  }
}

void ConditionContext::Set(std::string_view key, std::string value) {
  std::vector<std::string> values;
  values.push_back(std::move(value));
  Set(key, std::move(values));
}

void ConditionContext::Remove(std::string_view key) {
  auto it = values_.find(key);
  if (it != values_.end()) values_.erase(it);
}

const std::vector<std::string>* ConditionContext::Find(std::string_view key) const {
  auto it = values_.find(key);
  return it == values_.end() ? nullptr : &it->second;
}

void AddPrincipalKeys(const RequestPrincipal& principal, ConditionContext& context) {
  if (principal.type == PrincipalType::kService) return;  // §2.4: signed requests only
  // For a role session aws:PrincipalArn is the role, not the session (security.md mistake 6).
  context.Set("aws:PrincipalArn",
              principal.type == PrincipalType::kAssumedRole ? principal.role_arn : principal.arn);
  context.Set("aws:PrincipalAccount", principal.account_id);
  context.Set("aws:PrincipalType", std::string(TypeName(principal.type)));
  context.Set("aws:userid", principal.type == PrincipalType::kAccount && principal.unique_id.empty()
                                ? principal.account_id
                                : principal.unique_id);
  if (principal.type == PrincipalType::kUser) context.Set("aws:username", principal.user_name);
}

void AddTimeKeys(int64_t wall_millis, ConditionContext& context) {
  context.Set("aws:CurrentTime", FormatIso8601(wall_millis));
  int64_t seconds = wall_millis >= 0 ? wall_millis / 1000 : -((-wall_millis + 999) / 1000);
  context.Set("aws:EpochTime", std::to_string(seconds));
}

std::string FormatIso8601(int64_t wall_millis) {
  using namespace std::chrono;
  sys_seconds time = floor<seconds>(sys_time<milliseconds>(milliseconds(wall_millis)));
  sys_days day = floor<days>(time);
  year_month_day date(day);
  hh_mm_ss clock(time - day);
  char text[32];
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
                static_cast<int>(clock.seconds().count()));
  return text;
}

}  // namespace wharf::auth
