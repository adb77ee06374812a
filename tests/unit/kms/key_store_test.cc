// KeyStore: key states and their errors, deletion after the waiting period, rotation, aliases,
// paging (security.md §4.4). Time moves with a ManualClock.

#include "kms/key_store.h"

#include <gtest/gtest.h>

#include "kms/blob.h"
#include "test_support.h"

namespace wharf::kms {
namespace {

using api::ErrorCode;
using testing::Fixture;
using testing::kAccount;
using testing::kDayMillis;
using testing::kOther;

KeyRef IdRef(const std::string& key_id, const std::string& account = kAccount) {
  KeyRef ref;
  ref.kind = KeyRefKind::kKeyId;
  ref.account_id = account;
  ref.key_id = key_id;
  return ref;
}

KeyRef AliasRef(const std::string& name, const std::string& account = kAccount) {
  KeyRef ref;
  ref.kind = KeyRefKind::kAliasName;
  ref.account_id = account;
  ref.alias_name = name;
  return ref;
}

class KeyStoreTest : public ::testing::Test, public Fixture {};

TEST_F(KeyStoreTest, CreatedKeysAreEnabledAndJournaledWithOneMaterialVersion) {
  const KeyView key = NewKey();
  EXPECT_EQ(key.state, KeyState::kEnabled);
  EXPECT_EQ(key.arn, "arn:aws:kms:us-east-1:123456789012:key/" + key.key_id);
  EXPECT_EQ(key.current_version, 1u);
  EXPECT_EQ(key.created_ms, clock.WallMillis());
  ASSERT_EQ(journal.keys.count(key.key_id), 1u);
  EXPECT_EQ(journal.keys[key.key_id].materials.size(), 1u);
  auto found = store.Find(IdRef(key.key_id));
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->arn, key.arn);
}

TEST_F(KeyStoreTest, UnknownKeysAndAliasesAreNotFoundInKmsWords) {
  auto key = store.Find(IdRef("11111111-2222-3333-4444-555555555555"));
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(key.error().message,
            "Key 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555' "
            "does not exist");
  auto alias = store.Find(AliasRef("alias/missing"));
  ASSERT_FALSE(alias.ok());
  EXPECT_EQ(alias.error().message,
            "Alias arn:aws:kms:us-east-1:123456789012:alias/missing is not found.");
  // A key of another account is not found by its bare id from this one.
  const KeyView other = NewKey(kOther);
  EXPECT_FALSE(store.Find(IdRef(other.key_id)).ok());
  EXPECT_TRUE(store.Find(IdRef(other.key_id, kOther)).ok());
}

TEST_F(KeyStoreTest, DisabledKeysRefuseCryptographyUntilEnabled) {
  const KeyView key = NewKey();
  auto blob = store.Encrypt(key.key_id, "data", {});
  ASSERT_TRUE(blob.ok());
  ASSERT_TRUE(store.Disable(key.key_id).ok());
  auto refused = store.Encrypt(key.key_id, "data", {});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kDisabled);
  EXPECT_EQ(refused.error().message, key.arn + " is disabled.");
  auto decrypt = store.Decrypt(key.key_id, *blob, {});
  ASSERT_FALSE(decrypt.ok());
  EXPECT_EQ(decrypt.error().code, ErrorCode::kDisabled);
  ASSERT_TRUE(store.Enable(key.key_id).ok());
  auto opened = store.Decrypt(key.key_id, *blob, {});
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(opened->plaintext.value, "data");
  EXPECT_EQ(opened->key_arn, key.arn);
}

TEST_F(KeyStoreTest, PendingDeletionRefusesUseAndEnableUntilCancelledWhichLeavesItDisabled) {
  const KeyView key = NewKey();
  auto blob = store.Encrypt(key.key_id, "data", {});
  ASSERT_TRUE(blob.ok());
  auto scheduled = store.ScheduleDeletion(key.key_id, 7);
  ASSERT_TRUE(scheduled.ok());
  EXPECT_EQ(scheduled->state, KeyState::kPendingDeletion);
  EXPECT_EQ(scheduled->deletion_ms, clock.WallMillis() + 7 * kDayMillis);
  EXPECT_EQ(scheduled->pending_window_days, 7);

  auto encrypt = store.Encrypt(key.key_id, "data", {});
  ASSERT_FALSE(encrypt.ok());
  EXPECT_EQ(encrypt.error().code, ErrorCode::kKmsInvalidStateException);
  EXPECT_EQ(encrypt.error().message, key.arn + " is pending deletion.");
  EXPECT_EQ(store.Decrypt(key.key_id, *blob, {}).error().code,
            ErrorCode::kKmsInvalidStateException);
  EXPECT_EQ(store.Enable(key.key_id).error().code, ErrorCode::kKmsInvalidStateException);
  EXPECT_EQ(store.Disable(key.key_id).error().code, ErrorCode::kKmsInvalidStateException);
  EXPECT_EQ(store.ScheduleDeletion(key.key_id, 30).error().code,
            ErrorCode::kKmsInvalidStateException);

  auto cancelled = store.CancelDeletion(key.key_id);
  ASSERT_TRUE(cancelled.ok());
  EXPECT_EQ(cancelled->state, KeyState::kDisabled) << "CancelKeyDeletion leaves the key Disabled";
  auto again = store.CancelDeletion(key.key_id);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kKmsInvalidStateException);
  EXPECT_EQ(again.error().message, key.arn + " is not pending deletion.");
  ASSERT_TRUE(store.Enable(key.key_id).ok());
  EXPECT_TRUE(store.Decrypt(key.key_id, *blob, {}).ok());
}

TEST_F(KeyStoreTest, AfterTheWindowTheKeyAndItsAliasesAreGoneAndItsBlobsDoNotOpen) {
  const KeyView doomed = NewKey();
  const KeyView kept = NewKey();
  ASSERT_TRUE(store.CreateAlias(kAccount, "alias/doomed", doomed.key_id).ok());
  ASSERT_TRUE(store.CreateAlias(kAccount, "alias/kept", kept.key_id).ok());
  auto blob = store.Encrypt(doomed.key_id, "data", {});
  ASSERT_TRUE(blob.ok());
  ASSERT_TRUE(store.ScheduleDeletion(doomed.key_id, 7).ok());

  clock.Advance(std::chrono::milliseconds(7 * kDayMillis - 1));
  EXPECT_TRUE(store.Find(IdRef(doomed.key_id)).ok()) << "one millisecond before the date";

  clock.Advance(std::chrono::milliseconds(1));
  // Invisible at once (lazily, without a change)...
  EXPECT_EQ(store.Find(IdRef(doomed.key_id)).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store.Find(AliasRef("alias/doomed")).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store.KeyOfBlob(*blob).error().code, ErrorCode::kInvalidCiphertext);
  auto keys = store.ListKeys(kAccount, 100, std::nullopt);
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->items.size(), 1u);
  EXPECT_EQ(keys->items[0].key_id, kept.key_id);
  auto aliases = store.ListAliases(kAccount, std::nullopt, 100, std::nullopt);
  ASSERT_TRUE(aliases.ok());
  ASSERT_EQ(aliases->items.size(), 1u);
  EXPECT_EQ(aliases->items[0].name, "alias/kept");
  EXPECT_EQ(journal.keys.count(doomed.key_id), 1u) << "not yet erased: nothing changed";

  // ...and erased from the journal, with its alias, at the next change.
  NewKey();
  EXPECT_EQ(journal.keys.count(doomed.key_id), 0u);
  EXPECT_EQ(journal.aliases.count("alias/doomed"), 0u);
  EXPECT_EQ(journal.aliases.count("alias/kept"), 1u);
  EXPECT_TRUE(store.CreateAlias(kAccount, "alias/doomed", kept.key_id).ok())
      << "the name is free again";
}

TEST_F(KeyStoreTest, LoadRemovesKeysWhoseDateHasPassed) {
  const KeyView key = NewKey();
  ASSERT_TRUE(store.CreateAlias(kAccount, "alias/a", key.key_id).ok());
  ASSERT_TRUE(store.ScheduleDeletion(key.key_id, 7).ok());
  std::vector<KeyRecord> keys;
  for (auto& [id, record] : journal.keys) keys.push_back(record);
  std::vector<AliasRecord> aliases;
  for (auto& [name, record] : journal.aliases) aliases.push_back(record);

  clock.Advance(std::chrono::milliseconds(8 * kDayMillis));
  testing::RecordingJournal restarted_journal;
  KeyStore restarted(clock, restarted_journal, "us-east-1");
  EXPECT_TRUE(restarted.Load(keys, aliases).empty());
  EXPECT_EQ(restarted_journal.erases, 2) << "the key and its alias";
  EXPECT_FALSE(restarted.Find(IdRef(key.key_id)).ok());
}

TEST_F(KeyStoreTest, RotationAddsMaterialVersionsAndOldBlobsStillOpen) {
  const KeyView key = NewKey();
  auto v1 = store.Encrypt(key.key_id, "one", {{"c", "1"}});
  ASSERT_TRUE(v1.ok());
  EXPECT_EQ(ParseBlobHeader(*v1)->material_version, 1u);

  ASSERT_TRUE(store.EnableRotation(key.key_id, 90).ok());
  auto status = store.Find(IdRef(key.key_id));
  EXPECT_EQ(status->next_rotation_ms, clock.WallMillis() + 90 * kDayMillis);
  clock.Advance(std::chrono::milliseconds(90 * kDayMillis));
  auto v2 = store.Encrypt(key.key_id, "two", {{"c", "2"}});
  ASSERT_TRUE(v2.ok());
  EXPECT_EQ(ParseBlobHeader(*v2)->material_version, 2u) << "rotated on first use after the date";
  EXPECT_EQ(journal.keys[key.key_id].materials.size(), 2u) << "journaled before use";
  EXPECT_EQ(store.Find(IdRef(key.key_id))->next_rotation_ms, clock.WallMillis() + 90 * kDayMillis);

  auto rotated = store.RotateNow(key.key_id);
  ASSERT_TRUE(rotated.ok());
  EXPECT_EQ(rotated->current_version, 3u);
  EXPECT_EQ(rotated->next_rotation_ms, clock.WallMillis() + 90 * kDayMillis)
      << "on-demand rotation keeps the schedule";
  auto v3 = store.Encrypt(key.key_id, "three", {});
  EXPECT_EQ(ParseBlobHeader(*v3)->material_version, 3u);

  EXPECT_EQ(store.Decrypt(key.key_id, *v1, {{"c", "1"}})->plaintext.value, "one");
  EXPECT_EQ(store.Decrypt(key.key_id, *v2, {{"c", "2"}})->plaintext.value, "two");
  EXPECT_EQ(store.Decrypt(key.key_id, *v3, {})->plaintext.value, "three");

  // A blob that names a version the key never had does not open.
  std::string forged = *v3;
  forged[20] = 9;
  EXPECT_EQ(store.Decrypt(key.key_id, forged, {}).error().code, ErrorCode::kInvalidCiphertext);

  ASSERT_TRUE(store.DisableRotation(key.key_id).ok());
  clock.Advance(std::chrono::milliseconds(400 * kDayMillis));
  EXPECT_EQ(ParseBlobHeader(*store.Encrypt(key.key_id, "x", {}))->material_version, 3u);
}

TEST_F(KeyStoreTest, AMaterialVersionSealsAtMostItsBudgetThenTheKeyRotates) {
  // 5 encryptions per version, reserved 2 at a time (the real budget is 2^32, in blocks of 2^20).
  testing::RecordingJournal small_journal;
  KeyStore small(clock, small_journal, "us-east-1", MaterialLimits{5, 2});
  kms::NewKey spec;
  spec.account_id = kAccount;
  spec.policy_text = DefaultKeyPolicy(kAccount);
  spec.policy = *ParseKeyPolicy(spec.policy_text);
  const KeyView key = small.CreateKey(std::move(spec));
  EXPECT_EQ(small_journal.keys[key.key_id].uses_reserved, 2u);
  std::vector<uint32_t> versions;
  for (int i = 0; i < 7; ++i) {
    auto blob = small.Encrypt(key.key_id, "x", {});
    ASSERT_TRUE(blob.ok());
    versions.push_back(ParseBlobHeader(*blob)->material_version);
  }
  EXPECT_EQ(versions, (std::vector<uint32_t>{1, 1, 1, 1, 1, 2, 2}));
  EXPECT_EQ(small_journal.keys[key.key_id].materials.size(), 2u);
  EXPECT_EQ(small_journal.keys[key.key_id].uses_reserved, 2u) << "the new version's first block";

  // After a restart every reserved use counts as made: the next encryption reserves anew.
  const int puts = small_journal.puts;
  KeyStore restarted(clock, small_journal, "us-east-1", MaterialLimits{5, 2});
  EXPECT_TRUE(restarted.Load({small_journal.keys[key.key_id]}, {}).empty());
  auto blob = restarted.Encrypt(key.key_id, "x", {});
  ASSERT_TRUE(blob.ok());
  EXPECT_EQ(ParseBlobHeader(*blob)->material_version, 2u);
  EXPECT_EQ(small_journal.puts, puts + 1);
  EXPECT_EQ(small_journal.keys[key.key_id].uses_reserved, 4u);
}

TEST_F(KeyStoreTest, RotationNeedsAnEnabledKey) {
  const KeyView key = NewKey();
  ASSERT_TRUE(store.Disable(key.key_id).ok());
  EXPECT_EQ(store.EnableRotation(key.key_id, 365).error().code, ErrorCode::kDisabled);
  EXPECT_EQ(store.RotateNow(key.key_id).error().code, ErrorCode::kDisabled);
}

TEST_F(KeyStoreTest, DecryptFailuresAreInvalidCiphertextWithAnEmptyMessage) {
  const KeyView key = NewKey();
  auto blob = store.Encrypt(key.key_id, "data", {{"purpose", "test"}});
  ASSERT_TRUE(blob.ok());
  for (const auto& [what, context] : std::vector<std::pair<std::string, EncryptionContext>>{
           {"no context", {}},
           {"another value", {{"purpose", "other"}}},
           {"an extra pair", {{"purpose", "test"}, {"x", "y"}}}}) {
    auto opened = store.Decrypt(key.key_id, *blob, context);
    ASSERT_FALSE(opened.ok()) << what;
    EXPECT_EQ(opened.error().code, ErrorCode::kInvalidCiphertext) << what;
    EXPECT_EQ(opened.error().message, "") << what;
  }
  const KeyView other = NewKey();
  EXPECT_EQ(store.Decrypt(other.key_id, *blob, {{"purpose", "test"}}).error().code,
            ErrorCode::kInvalidCiphertext)
      << "a blob of one key is no blob of another";
  EXPECT_EQ(store.KeyOfBlob("garbage").error().code, ErrorCode::kInvalidCiphertext);
}

TEST_F(KeyStoreTest, AliasRules) {
  const KeyView a = NewKey();
  const KeyView b = NewKey();
  ASSERT_TRUE(store.CreateAlias(kAccount, "alias/app", a.key_id).ok());
  auto duplicate = store.CreateAlias(kAccount, "alias/app", b.key_id);
  ASSERT_FALSE(duplicate.ok());
  EXPECT_EQ(duplicate.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(duplicate.error().message,
            "An alias with the name arn:aws:kms:us-east-1:123456789012:alias/app already exists");
  EXPECT_EQ(store.Find(AliasRef("alias/app"))->key_id, a.key_id);

  ASSERT_TRUE(store.UpdateAlias(kAccount, "alias/app", b.key_id).ok());
  EXPECT_EQ(store.Find(AliasRef("alias/app"))->key_id, b.key_id);
  EXPECT_EQ(store.UpdateAlias(kAccount, "alias/none", b.key_id).error().code, ErrorCode::kNotFound);

  // Another account's key cannot be a target, and the same name lives separately per account.
  const KeyView foreign = NewKey(kOther);
  EXPECT_EQ(store.CreateAlias(kAccount, "alias/foreign", foreign.key_id).error().code,
            ErrorCode::kNotFound);
  ASSERT_TRUE(store.CreateAlias(kOther, "alias/app", foreign.key_id).ok());
  EXPECT_EQ(store.Find(AliasRef("alias/app", kOther))->key_id, foreign.key_id);

  ASSERT_TRUE(store.ScheduleDeletion(a.key_id, 7).ok());
  EXPECT_EQ(store.CreateAlias(kAccount, "alias/late", a.key_id).error().code,
            ErrorCode::kKmsInvalidStateException);

  ASSERT_TRUE(store.DeleteAlias(kAccount, "alias/app").ok());
  auto gone = store.DeleteAlias(kAccount, "alias/app");
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().message,
            "Alias arn:aws:kms:us-east-1:123456789012:alias/app is not found.");
}

TEST_F(KeyStoreTest, ListsArePagedByMarker) {
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(NewKey().key_id);
  NewKey(kOther);
  std::sort(ids.begin(), ids.end());
  std::vector<std::string> seen;
  std::optional<std::string> marker;
  int pages = 0;
  do {
    auto page = store.ListKeys(kAccount, 2, marker);
    ASSERT_TRUE(page.ok());
    for (const KeyView& k : page->items) seen.push_back(k.key_id);
    marker = page->next_marker;
    ++pages;
  } while (marker);
  EXPECT_EQ(seen, ids) << "every key of the account once, none of the other's";
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(store.ListKeys(kAccount, 5, std::nullopt)->next_marker, std::nullopt)
      << "no marker when the last page is exactly full";
  EXPECT_EQ(store.ListKeys(kAccount, 2, "not-a-key-id").error().code, ErrorCode::kInvalidMarker);

  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(store.CreateAlias(kAccount, "alias/a" + std::to_string(i), ids[i % 2]).ok());
  }
  auto first = store.ListAliases(kAccount, std::nullopt, 2, std::nullopt);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->items.size(), 2u);
  ASSERT_TRUE(first->next_marker);
  auto second = store.ListAliases(kAccount, std::nullopt, 2, first->next_marker);
  ASSERT_EQ(second->items.size(), 1u);
  EXPECT_EQ(second->items[0].name, "alias/a2");
  auto of_key = store.ListAliases(kAccount, ids[1], 100, std::nullopt);
  ASSERT_EQ(of_key->items.size(), 1u);
  EXPECT_EQ(of_key->items[0].name, "alias/a1");
}

TEST_F(KeyStoreTest, TheAwsManagedSqsKeyIsCreatedOnceWithItsAliasAndPolicy) {
  const KeyView first = store.ManagedKey(kAccount, "sqs");
  EXPECT_EQ(first.manager, KeyManager::kAws);
  EXPECT_TRUE(first.rotation_enabled) << "AWS rotates its keys every year";
  EXPECT_NE(first.policy_text.find("\"kms:ViaService\":\"sqs.us-east-1.amazonaws.com\""),
            std::string::npos);
  EXPECT_NE(first.policy_text.find("\"kms:CallerAccount\":\"123456789012\""), std::string::npos);
  ASSERT_NE(first.policy, nullptr);
  EXPECT_EQ(store.ManagedKey(kAccount, "sqs").key_id, first.key_id);
  EXPECT_EQ(store.Find(AliasRef("alias/aws/sqs"))->key_id, first.key_id);
  EXPECT_NE(store.ManagedKey(kOther, "sqs").key_id, first.key_id) << "one per account";
  EXPECT_EQ(journal.aliases.count("alias/aws/sqs"), 1u);
}

TEST_F(KeyStoreTest, TagsAreMergedSortedAndLimited) {
  const KeyView key = NewKey();
  ASSERT_TRUE(store.Tag(key.key_id, {{"b", "1"}, {"a", "2"}}).ok());
  ASSERT_TRUE(store.Tag(key.key_id, {{"b", "3"}}).ok());
  std::vector<std::pair<std::string, std::string>> expected{{"a", "2"}, {"b", "3"}};
  EXPECT_EQ(store.Find(IdRef(key.key_id))->tags, expected);
  ASSERT_TRUE(store.Untag(key.key_id, {"a", "missing"}).ok());
  expected = {{"b", "3"}};
  EXPECT_EQ(store.Find(IdRef(key.key_id))->tags, expected);
  std::vector<std::pair<std::string, std::string>> many;
  for (int i = 0; i < 50; ++i) many.emplace_back("k" + std::to_string(i), "v");
  EXPECT_EQ(store.Tag(key.key_id, many).error().code, ErrorCode::kTagException);
}

}  // namespace
}  // namespace wharf::kms
