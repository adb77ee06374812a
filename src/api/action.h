#pragma once

// The action table: every action Wharf knows, with its wire name, service, IAM action name,
// batch twin and whether it targets a queue. One row per action; a unit test checks every row
// has a handler.

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace wharf::api {

enum class Service : uint8_t { kSqs };

enum class Action : uint8_t {
  kAddPermission,
  kCancelMessageMoveTask,
  kChangeMessageVisibility,
  kChangeMessageVisibilityBatch,
  kCreateQueue,
  kDeleteMessage,
  kDeleteMessageBatch,
  kDeleteQueue,
  kGetQueueAttributes,
  kGetQueueUrl,
  kListDeadLetterSourceQueues,
  kListMessageMoveTasks,
  kListQueues,
  kListQueueTags,
  kPurgeQueue,
  kReceiveMessage,
  kRemovePermission,
  kSendMessage,
  kSendMessageBatch,
  kSetQueueAttributes,
  kStartMessageMoveTask,
  kTagQueue,
  kUntagQueue,
};
inline constexpr size_t kActionCount = static_cast<size_t>(Action::kUntagQueue) + 1;

struct ActionInfo {
  Action action;
  Service service;
  std::string_view name;        // wire name: Action=<name>, X-Amz-Target: AmazonSQS.<name>
  std::string_view iam_action;  // permission checked for it, e.g. "sqs:SendMessage"
  bool targets_queue;           // input carries a QueueUrl naming the resource
  bool has_output;              // Query responses carry a <NameResult> element
};

const ActionInfo& InfoOf(Action action);
const std::array<ActionInfo, kActionCount>& AllActions();
// Looks up an action of `service` by its wire name (case-sensitive, as AWS is).
std::optional<Action> FindAction(Service service, std::string_view name);

}  // namespace wharf::api
