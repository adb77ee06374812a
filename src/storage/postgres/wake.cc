#include "storage/postgres/wake.h"

#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <utility>

#include "common/log.h"
#include "common/thread_name.h"
#include "storage/postgres/object_store.h"
#include "storage/postgres/statements.h"

namespace wharf::storage::pg {

// ---- WakeCoalescer ----

bool WakeCoalescer::Note(int64_t queue_id) {
  MonoTime now = clock_.Now();
  auto it = windows_.find(queue_id);
  if (it != windows_.end() && now < it->second.ends) {
    it->second.pending = true;
    return false;
  }
  // No window, or one that ended (TakeDue not yet run): publish now and open a new window. A
  // pending flag of the ended window is covered by this wake-up, which is published after it.
  windows_[queue_id] = Window{now + window_, false};
  return true;
}

std::vector<int64_t> WakeCoalescer::TakeDue() {
  MonoTime now = clock_.Now();
  std::vector<int64_t> due;
  for (auto it = windows_.begin(); it != windows_.end();) {
    if (now < it->second.ends) {
      ++it;
    } else if (it->second.pending) {
      due.push_back(it->first);
      it->second = Window{now + window_, false};
      ++it;
    } else {
      it = windows_.erase(it);
    }
  }
  return due;
}

std::vector<int64_t> WakeCoalescer::TakeAllPending() {
  std::vector<int64_t> pending;
  for (const auto& [queue_id, window] : windows_) {
    if (window.pending) pending.push_back(queue_id);
  }
  windows_.clear();
  return pending;
}

std::optional<MonoTime> WakeCoalescer::NextDue() const {
  std::optional<MonoTime> next;
  for (const auto& [queue_id, window] : windows_) {
    if (window.pending && (!next || window.ends < *next)) next = window.ends;
  }
  return next;
}

// ---- WakeNotifier ----

WakeNotifier::WakeNotifier(ConnectionPool& pool, const Clock& clock, Duration window,
                           std::chrono::milliseconds acquire_wait)
    : pool_(pool), clock_(clock), acquire_wait_(acquire_wait), coalescer_(clock, window) {
  thread_ = std::thread([this] {
    NameThisThread("wharf-pg-wake");
    Run();
  });
}

WakeNotifier::~WakeNotifier() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void WakeNotifier::Note(int64_t queue_id) {
  {
    std::lock_guard lock(mutex_);
    if (coalescer_.Note(queue_id)) {
      ready_.push_back(queue_id);
    } else {
      ++stats_.coalesced;
    }
  }
  // Also when coalesced: the thread may be sleeping without a deadline (nothing was pending),
  // and now has the end of this window to wake for.
  changed_.notify_one();
}

WakeNotifier::Stats WakeNotifier::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void WakeNotifier::Run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    std::vector<int64_t> batch = std::exchange(ready_, {});
    bool last_round = stopping_;
    // On the way out the trailing wake-ups still pending go out now rather than being dropped:
    // a waiter on another node may be sleeping on one of those sends.
    for (int64_t queue_id : last_round ? coalescer_.TakeAllPending() : coalescer_.TakeDue()) {
      batch.push_back(queue_id);
    }
    if (batch.empty()) {
      if (last_round) return;
      if (std::optional<MonoTime> next = coalescer_.NextDue()) {
        // Sleep in real time until the window ends, re-reading the clock at least every 50 ms
        // (tests may drive the clock by hand).
        auto remaining =
            std::chrono::duration_cast<std::chrono::milliseconds>(*next - clock_.Now());
        changed_.wait_for(lock, std::clamp(remaining, std::chrono::milliseconds(1),
                                           std::chrono::milliseconds(50)));
      } else {
        changed_.wait(lock);
      }
      continue;
    }
    lock.unlock();
    for (int64_t queue_id : batch) {
      PgStatus published = Publish(queue_id);
      if (!published.ok()) {
        log::Line(log::Level::kWarn, "pg_wake_notify_failed")
            .Int("queue_id", queue_id)
            .Str("detail", published.error().detail);
      }
      std::lock_guard stats_lock(mutex_);
      ++(published.ok() ? stats_.published : stats_.failed);
    }
    lock.lock();
    if (last_round) return;
  }
}

PgStatus WakeNotifier::Publish(int64_t queue_id) {
  WHARF_ASSIGN_OR_RETURN(PooledConnection conn, pool_.Acquire(acquire_wait_));
  WHARF_ASSIGN_OR_RETURN(Rows rows,
                         conn->Execute(sql::kNotifyWake, {Param::Text(std::to_string(queue_id))}));
  (void)rows;
  return {};
}

// ---- WakeListener ----

WakeListener::WakeListener(std::string url, ConnectionOptions options, OnWake on_wake,
                           OnMaybeMissed on_maybe_missed, WakeListenerOptions listener_options)
    : url_(std::move(url)),
      options_(std::move(options)),
      on_wake_(std::move(on_wake)),
      on_maybe_missed_(std::move(on_maybe_missed)),
      listener_options_(listener_options) {}

WakeListener::~WakeListener() { Stop(); }

PgStatus WakeListener::Start() {
  if (thread_.joinable()) return PgError{PgErrorCode::kBadResult, "", "listener already started"};
  {
    std::lock_guard lock(mutex_);
    stopping_ = false;
  }
  WHARF_ASSIGN_OR_RETURN(Connection conn, ConnectAndListen());
  thread_ = std::thread([this, c = std::move(conn)]() mutable {
    NameThisThread("wharf-pg-listen");
    Run(std::move(c));
  });
  return {};
}

void WakeListener::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stop_changed_.notify_all();
  if (thread_.joinable()) thread_.join();
  backend_pid_ = 0;
}

PgResult<Connection> WakeListener::ConnectAndListen() {
  WHARF_ASSIGN_OR_RETURN(Connection conn, Connection::Open(url_, options_));
  // LISTEN is a utility statement and cannot be prepared; the text is a constant.
  WHARF_RETURN_IF_ERROR(conn.ExecuteScript("LISTEN sqs_wake"));
  if (listener_options_.on_objects_changed) {
    WHARF_RETURN_IF_ERROR(conn.ExecuteScript("LISTEN wharf_objects"));
  }
  backend_pid_ = PQbackendPID(conn.conn_);
  return conn;
}

bool WakeListener::WaitForStop(std::chrono::milliseconds wait) {
  std::unique_lock lock(mutex_);
  return stop_changed_.wait_for(lock, wait, [this] { return stopping_; });
}

bool WakeListener::Drain(Connection& conn) {
  PGconn* raw = conn.conn_;
  if (PQconsumeInput(raw) == 0) return false;
  bool objects_changed = false;
  while (PGnotify* notify = PQnotifies(raw)) {
    if (notify->relname != nullptr && notify->relname == kObjectsChannel) {
      objects_changed = true;
      PQfreemem(notify);
      continue;
    }
    std::string_view payload = notify->extra != nullptr ? notify->extra : "";
    int64_t queue_id = 0;
    auto [end, ec] = std::from_chars(payload.data(), payload.data() + payload.size(), queue_id);
    bool ok = ec == std::errc() && end == payload.data() + payload.size();
    PQfreemem(notify);
    if (ok) {
      on_wake_(queue_id);
    } else {
      ++bad_payloads_;
    }
  }
  if (objects_changed) listener_options_.on_objects_changed();
  // A terminated backend sends its FATAL error and closes: libpq then reports the connection bad
  // (or the next read returns 0 above).
  return PQstatus(raw) == CONNECTION_OK;
}

void WakeListener::Run(Connection first) {
  std::optional<Connection> conn(std::move(first));
  std::chrono::milliseconds backoff = listener_options_.backoff_initial;
  for (;;) {
    if (!conn) {
      if (WaitForStop(backoff)) return;
      auto reconnected = ConnectAndListen();
      if (!reconnected.ok()) {
        log::Line(log::Level::kWarn, "pg_wake_listen_reconnect_failed")
            .Str("detail", reconnected.error().detail);
        backoff = std::min(backoff * 2, listener_options_.backoff_max);
        continue;
      }
      conn.emplace(std::move(reconnected).value());
      backoff = listener_options_.backoff_initial;
      ++reconnects_;
      log::Line(log::Level::kInfo, "pg_wake_listen_reconnected").Int("pid", backend_pid_.load());
      on_maybe_missed_();
      if (listener_options_.on_objects_changed) listener_options_.on_objects_changed();
    }
    // Notifications that arrived with the LISTEN's answer are already buffered.
    if (!Drain(*conn)) {
      log::Line(log::Level::kWarn, "pg_wake_listen_lost");
      conn.reset();
      backend_pid_ = 0;
      continue;
    }
    pollfd fd{PQsocket(conn->conn_), POLLIN, 0};
    int ready =
        fd.fd < 0 ? -1 : ::poll(&fd, 1, static_cast<int>(listener_options_.poll_interval.count()));
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) {
      conn.reset();
      backend_pid_ = 0;
    }
    // Readable, hung up or timed out: the next Drain() tells which.
  }
}

}  // namespace wharf::storage::pg
