// Delivery into queues (sns-fanout.md §4, §6, §7): one publish reaches every subscribed queue,
// envelopes are signed, raw delivery carries attributes as SQS attributes, the queue policy
// decides (also within one account), failures are counted, logged and dead-lettered, FIFO
// topics keep order and drop repeats, server-side failures are retried.

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <simdjson.h>

#include <set>

#include "common/base64.h"
#include "sns/envelope.h"
#include "sns/retry_policy.h"
#include "sns_test_support.h"
#include "sqs/message_validation.h"

namespace wharf::sns {
namespace {

using testing::QueueArn;
using testing::TopicArn;

// A store that keeps nothing and fails the next `failing_sends` message commits (a sick disk
// under the queues, while the SNS objects still get through).
class FlakyStore final : public storage::Store {
 public:
  bool durable() const override { return true; }
  uint64_t Append(std::vector<storage::Record> records) override {
    if (records.empty()) return last_;
    ++last_;
    const bool send = std::any_of(records.begin(), records.end(), [](const auto& r) {
      return r.type == storage::RecordType::kMessagePut;
    });
    if (send && failing_sends > 0) {
      --failing_sends;
      failing_.insert(last_);
    }
    return last_;
  }
  void WhenDurable(uint64_t ticket, storage::CommitDone done) override {
    if (failing_.count(ticket)) {
      return done(storage::StorageError{storage::StorageErrorCode::kIoError, "injected"});
    }
    done(storage::StorageStatus());
  }
  storage::StorageStatus Recover(storage::RecoveryVisitor&) override { return {}; }
  void ReadMessages(uint64_t, std::vector<uint64_t> seqs, storage::ReadDone done) override {
    done(std::vector<std::string>(seqs.size()));
  }
  storage::StorageStatus ScanObjects(
      std::string_view, const std::function<void(std::string_view, std::string_view)>&) override {
    return {};
  }
  int failing_sends = 0;

 private:
  uint64_t last_ = 0;
  std::set<uint64_t> failing_;
};

std::string Field(const std::string& json, const char* name) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  simdjson::dom::element root;
  if (parser.parse(padded).get(root) != simdjson::SUCCESS) return "<not json>";
  std::string_view value;
  if (root[name].get(value) != simdjson::SUCCESS) return "<absent>";
  return std::string(value);
}

bool VerifiesWith(const std::string& certificate_pem, const std::string& data,
                  const std::string& signature_b64, const EVP_MD* md) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(certificate_pem.data(), static_cast<int>(certificate_pem.size())), BIO_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(
      PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), X509_free);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(X509_get_pubkey(cert.get()),
                                                          EVP_PKEY_free);
  auto raw = Base64Decode(signature_b64);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  return raw && EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, key.get()) == 1 &&
         EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(raw->data()),
                          raw->size(), reinterpret_cast<const unsigned char*>(data.data()),
                          data.size()) == 1;
}

wire::MessageAttributeValue StringAttr(std::string type, std::string value) {
  return wire::MessageAttributeValue{std::move(type), std::move(value), std::nullopt};
}

wire::PublishInput Message(std::string topic, std::string text) {
  wire::PublishInput in;
  in.topic_arn = std::move(topic);
  in.message = std::move(text);
  return in;
}

class DeliveryTest : public ::testing::Test {
 protected:
  ManualClock clock_;
  storage::MemoryStore store_;
  testing::Services s_{clock_, store_};
};

TEST_F(DeliveryTest, OnePublishReachesTwoQueuesInASignedEnvelope) {
  const std::string topic = s_.CreateTopic("orders");
  const std::string a = s_.CreateQueue("a", topic);
  const std::string b = s_.CreateQueue("b", topic);
  const std::string sub_a = s_.Subscribe(topic, QueueArn("a"));
  s_.Subscribe(topic, QueueArn("b"));
  wire::PublishInput in = Message(topic, "line1\nline2 \"quoted\" \xc3\xbc");
  in.subject = "Order placed";
  in.message_attributes.emplace_back("store", StringAttr("String", "example_corp"));
  auto published = s_.Publish(std::move(in));
  ASSERT_TRUE(published.ok()) << published.error().message;
  EXPECT_FALSE(published->sequence_number) << "standard topics have none";

  auto in_a = s_.Receive(a);
  auto in_b = s_.Receive(b);
  ASSERT_EQ(in_a.size(), 1u);
  ASSERT_EQ(in_b.size(), 1u);
  const std::string& body = in_a[0].body;
  EXPECT_EQ(Field(body, "Type"), "Notification");
  EXPECT_EQ(Field(body, "MessageId"), published->message_id);
  EXPECT_EQ(Field(in_b[0].body, "MessageId"), published->message_id) << "same id in every copy";
  EXPECT_EQ(Field(body, "TopicArn"), topic);
  EXPECT_EQ(Field(body, "Subject"), "Order placed");
  EXPECT_EQ(Field(body, "Message"), "line1\nline2 \"quoted\" \xc3\xbc");
  EXPECT_EQ(Field(body, "SignatureVersion"), "1");
  EXPECT_EQ(Field(body, "UnsubscribeURL"),
            "http://localhost:9324/?Action=Unsubscribe&SubscriptionArn=" + sub_a);
  EXPECT_EQ(Field(body, "SigningCertURL"),
            "http://localhost:9324/" + testing::TestSigningKey()->certificate_file());
  EXPECT_EQ(body.find("\"Type\":\"Notification\",\"MessageId\""), 1u) << "key order";
  EXPECT_NE(body.find(R"("MessageAttributes":{"store":{"Type":"String","Value":"example_corp"}})"),
            std::string::npos);
  EXPECT_TRUE(in_a[0].message_attributes.empty()) << "attributes travel inside the envelope";
  // The signature covers the envelope's fields as a consumer reads them back.
  Envelope e;
  e.message_id = Field(body, "MessageId");
  e.topic_arn = Field(body, "TopicArn");
  e.subject = Field(body, "Subject");
  e.message = Field(body, "Message");
  e.timestamp = Field(body, "Timestamp");
  EXPECT_TRUE(VerifiesWith(testing::TestSigningKey()->certificate_pem(), StringToSign(e),
                           Field(body, "Signature"), EVP_sha1()));
  EXPECT_EQ(s_.sns.counters().delivered.load(), 2u);
  EXPECT_EQ(s_.sns.counters().failed.load(), 0u);
}

TEST_F(DeliveryTest, SignatureVersion2SignsWithSha256) {
  const std::string topic = s_.CreateTopic("v2", {{"SignatureVersion", "2"}});
  const std::string q = s_.CreateQueue("q2", topic);
  s_.Subscribe(topic, QueueArn("q2"));
  ASSERT_TRUE(s_.Publish(Message(topic, "hi")).ok());
  auto got = s_.Receive(q);
  ASSERT_EQ(got.size(), 1u);
  const std::string& body = got[0].body;
  EXPECT_EQ(Field(body, "SignatureVersion"), "2");
  EXPECT_EQ(Field(body, "Subject"), "<absent>");
  Envelope e;
  e.message_id = Field(body, "MessageId");
  e.topic_arn = Field(body, "TopicArn");
  e.message = Field(body, "Message");
  e.timestamp = Field(body, "Timestamp");
  EXPECT_TRUE(VerifiesWith(testing::TestSigningKey()->certificate_pem(), StringToSign(e),
                           Field(body, "Signature"), EVP_sha256()));
}

TEST_F(DeliveryTest, RawDeliveryCarriesTheAttributesWithTheirMd5) {
  const std::string topic = s_.CreateTopic("raw");
  const std::string q = s_.CreateQueue("rawq", topic);
  s_.Subscribe(topic, QueueArn("rawq"), {{"RawMessageDelivery", "true"}});
  wire::PublishInput in = Message(topic, "just the body");
  in.message_attributes.emplace_back("price", StringAttr("Number", "12.5"));
  in.message_attributes.emplace_back("colors", StringAttr("String.Array", R"(["red"])"));
  in.message_attributes.emplace_back(
      "blob", wire::MessageAttributeValue{"Binary", std::nullopt, std::string("\0\1", 2)});
  ASSERT_TRUE(s_.Publish(std::move(in)).ok());
  auto got = s_.Receive(q);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].body, "just the body");
  ASSERT_EQ(got[0].message_attributes.size(), 3u);
  api::sqs::MessageAttributeMap expected;
  expected.emplace_back(
      "blob", api::sqs::MessageAttributeValue{"Binary", std::nullopt, std::string("\0\1", 2)});
  expected.emplace_back("colors",
                        api::sqs::MessageAttributeValue{"String.Array", R"(["red"])", {}});
  expected.emplace_back("price", api::sqs::MessageAttributeValue{"Number", "12.5", {}});
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(got[0].message_attributes[i].first, expected[i].first);
    EXPECT_EQ(got[0].message_attributes[i].second.data_type, expected[i].second.data_type);
    EXPECT_EQ(got[0].message_attributes[i].second.string_value, expected[i].second.string_value);
    EXPECT_EQ(got[0].message_attributes[i].second.binary_value, expected[i].second.binary_value);
  }
  EXPECT_EQ(got[0].md5_of_message_attributes, sqs::Md5OfAttributes(expected));
}

TEST_F(DeliveryTest, AFilterPolicyOnAttributesPassesOnlyMatchingMessages) {
  const std::string topic = s_.CreateTopic("shop");
  const std::string all = s_.CreateQueue("all", topic);
  const std::string big = s_.CreateQueue("big", topic);
  s_.Subscribe(topic, QueueArn("all"));
  s_.Subscribe(topic, QueueArn("big"),
               {{"FilterPolicy", R"({"store":["example_corp"],"price":[{"numeric":[">",100]}]})"},
                {"RawMessageDelivery", "true"}});
  const auto publish = [&](std::string text, std::string store, std::string price) {
    wire::PublishInput in = Message(topic, std::move(text));
    in.message_attributes.emplace_back("store", StringAttr("String", std::move(store)));
    in.message_attributes.emplace_back("price", StringAttr("Number", std::move(price)));
    ASSERT_TRUE(s_.Publish(std::move(in)).ok());
  };
  publish("cheap", "example_corp", "5");
  publish("pricey", "example_corp", "250");
  publish("elsewhere", "other_corp", "250");
  ASSERT_TRUE(s_.Publish(Message(topic, "no attributes")).ok());
  EXPECT_EQ(s_.Receive(all).size(), 4u);
  auto got = s_.Receive(big);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].body, "pricey");
  const DeliveryCounters& c = s_.sns.counters();
  EXPECT_EQ(c.delivered.load(), 5u);
  EXPECT_EQ(c.filtered_out.load(), 3u);
  EXPECT_EQ(c.failed.load(), 0u) << "filtered out is not a failure";
}

TEST_F(DeliveryTest, AFilterPolicyOnTheBodyAndItsRemoval) {
  const std::string topic = s_.CreateTopic("events");
  const std::string q = s_.CreateQueue("body", topic);
  const std::string sub =
      s_.Subscribe(topic, QueueArn("body"),
                   {{"FilterPolicyScope", "MessageBody"},
                    {"FilterPolicy", R"({"detail":{"kind":[{"prefix":"order-"}]}})"},
                    {"RawMessageDelivery", "true"}});
  ASSERT_TRUE(s_.Publish(Message(topic, R"({"detail":{"kind":"order-created"}})")).ok());
  ASSERT_TRUE(s_.Publish(Message(topic, R"({"detail":{"kind":"refund"}})")).ok());
  ASSERT_TRUE(s_.Publish(Message(topic, "not json")).ok());
  auto got = s_.Receive(q);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].body, R"({"detail":{"kind":"order-created"}})");

  // FilterPolicy="" removes the policy: everything passes again.
  wire::SetSubscriptionAttributesInput clear;
  clear.subscription_arn = sub;
  clear.attribute_name = "FilterPolicy";
  clear.attribute_value = "";
  ASSERT_TRUE(
      s_.Call(&SetSubscriptionAttributes, api::Action::kSetSubscriptionAttributes, clear).ok());
  ASSERT_TRUE(s_.Publish(Message(topic, "plain")).ok());
  got = s_.Receive(q);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].body, "plain");
}

TEST_F(DeliveryTest, AnInvalidFilterPolicyIsRefusedWithAwsWording) {
  const std::string topic = s_.CreateTopic("strict");
  s_.CreateQueue("sq", topic);
  wire::SubscribeInput in;
  in.topic_arn = topic;
  in.protocol = "sqs";
  in.endpoint = QueueArn("sq");
  in.attributes = {{"FilterPolicy", R"({"a":[]})"}};
  auto refused = s_.Call(&Subscribe, api::Action::kSubscribe, in);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, api::ErrorCode::kSnsInvalidParameter);
  EXPECT_EQ(refused.error().message,
            "Invalid parameter: Attributes Reason: FilterPolicy: Empty arrays are not allowed");

  in.attributes = {{"FilterPolicy", R"({"a":{"b":["c"]}})"}};
  refused = s_.Call(&Subscribe, api::Action::kSubscribe, in);
  ASSERT_FALSE(refused.ok()) << "nested keys need FilterPolicyScope=MessageBody";
  EXPECT_EQ(refused.error().message,
            "Invalid parameter: Attributes Reason: Filter policy scope MessageAttributes does not "
            "support nested filter policy");
  in.attributes = {{"FilterPolicyScope", "MessageBody"}, {"FilterPolicy", R"({"a":{"b":["c"]}})"}};
  EXPECT_TRUE(s_.Call(&Subscribe, api::Action::kSubscribe, in).ok());
}

TEST_F(DeliveryTest, AQueueWithoutTheTopicInItsPolicyGetsNothingAndTheFailureShows) {
  const std::string topic = s_.CreateTopic("t");
  const std::string open = s_.CreateQueue("open", topic);
  const std::string closed = s_.CreateQueue("closed");  // no policy: same account is not enough
  const std::string other = s_.CreateQueue("other", TopicArn("another-topic"));
  s_.Subscribe(topic, QueueArn("open"));
  s_.Subscribe(topic, QueueArn("closed"));
  s_.Subscribe(topic, QueueArn("other"));
  s_.Subscribe(topic, QueueArn("missing"));
  ASSERT_TRUE(s_.Publish(Message(topic, "hello")).ok()) << "publish succeeds regardless";
  EXPECT_EQ(s_.Receive(open).size(), 1u);
  EXPECT_TRUE(s_.Receive(closed).empty());
  EXPECT_TRUE(s_.Receive(other).empty()) << "aws:SourceArn must be this topic";
  const DeliveryCounters& c = s_.sns.counters();
  EXPECT_EQ(c.delivered.load(), 1u);
  EXPECT_EQ(c.failed.load(), 3u);
  EXPECT_EQ(c.dropped.load(), 3u);
  std::lock_guard lock(s_.log_mu);
  ASSERT_EQ(s_.log.size(), 3u);
  EXPECT_NE(s_.log[0].find("AccessDenied: Access to the resource " + QueueArn("closed") +
                           " is denied.; dropped"),
            std::string::npos)
      << s_.log[0];
  EXPECT_NE(s_.log[2].find("AWS.SimpleQueueService.NonExistentQueue"), std::string::npos)
      << s_.log[2];
}

TEST_F(DeliveryTest, AFailedDeliveryGoesToTheSubscriptionsDeadLetterQueue) {
  const std::string topic = s_.CreateTopic("t");
  s_.CreateQueue("closed");
  const std::string dlq = s_.CreateQueue("dlq", topic);  // the DLQ must admit the topic too
  s_.Subscribe(topic, QueueArn("closed"),
               {{"RedrivePolicy", R"({"deadLetterTargetArn":")" + QueueArn("dlq") + "\"}"},
                {"RawMessageDelivery", "true"}});
  ASSERT_TRUE(s_.Publish(Message(topic, "to the dlq")).ok());
  auto got = s_.Receive(dlq);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].body, "to the dlq") << "the body that would have been delivered";
  EXPECT_EQ(s_.sns.counters().dead_lettered.load(), 1u);
  EXPECT_EQ(s_.sns.counters().dropped.load(), 0u);
  std::lock_guard lock(s_.log_mu);
  ASSERT_EQ(s_.log.size(), 1u);
  EXPECT_NE(s_.log[0].find("moved to the dead-letter queue " + QueueArn("dlq")), std::string::npos);
}

TEST_F(DeliveryTest, FifoTopicKeepsGroupOrderAndDropsRepeats) {
  const std::string topic =
      s_.CreateTopic("orders.fifo", {{"FifoTopic", "true"}, {"ContentBasedDeduplication", "true"}});
  const std::string q = s_.CreateQueue("orders.fifo", topic);
  s_.Subscribe(topic, QueueArn("orders.fifo"));
  // A standard queue deduplicates nothing itself: it shows what the topic delivered.
  const std::string plain = s_.CreateQueue("plain", topic);
  s_.Subscribe(topic, QueueArn("plain"));
  std::vector<std::string> sequence_numbers;
  for (const std::string text : {"first", "second", "third"}) {
    wire::PublishInput in = Message(topic, text);
    in.message_group_id = "g1";
    auto out = s_.Publish(std::move(in));
    ASSERT_TRUE(out.ok()) << out.error().message;
    ASSERT_TRUE(out->sequence_number);
    EXPECT_EQ(out->sequence_number->size(), 20u);
    sequence_numbers.push_back(*out->sequence_number);
  }
  EXPECT_LT(sequence_numbers[0], sequence_numbers[1]);
  EXPECT_LT(sequence_numbers[1], sequence_numbers[2]);
  wire::PublishInput repeat = Message(topic, "first");  // same body: same content-based id
  repeat.message_group_id = "g1";
  auto again = s_.Publish(std::move(repeat));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->sequence_number, sequence_numbers[0]) << "answered with the original";

  auto got = s_.Receive(q);  // a FIFO receive returns the group's messages in order
  ASSERT_EQ(got.size(), 3u) << "the repeat was not delivered";
  std::vector<std::string> order;
  for (size_t i = 0; i < got.size(); ++i) {
    order.push_back(Field(got[i].body, "Message"));
    EXPECT_EQ(Field(got[i].body, "SequenceNumber"), sequence_numbers[i]);
    EXPECT_EQ(Field(got[i].body, "Signature"), "<absent>") << "FIFO envelopes are not signed";
    EXPECT_EQ(Field(got[i].body, "SigningCertURL"), "<absent>");
  }
  EXPECT_EQ(order, (std::vector<std::string>{"first", "second", "third"}));
  auto unordered = s_.Receive(plain);
  EXPECT_EQ(unordered.size(), 3u) << "the topic itself dropped the repeat";
  for (const auto& m : unordered) {
    EXPECT_EQ(std::count_if(m.attributes.begin(), m.attributes.end(),
                            [](const auto& a) { return a.first == "MessageGroupId"; }),
              0)
        << "a standard queue of a FIFO topic gets a plain send";
  }
}

TEST_F(DeliveryTest, MessageStructureJsonDeliversTheSqsEntry) {
  const std::string topic = s_.CreateTopic("structured");
  const std::string q = s_.CreateQueue("sq", topic);
  s_.Subscribe(topic, QueueArn("sq"), {{"RawMessageDelivery", "true"}});
  wire::PublishInput in = Message(topic, R"({"default":"for all","sqs":"for queues"})");
  in.message_structure = "json";
  ASSERT_TRUE(s_.Publish(std::move(in)).ok());
  wire::PublishInput plain = Message(topic, R"({"default":"only default"})");
  plain.message_structure = "json";
  ASSERT_TRUE(s_.Publish(std::move(plain)).ok());
  auto got = s_.Receive(q);
  ASSERT_EQ(got.size(), 2u);
  std::vector<std::string> bodies{got[0].body, got[1].body};
  std::sort(bodies.begin(), bodies.end());
  EXPECT_EQ(bodies, (std::vector<std::string>{"for queues", "only default"}));
}

TEST(DeliveryRetryTest, ServerSideFailuresAreRetriedThenGiveUp) {
  ManualClock clock;
  FlakyStore store;
  testing::Services s(clock, store);  // at most 5 retries in these tests
  const std::string topic = s.CreateTopic("t");
  const std::string q = s.CreateQueue("q", topic);
  s.Subscribe(topic, QueueArn("q"));

  store.failing_sends = 2;  // two immediate retries, then through
  ASSERT_TRUE(s.Publish(Message(topic, "x")).ok());
  EXPECT_EQ(s.sns.counters().retried.load(), 2u);
  EXPECT_EQ(s.sns.counters().delivered.load(), 1u);
  EXPECT_EQ(s.Receive(q).size(), 1u);

  store.failing_sends = 100;  // never through: 3 immediate retries, then 1 s apart
  ASSERT_TRUE(s.Publish(Message(topic, "y")).ok());
  EXPECT_EQ(s.sns.counters().retried.load(), 2u + 4u) << "three at once, the fourth waits 1 s";
  EXPECT_EQ(s.sns.counters().failed.load(), 0u) << "still trying";
  clock.Advance(Seconds(1));
  EXPECT_EQ(s.sns.counters().retried.load(), 2u + 5u);
  EXPECT_EQ(s.sns.counters().failed.load(), 0u);
  clock.Advance(Seconds(1));
  EXPECT_EQ(s.sns.counters().retried.load(), 2u + 5u);
  EXPECT_EQ(s.sns.counters().failed.load(), 1u) << "the fifth retry was the last";
  EXPECT_EQ(s.sns.counters().dropped.load(), 1u);
  std::lock_guard lock(s.log_mu);
  ASSERT_EQ(s.log.size(), 1u);
  EXPECT_NE(s.log[0].find("ServiceUnavailable"), std::string::npos) << s.log[0];
}

TEST(RetryPolicyTest, AwsPhases) {
  EXPECT_EQ(RetryDelay(1), Duration::zero());
  EXPECT_EQ(RetryDelay(3), Duration::zero());
  EXPECT_EQ(RetryDelay(4), Seconds(1));
  EXPECT_EQ(RetryDelay(5), Seconds(1));
  EXPECT_EQ(RetryDelay(6), Seconds(1)) << "backoff starts at 1 s";
  EXPECT_GT(RetryDelay(7), Seconds(1));
  EXPECT_LT(RetryDelay(14), RetryDelay(15));
  EXPECT_EQ(RetryDelay(15), Seconds(20)) << "and reaches 20 s at its tenth retry";
  EXPECT_EQ(RetryDelay(16), Seconds(20));
  EXPECT_EQ(RetryDelay(100'000), Seconds(20));
}

}  // namespace
}  // namespace wharf::sns
