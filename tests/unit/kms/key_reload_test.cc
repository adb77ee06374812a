// Reloading keys and aliases while serving (KeyStore::Reload): two key stores over one durable
// store stand for two nodes sharing it. What one node changes — keys, states, rotations, tags,
// aliases, scheduled deletions — the other sees after a reload exactly as a fresh start would
// (including keys whose waiting period has passed being removed), and a reload that cannot read
// the records changes nothing.

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "common/manual_clock.h"
#include "kms/key_store.h"
#include "kms/policies.h"
#include "kms/store_journal.h"
#include "reload_race.h"
#include "storage/rocks_store.h"
#include "storage_key.h"
#include "temp_dir.h"

namespace wharf::kms {
namespace {

constexpr char kAccount[] = "123456789012";
using wharf::testing::RaceReloads;
using wharf::testing::TempDir;

Sealer Wrap() {
  return std::move(Sealer::FromKey(std::string(32, 'r'))).value().Derive("kms-wrap v1");
}

std::unique_ptr<storage::RocksStore> Open(const std::string& dir) {
  storage::RocksOptions options;
  options.directory = dir;
  options.sealing_key = wharf::testing::TestStorageKey();
  auto opened = storage::RocksStore::Open(options);
  EXPECT_TRUE(opened.ok());
  return opened.ok() ? std::move(opened).value() : nullptr;
}

NewKey CustomerKey(std::string description) {
  NewKey key;
  key.account_id = kAccount;
  key.description = std::move(description);
  key.policy_text = DefaultKeyPolicy(kAccount);
  key.policy = *ParseKeyPolicy(key.policy_text);
  return key;
}

KeyRef Ref(const std::string& text) { return *ParseKeyRef(text, kAccount, "us-east-1"); }

// One node: its journal on the shared store and its key store.
struct Node {
  Node(const Clock& clock, storage::Store& store, MaterialLimits limits = {})
      : journal(store, Wrap()), keys(clock, journal, "us-east-1", limits) {}
  Result<std::vector<std::string>, std::string> Reload() {
    return keys.Reload([this] { return journal.Load(); });
  }
  StoreJournal journal;
  KeyStore keys;
};

// Everything a caller can observe of the account's keys and aliases, as comparable strings.
std::vector<std::string> AsSeen(const KeyStore& keys) {
  std::vector<std::string> seen;
  auto page = keys.ListKeys(kAccount, 100, std::nullopt);
  EXPECT_TRUE(page.ok());
  for (const KeyView& k : page->items) {
    std::string line = k.key_id + " " + k.description + " " + std::string(KeyStateName(k.state)) +
                       " v" + std::to_string(k.current_version) + " deletion " +
                       std::to_string(k.deletion_ms) + " rotation " +
                       std::to_string(k.next_rotation_ms) + " tags";
    for (const auto& [key, value] : k.tags) line += " " + key + "=" + value;
    seen.push_back(std::move(line));
  }
  auto aliases = keys.ListAliases(kAccount, std::nullopt, 100, std::nullopt);
  EXPECT_TRUE(aliases.ok());
  for (const AliasRecord& a : aliases->items) seen.push_back(a.name + " -> " + a.target_key_id);
  return seen;
}

TEST(KeyReloadTest, ASecondNodeSeesCreationsChangesAndDeletionsAfterAReload) {
  TempDir dir;
  ManualClock clock;
  auto store = Open(dir.db());
  ASSERT_NE(store, nullptr);
  Node one(clock, *store);
  Node two(clock, *store);
  const EncryptionContext context{{"purpose", "reload"}};

  const std::string a = one.keys.CreateKey(CustomerKey("a")).key_id;
  const std::string b = one.keys.CreateKey(CustomerKey("b")).key_id;
  const std::string c = one.keys.CreateKey(CustomerKey("c")).key_id;
  ASSERT_TRUE(one.keys.CreateAlias(kAccount, "alias/app", a).ok());
  const std::string blob = *one.keys.Encrypt(c, "secret", context);
  EXPECT_FALSE(two.keys.Find(Ref("alias/app")).ok()) << "nothing before the reload";

  auto reloaded = two.Reload();
  ASSERT_TRUE(reloaded.ok()) << reloaded.error();
  EXPECT_TRUE(reloaded->empty());
  EXPECT_EQ(AsSeen(two.keys), AsSeen(one.keys));
  EXPECT_EQ(two.keys.Find(Ref("alias/app"))->key_id, a);
  auto opened = two.keys.Decrypt(c, blob, context);
  ASSERT_TRUE(opened.ok()) << "the material came along";
  EXPECT_EQ(opened->plaintext.value, "secret");

  // Changes and deletions on the first node; deletion of b is scheduled, not yet due.
  ASSERT_TRUE(one.keys.RotateNow(a).ok());
  ASSERT_TRUE(one.keys.Tag(a, {{"team", "core"}}).ok());
  ASSERT_TRUE(one.keys.Disable(a).ok());
  ASSERT_TRUE(one.keys.EnableRotation(c, 90).ok());
  ASSERT_TRUE(one.keys.DeleteAlias(kAccount, "alias/app").ok());
  ASSERT_TRUE(one.keys.CreateAlias(kAccount, "alias/b", b).ok());
  ASSERT_TRUE(one.keys.ScheduleDeletion(b, 7).ok());
  // The second node's own change, made just before its reload, is not undone by it.
  const std::string d = two.keys.CreateKey(CustomerKey("d")).key_id;

  reloaded = two.Reload();
  ASSERT_TRUE(reloaded.ok()) << reloaded.error();
  auto seen_a = two.keys.Find(Ref(a));
  ASSERT_TRUE(seen_a.ok());
  EXPECT_EQ(seen_a->state, KeyState::kDisabled);
  EXPECT_EQ(seen_a->current_version, 2u);
  EXPECT_FALSE(two.keys.Encrypt(a, "x", context).ok()) << "disabled elsewhere";
  EXPECT_FALSE(two.keys.Find(Ref("alias/app")).ok());
  EXPECT_EQ(two.keys.Find(Ref("alias/b"))->state, KeyState::kPendingDeletion);
  EXPECT_TRUE(two.keys.Find(Ref(c))->rotation_enabled);
  EXPECT_TRUE(two.keys.Find(Ref(d)).ok());
  ASSERT_TRUE(one.Reload().ok());
  EXPECT_EQ(AsSeen(two.keys), AsSeen(one.keys));

  // The waiting period passes: a reload removes b and its alias, as a start-up would.
  clock.Advance(std::chrono::hours(24 * 8));
  ASSERT_TRUE(two.Reload().ok());
  EXPECT_FALSE(two.keys.Find(Ref(b)).ok());
  EXPECT_FALSE(two.keys.FindAlias(kAccount, "alias/b").ok());
  Node fresh(clock, *store);
  auto loaded = fresh.journal.Load();
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  EXPECT_TRUE(fresh.keys.Load(std::move(loaded->keys), std::move(loaded->aliases)).empty());
  EXPECT_EQ(AsSeen(fresh.keys), AsSeen(two.keys));
  EXPECT_EQ(AsSeen(fresh.keys).size(), 3u) << "a, c and d; no alias left";
  store->Close();
}

TEST(KeyReloadTest, AReloadThatChangedNothingKeepsThisNodesUseCount) {
  // A restart must assume the whole reservation spent; a reload that finds this node's own
  // reservation unchanged knows better, so frequent reloads do not burn the nonce budget.
  TempDir dir;
  ManualClock clock;
  auto store = Open(dir.db());
  ASSERT_NE(store, nullptr);
  Node two(clock, *store, MaterialLimits{4, 2});
  const EncryptionContext context;
  const std::string key = two.keys.CreateKey(CustomerKey("k")).key_id;
  ASSERT_TRUE(two.keys.Encrypt(key, "1", context).ok());  // reserves 2 uses, spends 1
  ASSERT_TRUE(two.Reload().ok());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(two.keys.Encrypt(key, "n", context).ok());
  EXPECT_EQ(two.keys.Find(Ref(key))->current_version, 1u) << "4 uses of 4: no rotation yet";
  ASSERT_TRUE(two.keys.Encrypt(key, "5", context).ok());
  EXPECT_EQ(two.keys.Find(Ref(key))->current_version, 2u) << "the budget is spent: rotated";

  // Another node's reservation changes the record: this node's count goes to the reserved
  // number, as at a start-up, so the two nodes never count the same uses.
  Node one(clock, *store, MaterialLimits{4, 2});
  ASSERT_TRUE(one.Reload().ok());
  ASSERT_TRUE(one.keys.Encrypt(key, "elsewhere", context).ok());
  ASSERT_TRUE(two.Reload().ok());
  ASSERT_TRUE(two.keys.Encrypt(key, "over", context).ok());
  EXPECT_EQ(two.keys.Find(Ref(key))->current_version, 3u)
      << "the 4 uses now reserved count as spent here: the next use rotates";
  store->Close();
}

TEST(KeyReloadTest, AFailedReloadLeavesTheStateAsItWas) {
  TempDir dir;
  ManualClock clock;
  auto store = Open(dir.db());
  ASSERT_NE(store, nullptr);
  Node one(clock, *store);
  Node two(clock, *store);
  const std::string a = one.keys.CreateKey(CustomerKey("a")).key_id;
  ASSERT_TRUE(one.keys.CreateAlias(kAccount, "alias/app", a).ok());
  ASSERT_TRUE(two.Reload().ok());
  const std::vector<std::string> before = AsSeen(two.keys);

  ASSERT_TRUE(one.keys.Disable(a).ok());
  std::vector<storage::Record> corrupt(1);
  corrupt[0].type = storage::RecordType::kObjectPut;
  corrupt[0].key = KeyObjectKey(kAccount, "broken");
  corrupt[0].payload = "not a key record";
  store->Append(std::move(corrupt));

  auto reloaded = two.Reload();
  ASSERT_FALSE(reloaded.ok());
  EXPECT_NE(reloaded.error().find("broken"), std::string::npos) << reloaded.error();
  EXPECT_EQ(AsSeen(two.keys), before);
  EXPECT_EQ(two.keys.Find(Ref("alias/app"))->state, KeyState::kEnabled);
  store->Close();
}

TEST(KeyReloadTest, AReadOvertakenByALocalChangeIsReadAgain) {
  TempDir dir;
  ManualClock clock;
  auto store = Open(dir.db());
  ASSERT_NE(store, nullptr);
  Node node(clock, *store);
  const std::string a = node.keys.CreateKey(CustomerKey("a")).key_id;
  std::string during;
  int calls = 0;
  auto stale_once = [&]() -> Result<LoadedKeys, std::string> {
    auto loaded = node.journal.Load();
    if (++calls == 1) during = node.keys.CreateKey(CustomerKey("during")).key_id;
    return loaded;
  };
  ASSERT_TRUE(node.keys.Reload(stale_once).ok());
  EXPECT_EQ(calls, 2);
  EXPECT_TRUE(node.keys.Find(Ref(a)).ok());
  EXPECT_TRUE(node.keys.Find(Ref(during)).ok()) << "the key made during the first read";

  auto always_stale = [&]() -> Result<LoadedKeys, std::string> {
    node.keys.CreateKey(CustomerKey("busy"));
    return LoadedKeys{};  // would empty the store if installed
  };
  auto gave_up = node.keys.Reload(always_stale);
  ASSERT_FALSE(gave_up.ok());
  EXPECT_NE(gave_up.error().find("try again"), std::string::npos) << gave_up.error();
  EXPECT_TRUE(node.keys.Find(Ref(a)).ok());
  store->Close();
}

TEST(KeyReloadTest, ReloadsRacingWithRequestsNeverUndoALocalChange) {
  TempDir dir;
  ManualClock clock;
  auto store = Open(dir.db());
  ASSERT_NE(store, nullptr);
  Node node(clock, *store, MaterialLimits{1000, 3});
  const EncryptionContext context;
  std::vector<std::string> ids;
  RaceReloads([&] { return node.Reload(); },
              [&] {
                for (int i = 0; i < 10; ++i) {
                  const std::string id =
                      node.keys.CreateKey(CustomerKey("k" + std::to_string(i))).key_id;
                  for (int use = 0; use < 5; ++use) {
                    auto blob = node.keys.Encrypt(id, "text", context);
                    ASSERT_TRUE(blob.ok());
                    EXPECT_TRUE(node.keys.Decrypt(id, *blob, context).ok());
                  }
                  ids.push_back(id);
                }
              });
  ASSERT_TRUE(node.Reload().ok());
  for (const std::string& id : ids) {
    auto key = node.keys.Find(Ref(id));
    ASSERT_TRUE(key.ok()) << id;
    EXPECT_EQ(key->current_version, 1u) << "reloads did not burn the budget of 1000 uses";
  }
  store->Close();
}

}  // namespace
}  // namespace wharf::kms
