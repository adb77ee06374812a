#pragma once

// The requests around a run: creating the queue before it and deleting it afterwards. One
// synchronous request per call on a fresh connection; nothing here is on the measured path.

#include <span>
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

// Creates queue `name` with `attributes` (FifoQueue=true needs a name ending in .fifo).
AdminResult CreateQueue(const HostPort& server, const Target& target, std::string_view name,
                        std::span<const QueueAttribute> attributes = {});
AdminResult DeleteQueue(const HostPort& server, const Target& target, std::string_view queue_url);

}  // namespace wharf::bench
