#pragma once

// FifoSendOrder: the FIFO sends one node makes to a queue start in the order they were made, per
// message group.
//
// The embedded engine enqueues a send when it is called, so two sends of one group made one after
// the other keep their order even when the caller does not wait for the first answer (SNS
// delivering a FIFO topic's messages, or a client pipelining its requests). PgQueue runs each
// send on the worker pool, where two workers may commit them the other way round. So a FIFO send
// waits here until no earlier send of any of its groups is still running; sends of other groups
// (and of other queues) run side by side as before.
//
// Threading: safe from any thread. `start` runs on the caller's thread (Submit) or on the thread
// that calls Finished; it should only post work (PgQueue posts to the worker pool).

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace wharf::sqs::pg {

class FifoSendOrder {
 public:
  // Runs `start` now if no send made earlier to `queue_id` with any of `groups` is still
  // running or waiting, otherwise once they have all finished. Every started send must be
  // ended with Finished(queue_id, groups) (committed or failed).
  void Submit(int64_t queue_id, std::vector<std::string> groups, std::function<void()> start);
  // The send started for `groups` on `queue_id` is over: starts the waiting sends it held back.
  void Finished(int64_t queue_id, const std::vector<std::string>& groups);

  // Sends waiting behind an earlier one (all queues); for tests and metrics.
  size_t waiting() const;

 private:
  struct Waiting {
    std::vector<std::string> groups;
    std::function<void()> start;
  };
  struct QueueState {
    std::map<std::string, int, std::less<>> running;  // group -> sends running (0 or 1)
    std::deque<Waiting> waiting;                      // in submission order
  };

  mutable std::mutex mu_;
  std::map<int64_t, QueueState> queues_;  // guarded by mu_; only queues with sends in progress
};

}  // namespace wharf::sqs::pg
