#pragma once

// A key service over a ManualClock and a recording journal, with callers of any kind: account
// roots, IAM users with identity policies (a fake policy source, so these tests need no IAM
// module), in this account or another.

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "api/request_context.h"
#include "auth/authorizer.h"
#include "auth/credentials.h"
#include "auth/policy/policy_document.h"
#include "common/manual_clock.h"
#include "kms/key_store.h"
#include "kms/policies.h"
#include "kms/records.h"
#include "kms/service.h"

namespace wharf::kms::testing {

inline constexpr char kAccount[] = "123456789012";
inline constexpr char kOther[] = "111122223333";
inline constexpr char kRegion[] = "us-east-1";
inline constexpr int64_t kDayMillis = 86'400'000;

// Counts what reaches the journal, and keeps the last record of every key and alias.
class RecordingJournal final : public KeyJournal {
 public:
  void PutKey(const KeyRecord& key) override {
    ++puts;
    keys[key.key_id] = key;
  }
  void EraseKey(const std::string&, const std::string& key_id) override {
    ++erases;
    keys.erase(key_id);
  }
  void PutAlias(const AliasRecord& alias) override {
    ++puts;
    aliases[alias.name] = alias;
  }
  void EraseAlias(const std::string&, const std::string& name) override {
    ++erases;
    aliases.erase(name);
  }
  int puts = 0;
  int erases = 0;
  std::map<std::string, KeyRecord> keys;
  std::map<std::string, AliasRecord> aliases;
};

// Identity policies by principal ARN.
class FakeIdentities final : public auth::IdentityPolicySource {
 public:
  std::vector<auth::NamedPolicy> PoliciesOf(const auth::RequestPrincipal& p) const override {
    auto it = policies.find(p.arn);
    return it == policies.end() ? std::vector<auth::NamedPolicy>{} : it->second;
  }
  void Allow(const std::string& arn, const std::string& document) {
    auto parsed = auth::ParsePolicyDocument(document, auth::PolicyKind::kIdentity);
    ASSERT_TRUE(parsed.ok()) << document;
    policies[arn].push_back(
        {"inline", std::make_shared<const auth::PolicyDocument>(std::move(parsed).value())});
  }
  std::map<std::string, std::vector<auth::NamedPolicy>> policies;
};

struct Fixture {
  ManualClock clock;
  RecordingJournal journal;
  KeyStore store{clock, journal, kRegion};
  FakeIdentities identities;
  auth::Authorizer authorizer{&identities, clock};
  KeyService service{store, authorizer, clock};

  static api::RequestContext ContextOf(auth::RequestPrincipal principal, api::Action action) {
    auto key = std::make_shared<auth::AccessKey>();
    key->access_key_id = "AKIATEST";
    key->principal = std::move(principal);
    api::RequestContext ctx;
    ctx.request_id = "rid";
    ctx.action = action;
    ctx.account_id = key->principal.account_id;
    ctx.region = kRegion;
    ctx.caller = std::move(key);
    return ctx;
  }

  static api::RequestContext Root(api::Action action, const std::string& account = kAccount) {
    return ContextOf(auth::RootPrincipal(account), action);
  }

  static auth::RequestPrincipal UserPrincipal(const std::string& name,
                                              const std::string& account = kAccount) {
    auth::RequestPrincipal p;
    p.type = auth::PrincipalType::kUser;
    p.account_id = account;
    p.arn = "arn:aws:iam::" + account + ":user/" + name;
    p.user_name = name;
    p.unique_id = "AIDA" + name;
    return p;
  }

  static api::RequestContext User(const std::string& name, api::Action action,
                                  const std::string& account = kAccount) {
    return ContextOf(UserPrincipal(name, account), action);
  }

  // A customer key of `account` with `policy` (the default one when empty).
  KeyView NewKey(const std::string& account = kAccount, const std::string& policy = "") {
    kms::NewKey spec;
    spec.account_id = account;
    spec.policy_text = policy.empty() ? DefaultPolicyOf(account) : policy;
    auto parsed = auth::ParsePolicyDocument(spec.policy_text, auth::PolicyKind::kResource);
    EXPECT_TRUE(parsed.ok()) << spec.policy_text;
    if (parsed.ok()) {
      spec.policy = std::make_shared<const auth::PolicyDocument>(std::move(parsed).value());
    }
    return store.CreateKey(std::move(spec));
  }

  static std::string DefaultPolicyOf(const std::string& account) {
    return DefaultKeyPolicy(account);
  }
};

}  // namespace wharf::kms::testing
