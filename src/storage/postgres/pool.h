#pragma once

// A bounded pool of connections to one PostgreSQL server, per node (storage.md §4.1: receive
// throughput falls beyond ~16 concurrent claimers, so a node must not open a connection per
// request or per long-poller).
//
// Acquire blocks the calling thread until a connection is free or the deadline passes. That is
// acceptable while nothing on an I/O thread uses the pool (this increment: tests and tools);
// the engine seam that puts the backend on the request path must call it from a worker thread
// or replace it with an asynchronous hand-out (src/storage/postgres/README.md, "Next").
//
// Idle connections are not probed: one that broke while idle (a server restart, a dropped TCP
// session) fails its borrower's next call with kConnection and is dropped when returned; the
// caller decides whether to retry.
//
// Threading: every member is safe from any thread. The pool must outlive every
// PooledConnection it handed out.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "storage/postgres/connection.h"

namespace wharf::storage::pg {

class ConnectionPool;

// A borrowed connection; goes back to the pool when destroyed (or is dropped when broken).
class PooledConnection {
 public:
  PooledConnection(PooledConnection&& other) noexcept;
  PooledConnection& operator=(PooledConnection&&) = delete;
  PooledConnection(const PooledConnection&) = delete;
  ~PooledConnection();

  Connection& operator*() { return *conn_; }
  Connection* operator->() { return conn_.get(); }

 private:
  friend class ConnectionPool;
  PooledConnection(ConnectionPool* pool, std::unique_ptr<Connection> conn)
      : pool_(pool), conn_(std::move(conn)) {}
  ConnectionPool* pool_;
  std::unique_ptr<Connection> conn_;
};

class ConnectionPool {
 public:
  // Opens connections lazily, at most `max_size` at a time.
  ConnectionPool(std::string url, ConnectionOptions options, size_t max_size);
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // An idle connection, a new one while fewer than max_size are open, or kPoolTimeout once
  // `wait` has passed. Connecting happens outside the pool's lock.
  PgResult<PooledConnection> Acquire(std::chrono::milliseconds wait);

  size_t max_size() const { return max_size_; }
  size_t open_count() const;  // idle + lent
  size_t idle_count() const;

 private:
  friend class PooledConnection;
  void Release(std::unique_ptr<Connection> conn);

  const std::string url_;
  const ConnectionOptions options_;
  const size_t max_size_;
  mutable std::mutex mutex_;
  std::condition_variable freed_;
  std::vector<std::unique_ptr<Connection>> idle_;  // guarded by mutex_
  size_t open_ = 0;                                // guarded by mutex_; idle + lent + connecting
};

}  // namespace wharf::storage::pg
