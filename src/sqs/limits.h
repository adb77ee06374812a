#pragma once

// AWS's SQS limits in one place (sqs-api.md §8). One object, passed to the service, so a
// deployment can emulate the pre-2025 256 KiB message limit or relax the 60-second rules in
// tests without touching the handlers.

#include <cstdint>

namespace wharf::sqs {

struct Limits {
  int64_t max_message_size = 1'048'576;  // upper bound of MaximumMessageSize, and its default
  int64_t min_message_size = 1'024;
  int64_t max_batch_bytes = 1'048'576;
  int64_t max_batch_entries = 10;
  int64_t max_message_attributes = 10;
  int64_t max_delay_seconds = 900;
  int64_t max_visibility_timeout = 43'200;
  int64_t max_wait_time_seconds = 20;
  int64_t min_retention_seconds = 60;
  int64_t max_retention_seconds = 1'209'600;
  int64_t max_receive_messages = 10;
  int64_t max_queue_name_length = 80;
  int64_t max_tags = 50;
  int64_t max_list_results = 1'000;
  int64_t max_inflight_standard = 120'000;
  int64_t purge_interval_seconds = 60;         // one PurgeQueue per queue per interval
  int64_t recreate_after_delete_seconds = 60;  // QueueDeletedRecently window
};

}  // namespace wharf::sqs
