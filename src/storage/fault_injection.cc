#include "storage/fault_injection.h"

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <mutex>

namespace wharf::storage {

// Tracks, per file, how many bytes were written and how many were synced.
class FaultInjection::Fs final : public rocksdb::FileSystemWrapper {
 public:
  explicit Fs(std::shared_ptr<rocksdb::FileSystem> base) : FileSystemWrapper(std::move(base)) {}
  const char* Name() const override { return "WharfFaultInjectionFs"; }

  rocksdb::IOStatus NewWritableFile(const std::string& fname, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override {
    if (auto s = Gate(); !s.ok()) return s;
    std::unique_ptr<rocksdb::FSWritableFile> file;
    rocksdb::IOStatus s = target()->NewWritableFile(fname, options, &file, dbg);
    if (!s.ok()) return s;
    {
      std::lock_guard lock(mu_);
      files_[fname] = FileState{};
    }
    *result = std::make_unique<File>(std::move(file), this, fname);
    return s;
  }

  static rocksdb::IOStatus Injected(FaultKind kind) {
    return kind == FaultKind::kNoSpace ? rocksdb::IOStatus::NoSpace("injected ENOSPC")
                                       : rocksdb::IOStatus::IOError("injected EIO");
  }

  rocksdb::IOStatus Gate() {
    if (power_cut_.load()) return rocksdb::IOStatus::IOError("power cut (fault injection)");
    const uint64_t n = ++writes_;
    if (fail_armed_.load() && n > fail_after_.load()) return Injected(kind_.load());
    return rocksdb::IOStatus::OK();
  }

  rocksdb::IOStatus SyncGate() {
    if (power_cut_.load()) return rocksdb::IOStatus::IOError("power cut (fault injection)");
    if (sync_fail_armed_.load()) return Injected(sync_kind_.load());
    return rocksdb::IOStatus::OK();
  }

  void Written(const std::string& fname, uint64_t bytes) {
    std::lock_guard lock(mu_);
    files_[fname].written += bytes;
  }
  void Synced(const std::string& fname) {
    std::lock_guard lock(mu_);
    auto& f = files_[fname];
    f.synced = f.written;
  }

  void DropUnsynced() {
    std::lock_guard lock(mu_);
    for (const auto& [name, state] : files_) {
      if (state.synced < state.written) {
        if (::truncate(name.c_str(), static_cast<off_t>(state.synced)) != 0) {
          // The file may have been deleted by RocksDB already; nothing to drop then.
        }
      }
    }
    files_.clear();
  }

  std::atomic<uint64_t> writes_{0};
  std::atomic<bool> fail_armed_{false};
  std::atomic<uint64_t> fail_after_{0};  // writes beyond this one fail while armed
  std::atomic<FaultKind> kind_{FaultKind::kIoError};
  std::atomic<bool> sync_fail_armed_{false};
  std::atomic<FaultKind> sync_kind_{FaultKind::kIoError};
  std::atomic<bool> power_cut_{false};

 private:
  struct FileState {
    uint64_t written = 0;
    uint64_t synced = 0;
  };

  class File final : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    File(std::unique_ptr<rocksdb::FSWritableFile> file, Fs* fs, std::string name)
        : FSWritableFileOwnerWrapper(std::move(file)), fs_(fs), name_(std::move(name)) {}

    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override {
      if (auto s = fs_->Gate(); !s.ok()) return s;
      auto s = FSWritableFileOwnerWrapper::Append(data, options, dbg);
      if (s.ok()) fs_->Written(name_, data.size());
      return s;
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             const rocksdb::DataVerificationInfo& info,
                             rocksdb::IODebugContext* dbg) override {
      if (auto s = fs_->Gate(); !s.ok()) return s;
      auto s = FSWritableFileOwnerWrapper::Append(data, options, info, dbg);
      if (s.ok()) fs_->Written(name_, data.size());
      return s;
    }
    rocksdb::IOStatus Sync(const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* dbg) override {
      if (auto s = fs_->SyncGate(); !s.ok()) return s;
      auto s = FSWritableFileOwnerWrapper::Sync(options, dbg);
      if (s.ok()) fs_->Synced(name_);
      return s;
    }
    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                            rocksdb::IODebugContext* dbg) override {
      if (auto s = fs_->SyncGate(); !s.ok()) return s;
      auto s = FSWritableFileOwnerWrapper::Fsync(options, dbg);
      if (s.ok()) fs_->Synced(name_);
      return s;
    }
    rocksdb::IOStatus RangeSync(uint64_t, uint64_t, const rocksdb::IOOptions&,
                                rocksdb::IODebugContext*) override {
      // A range sync is only a hint; do not count it as durable.
      return rocksdb::IOStatus::OK();
    }
    rocksdb::IOStatus Close(const rocksdb::IOOptions& options,
                            rocksdb::IODebugContext* dbg) override {
      return FSWritableFileOwnerWrapper::Close(options, dbg);
    }

   private:
    Fs* fs_;
    std::string name_;
  };

  std::mutex mu_;
  std::map<std::string, FileState> files_;
};

FaultInjection::FaultInjection()
    : fs_(std::make_shared<Fs>(rocksdb::FileSystem::Default())),
      env_(rocksdb::NewCompositeEnv(fs_)) {}

FaultInjection::~FaultInjection() = default;

rocksdb::Env* FaultInjection::env() { return env_.get(); }
uint64_t FaultInjection::writes() const { return fs_->writes_.load(); }

void FaultInjection::FailWritesAfter(uint64_t n, FaultKind kind) {
  fs_->kind_ = kind;
  fs_->fail_after_ = fs_->writes_.load() + n;
  fs_->fail_armed_ = true;
}

void FaultInjection::FailSyncs(FaultKind kind) {
  fs_->sync_kind_ = kind;
  fs_->sync_fail_armed_ = true;
}

void FaultInjection::Heal() {
  fs_->fail_armed_ = false;
  fs_->sync_fail_armed_ = false;
}

bool FaultInjection::failing() const {
  return fs_->fail_armed_.load() || fs_->sync_fail_armed_.load() || fs_->power_cut_.load();
}
void FaultInjection::CutPower() { fs_->power_cut_ = true; }

void FaultInjection::DropUnsyncedDataAndRestore() {
  fs_->DropUnsynced();
  fs_->power_cut_ = false;
  fs_->fail_armed_ = false;
  fs_->sync_fail_armed_ = false;
}

}  // namespace wharf::storage
