#pragma once

// A filesystem seam for tests: wraps RocksDB's filesystem so a test can
//   - make the Nth write (and every later one) fail with ENOSPC or EIO,
//   - make every write, or only every sync, fail from now on and heal again, at run time (a
//     disk that fills up and is freed again), and
//   - simulate power loss: stop all writes, then drop every byte not yet synced,
// then reopen the store and check that nothing acknowledged was lost (the technique of
// RocksDB's FaultInjectionTestFS, reimplemented here because Debian ships only the public
// headers). The server uses it only in test mode (POST /_wharf/test/storage-fault); otherwise
// the store runs on RocksDB's own filesystem.
//
// Thread-safe: the switches may be thrown from any thread while the store writes.

#include <cstdint>
#include <memory>

namespace rocksdb {
class Env;
}

namespace wharf::storage {

enum class FaultKind : uint8_t { kNoSpace, kIoError };

class FaultInjection {
 public:
  FaultInjection();
  ~FaultInjection();
  FaultInjection(const FaultInjection&) = delete;
  FaultInjection& operator=(const FaultInjection&) = delete;

  // Pass as RocksOptions::env.
  rocksdb::Env* env();

  // Writes counted so far (appends to any file).
  uint64_t writes() const;
  // After `n` more successful writes, every write fails with `kind`.
  void FailWritesAfter(uint64_t n, FaultKind kind);
  // From now on every write (appends and new files) fails with `kind`: a full or failing disk.
  void FailWrites(FaultKind kind) { FailWritesAfter(0, kind); }
  // From now on every sync (fsync, fdatasync) fails with `kind`; writes still reach the page
  // cache. ENOSPC on sync is what a thinly provisioned or network filesystem reports.
  void FailSyncs(FaultKind kind);
  // Writes and syncs succeed again (the disk was freed or repaired).
  void Heal();
  // Whether writes or syncs fail now.
  bool failing() const;
  // Power loss, part 1: from now on every write and sync fails (nothing more reaches the disk).
  void CutPower();
  // Power loss, part 2 (after the store is closed): truncate every file written through this
  // seam to what was last synced, and let writes through again.
  void DropUnsyncedDataAndRestore();

 private:
  class Fs;
  std::shared_ptr<Fs> fs_;
  std::unique_ptr<rocksdb::Env> env_;
};

}  // namespace wharf::storage
