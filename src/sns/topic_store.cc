#include "sns/topic_store.h"

#include <algorithm>
#include <mutex>

#include "common/ids.h"
#include "sns/identifiers.h"
#include "sns/record_codec.h"
#include "storage/settle.h"

namespace wharf::sns {
namespace {

using api::Find;

// Reads Reload makes before giving up while this node keeps changing topics.
constexpr int kReloadAttempts = 3;

bool SameTags(const std::vector<Tag>& a, const std::vector<Tag>& b) {
  auto sorted = [](std::vector<Tag> tags) {
    std::sort(tags.begin(), tags.end(), [](const Tag& x, const Tag& y) { return x.key < y.key; });
    return tags;
  };
  return sorted(a) == sorted(b);
}

// A subscription attribute as GetSubscriptionAttributes would show it.
std::optional<std::string> EffectiveSubscriptionAttribute(const SubscriptionRecord& s,
                                                          std::string_view name) {
  if (const std::string* v = Find(s.attributes, name)) return *v;
  if (name == "RawMessageDelivery") return std::string("false");
  if (name == "FilterPolicyScope") return std::string("MessageAttributes");
  return std::nullopt;
}

}  // namespace

api::ApiError TopicNotFound() {
  return api::Error(api::ErrorCode::kSnsNotFound, "Topic does not exist");
}

api::ApiError SubscriptionNotFound() {
  return api::Error(api::ErrorCode::kSnsNotFound, "Subscription does not exist");
}

TopicStore::TopicStore(storage::Store& store, const Clock& clock, std::string region)
    : store_(store), clock_(clock), region_(std::move(region)) {}

std::string TopicStore::Key(std::string_view account, std::string_view name) {
  std::string key(account);
  key.push_back('/');
  key.append(name);
  return key;
}

std::shared_ptr<const Topic> TopicStore::MakeTopic(TopicRecord record) {
  auto topic = std::make_shared<Topic>();
  topic->settings = SettingsOf(record);
  topic->record = std::move(record);
  return topic;
}

api::ApiResult<std::shared_ptr<const Subscription>> TopicStore::MakeSubscription(
    SubscriptionRecord record) {
  auto filter = SubscriptionFilter::Of(record.attributes);
  if (!filter.ok()) {
    return api::Error(api::ErrorCode::kSnsInvalidParameter, "Invalid parameter: " + filter.error());
  }
  auto subscription = std::make_shared<Subscription>(
      Subscription{std::move(record), SubscriptionSettings{}, std::move(filter).value()});
  subscription->settings = SubscriptionSettingsOf(subscription->record);
  return std::shared_ptr<const Subscription>(std::move(subscription));
}

uint64_t TopicStore::Put(std::string key, std::string payload) {
  ++changes_;
  std::vector<storage::Record> records(1);
  records[0].type = storage::RecordType::kObjectPut;
  records[0].key = std::move(key);
  records[0].payload = std::move(payload);
  return store_.Append(std::move(records));
}

uint64_t TopicStore::Erase(std::vector<std::string> keys) {
  ++changes_;
  std::vector<storage::Record> records(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    records[i].type = storage::RecordType::kObjectDelete;
    records[i].key = std::move(keys[i]);
  }
  return store_.Append(std::move(records));
}

Status<std::string> TopicStore::Load() {
  TopicMap topics;
  SubscriptionMap subscriptions;
  WHARF_RETURN_IF_ERROR(Read(topics, subscriptions));
  std::unique_lock lock(mu_);
  topics_ = std::move(topics);
  subscriptions_ = std::move(subscriptions);
  return {};
}

Status<std::string> TopicStore::Reload() {
  for (int attempt = 0; attempt < kReloadAttempts; ++attempt) {
    uint64_t changes = 0;
    {
      std::shared_lock lock(mu_);
      changes = changes_;
    }
    // The scan may miss records not yet durable: this node's latest change would be undone.
    if (auto settled = storage::SettleAppended(store_); !settled.ok()) {
      return "cannot read the SNS topics: " + settled.error().detail;
    }
    TopicMap topics;
    SubscriptionMap subscriptions;
    WHARF_RETURN_IF_ERROR(Read(topics, subscriptions));
    std::unique_lock lock(mu_);
    // A change appended since the read began may be missing from it: read again.
    if (changes_ != changes) continue;
    // Readers that copied a Topic or Subscription keep their snapshot (shared ownership).
    topics_ = std::move(topics);
    subscriptions_ = std::move(subscriptions);
    return {};
  }
  return std::string("SNS topics changed during every reload attempt; try again later");
}

Status<std::string> TopicStore::Read(TopicMap& topics, SubscriptionMap& subscriptions) {
  std::string error;
  auto scanned = store_.ScanObjects(kTopicPrefix, [&](std::string_view key, std::string_view v) {
    if (!error.empty()) return;
    auto record = DecodeTopic(v);
    if (!record) {
      error = "unreadable SNS topic record " + std::string(key);
      return;
    }
    // The map key first: the assignment's right side is evaluated before its left.
    TopicEntry& entry = topics[Key(record->account_id, record->name)];
    entry.topic = MakeTopic(std::move(*record));
  });
  if (!scanned.ok()) return "cannot read the SNS topics: " + scanned.error().detail;
  if (!error.empty()) return error;

  std::vector<std::shared_ptr<const Subscription>> loaded;
  scanned = store_.ScanObjects(kSubscriptionPrefix, [&](std::string_view key, std::string_view v) {
    if (!error.empty()) return;
    auto record = DecodeSubscription(v);
    auto subscription = record ? MakeSubscription(std::move(*record))
                               : api::ApiResult<std::shared_ptr<const Subscription>>(
                                     api::Error(api::ErrorCode::kSnsInternalError));
    if (!subscription.ok()) {
      error = "unreadable SNS subscription record " + std::string(key);
      return;
    }
    loaded.push_back(std::move(subscription).value());
  });
  if (!scanned.ok()) return "cannot read the SNS subscriptions: " + scanned.error().detail;
  if (!error.empty()) return error;
  std::sort(loaded.begin(), loaded.end(), [](const auto& a, const auto& b) {
    return std::tie(a->record.created_ms, a->record.arn) <
           std::tie(b->record.created_ms, b->record.arn);
  });
  for (auto& subscription : loaded) {
    auto topic = ParseTopicArn(subscription->record.topic_arn, "TopicArn");
    if (!topic.ok()) continue;
    auto entry = topics.find(Key(topic->account, topic->name));
    // A topic and its subscriptions are deleted in one write, so none is left without its topic.
    if (entry == topics.end()) continue;
    entry->second.subscriptions.push_back(subscription);
    subscriptions.emplace(subscription->record.arn, subscription);
  }
  return {};
}

api::ApiResult<TopicStore::Changed> TopicStore::CreateTopic(TopicRecord proposed,
                                                            const api::StringPairs& given,
                                                            bool tags_given) {
  std::unique_lock lock(mu_);
  const std::string key = Key(proposed.account_id, proposed.name);
  if (auto it = topics_.find(key); it != topics_.end()) {
    const TopicRecord& existing = it->second.topic->record;
    for (const auto& [name, value] : given) {
      const std::optional<std::string> current = EffectiveTopicAttribute(existing, name);
      if (name == "FifoTopic" ? (value == "true") != existing.fifo : current != value) {
        return InvalidParameter(
            "Attributes Reason: Topic already exists with different attributes");
      }
    }
    if (tags_given && !SameTags(proposed.tags, existing.tags)) {
      return InvalidParameter("Tags Reason: Topic already exists with different tags");
    }
    return Changed{existing.arn, store_.Append({})};  // orders the answer after the creation
  }
  proposed.arn = TopicArnOf(region_, proposed.account_id, proposed.name);
  proposed.created_ms = clock_.WallMillis();
  std::sort(proposed.attributes.begin(), proposed.attributes.end());
  const uint64_t ticket = Put(TopicKey(proposed.account_id, proposed.name), EncodeTopic(proposed));
  std::string arn = proposed.arn;
  topics_[key].topic = MakeTopic(std::move(proposed));
  return Changed{std::move(arn), ticket};
}

uint64_t TopicStore::DeleteTopic(std::string_view account, std::string_view name) {
  std::unique_lock lock(mu_);
  auto it = topics_.find(Key(account, name));
  if (it == topics_.end()) return store_.Append({});
  std::vector<std::string> keys;
  keys.push_back(TopicKey(account, name));
  for (const auto& subscription : it->second.subscriptions) {
    keys.push_back(SubscriptionKey(subscription->record.arn));
    subscriptions_.erase(subscription->record.arn);
  }
  topics_.erase(it);
  return Erase(std::move(keys));
}

std::shared_ptr<const Topic> TopicStore::FindTopic(std::string_view account,
                                                   std::string_view name) const {
  std::shared_lock lock(mu_);
  auto it = topics_.find(Key(account, name));
  return it == topics_.end() ? nullptr : it->second.topic;
}

std::vector<std::string> TopicStore::ListTopics(std::string_view account, std::string_view after,
                                                size_t limit) const {
  std::shared_lock lock(mu_);
  const std::string prefix = Key(account, "");
  std::vector<std::string> arns;
  auto it = after.empty() ? topics_.lower_bound(prefix) : topics_.upper_bound(Key(account, after));
  for (; it != topics_.end() && arns.size() < limit; ++it) {
    if (it->first.compare(0, prefix.size(), prefix) != 0) break;
    arns.push_back(it->second.topic->record.arn);
  }
  return arns;
}

SubscriptionCounts TopicStore::CountsOf(std::string_view account, std::string_view name) const {
  std::shared_lock lock(mu_);
  SubscriptionCounts counts;
  auto it = topics_.find(Key(account, name));
  if (it != topics_.end()) counts.confirmed = static_cast<int64_t>(it->second.subscriptions.size());
  return counts;
}

api::ApiResult<uint64_t> TopicStore::EditTopic(std::string_view account, std::string_view name,
                                               const TopicEdit& edit) {
  std::unique_lock lock(mu_);
  auto it = topics_.find(Key(account, name));
  if (it == topics_.end()) return TopicNotFound();
  TopicRecord record = it->second.topic->record;
  WHARF_RETURN_IF_ERROR(edit(record));
  std::sort(record.attributes.begin(), record.attributes.end());
  const uint64_t ticket = Put(TopicKey(account, name), EncodeTopic(record));
  it->second.topic = MakeTopic(std::move(record));
  return ticket;
}

api::ApiResult<TopicStore::Changed> TopicStore::Subscribe(std::string_view account,
                                                          std::string_view name,
                                                          SubscriptionRecord proposed,
                                                          const api::StringPairs& given) {
  std::unique_lock lock(mu_);
  auto it = topics_.find(Key(account, name));
  if (it == topics_.end()) return TopicNotFound();
  for (const auto& existing : it->second.subscriptions) {
    const SubscriptionRecord& r = existing->record;
    if (r.protocol != proposed.protocol || r.endpoint != proposed.endpoint) continue;
    for (const auto& [attribute, value] : given) {
      if (EffectiveSubscriptionAttribute(r, attribute) != value) {
        return InvalidParameter(
            "Attributes Reason: Subscription already exists with different attributes");
      }
    }
    return Changed{r.arn, store_.Append({})};
  }
  proposed.arn = proposed.topic_arn + ":" + NewUuid();
  proposed.created_ms = clock_.WallMillis();
  std::sort(proposed.attributes.begin(), proposed.attributes.end());
  std::string payload = EncodeSubscription(proposed);
  WHARF_ASSIGN_OR_RETURN(auto subscription, MakeSubscription(std::move(proposed)));
  const uint64_t ticket = Put(SubscriptionKey(subscription->record.arn), std::move(payload));
  it->second.subscriptions.push_back(subscription);
  subscriptions_.emplace(subscription->record.arn, subscription);
  return Changed{subscription->record.arn, ticket};
}

api::ApiResult<uint64_t> TopicStore::Unsubscribe(std::string_view arn) {
  std::unique_lock lock(mu_);
  auto found = subscriptions_.find(arn);
  if (found == subscriptions_.end()) return SubscriptionNotFound();
  if (auto topic = ParseTopicArn(found->second->record.topic_arn, "TopicArn"); topic.ok()) {
    auto it = topics_.find(Key(topic->account, topic->name));
    if (it != topics_.end()) {
      std::erase_if(it->second.subscriptions,
                    [arn](const auto& s) { return s->record.arn == arn; });
    }
  }
  subscriptions_.erase(found);
  return Erase({SubscriptionKey(arn)});
}

std::shared_ptr<const Subscription> TopicStore::FindSubscription(std::string_view arn) const {
  std::shared_lock lock(mu_);
  auto it = subscriptions_.find(arn);
  return it == subscriptions_.end() ? nullptr : it->second;
}

api::ApiResult<uint64_t> TopicStore::EditSubscription(std::string_view arn,
                                                      const SubscriptionEdit& edit) {
  std::unique_lock lock(mu_);
  auto found = subscriptions_.find(arn);
  if (found == subscriptions_.end()) return SubscriptionNotFound();
  SubscriptionRecord record = found->second->record;
  WHARF_RETURN_IF_ERROR(edit(record));
  std::sort(record.attributes.begin(), record.attributes.end());
  std::string payload = EncodeSubscription(record);
  WHARF_ASSIGN_OR_RETURN(auto subscription, MakeSubscription(std::move(record)));
  const uint64_t ticket = Put(SubscriptionKey(arn), std::move(payload));
  if (auto topic = ParseTopicArn(subscription->record.topic_arn, "TopicArn"); topic.ok()) {
    auto it = topics_.find(Key(topic->account, topic->name));
    if (it != topics_.end()) {
      for (auto& s : it->second.subscriptions) {
        if (s->record.arn == arn) s = subscription;
      }
    }
  }
  found->second = std::move(subscription);
  return ticket;
}

std::vector<std::shared_ptr<const Subscription>> TopicStore::SubscriptionsOf(
    std::string_view account, std::string_view name) const {
  std::shared_lock lock(mu_);
  auto it = topics_.find(Key(account, name));
  if (it == topics_.end()) return {};
  return it->second.subscriptions;
}

std::vector<std::shared_ptr<const Subscription>> TopicStore::ListSubscriptions(
    std::string_view owner, std::string_view after, size_t limit) const {
  std::shared_lock lock(mu_);
  std::vector<std::shared_ptr<const Subscription>> out;
  for (auto it = subscriptions_.upper_bound(after); it != subscriptions_.end(); ++it) {
    if (it->second->record.owner != owner) continue;
    if (out.size() == limit) break;
    out.push_back(it->second);
  }
  return out;
}

std::vector<std::shared_ptr<const Subscription>> TopicStore::ListSubscriptionsByTopic(
    std::string_view topic_arn, std::string_view after, size_t limit) const {
  std::shared_lock lock(mu_);
  const std::string prefix = std::string(topic_arn) + ":";
  std::vector<std::shared_ptr<const Subscription>> out;
  auto it = after < std::string_view(prefix) ? subscriptions_.lower_bound(prefix)
                                             : subscriptions_.upper_bound(after);
  for (; it != subscriptions_.end() && out.size() < limit; ++it) {
    if (it->first.compare(0, prefix.size(), prefix) != 0) break;
    out.push_back(it->second);
  }
  return out;
}

}  // namespace wharf::sns
