#pragma once

// Shared by the Queue's operations (queue.cc, queue_handles.cc).

#include <functional>

#include "api/error.h"

namespace wharf::sqs {

// An error answer given inside the queue lock runs only after the lock is released: declare it
// before the lock_guard, so it is destroyed after it (completions may touch the queue again).
class AnswerLater {
 public:
  AnswerLater() = default;
  AnswerLater(const AnswerLater&) = delete;
  AnswerLater& operator=(const AnswerLater&) = delete;
  ~AnswerLater() {
    if (answer_) answer_();
  }
  template <typename Fn>
  void Fail(Fn& done, api::ApiError error) {
    answer_ = [done = std::move(done), error = std::move(error)]() mutable {
      done(std::move(error));
    };
  }

 private:
  std::function<void()> answer_;
};

}  // namespace wharf::sqs
