// Provisioning from wharf.toml: the tables' shapes (provisioning_parse.cc) and what the
// Provisioner makes of them through the API's handlers: creation in dependency order, the API's
// validation and errors naming the entry, and a second run that changes nothing.

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "auth/authorizer.h"
#include "common/manual_clock.h"
#include "iam/identity_store.h"
#include "iam/records.h"
#include "iam/service.h"
#include "iam/session_store.h"
#include "server/config_file.h"
#include "server/in_process_call.h"
#include "server/provisioner.h"
#include "sns/handlers/handlers.h"
#include "sns/service.h"
#include "sns/signing_key.h"
#include "sqs/handlers/handlers.h"
#include "sqs/service.h"
#include "storage/store.h"

namespace wharf::server {
namespace {

constexpr char kAccount[] = "000000000000";
constexpr char kOther[] = "111122223333";

Result<Provisioning, std::string> Parse(std::string_view toml) {
  auto config = ParseConfigFile(toml, "wharf.toml");
  if (!config.ok()) return std::move(config).error();
  return std::move(config->provisioning);
}

TEST(ProvisioningParseTest, ReadsEveryTable) {
  auto plan = Parse(R"(
port = 9324

[[queues]]
name = "orders"
attributes = { VisibilityTimeout = 60, ContentBasedDeduplication = false, DelaySeconds = "5" }
tags = { team = "shop" }
dead_letter = { queue = "orders-dlq", max_receive_count = 5 }
allow_topics = ["events"]

[[queues]]
name = "orders-dlq"
account = "111122223333"

[[topics]]
name = "events"
attributes = { DisplayName = "Events" }

[[subscriptions]]
topic = "events"
queue = "orders"
attributes = { RawMessageDelivery = true }

[[users]]
name = "app"
policies = [{ name = "send", document = '{"Version":"2012-10-17","Statement":[]}' }]
access_keys = [{ id = "AKIAAPP", secret = "app-secret" }]
)");
  ASSERT_TRUE(plan.ok()) << plan.error();
  ASSERT_EQ(plan->queues.size(), 2u);
  const QueueProvision& q = plan->queues[0];
  EXPECT_EQ(q.name, "orders");
  EXPECT_EQ(q.where, "wharf.toml: queues[0] (orders)");
  // Integers and booleans become the text the API takes (in key order: TOML tables are maps).
  NamedValues expected = {
      {"ContentBasedDeduplication", "false"}, {"DelaySeconds", "5"}, {"VisibilityTimeout", "60"}};
  EXPECT_EQ(q.attributes, expected);
  EXPECT_EQ(q.tags, (NamedValues{{"team", "shop"}}));
  EXPECT_EQ(q.dead_letter_queue, "orders-dlq");
  EXPECT_EQ(q.max_receive_count, 5);
  EXPECT_EQ(q.allow_topics, std::vector<std::string>{"events"});
  EXPECT_EQ(plan->queues[1].account, kOther);
  ASSERT_EQ(plan->subscriptions.size(), 1u);
  EXPECT_EQ(plan->subscriptions[0].attributes, (NamedValues{{"RawMessageDelivery", "true"}}));
  ASSERT_EQ(plan->users.size(), 1u);
  ASSERT_EQ(plan->users[0].policies.size(), 1u);
  EXPECT_EQ(plan->users[0].policies[0].name, "send");
  ASSERT_EQ(plan->users[0].access_keys.size(), 1u);
  EXPECT_EQ(plan->users[0].access_keys[0].secret, "app-secret");
}

TEST(ProvisioningParseTest, MistakesAreNamedByEntry) {
  const std::pair<const char*, const char*> cases[] = {
      {"[[queues]]\nname = \"orders\"\natributes = {}\n",
       "wharf.toml: queues[0] (orders): unknown key 'atributes'"},
      {"[[queues]]\nattributes = {}\n", "wharf.toml: queues[0]: 'name' is missing"},
      {"[[queues]]\nname = \"q\"\ntags = { team = 1 }\n",
       "wharf.toml: queues[0] (q): 'tags.team' must be a string"},
      {"[[queues]]\nname = \"q\"\nattributes = { Policy = [1] }\n",
       "wharf.toml: queues[0] (q): 'attributes.Policy' must be a string, an integer or a boolean"},
      {"[[queues]]\nname = \"q\"\ndead_letter = { queue = \"d\" }\n",
       "wharf.toml: queues[0] (q): dead_letter: 'max_receive_count' must be an integer"},
      {"[[queues]]\nname = \"q\"\ndead_letter = { queue = \"d\", max_receive_count = 3 }\n"
       "attributes = { RedrivePolicy = \"{}\" }\n",
       "wharf.toml: queues[0] (q): give either dead_letter or the RedrivePolicy attribute"},
      {"[[queues]]\nname = \"q\"\nallow_topics = [\"t\"]\nattributes = { Policy = \"{}\" }\n",
       "wharf.toml: queues[0] (q): give either allow_topics or the Policy attribute"},
      {"[[queues]]\nname = \"q\"\naccount = \"42\"\n",
       "wharf.toml: queues[0] (q): 'account' must be 12 digits"},
      {"[queues]\nname = \"q\"\n", "wharf.toml: 'queues' must be an array of tables ([[queues]])"},
      {"[[subscriptions]]\ntopic = \"t\"\n", "wharf.toml: subscriptions[0]"},
      {"[[users]]\nname = \"u\"\npolicies = [{ name = \"p\" }]\n",
       "wharf.toml: users[0] (u): policies[0]: 'document' is missing"},
      {"[[users]]\nname = \"u\"\naccess_keys = [{ id = \"AKIA-1\", secret = \"s\" }]\n",
       "wharf.toml: users[0] (u): access_keys[0]: 'id' must be 1-128 letters and digits"},
      {"[[topics]]\nname = \"t\"\nfifo = true\n", "wharf.toml: topics[0] (t): unknown key 'fifo'"},
  };
  for (const auto& [toml, message] : cases) {
    auto plan = Parse(toml);
    ASSERT_FALSE(plan.ok()) << toml;
    EXPECT_EQ(plan.error().rfind(message, 0), 0u) << plan.error() << "\nexpected: " << message;
  }
}

std::shared_ptr<const sns::SigningKey> SigningKey() {
  static const auto key = std::move(sns::SigningKey::Generate("provisioning-test")).value();
  return key;
}

// The services a server provisions, over one memory store, with a real authorizer.
class ProvisionerTest : public ::testing::Test {
 protected:
  ProvisionerTest()
      : identities_(clock_, no_journal_),
        sessions_(clock_),
        authorizer_(&identities_, clock_),
        sqs_(clock_, clock_, store_, SqsOptions(&authorizer_)),
        sns_(clock_, clock_, store_, sqs_, SigningKey(), SnsOptions(&authorizer_)),
        identity_(identities_, sessions_, authorizer_, clock_) {
    targets_.sqs = &sqs_;
    targets_.sns = &sns_;
    targets_.identity = &identity_;
    targets_.region = "us-east-1";
    targets_.default_account = kAccount;
    targets_.accounts = {kAccount, kOther};
    targets_.root_access_keys = {"test", "AKIAOTHERROOT"};
  }

  static sqs::ServiceOptions SqsOptions(const auth::Authorizer* authorizer) {
    sqs::ServiceOptions o;
    o.authorizer = authorizer;
    return o;
  }
  static sns::ServiceOptions SnsOptions(const auth::Authorizer* authorizer) {
    sns::ServiceOptions o;
    o.authorizer = authorizer;
    return o;
  }

  Result<ProvisionReport, std::string> Run(std::string_view toml) {
    auto plan = Parse(toml);
    if (!plan.ok()) return std::move(plan).error();
    return Provision(*plan, targets_);
  }

  api::RequestContext Root(api::Action action, std::string account = kAccount) {
    api::RequestContext ctx;
    ctx.request_id = "test";
    ctx.action = action;
    ctx.account_id = account;
    ctx.sender_id = account;
    ctx.region = "us-east-1";
    ctx.base_url = "http://localhost:9324";
    return ctx;
  }

  // A queue attribute as GetQueueAttributes reports it.
  std::string Attribute(const std::string& queue, const std::string& name,
                        std::string account = kAccount) {
    api::sqs::GetQueueAttributesInput in{"http://localhost:9324/" + account + "/" + queue, {name}};
    auto out =
        CallInProcess(&sqs::GetQueueAttributes, sqs_, Root(api::Action::kGetQueueAttributes), in);
    if (!out.ok()) return "<" + out.error().message + ">";
    for (const auto& [k, v] : out->attributes) {
      if (k == name) return v;
    }
    return "<absent>";
  }

  api::StringPairs Tags(const std::string& queue) {
    auto out =
        CallInProcess(&sqs::ListQueueTags, sqs_, Root(api::Action::kListQueueTags),
                      api::sqs::QueueUrlInput{"http://localhost:9324/000000000000/" + queue});
    return out.ok() ? out->tags : api::StringPairs{};
  }

  ManualClock clock_;
  storage::MemoryStore store_;
  iam::NullJournal no_journal_;
  iam::IdentityStore identities_;
  iam::SessionStore sessions_;
  auth::Authorizer authorizer_;
  sqs::SqsService sqs_;
  sns::SnsService sns_;
  iam::IdentityService identity_;
  ProvisionTargets targets_;
};

constexpr char kEnvironment[] = R"(
[[queues]]
name = "orders"
attributes = { VisibilityTimeout = "45" }
tags = { team = "shop" }
dead_letter = { queue = "orders-dlq", max_receive_count = 3 }
allow_topics = ["events"]

[[queues]]
name = "orders-dlq"
attributes = { MessageRetentionPeriod = "1209600" }

[[queues]]
name = "jobs.fifo"
attributes = { FifoQueue = "true", ContentBasedDeduplication = "true" }

[[topics]]
name = "events"
tags = { team = "shop" }

[[subscriptions]]
topic = "events"
queue = "orders"
attributes = { RawMessageDelivery = "true" }

[[users]]
name = "app"
policies = [{ name = "send", document = '''
{"Version": "2012-10-17",
 "Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage",
                "Resource": "arn:aws:sqs:us-east-1:000000000000:orders"}]}''' }]
access_keys = [{ id = "AKIAAPPFIXED", secret = "app-secret" }]
)";

TEST_F(ProvisionerTest, CreatesEverythingWithDeadLetterQueuesFirst) {
  auto report = Run(kEnvironment);
  ASSERT_TRUE(report.ok()) << report.error();
  EXPECT_EQ(report->Summary(),
            "queues 3 created, 0 updated, 0 unchanged; topics 1 created, 0 updated, 0 unchanged; "
            "subscriptions 1 created, 0 updated, 0 unchanged; users 1 created, 0 updated, 0 "
            "unchanged");
  EXPECT_EQ(Attribute("orders", "VisibilityTimeout"), "45");
  EXPECT_EQ(Attribute("orders", "RedrivePolicy"),
            R"({"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:orders-dlq",)"
            R"("maxReceiveCount":3})");
  EXPECT_NE(Attribute("orders", "Policy").find("arn:aws:sns:us-east-1:000000000000:events"),
            std::string::npos);
  EXPECT_EQ(Tags("orders"), (api::StringPairs{{"team", "shop"}}));
  EXPECT_EQ(Attribute("orders-dlq", "MessageRetentionPeriod"), "1209600");
  EXPECT_EQ(Attribute("jobs.fifo", "FifoQueue"), "true");
  EXPECT_EQ(Attribute("jobs.fifo", "ContentBasedDeduplication"), "true");
  auto subscriptions = sns_.topics().SubscriptionsOf(kAccount, "events");
  ASSERT_EQ(subscriptions.size(), 1u);
  EXPECT_EQ(subscriptions[0]->record.endpoint, "arn:aws:sqs:us-east-1:000000000000:orders");
  // The user's fixed key signs as the user, and its policy is in force.
  auto key = identities_.Lookup("AKIAAPPFIXED", "", clock_.WallMillis());
  ASSERT_TRUE(key.ok());
  EXPECT_EQ((*key)->secret, "app-secret");
  EXPECT_EQ((*key)->principal.arn, "arn:aws:iam::000000000000:user/app");
  api::RequestContext as_app = Root(api::Action::kSendMessage);
  as_app.caller = *key;
  auth::ResourceAccess send;
  send.action = "sqs:SendMessage";
  send.resource = "arn:aws:sqs:us-east-1:000000000000:orders";
  send.resource_account = kAccount;
  EXPECT_TRUE(authorizer_.Authorize(as_app, send).ok());
  send.resource = "arn:aws:sqs:us-east-1:000000000000:jobs.fifo";
  EXPECT_FALSE(authorizer_.Authorize(as_app, send).ok());
}

TEST_F(ProvisionerTest, SecondRunChangesNothing) {
  ASSERT_TRUE(Run(kEnvironment).ok());
  auto again = Run(kEnvironment);
  ASSERT_TRUE(again.ok()) << again.error();
  EXPECT_EQ(again->Summary(),
            "queues 0 created, 0 updated, 3 unchanged; topics 0 created, 0 updated, 1 unchanged; "
            "subscriptions 0 created, 0 updated, 1 unchanged; users 0 created, 0 updated, 1 "
            "unchanged");
  EXPECT_EQ(sqs_.queues().List(kAccount, "", "", 100).size(), 3u);
  EXPECT_EQ(sns_.topics().SubscriptionsOf(kAccount, "events").size(), 1u);
  EXPECT_EQ(identities_.ListAccessKeys(kAccount, "app")->size(), 1u);
}

TEST_F(ProvisionerTest, WhatExistsIsBroughtToTheFile) {
  ASSERT_TRUE(Run(kEnvironment).ok());
  std::string changed = kEnvironment;
  changed.replace(changed.find("VisibilityTimeout = \"45\""), 24, "VisibilityTimeout = \"90\"");
  changed.replace(changed.find("tags = { team = \"shop\" }\ndead"), 24,
                  "tags = { team = \"cart\" }");
  changed.replace(changed.find("RawMessageDelivery = \"true\""), 27,
                  "RawMessageDelivery = \"false\"");
  auto report = Run(changed);
  ASSERT_TRUE(report.ok()) << report.error();
  EXPECT_EQ(report->queues.updated, 1);
  EXPECT_EQ(report->subscriptions.updated, 1);
  EXPECT_EQ(Attribute("orders", "VisibilityTimeout"), "90");
  EXPECT_EQ(Tags("orders"), (api::StringPairs{{"team", "cart"}}));
  auto subscriptions = sns_.topics().SubscriptionsOf(kAccount, "events");
  ASSERT_EQ(subscriptions.size(), 1u);
  EXPECT_FALSE(subscriptions[0]->settings.raw);
}

TEST_F(ProvisionerTest, TheApiErrorStopsProvisioningAndNamesTheEntry) {
  auto bad_attribute =
      Run("[[queues]]\nname = \"q1\"\n[[queues]]\nname = \"orders.fifo\"\n"
          "attributes = { FifoQueue = \"true\", VisibilityTimeout = \"99999\" }\n");
  ASSERT_FALSE(bad_attribute.ok());
  EXPECT_EQ(bad_attribute.error().rfind("wharf.toml: queues[1] (orders.fifo): "
                                        "InvalidAttributeValue: ",
                                        0),
            0u)
      << bad_attribute.error();
  auto bad_policy =
      Run("[[users]]\nname = \"u\"\npolicies = [{ name = \"p\", document = \"{\" }]\n");
  ASSERT_FALSE(bad_policy.ok());
  EXPECT_EQ(
      bad_policy.error().rfind("wharf.toml: users[0] (u): policy p: MalformedPolicyDocument", 0),
      0u)
      << bad_policy.error();
  auto missing_topic =
      Run("[[queues]]\nname = \"q\"\n[[subscriptions]]\ntopic = \"nope\"\n"
          "queue = \"q\"\n");
  ASSERT_FALSE(missing_topic.ok());
  EXPECT_EQ(missing_topic.error().rfind("wharf.toml: subscriptions[0] (nope → q): NotFound", 0), 0u)
      << missing_topic.error();
}

TEST_F(ProvisionerTest, PlanMistakesAreRefusedBeforeAnythingIsCreated) {
  const std::pair<const char*, const char*> cases[] = {
      {"[[queues]]\nname = \"a\"\ndead_letter = { queue = \"b\", max_receive_count = 1 }\n"
       "[[queues]]\nname = \"b\"\ndead_letter = { queue = \"a\", max_receive_count = 1 }\n",
       "dead-letter queues form a cycle"},
      {"[[queues]]\nname = \"a\"\n[[queues]]\nname = \"a\"\naccount = \"000000000000\"\n",
       "wharf.toml: queues[1] (a): the same queue as wharf.toml: queues[0] (a)"},
      {"[[users]]\nname = \"u\"\n[[users]]\nname = \"u\"\n", "wharf.toml: users[1] (u): the same"},
  };
  for (const auto& [toml, message] : cases) {
    auto report = Run(toml);
    ASSERT_FALSE(report.ok()) << toml;
    EXPECT_NE(report.error().find(message), std::string::npos) << report.error();
  }
  EXPECT_TRUE(sqs_.queues().List(kAccount, "", "", 100).empty());
}

TEST_F(ProvisionerTest, AccountsAndRootKeysAreChecked) {
  auto unknown = Run("[[queues]]\nname = \"q\"\naccount = \"999999999999\"\n");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error(),
            "wharf.toml: queues[0] (q): account 999999999999 is neither the default account nor "
            "one of [[accounts]]");
  auto other = Run("[[queues]]\nname = \"q\"\naccount = \"111122223333\"\n");
  ASSERT_TRUE(other.ok()) << other.error();
  EXPECT_NE(sqs_.queues().Find(kOther, "q"), nullptr);
  auto shadowed =
      Run("[[users]]\nname = \"u\"\naccess_keys = [{ id = \"test\", secret = \"x\" }]\n");
  ASSERT_FALSE(shadowed.ok());
  EXPECT_EQ(shadowed.error(),
            "wharf.toml: users[0] (u): access key test is an account's root access key");
}

TEST_F(ProvisionerTest, AKeyTakenWithAnotherSecretIsRefused) {
  ASSERT_TRUE(
      Run("[[users]]\nname = \"u\"\naccess_keys = [{ id = \"AKIAU\", secret = \"a\" }]\n").ok());
  auto changed =
      Run("[[users]]\nname = \"u\"\naccess_keys = [{ id = \"AKIAU\", secret = \"b\" }]\n");
  ASSERT_FALSE(changed.ok());
  EXPECT_NE(changed.error().find("access key AKIAU: EntityAlreadyExists"), std::string::npos)
      << changed.error();
}

}  // namespace
}  // namespace wharf::server
