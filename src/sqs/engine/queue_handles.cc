// What happens to a received message by its receipt handle: deleted, its visibility changed
// (sqs-api.md §2.10–2.12), or given back undelivered when its body could not be decrypted for
// the receiver (SSE-KMS, security.md §4.3).

#include "sqs/engine/answer_later.h"
#include "sqs/engine/queue.h"
#include "sqs/engine/storage_errors.h"

namespace wharf::sqs {
namespace {

using api::ErrorCode;
using storage::Record;

api::ApiError InvalidHandle(std::string_view handle) {
  return api::Error(
      ErrorCode::kReceiptHandleIsInvalid,
      "The input receipt handle \"" + std::string(handle) + "\" is not a valid receipt handle.");
}

}  // namespace

std::optional<ReceiptHandle> Queue::ParseHandle(std::string_view text) const {
  auto handle = DecodeReceiptHandle(text);
  if (!handle || handle->queue_id != identity_.id) return std::nullopt;
  return handle;
}

StoredMessage* Queue::HandledMessage(const ReceiptHandle& handle) {
  auto it = messages_.find(handle.seq);
  if (it == messages_.end()) return nullptr;
  // Another message now holds this seq: the handle's message is gone.
  if (MessageCheckOf(it->second.content->message_id) != handle.message_check) return nullptr;
  return &it->second;
}

void Queue::Delete(std::string_view receipt_handle, Done done) {
  AnswerLater later;
  auto handle = ParseHandle(receipt_handle);
  if (!handle) {
    done(InvalidHandle(receipt_handle));
    return;
  }
  if (auto refused = RefusedByStore(*deps_.store)) {
    done(std::move(*refused));
    return;
  }
  std::vector<Record> records;
  Completions completions;
  uint64_t ticket;
  {
    std::lock_guard lock(mu_);
    Advance(deps_.clock->Now(), records);
    if (StoredMessage* found = HandledMessage(*handle)) {
      StoredMessage& m = *found;
      if (handle->receive_count > m.receive_count ||
          (handle->receive_count == m.receive_count && handle->nonce != m.receipt_nonce)) {
        Append(records);
        later.Fail(done, InvalidHandle(receipt_handle));
        return;
      }
      // FIFO queues refuse a handle whose receive is over (visibility ran out, or received
      // again): the group may already be in someone else's hands (§2.10).
      if (identity_.fifo &&
          (handle->receive_count < m.receive_count || m.state != MessageState::kInFlight)) {
        Append(records);
        later.Fail(
            done,
            api::Error(ErrorCode::kInvalidParameterValue,
                       "Value " + std::string(receipt_handle) +
                           " for parameter ReceiptHandle is invalid. Reason: The receipt handle "
                           "has expired."));
        return;
      }
      // Standard queues: a handle from an earlier receive, or one whose visibility timeout
      // has run out, still deletes (sqs-api.md §2.10).
      AddDeleteRecord(records, m);
      Remove(m);
      // Deleting a FIFO group's head unblocks the group: parked receivers may now get it.
      if (identity_.fifo) ServeWaiters(deps_.clock->Now(), completions);
    }
    // A message already gone (deleted, purged, expired) deletes successfully again, once the
    // change that removed it is durable.
    metrics_.deleted.fetch_add(1, std::memory_order_relaxed);
    ticket = Append(records);
  }
  RunAll(completions);
  AnswerWhenDurable(ticket, std::move(done));
}

void Queue::ChangeVisibility(std::string_view receipt_handle, int64_t timeout_seconds, Done done) {
  AnswerLater later;
  auto handle = ParseHandle(receipt_handle);
  if (!handle) {
    done(InvalidHandle(receipt_handle));
    return;
  }
  // Refused before the message is touched: a standard queue answers a visibility change without
  // waiting for its record, so a change kept only in memory would be acknowledged and lost.
  if (auto refused = RefusedByStore(*deps_.store)) {
    done(std::move(*refused));
    return;
  }
  std::vector<Record> records;
  Completions completions;
  uint64_t ticket;
  {
    std::lock_guard lock(mu_);
    const MonoTime now = deps_.clock->Now();
    Advance(now, records);
    StoredMessage* found = HandledMessage(*handle);
    std::optional<api::ApiError> error;
    if (found == nullptr) {
      error = api::Error(ErrorCode::kInvalidParameterValue,
                         "Value " + std::string(receipt_handle) +
                             " for parameter ReceiptHandle is invalid. Reason: Message does not "
                             "exist or is not available for visibility timeout change.");
    } else {
      StoredMessage& m = *found;
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
      later.Fail(done, std::move(*error));
      return;
    }
  }
  RunAll(completions);
  if (!identity_.fifo) {
    // Like receives, a standard queue's visibility change need not wait for its sync
    // (storage.md §6.3): losing it in a crash only makes the message visible earlier.
    done({});
    return;
  }
  AnswerWhenDurable(ticket, std::move(done));
}

void Queue::ReturnUndelivered(const std::vector<ReceivedMessage>& messages) {
  std::vector<Record> records;
  Completions completions;
  {
    std::lock_guard lock(mu_);
    if (closed_) return;
    const MonoTime now = deps_.clock->Now();
    for (const ReceivedMessage& received : messages) {
      auto handle = ParseHandle(received.receipt_handle);
      if (!handle) continue;
      auto it = messages_.find(handle->seq);
      if (it == messages_.end()) continue;
      StoredMessage& m = it->second;
      // Only the receive that took it: not deleted, received again or released since.
      if (m.state != MessageState::kInFlight || m.move_token != 0 ||
          m.receive_count != handle->receive_count || m.receipt_nonce != handle->nonce ||
          m.receive_count == 0) {
        continue;
      }
      --m.receive_count;
      if (m.receive_count == 0) m.first_receive_millis = 0;
      MakeVisible(m);
      AddStateRecord(records, m);
    }
    Append(records);
    ServeWaiters(now, completions);
    ArmWakeTimer();
  }
  RunAll(completions);
}

}  // namespace wharf::sqs
