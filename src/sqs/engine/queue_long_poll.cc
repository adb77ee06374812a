// Long polling: receivers parked on a queue, and the timer that wakes them when a delay or a
// visibility timeout runs out (design.md "Concurrency"). Every event that can make a message
// visible calls ServeWaiters under the queue lock; answers run after the lock is released.

#include "sqs/engine/queue.h"

namespace wharf::sqs {

using storage::Record;

void Queue::ServeWaiters(MonoTime now, Completions& completions) {
  while (!waiters_.empty() && HasReceivable()) {
    Waiter& w = waiters_.front();
    std::vector<Record> records;
    std::vector<ReceivedMessage> messages =
        TakeFor(w.max_messages, w.visibility_seconds, w.attempt_id, now, records);
    std::vector<Relocation> moves = std::exchange(moves_, {});
    const uint64_t ticket = Append(records);
    if (!moves.empty()) {
      completions.push_back(
          [self = shared_from_this(), ticket, moves = std::move(moves)]() mutable {
            self->ScheduleRelocations(ticket, std::move(moves));
          });
    }
    if (!recrypts_.empty()) {
      completions.push_back(
          [self = shared_from_this(), recrypts = std::exchange(recrypts_, {})]() mutable {
            self->ScheduleRecrypts(std::move(recrypts));
          });
    }
    // Nothing to give after all (everything went to the dead-letter queue, or the FIFO
    // in-flight quota is reached): the receiver stays parked.
    if (messages.empty()) break;
    Waiter served = std::move(w);
    waiter_index_.erase(served.id);
    waiters_.pop_front();
    if (served.timer) deps_.scheduler->Cancel(served.timer);
    completions.push_back([self = shared_from_this(), ticket, messages = std::move(messages),
                           done = std::move(served.done)]() mutable {
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

}  // namespace wharf::sqs
