#pragma once

// A reference model of one SQS queue (sqs-api.md, docs/guarantees.md), in plain containers and
// milliseconds of wall-clock time, for the model-based tests (model_test.cc). It says what the
// engine must answer; it does not know how the engine is built.
//
// Standard: at-least-once, visible messages in send order, delays, visibility timeouts, receive
// counts, delete by receipt handle (an older handle still deletes), purge once a minute,
// retention. FIFO: per-group order, a group with a message in flight yields nothing, a receive
// takes consecutive messages of a group, deduplication ids remembered 5 minutes (also after a
// delete; a purge forgets them), sequence numbers that only grow, ReceiveRequestAttemptId.
//
// Durability: MarkDurable() snapshots the state the store has made durable; Crash() returns to
// a state the store kept (the changes nobody waited for are lost, all or the later ones).

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace wharf::sqs::model {

constexpr int64_t kDedupWindowMillis = 5 * 60 * 1000;
constexpr int64_t kPurgeIntervalMillis = 60 * 1000;
constexpr int64_t kMaxVisibilityMillis = 43'200 * 1000;

enum class State { kDelayed, kVisible, kInFlight };

struct Message {
  std::string id;
  std::string body;
  std::string group;  // FIFO
  int64_t sent_millis = 0;
  State state = State::kVisible;
  int64_t visible_at = 0;   // end of the delay or of the visibility timeout
  int64_t received_at = 0;  // start of the current receive
  uint32_t receive_count = 0;
  uint64_t receive = 0;  // which receive issued the current handle (0: none yet)
};

// A receipt handle as the model knows it: the receive that issued it.
struct Handle {
  uint64_t order = 0;  // the message (its place in send order)
  uint32_t receive_count = 0;
  uint64_t receive = 0;
};

enum class Outcome {
  kOk,
  kInvalidHandle,    // ReceiptHandleIsInvalid
  kExpiredHandle,    // InvalidParameterValue: the handle's receive is over
  kNotAvailable,     // InvalidParameterValue: no such message (ChangeMessageVisibility)
  kBeyondLimit,      // InvalidParameterValue: total visibility over 12 hours
  kPurgeInProgress,  // PurgeQueueInProgress
};

struct Counts {
  int64_t visible = 0;
  int64_t in_flight = 0;
  int64_t delayed = 0;
  bool operator==(const Counts&) const = default;
};

class QueueModel {
 public:
  QueueModel(bool fifo, int64_t retention_seconds, int64_t delay_seconds)
      : fifo_(fifo), retention_millis_(retention_seconds * 1000), delay_seconds_(delay_seconds) {}

  bool fifo() const { return fifo_; }
  const std::map<uint64_t, Message>& messages() const { return messages_; }

  // Due work at `now`: retention, then delays and visibility timeouts ending.
  void Advance(int64_t now) {
    std::erase_if(messages_,
                  [&](const auto& m) { return m.second.sent_millis + retention_millis_ <= now; });
    for (auto& [order, m] : messages_) {
      if (m.state != State::kVisible && m.visible_at <= now) m.state = State::kVisible;
    }
  }

  // A send, or on FIFO queues a duplicate of an earlier one (same deduplication id within 5
  // minutes), which enqueues nothing and reports the original.
  struct Sent {
    bool duplicate = false;
    std::string id;  // the new message's, or the original's
    uint64_t order = 0;
  };
  Sent Send(int64_t now, const std::string& id, const std::string& body, const std::string& group,
            const std::string& dedup_id, std::optional<int64_t> delay_seconds) {
    Advance(now);
    if (fifo_) {
      auto seen = dedup_.find(dedup_id);
      if (seen != dedup_.end() && seen->second.expires > now) {
        return Sent{true, seen->second.id, seen->second.order};
      }
    }
    const uint64_t order = ++next_order_;
    Message m;
    m.id = id;
    m.body = body;
    m.group = group;
    m.sent_millis = now;
    const int64_t delay = delay_seconds.value_or(delay_seconds_);
    if (delay > 0) {
      m.state = State::kDelayed;
      m.visible_at = now + delay * 1000;
    }
    messages_.emplace(order, std::move(m));
    if (fifo_) dedup_[dedup_id] = Dedup{id, order, now + kDedupWindowMillis};
    return Sent{false, id, order};
  }

  // Standard queues: the messages a receive takes, in order (visible ones in send order).
  std::vector<uint64_t> StandardReceivable(int64_t now, size_t max) {
    Advance(now);
    std::vector<uint64_t> out;
    for (const auto& [order, m] : messages_) {
      if (out.size() == max) break;
      if (m.state == State::kVisible) out.push_back(order);
    }
    return out;
  }

  // FIFO queues: whether `taken` (in the order returned) is a receive the rules allow — per
  // group, consecutive visible messages from a head whose group has nothing in flight, each
  // group once; fewer than `max` only when no group is left to serve. Empty string: allowed.
  std::string CheckFifoReceive(int64_t now, size_t max, const std::vector<uint64_t>& taken) {
    Advance(now);
    if (taken.size() > max) return "more messages than asked for";
    std::map<std::string, std::vector<uint64_t>> by_group;  // each group's messages in order
    for (const auto& [order, m] : messages_) by_group[m.group].push_back(order);
    std::map<std::string, size_t> next;  // per group: how many of its head messages were taken
    std::string current;
    bool first = true;
    for (uint64_t order : taken) {
      auto it = messages_.find(order);
      if (it == messages_.end()) return "a message the model does not have";
      const Message& m = it->second;
      if (m.state != State::kVisible) return "a message that is not visible";
      const auto& group = by_group[m.group];
      size_t& k = next[m.group];
      if (!first && m.group != current && k > 0) return "a group served twice";
      if (k >= group.size() || group[k] != order) return "not the next message of its group";
      ++k;
      current = m.group;
      first = false;
    }
    if (taken.size() < max) {
      // Stopping short is allowed only when no group has a visible message next in line.
      for (const auto& [group, orders] : by_group) {
        const size_t k = next[group];
        if (k < orders.size() && messages_.at(orders[k]).state == State::kVisible) {
          return "stopped while group '" + group + "' could still be served";
        }
      }
    }
    return {};
  }

  // Applies a receive of these messages with a visibility timeout.
  void Receive(int64_t now, const std::vector<uint64_t>& taken, int64_t visibility_seconds) {
    for (uint64_t order : taken) {
      Message& m = messages_.at(order);
      m.state = State::kInFlight;
      ++m.receive_count;
      m.received_at = now;
      m.visible_at = now + visibility_seconds * 1000;
      m.receive = ++receives_;
    }
  }

  // FIFO ReceiveRequestAttemptId (sqs-api.md §5.15): a retry within 5 minutes gets the same
  // messages again (the same receipt handles, their visibility timeout started anew), unless one
  // of them was deleted, received again or had its visibility changed, or its timeout ran out.
  // Returns the messages to replay, or nullopt for a fresh receive.
  std::optional<std::vector<uint64_t>> Replay(int64_t now, const std::string& attempt_id) {
    Advance(now);
    auto it = attempts_.find(attempt_id);
    if (it == attempts_.end() || it->second.expires <= now) return std::nullopt;
    Attempt& a = it->second;
    for (size_t i = 0; i < a.orders.size(); ++i) {
      auto m = messages_.find(a.orders[i]);
      if (m == messages_.end() || m->second.state != State::kInFlight ||
          m->second.receive != a.receives[i] || m->second.visible_at != a.visible_at[i]) {
        return std::nullopt;
      }
    }
    for (size_t i = 0; i < a.orders.size(); ++i) {
      Message& m = messages_.at(a.orders[i]);
      m.received_at = now;
      m.visible_at = now + a.visibility_seconds * 1000;
      a.visible_at[i] = m.visible_at;
    }
    return a.orders;
  }
  // Remembers a fresh receive under its attempt id (only one that returned messages).
  void RememberAttempt(int64_t now, const std::string& attempt_id,
                       const std::vector<uint64_t>& taken, int64_t visibility_seconds) {
    if (taken.empty()) return;
    Attempt& a = attempts_[attempt_id];
    a = Attempt{now + kDedupWindowMillis, visibility_seconds, taken, {}, {}};
    for (uint64_t order : taken) {
      a.receives.push_back(messages_.at(order).receive);
      a.visible_at.push_back(messages_.at(order).visible_at);
    }
  }

  Handle HandleOf(uint64_t order) const {
    const Message& m = messages_.at(order);
    return Handle{order, m.receive_count, m.receive};
  }

  Outcome Delete(int64_t now, const Handle& h) {
    Advance(now);
    auto it = messages_.find(h.order);
    if (it == messages_.end()) return Outcome::kOk;  // already gone: deleting again succeeds
    const Message& m = it->second;
    if (h.receive_count > m.receive_count ||
        (h.receive_count == m.receive_count && h.receive != m.receive)) {
      return Outcome::kInvalidHandle;
    }
    if (fifo_ && (h.receive_count < m.receive_count || m.state != State::kInFlight)) {
      return Outcome::kExpiredHandle;
    }
    messages_.erase(it);
    return Outcome::kOk;
  }

  Outcome ChangeVisibility(int64_t now, const Handle& h, int64_t timeout_seconds) {
    Advance(now);
    auto it = messages_.find(h.order);
    if (it == messages_.end()) return Outcome::kNotAvailable;
    Message& m = it->second;
    if (h.receive_count > m.receive_count ||
        (h.receive_count == m.receive_count && h.receive != m.receive)) {
      return Outcome::kInvalidHandle;
    }
    if (h.receive_count < m.receive_count) return Outcome::kExpiredHandle;
    if (m.state != State::kInFlight) return Outcome::kOk;  // nothing to change
    if ((now - m.received_at) + timeout_seconds * 1000 > kMaxVisibilityMillis) {
      return Outcome::kBeyondLimit;
    }
    m.visible_at = now + timeout_seconds * 1000;
    if (timeout_seconds == 0) m.state = State::kVisible;
    return Outcome::kOk;
  }

  Outcome Purge(int64_t now) {
    if (last_purge_ && now - *last_purge_ < kPurgeIntervalMillis) return Outcome::kPurgeInProgress;
    last_purge_ = now;
    messages_.clear();
    dedup_.clear();
    attempts_.clear();
    return Outcome::kOk;
  }

  Counts Count(int64_t now) {
    Advance(now);
    Counts c;
    for (const auto& [order, m] : messages_) {
      if (m.state == State::kVisible) ++c.visible;
      if (m.state == State::kInFlight) ++c.in_flight;
      if (m.state == State::kDelayed) ++c.delayed;
    }
    return c;
  }

  // --- durability ---
  void MarkDurable() { durable_ = messages_; }
  const std::map<uint64_t, Message>& durable() const { return durable_; }
  // A crash: message state goes back to `state`, what the store kept (the durable state, or a
  // later one whose records happened to be written). Deduplication entries are written with
  // their send, which is always waited for, so they need no rollback.
  void Crash(const std::map<uint64_t, Message>& state) {
    messages_ = state;
    durable_ = state;
    Restarted();
  }
  // Any restart: the purge interval and receive attempts are kept in memory only.
  void Restarted() {
    last_purge_.reset();
    attempts_.clear();
  }

 private:
  struct Dedup {
    std::string id;
    uint64_t order = 0;
    int64_t expires = 0;
  };

  struct Attempt {
    int64_t expires = 0;
    int64_t visibility_seconds = 0;
    std::vector<uint64_t> orders;
    std::vector<uint64_t> receives;
    std::vector<int64_t> visible_at;
  };

  const bool fifo_;
  const int64_t retention_millis_;
  const int64_t delay_seconds_;
  std::map<uint64_t, Message> messages_;  // by send order
  std::map<uint64_t, Message> durable_;
  std::map<std::string, Dedup> dedup_;
  std::map<std::string, Attempt> attempts_;
  std::optional<int64_t> last_purge_;
  uint64_t next_order_ = 0;
  uint64_t receives_ = 0;
};

}  // namespace wharf::sqs::model
