#pragma once

// What the IAM and STS handlers work with: the identity store, the STS session table, the
// authorizer and the clock. One object serves both APIs because STS is a thin front over the
// same state (AssumeRole reads the role and its trust policy; a session's permissions are its
// role's policies), so iam/ owns both instead of a separate sts/ module that would have to
// reach into iam/ anyway.
// Lifetime: built by the server at start, outlives the dispatcher. Thread-safety: the members
// are thread-safe; the service adds no state of its own.

#include <string>
#include <string_view>

#include "api/error.h"
#include "api/request_context.h"
#include "auth/authorizer.h"
#include "common/clock.h"
#include "iam/identity_store.h"
#include "iam/session_store.h"

namespace wharf::iam {

class IdentityService {
 public:
  IdentityService(IdentityStore& store, SessionStore& sessions, const auth::Authorizer& authorizer,
                  const Clock& clock)
      : store_(store), sessions_(sessions), authorizer_(authorizer), clock_(clock) {}

  IdentityStore& store() { return store_; }
  SessionStore& sessions() { return sessions_; }
  const auth::Authorizer& authorizer() const { return authorizer_; }
  const Clock& clock() const { return clock_; }

  // May the caller perform `action` (iam:CreateUser, sts:AssumeRole, …) on `resource`? The
  // account root may do everything in its account; anyone else needs an identity policy (and
  // `resource_policy`, when given, is a mandatory one such as a role's trust policy).
  // AccessDenied keeps the action's case, as IAM and STS write it.
  api::ApiStatus Authorize(
      const api::RequestContext& ctx, std::string_view action, std::string_view resource,
      std::string_view resource_account, const auth::PolicyDocument* resource_policy = nullptr,
      std::vector<std::pair<std::string, std::string>> condition_keys = {}) const;
  // iam:<Action of ctx> on `resource` in the caller's account.
  api::ApiStatus AuthorizeIam(const api::RequestContext& ctx, std::string_view resource) const;

 private:
  IdentityStore& store_;
  SessionStore& sessions_;
  const auth::Authorizer& authorizer_;
  const Clock& clock_;
};

// The caller of a request: its verified principal, or the root of its account when signatures
// are not checked.
auth::RequestPrincipal CallerOf(const api::RequestContext& ctx);

}  // namespace wharf::iam
