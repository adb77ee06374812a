#pragma once

// Creates what wharf.toml provisions (provisioning_config.h) when the server starts, before it
// listens: queues (dead-letter queues before the queues that name them), topics, subscriptions,
// then IAM users with their inline policies and access keys. Everything goes through the API's
// handlers, called in-process as the root of the entry's account, so validation, defaults and
// error messages are the API's; the first error stops the start, naming the entry
// ("wharf.toml: queues[2] (orders.fifo): InvalidAttributeValue: ...").
//
// Idempotent: a second start with the same file creates nothing. What exists already is brought
// to what the file says, through the API's own setters: attributes the file gives are set
// (SetQueueAttributes, SetTopicAttributes, SetSubscriptionAttributes), tags it gives are added
// (TagQueue, TagResource), inline policies are put again when their text differs. Attributes,
// tags, policies and keys the file does not name are left as they are (nothing is deleted).
//
// Runs on the main thread at start; waits for each change to be durable before the next.

#include <functional>
#include <string>
#include <vector>

#include "common/result.h"
#include "iam/service.h"
#include "server/provisioning_config.h"
#include "sns/service.h"
#include "sqs/service.h"

namespace wharf::server {

struct ProvisionTargets {
  sqs::SqsService* sqs = nullptr;
  sns::SnsService* sns = nullptr;
  iam::IdentityService* identity = nullptr;
  std::string region;
  std::string default_account;
  std::vector<std::string> accounts;  // every account the server has: the default one included
  // Root access keys of those accounts, which an IAM user's key must not shadow.
  std::vector<std::string> root_access_keys;
  // Waits until every change made so far is durable; false if it could not be made so. IAM
  // changes are journaled without an answer gate in-process, so this is their barrier. Empty:
  // nothing is kept (memory store).
  std::function<bool()> sync;
};

struct ProvisionReport {
  struct Counts {
    int created = 0;
    int updated = 0;
    int unchanged = 0;
  };
  Counts queues, topics, subscriptions, users;

  // "queues 2 created, 1 updated, 0 unchanged; topics ..."
  std::string Summary() const;
};

Result<ProvisionReport, std::string> Provision(const Provisioning& plan,
                                               const ProvisionTargets& targets);

}  // namespace wharf::server
