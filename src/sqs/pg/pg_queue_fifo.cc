// PgQueue's FIFO message operations (sqs-api.md §5.12–5.14): send with deduplication, delete
// and visibility changes by a receipt that holds its group. Receive is PgQueue::ReceiveNow's
// (it calls ReceiveFifo on FIFO queues, long polling included). The public operations in
// pg_queue.cc dispatch here after their checks common to both queue types.

#include <algorithm>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "sqs/engine/records.h"
#include "sqs/pg/pg_queue.h"

namespace wharf::sqs::pg {
namespace {

using api::ErrorCode;
using storage::pg::FifoReceiptState;
using storage::pg::VisibilityChange;

// The dedup table's key. Storage deduplicates on (queue, dedup_id) only, so with
// DeduplicationScope=messageGroup the group goes into the key here. The engine's DedupKey joins
// the two with a NUL, which a PostgreSQL text value cannot hold; the group's length in front
// keeps the pair unambiguous without relying on which characters the ids may contain. The
// scope is fixed for the queue's life (identity.dedup_by_group), so the two key forms never
// meet in one queue.
std::string DedupKeyOf(bool by_group, const std::string& group_id, const std::string& dedup_id) {
  if (!by_group) return dedup_id;
  return std::to_string(group_id.size()) + ":" + group_id + dedup_id;
}

api::ApiError Expired(const std::string& handle) {
  return api::Error(ErrorCode::kInvalidParameterValue,
                    "Value " + handle +
                        " for parameter ReceiptHandle is invalid. Reason: The receipt handle has "
                        "expired.");
}

// A duplicate answers the original's MessageId and SequenceNumber, as the engine does. Its
// dedup row may predate schema migration 3 (no seq kept): then no SequenceNumber, rather than
// a made-up one.
SendResult ResultOf(storage::pg::SentFifoMessage& sent) {
  const std::optional<int64_t> seq = sent.duplicate ? sent.original_seq : sent.seq;
  std::optional<std::string> number;
  if (seq) number = SequenceNumberOf(static_cast<uint64_t>(*seq));
  return SendResult{std::move(sent.message_id), std::move(number), sent.duplicate};
}

}  // namespace

void PgQueue::SendToFifo(std::vector<NewMessage> messages, SendDone done) {
  // Encoded here, on the caller's thread: the worker only waits on the database.
  std::vector<storage::pg::NewFifoMessage> rows;
  std::vector<int64_t> sizes;
  rows.reserve(messages.size());
  sizes.reserve(messages.size());
  for (const NewMessage& m : messages) {
    const MessageContent& c = *m.content;
    // The handler validated the send: a FIFO message has a group and a deduplication id (the
    // body's SHA-256 under ContentBasedDeduplication, message_validation.cc), and no delay of
    // its own (FIFO queues delay by the queue's DelaySeconds only, which send_fifo applies).
    const std::string group = c.group_id.value_or("");
    rows.push_back(storage::pg::NewFifoMessage{
        c.message_id, group,
        DedupKeyOf(identity_.dedup_by_group, group, c.deduplication_id.value_or("")), c.body,
        EncodeMessageMetadata(c), static_cast<int64_t>(c.data_key_id)});
    sizes.push_back(m.size > 0 ? m.size : static_cast<int64_t>(c.body.size()));
  }
  // In call order per group (FifoSendOrder): the worker pool alone could commit a later send
  // of a group before an earlier one.
  std::vector<std::string> groups;
  for (const storage::pg::NewFifoMessage& row : rows) {
    if (std::find(groups.begin(), groups.end(), row.group_id) == groups.end()) {
      groups.push_back(row.group_id);
    }
  }
  backend_.fifo_send_order->Submit(
      queue_id(), groups,
      [self = shared_from_this(), groups, rows = std::move(rows), sizes = std::move(sizes),
       keys = DataKeysOf(messages), done = std::move(done)]() mutable {
        self->OnWorker([groups = std::move(groups), rows = std::move(rows),
                        sizes = std::move(sizes), keys = std::move(keys),
                        done = std::move(done)](PgQueue& self) {
          // The data keys' records first, so no message is stored without its key.
          api::ApiStatus stored = self.StoreDataKeys(keys);
          api::ApiResult<std::vector<SendResult>> results =
              stored.ok() ? self.SendFifoRows(rows, sizes)
                          : api::ApiResult<std::vector<SendResult>>(stored.error());
          self.backend_.fifo_send_order->Finished(self.queue_id(), groups);
          done(std::move(results));
        });
      });
}

api::ApiResult<std::vector<SendResult>> PgQueue::SendFifoRows(
    const std::vector<storage::pg::NewFifoMessage>& rows, const std::vector<int64_t>& sizes) {
  std::vector<SendResult> results;
  results.reserve(rows.size());
  size_t stored = 0;
  // One transaction per kMaxBatchEntries, as on standard queues; within it an entry repeating
  // an earlier entry's deduplication id is a duplicate of that entry.
  for (size_t first = 0; first < rows.size(); first += storage::pg::kMaxBatchEntries) {
    const size_t count = std::min(storage::pg::kMaxBatchEntries, rows.size() - first);
    std::vector<storage::pg::SentFifoMessage> sent;
    if (count == 1) {
      auto one = backend_.ops.SendFifo(queue_id(), rows[first]);
      if (!one.ok()) return FromPgError("send", one.error());
      sent.push_back(std::move(*one));
    } else {
      auto many = backend_.ops.SendFifoBatch(
          queue_id(), std::span<const storage::pg::NewFifoMessage>(rows).subspan(first, count));
      if (!many.ok()) return FromPgError("send", many.error());
      sent = std::move(*many);
    }
    for (size_t i = 0; i < sent.size(); ++i) {
      // NumberOfMessagesSent counts what was stored: not duplicates.
      if (!sent[i].duplicate) {
        ++stored;
        metrics_.sent.fetch_add(1, std::memory_order_relaxed);
        metrics_.sent_size.Observe(static_cast<uint64_t>(sizes[first + i]));
      }
      results.push_back(ResultOf(sent[i]));
    }
  }
  // Committed: waiters here and on other nodes may now receive them.
  if (stored > 0) MessagesMayBeReceivable();
  return results;
}

// AWS refuses a FIFO delete whose receive is over (§2.10): once the visibility timeout ran out
// the message may be in another receiver's hands, so deleting would break its group's order.
// DeleteFifo alone deletes by the message's latest receipt whether or not the message is still
// in flight under it, so the receipt's state is read first (one more round trip). A message already
// gone deletes successfully again, as in the engine.
void PgQueue::DeleteFromFifo(storage::pg::Receipt receipt, std::string handle, Done done) {
  OnWorker([receipt, handle = std::move(handle), done = std::move(done)](PgQueue& self) {
    auto answer_by_state = [&](FifoReceiptState state) {
      if (state == FifoReceiptState::kLapsed || state == FifoReceiptState::kReplaced) {
        return done(Expired(handle));
      }
      self.metrics_.deleted.fetch_add(1, std::memory_order_relaxed);
      done(api::ApiStatus::Ok());
    };
    auto state = self.backend_.ops.FifoReceiptStateOf(self.queue_id(), receipt);
    if (!state.ok()) return done(FromPgError("delete", state.error()));
    if (*state != FifoReceiptState::kHeld) return answer_by_state(*state);
    auto deleted = self.backend_.ops.DeleteFifo(self.queue_id(), receipt);
    if (!deleted.ok()) return done(FromPgError("delete", deleted.error()));
    if (!*deleted) {
      // Deleted or received again between the two statements: answer for what happened.
      auto now = self.backend_.ops.FifoReceiptStateOf(self.queue_id(), receipt);
      if (!now.ok()) return done(FromPgError("delete", now.error()));
      return answer_by_state(*now);
    }
    // The group's next message may be receivable now (this was its head).
    self.MessagesMayBeReceivable();
    self.metrics_.deleted.fetch_add(1, std::memory_order_relaxed);
    done(api::ApiStatus::Ok());
  });
}

// FIFO visibility is per message, as in the engine (§5.14; ChangeVisibilityFifo changes this
// one message, and its group's next receive sees it); a change past the 12-hour cap (from the
// receive of the receipt's message) is the engine's InvalidParameterValue. When the message is
// not in flight under this receipt, the receipt's state picks the engine's answer: a gone
// message is "does not exist", a message received again since is "expired", and one whose
// receive merely ran out succeeds with nothing changed (it is visible already, §2.12).
void PgQueue::ChangeFifoVisibility(storage::pg::Receipt receipt, std::string handle,
                                   int timeout_seconds, Done done) {
  OnWorker([receipt, handle = std::move(handle), timeout_seconds,
            done = std::move(done)](PgQueue& self) {
    auto changed = self.backend_.ops.ChangeVisibilityFifo(
        self.queue_id(), receipt, timeout_seconds,
        static_cast<int>(self.backend_.limits.max_visibility_timeout));
    if (!changed.ok()) return done(FromPgError("change_visibility", changed.error()));
    if (*changed == VisibilityChange::kBeyondCap) return done(BeyondVisibilityCap(timeout_seconds));
    if (*changed == VisibilityChange::kChanged) {
      // Visible now: the group may be receivable (when this is its head).
      if (timeout_seconds == 0) self.MessagesMayBeReceivable();
      return done(api::ApiStatus::Ok());
    }
    auto state = self.backend_.ops.FifoReceiptStateOf(self.queue_id(), receipt);
    if (!state.ok()) return done(FromPgError("change_visibility", state.error()));
    switch (*state) {
      case FifoReceiptState::kGone:
        return done(api::Error(ErrorCode::kInvalidParameterValue,
                               "Value " + handle +
                                   " for parameter ReceiptHandle is invalid. Reason: Message does "
                                   "not exist or is not available for visibility timeout change."));
      case FifoReceiptState::kReplaced:
        return done(Expired(handle));
      case FifoReceiptState::kLapsed:
      case FifoReceiptState::kHeld:  // taken again by this receipt's replay meanwhile
        return done(api::ApiStatus::Ok());
    }
    done(api::ApiStatus::Ok());
  });
}

}  // namespace wharf::sqs::pg
