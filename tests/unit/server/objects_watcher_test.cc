#include "server/objects_watcher.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace wharf::server {
namespace {

// A signature the test sets, and owners that count their reloads and fail on demand.
struct Fixture {
  ObjectsWatcher::Signature signature{1, 1};
  bool unreadable = false;
  int iam_reloads = 0;
  int kms_reloads = 0;
  bool kms_fails = false;

  ObjectsWatcher Make() {
    return ObjectsWatcher([this]() -> Result<ObjectsWatcher::Signature, std::string> {
      if (unreadable) return std::string("connection refused");
      return signature;
    });
  }
  void WatchBoth(ObjectsWatcher& watcher) {
    watcher.Watch({"iam", [this]() -> Status<std::string> {
                     ++iam_reloads;
                     return {};
                   }});
    watcher.Watch({"kms", [this]() -> Status<std::string> {
                     ++kms_reloads;
                     if (kms_fails) return std::string("unreadable record kms/key/x");
                     return {};
                   }});
  }
};

TEST(ObjectsWatcherTest, PrimedOwnersReloadOnlyWhenTheSignatureChanges) {
  Fixture f;
  ObjectsWatcher watcher = f.Make();
  ASSERT_TRUE(watcher.Prime().ok());
  f.WatchBoth(watcher);
  auto check = watcher.CheckOnce();
  EXPECT_TRUE(check.signature_read);
  EXPECT_EQ(check.reloaded, 0);
  EXPECT_EQ(f.iam_reloads, 0);

  f.signature = {2, 3};
  check = watcher.CheckOnce();
  EXPECT_EQ(check.reloaded, 2);
  EXPECT_EQ(f.iam_reloads, 1);
  EXPECT_EQ(f.kms_reloads, 1);

  check = watcher.CheckOnce();  // nothing new
  EXPECT_EQ(check.reloaded, 0);
  EXPECT_EQ(f.iam_reloads, 1);
}

TEST(ObjectsWatcherTest, WithoutPrimingTheFirstCheckReloadsEveryone) {
  Fixture f;
  ObjectsWatcher watcher = f.Make();
  f.WatchBoth(watcher);
  EXPECT_EQ(watcher.CheckOnce().reloaded, 2);
  EXPECT_EQ(watcher.CheckOnce().reloaded, 0);
}

// A failed reload keeps that owner behind: it is retried at every check until it succeeds,
// while the other owner is not reloaded again.
TEST(ObjectsWatcherTest, AFailedReloadIsRetriedUntilItSucceeds) {
  Fixture f;
  ObjectsWatcher watcher = f.Make();
  ASSERT_TRUE(watcher.Prime().ok());
  f.WatchBoth(watcher);
  f.signature = {2, 3};
  f.kms_fails = true;
  auto check = watcher.CheckOnce();
  EXPECT_EQ(check.reloaded, 1);
  EXPECT_EQ(check.failed, 1);
  check = watcher.CheckOnce();
  EXPECT_EQ(check.reloaded, 0);
  EXPECT_EQ(check.failed, 1);
  EXPECT_EQ(f.iam_reloads, 1);
  EXPECT_EQ(f.kms_reloads, 2);
  f.kms_fails = false;
  check = watcher.CheckOnce();
  EXPECT_EQ(check.reloaded, 1);
  EXPECT_EQ(check.failed, 0);
  EXPECT_EQ(f.kms_reloads, 3);
  EXPECT_EQ(watcher.CheckOnce().reloaded, 0);
}

// A change committed between Prime and an owner's start-up load is in that load or changes the
// signature: the first check reloads exactly when the signature moved after Prime.
TEST(ObjectsWatcherTest, AChangeAfterPrimeReloadsAtTheFirstCheck) {
  Fixture f;
  ObjectsWatcher watcher = f.Make();
  ASSERT_TRUE(watcher.Prime().ok());
  f.signature = {2, 5};  // another node wrote while this one was loading
  f.WatchBoth(watcher);
  EXPECT_EQ(watcher.CheckOnce().reloaded, 2);
  EXPECT_EQ(f.iam_reloads, 1);
}

TEST(ObjectsWatcherTest, AnUnreadableSignatureReloadsNothing) {
  Fixture f;
  ObjectsWatcher watcher = f.Make();
  f.unreadable = true;
  EXPECT_FALSE(watcher.Prime().ok());
  f.WatchBoth(watcher);
  auto check = watcher.CheckOnce();
  EXPECT_FALSE(check.signature_read);
  EXPECT_EQ(check.reloaded, 0);
  EXPECT_EQ(f.iam_reloads + f.kms_reloads, 0);
  f.unreadable = false;
  EXPECT_EQ(watcher.CheckOnce().reloaded, 2);
}

}  // namespace
}  // namespace wharf::server
