#pragma once

// The thread deliveries run on: building envelopes (one RSA signature per message) and handing
// messages to queues is CPU work that should not sit on an I/O thread or the store's committer.
// Tasks run one at a time in the order posted, which keeps FIFO topics' deliveries in publish
// order. Lifetime: Stop() (or the destructor) finishes the tasks already posted and joins;
// tasks posted after that are dropped (the outbox redelivers them after the next start).

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace wharf::sns {

class DeliveryThread {
 public:
  DeliveryThread();
  ~DeliveryThread();
  DeliveryThread(const DeliveryThread&) = delete;
  DeliveryThread& operator=(const DeliveryThread&) = delete;

  void Post(std::function<void()> task);
  void Stop();

 private:
  void Run();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace wharf::sns
