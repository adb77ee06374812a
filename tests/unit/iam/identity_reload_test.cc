// Reloading identities while serving (IdentityStore::Reload): two identity stores over one
// durable store stand for two nodes sharing it. What one node changes — users, access keys,
// groups, roles, managed policies and attachments — the other sees after a reload, exactly as a
// fresh start would, and a reload that cannot read the records changes nothing.

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "common/manual_clock.h"
#include "iam/identity_store.h"
#include "iam/store_journal.h"
#include "reload_race.h"
#include "storage/rocks_store.h"
#include "storage_key.h"
#include "temp_dir.h"

namespace wharf::iam {
namespace {

constexpr char kAccount[] = "123456789012";
constexpr char kPolicy[] =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:SendMessage",)"
    R"("Resource":"*"}]})";
constexpr char kTrust[] =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":)"
    R"("arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]})";
constexpr char kOtherTrust[] =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":)"
    R"("arn:aws:iam::210987654321:root"},"Action":"sts:AssumeRole"}]})";
constexpr char kPolicyArn[] = "arn:aws:iam::123456789012:policy/shared";

using wharf::testing::RaceReloads;
using wharf::testing::TempDir;

Sealer Secrets() { return std::move(Sealer::FromKey(std::string(32, 'k'))).value(); }

std::unique_ptr<storage::RocksStore> Open(const std::string& dir) {
  storage::RocksOptions options;
  options.directory = dir;
  options.sealing_key = wharf::testing::TestStorageKey();
  auto opened = storage::RocksStore::Open(options);
  EXPECT_TRUE(opened.ok());
  return opened.ok() ? std::move(opened).value() : nullptr;
}

// One node: its journal on the shared store and its identity store.
struct Node {
  Node(const Clock& clock, storage::Store& store)
      : journal(store, Secrets()), ids(clock, journal) {}
  Status<std::string> Reload() {
    return ids.Reload([this] { return journal.Load(); });
  }
  StoreJournal journal;
  IdentityStore ids;
};

std::vector<std::string> UserNames(const IdentityStore& ids) {
  std::vector<std::string> names;
  for (const UserRecord& u : ids.ListUsers(kAccount, "/")) names.push_back(u.name);
  return names;
}

std::vector<std::string> GroupNames(const IdentityStore& ids) {
  std::vector<std::string> names;
  for (const GroupRecord& g : ids.ListGroups(kAccount, "/")) names.push_back(g.name);
  return names;
}

std::vector<std::string> LocalPolicies(const IdentityStore& ids) {
  std::vector<std::string> out;
  for (const PolicyView& p : ids.ListPolicies(kAccount, "Local", false, "/")) {
    out.push_back(p.record.arn + " attached " + std::to_string(p.attachment_count));
  }
  return out;
}

// Everything a caller can observe of alice, as one comparable string.
std::string AliceAsSeen(const IdentityStore& ids, const std::string& key_id, int64_t now) {
  std::string seen;
  auto user = ids.GetUser(kAccount, "alice");
  if (!user.ok()) return "no alice";
  seen += user->arn + " groups:";
  for (const std::string& g : user->groups) seen += g + ",";
  auto key = ids.Lookup(key_id, "", now);
  seen += key.ok() ? " key works" : " key refused";
  auto keys = ids.ListAccessKeys(kAccount, "alice");
  if (keys.ok()) {
    for (const AccessKeyRecord& k : *keys) seen += " " + k.access_key_id + (k.active ? "+" : "-");
  }
  if (key.ok()) {
    for (const auth::NamedPolicy& p : ids.PoliciesOf((*key)->principal)) seen += " " + p.name;
  }
  return seen;
}

TEST(IdentityReloadTest, ASecondNodeSeesCreationsChangesAndDeletionsAfterAReload) {
  TempDir dir;
  ManualClock clock;
  auto store = Open(dir.db());
  ASSERT_NE(store, nullptr);
  Node one(clock, *store);
  Node two(clock, *store);

  ASSERT_TRUE(one.ids.CreateUser(kAccount, "alice", "/", {}).ok());
  ASSERT_TRUE(one.ids.CreateUser(kAccount, "bob", "/", {}).ok());
  auto key = one.ids.CreateAccessKey(kAccount, "alice");
  ASSERT_TRUE(key.ok());
  const std::string key_id = key->access_key_id;
  ASSERT_TRUE(one.ids.PutInlinePolicy(Holder::kUser, kAccount, "alice", "send", kPolicy).ok());
  ASSERT_TRUE(one.ids.CreateGroup(kAccount, "devs", "/").ok());
  ASSERT_TRUE(one.ids.PutInlinePolicy(Holder::kGroup, kAccount, "devs", "dev", kPolicy).ok());
  ASSERT_TRUE(one.ids.AddUserToGroup(kAccount, "devs", "alice").ok());
  ASSERT_TRUE(one.ids.CreatePolicy(kAccount, "shared", "/", kPolicy, "").ok());
  ASSERT_TRUE(one.ids.AttachPolicy(Holder::kUser, kAccount, "alice", kPolicyArn).ok());
  ASSERT_TRUE(one.ids.CreateRole(kAccount, "worker", "/", kTrust, "", 3600, {}).ok());
  const int64_t now = clock.WallMillis();
  EXPECT_FALSE(two.ids.Lookup(key_id, "", now).ok()) << "nothing before the reload";

  ASSERT_TRUE(two.Reload().ok());
  EXPECT_EQ(UserNames(two.ids), (std::vector<std::string>{"alice", "bob"}));
  EXPECT_EQ(GroupNames(two.ids), (std::vector<std::string>{"devs"}));
  EXPECT_EQ(LocalPolicies(two.ids),
            (std::vector<std::string>{std::string(kPolicyArn) + " attached 1"}));
  EXPECT_EQ(AliceAsSeen(two.ids, key_id, now), AliceAsSeen(one.ids, key_id, now));
  EXPECT_NE(AliceAsSeen(two.ids, key_id, now).find("key works"), std::string::npos);
  auto role = two.ids.FindRoleByArn("arn:aws:iam::123456789012:role/worker");
  ASSERT_TRUE(role.has_value());
  EXPECT_EQ(role->record.trust_policy, kTrust);
  ASSERT_NE(role->trust, nullptr) << "derived: the parsed trust policy";

  // Changes and deletions on the first node.
  ASSERT_TRUE(one.ids.UpdateAccessKey(kAccount, "alice", key_id, false).ok());
  ASSERT_TRUE(one.ids.UpdateAssumeRolePolicy(kAccount, "worker", kOtherTrust).ok());
  ASSERT_TRUE(one.ids.RemoveUserFromGroup(kAccount, "devs", "alice").ok());
  ASSERT_TRUE(one.ids.DeleteInlinePolicy(Holder::kGroup, kAccount, "devs", "dev").ok());
  ASSERT_TRUE(one.ids.DeleteGroup(kAccount, "devs").ok());
  ASSERT_TRUE(one.ids.DetachPolicy(Holder::kUser, kAccount, "alice", kPolicyArn).ok());
  ASSERT_TRUE(one.ids.DeletePolicy(kAccount, kPolicyArn).ok());
  ASSERT_TRUE(one.ids.DeleteUser(kAccount, "bob").ok());
  // The second node's own change, made just before its reload, is not undone by it.
  ASSERT_TRUE(two.ids.CreateUser(kAccount, "carol", "/", {}).ok());

  ASSERT_TRUE(two.Reload().ok());
  EXPECT_EQ(UserNames(two.ids), (std::vector<std::string>{"alice", "carol"}));
  EXPECT_TRUE(GroupNames(two.ids).empty());
  EXPECT_TRUE(LocalPolicies(two.ids).empty());
  EXPECT_FALSE(two.ids.Lookup(key_id, "", now).ok()) << "the key was deactivated elsewhere";
  role = two.ids.FindRoleByArn("arn:aws:iam::123456789012:role/worker");
  ASSERT_TRUE(role.has_value());
  EXPECT_EQ(role->record.trust_policy, kOtherTrust);

  // Reloaded is the same as freshly loaded.
  Node fresh(clock, *store);
  auto records = fresh.journal.Load();
  ASSERT_TRUE(records.ok()) << records.error();
  fresh.ids.Load(*records);
  EXPECT_EQ(UserNames(fresh.ids), UserNames(two.ids));
  EXPECT_EQ(GroupNames(fresh.ids), GroupNames(two.ids));
  EXPECT_EQ(LocalPolicies(fresh.ids), LocalPolicies(two.ids));
  EXPECT_EQ(AliceAsSeen(fresh.ids, key_id, now), AliceAsSeen(two.ids, key_id, now));
  EXPECT_EQ(AliceAsSeen(one.ids, key_id, now), AliceAsSeen(two.ids, key_id, now));
  store->Close();
}

TEST(IdentityReloadTest, AFailedReloadLeavesTheStateAsItWas) {
  TempDir dir;
  ManualClock clock;
  auto store = Open(dir.db());
  ASSERT_NE(store, nullptr);
  Node one(clock, *store);
  Node two(clock, *store);
  ASSERT_TRUE(one.ids.CreateUser(kAccount, "alice", "/", {}).ok());
  auto key = one.ids.CreateAccessKey(kAccount, "alice");
  ASSERT_TRUE(key.ok());
  ASSERT_TRUE(two.Reload().ok());

  ASSERT_TRUE(one.ids.CreateUser(kAccount, "later", "/", {}).ok());
  std::vector<storage::Record> corrupt(1);
  corrupt[0].type = storage::RecordType::kObjectPut;
  corrupt[0].key = ObjectKeyOf(RecordKind::kUser, kAccount, "broken");
  corrupt[0].payload = "not an identity record";
  store->Append(std::move(corrupt));

  auto reloaded = two.Reload();
  ASSERT_FALSE(reloaded.ok());
  EXPECT_NE(reloaded.error().find("broken"), std::string::npos) << reloaded.error();
  EXPECT_EQ(UserNames(two.ids), (std::vector<std::string>{"alice"}));
  EXPECT_TRUE(two.ids.Lookup(key->access_key_id, "", clock.WallMillis()).ok());

  // A loader that fails outright changes nothing either.
  auto failed = two.ids.Reload(
      []() -> Result<std::vector<IdentityRecord>, std::string> { return std::string("down"); });
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error(), "down");
  EXPECT_EQ(UserNames(two.ids), (std::vector<std::string>{"alice"}));
  store->Close();
}

TEST(IdentityReloadTest, AReadOvertakenByALocalChangeIsReadAgain) {
  TempDir dir;
  ManualClock clock;
  auto store = Open(dir.db());
  ASSERT_NE(store, nullptr);
  Node node(clock, *store);
  ASSERT_TRUE(node.ids.CreateUser(kAccount, "alice", "/", {}).ok());
  // The loader runs without the lock: a change made while it reads (here: by the loader
  // itself, after its read) makes the read stale, and Reload reads again.
  int calls = 0;
  auto stale_once = [&]() -> Result<std::vector<IdentityRecord>, std::string> {
    auto records = node.journal.Load();
    if (++calls == 1) {
      EXPECT_TRUE(node.ids.CreateUser(kAccount, "during", "/", {}).ok());
    }
    return records;
  };
  ASSERT_TRUE(node.ids.Reload(stale_once).ok());
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(UserNames(node.ids), (std::vector<std::string>{"alice", "during"}));

  // Overtaken every time: Reload gives up and changes nothing.
  int n = 0;
  auto always_stale = [&]() -> Result<std::vector<IdentityRecord>, std::string> {
    EXPECT_TRUE(node.ids.CreateUser(kAccount, "busy" + std::to_string(n++), "/", {}).ok());
    return std::vector<IdentityRecord>{};  // would empty the store if installed
  };
  auto gave_up = node.ids.Reload(always_stale);
  ASSERT_FALSE(gave_up.ok());
  EXPECT_NE(gave_up.error().find("try again"), std::string::npos) << gave_up.error();
  EXPECT_EQ(UserNames(node.ids).size(), 2u + static_cast<size_t>(n));
  store->Close();
}

TEST(IdentityReloadTest, ReloadsRacingWithRequestsNeverUndoALocalChange) {
  // Each reload waits for this node's appended changes to be durable before it reads, and
  // installs what it read only if nothing changed meanwhile: a change is never undone.
  TempDir dir;
  ManualClock clock;
  auto store = Open(dir.db());
  ASSERT_NE(store, nullptr);
  Node node(clock, *store);
  std::vector<std::string> key_ids;
  RaceReloads([&] { return node.Reload(); },
              [&] {
                for (int i = 0; i < 20; ++i) {
                  const std::string name = "user" + std::to_string(i);
                  ASSERT_TRUE(node.ids.CreateUser(kAccount, name, "/", {}).ok());
                  auto key = node.ids.CreateAccessKey(kAccount, name);
                  ASSERT_TRUE(key.ok());
                  EXPECT_TRUE(node.ids.Lookup(key->access_key_id, "", clock.WallMillis()).ok());
                  key_ids.push_back(key->access_key_id);
                }
              });
  ASSERT_TRUE(node.Reload().ok());
  EXPECT_EQ(UserNames(node.ids).size(), 20u);
  for (const std::string& id : key_ids) {
    EXPECT_TRUE(node.ids.Lookup(id, "", clock.WallMillis()).ok()) << id;
  }
  store->Close();
}

}  // namespace
}  // namespace wharf::iam
