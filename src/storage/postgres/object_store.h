#pragma once

// Keyed objects (IAM, KMS, SNS) in PostgreSQL, behind storage::Store, so every node of a
// `--storage postgres` deployment reads and writes the same ones (ADR 0002 decision 7). Queues
// are not here: they live in their own tables (sqs/pg), so this store takes only kObjectPut and
// kObjectDelete records.
//
// Writes: Append never touches the database. It queues the records with a ticket (1, 2, 3, ...)
// and a committer thread of the store's own writes what is queued, in append order, one batch of
// appends per transaction (at most ObjectStoreOptions::max_batch_records records, never
// splitting an append), then completes the WhenDurable callbacks of every ticket of the batch.
// A transaction that fails on a connection error (a connection that broke, or could not be
// opened) is run once more on a fresh connection; any other failure, or a second one, is
// reported to the batch's tickets and Health() until a later batch commits. Unlike RocksStore,
// a failed batch is not written again later: it is reported as not durable and dropped (an
// owner that backs out its change on failure therefore sees the database as it was).
//
// An append holding a record of any other type is refused as a whole: its WhenDurable reports
// kInvalid and none of its records is written; the appends around it are not affected.
//
// After a transaction that changed something commits, the committer runs
// `pg_notify('wharf_objects', '')` on its own (never inside the transaction), so other nodes can
// reload soon; a node that missed it compares Signature() with the one it loaded.
//
// Reads: ScanObjects first waits until everything appended before the call is written (so an
// owner scanning under its own lock sees its earlier writes), then reads the prefix in one
// statement, in key order (bytewise, unsigned). Recover visits nothing and ReadMessages answers
// empty records: there are no queues here.
//
// Owned objects (ObjectStoreOptions::owner set; table owned_object, schema v10): the objects one
// node owns rather than every node (the SNS outbox). Puts write them as the owner's, scans see
// only the owner's, a delete removes the key whoever owns it now, and no NOTIFY follows a write
// (no other node reads them while the owner lives). When an owner is gone — its lease
// `<prefix><owner>` in table `lease` expired or was given up — another owner takes its objects
// over with Adopt. Signature is for the shared objects only.
//
// Threading: every member is safe from any thread. WhenDurable callbacks run on the committer
// thread (or on the caller's, when the ticket is already written). ScanObjects and Signature
// block on the pool and the database: not for an I/O thread. The pool must outlive the store.
// The destructor writes what is still queued, completes its callbacks, then stops the committer.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "common/sealing.h"
#include "storage/postgres/pg_error.h"
#include "storage/postgres/pool.h"
#include "storage/store.h"

namespace wharf::storage::pg {

// The NOTIFY channel of object changes (payload empty). Must match sql::kNotifyObjects.
inline constexpr std::string_view kObjectsChannel = "wharf_objects";

// What object_signature reads: the number of objects and the sum of their versions. Every put
// draws a version larger than any before it and every delete removes one, so any committed
// change of the table changes the pair (a put and a delete at once change the sum: the new
// version exceeds the deleted one).
struct ObjectsSignature {
  int64_t count = 0;
  int64_t version_sum = 0;
  bool operator==(const ObjectsSignature&) const = default;
};

struct ObjectStoreOptions {
  // How long the committer (or ScanObjects / Signature) waits for a pooled connection.
  std::chrono::milliseconds acquire_wait{5'000};
  // Records per transaction, at most (an append larger than this is written alone).
  size_t max_batch_records = 4096;
  // Empty: the objects every node shares (table object). A node id (uuid): that node's own
  // objects (table owned_object; see the top of this file).
  std::string owner;
  // Set: values are sealed under it in the database (the key is the associated data, so a value
  // copied under another key does not open) and opened on read; one that does not open fails the
  // read (kCorruption). For objects whose owners do not seal what they write themselves (the SNS
  // outbox's publications hold message bodies).
  std::optional<Sealer> sealer;
};

// The exclusive upper bound of the keys that start with `prefix`: the prefix without its trailing
// 0xFF bytes, with its last byte incremented. nullopt when there is none (an empty prefix, or one
// of 0xFF bytes only): every key from the prefix on matches.
std::optional<std::string> ObjectPrefixEnd(std::string_view prefix);

class PgObjectStore final : public Store {
 public:
  explicit PgObjectStore(ConnectionPool& pool, ObjectStoreOptions options = {});
  PgObjectStore(const PgObjectStore&) = delete;
  PgObjectStore& operator=(const PgObjectStore&) = delete;
  ~PgObjectStore() override;

  const CommitStats* commit_stats() const override { return &stats_; }
  bool durable() const override { return true; }
  // The failure of the last batch written, OK once a later one committed.
  StorageStatus Health() const override;
  uint64_t Append(std::vector<Record> records) override;
  void WhenDurable(uint64_t ticket, CommitDone done) override;
  StorageStatus Recover(RecoveryVisitor& visitor) override;
  void ReadMessages(uint64_t queue_id, std::vector<uint64_t> seqs, ReadDone done) override;
  StorageStatus ScanObjects(
      std::string_view prefix,
      const std::function<void(std::string_view key, std::string_view payload)>& visit) override;

  // The table's change signature, read now (the change watcher polls it), of every object but
  // those whose key starts with `except_prefix` (the ones the watcher's owners do not keep).
  PgResult<ObjectsSignature> Signature(std::string_view except_prefix = {});

  // Owned objects only: makes this store's owner the owner of every object whose owner holds no
  // live lease named `lease_prefix` + its id, and returns them (key, value) in key order. Each
  // object goes to one adopter, also when several adopt at once. A sealed value that does not
  // open is logged and left out (it is adopted all the same, so no one tries it again).
  using Objects = std::vector<std::pair<std::string, std::string>>;
  PgResult<Objects> Adopt(std::string_view lease_prefix);
  // Owned objects only: a number larger than any this call returned before, to any node (a
  // database sequence): the SNS outbox numbers its keys from it, so they never collide.
  PgResult<int64_t> NewEpoch();

  // Batches the committer has taken so far (written, failed or wholly refused).
  uint64_t batches() const;

 private:
  struct Entry {
    uint64_t ticket;
    std::vector<Record> records;
    std::optional<StorageError> refused;  // set: nothing of this append is written
  };
  struct Failure {  // tickets first..last did not become durable
    uint64_t first;
    uint64_t last;
    StorageError error;
  };

  void Run();
  // Writes the records of `batch` (refused appends left out) in one transaction, retrying once
  // on a connection error. `wrote` tells whether there was anything to write.
  StorageStatus Write(const std::vector<Entry>& batch, bool& wrote);
  // One attempt; true when the transaction changed something.
  PgResult<bool> WriteOnce(const std::vector<Entry>& batch);
  // The outcome of a written ticket. Requires mu_.
  StorageStatus OutcomeOf(uint64_t ticket) const;
  bool owned() const { return !options_.owner.empty(); }
  // The value as stored (sealed with ObjectStoreOptions::sealer), and back.
  std::string Stored(const Record& record) const;
  PgResult<std::string> Opened(std::string_view key, std::string value) const;

  ConnectionPool& pool_;
  const ObjectStoreOptions options_;
  CommitStats stats_;

  mutable std::mutex mu_;
  std::condition_variable queued_;   // an append, or stopping
  std::condition_variable written_;  // written_ticket_ moved, or the committer finished
  std::deque<Entry> queue_;          // guarded by mu_: appended, not yet taken
  uint64_t appended_ = 0;            // guarded by mu_: the last ticket handed out
  uint64_t written_ticket_ = 0;      // guarded by mu_: every ticket up to it has its outcome
  std::multimap<uint64_t, CommitDone> waiters_;  // guarded by mu_
  std::deque<Failure> failures_;                 // guarded by mu_: the latest ones, bounded
  uint64_t forgotten_upto_ = 0;  // guarded by mu_: failures up to it were dropped from failures_
  std::optional<StorageError> last_error_;  // guarded by mu_: Health()
  uint64_t batches_ = 0;                    // guarded by mu_
  bool stopping_ = false;                   // guarded by mu_
  bool finished_ = false;                   // guarded by mu_: the committer returned
  std::thread committer_;
};

}  // namespace wharf::storage::pg
