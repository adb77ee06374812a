#include "sqs/engine/queue.h"

#include <algorithm>

#include "common/ids.h"
#include "sqs/engine/storage_errors.h"

namespace wharf::sqs {
namespace {

using api::ErrorCode;
using storage::Record;
using storage::RecordType;

void RunAll(std::vector<std::function<void()>>& completions) {
  for (auto& fn : completions) fn();
}

api::ApiError InvalidHandle(std::string_view handle) {
  return api::Error(
      ErrorCode::kReceiptHandleIsInvalid,
      "The input receipt handle \"" + std::string(handle) + "\" is not a valid receipt handle.");
}

}  // namespace

Queue::Queue(QueueIdentity identity, QueueConfig config, api::StringPairs tags, QueueDeps deps)
    : identity_(std::move(identity)),
      deps_(deps),
      config_(std::move(config)),
      tags_(std::move(tags)) {}

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
    counters.visible = static_cast<int64_t>(ready_.size());
    counters.delayed = delayed_count_;
    counters.in_flight = static_cast<int64_t>(timers_.size()) - delayed_count_;
  }
  return counters;
}

// --- storage ----------------------------------------------------------------------------------

uint64_t Queue::Append(std::vector<Record>& records) {
  return deps_.store->Append(std::move(records));
}

void Queue::AnswerWhenDurable(uint64_t ticket, Done done) {
  deps_.store->WhenDurable(ticket, [done = std::move(done)](storage::StorageStatus s) {
    if (s.ok()) {
      done({});
    } else {
      done(FromStorageError(s.error()));
    }
  });
}

void Queue::AnswerReceiveWhenDurable(uint64_t ticket, std::vector<ReceivedMessage> messages,
                                     ReceiveDone done) {
  deps_.store->WhenDurable(ticket, [messages = std::move(messages),
                                    done = std::move(done)](storage::StorageStatus s) mutable {
    if (s.ok()) {
      done(std::move(messages));
    } else {
      done(FromStorageError(s.error()));
    }
  });
}

int64_t Queue::WallOf(MonoTime t) const {
  return deps_.clock->WallMillis() +
         std::chrono::duration_cast<std::chrono::milliseconds>(t - deps_.clock->Now()).count();
}

void Queue::AddQueueRecord(std::vector<Record>& records) const {
  if (!deps_.store->durable()) return;
  records.push_back(
      Record{RecordType::kQueuePut, identity_.id, 0,
             EncodeQueueRecord({identity_.account_id, identity_.name, config_, tags_})});
}

void Queue::AddStateRecord(std::vector<Record>& records, const StoredMessage& m) const {
  if (!deps_.store->durable()) return;
  StateRecord s;
  s.state = m.state;
  s.visible_at_millis = WallOf(m.visible_at);
  s.received_at_millis = WallOf(m.received_at);
  s.receive_count = m.receive_count;
  s.receipt_nonce = m.receipt_nonce;
  s.first_receive_millis = m.first_receive_millis;
  records.push_back(Record{RecordType::kMessageState, identity_.id, m.seq, EncodeStateRecord(s)});
}

void Queue::AddDeleteRecord(std::vector<Record>& records, const StoredMessage& m) const {
  if (!deps_.store->durable()) return;
  records.push_back(Record{RecordType::kMessageDelete, identity_.id, m.seq, {}});
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
}

void Queue::MakeVisible(StoredMessage& m) {
  if (TimerHeap::Contains(&m)) timers_.Erase(&m);
  if (m.state == MessageState::kDelayed) --delayed_count_;
  m.state = MessageState::kVisible;
  ready_.Push(&m);
}

void Queue::Remove(StoredMessage& m) {
  if (ReadyHeap::Contains(&m)) ready_.Erase(&m);
  if (TimerHeap::Contains(&m)) timers_.Erase(&m);
  if (RetentionHeap::Contains(&m)) retention_.Erase(&m);
  if (m.state == MessageState::kDelayed) --delayed_count_;
  messages_.erase(m.seq);
}

// --- queue-level changes ----------------------------------------------------------------------

void Queue::SetAttributes(const api::StringPairs& attributes, const QueueTypeLookup& lookup,
                          Done done) {
  std::vector<Record> records;
  uint64_t ticket;
  {
    std::lock_guard lock(mu_);
    if (closed_) {
      done(api::Error(ErrorCode::kQueueDoesNotExist));
      return;
    }
    api::ApiStatus applied =
        ApplyAttributes(config_, attributes, AttributeMode::kSet, *deps_.limits, lookup);
    if (!applied.ok()) {
      done(std::move(applied));
      return;
    }
    config_.last_modified_timestamp = deps_.clock->WallMillis() / 1000;
    AddQueueRecord(records);
    // A shorter retention period takes effect at once.
    Advance(deps_.clock->Now(), records);
    ticket = Append(records);
  }
  AnswerWhenDurable(ticket, std::move(done));
}

void Queue::Tag(const api::StringPairs& tags, Done done) {
  std::vector<Record> records;
  uint64_t ticket;
  {
    std::lock_guard lock(mu_);
    if (closed_) {
      done(api::Error(ErrorCode::kQueueDoesNotExist));
      return;
    }
    for (const auto& [key, value] : tags) {
      auto it =
          std::find_if(tags_.begin(), tags_.end(), [&](const auto& t) { return t.first == key; });
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
  std::vector<Record> records;
  uint64_t ticket;
  {
    std::lock_guard lock(mu_);
    if (closed_) {
      done(api::Error(ErrorCode::kQueueDoesNotExist));
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
  std::vector<Record> records;
  uint64_t ticket;
  {
    std::lock_guard lock(mu_);
    if (closed_) {
      done(api::Error(ErrorCode::kQueueDoesNotExist));
      return;
    }
    MonoTime now = deps_.clock->Now();
    if (last_purge_ && now - *last_purge_ < Seconds(deps_.limits->purge_interval_seconds)) {
      done(api::Error(
          ErrorCode::kPurgeQueueInProgress,
          "Only one PurgeQueue operation on " + identity_.name + " is allowed every 60 seconds."));
      return;
    }
    last_purge_ = now;
    ready_.Clear();
    timers_.Clear();
    retention_.Clear();
    messages_.clear();
    delayed_count_ = 0;
    purged_below_ = next_seq_;
    if (deps_.store->durable()) {
      records.push_back(Record{RecordType::kQueuePurge, identity_.id, next_seq_, {}});
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
    messages_.clear();
    delayed_count_ = 0;
  }
  // A receiver parked on a queue that goes away gets an empty answer (sqs-api.md §5.5).
  for (Waiter& w : waiters) w.done(std::vector<ReceivedMessage>{});
}

uint64_t Queue::AppendCreated() {
  std::vector<Record> records;
  std::lock_guard lock(mu_);
  AddQueueRecord(records);
  return Append(records);
}

void Queue::PersistDeleted(Done done) {
  std::vector<Record> records;
  uint64_t ticket;
  {
    std::lock_guard lock(mu_);
    if (deps_.store->durable()) {
      records.push_back(Record{RecordType::kQueueDelete, identity_.id, 0, {}});
    }
    ticket = Append(records);
  }
  AnswerWhenDurable(ticket, std::move(done));
}

// --- recovery ---------------------------------------------------------------------------------

void Queue::Restore(uint64_t seq, std::shared_ptr<const MessageContent> content,
                    int64_t visible_at_millis, const StateRecord* state) {
  std::lock_guard lock(mu_);
  const MonoTime now = deps_.clock->Now();
  const int64_t wall = deps_.clock->WallMillis();
  auto mono = [&](int64_t millis) { return now + Millis(millis - wall); };
  next_seq_ = std::max(next_seq_, seq + 1);
  auto [it, inserted] = messages_.try_emplace(seq);
  StoredMessage& m = it->second;
  m.seq = seq;
  m.sent_at = mono(content->sent_millis);
  m.content = std::move(content);
  retention_.Push(&m);
  if (state) {
    // Receive counts and deadlines survive: an in-flight message stays hidden until its
    // visibility timeout ends, and its receipt handle still works (docs/storage-format.md).
    m.receive_count = state->receive_count;
    m.receipt_nonce = state->receipt_nonce;
    m.first_receive_millis = state->first_receive_millis;
    m.received_at = mono(state->received_at_millis);
    m.visible_at = mono(state->visible_at_millis);
    m.state =
        state->state == MessageState::kInFlight ? MessageState::kInFlight : MessageState::kVisible;
  } else if (visible_at_millis > wall) {
    m.state = MessageState::kDelayed;
    m.visible_at = mono(visible_at_millis);
    ++delayed_count_;
  }
  if (m.state == MessageState::kVisible) {
    ready_.Push(&m);
  } else {
    timers_.Push(&m);
  }
}

// --- messages ---------------------------------------------------------------------------------

void Queue::Send(std::vector<NewMessage> messages, Done done) {
  std::vector<Record> records;
  std::vector<uint64_t> seqs;
  seqs.reserve(messages.size());
  uint64_t ticket;
  {
    std::lock_guard lock(mu_);
    if (closed_) {
      done(api::Error(ErrorCode::kQueueDoesNotExist));
      return;
    }
    const int64_t wall = deps_.clock->WallMillis();
    for (NewMessage& message : messages) {
      seqs.push_back(next_seq_++);
      if (!message.delay_seconds) message.delay_seconds = config_.delay_seconds;
      if (deps_.store->durable()) {
        const int64_t visible_at =
            *message.delay_seconds > 0 ? wall + *message.delay_seconds * 1000 : 0;
        records.push_back(Record{RecordType::kMessagePut, identity_.id, seqs.back(),
                                 EncodeMessageRecord(*message.content, visible_at)});
      }
    }
    ticket = Append(records);
  }
  // Published only once durable: a message is never receivable before it is safe.
  auto self = shared_from_this();
  deps_.store->WhenDurable(ticket, [self, messages = std::move(messages), seqs = std::move(seqs),
                                    done = std::move(done)](storage::StorageStatus s) mutable {
    if (!s.ok()) {
      done(FromStorageError(s.error()));
      return;
    }
    Completions completions;
    {
      std::lock_guard lock(self->mu_);
      if (!self->closed_) {
        const MonoTime now = self->deps_.clock->Now();
        for (size_t i = 0; i < messages.size(); ++i) {
          if (seqs[i] < self->purged_below_) continue;  // purged before it was published
          auto [it, inserted] = self->messages_.try_emplace(seqs[i]);
          StoredMessage& m = it->second;
          m.seq = seqs[i];
          m.content = std::move(messages[i].content);
          m.sent_at = now;
          self->retention_.Push(&m);
          const int64_t delay = *messages[i].delay_seconds;
          if (delay > 0) {
            m.state = MessageState::kDelayed;
            m.visible_at = now + Seconds(delay);
            ++self->delayed_count_;
            self->timers_.Push(&m);
          } else {
            m.state = MessageState::kVisible;
            self->ready_.Push(&m);
          }
        }
        self->ServeWaiters(now, completions);
        self->ArmWakeTimer();
      }
    }
    RunAll(completions);
    done({});
  });
}

std::vector<ReceivedMessage> Queue::Take(int64_t max, int64_t visibility_seconds, MonoTime now,
                                         std::vector<Record>& records) {
  std::vector<ReceivedMessage> out;
  const int64_t wall = deps_.clock->WallMillis();
  while (static_cast<int64_t>(out.size()) < max && !ready_.empty()) {
    StoredMessage& m = *ready_.Pop();
    ++m.receive_count;
    if (m.first_receive_millis == 0) m.first_receive_millis = wall;
    m.receipt_nonce = static_cast<uint32_t>(RandomU64());
    m.state = MessageState::kInFlight;
    m.received_at = now;
    m.visible_at = now + Seconds(visibility_seconds);
    timers_.Push(&m);
    AddStateRecord(records, m);
    out.push_back(ReceivedMessage{
        m.content, EncodeReceiptHandle({identity_.id, m.seq, m.receive_count, m.receipt_nonce}),
        m.receive_count, m.first_receive_millis});
  }
  return out;
}

void Queue::Receive(const ReceiveOptions& options, ReceiveDone done) {
  std::vector<Record> records;
  std::vector<ReceivedMessage> messages;
  uint64_t ticket;
  {
    std::lock_guard lock(mu_);
    if (closed_) {
      done(api::Error(ErrorCode::kQueueDoesNotExist));
      return;
    }
    const MonoTime now = deps_.clock->Now();
    Advance(now, records);
    const int64_t visibility = options.visibility_timeout.value_or(config_.visibility_timeout);
    messages = Take(options.max_messages, visibility, now, records);
    ticket = Append(records);
    const int64_t wait = options.wait_seconds.value_or(config_.receive_message_wait_time_seconds);
    if (messages.empty() && wait > 0) {
      // Park: answered by ServeWaiters when a message becomes visible, or by the timer.
      uint64_t id = next_waiter_id_++;
      waiters_.push_back(Waiter{id, options.max_messages, visibility, 0, std::move(done)});
      waiter_index_[id] = std::prev(waiters_.end());
      std::weak_ptr<Queue> weak = weak_from_this();
      waiters_.back().timer = deps_.scheduler->ScheduleAt(now + Seconds(wait), [weak, id] {
        if (auto q = weak.lock()) q->OnWaitExpired(id);
      });
      ArmWakeTimer();
      return;
    }
  }
  AnswerReceiveWhenDurable(ticket, std::move(messages), std::move(done));
}

void Queue::ServeWaiters(MonoTime now, Completions& completions) {
  while (!waiters_.empty() && !ready_.empty()) {
    Waiter w = std::move(waiters_.front());
    waiter_index_.erase(w.id);
    waiters_.pop_front();
    if (w.timer) deps_.scheduler->Cancel(w.timer);
    std::vector<Record> records;
    std::vector<ReceivedMessage> messages =
        Take(w.max_messages, w.visibility_seconds, now, records);
    const uint64_t ticket = Append(records);
    completions.push_back([self = shared_from_this(), ticket, messages = std::move(messages),
                           done = std::move(w.done)]() mutable {
      self->AnswerReceiveWhenDurable(ticket, std::move(messages), std::move(done));
    });
  }
}

void Queue::ArmWakeTimer() {
  if (waiters_.empty() || timers_.empty()) return;
  MonoTime due = timers_.top()->visible_at;
  if (wake_timer_ && wake_at_ <= due) return;
  if (wake_timer_) deps_.scheduler->Cancel(wake_timer_);
  wake_at_ = due;
  std::weak_ptr<Queue> weak = weak_from_this();
  wake_timer_ = deps_.scheduler->ScheduleAt(due, [weak] {
    if (auto q = weak.lock()) q->OnWake();
  });
}

void Queue::OnWake() {
  Completions completions;
  std::vector<Record> records;
  {
    std::lock_guard lock(mu_);
    wake_timer_ = 0;
    if (closed_) return;
    const MonoTime now = deps_.clock->Now();
    Advance(now, records);
    Append(records);
    ServeWaiters(now, completions);
    ArmWakeTimer();
  }
  RunAll(completions);
}

void Queue::OnWaitExpired(uint64_t waiter_id) {
  ReceiveDone done;
  {
    std::lock_guard lock(mu_);
    auto it = waiter_index_.find(waiter_id);
    if (it == waiter_index_.end()) return;  // already served
    done = std::move(it->second->done);
    waiters_.erase(it->second);
    waiter_index_.erase(it);
  }
  done(std::vector<ReceivedMessage>{});
}

std::optional<ReceiptHandle> Queue::ParseHandle(std::string_view text) const {
  auto handle = DecodeReceiptHandle(text);
  if (!handle || handle->queue_id != identity_.id) return std::nullopt;
  return handle;
}

void Queue::Delete(std::string_view receipt_handle, Done done) {
  auto handle = ParseHandle(receipt_handle);
  if (!handle) {
    done(InvalidHandle(receipt_handle));
    return;
  }
  std::vector<Record> records;
  uint64_t ticket;
  {
    std::lock_guard lock(mu_);
    Advance(deps_.clock->Now(), records);
    auto it = messages_.find(handle->seq);
    if (it != messages_.end()) {
      StoredMessage& m = it->second;
      if (handle->receive_count > m.receive_count ||
          (handle->receive_count == m.receive_count && handle->nonce != m.receipt_nonce)) {
        Append(records);
        done(InvalidHandle(receipt_handle));
        return;
      }
      // Standard queues: a handle from an earlier receive, or one whose visibility timeout
      // has run out, still deletes (sqs-api.md §2.10).
      AddDeleteRecord(records, m);
      Remove(m);
    }
    // A message already gone (deleted, purged, expired) deletes successfully again, once the
    // change that removed it is durable.
    ticket = Append(records);
  }
  AnswerWhenDurable(ticket, std::move(done));
}

void Queue::ChangeVisibility(std::string_view receipt_handle, int64_t timeout_seconds, Done done) {
  auto handle = ParseHandle(receipt_handle);
  if (!handle) {
    done(InvalidHandle(receipt_handle));
    return;
  }
  std::vector<Record> records;
  Completions completions;
  uint64_t ticket;
  {
    std::lock_guard lock(mu_);
    const MonoTime now = deps_.clock->Now();
    Advance(now, records);
    auto it = messages_.find(handle->seq);
    std::optional<api::ApiError> error;
    if (it == messages_.end()) {
      error = api::Error(ErrorCode::kInvalidParameterValue,
                         "Value " + std::string(receipt_handle) +
                             " for parameter ReceiptHandle is invalid. Reason: Message does not "
                             "exist or is not available for visibility timeout change.");
    } else {
      StoredMessage& m = it->second;
      if (handle->receive_count > m.receive_count ||
          (handle->receive_count == m.receive_count && handle->nonce != m.receipt_nonce)) {
        error = InvalidHandle(receipt_handle);
      } else if (handle->receive_count < m.receive_count) {
        error = api::Error(ErrorCode::kInvalidParameterValue,
                           "Value " + std::string(receipt_handle) +
                               " for parameter ReceiptHandle is invalid. Reason: The receipt "
                               "handle has expired.");
      } else if (m.state == MessageState::kInFlight) {
        const Duration total = (now - m.received_at) + Seconds(timeout_seconds);
        if (total > Seconds(deps_.limits->max_visibility_timeout)) {
          error = api::Error(ErrorCode::kInvalidParameterValue,
                             "Value " + std::to_string(timeout_seconds) +
                                 " for parameter VisibilityTimeout is invalid. Reason: Total "
                                 "VisibilityTimeout for the message is beyond the limit [43200 "
                                 "seconds].");
        } else {
          m.visible_at = now + Seconds(timeout_seconds);
          timers_.Fix(&m);
          if (timeout_seconds == 0) {
            MakeVisible(m);
            ServeWaiters(now, completions);
          }
          AddStateRecord(records, m);
          ArmWakeTimer();
        }
      }
      // Not in flight (its timeout already ran out and nobody received it since): AWS answers
      // success and the message stays visible (sqs-api.md §2.12).
    }
    ticket = Append(records);
    if (error) {
      done(std::move(*error));
      return;
    }
  }
  RunAll(completions);
  AnswerWhenDurable(ticket, std::move(done));
}

}  // namespace wharf::sqs
