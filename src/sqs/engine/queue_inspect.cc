// Looking at a queue without touching it: Peek (Wharf's PeekMessages, for the console). Nothing
// here changes a message, a counter or appends a record.

#include <unordered_map>

#include "sqs/engine/answer_later.h"
#include "sqs/engine/queue.h"

namespace wharf::sqs {

void Queue::Peek(int64_t max, PeekDone done) {
  AnswerLater later;
  std::vector<ReceivedMessage> snapshots;
  // By seq: the state of each snapshot, joined again once bodies on disk are read.
  auto states = std::make_shared<std::unordered_map<uint64_t, PeekedMessage>>();
  {
    std::lock_guard lock(mu_);
    if (closed_) {
      later.Fail(done, api::Error(api::ErrorCode::kQueueDoesNotExist));
      return;
    }
    const MonoTime now = deps_.clock->Now();
    const Duration retention = Seconds(config_.message_retention_period);
    for (const auto& [seq, m] : messages_) {
      if (static_cast<int64_t>(snapshots.size()) >= max) break;
      if (m.sent_at + retention <= now) continue;  // expired: gone at the next touch
      PeekedMessage peeked;
      peeked.state = m.state;
      if (m.state != MessageState::kVisible) {
        if (m.visible_at <= now) {
          peeked.state = MessageState::kVisible;  // its delay or timeout is over
        } else {
          peeked.visible_at_millis = WallOf(m.visible_at);
        }
      }
      // Snapshot() without the receipt handle it would encode.
      ReceivedMessage r;
      r.content = m.content;
      r.seq = m.seq;
      r.dead_letter_source_arn = m.dead_letter_source_arn;
      r.receive_count = m.receive_count;
      r.first_receive_millis = m.first_receive_millis;
      if (m.content->data_key_id != 0) r.data_key = data_keys_.Find(m.content->data_key_id);
      snapshots.push_back(r);
      peeked.message = std::move(r);
      states->emplace(seq, std::move(peeked));
    }
  }
  LoadBodiesThen(std::move(snapshots),
                 [states, done = std::move(done)](
                     api::ApiResult<std::vector<ReceivedMessage>> loaded) mutable {
                   if (!loaded.ok()) return done(std::move(loaded).error());
                   std::vector<PeekedMessage> out;
                   out.reserve(loaded->size());
                   for (ReceivedMessage& r : *loaded) {
                     auto it = states->find(r.seq);
                     if (it == states->end()) continue;
                     PeekedMessage peeked = std::move(it->second);
                     peeked.message = std::move(r);
                     out.push_back(std::move(peeked));
                   }
                   done(std::move(out));
                 });
}

}  // namespace wharf::sqs
