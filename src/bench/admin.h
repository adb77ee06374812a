#pragma once

// The requests around a run: creating the queue before it and deleting it afterwards. One
// synchronous request per call on a fresh connection; nothing here is on the measured path.

#include <string>
#include <string_view>

#include "bench/request_writer.h"
#include "bench/runner.h"

namespace wharf::bench {

struct AdminResult {
  bool ok = false;
  std::string value;  // CreateQueue: the queue URL
  std::string error;  // when !ok: the AWS error code and message, or the transport error
};

// With `fifo`, the queue is created with FifoQueue=true (its name must end in .fifo).
AdminResult CreateQueue(const HostPort& server, const Target& target, std::string_view name,
                        bool fifo = false);
AdminResult DeleteQueue(const HostPort& server, const Target& target, std::string_view queue_url);

}  // namespace wharf::bench
