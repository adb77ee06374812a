#include "auth/policy/principals.h"

#include <algorithm>

#include "common/text.h"

namespace wharf::auth {
namespace {

bool IsAccountId(std::string_view text) {
  return text.size() == 12 &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// arn:<partition>:<service>::<account>:<resource> with service iam or sts, as principal ARNs
// are; fills the account and the resource part.
bool SplitPrincipalArn(std::string_view text, std::string_view& service, std::string_view& account,
                       std::string_view& resource) {
  if (!text.starts_with("arn:")) return false;
  text.remove_prefix(4);
  size_t colon = text.find(':');  // after the partition
  if (colon == 0 || colon == std::string_view::npos) return false;
  text.remove_prefix(colon + 1);
  colon = text.find(':');
  if (colon == std::string_view::npos) return false;
  service = text.substr(0, colon);
  text.remove_prefix(colon + 1);
  if (!text.starts_with(':')) return false;  // principals have no region
  text.remove_prefix(1);
  colon = text.find(':');
  if (colon == std::string_view::npos) return false;
  account = text.substr(0, colon);
  resource = text.substr(colon + 1);
  return (service == "iam" || service == "sts") && IsAccountId(account) && !resource.empty();
}

PrincipalMatch MatchAws(const AwsPrincipal& entry, const RequestPrincipal& caller) {
  switch (entry.kind) {
    case AwsPrincipal::Kind::kAnyone:
      return PrincipalMatch::kDirect;
    case AwsPrincipal::Kind::kAccount:
      return caller.type != PrincipalType::kService && entry.account_id == caller.account_id
                 ? PrincipalMatch::kAccount
                 : PrincipalMatch::kNone;
    case AwsPrincipal::Kind::kArn:
      break;
  }
  switch (caller.type) {
    case PrincipalType::kService:
      return PrincipalMatch::kNone;
    case PrincipalType::kAssumedRole:
      // A role ARN names every session of the role; a session ARN names that session.
      return entry.arn == caller.role_arn || entry.arn == caller.arn ? PrincipalMatch::kDirect
                                                                     : PrincipalMatch::kNone;
    case PrincipalType::kAccount:
    case PrincipalType::kUser:
      return entry.arn == caller.arn ? PrincipalMatch::kDirect : PrincipalMatch::kNone;
  }
  return PrincipalMatch::kNone;
}

}  // namespace

bool ParseAwsPrincipal(std::string_view text, AwsPrincipal& out) {
  out = AwsPrincipal{};
  if (text == "*") {
    out.kind = AwsPrincipal::Kind::kAnyone;
    return true;
  }
  if (IsAccountId(text)) {
    out.kind = AwsPrincipal::Kind::kAccount;
    out.account_id = std::string(text);
    return true;
  }
  // Wildcards inside principal ARNs are invalid (§2.2): policies use "*" plus ArnLike on
  // aws:PrincipalArn for that.
  if (text.find_first_of("*?") != std::string_view::npos) return false;
  std::string_view service, account, resource;
  if (!SplitPrincipalArn(text, service, account, resource)) return false;
  if (service == "iam" && resource == "root") {
    out.kind = AwsPrincipal::Kind::kAccount;
    out.account_id = std::string(account);
    return true;
  }
  bool known = service == "iam" ? resource.starts_with("user/") || resource.starts_with("role/")
                                : resource.starts_with("assumed-role/") ||
                                      resource.starts_with("federated-user/");
  if (!known) return false;
  out.kind = AwsPrincipal::Kind::kArn;
  out.arn = std::string(text);
  return true;
}

PrincipalMatch MatchPrincipal(const PrincipalSet& set, const RequestPrincipal& caller) {
  if (set.anyone) return PrincipalMatch::kDirect;
  PrincipalMatch best = PrincipalMatch::kNone;
  for (const AwsPrincipal& entry : set.aws) {
    best = std::max(best, MatchAws(entry, caller));
    if (best == PrincipalMatch::kDirect) return best;
  }
  if (caller.type == PrincipalType::kService) {
    for (const std::string& service : set.services) {
      // Service principals are DNS names, which compare case-insensitively.
      if (EqualsIgnoreCase(service, caller.service)) return PrincipalMatch::kDirect;
    }
  }
  return best;
}

}  // namespace wharf::auth
