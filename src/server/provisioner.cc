#include "server/provisioner.h"

#include <algorithm>
#include <map>
#include <utility>

#include "api/action.h"
#include "api/error.h"
#include "common/ids.h"
#include "iam/handlers/handlers.h"
#include "server/in_process_call.h"
#include "sns/handlers/handlers.h"
#include "sns/identifiers.h"
#include "sqs/handlers/handlers.h"

namespace wharf::server {
namespace {

using api::Action;
namespace sqs_wire = api::sqs;
namespace sns_wire = api::sns;
namespace iam_wire = api::iam;

enum class Outcome : uint8_t { kCreated, kUpdated, kUnchanged };

void Count(ProvisionReport::Counts& counts, Outcome outcome) {
  switch (outcome) {
    case Outcome::kCreated:
      ++counts.created;
      return;
    case Outcome::kUpdated:
      ++counts.updated;
      return;
    case Outcome::kUnchanged:
      ++counts.unchanged;
      return;
  }
}

// "InvalidAttributeValue: <message>", as a client would see the error.
std::string Describe(const api::ApiError& error) {
  const api::ErrorInfo& info = api::InfoOf(error.code);
  return std::string(info.query_code) + ": " +
         (error.message.empty() ? std::string(info.message) : error.message);
}

std::string JsonString(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

// The queue policy that lets `topic_arns` deliver into the queue (sns-fanout.md §7.1), as the
// console writes it when it subscribes a queue to a topic.
std::string TopicDeliveryPolicy(const std::string& queue_arn,
                                const std::vector<std::string>& topic_arns) {
  std::string sources;
  for (const std::string& arn : topic_arns)
    sources += (sources.empty() ? "" : ",") + JsonString(arn);
  return R"({"Version":"2012-10-17","Statement":[{"Sid":"wharf-provisioned-topics",)"
         R"("Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},)"
         R"("Action":"sqs:SendMessage","Resource":)" +
         JsonString(queue_arn) + R"(,"Condition":{"ArnEquals":{"aws:SourceArn":[)" + sources +
         "]}}}]}";
}

bool IsArn(std::string_view text) { return text.rfind("arn:", 0) == 0; }

// True when every pair of `wanted` is in `current` with the same value.
bool Contains(const api::StringPairs& current, const NamedValues& wanted) {
  return std::all_of(wanted.begin(), wanted.end(), [&](const auto& pair) {
    return std::find(current.begin(), current.end(), pair) != current.end();
  });
}

std::vector<sns_wire::Tag> SnsTags(const NamedValues& tags) {
  std::vector<sns_wire::Tag> out;
  for (const auto& [key, value] : tags) out.push_back({key, value});
  return out;
}

class Provisioner {
 public:
  explicit Provisioner(const ProvisionTargets& targets) : t_(targets) {}

  Result<Outcome, std::string> Queue(const QueueProvision& q) {
    const std::string account = AccountOf(q.account);
    if (std::string problem = CheckAccount(account); !problem.empty()) {
      return q.where + ": " + problem;
    }
    const std::string arn = t_.sqs->queues().ArnOf(account, q.name);
    NamedValues attributes = q.attributes;
    if (!q.dead_letter_queue.empty()) {
      attributes.emplace_back("RedrivePolicy",
                              R"({"deadLetterTargetArn":)" +
                                  JsonString(t_.sqs->queues().ArnOf(account, q.dead_letter_queue)) +
                                  R"(,"maxReceiveCount":)" + std::to_string(q.max_receive_count) +
                                  "}");
    }
    if (!q.allow_topics.empty()) {
      std::vector<std::string> topics;
      for (const std::string& topic : q.allow_topics) topics.push_back(TopicArn(account, topic));
      attributes.emplace_back("Policy", TopicDeliveryPolicy(arn, topics));
    }
    const bool existed = t_.sqs->queues().Find(account, q.name) != nullptr;
    sqs_wire::CreateQueueInput create;
    create.queue_name = q.name;
    create.attributes = attributes;
    create.tags = q.tags;
    auto created =
        CallInProcess(&sqs::CreateQueue, *t_.sqs, Root(account, Action::kCreateQueue), create);
    if (!existed) {
      if (!created.ok()) return q.where + ": " + Describe(created.error());
      return Outcome::kCreated;
    }
    // It existed: CreateQueue succeeds when the attributes the file gives match (tags are not
    // compared), and says QueueNameExists when they do not.
    const std::string url = "http://localhost/" + account + "/" + q.name;
    bool changed = false;
    if (!created.ok()) {
      if (created.error().code != api::ErrorCode::kQueueNameExists) {
        return q.where + ": " + Describe(created.error());
      }
      sqs_wire::SetQueueAttributesInput set;
      set.queue_url = url;
      for (const auto& attribute : attributes) {
        if (attribute.first != "FifoQueue") set.attributes.push_back(attribute);  // not settable
      }
      auto updated = CallInProcess(&sqs::SetQueueAttributes, *t_.sqs,
                                   Root(account, Action::kSetQueueAttributes), set);
      if (!updated.ok()) return q.where + ": " + Describe(updated.error());
      changed = true;
    }
    if (!q.tags.empty()) {
      auto tags = CallInProcess(&sqs::ListQueueTags, *t_.sqs, Root(account, Action::kListQueueTags),
                                sqs_wire::QueueUrlInput{url});
      if (!tags.ok()) return q.where + ": " + Describe(tags.error());
      if (!Contains(tags->tags, q.tags)) {
        auto tagged = CallInProcess(&sqs::TagQueue, *t_.sqs, Root(account, Action::kTagQueue),
                                    sqs_wire::TagQueueInput{url, q.tags});
        if (!tagged.ok()) return q.where + ": " + Describe(tagged.error());
        changed = true;
      }
    }
    return changed ? Outcome::kUpdated : Outcome::kUnchanged;
  }

  Result<Outcome, std::string> Topic(const TopicProvision& topic) {
    const std::string account = AccountOf(topic.account);
    if (std::string problem = CheckAccount(account); !problem.empty()) {
      return topic.where + ": " + problem;
    }
    const bool existed = t_.sns->topics().FindTopic(account, topic.name) != nullptr;
    sns_wire::CreateTopicInput create;
    create.name = topic.name;
    create.attributes = topic.attributes;
    create.tags = SnsTags(topic.tags);
    auto created =
        CallInProcess(&sns::CreateTopic, *t_.sns, Root(account, Action::kCreateTopic), create);
    if (created.ok()) return existed ? Outcome::kUnchanged : Outcome::kCreated;
    if (!existed) return topic.where + ": " + Describe(created.error());
    // It exists with other attributes or tags: set the file's, one attribute per call as SNS
    // does. FifoTopic cannot change (and matches, since the name says it).
    const std::string arn = sns::TopicArnOf(t_.region, account, topic.name);
    for (const auto& [name, value] : topic.attributes) {
      if (name == "FifoTopic") continue;
      sns_wire::SetTopicAttributesInput set;
      set.topic_arn = arn;
      set.attribute_name = name;
      set.attribute_value = value;
      auto updated = CallInProcess(&sns::SetTopicAttributes, *t_.sns,
                                   Root(account, Action::kSetTopicAttributes), set);
      if (!updated.ok()) return topic.where + ": " + Describe(updated.error());
    }
    if (!topic.tags.empty()) {
      sns_wire::TagResourceInput tag;
      tag.resource_arn = arn;
      tag.tags = SnsTags(topic.tags);
      auto tagged =
          CallInProcess(&sns::TagResource, *t_.sns, Root(account, Action::kTagResource), tag);
      if (!tagged.ok()) return topic.where + ": " + Describe(tagged.error());
    }
    return Outcome::kUpdated;
  }

  Result<Outcome, std::string> Subscription(const SubscriptionProvision& s) {
    const std::string account = AccountOf(s.account);
    if (std::string problem = CheckAccount(account); !problem.empty()) {
      return s.where + ": " + problem;
    }
    const std::string topic_arn = TopicArn(account, s.topic);
    const std::string queue_arn =
        IsArn(s.queue) ? s.queue : t_.sqs->queues().ArnOf(account, s.queue);
    std::string existing;  // the ARN of the same (topic, sqs, queue) subscription, if any
    if (auto topic = sns::ParseTopicArn(topic_arn, "topic"); topic.ok()) {
      for (const auto& sub : t_.sns->topics().SubscriptionsOf(topic->account, topic->name)) {
        if (sub->record.protocol == "sqs" && sub->record.endpoint == queue_arn) {
          existing = sub->record.arn;
        }
      }
    }
    sns_wire::SubscribeInput subscribe;
    subscribe.topic_arn = topic_arn;
    subscribe.protocol = "sqs";
    subscribe.endpoint = queue_arn;
    subscribe.attributes = s.attributes;
    auto subscribed =
        CallInProcess(&sns::Subscribe, *t_.sns, Root(account, Action::kSubscribe), subscribe);
    if (subscribed.ok()) return existing.empty() ? Outcome::kCreated : Outcome::kUnchanged;
    if (existing.empty()) return s.where + ": " + Describe(subscribed.error());
    // Subscribed already with other attributes: set the file's.
    for (const auto& [name, value] : s.attributes) {
      sns_wire::SetSubscriptionAttributesInput set;
      set.subscription_arn = existing;
      set.attribute_name = name;
      set.attribute_value = value;
      auto updated = CallInProcess(&sns::SetSubscriptionAttributes, *t_.sns,
                                   Root(account, Action::kSetSubscriptionAttributes), set);
      if (!updated.ok()) return s.where + ": " + Describe(updated.error());
    }
    return Outcome::kUpdated;
  }

  Result<Outcome, std::string> User(const UserProvision& u) {
    const std::string account = AccountOf(u.account);
    if (std::string problem = CheckAccount(account); !problem.empty()) {
      return u.where + ": " + problem;
    }
    iam::IdentityStore& store = t_.identity->store();
    Outcome outcome = Outcome::kUnchanged;
    if (!store.GetUser(account, u.name).ok()) {
      iam_wire::CreateUserInput create;
      create.user_name = u.name;
      auto created =
          CallInProcess(&iam::CreateUser, *t_.identity, Root(account, Action::kCreateUser), create);
      if (!created.ok()) return u.where + ": " + Describe(created.error());
      outcome = Outcome::kCreated;
    }
    for (const UserPolicyProvision& policy : u.policies) {
      auto current = store.GetInlinePolicy(iam::Holder::kUser, account, u.name, policy.name);
      if (current.ok() && current->document == policy.document) continue;
      iam_wire::InlinePolicyInput put;
      put.entity.user_name = u.name;
      put.policy_name = policy.name;
      put.policy_document = policy.document;
      auto stored = CallInProcess(&iam::PutUserPolicy, *t_.identity,
                                  Root(account, Action::kPutUserPolicy), put);
      if (!stored.ok()) {
        return u.where + ": policy " + policy.name + ": " + Describe(stored.error());
      }
      if (outcome == Outcome::kUnchanged) outcome = Outcome::kUpdated;
    }
    for (const AccessKeyProvision& key : u.access_keys) {
      // A root key answers first (the credential chain asks the static store first), so a user
      // key with the same id would never be used.
      if (std::find(t_.root_access_keys.begin(), t_.root_access_keys.end(), key.id) !=
          t_.root_access_keys.end()) {
        return u.where + ": access key " + key.id + " is an account's root access key";
      }
      auto listed = store.ListAccessKeys(account, u.name);
      const bool had = listed.ok() && std::any_of(listed->begin(), listed->end(), [&](auto& k) {
                         return k.access_key_id == key.id;
                       });
      // No API action takes a chosen key; this is CreateAccessKey's store call with the id and
      // secret given (same user checks and per-user limit).
      auto imported = store.ImportAccessKey(account, u.name, key.id, key.secret);
      if (!imported.ok()) {
        return u.where + ": access key " + key.id + ": " + Describe(imported.error());
      }
      if (!had && outcome == Outcome::kUnchanged) outcome = Outcome::kUpdated;
    }
    return outcome;
  }

 private:
  std::string AccountOf(const std::string& given) const {
    return given.empty() ? t_.default_account : given;
  }

  std::string CheckAccount(const std::string& account) const {
    if (std::find(t_.accounts.begin(), t_.accounts.end(), account) != t_.accounts.end()) return {};
    return "account " + account + " is neither the default account nor one of [[accounts]]";
  }

  std::string TopicArn(const std::string& account, const std::string& topic) const {
    return IsArn(topic) ? topic : sns::TopicArnOf(t_.region, account, topic);
  }

  // The account's root calling `action`: what an API call with its root key would be.
  api::RequestContext Root(const std::string& account, Action action) const {
    api::RequestContext ctx;
    ctx.request_id = NewUuid();
    ctx.action = action;
    ctx.account_id = account;
    ctx.sender_id = account;
    ctx.region = t_.region;
    ctx.base_url = "http://localhost";
    return ctx;  // no caller: the authorizer takes it for the account's root
  }

  const ProvisionTargets& t_;
};

std::string Key(const std::string& account, const std::string& name) {
  return account + "/" + name;
}

// The queues in an order where a dead-letter queue the file provisions comes before the queues
// that name it (SQS checks that a RedrivePolicy's target exists). Also refuses a queue given
// twice and dead-letter cycles.
Result<std::vector<const QueueProvision*>, std::string> QueueOrder(
    const std::vector<QueueProvision>& queues, const std::string& default_account) {
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < queues.size(); ++i) {
    const QueueProvision& q = queues[i];
    const std::string key = Key(q.account.empty() ? default_account : q.account, q.name);
    if (auto [it, fresh] = index.emplace(key, i); !fresh) {
      return q.where + ": the same queue as " + queues[it->second].where;
    }
  }
  std::vector<const QueueProvision*> order;
  std::vector<int> state(queues.size(), 0);  // 0 new, 1 on the path, 2 placed
  for (size_t start = 0; start < queues.size(); ++start) {
    // Follows the dead-letter chain from `start`, then places it from its end.
    std::vector<size_t> path;
    size_t at = start;
    while (state[at] == 0) {
      state[at] = 1;
      path.push_back(at);
      const QueueProvision& q = queues[at];
      if (q.dead_letter_queue.empty()) break;
      auto next =
          index.find(Key(q.account.empty() ? default_account : q.account, q.dead_letter_queue));
      if (next == index.end()) break;  // a queue that exists already, or a mistake the API names
      if (state[next->second] == 1) {
        return q.where + ": dead-letter queues form a cycle through " + q.dead_letter_queue;
      }
      at = next->second;
    }
    for (auto it = path.rbegin(); it != path.rend(); ++it) {
      state[*it] = 2;
      order.push_back(&queues[*it]);
    }
  }
  return order;
}

// Refuses the same topic, subscription or user twice: the second would silently win.
template <typename Entry, typename KeyOf>
std::string FindDuplicate(const std::vector<Entry>& entries, KeyOf key_of) {
  std::map<std::string, const Entry*> seen;
  for (const Entry& e : entries) {
    if (auto [it, fresh] = seen.emplace(key_of(e), &e); !fresh) {
      return e.where + ": the same as " + it->second->where;
    }
  }
  return {};
}

}  // namespace

std::string ProvisionReport::Summary() const {
  auto part = [](const char* what, const Counts& c) {
    return std::string(what) + " " + std::to_string(c.created) + " created, " +
           std::to_string(c.updated) + " updated, " + std::to_string(c.unchanged) + " unchanged";
  };
  return part("queues", queues) + "; " + part("topics", topics) + "; " +
         part("subscriptions", subscriptions) + "; " + part("users", users);
}

Result<ProvisionReport, std::string> Provision(const Provisioning& plan,
                                               const ProvisionTargets& targets) {
  const std::string& fallback = targets.default_account;
  auto account_of = [&](const std::string& a) { return a.empty() ? fallback : a; };
  if (std::string dup = FindDuplicate(
          plan.topics, [&](const TopicProvision& t) { return Key(account_of(t.account), t.name); });
      !dup.empty()) {
    return dup;
  }
  if (std::string dup = FindDuplicate(plan.subscriptions,
                                      [&](const SubscriptionProvision& s) {
                                        return Key(account_of(s.account), s.topic) + " " + s.queue;
                                      });
      !dup.empty()) {
    return dup;
  }
  if (std::string dup = FindDuplicate(
          plan.users, [&](const UserProvision& u) { return Key(account_of(u.account), u.name); });
      !dup.empty()) {
    return dup;
  }
  auto queues = QueueOrder(plan.queues, fallback);
  if (!queues.ok()) return std::move(queues).error();

  Provisioner provisioner(targets);
  ProvisionReport report;
  for (const QueueProvision* q : *queues) {
    auto done = provisioner.Queue(*q);
    if (!done.ok()) return std::move(done).error();
    Count(report.queues, *done);
  }
  for (const TopicProvision& t : plan.topics) {
    auto done = provisioner.Topic(t);
    if (!done.ok()) return std::move(done).error();
    Count(report.topics, *done);
  }
  for (const SubscriptionProvision& s : plan.subscriptions) {
    auto done = provisioner.Subscription(s);
    if (!done.ok()) return std::move(done).error();
    Count(report.subscriptions, *done);
  }
  for (const UserProvision& u : plan.users) {
    auto done = provisioner.User(u);
    if (!done.ok()) return std::move(done).error();
    Count(report.users, *done);
  }
  if (targets.sync && !targets.sync()) {
    return std::string("provisioning: the changes could not be made durable");
  }
  return report;
}

}  // namespace wharf::server
