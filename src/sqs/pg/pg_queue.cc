#include "sqs/pg/pg_queue.h"

#include <utility>

#include "common/log.h"

namespace wharf::sqs::pg {
namespace {

api::ApiError NotYet(std::string_view operation) {
  return api::Error(api::ErrorCode::kUnsupportedOperation,
                    std::string(operation) +
                        " is not implemented by the PostgreSQL backend yet (ADR 0002 step 2)");
}

}  // namespace

PgQueue::PgQueue(QueueIdentity identity, QueueConfig config, storage::pg::PgQueueOps& ops)
    : identity_(std::move(identity)), config_(std::move(config)), ops_(ops) {}

QueueCounters PgQueue::Counters() {
  QueueCounters counters;
  auto counts = ops_.Counts(queue_id());
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

void PgQueue::SetAttributes(const api::StringPairs&, const QueueTypeLookup&, Done done) {
  done(NotYet("SetQueueAttributes"));
}
void PgQueue::EditPolicy(const PolicyEdit&, Done done) { done(NotYet("AddPermission")); }
void PgQueue::Tag(const api::StringPairs&, Done done) { done(NotYet("TagQueue")); }
void PgQueue::Untag(const std::vector<std::string>&, Done done) { done(NotYet("UntagQueue")); }
void PgQueue::Purge(Done done) { done(NotYet("PurgeQueue")); }
void PgQueue::Send(std::vector<NewMessage>, SendDone done) { done(NotYet("SendMessage")); }
void PgQueue::Receive(const ReceiveOptions&, ReceiveDone done) { done(NotYet("ReceiveMessage")); }
void PgQueue::Delete(std::string_view, Done done) { done(NotYet("DeleteMessage")); }
void PgQueue::ChangeVisibility(std::string_view, int64_t, Done done) {
  done(NotYet("ChangeMessageVisibility"));
}
// Nothing was received (Receive is not implemented), so nothing can come back.
void PgQueue::ReturnUndelivered(const std::vector<ReceivedMessage>&) {}
void PgQueue::Peek(int64_t, PeekDone done) { done(NotYet("PeekMessages")); }
void PgQueue::MoveOut(int64_t, const std::shared_ptr<QueueBackend>&, MoveDone done) {
  done(NotYet("StartMessageMoveTask"));
}

}  // namespace wharf::sqs::pg
