// Moving messages between queues: to a dead-letter queue when a receive finds a message received
// maxReceiveCount times (§5.10), and out of a dead-letter queue by a move task (§5.11).
//
// A move is one atomic group of records — the message record in the destination (written from
// memory, or copied by the store when the body is only on disk), its state there, and the
// delete in the source — appended under the source's lock. The destination's seq is reserved
// atomically, so the source never takes the destination's lock. The destination places the
// message only once the group is durable, so a message is never in both queues and never lost,
// also across kill -9.
//
// SSE-KMS (security.md §4.2): a message whose body is sealed under the source's data key, or one
// going into a queue with SSE-KMS, is re-encrypted for the destination with the server's own
// authority (decrypted, then sealed under the destination's data key, or stored in clear when
// the destination has no SSE-KMS). That takes KMS calls and maybe a read of the body from disk,
// so it is not done under the lock: the message is *held* — in flight, out of every receiver's
// reach — while the Recrypter works, and then moved as above (FinishRecrypt). If the key cannot
// be used at that moment (disabled, access denied, throttled...), the message is not lost and
// not moved: it becomes visible again where it was, with its receive count unchanged, and the
// move is simply tried again later — a dead-letter move on the next receive that reaches it, a
// move task on its next tick (the task stays RUNNING, since the message is still there to move).
// We chose this over failing the move task or parking the message elsewhere because it needs no
// new state, survives restarts for free (a hold is never written: after a crash the message is
// where its records say), and resumes by itself once the key is usable again. A hold that never
// finishes ends by itself after kRecryptHold, like a visibility timeout.

#include <algorithm>
#include <mutex>

#include "common/ids.h"
#include "sqs/engine/queue.h"
#include "sqs/engine/storage_errors.h"

namespace wharf::sqs {

using storage::Record;
using storage::RecordType;

namespace {
constexpr Duration kRecryptHold = Seconds(30);
}  // namespace

// The moves of one MoveOut: the ones made at once, and each held message, report here; `done`
// gets the total once all have reported (an error only when nothing moved).
struct MoveTally {
  explicit MoveTally(Queue::MoveDone d) : done(std::move(d)) {}

  void Add() {
    std::lock_guard lock(mu);
    ++pending;
  }
  void Report(int64_t n, std::optional<api::ApiError> e) {
    {
      std::lock_guard lock(mu);
      moved += n;
      if (e && !error) error = std::move(e);
      if (--pending > 0) return;
    }
    if (moved == 0 && error) {
      done(std::move(*error));
    } else {
      done(moved);
    }
  }

  std::mutex mu;
  size_t pending = 1;  // the moves made at once
  int64_t moved = 0;
  std::optional<api::ApiError> error;
  Queue::MoveDone done;
};

void Queue::Relocate(StoredMessage& m, const std::shared_ptr<Queue>& destination,
                     bool back_to_source, MonoTime now, std::vector<Record>& records,
                     const Recrypted* recrypted) {
  const uint64_t seq = destination->ReserveSeq();
  Relocation move;
  move.destination = destination;
  move.seq = seq;
  move.content = recrypted ? recrypted->content : m.content;
  // Pinned in the destination's table (which stores the record first if needed) before the
  // message record below is appended; AcceptRelocated keeps or releases the pin.
  if (recrypted && recrypted->data_key) destination->data_keys().Reference(recrypted->data_key);
  // Into a DLQ the receive count carries over (§5.10); back to a source it starts again, or
  // the message would be dead-lettered on its next receive.
  move.receive_count = back_to_source ? 0 : m.receive_count;
  move.first_receive_millis = back_to_source ? 0 : m.first_receive_millis;
  if (!back_to_source) move.dead_letter_source_arn = std::make_shared<std::string>(identity_.arn);
  // Retention: standard queues keep the original enqueue time, FIFO queues restart it (§5.10).
  move.enqueued_at = destination->identity().fifo ? now : m.sent_at;

  if (deps_.store->durable()) {
    const uint64_t dest_id = destination->identity().id;
    if (!move.content->body_on_disk) {
      records.push_back(
          Record{RecordType::kMessagePut, dest_id, seq, EncodeMessageRecord(*move.content, 0)});
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
    state.moved_in = true;  // no deduplication entry claimed there (StateRecord::moved_in)
    records.push_back(Record{RecordType::kMessageState, dest_id, seq, EncodeStateRecord(state)});
    AddDeleteRecord(records, m);
  }
  moves_.push_back(std::move(move));
  Remove(m);
}

bool Queue::NeedsRecrypt(const StoredMessage& m, const Queue& destination) const {
  // A sealed body always needs it (its AAD names this queue); a plaintext one only when the
  // destination encrypts and there is a Recrypter (engine tests without SSE have none).
  return m.content->data_key_id != 0 || (deps_.recrypter && destination.encrypts());
}

void Queue::RelocateOrHold(StoredMessage& m, const std::shared_ptr<Queue>& destination,
                           bool back_to_source, MonoTime now, std::vector<Record>& records,
                           const std::shared_ptr<MoveTally>& tally) {
  if (!NeedsRecrypt(m, *destination)) {
    Relocate(m, destination, back_to_source, now, records);
    return;
  }
  // Held: in flight (FIFO heads already are, blocking their group), due back after the hold.
  m.state = MessageState::kInFlight;
  m.visible_at = now + kRecryptHold;
  timers_.Push(&m);
  do {
    m.move_token = static_cast<uint32_t>(RandomU64());
  } while (m.move_token == 0);
  if (tally) tally->Add();
  recrypts_.push_back(
      PendingRecrypt{m.seq, m.move_token, destination, back_to_source, m.content, tally});
}

void Queue::ScheduleRecrypts(std::vector<PendingRecrypt> pending) {
  for (PendingRecrypt& p : pending) {
    auto held = std::make_shared<PendingRecrypt>(std::move(p));
    std::shared_ptr<Queue> self = shared_from_this();
    auto recrypt = [self, held](std::shared_ptr<const MessageContent> content) {
      if (!self->deps_.recrypter) {
        self->FinishRecrypt(*held, api::Error(api::ErrorCode::kInternalFailure,
                                              "no key service to decrypt the message"));
        return;
      }
      RecryptJob job;
      job.data_key =
          content->data_key_id != 0 ? self->data_keys_.Find(content->data_key_id) : nullptr;
      job.content = std::move(content);
      job.source = self;
      job.destination = held->destination;
      self->deps_.recrypter->Recrypt(std::move(job), [self, held](api::ApiResult<Recrypted> r) {
        self->FinishRecrypt(*held, std::move(r));
      });
    };
    if (!held->content->body_on_disk) {
      recrypt(held->content);
      continue;
    }
    deps_.store->ReadMessages(
        identity_.id, {held->seq},
        [self, held, recrypt](Result<std::vector<std::string>, storage::StorageError> read) {
          std::optional<MessageRecord> record;
          if (read.ok() && !read->empty()) record = DecodeMessageRecord(read->front());
          if (!record) {
            // Gone meanwhile (deleted, expired) or unreadable: nothing is moved.
            self->FinishRecrypt(*held, api::Error(api::ErrorCode::kInternalFailure,
                                                  "the message body could not be read"));
            return;
          }
          recrypt(std::make_shared<MessageContent>(std::move(record->content)));
        });
  }
}

void Queue::FinishRecrypt(PendingRecrypt& pending, api::ApiResult<Recrypted> result) {
  std::vector<Record> records;
  std::vector<Relocation> moves;
  Completions completions;
  bool moved = false;
  uint64_t ticket = 0;
  {
    std::lock_guard lock(mu_);
    auto it = messages_.find(pending.seq);
    // Still this hold: not deleted, expired, purged or released since.
    const bool held = !closed_ && it != messages_.end() && it->second.move_token == pending.token &&
                      it->second.state == MessageState::kInFlight;
    if (held) {
      StoredMessage& m = it->second;
      const MonoTime now = deps_.clock->Now();
      if (result.ok()) {
        Relocate(m, pending.destination, pending.back_to_source, now, records, &result.value());
        moved = true;
        moves = std::exchange(moves_, {});
        ticket = Append(records);
        // A FIFO head that left may unblock its group. (Standard queues: nothing became
        // visible. Not serving waiters after a failure, below, keeps a failing key from
        // looping back here through a parked receiver.)
        if (identity_.fifo) ServeWaiters(now, completions);
      } else {
        // The key is unusable now: the message stays, visible again, receive count unchanged;
        // the move is tried again later (see the top of this file).
        MakeVisible(m);
      }
      ArmWakeTimer();
    }
  }
  RunAll(completions);
  ScheduleRelocations(ticket, std::move(moves));
  if (!pending.tally) return;
  if (!moved) {
    pending.tally->Report(0, std::nullopt);
    return;
  }
  deps_.store->WhenDurable(ticket, [tally = pending.tally](storage::StorageStatus s) {
    if (s.ok()) {
      tally->Report(1, std::nullopt);
    } else {
      tally->Report(0, FromStorageError(s.error()));
    }
  });
}

void Queue::ScheduleRelocations(uint64_t ticket, std::vector<Relocation> moves) {
  if (moves.empty()) return;
  auto pending = std::make_shared<std::vector<Relocation>>(std::move(moves));
  deps_.store->WhenDurable(ticket, [pending](storage::StorageStatus) {
    // Placed even if the write failed: the store still writes it, in order, when it recovers
    // (store.h), so on disk the message is in the destination then, and in memory it must be
    // too. (If the process stops first, it comes back in the source on restart.)
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
    if (closed_ || move.seq < purged_below_) {
      if (move.content->data_key_id != 0) {
        data_keys_.Release(move.content->data_key_id, deps_.clock->Now());
      }
      return;
    }
    auto [it, inserted] = messages_.try_emplace(move.seq);
    StoredMessage& m = it->second;
    m.seq = move.seq;
    m.content = std::move(move.content);
    m.sent_at = move.enqueued_at;
    m.receive_count = move.receive_count;
    m.first_receive_millis = move.first_receive_millis;
    m.dead_letter_source_arn = std::move(move.dead_letter_source_arn);
    m.state = MessageState::kVisible;
    m.moved_in = true;
    Publish(m);
    const MonoTime now = deps_.clock->Now();
    ServeWaiters(now, completions);
    ArmWakeTimer();
  }
  RunAll(completions);
}

void Queue::MoveOut(int64_t max, const std::shared_ptr<QueueBackend>& fixed_backend,
                    MoveDone done) {
  // Move tasks name the destination through the QueueBackend seam (ADR 0002); relocation needs
  // the engine queue behind it. The registry holds engine queues only, so this never fails in
  // the embedded mode; a queue of another backend is refused rather than taken for "no
  // destination" (which would send the messages back to their sources).
  std::shared_ptr<Queue> fixed_destination = std::dynamic_pointer_cast<Queue>(fixed_backend);
  if (fixed_backend && !fixed_destination) {
    return done(api::Error(api::ErrorCode::kInternalFailure));
  }
  std::vector<Record> records;
  std::vector<Relocation> moves;
  std::vector<PendingRecrypt> recrypts;
  std::optional<api::ApiError> error;
  int64_t moved = 0;  // at once (held messages report to the tally when they are done)
  auto tally = std::make_shared<MoveTally>(std::move(done));
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
        // Groups with a message held for re-encryption: the rest of the group waits for it, so
        // the destination receives the group in order.
        std::vector<std::string_view> waiting;
        auto group_of = [](const StoredMessage* m) -> std::string_view {
          return m->content->group_id ? std::string_view(*m->content->group_id) : "";
        };
        for (StoredMessage* m : picked) {
          std::shared_ptr<Queue> dest = error ? nullptr : destination_of(*m);
          if (!dest) {
            if (!error) error = api::Error(api::ErrorCode::kQueueDoesNotExist);
            MakeVisible(*m);  // stays here, in its place
            continue;
          }
          if (std::find(waiting.begin(), waiting.end(), group_of(m)) != waiting.end()) {
            MakeVisible(*m);  // behind a held message of its group: next time
            continue;
          }
          if (NeedsRecrypt(*m, *dest)) waiting.push_back(group_of(m));
          if (!NeedsRecrypt(*m, *dest)) ++moved;
          RelocateOrHold(*m, dest, /*back_to_source=*/true, now, records, tally);
        }
      } else {
        int64_t picked = 0;
        while (picked < max && !ready_.empty()) {
          StoredMessage& m = *ready_.Pop();
          std::shared_ptr<Queue> dest = destination_of(m);
          if (!dest) {
            error = api::Error(api::ErrorCode::kQueueDoesNotExist);
            ready_.Push(&m);
            break;
          }
          if (!NeedsRecrypt(m, *dest)) ++moved;
          RelocateOrHold(m, dest, /*back_to_source=*/true, now, records, tally);
          ++picked;
        }
      }
      moves = std::exchange(moves_, {});
      recrypts = std::exchange(recrypts_, {});
    }
    ticket = Append(records);
  }
  ScheduleRelocations(ticket, std::move(moves));
  ScheduleRecrypts(std::move(recrypts));
  deps_.store->WhenDurable(
      ticket, [moved, tally, error = std::move(error)](storage::StorageStatus s) mutable {
        if (s.ok()) {
          tally->Report(moved, std::move(error));
        } else {
          tally->Report(0, FromStorageError(s.error()));
        }
      });
}

}  // namespace wharf::sqs
