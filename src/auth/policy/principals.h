#pragma once

// Principals on both sides of a policy (security.md §2.2): who made the request
// (RequestPrincipal) and whom a Principal/NotPrincipal element names (PrincipalSet), and how
// strongly the one matches the other.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wharf::auth {

enum class PrincipalType : uint8_t {
  kAccount,      // the account's root credentials
  kUser,         // an IAM user
  kAssumedRole,  // an STS role session
  kService,      // an AWS service acting on its own behalf (sns.amazonaws.com)
};

struct RequestPrincipal {
  PrincipalType type = PrincipalType::kUser;
  std::string account_id;  // empty for a service principal
  // arn:aws:iam::<acct>:root, arn:aws:iam::<acct>:user/<path><name>,
  // arn:aws:sts::<acct>:assumed-role/<role>/<session>; empty for a service principal.
  std::string arn;
  std::string role_arn;      // role sessions: arn:aws:iam::<acct>:role/<path><name>
  std::string service;       // service principals: "sns.amazonaws.com"
  std::string user_name;     // IAM users only
  std::string unique_id;     // users AIDA…, sessions AROA…:<session>, root: the account id
  std::string session_name;  // role sessions
};

// One entry of `"Principal": {"AWS": …}`, classified once at parse time.
struct AwsPrincipal {
  enum class Kind : uint8_t {
    kAnyone,   // "*"
    kAccount,  // "123456789012" or "arn:aws:iam::123456789012:root"
    kArn,      // a user, role or role-session ARN
  };
  Kind kind = Kind::kAnyone;
  std::string account_id;  // kAccount
  std::string arn;         // kArn
};

// A Principal or NotPrincipal element. `"Principal": "*"` sets `anyone`.
struct PrincipalSet {
  bool anyone = false;
  std::vector<AwsPrincipal> aws;
  std::vector<std::string> services;  // "sns.amazonaws.com"
  // Kept so that a stored policy round-trips in audit output; they never match (§2.2: web
  // identity and S3 canonical users are out of scope).
  std::vector<std::string> federated;
  std::vector<std::string> canonical_users;
};

// How a resource-policy statement names the caller (§2.6): kDirect (its user/role/session
// ARN, its service, or `*`) grants by itself within the account; kAccount (only its account)
// delegates to the caller's own identity policies.
enum class PrincipalMatch : uint8_t { kNone, kAccount, kDirect };

PrincipalMatch MatchPrincipal(const PrincipalSet& set, const RequestPrincipal& caller);

// Classifies one `"AWS"` value. False for values IAM rejects: empty text, wildcards inside an
// ARN, ARNs that are not IAM/STS principals.
bool ParseAwsPrincipal(std::string_view text, AwsPrincipal& out);

}  // namespace wharf::auth
