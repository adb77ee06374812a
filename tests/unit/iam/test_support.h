#pragma once

// A complete identity service over a ManualClock, and request contexts for its callers.

#include <memory>
#include <string>

#include "api/request_context.h"
#include "auth/authorizer.h"
#include "auth/credentials.h"
#include "common/manual_clock.h"
#include "iam/identity_store.h"
#include "iam/records.h"
#include "iam/service.h"
#include "iam/session_store.h"

namespace wharf::iam::testing {

inline constexpr char kAccount[] = "123456789012";
inline constexpr char kOther[] = "111122223333";

struct Fixture {
  ManualClock clock;
  NullJournal journal;
  IdentityStore store{clock, journal};
  SessionStore sessions{clock};
  auth::Authorizer authorizer{&store, clock};
  IdentityService service{store, sessions, authorizer, clock};

  api::RequestContext Root(const std::string& account = kAccount) const {
    auto key = std::make_shared<auth::AccessKey>();
    key->access_key_id = "ROOTKEY";
    key->principal = auth::RootPrincipal(account);
    return ContextOf(key, api::Action::kGetCallerIdentity);
  }

  static api::RequestContext ContextOf(std::shared_ptr<const auth::AccessKey> key,
                                       api::Action action) {
    api::RequestContext ctx;
    ctx.request_id = "rid";
    ctx.action = action;
    ctx.account_id = key->principal.account_id;
    ctx.access_key_id = key->access_key_id;
    ctx.caller = std::move(key);
    return ctx;
  }

  // A context for a key of the store (user keys) or of the session table.
  api::RequestContext As(const std::string& access_key_id, const std::string& token = "") const {
    auto key = store.Lookup(access_key_id, token, clock.WallMillis());
    if (!key.ok()) key = sessions.Lookup(access_key_id, token, clock.WallMillis());
    EXPECT_TRUE(key.ok()) << access_key_id;
    return ContextOf(*key, api::Action::kGetCallerIdentity);
  }

  // Creates user `name` with one access key; returns the key id.
  std::string UserWithKey(const std::string& name, const std::string& account = kAccount) {
    EXPECT_TRUE(store.CreateUser(account, name, "/", {}).ok());
    auto key = store.CreateAccessKey(account, name);
    EXPECT_TRUE(key.ok());
    return key->access_key_id;
  }
};

inline api::RequestContext WithAction(api::RequestContext ctx, api::Action action) {
  ctx.action = action;
  return ctx;
}

}  // namespace wharf::iam::testing
