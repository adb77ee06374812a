#include "storage/postgres/pool.h"

#include <utility>

namespace wharf::storage::pg {

PooledConnection::PooledConnection(PooledConnection&& other) noexcept
    : pool_(std::exchange(other.pool_, nullptr)), conn_(std::move(other.conn_)) {}

PooledConnection::~PooledConnection() {
  if (pool_ != nullptr && conn_ != nullptr) pool_->Release(std::move(conn_));
}

ConnectionPool::ConnectionPool(std::string url, ConnectionOptions options, size_t max_size)
    : url_(std::move(url)), options_(std::move(options)), max_size_(max_size < 1 ? 1 : max_size) {}

PgResult<PooledConnection> ConnectionPool::Acquire(std::chrono::milliseconds wait) {
  auto deadline = std::chrono::steady_clock::now() + wait;
  std::unique_lock lock(mutex_);
  if (!freed_.wait_until(lock, deadline, [&] { return !idle_.empty() || open_ < max_size_; })) {
    return PgError{PgErrorCode::kPoolTimeout, "",
                   "no connection free within " + std::to_string(wait.count()) + " ms"};
  }
  if (!idle_.empty()) {
    std::unique_ptr<Connection> conn = std::move(idle_.back());
    idle_.pop_back();
    return PooledConnection(this, std::move(conn));
  }
  ++open_;  // reserve the slot, then connect without holding the lock
  lock.unlock();
  PgResult<Connection> opened = Connection::Open(url_, options_);
  if (!opened.ok()) {
    lock.lock();
    --open_;
    freed_.notify_one();
    return std::move(opened).error();
  }
  return PooledConnection(this, std::make_unique<Connection>(std::move(opened).value()));
}

void ConnectionPool::Release(std::unique_ptr<Connection> conn) {
  {
    std::lock_guard lock(mutex_);
    if (conn->healthy()) {
      idle_.push_back(std::move(conn));
    } else {
      --open_;  // a broken connection is dropped; the slot opens a fresh one on demand
    }
  }
  freed_.notify_one();
}

size_t ConnectionPool::open_count() const {
  std::lock_guard lock(mutex_);
  return open_;
}

size_t ConnectionPool::idle_count() const {
  std::lock_guard lock(mutex_);
  return idle_.size();
}

}  // namespace wharf::storage::pg
