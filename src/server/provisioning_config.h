#pragma once

// What wharf.toml asks to exist when the server starts (docs/provisioning.md): queues with their
// attributes, tags and dead-letter queues, topics, subscriptions of queues to topics, and IAM
// users with inline policies and fixed access keys. Parsed and shape-checked with the rest of the
// file (config_file.h); created by the Provisioner (provisioner.h) through the API's handlers.
//
//   [[queues]]
//   name = "orders"
//   attributes = { VisibilityTimeout = "60" }
//   tags = { team = "shop" }
//   dead_letter = { queue = "orders-dlq", max_receive_count = 5 }
//   allow_topics = ["events"]   # the queue policy lets these topics deliver (SNS → SQS)
//
//   [[topics]]
//   name = "events"
//
//   [[subscriptions]]
//   topic = "events"
//   queue = "orders"
//   attributes = { RawMessageDelivery = "true" }
//
//   [[users]]
//   name = "app"
//   policies = [{ name = "send", document = '''{"Version": "2012-10-17", ...}''' }]
//   access_keys = [{ id = "AKIAAPPEXAMPLE", secret = "..." }]

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace wharf::server {

using NamedValues = std::vector<std::pair<std::string, std::string>>;

struct QueueProvision {
  std::string where;  // "wharf.toml: queues[2] (orders.fifo)", for errors
  std::string name;
  std::string account;     // empty: the default account
  NamedValues attributes;  // as CreateQueue takes them
  NamedValues tags;
  // dead_letter: a queue of the same account; its RedrivePolicy is made from these.
  std::string dead_letter_queue;
  int64_t max_receive_count = 0;
  // Topics (names in the queue's account, or ARNs) whose deliveries the queue policy allows.
  std::vector<std::string> allow_topics;
};

struct TopicProvision {
  std::string where;
  std::string name;
  std::string account;
  NamedValues attributes;  // as CreateTopic takes them
  NamedValues tags;
};

struct SubscriptionProvision {
  std::string where;
  std::string topic;       // a topic name in `account`, or a topic ARN
  std::string queue;       // a queue name in `account`, or a queue ARN
  std::string account;     // empty: the default account; the subscriber
  NamedValues attributes;  // as Subscribe takes them (RawMessageDelivery, FilterPolicy, ...)
};

struct UserPolicyProvision {
  std::string name;
  std::string document;  // an IAM policy document (JSON)
};

struct AccessKeyProvision {
  std::string id;
  std::string secret;  // never logged
};

struct UserProvision {
  std::string where;
  std::string name;
  std::string account;
  std::vector<UserPolicyProvision> policies;  // inline policies (PutUserPolicy)
  std::vector<AccessKeyProvision> access_keys;
};

struct Provisioning {
  std::vector<QueueProvision> queues;
  std::vector<TopicProvision> topics;
  std::vector<SubscriptionProvision> subscriptions;
  std::vector<UserProvision> users;

  bool empty() const {
    return queues.empty() && topics.empty() && subscriptions.empty() && users.empty();
  }
};

}  // namespace wharf::server
