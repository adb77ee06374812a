// PgQueue's queue-level changes (pg_queue.h): SetAttributes, EditPolicy, Tag, Untag. Each runs on
// a worker and is a read-modify-write of the queue's row: read it (GetQueueById), apply the
// engine's rules to what it holds, write it back only if its version is still the one read
// (UpdateQueue, SetTags). A version conflict means another writer, on any node, changed the row
// in between: the change is applied again to the new row, so neither write is lost. This object's
// own snapshot (config(), tags()) is not refreshed (see pg_queue.h).

#include <algorithm>
#include <chrono>
#include <functional>
#include <optional>
#include <string_view>
#include <thread>
#include <utility>

#include "common/ids.h"
#include "common/log.h"
#include "sqs/handlers/common.h"  // ValidateTags
#include "sqs/pg/dead_letter_target.h"
#include "sqs/pg/pg_queue.h"
#include "sqs/pg/queue_row_codec.h"

namespace wharf::sqs::pg {
namespace {

using api::ErrorCode;
using storage::pg::QueueRow;

// A conflict means another write to the same row landed between this read and this write, so
// some writer always progresses; but while another node keeps writing the row (a burst of
// changes), each re-read can lose again. A random pause that doubles with the attempt (full
// jitter, 1 ms up to 32 ms; at most ~0.25 s in all) outlasts such a burst. It holds a worker
// meanwhile, which is acceptable for these rare administrative calls; past the last attempt the
// answer is retryable.
constexpr int kMaxAttempts = 12;

void PauseAfterConflict(int attempt) {
  const uint64_t cap_us = uint64_t{1000} << std::min(attempt, 5);
  std::this_thread::sleep_for(std::chrono::microseconds(RandomU64() % cap_us));
}

// What a change makes of the row just read: the row to write, or the error that refuses it.
using RowChange = std::function<api::ApiResult<storage::pg::QueueConfig>(const QueueRow& row)>;

// Which write keeps the change: UpdateQueue (attributes; bumps LastModifiedTimestamp) or SetTags
// (tags only; SQS leaves LastModifiedTimestamp).
enum class RowPart : uint8_t { kAttributes, kTags };

// Blocks on the database: run on a worker. A change that lands is reported to the catalog
// (PgBackend::queue_changed), so this node's cached row is the new one at once.
api::ApiStatus ChangeRow(const PgBackend& backend, int64_t queue_id, std::string_view op,
                         RowPart part, const RowChange& change) {
  storage::pg::PgQueueOps& ops = backend.ops;
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    auto read = ops.GetQueueById(queue_id);
    if (!read.ok()) return FromPgError(op, read.error());
    if (!read->has_value()) return api::Error(ErrorCode::kQueueDoesNotExist);
    const QueueRow& row = **read;
    auto changed = change(row);
    if (!changed.ok()) return std::move(changed).error();
    auto written = part == RowPart::kTags ? ops.SetTags(queue_id, changed->tags_json, row.version)
                                          : ops.UpdateQueue(queue_id, *changed, row.version);
    if (!written.ok()) return FromPgError(op, written.error());
    if (*written) {
      if (backend.queue_changed) backend.queue_changed(queue_id);
      return api::ApiStatus::Ok();
    }
    if (attempt + 1 < kMaxAttempts) PauseAfterConflict(attempt);
  }
  log::Line(log::Level::kWarn, "pg_queue_change_contended")
      .Str("op", op)
      .Int("queue_id", queue_id)
      .Int("attempts", kMaxAttempts);
  return api::Error(ErrorCode::kServiceUnavailable);
}

// SetQueueAttributes' rules (ApplyAttributes, AttributeMode::kSet) applied to `row`, and the
// dead-letter queue's id when the RedrivePolicy names another queue than the row's.
api::ApiResult<storage::pg::QueueConfig> WithAttributes(storage::pg::PgQueueOps& ops,
                                                        const QueueRow& row,
                                                        const api::StringPairs& attributes,
                                                        const Limits& limits,
                                                        const QueueTypeLookup& lookup) {
  QueueRowContent content = DecodeQueueRow(row);
  const std::optional<RedrivePolicy> before = content.config.redrive_policy;
  WHARF_RETURN_IF_ERROR(
      ApplyAttributes(content.config, attributes, AttributeMode::kSet, limits, lookup));
  storage::pg::QueueConfig out = EncodeQueueRow(row.config.account, row.config.name, content);
  const std::optional<RedrivePolicy>& after = content.config.redrive_policy;
  if (!after) return out;
  if (before && before->dead_letter_target_arn == after->dead_letter_target_arn &&
      row.config.dlq_id) {
    // The same target: kept without a read, also when it has been deleted since (the engine,
    // too, lets other attributes change then).
    out.dlq_id = row.config.dlq_id;
    return out;
  }
  auto dlq_id = ResolveDeadLetterQueue(ops, *after, attributes, row.config.fifo);
  if (!dlq_id.ok()) return std::move(dlq_id).error();
  out.dlq_id = *dlq_id;
  return out;
}

}  // namespace

void PgQueue::SetAttributes(const api::StringPairs& attributes, const QueueTypeLookup& lookup,
                            Done done) {
  // `lookup` reads the catalog (the database) for a RedrivePolicy's target: on the worker too.
  OnWorker([attributes, lookup, done = std::move(done)](PgQueue& self) {
    const PgBackend& backend = self.backend_;
    done(ChangeRow(backend, self.queue_id(), "set_queue_attributes", RowPart::kAttributes,
                   [&](const QueueRow& row) {
                     return WithAttributes(backend.ops, row, attributes, backend.limits, lookup);
                   }));
  });
}

void PgQueue::EditPolicy(const PolicyEdit& edit, Done done) {
  OnWorker([edit, done = std::move(done)](PgQueue& self) {
    const PgBackend& backend = self.backend_;
    done(ChangeRow(backend, self.queue_id(), "edit_policy", RowPart::kAttributes,
                   [&](const QueueRow& row) -> api::ApiResult<storage::pg::QueueConfig> {
                     // Edited from the row's policy, so a concurrent edit is not undone.
                     auto edited = edit(DecodeQueueRow(row).config.policy);
                     if (!edited.ok()) return std::move(edited).error();
                     // "" removes the policy, as in the engine's Queue::EditPolicy.
                     const api::StringPairs policy{{"Policy", edited->value_or("")}};
                     return WithAttributes(backend.ops, row, policy, backend.limits, nullptr);
                   }));
  });
}

void PgQueue::Tag(const api::StringPairs& tags, Done done) {
  // The TagQueue handler checked these against this object's snapshot; the limit is checked
  // again against the row, which another node may have tagged since.
  if (auto valid = ValidateTags(tags); !valid.ok()) return done(std::move(valid).error());
  OnWorker([tags, done = std::move(done)](PgQueue& self) {
    const int64_t max_tags = self.backend_.limits.max_tags;
    const std::string& name = self.identity_.name;
    done(ChangeRow(self.backend_, self.queue_id(), "tag_queue", RowPart::kTags,
                   [&](const QueueRow& row) -> api::ApiResult<storage::pg::QueueConfig> {
                     api::StringPairs merged = DecodeQueueRow(row).tags;
                     for (const auto& [key, value] : tags) {
                       // Named capture: clang before 16 cannot capture a structured binding.
                       auto it = std::find_if(merged.begin(), merged.end(),
                                              [&k = key](const auto& t) { return t.first == k; });
                       if (it != merged.end()) {
                         it->second = value;
                       } else {
                         merged.emplace_back(key, value);
                       }
                     }
                     if (static_cast<int64_t>(merged.size()) > max_tags) {
                       return api::Error(ErrorCode::kInvalidParameterValue,
                                         "Too many tags added for queue " + name + ".");
                     }
                     storage::pg::QueueConfig out = row.config;
                     out.tags_json = EncodeStringMap(merged);
                     return out;
                   }));
  });
}

void PgQueue::Untag(const std::vector<std::string>& keys, Done done) {
  OnWorker([keys, done = std::move(done)](PgQueue& self) {
    done(ChangeRow(self.backend_, self.queue_id(), "untag_queue", RowPart::kTags,
                   [&](const QueueRow& row) -> api::ApiResult<storage::pg::QueueConfig> {
                     api::StringPairs remaining = DecodeQueueRow(row).tags;
                     // Unknown keys are ignored (UntagQueue, sqs-api.md §2.23).
                     std::erase_if(remaining, [&](const auto& t) {
                       return std::find(keys.begin(), keys.end(), t.first) != keys.end();
                     });
                     storage::pg::QueueConfig out = row.config;
                     out.tags_json = EncodeStringMap(remaining);
                     return out;
                   }));
  });
}

}  // namespace wharf::sqs::pg
