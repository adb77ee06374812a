// The Queue's side of durability: building its storage records, waiting for them, and
// rebuilding its state from them at startup. See queue.h and docs/storage-format.md.

#include <algorithm>

#include "sqs/engine/queue.h"
#include "sqs/engine/storage_errors.h"

namespace wharf::sqs {

using storage::Record;
using storage::RecordType;

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
  if (!identity_.fifo) {
    // Standard queues answer a receive without waiting for its state record to be synced
    // (storage.md §6.3): the record goes out with the next group commit, and a crash before
    // that only makes the message visible again earlier, with a receive count one lower,
    // which at-least-once delivery permits. FIFO receives wait: an early unlock of a group
    // could let a second consumer into it.
    LoadBodiesThen(std::move(messages), std::move(done));
    return;
  }
  deps_.store->WhenDurable(ticket, [self = shared_from_this(), messages = std::move(messages),
                                    done = std::move(done)](storage::StorageStatus s) mutable {
    if (!s.ok()) {
      // Not delivered: the messages go back as they were, so their groups are not blocked for
      // a visibility timeout by a receive nobody got. (The store writes both changes, in order,
      // when it recovers.) The client retries the 503.
      self->ReturnUndelivered(messages);
      done(FromStorageError(s.error()));
      return;
    }
    self->LoadBodiesThen(std::move(messages), std::move(done));
  });
}

void Queue::LoadBodiesThen(std::vector<ReceivedMessage> messages, ReceiveDone done) {
  std::vector<uint64_t> seqs;
  for (const ReceivedMessage& m : messages) {
    if (m.content->body_on_disk) seqs.push_back(m.seq);
  }
  if (seqs.empty()) {
    done(std::move(messages));
    return;
  }
  auto pending = std::make_shared<std::vector<ReceivedMessage>>(std::move(messages));
  deps_.store->ReadMessages(
      identity_.id, std::move(seqs),
      [pending, done = std::move(done)](
          Result<std::vector<std::string>, storage::StorageError> read) mutable {
        if (!read.ok()) {
          done(FromStorageError(read.error()));
          return;
        }
        size_t k = 0;
        for (ReceivedMessage& m : *pending) {
          if (!m.content->body_on_disk) continue;
          auto record = DecodeMessageRecord((*read)[k++]);
          if (!record) {
            // Deleted or expired meanwhile (the record is gone): nothing to deliver for it.
            continue;
          }
          m.content = std::make_shared<MessageContent>(std::move(record->content));
        }
        std::erase_if(*pending, [](const ReceivedMessage& m) { return m.content->body_on_disk; });
        done(std::move(*pending));
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
             EncodeQueueRecord({identity_.account_id, identity_.name, identity_.dedup_by_group,
                                config_, tags_, seq_floor_})});
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
  s.enqueued_millis = WallOf(m.sent_at);
  if (m.dead_letter_source_arn) s.dead_letter_source_arn = *m.dead_letter_source_arn;
  s.moved_in = m.moved_in;
  records.push_back(Record{RecordType::kMessageState, identity_.id, m.seq, EncodeStateRecord(s)});
}

void Queue::AddDeleteRecord(std::vector<Record>& records, const StoredMessage& m) {
  if (!deps_.store->durable()) return;
  records.push_back(Record{RecordType::kMessageDelete, identity_.id, m.seq, {}});
  // A FIFO message's deduplication entry lived in its record (dedup_window.h). If the entry is
  // still live, it now needs a record of its own, in the same group as the delete.
  if (!ClaimedDedupEntry(m)) return;
  const std::string& key = DedupKeyOf(*m.content);
  if (const DedupEntry* entry = dedup_.RecordIfLive(key, m.seq, deps_.clock->WallMillis())) {
    records.push_back(
        Record{RecordType::kDedupPut, identity_.id, 0, EncodeDedupRecord(*entry), key});
  }
}

const std::string& Queue::DedupKeyOf(const MessageContent& content) {
  DedupKeyInto(dedup_key_scratch_, identity_.dedup_by_group, *content.group_id,
               *content.deduplication_id);
  return dedup_key_scratch_;
}

bool Queue::ClaimedDedupEntry(const StoredMessage& m) const {
  return identity_.fifo && !m.moved_in && m.content->group_id && m.content->deduplication_id;
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
    Append(records);
    // Its data-key records go too (keyed objects are not part of the queue's key range), after
    // the queue: a crash between the two leaves records of no queue, which the next start-up
    // drops, never messages without their keys. The answer waits for both.
    data_keys_.DropAll();
    std::vector<Record> nothing;
    ticket = Append(nothing);
  }
  AnswerWhenDurable(ticket, std::move(done));
}

void Queue::Restore(uint64_t seq, std::shared_ptr<const MessageContent> content,
                    int64_t visible_at_millis, const StateRecord* state) {
  std::lock_guard lock(mu_);
  const MonoTime now = deps_.clock->Now();
  const int64_t wall = deps_.clock->WallMillis();
  auto mono = [&](int64_t millis) { return now + Millis(millis - wall); };
  next_seq_.store(std::max(next_seq_.load(), seq + 1));
  auto [it, inserted] = messages_.try_emplace(seq);
  StoredMessage& m = it->second;
  m.seq = seq;
  m.sent_at = mono(content->sent_millis);
  m.content = std::move(content);
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
    if (state->enqueued_millis != 0) m.sent_at = mono(state->enqueued_millis);
    if (state->dead_letter_source_arn) {
      m.dead_letter_source_arn = std::make_shared<std::string>(*state->dead_letter_source_arn);
    }
    m.moved_in = state->moved_in;
  } else if (visible_at_millis > wall) {
    m.state = MessageState::kDelayed;
    m.visible_at = mono(visible_at_millis);
    ++delayed_count_;
  }
  Publish(m);
  // A message sent here claimed a deduplication entry, which has no record of its own while the
  // message is stored (dedup_window.h): rebuilt from the message, if still live. Expiry counts
  // from SentTimestamp, at most a few milliseconds before the send's claim.
  if (!ClaimedDedupEntry(m)) return;
  const int64_t expires = m.content->sent_millis + DedupWindow::kWindowMillis;
  // A map node does not move while others are added: the pointer stays valid until
  // FinishRestore, and nothing removes a message before then.
  if (expires > wall) restored_entries_.emplace_back(expires, &m);
}

void Queue::RestoreDedup(std::string key, DedupEntry entry) {
  std::lock_guard lock(mu_);
  // A duplicate answers with this seq: new messages must come after it, even when every
  // message was deleted before the restart.
  next_seq_.store(std::max(next_seq_.load(), entry.seq + 1));
  // Kept even when expired: the window then reports it at its next sweep, and the record is
  // deleted (a store left by a stopped server keeps records that ran out meanwhile).
  restored_records_.push_back(RestoredRecord{std::move(key), std::move(entry)});
}

void Queue::FinishRestore() {
  std::lock_guard lock(mu_);
  // The window's order is its expiry order; the entries came from two scans (messages by seq,
  // nearly in expiry order already, and records by digest), merged here. Equal keys: the later
  // entry replaces the earlier and keeps its record.
  auto by_expiry = [](const auto& a, const auto& b) { return a.first < b.first; };
  std::stable_sort(restored_entries_.begin(), restored_entries_.end(), by_expiry);
  std::stable_sort(restored_records_.begin(), restored_records_.end(),
                   [](const RestoredRecord& a, const RestoredRecord& b) {
                     return a.entry.expires_millis < b.entry.expires_millis;
                   });
  auto entry = restored_entries_.begin();
  auto record = restored_records_.begin();
  while (entry != restored_entries_.end() || record != restored_records_.end()) {
    if (record == restored_records_.end() ||
        (entry != restored_entries_.end() && entry->first <= record->entry.expires_millis)) {
      const StoredMessage& m = *entry->second;
      dedup_.Insert(DedupKeyOf(*m.content), DedupEntry{m.content->message_id, m.seq, entry->first},
                    /*has_record=*/false);
      ++entry;
    } else {
      dedup_.Insert(std::move(record->key), std::move(record->entry), /*has_record=*/true);
      ++record;
    }
  }
  restored_entries_ = {};
  restored_records_ = {};
}

void Queue::RestoreSeqFloor(uint64_t floor) {
  std::lock_guard lock(mu_);
  seq_floor_ = floor;
  next_seq_.store(std::max(next_seq_.load(), floor));
}

}  // namespace wharf::sqs
