#pragma once

// Messages an AWS service principal sends into a queue on behalf of one of its resources: SNS
// delivering a topic's message to a subscribed queue (sns-fanout.md §7.1, security.md §2.6).
// It is an sqs:SendMessage by the service principal (`sns.amazonaws.com`) with aws:SourceArn =
// the topic and aws:SourceAccount = its owner, over TLS as far as policies are concerned
// (aws:SecureTransport = true). Identity policies play no part: only the queue policy can let
// it in, also within one account, so a queue without a policy receives nothing.
//
// Once allowed, the message is validated against the queue (size, attributes, FIFO ids) and
// sent through the same engine path as SendMessage, and reported accepted only once durable.
// Thread-safety: call from any thread; `done` runs once, on the caller's thread or the store's.

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "api/error.h"
#include "api/sqs/message_types.h"
#include "sqs/engine/queue.h"

namespace wharf::sqs {

class SqsService;

struct ServiceMessage {
  std::string service;         // the service principal: "sns.amazonaws.com"
  std::string source_arn;      // aws:SourceArn: the resource sending (the topic)
  std::string source_account;  // aws:SourceAccount: its owner
  std::string sender_id;       // the message's SenderId attribute
  std::string body;
  api::sqs::MessageAttributeMap attributes;
  std::optional<std::string> group_id;          // FIFO queues (and fair standard queues)
  std::optional<std::string> deduplication_id;  // FIFO queues
};

// The send's result once durable (a FIFO duplicate is accepted too), or why not:
// QueueDoesNotExist, AccessDenied (the queue policy does not admit the service for this source),
// the SendMessage validation errors (the message does not fit the queue), or the storage errors
// (ServiceUnavailable/InternalFailure, see IsRetryableDeliveryError).
using ServiceSendDone = std::function<void(api::ApiResult<SendResult>)>;

void SendAsService(SqsService& sqs, std::string_view queue_arn, ServiceMessage message,
                   ServiceSendDone done);

// True for the failures a sender should retry (the server's fault: storage, throttling); false
// for the ones that will fail again the same way (client-side: policy, queue gone, bad message).
bool IsRetryableDeliveryError(const api::ApiError& error);

}  // namespace wharf::sqs
