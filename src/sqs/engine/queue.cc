#include "sqs/engine/queue.h"

#include <algorithm>

#include "common/ids.h"
#include "sqs/engine/answer_later.h"
#include "sqs/engine/storage_errors.h"

namespace wharf::sqs {
namespace {

using api::ErrorCode;
using storage::Record;
using storage::RecordType;

}  // namespace

void Queue::RunAll(Completions& completions) {
  for (auto& fn : completions) fn();
}

std::string SequenceNumberOf(uint64_t seq) {
  // 10^19 + seq keeps every value at 20 digits while seq stays below 8.4e18.
  return std::to_string(10'000'000'000'000'000'000ULL + seq);
}

Queue::Queue(QueueIdentity identity, QueueConfig config, api::StringPairs tags, QueueDeps deps)
    : identity_(std::move(identity)),
      deps_(deps),
      config_(std::move(config)),
      tags_(std::move(tags)),
      // Seqs start from the wall clock (in thousandths of a millisecond) so that FIFO sequence
      // numbers keep increasing across restarts even when every message was deleted.
      next_seq_(static_cast<uint64_t>(deps_.clock->WallMillis()) * 1000),
      encrypts_(config_.kms_master_key_id.has_value()),
      view_(ViewOf(config_)),
      data_keys_(identity_.id, *deps_.store) {}

std::shared_ptr<const Queue::RequestView> Queue::ViewOf(const QueueConfig& config) {
  return std::make_shared<const RequestView>(
      RequestView{config.policy_document, SendRulesOf(config)});
}

Queue::~Queue() {
  if (wake_timer_) deps_.scheduler->Cancel(wake_timer_);
  for (Waiter& w : waiters_) {
    if (w.timer) deps_.scheduler->Cancel(w.timer);
  }
}

QueueConfig Queue::config() const {
  std::lock_guard lock(mu_);
  return config_;
}

std::shared_ptr<const Queue::RequestView> Queue::view() const {
  std::lock_guard lock(view_mu_);
  return view_;
}

// Copied from the view outside view_mu_: a KMS key id is copied into SendRules (an allocation
// when it is longer than a small string).
SendRules Queue::send_rules() const { return view()->send_rules; }

std::shared_ptr<const auth::PolicyDocument> Queue::policy() const { return view()->policy; }

api::StringPairs Queue::tags() const {
  std::lock_guard lock(mu_);
  return tags_;
}

QueueCounters Queue::Counters() {
  std::vector<Record> records;
  QueueCounters counters;
  {
    std::lock_guard lock(mu_);
    Advance(deps_.clock->Now(), records);
    Append(records);
    counters.visible = identity_.fifo ? fifo_visible_ : static_cast<int64_t>(ready_.size());
    counters.delayed = delayed_count_;
    counters.in_flight = InFlight();
    if (!retention_.empty()) {
      const Duration age = deps_.clock->Now() - retention_.top()->sent_at;
      counters.oldest_age_seconds =
          std::max<int64_t>(0, std::chrono::duration_cast<std::chrono::seconds>(age).count());
    }
    counters.waiters = static_cast<int64_t>(waiters_.size());
  }
  return counters;
}

// --- time -------------------------------------------------------------------------------------

void Queue::Advance(MonoTime now, std::vector<Record>& records) {
  const Duration retention = Seconds(config_.message_retention_period);
  while (!retention_.empty() && retention_.top()->sent_at + retention <= now) {
    StoredMessage* m = retention_.top();
    AddDeleteRecord(records, *m);
    Remove(*m);
  }
  while (!timers_.empty() && timers_.top()->visible_at <= now) {
    MakeVisible(*timers_.top());
  }
  // Data-key records no stored message has needed for a reuse period (QueueDataKeys).
  if (data_keys_.SweepDue(now)) {
    data_keys_.Sweep(now, Seconds(config_.kms_data_key_reuse_period_seconds));
  }
  if (identity_.fifo && dedup_.size() > 0) {
    std::vector<std::string> expired;
    const int64_t wall = deps_.clock->WallMillis();
    dedup_.Expire(wall, expired);
    for (std::string& key : expired) {
      if (deps_.store->durable()) {
        records.push_back(Record{RecordType::kDedupDelete, identity_.id, 0, {}, std::move(key)});
      }
    }
    std::erase_if(attempts_, [&](const auto& a) { return a.second.expires_millis <= wall; });
  }
}

int64_t Queue::InFlight() const { return static_cast<int64_t>(timers_.size()) - delayed_count_; }

bool Queue::HasReceivable() const {
  return identity_.fifo ? groups_.any_available() : !ready_.empty();
}

void Queue::Publish(StoredMessage& m) {
  PlaceBody(m);
  retention_.Push(&m);
  if (identity_.fifo) {
    if (m.state == MessageState::kVisible) ++fifo_visible_;
    if (m.state != MessageState::kVisible) timers_.Push(&m);
    groups_.Add(&m);
    return;
  }
  if (m.state == MessageState::kVisible) {
    ready_.Push(&m);
  } else {
    timers_.Push(&m);
  }
}

void Queue::MakeVisible(StoredMessage& m) {
  if (TimerHeap::Contains(&m)) timers_.Erase(&m);
  m.move_token = 0;  // a hold for a move that has not finished is over
  if (m.state == MessageState::kDelayed) --delayed_count_;
  m.state = MessageState::kVisible;
  if (identity_.fifo) {
    ++fifo_visible_;
    groups_.Changed(&m);
    return;
  }
  ready_.Push(&m);
}

void Queue::Remove(StoredMessage& m) {
  if (FairReady::Contains(&m)) ready_.Erase(&m);
  if (TimerHeap::Contains(&m)) timers_.Erase(&m);
  if (RetentionHeap::Contains(&m)) retention_.Erase(&m);
  if (m.state == MessageState::kDelayed) --delayed_count_;
  if (identity_.fifo) {
    if (m.state == MessageState::kVisible) --fifo_visible_;
    groups_.Remove(&m);
  }
  ReleaseBody(m);
  if (m.content->data_key_id != 0) data_keys_.Release(m.content->data_key_id, deps_.clock->Now());
  messages_.erase(m.seq);
}

void Queue::PlaceBody(StoredMessage& m) {
  if (!deps_.budget || !deps_.store->durable() || m.content->body_on_disk) return;
  const auto bytes = static_cast<int64_t>(m.content->body.size());
  if (deps_.budget->TryReserve(bytes)) {
    m.budget_bytes = static_cast<uint32_t>(bytes);
    return;
  }
  auto cold = std::make_shared<MessageContent>(*m.content);
  cold->body.clear();
  cold->body.shrink_to_fit();
  cold->body_on_disk = true;
  m.content = std::move(cold);
}

void Queue::ReleaseBody(StoredMessage& m) {
  if (m.budget_bytes > 0 && deps_.budget) deps_.budget->Release(m.budget_bytes);
  m.budget_bytes = 0;
}

// --- queue-level changes ----------------------------------------------------------------------

void Queue::EditPolicy(const PolicyEdit& edit, Done done) {
  ChangeAttributes(
      [&edit](const QueueConfig& config) -> api::ApiResult<api::StringPairs> {
        auto edited = edit(config.policy);
        if (!edited.ok()) return std::move(edited).error();
        return api::StringPairs{{"Policy", edited->value_or("")}};  // "" removes it
      },
      nullptr, std::move(done));
}

void Queue::SetAttributes(const api::StringPairs& attributes, const QueueTypeLookup& lookup,
                          Done done) {
  ChangeAttributes(
      [&attributes](const QueueConfig&) -> api::ApiResult<api::StringPairs> { return attributes; },
      lookup, std::move(done));
}

void Queue::ChangeAttributes(const AttributeChange& change, const QueueTypeLookup& lookup,
                             Done done) {
  if (auto refused = RefusedByStore(*deps_.store)) {
    done(std::move(*refused));
    return;
  }
  AnswerLater later;
  std::vector<Record> records;
  Completions completions;
  uint64_t ticket;
  {
    std::lock_guard lock(mu_);
    if (closed_) {
      later.Fail(done, api::Error(ErrorCode::kQueueDoesNotExist));
      return;
    }
    auto attributes = change(config_);
    if (!attributes.ok()) {
      later.Fail(done, std::move(attributes).error());
      return;
    }
    const int64_t old_delay = config_.delay_seconds;
    api::ApiStatus applied =
        ApplyAttributes(config_, *attributes, AttributeMode::kSet, *deps_.limits, lookup);
    if (!applied.ok()) {
      later.Fail(done, std::move(applied).error());
      return;
    }
    config_.last_modified_timestamp = deps_.clock->WallMillis() / 1000;
    encrypts_.store(config_.kms_master_key_id.has_value(), std::memory_order_relaxed);
    {
      std::shared_ptr<const RequestView> view = ViewOf(config_);
      std::lock_guard view_lock(view_mu_);
      view_.swap(view);  // the old view is freed after the lock, by `view`
    }
    AddQueueRecord(records);
    const MonoTime now = deps_.clock->Now();
    if (identity_.fifo && config_.delay_seconds != old_delay) {
      // On FIFO queues a new DelaySeconds applies to messages still delayed (§5.6).
      for (StoredMessage* m : timers_.items()) {
        if (m->state == MessageState::kDelayed) {
          m->visible_at = m->sent_at + Seconds(config_.delay_seconds);
        }
      }
      timers_.Rebuild();
    }
    // A shorter retention period takes effect at once.
    Advance(now, records);
    ServeWaiters(now, completions);
    ArmWakeTimer();
    ticket = Append(records);
  }
  RunAll(completions);
  AnswerWhenDurable(ticket, std::move(done));
}

void Queue::Tag(const api::StringPairs& tags, Done done) {
  if (auto refused = RefusedByStore(*deps_.store)) {
    done(std::move(*refused));
    return;
  }
  AnswerLater later;
  std::vector<Record> records;
  uint64_t ticket;
  {
    std::lock_guard lock(mu_);
    if (closed_) {
      later.Fail(done, api::Error(ErrorCode::kQueueDoesNotExist));
      return;
    }
    for (const auto& [key, value] : tags) {
      // Named capture: clang before 16 cannot capture a structured binding (the fuzz build).
      auto it = std::find_if(tags_.begin(), tags_.end(),
                             [&name = key](const auto& t) { return t.first == name; });
      if (it != tags_.end()) {
        it->second = value;
      } else {
        tags_.emplace_back(key, value);
      }
    }
    AddQueueRecord(records);
    ticket = Append(records);
  }
  AnswerWhenDurable(ticket, std::move(done));
}

void Queue::Untag(const std::vector<std::string>& keys, Done done) {
  if (auto refused = RefusedByStore(*deps_.store)) {
    done(std::move(*refused));
    return;
  }
  AnswerLater later;
  std::vector<Record> records;
  uint64_t ticket;
  {
    std::lock_guard lock(mu_);
    if (closed_) {
      later.Fail(done, api::Error(ErrorCode::kQueueDoesNotExist));
      return;
    }
    std::erase_if(tags_, [&](const auto& t) {
      return std::find(keys.begin(), keys.end(), t.first) != keys.end();
    });
    AddQueueRecord(records);
    ticket = Append(records);
  }
  AnswerWhenDurable(ticket, std::move(done));
}

void Queue::Purge(Done done) {
  if (auto refused = RefusedByStore(*deps_.store)) {
    done(std::move(*refused));
    return;
  }
  AnswerLater later;
  std::vector<Record> records;
  uint64_t ticket;
  {
    std::lock_guard lock(mu_);
    if (closed_) {
      later.Fail(done, api::Error(ErrorCode::kQueueDoesNotExist));
      return;
    }
    MonoTime now = deps_.clock->Now();
    if (last_purge_ && now - *last_purge_ < Seconds(deps_.limits->purge_interval_seconds)) {
      later.Fail(done, api::Error(ErrorCode::kPurgeQueueInProgress,
                                  "Only one PurgeQueue operation on " + identity_.name +
                                      " is allowed every 60 seconds."));
      return;
    }
    last_purge_ = now;
    ready_.Clear();
    timers_.Clear();
    retention_.Clear();
    groups_.Clear();
    for (auto& [seq, m] : messages_) {
      ReleaseBody(m);
      if (m.content->data_key_id != 0) data_keys_.Release(m.content->data_key_id, now);
    }
    messages_.clear();
    delayed_count_ = 0;
    fifo_visible_ = 0;
    // Purge also forgets deduplication ids (§2.14); the store drops them with the purge record.
    dedup_.Clear();
    attempts_.clear();
    purged_below_ = next_seq_.load();
    // No message is left to continue seqs from after a restart: the queue record keeps where
    // they were, so SequenceNumbers keep increasing whatever the wall clock says then.
    seq_floor_ = purged_below_;
    AddQueueRecord(records);
    if (deps_.store->durable()) {
      records.push_back(Record{RecordType::kQueuePurge, identity_.id, purged_below_, {}});
    }
    ticket = Append(records);
  }
  AnswerWhenDurable(ticket, std::move(done));
}

void Queue::Close() {
  std::list<Waiter> waiters;
  {
    std::lock_guard lock(mu_);
    closed_ = true;
    waiters.swap(waiters_);
    waiter_index_.clear();
    if (wake_timer_) deps_.scheduler->Cancel(wake_timer_);
    wake_timer_ = 0;
    for (Waiter& w : waiters) {
      if (w.timer) deps_.scheduler->Cancel(w.timer);
    }
    ready_.Clear();
    timers_.Clear();
    retention_.Clear();
    groups_.Clear();
    for (auto& [seq, m] : messages_) ReleaseBody(m);
    messages_.clear();  // the data-key records go with the queue (PersistDeleted)
    delayed_count_ = 0;
    fifo_visible_ = 0;
    dedup_.Clear();
    attempts_.clear();
  }
  // A receiver parked on a queue that goes away gets an empty answer (sqs-api.md §5.5).
  for (Waiter& w : waiters) w.done(std::vector<ReceivedMessage>{});
}

// --- messages ---------------------------------------------------------------------------------

void Queue::Send(std::vector<NewMessage> messages, SendDone done) {
  // A store that cannot write (full or failing disk, being recovered) refuses sends up front:
  // nothing is queued that could only fail, and the client retries the 503.
  if (storage::StorageStatus health = deps_.store->Health(); !health.ok()) {
    done(FromStorageError(health.error()));
    return;
  }
  AnswerLater later;
  std::vector<Record> records;
  std::vector<SendResult> results(messages.size());
  std::vector<uint64_t> seqs(messages.size(), 0);  // 0: a duplicate, not enqueued
  uint64_t ticket;
  {
    std::lock_guard lock(mu_);
    if (closed_) {
      later.Fail(done, api::Error(ErrorCode::kQueueDoesNotExist));
      return;
    }
    const int64_t wall = deps_.clock->WallMillis();
    if (identity_.fifo) Advance(deps_.clock->Now(), records);  // expire old dedup ids first
    for (size_t i = 0; i < messages.size(); ++i) {
      NewMessage& message = messages[i];
      const MessageContent& content = *message.content;
      if (identity_.fifo) {
        const DedupWindow::Claim claim = dedup_.ClaimKey(DedupKeyOf(content), wall);
        if (!claim.fresh) {
          const DedupEntry& seen = *claim.entry;
          results[i] = SendResult{seen.message_id, SequenceNumberOf(seen.seq), true};
          continue;
        }
        seqs[i] = next_seq_++;
        // No record of its own: the message's record below holds everything recovery needs to
        // rebuild it (dedup_window.h), until the message leaves (AddDeleteRecord).
        *claim.entry = DedupEntry{content.message_id, seqs[i], wall + DedupWindow::kWindowMillis};
        results[i] = SendResult{content.message_id, SequenceNumberOf(seqs[i]), false};
      } else {
        seqs[i] = next_seq_++;
        results[i] = SendResult{content.message_id, std::nullopt, false};
      }
      if (!message.delay_seconds) message.delay_seconds = config_.delay_seconds;
      // Pinned now, so the record is stored ahead of the message and cannot be swept while the
      // send is in progress; FinishSend unpins it if the message is not kept after all.
      if (message.data_key) data_keys_.Reference(message.data_key);
      if (deps_.store->durable()) {
        const int64_t visible_at =
            *message.delay_seconds > 0 ? wall + *message.delay_seconds * 1000 : 0;
        records.push_back(Record{RecordType::kMessagePut, identity_.id, seqs[i],
                                 EncodeMessageRecord(content, visible_at)});
      }
    }
    // Duplicates append nothing but still wait for the original to be durable.
    ticket = Append(records);
  }
  // Published only once durable: a message is never receivable before it is safe.
  auto pending = std::make_shared<PendingSend>(
      PendingSend{std::move(messages), std::move(seqs), std::move(results), std::move(done)});
  deps_.store->WhenDurable(ticket, [self = shared_from_this(), pending](storage::StorageStatus s) {
    self->FinishSend(*pending, std::move(s));
  });
}

void Queue::FinishSend(PendingSend& send, storage::StorageStatus status) {
  if (!status.ok()) {
    {
      // Not acknowledged, and never made receivable. The store may still write the records
      // when it recovers (store.h: a failure is "in doubt"), so the send is undone there too,
      // after them: its messages and deduplication entries are deleted again.
      std::vector<Record> undo;
      std::lock_guard lock(mu_);
      const MonoTime now = deps_.clock->Now();
      for (size_t i = 0; i < send.messages.size(); ++i) {
        if (send.seqs[i] == 0) continue;  // a duplicate: nothing of its own was appended
        if (send.messages[i].data_key) data_keys_.Release(send.messages[i].data_key->id, now);
        if (closed_) continue;  // the queue's deletion removes everything of it
        if (deps_.store->durable()) {
          undo.push_back(Record{RecordType::kMessageDelete, identity_.id, send.seqs[i], {}});
        }
        if (!identity_.fifo) continue;
        // A retry must not be taken for a duplicate. Only this send's entry: the key may have
        // expired and been taken by a later send meanwhile.
        const std::string& key = DedupKeyOf(*send.messages[i].content);
        const DedupEntry* entry = dedup_.Find(key, 0);
        if (entry == nullptr || entry->seq != send.seqs[i]) continue;
        // The store holds a record of the key only when an earlier, expired entry of it left one
        // (the claim took it over); this send wrote none.
        if (dedup_.Erase(key) && deps_.store->durable()) {
          undo.push_back(Record{RecordType::kDedupDelete, identity_.id, 0, {}, key});
        }
      }
      Append(undo);
    }
    send.done(FromStorageError(status.error()));
    return;
  }
  Completions completions;
  {
    std::lock_guard lock(mu_);
    if (!closed_) {
      const MonoTime now = deps_.clock->Now();
      for (size_t i = 0; i < send.messages.size(); ++i) {
        if (send.seqs[i] == 0) continue;  // duplicate
        // Stored and acknowledged: counted even if a purge drops it before it is published.
        const int64_t size = send.messages[i].size > 0
                                 ? send.messages[i].size
                                 : static_cast<int64_t>(send.messages[i].content->body.size());
        metrics_.sent.fetch_add(1, std::memory_order_relaxed);
        metrics_.sent_size.Observe(static_cast<uint64_t>(size));
        if (send.seqs[i] < purged_below_) {
          // Purged before it was published.
          if (send.messages[i].data_key) data_keys_.Release(send.messages[i].data_key->id, now);
          continue;
        }
        // Sequence numbers grow, so a send's message nearly always goes last: the end hint
        // makes that insert constant time instead of a walk down a tree of every stored
        // message (a cache miss per level with a deep backlog).
        StoredMessage& m = messages_.try_emplace(messages_.end(), send.seqs[i])->second;
        m.seq = send.seqs[i];
        m.content = std::move(send.messages[i].content);
        m.sent_at = now;
        const int64_t delay = *send.messages[i].delay_seconds;
        if (delay > 0) {
          m.state = MessageState::kDelayed;
          m.visible_at = now + Seconds(delay);
          ++delayed_count_;
        } else {
          m.state = MessageState::kVisible;
        }
        Publish(m);
      }
      ServeWaiters(now, completions);
      ArmWakeTimer();
    } else {
      const MonoTime now = deps_.clock->Now();
      for (size_t i = 0; i < send.messages.size(); ++i) {
        if (send.seqs[i] != 0 && send.messages[i].data_key) {
          data_keys_.Release(send.messages[i].data_key->id, now);
        }
      }
    }
  }
  RunAll(completions);
  send.done(std::move(send.results));
}

ReceivedMessage Queue::Snapshot(const StoredMessage& m) const {
  return ReceivedMessage{
      m.content,
      m.seq,
      m.dead_letter_source_arn,
      EncodeReceiptHandle({identity_.id, m.seq, m.receive_count, m.receipt_nonce,
                           MessageCheckOf(m.content->message_id)}),
      m.receive_count,
      m.first_receive_millis,
      m.content->data_key_id != 0 ? data_keys_.Find(m.content->data_key_id) : nullptr};
}

std::vector<ReceivedMessage> Queue::Take(int64_t max, int64_t visibility_seconds, MonoTime now,
                                         std::vector<Record>& records) {
  std::vector<ReceivedMessage> out;
  const int64_t wall = deps_.clock->WallMillis();
  auto take = [&](StoredMessage& m) {
    if (identity_.fifo) --fifo_visible_;
    ++m.receive_count;
    if (m.first_receive_millis == 0) m.first_receive_millis = wall;
    m.receipt_nonce = static_cast<uint32_t>(RandomU64());
    m.state = MessageState::kInFlight;
    m.received_at = now;
    m.visible_at = now + Seconds(visibility_seconds);
    timers_.Push(&m);
    AddStateRecord(records, m);
    out.push_back(Snapshot(m));
  };
  // Dead-letter redrive: a message already received maxReceiveCount times moves to the DLQ on
  // this receive instead of being delivered (§5.10). Without a reachable DLQ it is delivered.
  std::shared_ptr<Queue> dlq;
  if (config_.redrive_policy && deps_.find_queue) {
    dlq = deps_.find_queue(config_.redrive_policy->dead_letter_target_arn);
    if (dlq.get() == this || (dlq && dlq->identity().fifo != identity_.fifo)) dlq.reset();
  }
  auto due = [&](const StoredMessage& m) {
    return dlq && m.receive_count >= config_.redrive_policy->max_receive_count;
  };
  if (identity_.fifo) {
    // FIFO: no error at the in-flight quota, just fewer messages (§5.14).
    const int64_t room = deps_.limits->max_inflight_standard - InFlight();
    const int64_t n = std::max<int64_t>(0, std::min(max, room));
    // A head due for the dead-letter queue leaves its group, which may unblock it: take again.
    std::vector<StoredMessage*> dead;
    for (int round = 0; round < 16 && static_cast<int64_t>(out.size()) < n; ++round) {
      dead.clear();
      groups_.TakeVisible(static_cast<size_t>(n) - out.size(), [&](StoredMessage* m) {
        if (due(*m)) {
          --fifo_visible_;
          m->state = MessageState::kInFlight;  // blocks the group until it is moved below
          dead.push_back(m);
        } else {
          take(*m);
        }
      });
      if (dead.empty()) break;
      for (StoredMessage* m : dead) {
        RelocateOrHold(*m, dlq, /*back_to_source=*/false, now, records, nullptr);
      }
    }
  } else {
    while (static_cast<int64_t>(out.size()) < max && !ready_.empty()) {
      StoredMessage& m = *ready_.Pop();
      if (due(m)) {
        RelocateOrHold(m, dlq, /*back_to_source=*/false, now, records, nullptr);
        continue;
      }
      take(m);
    }
  }
  return out;
}

std::optional<std::vector<ReceivedMessage>> Queue::ReplayAttempt(const std::string& attempt_id,
                                                                 MonoTime now,
                                                                 std::vector<Record>& records) {
  auto it = attempts_.find(attempt_id);
  if (it == attempts_.end() || it->second.expires_millis <= deps_.clock->WallMillis()) {
    return std::nullopt;
  }
  // Replayed only if none of the messages was deleted or changed since (§5.15).
  std::vector<StoredMessage*> same;
  for (const ReceiptHandle& h : it->second.handles) {
    auto m = messages_.find(h.seq);
    if (m == messages_.end() || m->second.state != MessageState::kInFlight ||
        m->second.receive_count != h.receive_count || m->second.receipt_nonce != h.nonce ||
        m->second.visible_at != it->second.visible_at[same.size()]) {
      return std::nullopt;  // deleted, received again, or its visibility was changed
    }
    same.push_back(&m->second);
  }
  std::vector<ReceivedMessage> out;
  for (size_t i = 0; i < same.size(); ++i) {
    StoredMessage* m = same[i];
    m->received_at = now;
    m->visible_at = now + Seconds(it->second.visibility_seconds);
    it->second.visible_at[i] = m->visible_at;  // a later retry replays this answer too
    timers_.Fix(m);
    AddStateRecord(records, *m);
    out.push_back(Snapshot(*m));
  }
  return out;
}

std::vector<ReceivedMessage> Queue::TakeFor(int64_t max, int64_t visibility_seconds,
                                            const std::optional<std::string>& attempt_id,
                                            MonoTime now, std::vector<Record>& records) {
  if (!identity_.fifo || !attempt_id) return Take(max, visibility_seconds, now, records);
  if (auto replay = ReplayAttempt(*attempt_id, now, records)) return std::move(*replay);
  std::vector<ReceivedMessage> out = Take(max, visibility_seconds, now, records);
  if (!out.empty()) {
    Attempt& attempt = attempts_[*attempt_id];
    attempt.expires_millis = deps_.clock->WallMillis() + DedupWindow::kWindowMillis;
    attempt.visibility_seconds = visibility_seconds;
    attempt.handles.clear();
    attempt.visible_at.clear();
    for (const ReceivedMessage& r : out) {
      auto h = DecodeReceiptHandle(r.receipt_handle);
      if (!h) continue;
      attempt.handles.push_back(*h);
      attempt.visible_at.push_back(messages_.at(h->seq).visible_at);
    }
  }
  return out;
}

void Queue::Receive(const ReceiveOptions& options, ReceiveDone done) {
  // A receive changes state that must reach the disk (receive counts, visibility), and is
  // refused whole while the store takes no more records, even one that would have found
  // nothing: it cannot be known before the queue is looked at, and looking (Advance) may change
  // state too.
  if (auto refused = RefusedByStore(*deps_.store)) {
    done(std::move(*refused));
    return;
  }
  AnswerLater later;
  std::vector<Record> records;
  std::vector<ReceivedMessage> messages;
  std::vector<Relocation> moves;
  std::vector<PendingRecrypt> recrypts;
  bool parked = false;
  uint64_t ticket;
  {
    std::lock_guard lock(mu_);
    if (closed_) {
      later.Fail(done, api::Error(ErrorCode::kQueueDoesNotExist));
      return;
    }
    const MonoTime now = deps_.clock->Now();
    Advance(now, records);
    if (!identity_.fifo && InFlight() >= deps_.limits->max_inflight_standard) {
      Append(records);
      later.Fail(done, api::Error(ErrorCode::kOverLimit,
                                  "Too many messages in flight for queue " + identity_.name + "."));
      return;
    }
    const int64_t visibility = options.visibility_timeout.value_or(config_.visibility_timeout);
    messages = TakeFor(options.max_messages, visibility, options.attempt_id, now, records);
    moves = std::exchange(moves_, {});
    recrypts = std::exchange(recrypts_, {});
    ticket = Append(records);
    const int64_t wait = options.wait_seconds.value_or(config_.receive_message_wait_time_seconds);
    if (messages.empty() && wait > 0) {
      // Park: answered by ServeWaiters when a message becomes visible, or by the timer.
      uint64_t id = next_waiter_id_++;
      waiters_.push_back(
          Waiter{id, options.max_messages, visibility, options.attempt_id, 0, std::move(done)});
      waiter_index_[id] = std::prev(waiters_.end());
      std::weak_ptr<Queue> weak = weak_from_this();
      waiters_.back().timer = deps_.scheduler->ScheduleAt(now + Seconds(wait), [weak, id] {
        if (auto q = weak.lock()) q->OnWaitExpired(id);
      });
      ArmWakeTimer();
      parked = true;
    }
  }
  ScheduleRelocations(ticket, std::move(moves));
  ScheduleRecrypts(std::move(recrypts));
  if (!parked) AnswerReceiveWhenDurable(ticket, std::move(messages), std::move(done));
}

}  // namespace wharf::sqs
