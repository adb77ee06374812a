#include "server/rekey.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <utility>
#include <vector>

#include "iam/store_journal.h"
#include "kms/store_journal.h"
#include "server/root_key.h"
#include "sns/signing_key.h"
#include "storage/rocks_store.h"

namespace wharf::server {
namespace {

// A Store that keeps what is appended, to hand it to RocksStore::Rekey as one batch.
class CollectingStore final : public storage::Store {
 public:
  bool durable() const override { return true; }
  uint64_t Append(std::vector<storage::Record> records) override {
    for (storage::Record& r : records) records_.push_back(std::move(r));
    return 0;
  }
  void WhenDurable(uint64_t, storage::CommitDone done) override { done(storage::StorageStatus()); }
  storage::StorageStatus Recover(storage::RecoveryVisitor&) override { return {}; }
  void ReadMessages(uint64_t, std::vector<uint64_t> seqs, storage::ReadDone done) override {
    done(std::vector<std::string>(seqs.size()));
  }
  storage::StorageStatus ScanObjects(
      std::string_view, const std::function<void(std::string_view, std::string_view)>&) override {
    return {};
  }
  std::vector<storage::Record> Take() { return std::move(records_); }

 private:
  std::vector<storage::Record> records_;
};

int Fail(const std::string& message) {
  std::fprintf(stderr, "wharf rekey: %s\n", message.c_str());
  return 1;
}

}  // namespace

CLI::App* AddRekeyCommand(CLI::App& app, RekeyOptions& o) {
  CLI::App* cmd = app.add_subcommand(
      "rekey",
      "Rotate the root key of a data directory (stop the server first): wraps the store's data "
      "keys and seals IAM secrets again under the new key in one synced write");
  cmd->add_option("--data-dir", o.data_dir, "Data directory")
      ->envname("WHARF_DATA_DIR")
      ->capture_default_str();
  cmd->add_option("--root-key-file", o.root_key_file, "Current key file (as for serve)")
      ->envname("WHARF_ROOT_KEY_FILE");
  cmd->add_option("--root-passphrase-file", o.root_passphrase_file,
                  "Current passphrase file (as for serve; or WHARF_ROOT_PASSPHRASE)")
      ->envname("WHARF_ROOT_PASSPHRASE_FILE");
  cmd->add_option("--root-key-params-file", o.root_key_params_file,
                  "Current passphrase parameters file (as for serve)")
      ->envname("WHARF_ROOT_KEY_PARAMS_FILE");
  cmd->add_option("--new-root-key-file", o.new_root_key_file,
                  "New key file (created with a fresh random key if missing)");
  cmd->add_option("--new-root-passphrase-file", o.new_root_passphrase_file,
                  "New passphrase file (or WHARF_NEW_ROOT_PASSPHRASE)");
  cmd->add_option("--new-root-key-params-file", o.new_root_key_params_file,
                  "New passphrase parameters file (created if missing)");
  return cmd;
}

int Rekey(const RekeyOptions& o) {
  RootKeyLocation current;
  current.key_file = o.root_key_file;
  current.passphrase_file = o.root_passphrase_file;
  current.params_file = o.root_key_params_file;
  current.data_dir = o.data_dir;
  current.create = false;
  auto old_key = LoadOrCreateRootKey(current);
  if (!old_key.ok()) return Fail("the current root key: " + old_key.error());

  RootKeyLocation next;
  next.key_variable = "WHARF_NEW_ROOT_KEY";
  next.passphrase_variable = "WHARF_NEW_ROOT_PASSPHRASE";
  next.key_file = o.new_root_key_file;
  next.passphrase_file = o.new_root_passphrase_file;
  next.params_file = o.new_root_key_params_file;
  next.data_dir = o.data_dir;
  const char* new_hex = std::getenv("WHARF_NEW_ROOT_KEY");
  const char* new_passphrase = std::getenv("WHARF_NEW_ROOT_PASSPHRASE");
  const bool by_passphrase =
      (new_passphrase != nullptr && *new_passphrase != '\0') || !o.new_root_passphrase_file.empty();
  // The defaults are the current key's places: the new key must be named explicitly.
  if ((new_hex == nullptr || *new_hex == '\0') &&
      (by_passphrase ? o.new_root_key_params_file.empty() : o.new_root_key_file.empty())) {
    return Fail(by_passphrase ? "name the new passphrase's parameters file with "
                                "--new-root-key-params-file"
                              : "name the new key: --new-root-key-file, WHARF_NEW_ROOT_KEY, or a "
                                "new passphrase (WHARF_NEW_ROOT_PASSPHRASE or "
                                "--new-root-passphrase-file with --new-root-key-params-file)");
  }
  auto new_key = LoadOrCreateRootKey(next);
  if (!new_key.ok()) return Fail("the new root key: " + new_key.error());
  auto forget_created = [&] {
    std::error_code ignored;
    if (!new_key->created_path.empty()) std::filesystem::remove(new_key->created_path, ignored);
  };
  if (new_key->key.key_id() == old_key->key.key_id()) {
    forget_created();
    return Fail("the new root key is the current one");
  }

  storage::RocksOptions rocks;
  rocks.directory = (std::filesystem::path(o.data_dir) / "queues").string();
  rocks.sealing_key = old_key->key.Derive("storage v1");
  auto opened = storage::RocksStore::Open(rocks);
  if (!opened.ok()) {
    forget_created();
    return Fail("cannot open the store: " + opened.error().detail);
  }
  std::unique_ptr<storage::RocksStore> store = std::move(opened).value();

  // Every owner of secrets sealed under its own sub-key of the root key seals them again here
  // (IAM secret access keys, KMS key material, the SNS signing key).
  CollectingStore resealed;
  iam::StoreJournal old_identities(*store, old_key->key.Derive("iam-secrets v1"));
  auto identities = old_identities.Load();
  if (!identities.ok()) {
    forget_created();
    return Fail(identities.error());
  }
  iam::StoreJournal new_identities(resealed, new_key->key.Derive("iam-secrets v1"));
  for (const iam::IdentityRecord& record : *identities) {
    if (auto put = new_identities.Put(record); !put.ok()) {
      forget_created();
      return Fail(put.error());
    }
  }
  // KMS key material is wrapped under "kms-wrap v1": unwrap with the old key, wrap again with the
  // new one (key ids, ARNs and every ciphertext made with the keys stay valid).
  kms::StoreJournal old_keys(*store, old_key->key.Derive("kms-wrap v1"));
  auto keys = old_keys.Load();
  if (!keys.ok()) {
    forget_created();
    return Fail(keys.error());
  }
  kms::StoreJournal new_keys(resealed, new_key->key.Derive("kms-wrap v1"));
  for (const kms::KeyRecord& key : keys->keys) new_keys.PutKey(key);
  // The SNS envelope signing key is sealed under "sns-signing v1": the same key (so envelopes
  // signed before still verify against the served certificate), sealed again.
  auto signing_key = sns::LoadSigningKey(*store, old_key->key.Derive("sns-signing v1"));
  if (!signing_key.ok()) {
    forget_created();
    return Fail(signing_key.error());
  }
  if (*signing_key) {
    if (auto saved =
            sns::SaveSigningKey(resealed, **signing_key, new_key->key.Derive("sns-signing v1"));
        !saved.ok()) {
      forget_created();
      return Fail(saved.error());
    }
  }
  storage::StorageStatus rekeyed = store->Rekey(new_key->key.Derive("storage v1"), resealed.Take());
  if (!rekeyed.ok()) {
    forget_created();
    return Fail("nothing was changed: " + rekeyed.error().detail);
  }
  std::fprintf(
      stderr,
      "wharf rekey: %s is now sealed under the new root key (%s; its data keys wrapped "
      "again, %zu identity records, %zu KMS keys and %s sealed again). Start wharf with the "
      "new key; the old one no longer opens it. STS session tokens issued before no longer "
      "work.\n",
      rocks.directory.c_str(), new_key->mode.c_str(), identities->size(), keys->keys.size(),
      *signing_key ? "the SNS signing key" : "no SNS signing key");
  return 0;
}

}  // namespace wharf::server
