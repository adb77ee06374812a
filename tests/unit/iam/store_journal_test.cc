// Identities on the durable store: everything the IAM API creates comes back after a restart,
// deletions stay deleted, secrets are never on disk in clear, and a wrong root key is refused
// with a clear message instead of yielding garbage credentials.

#include "iam/store_journal.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <iterator>
#include <random>
#include <sstream>

#include "common/manual_clock.h"
#include "iam/identity_store.h"
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

using wharf::testing::TempDir;

Sealer KeyOf(char fill) { return std::move(Sealer::FromKey(std::string(32, fill))).value(); }

std::unique_ptr<storage::RocksStore> Open(const std::string& dir) {
  storage::RocksOptions options;
  options.directory = dir;
  options.sealing_key = wharf::testing::TestStorageKey();
  auto opened = storage::RocksStore::Open(options);
  EXPECT_TRUE(opened.ok());
  return opened.ok() ? std::move(opened).value() : nullptr;
}

// Everything appended so far is durable.
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

TEST(StoreJournalTest, IdentitiesSurviveARestartAndSecretsAreSealed) {
  TempDir dir;
  ManualClock clock;
  std::string secret;
  std::string key_id;
  {
    auto store = Open(dir.db());
    ASSERT_NE(store, nullptr);
    StoreJournal journal(*store, KeyOf('k'));
    IdentityStore identities(clock, journal);
    ASSERT_TRUE(identities.CreateUser(kAccount, "Alice", "/team/", {{"env", "prod"}}).ok());
    ASSERT_TRUE(identities.CreateUser(kAccount, "gone", "/", {}).ok());
    auto key = identities.CreateAccessKey(kAccount, "Alice");
    ASSERT_TRUE(key.ok());
    secret = key->secret;
    key_id = key->access_key_id;
    ASSERT_TRUE(
        identities.PutInlinePolicy(Holder::kUser, kAccount, "Alice", "send-only", kPolicy).ok());
    auto managed = identities.CreatePolicy(kAccount, "shared", "/", kPolicy, "a policy");
    ASSERT_TRUE(managed.ok());
    ASSERT_TRUE(identities.CreateRole(kAccount, "worker", "/", kTrust, "", 7200, {}).ok());
    ASSERT_TRUE(identities.DeleteUser(kAccount, "GONE").ok()) << "names ignore case";
    Sync(*store, journal.latest_ticket());
    store->Close();
  }
  // The secret is nowhere on disk in clear (RocksDB may compress, so the WAL and tables are
  // searched raw: a sealed secret is random bytes either way).
  EXPECT_EQ(AllBytesUnder(dir.path()).find(secret), std::string::npos);

  auto store = Open(dir.db());
  ASSERT_NE(store, nullptr);
  StoreJournal journal(*store, KeyOf('k'));
  auto records = journal.Load();
  ASSERT_TRUE(records.ok()) << records.error();
  IdentityStore identities(clock, journal);
  identities.Load(*records);
  auto alice = identities.GetUser(kAccount, "Alice");
  ASSERT_TRUE(alice.ok());
  EXPECT_EQ(alice->path, "/team/");
  ASSERT_EQ(alice->tags.size(), 1u);
  EXPECT_EQ(alice->tags[0].value, "prod");
  EXPECT_FALSE(identities.GetUser(kAccount, "gone").ok()) << "a deleted user stays deleted";
  auto found = identities.Lookup(key_id, "", clock.WallMillis());
  ASSERT_TRUE(found.ok()) << "the access key works after the restart";
  EXPECT_EQ((*found)->secret, secret);
  EXPECT_EQ((*found)->principal.arn, "arn:aws:iam::123456789012:user/team/Alice");
  auto inline_policy = identities.GetInlinePolicy(Holder::kUser, kAccount, "Alice", "send-only");
  ASSERT_TRUE(inline_policy.ok());
  EXPECT_EQ(inline_policy->document, kPolicy);
  EXPECT_EQ(identities.PoliciesOf((*found)->principal).size(), 1u);
  EXPECT_TRUE(identities.GetRole(kAccount, "worker").ok());
  EXPECT_EQ(identities.GetRole(kAccount, "worker")->max_session_duration, 7200);
  EXPECT_TRUE(identities.GetPolicy(kAccount, "arn:aws:iam::123456789012:policy/shared").ok());
  store->Close();
}

TEST(StoreJournalTest, AWrongRootKeyIsRefusedClearly) {
  TempDir dir;
  ManualClock clock;
  {
    auto store = Open(dir.db());
    ASSERT_NE(store, nullptr);
    StoreJournal journal(*store, KeyOf('k'));
    IdentityStore identities(clock, journal);
    ASSERT_TRUE(identities.CreateUser(kAccount, "bob", "/", {}).ok());
    ASSERT_TRUE(identities.CreateAccessKey(kAccount, "bob").ok());
    Sync(*store, journal.latest_ticket());
    store->Close();
  }
  auto store = Open(dir.db());
  ASSERT_NE(store, nullptr);
  StoreJournal journal(*store, KeyOf('x'));
  auto records = journal.Load();
  ASSERT_FALSE(records.ok());
  EXPECT_NE(records.error().find("does not open"), std::string::npos) << records.error();
  EXPECT_NE(records.error().find("root key"), std::string::npos) << records.error();
  store->Close();
}

TEST(StoreJournalTest, ObjectKeysFoldNamesButNotKeyIdsOrArns) {
  EXPECT_EQ(ObjectKeyOf(RecordKind::kUser, kAccount, "Alice"), "iam/user/123456789012/alice");
  EXPECT_EQ(ObjectKeyOf(RecordKind::kAccessKey, kAccount, "AKIAABC"),
            "iam/key/123456789012/AKIAABC");
  EXPECT_EQ(ObjectKeyOf(RecordKind::kManagedPolicy, kAccount, "arn:aws:iam::1:policy/P"),
            "iam/policy/123456789012/arn:aws:iam::1:policy/P");
}

}  // namespace
}  // namespace wharf::iam
