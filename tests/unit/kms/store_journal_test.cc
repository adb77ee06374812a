// Keys on the durable store: what the KMS API creates comes back after a reopen of the store —
// keys, states, policies, tags, rotation versions, aliases — old blobs still open, key material
// is never on disk in clear, and a wrong root key stops the start with a message naming the
// record instead of serving garbage keys.

#include "kms/store_journal.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <iterator>

#include "common/manual_clock.h"
#include "kms/key_store.h"
#include "kms/policies.h"
#include "storage/rocks_store.h"
#include "storage_key.h"
#include "temp_dir.h"

namespace wharf::kms {
namespace {

constexpr char kAccount[] = "123456789012";
using wharf::testing::TempDir;

Sealer WrapKey(char fill) {
  return std::move(Sealer::FromKey(std::string(32, fill))).value().Derive("kms-wrap v1");
}

std::unique_ptr<storage::RocksStore> Open(const std::string& dir) {
  storage::RocksOptions options;
  options.directory = dir;
  options.sealing_key = wharf::testing::TestStorageKey();
  auto opened = storage::RocksStore::Open(options);
  EXPECT_TRUE(opened.ok());
  return opened.ok() ? std::move(opened).value() : nullptr;
}

void Sync(storage::Store& store, uint64_t ticket) {
  std::promise<bool> done;
  store.WhenDurable(ticket, [&done](storage::StorageStatus s) { done.set_value(s.ok()); });
  ASSERT_TRUE(done.get_future().get());
}

std::string AllBytesUnder(const std::filesystem::path& dir) {
  std::string all;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    all.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return all;
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

TEST(KmsStoreJournalTest, KeysAliasesAndMaterialSurviveAReopen) {
  TempDir dir;
  ManualClock clock;
  std::string enabled_id, disabled_id, pending_id, blob_v1, blob_v2;
  const EncryptionContext context{{"purpose", "restart"}};
  {
    auto store = Open(dir.db());
    ASSERT_NE(store, nullptr);
    StoreJournal journal(*store, WrapKey('r'));
    KeyStore keys(clock, journal, "us-east-1");
    enabled_id = keys.CreateKey(CustomerKey("enabled")).key_id;
    disabled_id = keys.CreateKey(CustomerKey("disabled")).key_id;
    pending_id = keys.CreateKey(CustomerKey("pending")).key_id;
    ASSERT_TRUE(keys.Disable(disabled_id).ok());
    ASSERT_TRUE(keys.ScheduleDeletion(pending_id, 10).ok());
    ASSERT_TRUE(keys.Tag(enabled_id, {{"team", "core"}}).ok());
    const std::string policy =
        R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":)"
        R"("123456789012"},"Action":"kms:*","Resource":"*"}]})";
    ASSERT_TRUE(keys.PutPolicy(enabled_id, policy, *ParseKeyPolicy(policy)).ok());
    ASSERT_TRUE(keys.CreateAlias(kAccount, "alias/app", enabled_id).ok());
    ASSERT_TRUE(keys.CreateAlias(kAccount, "alias/gone", disabled_id).ok());
    ASSERT_TRUE(keys.DeleteAlias(kAccount, "alias/gone").ok());
    keys.ManagedKey(kAccount, "sqs");
    blob_v1 = *keys.Encrypt(enabled_id, "first", context);
    ASSERT_TRUE(keys.RotateNow(enabled_id).ok());
    ASSERT_TRUE(keys.EnableRotation(enabled_id, 90).ok());
    blob_v2 = *keys.Encrypt(enabled_id, "second", context);
    Sync(*store, journal.latest_ticket());
    store->Close();
  }

  auto store = Open(dir.db());
  ASSERT_NE(store, nullptr);
  StoreJournal journal(*store, WrapKey('r'));
  auto loaded = journal.Load();
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  EXPECT_EQ(loaded->keys.size(), 4u);
  EXPECT_EQ(loaded->aliases.size(), 2u) << "alias/app and alias/aws/sqs";
  KeyStore keys(clock, journal, "us-east-1");
  EXPECT_TRUE(keys.Load(std::move(loaded->keys), std::move(loaded->aliases)).empty());

  auto enabled = keys.Find(Ref("alias/app"));
  ASSERT_TRUE(enabled.ok());
  EXPECT_EQ(enabled->key_id, enabled_id);
  EXPECT_EQ(enabled->description, "enabled");
  EXPECT_EQ(enabled->current_version, 2u);
  EXPECT_TRUE(enabled->rotation_enabled);
  EXPECT_EQ(enabled->rotation_period_days, 90);
  EXPECT_NE(enabled->policy_text.find(R"("AWS":"123456789012")"), std::string::npos);
  ASSERT_NE(enabled->policy, nullptr);
  ASSERT_EQ(enabled->tags.size(), 1u);
  EXPECT_EQ(enabled->tags[0].second, "core");
  EXPECT_EQ(keys.Decrypt(enabled_id, blob_v1, context)->plaintext.value, "first");
  EXPECT_EQ(keys.Decrypt(enabled_id, blob_v2, context)->plaintext.value, "second");
  EXPECT_EQ(keys.Find(Ref(disabled_id))->state, KeyState::kDisabled);
  auto pending = keys.Find(Ref(pending_id));
  EXPECT_EQ(pending->state, KeyState::kPendingDeletion);
  EXPECT_EQ(pending->deletion_ms, clock.WallMillis() + 10 * 86'400'000LL);
  EXPECT_FALSE(keys.Find(Ref("alias/gone")).ok()) << "a deleted alias stays deleted";
  auto managed = keys.Find(Ref("alias/aws/sqs"));
  ASSERT_TRUE(managed.ok());
  EXPECT_EQ(managed->manager, KeyManager::kAws);
  store->Close();
}

TEST(KmsStoreJournalTest, KeyMaterialIsNeverOnDiskInClear) {
  TempDir dir;
  KeyRecord record;
  record.account_id = kAccount;
  record.key_id = "1234abcd-12ab-34cd-56ef-1234567890ab";
  record.arn = KeyArn("us-east-1", kAccount, record.key_id);
  record.policy = DefaultKeyPolicy(kAccount);
  MaterialVersion v1;
  v1.version = 1;
  v1.material = KeyMaterial::Random();
  record.materials.push_back(v1);
  {
    auto store = Open(dir.db());
    ASSERT_NE(store, nullptr);
    StoreJournal journal(*store, WrapKey('m'));
    journal.PutKey(record);
    Sync(*store, journal.latest_ticket());
    store->Close();
  }
  // RocksDB may compress, so the WAL and tables are searched raw: wrapped material is random
  // bytes either way.
  EXPECT_EQ(AllBytesUnder(dir.path()).find(v1.material.view()), std::string::npos);
  auto store = Open(dir.db());
  StoreJournal journal(*store, WrapKey('m'));
  auto loaded = journal.Load();
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  ASSERT_EQ(loaded->keys.size(), 1u);
  EXPECT_EQ(loaded->keys[0].materials[0].material.bytes(), v1.material.bytes());
  store->Close();
}

TEST(KmsStoreJournalTest, WrappedMaterialBelongsToItsKeyAndVersion) {
  // The ARN and the version are the associated data: material copied to another key's record
  // (or renumbered) does not open.
  const Sealer wrap = WrapKey('w');
  const KeyMaterial material = KeyMaterial::Random();
  const std::string sealed = wrap.Seal(material.view(), MaterialAad("arn:a", 1));
  EXPECT_TRUE(wrap.Open(sealed, MaterialAad("arn:a", 1)).ok());
  EXPECT_FALSE(wrap.Open(sealed, MaterialAad("arn:b", 1)).ok());
  EXPECT_FALSE(wrap.Open(sealed, MaterialAad("arn:a", 2)).ok());
}

TEST(KmsStoreJournalTest, AWrongRootKeyStopsTheStartNamingTheRecord) {
  TempDir dir;
  ManualClock clock;
  std::string key_id;
  {
    auto store = Open(dir.db());
    ASSERT_NE(store, nullptr);
    StoreJournal journal(*store, WrapKey('a'));
    KeyStore keys(clock, journal, "us-east-1");
    key_id = keys.CreateKey(CustomerKey("k")).key_id;
    Sync(*store, journal.latest_ticket());
    store->Close();
  }
  auto store = Open(dir.db());
  StoreJournal journal(*store, WrapKey('b'));
  auto loaded = journal.Load();
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.error().find("KMS record kms/key/123456789012/" + key_id), std::string::npos)
      << loaded.error();
  EXPECT_NE(loaded.error().find("wrong key"), std::string::npos) << loaded.error();
  EXPECT_NE(loaded.error().find("root key"), std::string::npos) << loaded.error();
  store->Close();
}

TEST(KmsStoreJournalTest, ObjectKeys) {
  EXPECT_EQ(KeyObjectKey(kAccount, "1234abcd-12ab-34cd-56ef-1234567890ab"),
            "kms/key/123456789012/1234abcd-12ab-34cd-56ef-1234567890ab");
  EXPECT_EQ(AliasObjectKey(kAccount, "alias/aws/sqs"), "kms/alias/123456789012/aws/sqs");
}

}  // namespace
}  // namespace wharf::kms
