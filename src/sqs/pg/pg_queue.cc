#include "sqs/pg/pg_queue.h"

#include <algorithm>
#include <iterator>
#include <limits>
#include <utility>

#include "common/log.h"
#include "sqs/engine/records.h"

namespace wharf::sqs::pg {
namespace {

using api::ErrorCode;
using storage::pg::VisibilityChange;

api::ApiError InvalidHandle(std::string_view handle) {
  return api::Error(
      ErrorCode::kReceiptHandleIsInvalid,
      "The input receipt handle \"" + std::string(handle) + "\" is not a valid receipt handle.");
}

std::optional<int> SecondsOrQueueDefault(const std::optional<int64_t>& seconds) {
  if (!seconds) return std::nullopt;
  return static_cast<int>(*seconds);
}

}  // namespace

PgQueue::PgQueue(QueueIdentity identity, QueueConfig config, api::StringPairs tags,
                 PgBackend backend, std::shared_ptr<QueueMetrics> metrics)
    : identity_(std::move(identity)),
      config_(std::move(config)),
      tags_(std::move(tags)),
      backend_(std::move(backend)),
      metrics_owner_(metrics != nullptr ? std::move(metrics) : std::make_shared<QueueMetrics>()),
      metrics_(*metrics_owner_) {}

QueueCounters PgQueue::Counters() {
  QueueCounters counters;
  auto counts = backend_.ops.Counts(queue_id());
  if (!counts.ok()) {
    log::Line(log::Level::kWarn, "pg_queue_counts_failed")
        .Int("queue_id", queue_id())
        .Str("detail", counts.error().detail);
    return counters;
  }
  counters.visible = counts->visible;
  counters.in_flight = counts->not_visible;
  counters.delayed = counts->delayed;
  return counters;
}

void PgQueue::CountReceive(size_t messages) {
  if (messages == 0) {
    metrics_.empty_receives.fetch_add(1, std::memory_order_relaxed);
  } else {
    metrics_.received.fetch_add(messages, std::memory_order_relaxed);
  }
}

std::optional<storage::pg::Receipt> PgQueue::ReceiptOf(std::string_view handle) const {
  auto decoded = backend_.receipts.Decode(handle);
  if (!decoded || decoded->queue_id != identity_.id) return std::nullopt;
  return decoded->receipt;
}

void PgQueue::OnWorker(std::function<void(PgQueue&)> job) {
  backend_.workers.Post([self = shared_from_this(), job = std::move(job)] { job(*self); });
}

void PgQueue::Send(std::vector<NewMessage> messages, SendDone done) {
  if (identity_.fifo) return SendToFifo(std::move(messages), std::move(done));
  // Encoded here, on the caller's thread: the worker only waits on the database.
  std::vector<storage::pg::NewMessage> rows;
  std::vector<int64_t> sizes;
  rows.reserve(messages.size());
  sizes.reserve(messages.size());
  for (const NewMessage& m : messages) {
    rows.push_back(storage::pg::NewMessage{
        m.content->message_id, m.content->body, EncodeMessageMetadata(*m.content),
        SecondsOrQueueDefault(m.delay_seconds), static_cast<int64_t>(m.content->data_key_id)});
    sizes.push_back(m.size > 0 ? m.size : static_cast<int64_t>(m.content->body.size()));
  }
  OnWorker([rows = std::move(rows), sizes = std::move(sizes), keys = DataKeysOf(messages),
            done = std::move(done)](PgQueue& self) {
    if (auto stored = self.StoreDataKeys(keys); !stored.ok())
      return done(std::move(stored).error());
    std::vector<SendResult> results;
    results.reserve(rows.size());
    // One statement (one transaction) per kMaxBatchEntries: a SendMessageBatch is all-or-nothing.
    for (size_t first = 0; first < rows.size(); first += storage::pg::kMaxBatchEntries) {
      const size_t count = std::min(storage::pg::kMaxBatchEntries, rows.size() - first);
      auto sent = self.backend_.ops.SendBatch(
          self.queue_id(), std::span<const storage::pg::NewMessage>(rows).subspan(first, count));
      if (!sent.ok()) return done(FromPgError("send", sent.error()));
      for (storage::pg::SentMessage& m : *sent) {
        results.push_back(SendResult{std::move(m.message_id), std::nullopt, false});
      }
    }
    for (int64_t size : sizes) {
      self.metrics_.sent.fetch_add(1, std::memory_order_relaxed);
      self.metrics_.sent_size.Observe(static_cast<uint64_t>(size));
    }
    // Committed: waiters here and on other nodes may now receive them.
    self.MessagesMayBeReceivable();
    done(std::move(results));
  });
}

ReceivedMessage PgQueue::FromRow(storage::pg::ReceivedMessage& row) const {
  ReceivedMessage out;
  auto content = DecodeMessageMetadata(row.attrs);
  if (!content) return out;  // content stays null: the caller skips it
  content->body = std::move(row.body);
  // The database's clock, like every other time of this backend.
  content->sent_millis = row.sent_at_ms;
  out.content = std::make_shared<const MessageContent>(std::move(*content));
  out.seq = static_cast<uint64_t>(row.receipt.seq);
  out.receipt_handle = backend_.receipts.Encode(identity_.id, row.receipt);
  out.receive_count = static_cast<uint32_t>(row.receive_count);
  out.first_receive_millis = row.first_receive_ms;
  if (row.dead_letter_source) {
    out.dead_letter_source_arn =
        std::make_shared<const std::string>(std::move(*row.dead_letter_source));
  }
  return out;
}

api::ApiResult<std::vector<ReceivedMessage>> PgQueue::ReceiveNow(
    int max, std::optional<int> visibility, const std::optional<std::string>& attempt_id) {
  // Over-received messages move to the dead-letter queue with this queue's ARN as their
  // DeadLetterQueueSourceArn.
  auto got = identity_.fifo ? backend_.ops.ReceiveFifo(
                                  queue_id(), max, visibility, attempt_id, identity_.arn,
                                  static_cast<int>(backend_.limits.max_visibility_timeout))
                            : backend_.ops.Receive(queue_id(), max, visibility, identity_.arn);
  if (!got.ok()) return FromPgError("receive", got.error());
  std::vector<ReceivedMessage> out;
  out.reserve(got->messages.size());
  for (storage::pg::ReceivedMessage& row : got->messages) {
    ReceivedMessage m = FromRow(row);
    if (m.content == nullptr) {
      // Written by something other than this code: it stays in flight and comes back after its
      // visibility timeout (then retention removes it); the rest are delivered.
      log::Line(log::Level::kError, "pg_message_unreadable")
          .Int("queue_id", queue_id())
          .Int("seq", row.receipt.seq);
      continue;
    }
    out.push_back(std::move(m));
  }
  std::vector<ReceivedMessage*> sealed;
  for (ReceivedMessage& m : out) {
    if (m.content->data_key_id != 0) sealed.push_back(&m);
  }
  // Queues without SSE-KMS: nothing to attach, no allocation on the receive path.
  if (!sealed.empty()) AttachDataKeys(sealed);
  return out;
}

std::vector<std::shared_ptr<const DataKeyRecord>> PgQueue::DataKeysOf(
    const std::vector<NewMessage>& messages) {
  std::vector<std::shared_ptr<const DataKeyRecord>> keys;
  for (const NewMessage& m : messages) {
    if (m.data_key == nullptr) continue;
    const bool known = std::any_of(keys.begin(), keys.end(),
                                   [&](const auto& key) { return key->id == m.data_key->id; });
    if (!known) keys.push_back(m.data_key);
  }
  return keys;
}

api::ApiStatus PgQueue::StoreDataKeys(
    const std::vector<std::shared_ptr<const DataKeyRecord>>& keys) {
  for (const auto& key : keys) {
    // Generated for this queue (MessageEncryption::SealForSend): its ARN is the key's context.
    auto stored = backend_.data_keys->EnsureStored(backend_.ops, *key, identity_.arn);
    if (!stored.ok()) return FromPgError("store data key", stored.error());
  }
  return {};
}

void PgQueue::AttachDataKeys(const std::vector<ReceivedMessage*>& messages) const {
  std::vector<uint64_t> ids;
  for (const ReceivedMessage* m : messages) {
    if (m->content->data_key_id != 0) ids.push_back(m->content->data_key_id);
  }
  if (ids.empty()) return;
  auto records = backend_.data_keys->Find(backend_.ops, ids);
  if (!records.ok()) {
    // The messages go out without their records: MessageEncryption::OpenReceived then fails
    // the receive and the handler gives them back (ReturnUndelivered).
    log::Line(log::Level::kWarn, "pg_data_keys_unreadable")
        .Int("queue_id", queue_id())
        .Str("detail", records.error().detail);
    return;
  }
  for (ReceivedMessage* m : messages) {
    auto it = records->find(m->content->data_key_id);
    if (it != records->end()) m->data_key = it->second;
  }
}

void PgQueue::Receive(const ReceiveOptions& options, ReceiveDone done) {
  const int max = static_cast<int>(std::clamp<int64_t>(options.max_messages, 1, 10));
  const std::optional<int> visibility = SecondsOrQueueDefault(options.visibility_timeout);
  const int64_t wait = options.wait_seconds.value_or(config_.receive_message_wait_time_seconds);
  if (wait <= 0) {
    OnWorker([max, visibility, attempt_id = options.attempt_id, done = std::move(done)](
                 PgQueue& self) { done(self.ReceiveNow(max, visibility, attempt_id)); });
    return;
  }
  // Long polling: runs now, and again on each wake-up and re-check until it answers.
  LongPollHub::Receive receive;
  receive.queue_id = queue_id();
  // Standard receives with the same visibility timeout are interchangeable, so parked ones share
  // a fetch (LongPollHub). FIFO receives never share: one takes a group for one consumer.
  if (!identity_.fifo) {
    receive.share_key = "v";
    if (visibility) receive.share_key.append(std::to_string(*visibility));
  }
  receive.want = max;
  receive.deadline = backend_.clock.Now() + Seconds(wait);
  // A FIFO attempt that found nothing leaves no claim on its ReceiveRequestAttemptId
  // (ReceiveFifo), so each retry of the wait may pass it again.
  receive.fetch = [self = shared_from_this(), visibility, attempt_id = options.attempt_id](int n) {
    return self->ReceiveNow(n, visibility, attempt_id);
  };
  receive.answer = std::move(done);
  backend_.long_polls.Start(std::move(receive));
}

void PgQueue::MessagesMayBeReceivable() {
  backend_.long_polls.Wake(queue_id());
  if (backend_.wake_notifier != nullptr) backend_.wake_notifier->Note(queue_id());
}

void PgQueue::Delete(std::string_view receipt_handle, Done done) {
  auto receipt = ReceiptOf(receipt_handle);
  if (!receipt) return done(InvalidHandle(receipt_handle));
  if (identity_.fifo) {
    return DeleteFromFifo(*receipt, std::string(receipt_handle), std::move(done));
  }
  // Deletes are grouped: one statement and one commit for up to 10 (a DeleteMessageBatch's
  // entries arrive here one after another). One commit each made the workers wait on WAL syncs:
  // receive-delete ran at ~900 msg/s with the 8 workers all in single-row DELETEs.
  bool post_flusher = false;
  {
    std::lock_guard lock(deletes_mu_);
    pending_deletes_.push_back(PendingDelete{*receipt, std::move(done)});
    if (delete_flushers_ < kMaxDeleteFlushers) {
      ++delete_flushers_;
      post_flusher = true;
    }
  }
  if (post_flusher) OnWorker([](PgQueue& self) { self.FlushDeletes(); });
}

void PgQueue::FlushDeletes() {
  for (;;) {
    std::vector<PendingDelete> batch;
    {
      std::lock_guard lock(deletes_mu_);
      if (pending_deletes_.empty()) {
        --delete_flushers_;
        return;
      }
      const size_t take = std::min(pending_deletes_.size(), storage::pg::kMaxBatchEntries);
      batch.assign(std::make_move_iterator(pending_deletes_.begin()),
                   std::make_move_iterator(pending_deletes_.begin() + static_cast<long>(take)));
      pending_deletes_.erase(pending_deletes_.begin(),
                             pending_deletes_.begin() + static_cast<long>(take));
    }
    std::vector<storage::pg::Receipt> receipts;
    receipts.reserve(batch.size());
    for (const PendingDelete& d : batch) receipts.push_back(d.receipt);
    auto deleted = backend_.ops.DeleteBatch(queue_id(), receipts);
    for (PendingDelete& d : batch) {
      if (!deleted.ok()) {
        d.done(FromPgError("delete", deleted.error()));
        continue;
      }
      // Not deleted (`false`): already gone, or received again since; both succeed (§2.10).
      metrics_.deleted.fetch_add(1, std::memory_order_relaxed);
      d.done(api::ApiStatus::Ok());
    }
  }
}

void PgQueue::ChangeVisibility(std::string_view receipt_handle, int64_t timeout_seconds,
                               Done done) {
  auto receipt = ReceiptOf(receipt_handle);
  if (!receipt) return done(InvalidHandle(receipt_handle));
  if (identity_.fifo) {
    return ChangeFifoVisibility(*receipt, std::string(receipt_handle),
                                static_cast<int>(timeout_seconds), std::move(done));
  }
  OnWorker([receipt = *receipt, timeout = static_cast<int>(timeout_seconds),
            handle = std::string(receipt_handle), done = std::move(done)](PgQueue& self) {
    auto changed = self.backend_.ops.ChangeVisibility(
        self.queue_id(), receipt, timeout,
        static_cast<int>(self.backend_.limits.max_visibility_timeout));
    if (!changed.ok()) return done(FromPgError("change_visibility", changed.error()));
    if (*changed == VisibilityChange::kBeyondCap) return done(BeyondVisibilityCap(timeout));
    if (*changed == VisibilityChange::kNotInFlight) {
      // Why (one more read, on this uncommon path only), answered as the engine does
      // (queue_handles.cc, sqs-api.md §2.12).
      auto current = self.backend_.ops.CurrentReceipt(self.queue_id(), receipt.seq);
      if (!current.ok()) return done(FromPgError("change_visibility", current.error()));
      if (!current->has_value()) {
        return done(api::Error(ErrorCode::kInvalidParameterValue,
                               "Value " + handle +
                                   " for parameter ReceiptHandle is invalid. Reason: Message does "
                                   "not exist or is not available for visibility timeout change."));
      }
      if (**current != receipt.token) {
        return done(api::Error(ErrorCode::kInvalidParameterValue,
                               "Value " + handle +
                                   " for parameter ReceiptHandle is invalid. Reason: The receipt "
                                   "handle has expired."));
      }
      // Its timeout ran out and nobody received it since: AWS answers success and the message
      // stays visible.
      return done(api::ApiStatus::Ok());
    }
    if (timeout == 0) self.MessagesMayBeReceivable();  // visible again now
    done(api::ApiStatus::Ok());
  });
}

void PgQueue::Purge(Done done) {
  OnWorker([done = std::move(done)](PgQueue& self) {
    const std::chrono::seconds interval(self.backend_.limits.purge_interval_seconds);
    auto claimed = self.backend_.ops.ClaimPurge(self.queue_id(), interval);
    if (!claimed.ok()) return done(FromPgError("purge", claimed.error()));
    if (!*claimed) {
      // As the engine answers (queue.cc), on whichever node the earlier purge ran.
      return done(api::Error(ErrorCode::kPurgeQueueInProgress,
                             "Only one PurgeQueue operation on " + self.identity_.name +
                                 " is allowed every " + std::to_string(interval.count()) +
                                 " seconds."));
    }
    auto purged = self.backend_.ops.Purge(self.queue_id());
    if (!purged.ok()) return done(FromPgError("purge", purged.error()));
    done(api::ApiStatus::Ok());
  });
}

void PgQueue::ReturnUndelivered(const std::vector<ReceivedMessage>& messages) {
  std::vector<storage::pg::Receipt> receipts;
  for (const ReceivedMessage& m : messages) {
    if (auto receipt = ReceiptOf(m.receipt_handle)) receipts.push_back(*receipt);
  }
  if (receipts.empty()) return;
  auto give_back = [receipts = std::move(receipts)](PgQueue& self) {
    auto returned = self.backend_.ops.ReturnUndelivered(self.queue_id(), receipts);
    if (!returned.ok()) {
      // They come back when their visibility timeout ends, one receive count higher.
      log::Line(log::Level::kWarn, "pg_return_undelivered_failed")
          .Int("queue_id", self.queue_id())
          .Str("detail", returned.error().detail);
      return;
    }
    if (*returned > 0) self.MessagesMayBeReceivable();
  };
  // The handler calls this from the receive's answer, which runs on a worker: given back before
  // the failed receive is answered, so the client's next call sees them. Elsewhere (an I/O
  // thread must not block) on a worker.
  if (backend_.workers.OnThisPool()) return give_back(*this);
  OnWorker(std::move(give_back));
}
void PgQueue::Peek(int64_t max, PeekDone done) {
  OnWorker([max, done = std::move(done)](PgQueue& self) {
    auto rows = self.backend_.ops.Peek(
        self.queue_id(), static_cast<int>(std::min<int64_t>(max, std::numeric_limits<int>::max())));
    if (!rows.ok()) return done(FromPgError("peek", rows.error()));
    std::vector<PeekedMessage> out;
    out.reserve(rows->size());
    for (storage::pg::PeekedRow& row : *rows) {
      PeekedMessage peeked;
      peeked.message = self.FromRow(row.message);
      if (peeked.message.content == nullptr) continue;  // unreadable (logged by receives)
      peeked.message.receipt_handle.clear();  // a peek hands out no power over the message
      switch (row.state) {
        case storage::pg::PeekedRow::State::kVisible:
          peeked.state = MessageState::kVisible;
          break;
        case storage::pg::PeekedRow::State::kDelayed:
          peeked.state = MessageState::kDelayed;
          peeked.visible_at_millis = row.visible_at_ms;
          break;
        case storage::pg::PeekedRow::State::kInFlight:
          peeked.state = MessageState::kInFlight;
          peeked.visible_at_millis = row.visible_at_ms;
          break;
      }
      out.push_back(std::move(peeked));
    }
    // The peek handler opens sealed bodies as a receive does.
    std::vector<ReceivedMessage*> messages;
    for (PeekedMessage& peeked : out) messages.push_back(&peeked.message);
    self.AttachDataKeys(messages);
    done(std::move(out));
  });
}

void PgQueue::MoveOut(int64_t max, const std::shared_ptr<QueueBackend>& fixed_destination,
                      MoveDone done) {
  std::optional<int64_t> destination;
  if (fixed_destination) destination = static_cast<int64_t>(fixed_destination->identity().id);
  OnWorker([max, destination, done = std::move(done)](PgQueue& self) {
    auto outcome = self.backend_.ops.MoveOut(
        self.queue_id(), self.identity_.fifo,
        static_cast<int>(std::clamp<int64_t>(max, 0, std::numeric_limits<int>::max())),
        destination);
    if (!outcome.ok()) return done(FromPgError("move messages", outcome.error()));
    // Committed: waiters on the destinations, here and on other nodes, may receive them.
    for (int64_t queue_id : outcome->destinations) {
      self.backend_.long_polls.Wake(queue_id);
      if (self.backend_.wake_notifier != nullptr) self.backend_.wake_notifier->Note(queue_id);
    }
    // As the embedded engine answers (MoveTally): an error only when nothing could move.
    if (outcome->moved == 0 && outcome->stuck > 0) {
      return done(api::Error(ErrorCode::kQueueDoesNotExist));
    }
    done(outcome->moved);
  });
}

}  // namespace wharf::sqs::pg
