#include "iam/identity_store.h"

#include <gtest/gtest.h>

#include "api/error.h"
#include "test_support.h"

namespace wharf::iam {
namespace {

using api::ErrorCode;
using testing::kAccount;
using testing::kOther;

constexpr char kAllowSend[] =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"*"}]})";
constexpr char kTrustAccount[] =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]})";

template <typename T>
ErrorCode CodeOf(const T& result) {
  EXPECT_FALSE(result.ok());
  return result.ok() ? ErrorCode::kInternalFailure : result.error().code;
}

class IdentityStoreTest : public ::testing::Test {
 protected:
  testing::Fixture f;
  IdentityStore& store = f.store;
};

TEST_F(IdentityStoreTest, CreateUserAssignsIdAndArn) {
  auto user = store.CreateUser(kAccount, "alice", "/dev/", {{"team", "core"}});
  ASSERT_TRUE(user.ok());
  EXPECT_EQ(user->id.substr(0, 4), "AIDA");
  EXPECT_EQ(user->id.size(), 21u);
  EXPECT_EQ(user->arn, "arn:aws:iam::123456789012:user/dev/alice");
  EXPECT_EQ(user->created_ms, f.clock.WallMillis());
  ASSERT_EQ(user->tags.size(), 1u);
  auto again = store.GetUser(kAccount, "alice");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->id, user->id);
}

TEST_F(IdentityStoreTest, NamesAreUniqueIgnoringCasePerAccount) {
  ASSERT_TRUE(store.CreateUser(kAccount, "alice", "/", {}).ok());
  auto dup = store.CreateUser(kAccount, "Alice", "/", {});
  EXPECT_EQ(CodeOf(dup), ErrorCode::kEntityAlreadyExists);
  EXPECT_EQ(dup.error().message, "User with name Alice already exists.");
  EXPECT_EQ(api::InfoOf(ErrorCode::kEntityAlreadyExists).http_status, 409);
  EXPECT_TRUE(store.CreateUser(kOther, "alice", "/", {}).ok());  // another account
}

TEST_F(IdentityStoreTest, UnknownUser) {
  auto missing = store.GetUser(kAccount, "carol");
  EXPECT_EQ(CodeOf(missing), ErrorCode::kNoSuchEntity);
  EXPECT_EQ(missing.error().message, "The user with name carol cannot be found.");
  EXPECT_EQ(api::InfoOf(ErrorCode::kNoSuchEntity).http_status, 404);
}

TEST_F(IdentityStoreTest, ListUsersByPathPrefix) {
  ASSERT_TRUE(store.CreateUser(kAccount, "a", "/dev/", {}).ok());
  ASSERT_TRUE(store.CreateUser(kAccount, "b", "/ops/", {}).ok());
  EXPECT_EQ(store.ListUsers(kAccount, "/").size(), 2u);
  auto dev = store.ListUsers(kAccount, "/dev/");
  ASSERT_EQ(dev.size(), 1u);
  EXPECT_EQ(dev[0].name, "a");
  EXPECT_TRUE(store.ListUsers(kOther, "/").empty());
}

TEST_F(IdentityStoreTest, AccessKeysAuthenticateTheUser) {
  ASSERT_TRUE(store.CreateUser(kAccount, "alice", "/", {}).ok());
  auto key = store.CreateAccessKey(kAccount, "alice");
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->access_key_id.substr(0, 4), "AKIA");
  EXPECT_EQ(key->secret.size(), 40u);
  auto found = store.Lookup(key->access_key_id, "", f.clock.WallMillis());
  ASSERT_TRUE(found.ok());
  EXPECT_EQ((*found)->secret, key->secret);
  EXPECT_EQ((*found)->principal.type, auth::PrincipalType::kUser);
  EXPECT_EQ((*found)->principal.arn, "arn:aws:iam::123456789012:user/alice");
  EXPECT_EQ((*found)->principal.user_name, "alice");
  EXPECT_EQ((*found)->principal.unique_id.substr(0, 4), "AIDA");
  // A session token with a long-term key, and unknown keys.
  EXPECT_EQ(CodeOf(store.Lookup(key->access_key_id, "token", 0)), ErrorCode::kInvalidClientTokenId);
  EXPECT_EQ(CodeOf(store.Lookup("AKIANOTAKEY000000000", "", 0)), ErrorCode::kInvalidClientTokenId);
  // Listing never shows the secret.
  auto listed = store.ListAccessKeys(kAccount, "alice");
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_TRUE((*listed)[0].secret.empty());
}

TEST_F(IdentityStoreTest, AtMostTwoKeysPerUser) {
  ASSERT_TRUE(store.CreateUser(kAccount, "alice", "/", {}).ok());
  ASSERT_TRUE(store.CreateAccessKey(kAccount, "alice").ok());
  ASSERT_TRUE(store.CreateAccessKey(kAccount, "alice").ok());
  auto third = store.CreateAccessKey(kAccount, "alice");
  EXPECT_EQ(CodeOf(third), ErrorCode::kLimitExceeded);
  EXPECT_EQ(third.error().message, "Cannot exceed quota for AccessKeysPerUser: 2");
}

TEST_F(IdentityStoreTest, ImportedKeysHaveTheGivenIdAndSecretAndRepeatQuietly) {
  ASSERT_TRUE(store.CreateUser(kAccount, "alice", "/", {}).ok());
  ASSERT_TRUE(store.CreateUser(kAccount, "bob", "/", {}).ok());
  auto key = store.ImportAccessKey(kAccount, "alice", "AKIAFIXEDALICE", "fixed-secret");
  ASSERT_TRUE(key.ok());
  auto found = store.Lookup("AKIAFIXEDALICE", "", f.clock.WallMillis());
  ASSERT_TRUE(found.ok());
  EXPECT_EQ((*found)->secret, "fixed-secret");
  EXPECT_EQ((*found)->principal.arn, "arn:aws:iam::123456789012:user/alice");
  // The same key again (a restart with the same wharf.toml) changes nothing.
  ASSERT_TRUE(store.ImportAccessKey(kAccount, "alice", "AKIAFIXEDALICE", "fixed-secret").ok());
  EXPECT_EQ(store.ListAccessKeys(kAccount, "alice")->size(), 1u);
  // The id taken with another secret, or by another user, is refused.
  EXPECT_EQ(CodeOf(store.ImportAccessKey(kAccount, "alice", "AKIAFIXEDALICE", "other")),
            ErrorCode::kEntityAlreadyExists);
  EXPECT_EQ(CodeOf(store.ImportAccessKey(kAccount, "bob", "AKIAFIXEDALICE", "fixed-secret")),
            ErrorCode::kEntityAlreadyExists);
  // The per-user limit counts imported keys.
  ASSERT_TRUE(store.CreateAccessKey(kAccount, "alice").ok());
  EXPECT_EQ(CodeOf(store.ImportAccessKey(kAccount, "alice", "AKIAFIXEDALICE2", "s")),
            ErrorCode::kLimitExceeded);
  EXPECT_EQ(CodeOf(store.ImportAccessKey(kAccount, "carol", "AKIAFIXEDCAROL", "s")),
            ErrorCode::kNoSuchEntity);
}

TEST_F(IdentityStoreTest, InactiveKeysAreUnknownKeys) {
  const std::string id = f.UserWithKey("alice");
  ASSERT_TRUE(store.UpdateAccessKey(kAccount, "alice", id, false).ok());
  EXPECT_EQ(CodeOf(store.Lookup(id, "", 0)), ErrorCode::kInvalidClientTokenId);
  ASSERT_TRUE(store.UpdateAccessKey(kAccount, "alice", id, true).ok());
  EXPECT_TRUE(store.Lookup(id, "", 0).ok());
  auto wrong_user = store.UpdateAccessKey(kAccount, "bob", id, false);
  EXPECT_EQ(CodeOf(wrong_user), ErrorCode::kNoSuchEntity);
  ASSERT_TRUE(store.DeleteAccessKey(kAccount, "alice", id).ok());
  EXPECT_EQ(CodeOf(store.Lookup(id, "", 0)), ErrorCode::kInvalidClientTokenId);
  auto gone = store.DeleteAccessKey(kAccount, "alice", id);
  EXPECT_EQ(CodeOf(gone), ErrorCode::kNoSuchEntity);
  EXPECT_EQ(gone.error().message, "The Access Key with id " + id + " cannot be found");
}

TEST_F(IdentityStoreTest, DeleteUserConflicts) {
  const std::string id = f.UserWithKey("alice");
  ASSERT_TRUE(store.PutInlinePolicy(Holder::kUser, kAccount, "alice", "send", kAllowSend).ok());
  auto with_key = store.DeleteUser(kAccount, "alice");
  EXPECT_EQ(CodeOf(with_key), ErrorCode::kDeleteConflict);
  EXPECT_EQ(api::InfoOf(ErrorCode::kDeleteConflict).http_status, 409);
  ASSERT_TRUE(store.DeleteAccessKey(kAccount, "alice", id).ok());
  auto with_policy = store.DeleteUser(kAccount, "alice");
  EXPECT_EQ(CodeOf(with_policy), ErrorCode::kDeleteConflict);
  EXPECT_EQ(with_policy.error().message, "Cannot delete entity, must delete policies first.");
  ASSERT_TRUE(store.DeleteInlinePolicy(Holder::kUser, kAccount, "alice", "send").ok());
  EXPECT_TRUE(store.DeleteUser(kAccount, "alice").ok());
  EXPECT_EQ(CodeOf(store.GetUser(kAccount, "alice")), ErrorCode::kNoSuchEntity);
}

TEST_F(IdentityStoreTest, InlinePolicies) {
  ASSERT_TRUE(store.CreateUser(kAccount, "alice", "/", {}).ok());
  auto malformed = store.PutInlinePolicy(Holder::kUser, kAccount, "alice", "p", "{not json");
  EXPECT_EQ(CodeOf(malformed), ErrorCode::kMalformedPolicyDocument);
  auto with_principal = store.PutInlinePolicy(Holder::kUser, kAccount, "alice", "p", kTrustAccount);
  EXPECT_EQ(CodeOf(with_principal), ErrorCode::kMalformedPolicyDocument);
  auto no_user = store.PutInlinePolicy(Holder::kUser, kAccount, "bob", "p", kAllowSend);
  EXPECT_EQ(CodeOf(no_user), ErrorCode::kNoSuchEntity);
  ASSERT_TRUE(store.PutInlinePolicy(Holder::kUser, kAccount, "alice", "send", kAllowSend).ok());
  auto got = store.GetInlinePolicy(Holder::kUser, kAccount, "alice", "send");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->document, kAllowSend);
  auto names = store.ListInlinePolicies(Holder::kUser, kAccount, "alice");
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, std::vector<std::string>{"send"});
  auto missing = store.GetInlinePolicy(Holder::kUser, kAccount, "alice", "nope");
  EXPECT_EQ(CodeOf(missing), ErrorCode::kNoSuchEntity);
  EXPECT_EQ(missing.error().message, "The user policy with name nope cannot be found.");
}

TEST_F(IdentityStoreTest, InlinePolicySizeIsAggregatePerUser) {
  ASSERT_TRUE(store.CreateUser(kAccount, "alice", "/", {}).ok());
  std::string big = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[)";
  for (int i = 0; i < 60; ++i) big += "\"sqs:SendMessage" + std::to_string(i) + "\",";
  big += R"("sqs:ReceiveMessage"],"Resource":"*"}]})";
  ASSERT_TRUE(store.PutInlinePolicy(Holder::kUser, kAccount, "alice", "one", big).ok());
  auto second = store.PutInlinePolicy(Holder::kUser, kAccount, "alice", "two", big);
  EXPECT_EQ(CodeOf(second), ErrorCode::kLimitExceeded);
  auto names = store.ListInlinePolicies(Holder::kUser, kAccount, "alice");
  EXPECT_EQ(names->size(), 1u);  // the refused policy was not kept
}

TEST_F(IdentityStoreTest, ManagedPoliciesAndAttachments) {
  ASSERT_TRUE(store.CreateUser(kAccount, "alice", "/", {}).ok());
  auto policy = store.CreatePolicy(kAccount, "send", "/app/", kAllowSend, "lets it send");
  ASSERT_TRUE(policy.ok());
  EXPECT_EQ(policy->record.arn, "arn:aws:iam::123456789012:policy/app/send");
  EXPECT_EQ(policy->record.id.substr(0, 4), "ANPA");
  EXPECT_EQ(policy->attachment_count, 0);
  auto dup = store.CreatePolicy(kAccount, "send", "/", kAllowSend, "");
  EXPECT_EQ(CodeOf(dup), ErrorCode::kEntityAlreadyExists);
  EXPECT_EQ(dup.error().message,
            "A policy called send already exists. Duplicate names are not allowed.");

  const std::string missing_arn = "arn:aws:iam::123456789012:policy/none";
  auto bad_attach = store.AttachPolicy(Holder::kUser, kAccount, "alice", missing_arn);
  EXPECT_EQ(CodeOf(bad_attach), ErrorCode::kNoSuchEntity);
  EXPECT_EQ(bad_attach.error().message,
            "Policy " + missing_arn + " does not exist or is not attachable.");
  ASSERT_TRUE(store.AttachPolicy(Holder::kUser, kAccount, "alice", policy->record.arn).ok());
  EXPECT_EQ(store.GetPolicy(kAccount, policy->record.arn)->attachment_count, 1);
  auto attached = store.ListAttachedPolicies(Holder::kUser, kAccount, "alice");
  ASSERT_EQ(attached->size(), 1u);
  EXPECT_EQ((*attached)[0].name, "send");
  EXPECT_EQ(CodeOf(store.DeletePolicy(kAccount, policy->record.arn)), ErrorCode::kDeleteConflict);
  EXPECT_EQ(CodeOf(store.DeleteUser(kAccount, "alice")), ErrorCode::kDeleteConflict);
  ASSERT_TRUE(store.DetachPolicy(Holder::kUser, kAccount, "alice", policy->record.arn).ok());
  EXPECT_EQ(CodeOf(store.DetachPolicy(Holder::kUser, kAccount, "alice", policy->record.arn)),
            ErrorCode::kNoSuchEntity);
  EXPECT_TRUE(store.DeletePolicy(kAccount, policy->record.arn).ok());
  EXPECT_EQ(CodeOf(store.GetPolicy(kAccount, policy->record.arn)), ErrorCode::kNoSuchEntity);
}

TEST_F(IdentityStoreTest, AwsManagedPoliciesAreAttachableEverywhere) {
  ASSERT_TRUE(store.CreateUser(kAccount, "alice", "/", {}).ok());
  const std::string admin = "arn:aws:iam::aws:policy/AdministratorAccess";
  EXPECT_TRUE(store.GetPolicy(kAccount, admin).ok());
  EXPECT_TRUE(store.AttachPolicy(Holder::kUser, kAccount, "alice", admin).ok());
  EXPECT_EQ(store.ListPolicies(kAccount, "AWS", false, "/").size(), 4u);
  EXPECT_EQ(store.ListPolicies(kAccount, "Local", false, "/").size(), 0u);
  EXPECT_EQ(store.ListPolicies(kAccount, "All", true, "/").size(), 1u);
  EXPECT_EQ(CodeOf(store.DeletePolicy(kAccount, admin)), ErrorCode::kInvalidInput);
}

TEST_F(IdentityStoreTest, TenManagedPoliciesPerUser) {
  ASSERT_TRUE(store.CreateUser(kAccount, "alice", "/", {}).ok());
  for (int i = 0; i < 10; ++i) {
    auto p = store.CreatePolicy(kAccount, "p" + std::to_string(i), "/", kAllowSend, "");
    ASSERT_TRUE(store.AttachPolicy(Holder::kUser, kAccount, "alice", p->record.arn).ok());
  }
  auto p = store.CreatePolicy(kAccount, "p10", "/", kAllowSend, "");
  EXPECT_EQ(CodeOf(store.AttachPolicy(Holder::kUser, kAccount, "alice", p->record.arn)),
            ErrorCode::kLimitExceeded);
}

TEST_F(IdentityStoreTest, PoliciesOfAUserIncludeInlineAttachedAndGroupPolicies) {
  const std::string id = f.UserWithKey("alice");
  ASSERT_TRUE(store.PutInlinePolicy(Holder::kUser, kAccount, "alice", "inline", kAllowSend).ok());
  auto managed = store.CreatePolicy(kAccount, "managed", "/", kAllowSend, "");
  ASSERT_TRUE(store.AttachPolicy(Holder::kUser, kAccount, "alice", managed->record.arn).ok());
  ASSERT_TRUE(store.CreateGroup(kAccount, "devs", "/").ok());
  ASSERT_TRUE(store.PutInlinePolicy(Holder::kGroup, kAccount, "devs", "g", kAllowSend).ok());
  ASSERT_TRUE(store.AddUserToGroup(kAccount, "devs", "alice").ok());
  auto key = store.Lookup(id, "", 0);
  auto policies = store.PoliciesOf((*key)->principal);
  ASSERT_EQ(policies.size(), 3u);
  EXPECT_EQ(policies[0].name, "user/alice/inline");
  EXPECT_EQ(policies[1].name, managed->record.arn);
  EXPECT_EQ(policies[2].name, "group/devs/g");
  for (const auto& p : policies) EXPECT_NE(p.document, nullptr);
  // Group membership blocks deleting the group.
  EXPECT_EQ(CodeOf(store.DeleteGroup(kAccount, "devs")), ErrorCode::kDeleteConflict);
  auto members = store.GroupMembers(kAccount, "devs");
  ASSERT_EQ(members->size(), 1u);
  ASSERT_TRUE(store.RemoveUserFromGroup(kAccount, "devs", "alice").ok());
  EXPECT_EQ(store.PoliciesOf((*key)->principal).size(), 2u);
}

TEST_F(IdentityStoreTest, RolesAndTheirSessionsPolicies) {
  auto malformed = store.CreateRole(
      kAccount, "r", "/",
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Resource":"*"}]})",
      "", 3600, {});
  EXPECT_EQ(CodeOf(malformed), ErrorCode::kMalformedPolicyDocument);
  auto role = store.CreateRole(kAccount, "consumer", "/svc/", kTrustAccount, "", 7200, {});
  ASSERT_TRUE(role.ok());
  EXPECT_EQ(role->id.substr(0, 4), "AROA");
  EXPECT_EQ(role->arn, "arn:aws:iam::123456789012:role/svc/consumer");
  EXPECT_EQ(CodeOf(store.CreateRole(kAccount, "CONSUMER", "/", kTrustAccount, "", 3600, {})),
            ErrorCode::kEntityAlreadyExists);
  EXPECT_TRUE(store.FindRoleByArn(role->arn));
  EXPECT_FALSE(store.FindRoleByArn("arn:aws:iam::123456789012:role/consumer"));  // wrong path
  ASSERT_TRUE(store.PutInlinePolicy(Holder::kRole, kAccount, "consumer", "p", kAllowSend).ok());

  auth::RequestPrincipal session;
  session.type = auth::PrincipalType::kAssumedRole;
  session.account_id = kAccount;
  session.role_arn = role->arn;
  session.arn = "arn:aws:sts::123456789012:assumed-role/consumer/s";
  auto policies = store.PoliciesOf(session);
  ASSERT_EQ(policies.size(), 1u);
  EXPECT_EQ(policies[0].name, "role/consumer/p");
  EXPECT_EQ(CodeOf(store.DeleteRole(kAccount, "consumer")), ErrorCode::kDeleteConflict);
  ASSERT_TRUE(store.DeleteInlinePolicy(Holder::kRole, kAccount, "consumer", "p").ok());
  EXPECT_TRUE(store.DeleteRole(kAccount, "consumer").ok());
  EXPECT_TRUE(store.PoliciesOf(session).empty());
}

// Records what the store journals; fails on demand.
class RecordingJournal final : public IdentityJournal {
 public:
  Status<std::string> Put(const IdentityRecord& record) override {
    if (fail) return std::string("disk full");
    records.push_back(record);
    return {};
  }
  Status<std::string> Erase(RecordKind, const std::string&, const std::string& name) override {
    if (fail) return std::string("disk full");
    erased.push_back(name);
    return {};
  }
  bool fail = false;
  std::vector<IdentityRecord> records;
  std::vector<std::string> erased;
};

TEST(IdentityJournalTest, ChangesAreJournaledAndReloaded) {
  ManualClock clock;
  RecordingJournal journal;
  IdentityStore store(clock, journal);
  ASSERT_TRUE(store.CreateUser(kAccount, "alice", "/", {}).ok());
  auto key = store.CreateAccessKey(kAccount, "alice");
  ASSERT_TRUE(store.PutInlinePolicy(Holder::kUser, kAccount, "alice", "send", kAllowSend).ok());
  ASSERT_TRUE(store.CreateRole(kAccount, "consumer", "/", kTrustAccount, "", 3600, {}).ok());
  EXPECT_EQ(journal.records.size(), 4u);

  // Keep the latest record per entity, as a keyed store would.
  std::vector<IdentityRecord> latest = {journal.records[1], journal.records[2], journal.records[3]};
  IdentityStore reloaded(clock, journal);
  reloaded.Load(latest);
  auto found = reloaded.Lookup(key->access_key_id, "", 0);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ((*found)->secret, key->secret);
  EXPECT_EQ(reloaded.PoliciesOf((*found)->principal).size(), 1u);
  EXPECT_TRUE(reloaded.FindRoleByArn("arn:aws:iam::123456789012:role/consumer"));
}

TEST(IdentityJournalTest, AFailedJournalWriteChangesNothing) {
  ManualClock clock;
  RecordingJournal journal;
  IdentityStore store(clock, journal);
  ASSERT_TRUE(store.CreateUser(kAccount, "alice", "/", {}).ok());
  journal.fail = true;
  EXPECT_EQ(CodeOf(store.CreateUser(kAccount, "bob", "/", {})), ErrorCode::kInternalFailure);
  EXPECT_EQ(CodeOf(store.PutInlinePolicy(Holder::kUser, kAccount, "alice", "p", kAllowSend)),
            ErrorCode::kInternalFailure);
  EXPECT_EQ(CodeOf(store.CreateAccessKey(kAccount, "alice")), ErrorCode::kInternalFailure);
  EXPECT_EQ(CodeOf(store.DeleteUser(kAccount, "alice")), ErrorCode::kInternalFailure);
  EXPECT_EQ(CodeOf(store.GetUser(kAccount, "bob")), ErrorCode::kNoSuchEntity);
  EXPECT_TRUE(store.ListInlinePolicies(Holder::kUser, kAccount, "alice")->empty());
  EXPECT_TRUE(store.ListAccessKeys(kAccount, "alice")->empty());
  EXPECT_TRUE(store.GetUser(kAccount, "alice").ok());
}

}  // namespace
}  // namespace wharf::iam
