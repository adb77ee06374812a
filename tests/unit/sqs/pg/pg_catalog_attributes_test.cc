// The rest of the queue row (src/sqs/pg: queue_row_codec, dead_letter_target,
// pg_queue_attributes.cc) against a real PostgreSQL server: every attribute and the tags reach
// another node, CreateQueue's idempotency and QueueDeletedRecently, RedrivePolicy's dlq_id,
// SetQueueAttributes / AddPermission / TagQueue / UntagQueue over the row's version, and the
// engine's errors for bad values. Two "nodes" are two catalogs, each with its own pool, workers
// and objects, over one database. Run with tests/postgres/run.sh (skips without a server).

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/ids.h"
#include "pg_sqs_test_support.h"
#include "sqs/handlers/common.h"  // ValidateTags
#include "sqs/pg/pg_catalog.h"
#include "sqs/queue_policy_edit.h"

namespace wharf::sqs::pg {
namespace {

namespace spg = storage::pg;
using api::ErrorCode;
using testing::CreateAndWait;
using testing::kCatalogAnswerBound;
using testing::Node;
using testing::RemoveAndWait;

// A valid queue policy (security.md §2.8), and another.
const std::string kPolicy =
    R"({"Version":"2012-10-17","Id":"mine","Statement":{"Sid":"own","Effect":"Allow",)"
    R"("Principal":"*","Action":"sqs:GetQueueUrl","Resource":"*"}})";
const std::string kOtherPolicy =
    R"({"Version":"2012-10-17","Statement":[{"Sid":"other","Effect":"Deny",)"
    R"("Principal":"*","Action":"sqs:SendMessage","Resource":"*"}]})";

// How each node of these tests is built (testing::Node): the same key and sizes on every node,
// and the `limits` a test gives it.
testing::NodeOptions NodeWith(Limits limits) {
  return testing::NodeOptions{.receipt_key = "pg-attributes-test-key", .limits = limits};
}

// Waits (bounded) for an operation answering through a callback.
template <typename Answer>
Answer Await(const std::function<void(std::function<void(Answer)>)>& call) {
  auto answer = std::make_shared<std::promise<Answer>>();
  auto future = answer->get_future();
  call([answer](Answer a) { answer->set_value(std::move(a)); });
  if (future.wait_for(kCatalogAnswerBound) != std::future_status::ready) {
    return api::Error(ErrorCode::kInternalFailure, "no answer");
  }
  return future.get();
}

api::StringPairs Sorted(api::StringPairs pairs) {
  std::sort(pairs.begin(), pairs.end());
  return pairs;
}

// Everything GetQueueAttributes reports, plus what it does not (the reuse period without a KMS
// key, the parsed policy): equal configurations give equal lists.
api::StringPairs Observable(const QueueConfig& config) {
  api::StringPairs out = RenderAttributes(config, {}, "arn", {"All"}).value();
  out.emplace_back("kms_data_key_reuse_period_seconds",
                   std::to_string(config.kms_data_key_reuse_period_seconds));
  out.emplace_back("policy_document", config.policy_document ? "parsed" : "none");
  return out;
}

class PgCatalogAttributesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WHARF_REQUIRE_POSTGRES();
    database_ = spg::testing::SharedOpsDatabase();
    ASSERT_FALSE(database_.empty());
    a_ = std::make_unique<Node>(database_, NodeWith(Limits{}));
    b_ = std::make_unique<Node>(database_, NodeWith(Limits{}));
    // Queues of this test's own account: the shared database keeps other tests' rows.
    account_ = "att" + NewUuid().substr(0, 9);
  }

  std::string Arn(const std::string& name) const { return a_->catalog.ArnOf(account_, name); }

  std::string Redrive(const std::string& dlq, const std::string& count) const {
    return R"({"deadLetterTargetArn":")" + Arn(dlq) + R"(","maxReceiveCount":)" + count + "}";
  }

  // SqsService::TypeLookup over `catalog`: what the handlers pass for RedrivePolicy checks.
  QueueTypeLookup Lookup(const PgCatalog& catalog, const std::string& source) const {
    return [&catalog, source_arn = Arn(source),
            account = account_](std::string_view arn) -> std::optional<DeadLetterTarget> {
      auto queue = catalog.FindByArn(arn);
      if (!queue || queue->identity().account_id != account) return std::nullopt;
      const QueueConfig config = queue->config();
      const bool allows =
          !config.redrive_allow_policy || RedriveAllows(*config.redrive_allow_policy, source_arn);
      return DeadLetterTarget{queue->identity().fifo, allows};
    };
  }

  // The configuration the CreateQueue handler builds from `attributes` (before the catalog).
  api::ApiResult<QueueConfig> HandlerConfig(const PgCatalog& catalog, const std::string& name,
                                            const api::StringPairs& attributes) const {
    QueueConfig config;
    for (const auto& [attr, value] : attributes) {
      if (attr == "FifoQueue" && value == "true") config.fifo = true;
    }
    WHARF_RETURN_IF_ERROR(ApplyAttributes(config, attributes, AttributeMode::kCreate, Limits{},
                                          Lookup(catalog, name)));
    return config;
  }

  // CreateQueue as its handler runs it: the attributes checked and applied, then the catalog.
  api::ApiResult<QueueCatalog::Created> CreateLikeTheHandler(Node& node, const std::string& name,
                                                             const api::StringPairs& attributes,
                                                             api::StringPairs tags = {}) {
    auto config = HandlerConfig(node.catalog, name, attributes);
    if (!config.ok()) return std::move(config).error();
    return CreateAndWait(node.catalog, account_, name, std::move(config).value(), std::move(tags),
                         attributes);
  }

  std::shared_ptr<QueueBackend> MustCreate(Node& node, const std::string& name,
                                           const api::StringPairs& attributes = {},
                                           api::StringPairs tags = {}) {
    auto created = CreateLikeTheHandler(node, name, attributes, std::move(tags));
    EXPECT_TRUE(created.ok()) << name << ": " << (created.ok() ? "" : created.error().message);
    return created.ok() ? created->queue : nullptr;
  }

  static api::ApiStatus SetAttributes(QueueBackend& queue, const api::StringPairs& attributes,
                                      const QueueTypeLookup& lookup) {
    return Await<api::ApiStatus>(
        [&](Done done) { queue.SetAttributes(attributes, lookup, std::move(done)); });
  }
  static api::ApiStatus Tag(QueueBackend& queue, const api::StringPairs& tags) {
    return Await<api::ApiStatus>([&](Done done) { queue.Tag(tags, std::move(done)); });
  }
  static api::ApiStatus Untag(QueueBackend& queue, const std::vector<std::string>& keys) {
    return Await<api::ApiStatus>([&](Done done) { queue.Untag(keys, std::move(done)); });
  }
  static api::ApiStatus EditPolicy(QueueBackend& queue, QueueBackend::PolicyEdit edit) {
    return Await<api::ApiStatus>([&](Done done) { queue.EditPolicy(edit, std::move(done)); });
  }

  static api::ApiStatus Send(QueueBackend& queue, const std::string& body) {
    auto content = std::make_shared<MessageContent>();
    content->message_id = NewUuid();
    content->body = body;
    std::vector<NewMessage> messages(1);
    messages[0].content = std::move(content);
    auto sent = Await<api::ApiResult<std::vector<SendResult>>>(
        [&](SendDone done) { queue.Send(std::move(messages), std::move(done)); });
    if (!sent.ok()) return std::move(sent).error();
    return api::ApiStatus::Ok();
  }

  // The bodies one receive returns, with visibility timeout 0 (received again at once).
  static std::vector<std::string> Receive(QueueBackend& queue) {
    ReceiveOptions options;
    options.max_messages = 10;
    options.visibility_timeout = 0;
    auto got = Await<api::ApiResult<std::vector<ReceivedMessage>>>(
        [&](ReceiveDone done) { queue.Receive(options, std::move(done)); });
    EXPECT_TRUE(got.ok()) << (got.ok() ? "" : got.error().message);
    std::vector<std::string> bodies;
    if (got.ok()) {
      for (const ReceivedMessage& m : *got) bodies.push_back(m.content->body);
    }
    return bodies;
  }

  // What `node` shows once its cache of queue rows has caught up with the database: the server
  // refreshes every second (and at once for the node's own changes); the tests refresh now.
  std::shared_ptr<QueueBackend> FindFresh(Node& node, const std::string& name) {
    EXPECT_TRUE(node.catalog.RefreshNow().ok());
    return node.catalog.Find(account_, name);
  }

  std::optional<spg::QueueRow> Row(Node& node, const std::string& name) {
    auto row = node.ops.GetQueue(account_, name);
    EXPECT_TRUE(row.ok());
    return row.ok() ? *row : std::nullopt;
  }

  std::string database_;
  std::unique_ptr<Node> a_;
  std::unique_ptr<Node> b_;
  std::string account_;
};

#define EXPECT_SAME_ERROR(actual, expected)                          \
  do {                                                               \
    ASSERT_FALSE((actual).ok());                                     \
    ASSERT_FALSE((expected).ok());                                   \
    EXPECT_EQ((actual).error().code, (expected).error().code);       \
    EXPECT_EQ((actual).error().message, (expected).error().message); \
  } while (0)

TEST_F(PgCatalogAttributesTest, EveryAttributeAndTheTagsReachAnotherNode) {
  auto dlq = MustCreate(*a_, "dlq");
  ASSERT_NE(dlq, nullptr);
  const api::StringPairs attributes = {
      {"DelaySeconds", "5"},
      {"MaximumMessageSize", "2048"},
      {"MessageRetentionPeriod", "3600"},
      {"ReceiveMessageWaitTimeSeconds", "7"},
      {"VisibilityTimeout", "45"},
      {"Policy", kPolicy},
      {"RedrivePolicy", Redrive("dlq", "\"4\"")},
      {"RedriveAllowPolicy", R"({"redrivePermission":"denyAll"})"},
      {"KmsDataKeyReusePeriodSeconds", "600"},
      {"SqsManagedSseEnabled", "false"},
  };
  const api::StringPairs tags = {
      {"team", "a"}, {"note", "quote \" backslash \\ newline \n tab \t \xC3\xA9"}, {"empty", ""}};
  auto created = CreateLikeTheHandler(*a_, "all", attributes, tags);
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_TRUE(created->is_new);

  auto found = FindFresh(*b_, "all");
  ASSERT_NE(found, nullptr);
  QueueConfig expected = HandlerConfig(a_->catalog, "all", attributes).value();
  const QueueConfig got = found->config();
  EXPECT_GT(got.created_timestamp, 0);
  EXPECT_EQ(got.last_modified_timestamp, got.created_timestamp);
  expected.created_timestamp = got.created_timestamp;
  expected.last_modified_timestamp = got.last_modified_timestamp;
  EXPECT_EQ(Observable(got), Observable(expected));
  EXPECT_EQ(got.policy, kPolicy) << "returned verbatim";
  ASSERT_NE(found->policy(), nullptr);
  EXPECT_EQ(found->send_rules().maximum_message_size, 2048);
  EXPECT_EQ(Sorted(found->tags()), Sorted(tags));
  EXPECT_FALSE(found->identity().fifo);
  // The object Create answered with is the stored row too.
  EXPECT_EQ(Observable(created->queue->config()), Observable(got));
  EXPECT_EQ(Sorted(created->queue->tags()), Sorted(tags));

  // The receive statement redrives by these columns.
  auto row = Row(*b_, "all");
  ASSERT_TRUE(row);
  EXPECT_EQ(row->config.dlq_id, static_cast<int64_t>(dlq->identity().id));
  EXPECT_EQ(row->config.max_receive, 4);
  EXPECT_EQ(row->version, 1);

  // A queue created with nothing set reads back as the engine's defaults.
  MustCreate(*a_, "plain");
  QueueConfig defaults;
  const QueueConfig plain = FindFresh(*b_, "plain")->config();
  defaults.created_timestamp = plain.created_timestamp;
  defaults.last_modified_timestamp = plain.last_modified_timestamp;
  EXPECT_EQ(Observable(plain), Observable(defaults));
  EXPECT_TRUE(FindFresh(*b_, "plain")->tags().empty());
}

TEST_F(PgCatalogAttributesTest, FifoQueueKeepsItsDeduplicationScopeFromCreation) {
  ASSERT_NE(MustCreate(*a_, "dlq.fifo", {{"FifoQueue", "true"}}), nullptr);
  const api::StringPairs attributes = {
      {"FifoQueue", "true"},
      {"ContentBasedDeduplication", "true"},
      {"DeduplicationScope", "messageGroup"},
      {"FifoThroughputLimit", "perMessageGroupId"},
      {"RedrivePolicy", Redrive("dlq.fifo", "2")},
  };
  ASSERT_NE(MustCreate(*a_, "f.fifo", attributes), nullptr);

  auto found = FindFresh(*b_, "f.fifo");
  ASSERT_NE(found, nullptr);
  EXPECT_TRUE(found->identity().fifo);
  EXPECT_TRUE(found->identity().dedup_by_group);
  QueueConfig expected = HandlerConfig(a_->catalog, "f.fifo", attributes).value();
  expected.created_timestamp = found->config().created_timestamp;
  expected.last_modified_timestamp = found->config().last_modified_timestamp;
  EXPECT_EQ(Observable(found->config()), Observable(expected));
  EXPECT_TRUE(found->send_rules().content_based_deduplication);
  EXPECT_TRUE(Row(*a_, "f.fifo")->config.fifo);

  // DeduplicationScope may change; the scope messages are deduplicated by stays (as the engine's
  // QueueIdentity::dedup_by_group).
  ASSERT_TRUE(SetAttributes(*found,
                            {{"FifoThroughputLimit", "perQueue"}, {"DeduplicationScope", "queue"}},
                            Lookup(b_->catalog, "f.fifo"))
                  .ok());
  auto fresh = FindFresh(*a_, "f.fifo");
  EXPECT_EQ(fresh->config().deduplication_scope, "queue");
  EXPECT_EQ(fresh->config().fifo_throughput_limit, "perQueue");
  EXPECT_TRUE(fresh->identity().dedup_by_group);

  // A FIFO queue without messageGroup scope.
  ASSERT_NE(MustCreate(*a_, "plain.fifo", {{"FifoQueue", "true"}}), nullptr);
  EXPECT_FALSE(FindFresh(*b_, "plain.fifo")->identity().dedup_by_group);
}

// CreateQueue's idempotency (sqs-api.md §2.1) for attributes beyond the row's columns, compared
// as the engine compares (AttributeMatches against the stored row).
TEST_F(PgCatalogAttributesTest, CreatingAnExistingNameComparesEveryAttribute) {
  ASSERT_NE(MustCreate(*a_, "dlq"), nullptr);
  const api::StringPairs attributes = {
      {"Policy", kPolicy},
      {"RedrivePolicy", Redrive("dlq", "\"4\"")},
      {"MaximumMessageSize", "2048"},
      {"SqsManagedSseEnabled", "false"},
  };
  auto first = CreateLikeTheHandler(*a_, "idem", attributes, {{"t", "1"}});
  ASSERT_TRUE(first.ok());

  auto again = CreateLikeTheHandler(*b_, "idem", attributes, {{"t", "1"}});
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_FALSE(again->is_new);
  EXPECT_EQ(again->queue->identity().id, first->queue->identity().id);
  // The same value written differently.
  auto same = CreateLikeTheHandler(*b_, "idem", {{"RedrivePolicy", Redrive("dlq", "4")}});
  EXPECT_TRUE(same.ok());

  for (const api::StringPairs& different : std::vector<api::StringPairs>{
           {{"MaximumMessageSize", "4096"}},
           {{"Policy", kOtherPolicy}},
           {{"RedrivePolicy", Redrive("dlq", "5")}},
           {{"SqsManagedSseEnabled", "true"}},
           {{"ReceiveMessageWaitTimeSeconds", "3"}},
       }) {
    auto refused = CreateLikeTheHandler(*b_, "idem", different);
    ASSERT_FALSE(refused.ok()) << different[0].first;
    EXPECT_EQ(refused.error().code, ErrorCode::kQueueNameExists);
    EXPECT_EQ(refused.error().message,
              "A queue already exists with the same name and a different value for attribute " +
                  different[0].first);
  }
  EXPECT_EQ(Row(*a_, "idem")->version, 1) << "nothing was written";
}

TEST_F(PgCatalogAttributesTest, ADeletedNameIsRefusedOnEveryNodeForTheWindow) {
  auto queue = MustCreate(*a_, "again");
  ASSERT_NE(queue, nullptr);
  ASSERT_TRUE(RemoveAndWait(a_->catalog, queue).ok());
  for (Node* node : {a_.get(), b_.get()}) {
    auto refused = CreateAndWait(node->catalog, account_, "again");
    ASSERT_FALSE(refused.ok());
    // As QueueRegistry answers it.
    EXPECT_EQ(refused.error().code, ErrorCode::kQueueDeletedRecently);
    EXPECT_EQ(refused.error().message, api::Error(ErrorCode::kQueueDeletedRecently).message);
  }
  EXPECT_EQ(FindFresh(*b_, "again"), nullptr) << "nothing was created";

  // The window is the node's Limits::recreate_after_delete_seconds.
  Limits brief;
  brief.recreate_after_delete_seconds = 1;
  Node short_window(database_, NodeWith(brief));
  auto gone = CreateAndWait(short_window.catalog, account_, "brief");
  ASSERT_TRUE(gone.ok());
  ASSERT_TRUE(RemoveAndWait(short_window.catalog, gone->queue).ok());
  EXPECT_FALSE(CreateAndWait(short_window.catalog, account_, "brief").ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  auto back = CreateAndWait(short_window.catalog, account_, "brief");
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_TRUE(back->is_new);

  Limits none;
  none.recreate_after_delete_seconds = 0;
  Node no_window(database_, NodeWith(none));
  auto once = CreateAndWait(no_window.catalog, account_, "at-once");
  ASSERT_TRUE(once.ok());
  ASSERT_TRUE(RemoveAndWait(no_window.catalog, once->queue).ok());
  EXPECT_TRUE(CreateAndWait(no_window.catalog, account_, "at-once").ok());
}

TEST_F(PgCatalogAttributesTest, RedrivePolicyMovesOverReceivedMessagesToTheDeadLetterQueue) {
  auto dlq = MustCreate(*a_, "dlq");
  ASSERT_NE(dlq, nullptr);
  auto source = MustCreate(*a_, "source", {{"RedrivePolicy", Redrive("dlq", "1")}});
  ASSERT_NE(source, nullptr);
  ASSERT_TRUE(Send(*source, "poison").ok());
  EXPECT_EQ(Receive(*source), std::vector<std::string>{"poison"});
  EXPECT_TRUE(Receive(*source).empty()) << "received once already: moved instead";
  EXPECT_EQ(Receive(*FindFresh(*b_, "dlq")), std::vector<std::string>{"poison"});

  // Set later, from another node, on a queue that had none.
  auto later = MustCreate(*a_, "later");
  ASSERT_NE(later, nullptr);
  ASSERT_TRUE(Send(*later, "second").ok());
  auto on_b = FindFresh(*b_, "later");
  ASSERT_TRUE(
      SetAttributes(*on_b, {{"RedrivePolicy", Redrive("dlq", "1")}}, Lookup(b_->catalog, "later"))
          .ok());
  EXPECT_EQ(Row(*a_, "later")->config.dlq_id, static_cast<int64_t>(dlq->identity().id));
  EXPECT_EQ(Receive(*later), std::vector<std::string>{"second"});
  EXPECT_TRUE(Receive(*later).empty());
  // "poison" is there too: received above with visibility timeout 0.
  EXPECT_EQ(Receive(*dlq), (std::vector<std::string>{"poison", "second"}));

  // Removed: the columns go with it.
  ASSERT_TRUE(SetAttributes(*on_b, {{"RedrivePolicy", ""}}, Lookup(b_->catalog, "later")).ok());
  auto row = Row(*a_, "later");
  EXPECT_FALSE(row->config.dlq_id);
  EXPECT_FALSE(row->config.max_receive);
  EXPECT_FALSE(FindFresh(*a_, "later")->config().redrive_policy);
}

TEST_F(PgCatalogAttributesTest, ChangesShowInAFreshFindOnEveryNode) {
  auto queue = MustCreate(*a_, "live");
  ASSERT_NE(queue, nullptr);
  const int64_t created_at = queue->config().created_timestamp;
  ASSERT_TRUE(SetAttributes(*queue,
                            {{"VisibilityTimeout", "99"},
                             {"MaximumMessageSize", "4096"},
                             {"Policy", kPolicy},
                             {"ReceiveMessageWaitTimeSeconds", "20"}},
                            Lookup(a_->catalog, "live"))
                  .ok());
  // The object keeps the row as it was read (pg_queue.h); the catalog has the new one.
  EXPECT_EQ(queue->config().visibility_timeout, 30);
  auto fresh = FindFresh(*b_, "live");
  EXPECT_EQ(fresh->config().visibility_timeout, 99);
  EXPECT_EQ(fresh->config().maximum_message_size, 4096);
  EXPECT_EQ(fresh->config().receive_message_wait_time_seconds, 20);
  EXPECT_EQ(fresh->config().policy, kPolicy);
  EXPECT_NE(fresh->policy(), nullptr);
  EXPECT_GE(fresh->config().last_modified_timestamp, created_at);
  EXPECT_EQ(fresh->config().created_timestamp, created_at);
  EXPECT_EQ(Row(*a_, "live")->version, 2);

  // Tags, from both nodes.
  ASSERT_TRUE(Tag(*queue, {{"a", "1"}, {"b", "2"}}).ok());
  ASSERT_TRUE(Tag(*fresh, {{"b", "3"}, {"c", "4"}}).ok());
  EXPECT_EQ(Sorted(FindFresh(*a_, "live")->tags()),
            (api::StringPairs{{"a", "1"}, {"b", "3"}, {"c", "4"}}));
  ASSERT_TRUE(Untag(*queue, {"a", "absent"}).ok());
  EXPECT_EQ(Sorted(FindFresh(*b_, "live")->tags()), (api::StringPairs{{"b", "3"}, {"c", "4"}}));
  EXPECT_EQ(FindFresh(*b_, "live")->config().visibility_timeout, 99) << "tags leave the attributes";

  // AddPermission / RemovePermission, as their handlers edit (by value: the edit runs later).
  const std::string arn = Arn("live");
  ASSERT_TRUE(EditPolicy(*queue,
                         [arn](const std::optional<std::string>& current)
                             -> api::ApiResult<std::optional<std::string>> {
                           auto edited = AddPermissionTo(
                               current, arn, PermissionGrant{"grant", {"111122223333"}, {"*"}});
                           if (!edited.ok()) return std::move(edited).error();
                           return std::optional<std::string>(std::move(edited).value());
                         })
                  .ok());
  auto granted = FindFresh(*b_, "live")->config().policy;
  ASSERT_TRUE(granted);
  EXPECT_EQ(
      *granted,
      AddPermissionTo(kPolicy, arn, PermissionGrant{"grant", {"111122223333"}, {"*"}}).value());
  auto remove = [](std::string label) {
    return [label](const std::optional<std::string>& current) {
      return RemovePermissionFrom(current, label);
    };
  };
  auto unknown = EditPolicy(*queue, remove("absent"));
  auto expected = RemovePermissionFrom(granted, "absent");
  EXPECT_SAME_ERROR(unknown, expected);
  ASSERT_TRUE(EditPolicy(*queue, remove("grant")).ok());
  EXPECT_EQ(FindFresh(*a_, "live")->config().policy,
            RemovePermissionFrom(granted, "grant").value());
  ASSERT_TRUE(EditPolicy(*queue, remove("own")).ok());
  auto without = FindFresh(*a_, "live");
  EXPECT_FALSE(without->config().policy) << "the last statement takes the policy with it";
  EXPECT_EQ(without->policy(), nullptr);
  EXPECT_EQ(Sorted(without->tags()), (api::StringPairs{{"b", "3"}, {"c", "4"}}));
}

// Two nodes changing one queue at once: every change lands (the version check makes the later
// writer re-read and apply its change again instead of overwriting the other's).
TEST_F(PgCatalogAttributesTest, ConcurrentChangesFromTwoNodesAllLand) {
  ASSERT_NE(MustCreate(*a_, "contended"), nullptr);
  constexpr int kRounds = 15;
  auto run = [&](Node& node, const std::string& attribute, const std::string& tag_prefix,
                 std::vector<api::ApiStatus>& failures) {
    auto queue = FindFresh(node, "contended");
    for (int i = 1; i <= kRounds; ++i) {
      auto set = SetAttributes(*queue, {{attribute, std::to_string(i)}},
                               Lookup(node.catalog, "contended"));
      if (!set.ok()) failures.push_back(set);
      auto tagged = Tag(*queue, {{tag_prefix + std::to_string(i), "v"}});
      if (!tagged.ok()) failures.push_back(tagged);
    }
  };
  std::vector<api::ApiStatus> failures_a, failures_b;
  std::thread on_a([&] { run(*a_, "VisibilityTimeout", "a", failures_a); });
  std::thread on_b([&] { run(*b_, "DelaySeconds", "b", failures_b); });
  on_a.join();
  on_b.join();
  EXPECT_TRUE(failures_a.empty()) << failures_a.front().error().message;
  EXPECT_TRUE(failures_b.empty()) << failures_b.front().error().message;

  auto fresh = FindFresh(*a_, "contended");
  EXPECT_EQ(fresh->config().visibility_timeout, kRounds);
  EXPECT_EQ(fresh->config().delay_seconds, kRounds);
  EXPECT_EQ(fresh->tags().size(), 2u * kRounds);
  EXPECT_EQ(Row(*b_, "contended")->version, 1 + 4 * kRounds);
}

// Bad values are refused with exactly what the engine answers (ApplyAttributes, ValidateTags,
// the tag limit), and nothing is written.
TEST_F(PgCatalogAttributesTest, BadValuesGetTheEnginesErrors) {
  auto queue = MustCreate(*a_, "strict");
  ASSERT_NE(queue, nullptr);
  auto on_b = FindFresh(*b_, "strict");
  const QueueTypeLookup lookup = Lookup(b_->catalog, "strict");
  for (const api::StringPairs& bad : std::vector<api::StringPairs>{
           {{"VisibilityTimeout", "-1"}},
           {{"VisibilityTimeout", "soon"}},
           {{"MaximumMessageSize", "100"}},
           {{"Foo", "bar"}},
           {{"QueueArn", "arn"}},
           {{"Policy", "{not json"}},
           {{"RedrivePolicy", Redrive("absent", "3")}},
           {{"RedrivePolicy", "{}"}},
           {{"RedrivePolicy", Redrive("strict", "0")}},
           {{"RedriveAllowPolicy", R"({"redrivePermission":"byQueue"})"}},
           {{"FifoThroughputLimit", "perQueue"}},
           {{"ContentBasedDeduplication", "true"}},
           {{"FifoQueue", "false"}},
           {{"KmsMasterKeyId", "k"}, {"SqsManagedSseEnabled", "true"}},
           {{"DelaySeconds", "1"}, {"VisibilityTimeout", "99999"}},
       }) {
    QueueConfig scratch = on_b->config();
    api::ApiStatus expected = ApplyAttributes(scratch, bad, AttributeMode::kSet, Limits{}, lookup);
    api::ApiStatus actual = SetAttributes(*on_b, bad, lookup);
    SCOPED_TRACE(bad[0].first + "=" + bad[0].second);
    EXPECT_SAME_ERROR(actual, expected);
  }
  // SSE-KMS switches on and off as on the engine (another queue: this one must stay unwritten),
  // and the other node sees it.
  ASSERT_NE(MustCreate(*a_, "sse"), nullptr);
  const QueueTypeLookup sse_lookup = Lookup(b_->catalog, "sse");
  auto kms =
      SetAttributes(*FindFresh(*b_, "sse"), {{"KmsMasterKeyId", "alias/aws/sqs"}}, sse_lookup);
  ASSERT_TRUE(kms.ok()) << kms.error().message;
  EXPECT_EQ(FindFresh(*a_, "sse")->send_rules().kms_master_key_id,
            std::optional<std::string>("alias/aws/sqs"));
  EXPECT_FALSE(FindFresh(*a_, "sse")->config().sqs_managed_sse_enabled);
  auto off = SetAttributes(*FindFresh(*b_, "sse"), {{"KmsMasterKeyId", ""}}, sse_lookup);
  ASSERT_TRUE(off.ok()) << off.error().message;
  EXPECT_FALSE(FindFresh(*a_, "sse")->send_rules().kms_master_key_id);

  api::StringPairs reserved = {{"aws:owner", "x"}};
  auto tag_error = Tag(*on_b, reserved);
  auto tag_expected = ValidateTags(reserved);
  EXPECT_SAME_ERROR(tag_error, tag_expected);
  api::StringPairs too_many;
  for (int i = 0; i < 51; ++i) too_many.emplace_back("k" + std::to_string(i), "v");
  auto over = Tag(*on_b, too_many);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().code, ErrorCode::kInvalidParameterValue);
  EXPECT_EQ(over.error().message, "Too many tags added for queue strict.");
  EXPECT_EQ(Row(*a_, "strict")->version, 1) << "nothing was written";

  // The tag limit is checked against the row, which another node may have tagged since this
  // object was read.
  Limits two;
  two.max_tags = 2;
  Node small(database_, NodeWith(two));
  auto stale = FindFresh(small, "strict");
  ASSERT_TRUE(Tag(*queue, {{"x", "1"}, {"y", "2"}}).ok());
  auto late = Tag(*stale, {{"z", "3"}});
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().message, "Too many tags added for queue strict.");
  EXPECT_TRUE(Tag(*stale, {{"x", "9"}}).ok()) << "an existing key is overwritten, not added";

  // A queue deleted meanwhile (on another node).
  ASSERT_TRUE(RemoveAndWait(a_->catalog, queue).ok());
  for (const api::ApiStatus& status : {SetAttributes(*on_b, {{"DelaySeconds", "1"}}, lookup),
                                       Tag(*on_b, {{"k", "v"}}), Untag(*on_b, {"k"})}) {
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code, ErrorCode::kQueueDoesNotExist);
  }
}

// The dead-letter queue is read again when the policy is stored: one deleted (or recreated as
// the other type) after the request's check gets the error that check gives.
TEST_F(PgCatalogAttributesTest, ADeadLetterQueueGoneSinceTheCheckGetsTheEnginesError) {
  const std::string policy = Redrive("absent", "3");
  QueueConfig config;
  config.redrive_policy = RedrivePolicy{Arn("absent"), 3};
  auto created =
      CreateAndWait(a_->catalog, account_, "orphan", config, {}, {{"RedrivePolicy", policy}});
  QueueConfig scratch;
  auto expected = ApplyAttributes(scratch, {{"RedrivePolicy", policy}}, AttributeMode::kCreate,
                                  Limits{}, Lookup(a_->catalog, "orphan"));
  EXPECT_SAME_ERROR(created, expected);
  EXPECT_EQ(FindFresh(*a_, "orphan"), nullptr);

  ASSERT_NE(MustCreate(*a_, "standard-dlq"), nullptr);
  QueueConfig fifo;
  fifo.fifo = true;
  fifo.redrive_policy = RedrivePolicy{Arn("standard-dlq"), 3};
  auto mixed = CreateAndWait(a_->catalog, account_, "mixed.fifo", fifo, {});
  ASSERT_FALSE(mixed.ok());
  EXPECT_EQ(mixed.error().code, ErrorCode::kInvalidParameterValue);
  EXPECT_EQ(mixed.error().message,
            "Value " + SerializeRedrivePolicy(*fifo.redrive_policy) +
                " for parameter RedrivePolicy is invalid. Reason: Dead-letter queue must be same "
                "type of queue as the source.");
}

}  // namespace
}  // namespace wharf::sqs::pg
