#include "sns_test_support.h"

namespace wharf::sns::testing {

std::shared_ptr<const SigningKey> TestSigningKey() {
  static const std::shared_ptr<const SigningKey> key = [] {
    auto generated = SigningKey::Generate("wharf-test");
    EXPECT_TRUE(generated.ok());
    return generated.ok() ? *generated : nullptr;
  }();
  return key;
}

std::string AllowTopicPolicy(const std::string& queue_arn, const std::string& topic_arn) {
  return R"({"Version":"2012-10-17","Statement":[{"Sid":"AllowTopic","Effect":"Allow",)"
         R"("Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Resource":")" +
         queue_arn + R"(","Condition":{"ArnEquals":{"aws:SourceArn":")" + topic_arn + R"("}}}]})";
}

namespace {

ServiceOptions SnsOptions(std::function<void(std::function<void()>)> executor,
                          std::function<void(std::string_view)> log, storage::Store* outbox_store) {
  ServiceOptions options;
  options.outbox_store = outbox_store;
  options.delivery.executor = std::move(executor);
  options.delivery.log = std::move(log);
  options.delivery.max_retries = 5;
  return options;
}

}  // namespace

Services::Services(ManualClock& clock, storage::Store& store,
                   std::function<void(std::function<void()>)> executor,
                   storage::Store* outbox_store)
    : sqs(clock, clock, store, sqs::ServiceOptions{}),
      sns(clock, clock, store, sqs, TestSigningKey(),
          SnsOptions(
              std::move(executor),
              [this](std::string_view line) {
                std::lock_guard lock(log_mu);
                log.emplace_back(line);
              },
              outbox_store)) {}

std::string Services::CreateTopic(const std::string& name, api::StringPairs attributes) {
  wire::CreateTopicInput in;
  in.name = name;
  in.attributes = std::move(attributes);
  auto out = Call(&sns::CreateTopic, api::Action::kCreateTopic, std::move(in));
  EXPECT_TRUE(out.ok()) << (out.ok() ? "" : out.error().message);
  return out.ok() ? out->topic_arn : std::string();
}

std::string Services::Subscribe(const std::string& topic_arn, const std::string& queue_arn,
                                api::StringPairs attributes) {
  wire::SubscribeInput in;
  in.topic_arn = topic_arn;
  in.protocol = "sqs";
  in.endpoint = queue_arn;
  in.attributes = std::move(attributes);
  auto out = Call(&sns::Subscribe, api::Action::kSubscribe, std::move(in));
  EXPECT_TRUE(out.ok()) << (out.ok() ? "" : out.error().message);
  return out.ok() ? out->subscription_arn : std::string();
}

std::string Services::CreateQueue(const std::string& name, const std::string& allow_topic,
                                  api::StringPairs attributes) {
  if (!allow_topic.empty()) {
    attributes.emplace_back("Policy", AllowTopicPolicy(QueueArn(name), allow_topic));
  }
  if (name.ends_with(".fifo")) attributes.emplace_back("FifoQueue", "true");
  auto call = std::make_shared<RecordingCall<api::sqs::QueueUrlOutput>>(
      ContextFor(api::Action::kCreateQueue));
  sqs::CreateQueue(sqs, call->context(),
                   api::sqs::CreateQueueInput{name, std::move(attributes), {}},
                   api::Reply<api::sqs::QueueUrlOutput>(call));
  auto out = call->Wait();
  EXPECT_TRUE(out.ok()) << (out.ok() ? "" : out.error().message);
  return out.ok() ? out->queue_url : std::string();
}

api::ApiResult<wire::PublishOutput> Services::Publish(wire::PublishInput in) {
  return Call(&sns::Publish, api::Action::kPublish, std::move(in));
}

std::vector<api::sqs::Message> Services::Receive(const std::string& queue_url) {
  api::sqs::ReceiveMessageInput in;
  in.queue_url = queue_url;
  in.max_number_of_messages = 10;
  in.wait_time_seconds = 0;
  in.message_attribute_names = {"All"};
  in.message_system_attribute_names = {"All"};
  auto call = std::make_shared<RecordingCall<api::sqs::ReceiveMessageOutput>>(
      ContextFor(api::Action::kReceiveMessage));
  sqs::ReceiveMessage(sqs, call->context(), std::move(in),
                      api::Reply<api::sqs::ReceiveMessageOutput>(call));
  auto out = call->Wait();
  EXPECT_TRUE(out.ok()) << (out.ok() ? "" : out.error().message);
  return out.ok() ? out->messages : std::vector<api::sqs::Message>{};
}

}  // namespace wharf::sns::testing
