// Model-based tests of the queue engine (sqs/engine): random histories of create, send, receive,
// delete, change-visibility, purge, clock advances and restarts run against one sqs::Queue and
// against the reference model (queue_model.h), for standard and FIFO queues. After every step
// the engine's answers and counters must be the model's:
//   * no acknowledged message is lost: a send the engine answered stays until deleted, purged
//     or past retention, across clean restarts and crashes; at the end every remaining message
//     is received and deleted;
//   * no message is in flight twice: a receive returns only messages the model has visible,
//     with the receive count the model expects;
//   * FIFO order: per group in send order, nothing from a group with a message in flight;
//     duplicates return the original id and sequence number; sequence numbers only grow; a
//     retried ReceiveRequestAttemptId returns the same messages and receipt handles;
//   * counters (visible, in flight, delayed) are exact.
// Durable histories run over RocksDB through DeferringStore, so a "crash" deterministically
// loses what nobody waited for (standard receives and visibility changes, docs/guarantees.md):
// all of it or a later part, chosen by the seed; the model rolls back to the matching state.
//
// Reproducing: a failure prints its seed and step; WHARF_MODEL_SEED=<seed> runs that history
// alone (with its mode and queue type taken from the seed). Longer runs:
// WHARF_MODEL_HISTORIES=<n per test> WHARF_MODEL_STEPS=<steps per history>.

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "common/manual_clock.h"
#include "model/deferring_store.h"
#include "model/queue_model.h"
#include "sqs/service.h"
#include "storage/rocks_store.h"
#include "storage_key.h"
#include "temp_dir.h"

namespace wharf::sqs {
namespace {

using api::ErrorCode;
using model::Outcome;

constexpr int64_t kStartWallMillis = 1'700'000'000'000;
constexpr const char* kAccount = "000000000000";

uint64_t EnvOr(const char* name, uint64_t fallback) {
  const char* value = std::getenv(name);
  if (!value || !*value) return fallback;
  return std::strtoull(value, nullptr, 10);
}

// What a history runs on; derived from the seed, so a seed alone reproduces a history.
struct Kind {
  bool fifo;
  bool durable;
};

Kind KindOf(uint64_t seed) { return Kind{(seed & 1) != 0, (seed & 2) != 0}; }

const char* OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kOk:
      return "ok";
    case Outcome::kInvalidHandle:
      return "ReceiptHandleIsInvalid";
    case Outcome::kExpiredHandle:
      return "expired handle";
    case Outcome::kNotAvailable:
      return "message not available";
    case Outcome::kBeyondLimit:
      return "visibility beyond 12 hours";
    case Outcome::kPurgeInProgress:
      return "PurgeQueueInProgress";
  }
  return "?";
}

Outcome OutcomeOf(const api::ApiStatus& status) {
  if (status.ok()) return Outcome::kOk;
  const api::ApiError& e = status.error();
  if (e.code == ErrorCode::kReceiptHandleIsInvalid) return Outcome::kInvalidHandle;
  if (e.code == ErrorCode::kPurgeQueueInProgress) return Outcome::kPurgeInProgress;
  if (e.code == ErrorCode::kInvalidParameterValue) {
    if (e.message.find("has expired") != std::string::npos) return Outcome::kExpiredHandle;
    if (e.message.find("beyond the limit") != std::string::npos) return Outcome::kBeyondLimit;
    if (e.message.find("does not exist") != std::string::npos) return Outcome::kNotAvailable;
  }
  ADD_FAILURE() << "unexpected error " << static_cast<int>(e.code) << ": " << e.message;
  return Outcome::kOk;
}

// One server process: clock, store and service; the queue under test.
struct Engine {
  Engine(const Kind& kind, const std::string& directory, int64_t wall_millis) : clock(wall_millis) {
    storage::Store* store = &memory;
    if (kind.durable) {
      storage::RocksOptions options;
      options.directory = directory;
      // Crashes are simulated above the store (DeferringStore drops what nobody waited for),
      // so syncing each write to the disk would only slow the histories down.
      options.durability = storage::Durability::kRelaxed;
      options.sealing_key = wharf::testing::TestStorageKey();
      auto opened = storage::RocksStore::Open(options);
      if (!opened.ok()) {
        ADD_FAILURE() << "open: " << opened.error().detail;
        return;
      }
      rocks = std::move(opened).value();
      deferring = std::make_unique<testing::DeferringStore>(*rocks);
      store = deferring.get();
    }
    service = std::make_unique<SqsService>(clock, clock, *store, ServiceOptions{});
  }
  ~Engine() {
    queue.reset();
    service.reset();  // before the stores and the clock it refers to
    deferring.reset();
    if (rocks) rocks->Close();
  }

  ManualClock clock;
  storage::MemoryStore memory;
  std::unique_ptr<storage::RocksStore> rocks;
  std::unique_ptr<testing::DeferringStore> deferring;
  std::unique_ptr<SqsService> service;
  std::shared_ptr<QueueBackend> queue;
};

class History {
 public:
  History(uint64_t seed, size_t steps)
      : seed_(seed), steps_(steps), kind_(KindOf(seed)), random_(seed) {}

  // Runs the history; false (with a test failure naming the seed and step) at the first
  // difference between the engine and the model.
  bool Run() {
    engine_ = std::make_unique<Engine>(kind_, dir_.db(), kStartWallMillis);
    if (!engine_->service) return false;
    if (!Create()) return false;
    for (step_ = 1; step_ <= steps_ && ok_; ++step_) {
      Step();
      if (ok_ && engine_->deferring) NoteDurability();
      if (ok_) CheckCounts();
    }
    if (ok_) Drain();
    engine_.reset();
    return ok_;
  }

  size_t restarts() const { return restarts_; }
  size_t lossy_crashes() const { return lossy_crashes_; }
  size_t replays() const { return replays_; }

 private:
  // --- plumbing ---
  int64_t Now() const { return engine_->clock.WallMillis(); }
  uint64_t Pick(uint64_t n) { return std::uniform_int_distribution<uint64_t>(0, n - 1)(random_); }
  bool Chance(int percent) { return static_cast<int>(Pick(100)) < percent; }

  void Trace(const std::string& line) {
    trace_.push_back("step " + std::to_string(step_) + ": " + line);
    if (trace_.size() > 30) trace_.pop_front();
  }

  void Mismatch(const std::string& what) {
    if (!ok_) return;
    ok_ = false;
    std::ostringstream out;
    out << (kind_.fifo ? "FIFO" : "standard") << (kind_.durable ? " durable" : " memory")
        << " history, seed " << seed_ << ", step " << step_ << ": " << what
        << "\nreproduce with WHARF_MODEL_SEED=" << seed_ << "\nlast steps:\n";
    for (const std::string& line : trace_) out << "  " << line << "\n";
    ADD_FAILURE() << out.str();
  }

  // --- operations ---
  bool Create() {
    QueueConfig config;
    config.fifo = kind_.fifo;
    config.message_retention_period = Chance(30) ? 60 + static_cast<int64_t>(Pick(600)) : 345'600;
    config.delay_seconds = kind_.fifo && Chance(30) ? static_cast<int64_t>(Pick(5)) : 0;
    config.visibility_timeout = 30;
    name_ = kind_.fifo ? "model.fifo" : "model";
    model_ = std::make_unique<model::QueueModel>(kind_.fifo, config.message_retention_period,
                                                 config.delay_seconds);
    Trace("create retention=" + std::to_string(config.message_retention_period) +
          " delay=" + std::to_string(config.delay_seconds));
    // Answered once the new queue's record is durable (the deferring store syncs on request).
    std::optional<api::ApiResult<QueueCatalog::Created>> created;
    engine_->service->queues().Create(
        kAccount, name_, config, {}, {},
        [&](api::ApiResult<QueueCatalog::Created> result) { created = std::move(result); });
    if (!created) {
      Mismatch("the new queue was not made durable");
      return false;
    }
    if (!created->ok()) {
      Mismatch("CreateQueue failed: " + created->error().message);
      return false;
    }
    engine_->queue = (*created)->queue;
    if (engine_->deferring) flushes_ = engine_->deferring->flushes();
    model_->MarkDurable();
    return ok_;
  }

  // CreateQueue again with the same name and attributes: the same queue, nothing changes.
  void CreateAgain() {
    Trace("create again");
    std::optional<api::ApiResult<QueueCatalog::Created>> again;
    engine_->service->queues().Create(
        kAccount, name_, engine_->queue->config(), {}, {},
        [&](api::ApiResult<QueueCatalog::Created> result) { again = std::move(result); });
    if (!again) return Mismatch("CreateQueue of an existing queue did not answer");
    if (!again->ok()) {
      return Mismatch("CreateQueue of an existing queue: " + again->error().message);
    }
    if ((*again)->is_new || (*again)->queue != engine_->queue) {
      Mismatch("CreateQueue of an existing queue made a new one");
    }
  }

  void Step() {
    // Crash more often while something is unsynced: that is when a crash can lose something.
    if (kind_.durable && engine_->deferring->held() > 0 && Chance(5)) return Restart(true);
    const uint64_t roll = Pick(100);
    if (roll < 30) return Send();
    if (roll < 52) return Receive();
    if (roll < 67) return Delete();
    if (roll < 77) return ChangeVisibility();
    if (roll < 92) return AdvanceClock();
    if (roll < 94) return Purge();
    if (roll < 96) return CreateAgain();
    if (kind_.durable) return Restart(Chance(50));
    return AdvanceClock();
  }

  void Send() {
    const size_t n = 1 + Pick(Chance(20) ? 10 : 1);
    std::vector<NewMessage> batch;
    struct Expect {
      std::string id, body, group, dedup;
      std::optional<int64_t> delay;
    };
    std::vector<Expect> expect;
    for (size_t i = 0; i < n; ++i) {
      auto content = std::make_shared<MessageContent>();
      Expect e;
      e.id = "m" + std::to_string(++sent_);
      e.body = "body " + std::to_string(Pick(1'000'000));
      content->message_id = e.id;
      content->body = e.body;
      content->md5_of_body = "md5";
      content->sent_millis = Now();
      if (kind_.fifo) {
        e.group = "g" + std::to_string(Pick(4));
        e.dedup = "d" + std::to_string(Pick(Chance(50) ? 8 : 1'000'000));
        content->group_id = e.group;
        content->deduplication_id = e.dedup;
      } else if (Chance(25)) {
        e.delay = static_cast<int64_t>(Pick(Chance(50) ? 3 : 120));
      }
      batch.push_back(NewMessage{std::move(content), e.delay});
      expect.push_back(std::move(e));
    }
    Trace("send " + std::to_string(n));
    std::optional<api::ApiResult<std::vector<SendResult>>> answer;
    engine_->queue->Send(std::move(batch), [&](auto result) { answer = std::move(result); });
    if (!answer) return Mismatch("a send was not answered");
    if (!answer->ok()) return Mismatch("a send failed: " + answer->error().message);
    const std::vector<SendResult>& results = answer->value();
    if (results.size() != n) return Mismatch("a send answered for another number of messages");
    for (size_t i = 0; i < n; ++i) {
      const Expect& e = expect[i];
      model::QueueModel::Sent sent = model_->Send(Now(), e.id, e.body, e.group, e.dedup, e.delay);
      const SendResult& r = results[i];
      if (r.duplicate != sent.duplicate || r.message_id != sent.id) {
        return Mismatch("send " + e.id + " (dedup " + e.dedup + "): engine says " +
                        (r.duplicate ? "duplicate of " : "new ") + r.message_id + ", model says " +
                        (sent.duplicate ? "duplicate of " : "new ") + sent.id);
      }
      if (!sent.duplicate) order_of_[e.id] = sent.order;
      if (kind_.fifo) {
        if (!r.sequence_number) return Mismatch("a FIFO send without a sequence number");
        if (sent.duplicate) {
          if (sequence_of_[sent.order] != *r.sequence_number) {
            return Mismatch("a duplicate reported another sequence number than the original");
          }
        } else {
          if (!last_sequence_.empty() && *r.sequence_number <= last_sequence_) {
            return Mismatch("sequence number " + *r.sequence_number + " after " + last_sequence_);
          }
          last_sequence_ = *r.sequence_number;
          sequence_of_[sent.order] = *r.sequence_number;
        }
      }
    }
  }

  void Receive() {
    const size_t max = 1 + Pick(10);
    const int64_t visibility = Chance(10) ? 0 : static_cast<int64_t>(Pick(60));
    std::optional<std::string> attempt;
    if (kind_.fifo && Chance(30)) attempt = "attempt-" + std::to_string(Pick(3));
    Trace("receive max=" + std::to_string(max) + " visibility=" + std::to_string(visibility) +
          (attempt ? " attempt=" + *attempt : ""));
    std::vector<ReceivedMessage> got;
    if (!DoReceive(max, visibility, got, attempt)) return;
    std::vector<uint64_t> taken;
    for (const ReceivedMessage& r : got) {
      auto it = order_of_.find(r.content->message_id);
      if (it == order_of_.end())
        return Mismatch("received unknown message " + r.content->message_id.str());
      taken.push_back(it->second);
    }
    if (attempt) {
      if (auto replay = model_->Replay(Now(), *attempt)) {
        if (taken != *replay) {
          return Mismatch("a retried attempt returned " + Ids(taken) + ", model expects " +
                          Ids(*replay));
        }
        for (const ReceivedMessage& r : got) {
          if (attempt_handles_[*attempt].count(r.receipt_handle) == 0) {
            return Mismatch("a retried attempt returned another receipt handle");
          }
        }
        ++replays_;
        return;  // same receive, timeout restarted: nothing else changes
      }
    }
    if (kind_.fifo) {
      std::string wrong = model_->CheckFifoReceive(Now(), max, taken);
      if (!wrong.empty()) return Mismatch("FIFO receive of " + Ids(taken) + ": " + wrong);
    } else {
      std::vector<uint64_t> expected = model_->StandardReceivable(Now(), max);
      if (expected != taken) {
        return Mismatch("receive returned " + Ids(taken) + ", model expects " + Ids(expected));
      }
    }
    model_->Receive(Now(), taken, visibility);
    if (attempt && !taken.empty()) {
      model_->RememberAttempt(Now(), *attempt, taken, visibility);
      attempt_handles_[*attempt].clear();
      for (const ReceivedMessage& r : got) attempt_handles_[*attempt].insert(r.receipt_handle);
    }
    for (size_t i = 0; i < got.size(); ++i) {
      const model::Message& m = model_->messages().at(taken[i]);
      if (got[i].content->body != m.body) return Mismatch("message " + m.id + " has another body");
      if (got[i].receive_count != m.receive_count) {
        return Mismatch("message " + m.id + " received with count " +
                        std::to_string(got[i].receive_count) + ", model expects " +
                        std::to_string(m.receive_count));
      }
      handles_.push_back({got[i].receipt_handle, model_->HandleOf(taken[i])});
      if (handles_.size() > 64) handles_.pop_front();
    }
  }

  bool DoReceive(size_t max, int64_t visibility, std::vector<ReceivedMessage>& got,
                 std::optional<std::string> attempt = std::nullopt) {
    ReceiveOptions options;
    options.attempt_id = std::move(attempt);
    options.max_messages = static_cast<int64_t>(max);
    options.visibility_timeout = visibility;
    options.wait_seconds = 0;
    std::optional<api::ApiResult<std::vector<ReceivedMessage>>> answer;
    engine_->queue->Receive(options, [&](auto result) { answer = std::move(result); });
    if (!answer) {
      Mismatch("a short poll was not answered at once");
      return false;
    }
    if (!answer->ok()) {
      Mismatch("a receive failed: " + answer->error().message);
      return false;
    }
    got = std::move(answer->value());
    return true;
  }

  // A handle from the recent ones (stale ones included), or now and then a garbled one.
  std::optional<std::pair<std::string, model::Handle>> SomeHandle() {
    if (handles_.empty() || Chance(3)) return std::nullopt;
    const size_t n = handles_.size();
    const size_t back = Chance(60) ? Pick(std::min<size_t>(n, 4)) : Pick(n);
    return handles_[n - 1 - back];
  }

  void Delete() {
    auto handle = SomeHandle();
    std::optional<api::ApiStatus> status;
    if (!handle) {
      Trace("delete with a garbled handle");
      engine_->queue->Delete("garbled", [&](api::ApiStatus s) { status = std::move(s); });
      if (!status) return Mismatch("a delete was not answered");
      if (OutcomeOf(*status) != Outcome::kInvalidHandle) {
        return Mismatch("a garbled handle was not refused");
      }
      return;
    }
    const model::Handle& h = handle->second;
    Trace("delete " + Id(h.order) + " (receive #" + std::to_string(h.receive_count) + ")");
    engine_->queue->Delete(handle->first, [&](api::ApiStatus s) { status = std::move(s); });
    if (!status) return Mismatch("a delete was not answered");
    const Outcome want = model_->Delete(Now(), h);
    const Outcome got = OutcomeOf(*status);
    if (got != want) {
      Mismatch(std::string("delete answered ") + OutcomeName(got) + ", model expects " +
               OutcomeName(want));
    }
  }

  void ChangeVisibility() {
    auto handle = SomeHandle();
    if (!handle) return;
    const model::Handle& h = handle->second;
    const int64_t timeout =
        Chance(5) ? 43'000 + static_cast<int64_t>(Pick(400)) : static_cast<int64_t>(Pick(90));
    Trace("change visibility of " + Id(h.order) + " (receive #" + std::to_string(h.receive_count) +
          ") to " + std::to_string(timeout));
    std::optional<api::ApiStatus> status;
    engine_->queue->ChangeVisibility(handle->first, timeout,
                                     [&](api::ApiStatus s) { status = std::move(s); });
    if (!status) return Mismatch("a visibility change was not answered");
    const Outcome want = model_->ChangeVisibility(Now(), h, timeout);
    const Outcome got = OutcomeOf(*status);
    if (got != want) {
      Mismatch(std::string("visibility change answered ") + OutcomeName(got) + ", model expects " +
               OutcomeName(want));
    }
  }

  void Purge() {
    Trace("purge");
    std::optional<api::ApiStatus> status;
    engine_->queue->Purge([&](api::ApiStatus s) { status = std::move(s); });
    if (!status) return Mismatch("a purge was not answered");
    const Outcome want = model_->Purge(Now());
    const Outcome got = OutcomeOf(*status);
    if (got != want) {
      Mismatch(std::string("purge answered ") + OutcomeName(got) + ", model expects " +
               OutcomeName(want));
    }
  }

  void AdvanceClock() {
    int64_t millis;
    const uint64_t roll = Pick(100);
    if (roll < 40) {
      millis = static_cast<int64_t>(Pick(1000));
    } else if (roll < 85) {
      millis = static_cast<int64_t>(Pick(60'000));
    } else {
      millis = static_cast<int64_t>(Pick(400'000));
    }
    Trace("advance " + std::to_string(millis) + " ms");
    engine_->clock.Advance(std::chrono::milliseconds(millis));
  }

  // Closes the process and starts a new one on the same directory. A crash first drops what
  // nobody waited for; a clean stop writes it.
  void Restart(bool crash) {
    Trace(crash ? "crash and restart" : "restart");
    ++restarts_;
    if (crash) {
      // Some prefix of the held groups reached the disk: none, all, or any in between.
      const size_t held = engine_->deferring->held();
      const size_t kept = Pick(held + 1);
      if (kept < held) ++lossy_crashes_;
      // The state after the last step whose records are all among the kept groups (time-driven
      // changes, such as retention, recur after the restart either way).
      const std::map<uint64_t, model::Message>* state = &model_->durable();
      for (const auto& [groups, messages] : unsynced_) {
        if (groups <= kept) state = &messages;
      }
      Trace("crash keeping " + std::to_string(kept) + " of " + std::to_string(held) +
            " unsynced groups");
      model_->Crash(*state);
      unsynced_.clear();
      if (!engine_->deferring->Crash(kept).ok()) return Mismatch("the store failed at a crash");
    } else {
      if (!engine_->deferring->Flush().ok()) return Mismatch("a clean stop could not write");
      model_->MarkDurable();
      model_->Restarted();
    }
    // A restart takes time: the new process's wall clock starts a little later. (Restarting
    // twice within one millisecond can make FIFO sequence numbers go back after a purge:
    // they start from the wall clock, docs/reliability.md.)
    const int64_t wall = Now() + 1 + static_cast<int64_t>(Pick(2000));
    engine_.reset();
    engine_ = std::make_unique<Engine>(kind_, dir_.db(), wall);
    if (!engine_->service) return Mismatch("the store did not open again");
    auto recovered = engine_->service->Recover();
    if (!recovered.ok()) return Mismatch("recovery failed: " + recovered.error());
    engine_->queue = engine_->service->queues().Find(kAccount, name_);
    if (!engine_->queue) return Mismatch("the queue did not come back");
    flushes_ = engine_->deferring->flushes();
  }

  // After each step of a durable history: a wait made everything durable; otherwise the step's
  // records (if any) are the latest held group, and the model's state is what a crash that
  // keeps up to that group leaves.
  void NoteDurability() {
    testing::DeferringStore& store = *engine_->deferring;
    if (store.flushes() != flushes_) {
      flushes_ = store.flushes();
      model_->MarkDurable();
      unsynced_.clear();
      return;
    }
    if (store.held() > 0 && (unsynced_.empty() || unsynced_.back().first < store.held())) {
      unsynced_.emplace_back(store.held(), model_->messages());
    }
  }

  void CheckCounts() {
    const QueueCounters c = engine_->queue->Counters();
    const model::Counts want = model_->Count(Now());
    if (c.visible != want.visible || c.in_flight != want.in_flight || c.delayed != want.delayed) {
      Mismatch("counters visible/in flight/delayed " + std::to_string(c.visible) + "/" +
               std::to_string(c.in_flight) + "/" + std::to_string(c.delayed) + ", model " +
               std::to_string(want.visible) + "/" + std::to_string(want.in_flight) + "/" +
               std::to_string(want.delayed));
    }
  }

  // Every message still there comes out: past every timeout, receive and delete until empty.
  void Drain() {
    step_ = steps_ + 1;
    Trace("drain");
    engine_->clock.Advance(std::chrono::hours(13));
    for (int round = 0; round < 1000 && ok_; ++round) {
      if (model_->Count(Now()).visible == 0) break;
      std::vector<ReceivedMessage> got;
      if (!DoReceive(10, 600, got)) return;
      std::vector<uint64_t> taken;
      for (const ReceivedMessage& r : got) taken.push_back(order_of_.at(r.content->message_id));
      if (kind_.fifo) {
        std::string wrong = model_->CheckFifoReceive(Now(), 10, taken);
        if (!wrong.empty()) return Mismatch("drain: FIFO receive of " + Ids(taken) + ": " + wrong);
      } else if (taken != model_->StandardReceivable(Now(), 10)) {
        return Mismatch("drain: receive returned " + Ids(taken));
      }
      if (taken.empty()) return Mismatch("drain: nothing received while the model has messages");
      model_->Receive(Now(), taken, 600);
      for (size_t i = 0; i < got.size(); ++i) {
        std::optional<api::ApiStatus> status;
        engine_->queue->Delete(got[i].receipt_handle,
                               [&](api::ApiStatus s) { status = std::move(s); });
        if (!status || !status->ok()) return Mismatch("drain: a delete failed");
        if (model_->Delete(Now(), model_->HandleOf(taken[i])) != Outcome::kOk) {
          return Mismatch("drain: the model refused a delete");
        }
      }
    }
    if (!ok_) return;
    const model::Counts left = model_->Count(Now());
    if (left.visible + left.in_flight + left.delayed != 0) return Mismatch("drain: messages left");
    CheckCounts();
  }

  std::string Id(uint64_t order) const { return "#" + std::to_string(order); }
  std::string Ids(const std::vector<uint64_t>& orders) const {
    std::string out = "[";
    for (uint64_t o : orders) out += (out.size() > 1 ? " " : "") + Id(o);
    return out + "]";
  }

  const uint64_t seed_;
  const size_t steps_;
  const Kind kind_;
  std::mt19937_64 random_;
  wharf::testing::TempDir dir_{"wharf-model"};
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<model::QueueModel> model_;
  std::string name_;
  size_t step_ = 0;
  bool ok_ = true;
  uint64_t flushes_ = 0;
  size_t restarts_ = 0;
  size_t lossy_crashes_ = 0;  // crashes that dropped changes nobody waited for
  size_t replays_ = 0;        // FIFO receives answered by replaying an attempt
  uint64_t sent_ = 0;
  std::map<std::string, uint64_t> order_of_;     // message id -> send order
  std::map<uint64_t, std::string> sequence_of_;  // FIFO: send order -> SequenceNumber
  std::string last_sequence_;
  std::deque<std::pair<std::string, model::Handle>> handles_;
  std::map<std::string, std::set<std::string>> attempt_handles_;  // FIFO: handles per attempt id
  // Durable histories: since the last wait, the model's state after each step that appended
  // records, with how many held groups the store had then.
  std::vector<std::pair<size_t, std::map<uint64_t, model::Message>>> unsynced_;
  std::deque<std::string> trace_;
};

// Runs `histories` seeds of one kind (or only WHARF_MODEL_SEED when set).
void RunHistories(Kind kind, uint64_t histories, size_t steps) {
  if (const uint64_t seed = EnvOr("WHARF_MODEL_SEED", 0); seed != 0) {
    if (KindOf(seed).fifo != kind.fifo || KindOf(seed).durable != kind.durable) {
      GTEST_SKIP() << "WHARF_MODEL_SEED=" << seed << " is another kind of history";
    }
    histories = 1;
  }
  histories = EnvOr("WHARF_MODEL_HISTORIES", histories);
  steps = EnvOr("WHARF_MODEL_STEPS", steps);
  size_t restarts = 0;
  size_t lossy = 0;
  size_t replays = 0;
  for (uint64_t i = 0; i < histories; ++i) {
    // Seeds of one kind: the low two bits say which.
    uint64_t seed = EnvOr("WHARF_MODEL_SEED", 0);
    if (seed == 0) seed = ((1000 + i) << 2) | (kind.durable ? 2 : 0) | (kind.fifo ? 1 : 0);
    History history(seed, steps);
    if (!history.Run()) return;
    restarts += history.restarts();
    lossy += history.lossy_crashes();
    replays += history.replays();
  }
  std::printf(
      "model: %llu histories of %zu steps, %zu restarts (%zu crashes lost changes), %zu "
      "receive attempts replayed\n",
      static_cast<unsigned long long>(histories), steps, restarts, lossy, replays);
}

TEST(QueueModelTest, StandardInMemory) { RunHistories({false, false}, 40, 300); }
TEST(QueueModelTest, FifoInMemory) { RunHistories({true, false}, 40, 300); }
TEST(QueueModelTest, StandardDurableWithRestartsAndCrashes) { RunHistories({false, true}, 4, 150); }
TEST(QueueModelTest, FifoDurableWithRestartsAndCrashes) { RunHistories({true, true}, 4, 150); }

}  // namespace
}  // namespace wharf::sqs
