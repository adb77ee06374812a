#pragma once

// The stored form of a message move task (move_tasks.h): a versioned record, kept under the task
// id in the embedded store (kTaskPut) or as a keyed object of the shared store (--storage
// postgres), with the keys of shared tasks and of their cancel requests.

#include <optional>
#include <string>
#include <string_view>

#include "sqs/move_tasks.h"

namespace wharf::sqs {

std::string EncodeMoveTask(const MoveTaskInfo& task);
// nullopt for a record this version cannot read.
std::optional<MoveTaskInfo> DecodeMoveTask(std::string_view payload);

// Shared tasks: the object key of the task's record and of a cancel request for it.
std::string MoveTaskKey(std::string_view task_id);
std::string MoveTaskCancelKey(std::string_view task_id);
// The task id of a key of either kind under MoveTasks::kObjectPrefix, and which kind it is;
// nullopt for any other key.
struct MoveTaskObject {
  std::string task_id;
  bool cancel = false;
};
std::optional<MoveTaskObject> ParseMoveTaskKey(std::string_view key);

}  // namespace wharf::sqs
