// --auto-create-queues on (development): a queue of the caller's own account that does not exist
// is created on its first use, as a CreateQueue without attributes would create it (FIFO when
// the name ends in ".fifo"), and only for a caller who may sqs:CreateQueue it.
//
// Durability: the queue record is appended at once and synced with the next commit; whatever the
// first request then writes (a message) is appended after it, so it cannot become durable
// without the queue. A crash within that commit can lose only the empty queue, and the next use
// creates it again.

#include "sqs/handlers/common.h"
#include "sqs/service.h"

namespace wharf::sqs {
namespace {

// The actions that are a queue's "first use": finding it, sending to it, receiving from it,
// reading its attributes. Not DeleteQueue or PurgeQueue (creating a queue to empty or delete it
// makes no sense), nor changes of messages that cannot exist yet.
bool IsFirstUse(api::Action action) {
  switch (action) {
    case api::Action::kGetQueueUrl:
    case api::Action::kSendMessage:
    case api::Action::kSendMessageBatch:
    case api::Action::kReceiveMessage:
    case api::Action::kGetQueueAttributes:
      return true;
    default:
      return false;
  }
}

}  // namespace

std::shared_ptr<QueueBackend> SqsService::CreateOnFirstUse(const api::RequestContext& ctx,
                                                           std::string_view name) {
  if (!options_.auto_create_queues || !IsFirstUse(ctx.action)) return nullptr;
  const std::string queue_name(name);
  const bool fifo = queue_name.ends_with(".fifo");
  if (!ValidateQueueName(queue_name, fifo, limits().max_queue_name_length).ok()) return nullptr;
  const std::string arn = catalog_.ArnOf(ctx.account_id, queue_name);
  // The same decision as a CreateQueue by this caller; a refusal leaves the queue missing.
  if (!AuthorizeAction(ctx, "sqs:CreateQueue", arn, ctx.account_id, nullptr).ok()) return nullptr;
  api::StringPairs attributes;
  if (fifo) attributes.emplace_back("FifoQueue", "true");
  QueueConfig config;
  config.fifo = fifo;
  config.maximum_message_size = limits().max_message_size;
  config.created_timestamp = clock_.WallMillis() / 1000;
  config.last_modified_timestamp = config.created_timestamp;
  if (!ApplyAttributes(config, attributes, AttributeMode::kCreate, limits(),
                       TypeLookup(arn, ctx.account_id))
           .ok()) {
    return nullptr;
  }
  // A concurrent first use may have created it meanwhile: Create then keeps that queue. The
  // request goes on without waiting for the new queue to be durable: whatever it appends is
  // ordered after the queue's record. A refused Create (e.g. QueueDeletedRecently) leaves the
  // queue missing. A catalog that makes the queue findable only when `done` runs later (a
  // database catalog answering from its worker threads) leaves this request QueueDoesNotExist;
  // the next one finds the queue.
  catalog_.Create(ctx.account_id, queue_name, std::move(config), {}, attributes,
                  [](const api::ApiResult<QueueCatalog::Created>&) {});
  return catalog_.Find(ctx.account_id, queue_name);
}

}  // namespace wharf::sqs
