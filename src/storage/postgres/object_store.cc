#include "storage/postgres/object_store.h"

#include <iterator>
#include <utility>

#include "common/log.h"
#include "common/thread_name.h"
#include "storage/postgres/statements.h"

namespace wharf::storage::pg {
namespace {

// Up to this many statements go in one pipeline (one round trip, one implicit transaction);
// larger batches run statement by statement in an explicit transaction, so a blocking pipeline
// never has to hold megabytes of queries and answers in flight at once.
constexpr size_t kMaxPipelinedSteps = 128;
// Failed ticket ranges remembered for WhenDurable calls made after the batch was written.
constexpr size_t kMaxFailures = 1024;

constexpr std::string_view kSqlStateDiskFull = "53100";

StorageError FromPg(const PgError& error) {
  StorageErrorCode code =
      error.sqlstate == kSqlStateDiskFull ? StorageErrorCode::kNoSpace : StorageErrorCode::kIoError;
  std::string detail = "postgres: ";
  if (!error.sqlstate.empty()) detail += error.sqlstate + " ";
  return StorageError{code, detail + error.detail};
}

// A connection that broke or could not be opened. A backend ended by the server (57P01
// admin_shutdown, e.g. pg_terminate_backend; 57P02/57P03 crash/cannot connect now; class 08)
// can come back as a server error: libpq reads the FATAL message before it sees the socket close.
bool IsConnectionError(const PgError& error) {
  if (error.code == PgErrorCode::kConnection || error.code == PgErrorCode::kConnect) return true;
  return error.code == PgErrorCode::kServer &&
         (error.sqlstate.starts_with("08") || error.sqlstate == "57P01" ||
          error.sqlstate == "57P02" || error.sqlstate == "57P03");
}

uint64_t MicrosSince(std::chrono::steady_clock::time_point start) {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                   std::chrono::steady_clock::now() - start)
                                   .count());
}

}  // namespace

std::optional<std::string> ObjectPrefixEnd(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty() && static_cast<unsigned char>(end.back()) == 0xFF) end.pop_back();
  if (end.empty()) return std::nullopt;
  end.back() = static_cast<char>(static_cast<unsigned char>(end.back()) + 1);
  return end;
}

PgObjectStore::PgObjectStore(ConnectionPool& pool, ObjectStoreOptions options)
    : pool_(pool), options_(options) {
  committer_ = std::thread([this] {
    NameThisThread("wharf-pg-commit");
    Run();
  });
}

PgObjectStore::~PgObjectStore() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  queued_.notify_all();
  committer_.join();
  // Only a ticket never handed out can still wait here.
  std::multimap<uint64_t, CommitDone> left;
  {
    std::lock_guard lock(mu_);
    left.swap(waiters_);
  }
  for (auto& [ticket, done] : left) {
    done(StorageError{StorageErrorCode::kClosed, "object store is closed"});
  }
}

StorageStatus PgObjectStore::Health() const {
  std::lock_guard lock(mu_);
  if (last_error_) return *last_error_;
  return {};
}

uint64_t PgObjectStore::Append(std::vector<Record> records) {
  std::optional<StorageError> refused;
  for (const Record& record : records) {
    if (record.type != RecordType::kObjectPut && record.type != RecordType::kObjectDelete) {
      refused = StorageError{StorageErrorCode::kInvalid,
                             "the postgres object store keeps only object records (type " +
                                 std::to_string(static_cast<int>(record.type)) + ")"};
      break;
    }
  }
  std::lock_guard lock(mu_);
  // Nothing to write: the latest ticket, so waiting on it orders the caller after every append.
  if (records.empty()) return appended_;
  const uint64_t ticket = ++appended_;
  if (refused) records.clear();
  queue_.push_back(Entry{ticket, std::move(records), std::move(refused)});
  queued_.notify_one();
  return ticket;
}

StorageStatus PgObjectStore::OutcomeOf(uint64_t ticket) const {
  // Newest first: an append refused inside a failed batch reports its refusal.
  for (auto it = failures_.rbegin(); it != failures_.rend(); ++it) {
    if (it->first <= ticket && ticket <= it->last) return it->error;
  }
  // Ticket 0 is "nothing appended yet" (Append({}) on a fresh store): nothing to fail.
  if (ticket != 0 && ticket <= forgotten_upto_) {
    return StorageError{StorageErrorCode::kIoError,
                        "the outcome of this write is no longer known (too many failures since)"};
  }
  return {};
}

void PgObjectStore::WhenDurable(uint64_t ticket, CommitDone done) {
  StorageStatus status;
  {
    std::lock_guard lock(mu_);
    if (ticket <= written_ticket_) {
      status = OutcomeOf(ticket);
    } else if (!finished_) {
      waiters_.emplace(ticket, std::move(done));
      return;
    } else {
      status = StorageError{StorageErrorCode::kClosed, "object store is closed"};
    }
  }
  done(std::move(status));
}

StorageStatus PgObjectStore::Recover(RecoveryVisitor& /*visitor*/) {
  return {};  // no queues here: they live in their own tables (sqs/pg)
}

void PgObjectStore::ReadMessages(uint64_t /*queue_id*/, std::vector<uint64_t> seqs, ReadDone done) {
  done(std::vector<std::string>(seqs.size()));  // keeps no messages
}

StorageStatus PgObjectStore::ScanObjects(
    std::string_view prefix,
    const std::function<void(std::string_view key, std::string_view payload)>& visit) {
  {
    // Everything appended before this call first (its outcome went to its WhenDurable).
    std::unique_lock lock(mu_);
    const uint64_t ticket = appended_;
    written_.wait(lock, [&] { return written_ticket_ >= ticket || finished_; });
  }
  std::optional<std::string> end = ObjectPrefixEnd(prefix);
  PgResult<PooledConnection> conn = pool_.Acquire(options_.acquire_wait);
  if (!conn.ok()) return FromPg(conn.error());
  std::vector<Param> params{Param::Bytes(std::string(prefix)),
                            end ? Param::Bytes(*std::move(end)) : Param::Null()};
  if (owned()) params.push_back(Param::Text(options_.owner));
  PgResult<Rows> rows =
      (*conn)->Execute(owned() ? sql::kOwnedObjectScan : sql::kObjectScan, params);
  if (!rows.ok()) return FromPg(rows.error());
  for (int row = 0; row < rows->size(); ++row) {
    PgResult<std::string> key = rows->Bytes(row, 0);
    if (!key.ok()) return FromPg(key.error());
    PgResult<std::string> value = rows->Bytes(row, 1);
    if (!value.ok()) return FromPg(value.error());
    PgResult<std::string> opened = Opened(*key, std::move(*value));
    if (!opened.ok()) return StorageError{StorageErrorCode::kCorruption, opened.error().detail};
    visit(*key, *opened);
  }
  return {};
}

PgResult<ObjectsSignature> PgObjectStore::Signature(std::string_view except_prefix) {
  WHARF_ASSIGN_OR_RETURN(PooledConnection conn, pool_.Acquire(options_.acquire_wait));
  WHARF_ASSIGN_OR_RETURN(
      Rows rows, conn->Execute(sql::kObjectSignature, {Param::Bytes(std::string(except_prefix))}));
  if (rows.size() != 1) return PgError{PgErrorCode::kBadResult, "", "object_signature: no row"};
  WHARF_ASSIGN_OR_RETURN(int64_t count, rows.Int(0, 0));
  WHARF_ASSIGN_OR_RETURN(int64_t version_sum, rows.Int(0, 1));
  return ObjectsSignature{count, version_sum};
}

PgResult<PgObjectStore::Objects> PgObjectStore::Adopt(std::string_view lease_prefix) {
  if (!owned()) return PgError{PgErrorCode::kBadResult, "", "Adopt: not an owned object store"};
  WHARF_ASSIGN_OR_RETURN(PooledConnection conn, pool_.Acquire(options_.acquire_wait));
  WHARF_ASSIGN_OR_RETURN(
      Rows rows, conn->Execute(sql::kAdoptOwnedObjects, {Param::Text(options_.owner),
                                                         Param::Text(std::string(lease_prefix))}));
  Objects adopted;
  adopted.reserve(static_cast<size_t>(rows.size()));
  for (int row = 0; row < rows.size(); ++row) {
    WHARF_ASSIGN_OR_RETURN(std::string key, rows.Bytes(row, 0));
    WHARF_ASSIGN_OR_RETURN(std::string value, rows.Bytes(row, 1));
    PgResult<std::string> opened = Opened(key, std::move(value));
    if (!opened.ok()) {
      // Adopted all the same (the update is committed): left as this owner's, out of the way.
      log::Line(log::Level::kError, "pg_owned_object_unreadable")
          .Str("key", key)
          .Str("detail", opened.error().detail);
      continue;
    }
    adopted.emplace_back(std::move(key), std::move(*opened));
  }
  return adopted;
}

std::string PgObjectStore::Stored(const Record& record) const {
  if (!options_.sealer) return record.payload;
  return options_.sealer->Seal(record.payload, record.key);
}

PgResult<std::string> PgObjectStore::Opened(std::string_view key, std::string value) const {
  if (!options_.sealer) return value;
  auto opened = options_.sealer->Open(value, key);
  if (!opened.ok()) {
    return PgError{PgErrorCode::kBadResult, "",
                   "a sealed object does not open (damaged, or sealed under another key)"};
  }
  return std::move(opened).value();
}

PgResult<int64_t> PgObjectStore::NewEpoch() {
  WHARF_ASSIGN_OR_RETURN(PooledConnection conn, pool_.Acquire(options_.acquire_wait));
  WHARF_ASSIGN_OR_RETURN(Rows rows, conn->Execute(sql::kOwnedObjectEpoch));
  if (rows.size() != 1) return PgError{PgErrorCode::kBadResult, "", "owned_object_epoch: no row"};
  return rows.Int(0, 0);
}

uint64_t PgObjectStore::batches() const {
  std::lock_guard lock(mu_);
  return batches_;
}

void PgObjectStore::Run() {
  for (;;) {
    std::vector<Entry> batch;
    {
      std::unique_lock lock(mu_);
      queued_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) {  // stopping, and everything queued is written
        finished_ = true;
        break;
      }
      size_t records = 0;
      while (!queue_.empty() && (batch.empty() || records + queue_.front().records.size() <=
                                                      options_.max_batch_records)) {
        records += queue_.front().records.size();
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }

    bool wrote = false;
    StorageStatus status = Write(batch, wrote);

    std::vector<std::pair<CommitDone, StorageStatus>> ready;
    {
      std::lock_guard lock(mu_);
      const uint64_t first = batch.front().ticket;
      const uint64_t last = batch.back().ticket;
      if (!status.ok()) {
        failures_.push_back(Failure{first, last, status.error()});
        last_error_ = status.error();
      } else if (wrote) {
        last_error_.reset();
      }
      for (const Entry& entry : batch) {
        if (entry.refused) failures_.push_back(Failure{entry.ticket, entry.ticket, *entry.refused});
      }
      while (failures_.size() > kMaxFailures) {
        forgotten_upto_ = std::max(forgotten_upto_, failures_.front().last);
        failures_.pop_front();
      }
      written_ticket_ = last;
      ++batches_;
      while (!waiters_.empty() && waiters_.begin()->first <= last) {
        auto node = waiters_.extract(waiters_.begin());
        ready.emplace_back(std::move(node.mapped()), OutcomeOf(node.key()));
      }
    }
    written_.notify_all();
    for (auto& [done, outcome] : ready) done(std::move(outcome));
  }
  written_.notify_all();
}

StorageStatus PgObjectStore::Write(const std::vector<Entry>& batch, bool& wrote) {
  wrote = false;
  for (const Entry& entry : batch) {
    if (!entry.records.empty()) wrote = true;
  }
  if (!wrote) return {};  // every append of the batch was refused
  const auto start = std::chrono::steady_clock::now();
  PgResult<bool> written = WriteOnce(batch);
  if (!written.ok() && IsConnectionError(written.error())) {
    log::Line(log::Level::kWarn, "pg_objects_write_retry").Str("detail", written.error().detail);
    written = WriteOnce(batch);
  }
  if (!written.ok()) {
    stats_.failed_groups.fetch_add(1, std::memory_order_relaxed);
    log::Line(log::Level::kWarn, "pg_objects_write_failed").Str("detail", written.error().detail);
    return FromPg(written.error());
  }
  uint64_t records = 0;
  uint64_t bytes = 0;
  for (const Entry& entry : batch) {
    for (const Record& record : entry.records) {
      ++records;
      bytes += record.key.size() + record.payload.size();
    }
  }
  stats_.batch_records.Observe(records);
  stats_.batch_bytes.Observe(bytes);
  stats_.sync_micros.Observe(MicrosSince(start));
  return {};
}

PgResult<bool> PgObjectStore::WriteOnce(const std::vector<Entry>& batch) {
  std::vector<PipelineStep> steps;
  for (const Entry& entry : batch) {
    for (const Record& record : entry.records) {
      if (record.type == RecordType::kObjectPut && owned()) {
        steps.push_back(PipelineStep{
            &sql::kOwnedObjectPut,
            {Param::Bytes(record.key), Param::Bytes(Stored(record)), Param::Text(options_.owner)}});
      } else if (record.type == RecordType::kObjectPut) {
        steps.push_back(PipelineStep{&sql::kObjectPut,
                                     {Param::Bytes(record.key), Param::Bytes(Stored(record))}});
      } else {
        steps.push_back(PipelineStep{owned() ? &sql::kOwnedObjectDelete : &sql::kObjectDelete,
                                     {Param::Bytes(record.key)}});
      }
    }
  }
  WHARF_ASSIGN_OR_RETURN(PooledConnection conn, pool_.Acquire(options_.acquire_wait));
  bool changed = false;
  auto note = [&](const PipelineStep& step, const Rows& rows) {
    if (step.statement == &sql::kObjectPut || step.statement == &sql::kOwnedObjectPut ||
        rows.affected() > 0) {
      changed = true;
    }
  };
  if (steps.size() <= kMaxPipelinedSteps) {
    WHARF_ASSIGN_OR_RETURN(std::vector<Rows> answers, conn->ExecutePipelined(steps));
    if (answers.size() != steps.size()) {
      return PgError{PgErrorCode::kBadResult, "", "object batch: missing answers"};
    }
    for (size_t i = 0; i < steps.size(); ++i) note(steps[i], answers[i]);
  } else {
    WHARF_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(*conn));
    for (const PipelineStep& step : steps) {
      WHARF_ASSIGN_OR_RETURN(Rows rows, conn->Execute(*step.statement, step.params));
      note(step, rows);
    }
    WHARF_RETURN_IF_ERROR(tx.Commit());
  }
  if (changed && !owned()) {
    // Committed: a failed notify is only a later reload elsewhere (the signature poll).
    PgResult<Rows> notified = conn->Execute(sql::kNotifyObjects);
    if (!notified.ok()) {
      log::Line(log::Level::kWarn, "pg_objects_notify_failed")
          .Str("detail", notified.error().detail);
    }
  }
  return changed;
}

}  // namespace wharf::storage::pg
