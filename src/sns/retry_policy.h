#pragma once

// When a delivery that failed on the server's side (storage, throttling) is tried again: AWS's
// fixed policy for AWS-managed endpoints such as SQS (sns-fanout.md §7.3) — 3 immediate
// retries, 2 retries 1 s apart, 10 retries backing off exponentially from 1 s to 20 s, then
// retries 20 s apart, 100,015 retries in all. Client-side failures (policy, missing queue, a
// message the queue refuses) are never retried.

#include <cstdint>

#include "common/clock.h"

namespace wharf::sns {

inline constexpr int64_t kDefaultMaxRetries = 100'015;

// The wait before retry number `retry` (1 = the first retry after the first attempt).
Duration RetryDelay(int64_t retry);

}  // namespace wharf::sns
