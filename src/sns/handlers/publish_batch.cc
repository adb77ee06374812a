// PublishBatch (sns-fanout.md §3): up to 10 messages; whole-request errors for the batch's
// shape, per-entry failures in Failed; the valid entries are published as one outbox write.

#include <algorithm>
#include <set>

#include "common/ids.h"
#include "sns/handlers/common.h"
#include "sns/handlers/handlers.h"
#include "sns/identifiers.h"
#include "sns/publish_validation.h"

namespace wharf::sns {
namespace {

constexpr size_t kMaxEntries = 10;

bool IsIdChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

api::ApiStatus ValidateShape(std::vector<wire::PublishBatchRequestEntry>& entries) {
  if (entries.empty()) return api::Error(api::ErrorCode::kSnsEmptyBatchRequest);
  if (entries.size() > kMaxEntries) {
    return api::Error(api::ErrorCode::kSnsTooManyEntriesInBatchRequest);
  }
  std::set<std::string_view> ids;
  int64_t total = 0;
  for (wire::PublishBatchRequestEntry& e : entries) {
    const std::string id = e.id.value_or("");
    if (id.size() > 80) {
      return api::Error(api::ErrorCode::kSnsInvalidBatchEntryId,
                        "The Id of a batch entry in the batch request is too long: " + id);
    }
    if (id.empty() || !std::all_of(id.begin(), id.end(), IsIdChar)) {
      return api::Error(
          api::ErrorCode::kSnsInvalidBatchEntryId,
          "The Id of a batch entry in the batch request contains an impermissible character: " +
              id);
    }
    if (!ids.insert(*e.id).second) return api::Error(api::ErrorCode::kSnsBatchEntryIdsNotDistinct);
    total += PublishedSize(PublishFieldsOf(e));
  }
  if (total > kMaxMessageBytes) return api::Error(api::ErrorCode::kSnsBatchRequestTooLong);
  return {};
}

wire::BatchResultErrorEntry FailedEntry(std::string id, const api::ApiError& error) {
  const api::ErrorInfo& info = api::InfoOf(error.code);
  wire::BatchResultErrorEntry entry;
  entry.id = std::move(id);
  entry.code = std::string(info.query_code);
  entry.message = error.message.empty() ? std::string(info.message) : error.message;
  entry.sender_fault = info.fault == api::Fault::kSender;
  return entry;
}

}  // namespace

void PublishBatch(SnsService& s, const Ctx& ctx, wire::PublishBatchInput in,
                  Reply<wire::PublishBatchOutput> reply) {
  auto topic = s.ResolveTopic(ctx, in.topic_arn, "TopicArn");
  if (!topic.ok()) return reply.Fail(std::move(topic).error());
  if (auto st = ValidateShape(in.entries); !st.ok()) return reply.Fail(std::move(st).error());
  const Topic& t = **topic;
  if (t.settings.fifo) {
    for (const auto& e : in.entries) {
      if (!e.message_group_id) {
        return reply.Fail(
            InvalidParameter("The MessageGroupId parameter is required for FIFO topics"));
      }
    }
  }

  std::vector<std::string> subscriptions;
  for (const auto& subscription : s.topics().SubscriptionsOf(t.record.account_id, t.record.name)) {
    subscriptions.push_back(subscription->record.arn);
  }
  wire::PublishBatchOutput out;
  std::vector<Publication> batch;
  std::vector<std::string> ids;  // of `batch`
  const int64_t now = s.clock().WallMillis();
  const std::string endpoint = s.EndpointFor(ctx);
  for (wire::PublishBatchRequestEntry& e : in.entries) {
    auto publication = BuildPublication(PublishFieldsOf(e), t.settings);
    if (!publication.ok()) {
      out.failed.push_back(FailedEntry(*e.id, publication.error()));
      continue;
    }
    Publication& p = batch.emplace_back(std::move(publication).value());
    p.topic_arn = t.record.arn;
    p.topic_account = t.record.account_id;
    p.message_id = NewUuid();
    p.timestamp_ms = now;
    p.endpoint = endpoint;
    p.subscription_arns = subscriptions;
    ids.push_back(*e.id);
  }
  if (batch.empty()) return reply.Ok(std::move(out));
  const bool fifo = t.settings.fifo;
  s.Publish(std::move(batch),
            [reply = std::move(reply), out = std::move(out), ids = std::move(ids), fifo](
                bool durable, const std::vector<Outbox::Added>& added) mutable {
              if (!durable) return reply.Fail(api::Error(api::ErrorCode::kSnsInternalError));
              for (size_t i = 0; i < added.size(); ++i) {
                wire::PublishBatchResultEntry entry;
                entry.id = ids[i];
                entry.message_id = added[i].message_id;
                if (fifo) entry.sequence_number = sqs::SequenceNumberOf(added[i].sequence);
                out.successful.push_back(std::move(entry));
              }
              reply.Ok(std::move(out));
            });
}

}  // namespace wharf::sns
