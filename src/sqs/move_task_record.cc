#include "sqs/move_task_record.h"

#include <cstdint>

#include "common/binary_codec.h"

namespace wharf::sqs {
namespace {

constexpr uint8_t kTaskRecordV1 = 1;
constexpr std::string_view kTaskPart = "task/";
constexpr std::string_view kCancelPart = "cancel/";

}  // namespace

std::string EncodeMoveTask(const MoveTaskInfo& t) {
  std::string out;
  BinaryWriter w(out);
  w.U8(kTaskRecordV1);
  w.Bytes(t.task_id);
  w.Bytes(t.source_arn);
  w.OptionalBytes(t.destination_arn);
  w.Bool(t.max_per_second.has_value());
  w.Signed(t.max_per_second.value_or(0));
  w.Bytes(t.status);
  w.Signed(t.moved);
  w.Signed(t.to_move);
  w.OptionalBytes(t.failure_reason);
  w.Signed(t.started_millis);
  return out;
}

std::optional<MoveTaskInfo> DecodeMoveTask(std::string_view payload) {
  BinaryReader r(payload);
  if (r.U8() != kTaskRecordV1) return std::nullopt;
  MoveTaskInfo t;
  t.task_id = r.Bytes();
  t.source_arn = r.Bytes();
  t.destination_arn = r.OptionalBytes();
  const bool has_rate = r.Bool();
  const int64_t rate = r.Signed();
  if (has_rate) t.max_per_second = rate;
  t.status = r.Bytes();
  t.moved = r.Signed();
  t.to_move = r.Signed();
  t.failure_reason = r.OptionalBytes();
  t.started_millis = r.Signed();
  if (!r.ok() || !r.done()) return std::nullopt;
  return t;
}

std::string MoveTaskKey(std::string_view task_id) {
  std::string key(MoveTasks::kObjectPrefix);
  key.append(kTaskPart);
  key.append(task_id);
  return key;
}

std::string MoveTaskCancelKey(std::string_view task_id) {
  std::string key(MoveTasks::kObjectPrefix);
  key.append(kCancelPart);
  key.append(task_id);
  return key;
}

std::optional<MoveTaskObject> ParseMoveTaskKey(std::string_view key) {
  if (!key.starts_with(MoveTasks::kObjectPrefix)) return std::nullopt;
  key.remove_prefix(MoveTasks::kObjectPrefix.size());
  MoveTaskObject object;
  if (key.starts_with(kTaskPart)) {
    key.remove_prefix(kTaskPart.size());
  } else if (key.starts_with(kCancelPart)) {
    key.remove_prefix(kCancelPart.size());
    object.cancel = true;
  } else {
    return std::nullopt;
  }
  if (key.empty()) return std::nullopt;
  object.task_id = std::string(key);
  return object;
}

}  // namespace wharf::sqs
