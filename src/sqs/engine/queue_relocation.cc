// Moving messages between queues: to a dead-letter queue when a receive finds a message received
// maxReceiveCount times (§5.10), and out of a dead-letter queue by a move task (§5.11).
//
// A move is one atomic group of records — the message record in the destination (written from
// memory, or copied by the store when the body is only on disk), its state there, and the
// delete in the source — appended under the source's lock. The destination's seq is reserved
// atomically, so the source never takes the destination's lock. The destination places the
// message only once the group is durable, so a message is never in both queues and never lost,
// also across kill -9.

#include "sqs/engine/queue.h"
#include "sqs/engine/storage_errors.h"

namespace wharf::sqs {

using storage::Record;
using storage::RecordType;

void Queue::Relocate(StoredMessage& m, const std::shared_ptr<Queue>& destination,
                     bool back_to_source, MonoTime now, std::vector<Record>& records) {
  const uint64_t seq = destination->ReserveSeq();
  Relocation move;
  move.destination = destination;
  move.seq = seq;
  move.content = m.content;
  // Into a DLQ the receive count carries over (§5.10); back to a source it starts again, or
  // the message would be dead-lettered on its next receive.
  move.receive_count = back_to_source ? 0 : m.receive_count;
  move.first_receive_millis = back_to_source ? 0 : m.first_receive_millis;
  if (!back_to_source) move.dead_letter_source_arn = std::make_shared<std::string>(identity_.arn);
  // Retention: standard queues keep the original enqueue time, FIFO queues restart it (§5.10).
  move.enqueued_at = destination->identity().fifo ? now : m.sent_at;

  if (deps_.store->durable()) {
    const uint64_t dest_id = destination->identity().id;
    if (!m.content->body_on_disk) {
      records.push_back(
          Record{RecordType::kMessagePut, dest_id, seq, EncodeMessageRecord(*m.content, 0)});
    } else {
      Record copy{RecordType::kMessageCopy, dest_id, seq, {}};
      copy.src_queue_id = identity_.id;
      copy.src_seq = m.seq;
      records.push_back(std::move(copy));
    }
    StateRecord state;
    state.state = MessageState::kVisible;
    state.receive_count = move.receive_count;
    state.first_receive_millis = move.first_receive_millis;
    state.enqueued_millis = WallOf(move.enqueued_at);
    if (move.dead_letter_source_arn) state.dead_letter_source_arn = *move.dead_letter_source_arn;
    records.push_back(Record{RecordType::kMessageState, dest_id, seq, EncodeStateRecord(state)});
    AddDeleteRecord(records, m);
  }
  moves_.push_back(std::move(move));
  Remove(m);
}

void Queue::ScheduleRelocations(uint64_t ticket, std::vector<Relocation> moves) {
  if (moves.empty()) return;
  auto pending = std::make_shared<std::vector<Relocation>>(std::move(moves));
  deps_.store->WhenDurable(ticket, [pending](storage::StorageStatus status) {
    // If the write failed the message is still in the source on disk and comes back there on
    // restart; the store refuses every later write, so nothing is acknowledged meanwhile.
    if (!status.ok()) return;
    for (Relocation& move : *pending) {
      std::shared_ptr<Queue> destination = move.destination;
      destination->AcceptRelocated(std::move(move));
    }
  });
}

void Queue::AcceptRelocated(Relocation move) {
  Completions completions;
  {
    std::lock_guard lock(mu_);
    if (closed_ || move.seq < purged_below_) return;
    auto [it, inserted] = messages_.try_emplace(move.seq);
    StoredMessage& m = it->second;
    m.seq = move.seq;
    m.content = std::move(move.content);
    m.sent_at = move.enqueued_at;
    m.receive_count = move.receive_count;
    m.first_receive_millis = move.first_receive_millis;
    m.dead_letter_source_arn = std::move(move.dead_letter_source_arn);
    m.state = MessageState::kVisible;
    Publish(m);
    const MonoTime now = deps_.clock->Now();
    ServeWaiters(now, completions);
    ArmWakeTimer();
  }
  RunAll(completions);
}

void Queue::MoveOut(int64_t max, const std::shared_ptr<Queue>& fixed_destination, MoveDone done) {
  std::vector<Record> records;
  std::vector<Relocation> moves;
  std::optional<api::ApiError> error;
  int64_t moved = 0;
  uint64_t ticket;
  {
    std::lock_guard lock(mu_);
    if (closed_) {
      error = api::Error(api::ErrorCode::kQueueDoesNotExist);
    } else {
      const MonoTime now = deps_.clock->Now();
      Advance(now, records);
      auto destination_of = [&](const StoredMessage& m) -> std::shared_ptr<Queue> {
        std::shared_ptr<Queue> dest = fixed_destination;
        if (!dest && m.dead_letter_source_arn && deps_.find_queue) {
          dest = deps_.find_queue(*m.dead_letter_source_arn);
        }
        if (dest.get() == this || (dest && dest->identity().fifo != identity_.fifo)) return nullptr;
        return dest;
      };
      if (identity_.fifo) {
        std::vector<StoredMessage*> picked;  // group heads in order, marked in flight meanwhile
        groups_.TakeVisible(static_cast<size_t>(max), [&](StoredMessage* m) {
          --fifo_visible_;
          m->state = MessageState::kInFlight;
          picked.push_back(m);
        });
        for (StoredMessage* m : picked) {
          std::shared_ptr<Queue> dest = error ? nullptr : destination_of(*m);
          if (!dest) {
            if (!error) error = api::Error(api::ErrorCode::kQueueDoesNotExist);
            MakeVisible(*m);  // stays here, in its place
            continue;
          }
          Relocate(*m, dest, /*back_to_source=*/true, now, records);
          ++moved;
        }
      } else {
        while (moved < max && !ready_.empty()) {
          StoredMessage& m = *ready_.Pop();
          std::shared_ptr<Queue> dest = destination_of(m);
          if (!dest) {
            error = api::Error(api::ErrorCode::kQueueDoesNotExist);
            ready_.Push(&m);
            break;
          }
          Relocate(m, dest, /*back_to_source=*/true, now, records);
          ++moved;
        }
      }
      moves = std::exchange(moves_, {});
    }
    ticket = Append(records);
  }
  ScheduleRelocations(ticket, std::move(moves));
  if (error && moved == 0) {
    done(std::move(*error));
    return;
  }
  deps_.store->WhenDurable(ticket, [moved, done = std::move(done)](storage::StorageStatus s) {
    if (s.ok()) {
      done(moved);
    } else {
      done(FromStorageError(s.error()));
    }
  });
}

}  // namespace wharf::sqs
