#pragma once

// The SSE-KMS tests' fixture: the SQS fixture (ManualClock, MemoryStore, handlers called
// directly) with a FakeKeyService as the service's key service, two keys ("alias/orders" and
// "alias/dlq"), and helpers to act as different principals and to look at what a queue stores.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "auth/credentials.h"
#include "fake_key_service.h"
#include "sqs_test_support.h"

namespace wharf::sqs::testing {

inline constexpr char kAccount[] = "000000000000";
inline constexpr char kOrdersKeyArn[] =
    "arn:aws:kms:us-east-1:000000000000:key/11111111-1111-4111-8111-111111111111";
inline constexpr char kDlqKeyArn[] =
    "arn:aws:kms:us-east-1:000000000000:key/22222222-2222-4222-8222-222222222222";

inline std::string QueueArnOf(const std::string& name) {
  return "arn:aws:sqs:us-east-1:" + std::string(kAccount) + ":" + name;
}

inline ServiceOptions WithKeyService(kms::DataKeyService* keys) {
  ServiceOptions options;
  options.key_service = keys;
  return options;
}

class SseTest : public SqsServiceTest {
 protected:
  SseTest() : SqsServiceTest(WithKeyService(&keys_)) {
    keys_.AddKey("alias/orders", kOrdersKeyArn);
    keys_.AddKey("alias/dlq", kDlqKeyArn);
  }

  // Acts as an IAM user (by access key id) from now on.
  void ActAsUser(const std::string& access_key_id, const std::string& user) {
    auto key = std::make_shared<auth::AccessKey>();
    key->access_key_id = access_key_id;
    key->principal.type = auth::PrincipalType::kUser;
    key->principal.account_id = kAccount;
    key->principal.arn = "arn:aws:iam::" + std::string(kAccount) + ":user/" + user;
    key->principal.user_name = user;
    ctx_.access_key_id = access_key_id;
    ctx_.caller = std::move(key);
  }

  // Acts as a session of `role` (temporary key `access_key_id`), with a session policy or not.
  void ActAsRoleSession(const std::string& access_key_id, const std::string& role,
                        const std::string& session, bool with_session_policy = false) {
    auto key = std::make_shared<auth::AccessKey>();
    key->access_key_id = access_key_id;
    key->session_token = "token-" + access_key_id;
    key->principal.type = auth::PrincipalType::kAssumedRole;
    key->principal.account_id = kAccount;
    key->principal.role_arn = "arn:aws:iam::" + std::string(kAccount) + ":role/" + role;
    key->principal.arn =
        "arn:aws:sts::" + std::string(kAccount) + ":assumed-role/" + role + "/" + session;
    key->principal.session_name = session;
    if (with_session_policy) {
      key->session_policies.push_back(std::make_shared<const auth::PolicyDocument>());
    }
    ctx_.access_key_id = access_key_id;
    ctx_.caller = std::move(key);
  }

  std::string CreateSseQueue(const std::string& name, const std::string& key = "alias/orders",
                             api::StringPairs more = {}) {
    more.emplace_back("KmsMasterKeyId", key);
    return CreateQueue(name, std::move(more));
  }

  api::ApiResult<a::SendMessageOutput> TrySend(const std::string& url, const std::string& body) {
    a::SendMessageInput in;
    in.queue_url = url;
    in.message_body = body;
    return Run(&sqs::SendMessage, std::move(in));
  }

  api::ApiResult<a::ReceiveMessageOutput> TryReceive(const std::string& url, int64_t max = 10,
                                                     std::optional<int64_t> visibility = {}) {
    a::ReceiveMessageInput in;
    in.queue_url = url;
    in.max_number_of_messages = max;
    in.wait_time_seconds = 0;
    in.visibility_timeout = visibility;
    in.attribute_names = {"All"};
    return Run(&sqs::ReceiveMessage, std::move(in));
  }

  std::shared_ptr<QueueBackend> QueueNamed(const std::string& name) {
    return service_.queues().Find(kAccount, name);
  }

  // What the queue keeps for its visible messages, taken straight from the engine (so they
  // are in flight afterwards, for `visibility` seconds).
  std::vector<ReceivedMessage> RawReceive(const std::string& name, int64_t visibility = 30) {
    std::vector<ReceivedMessage> out;
    ReceiveOptions options;
    options.max_messages = 10;
    options.wait_seconds = 0;
    options.visibility_timeout = visibility;
    QueueNamed(name)->Receive(options, [&](api::ApiResult<std::vector<ReceivedMessage>> r) {
      if (r.ok()) out = std::move(r).value();
    });
    return out;
  }

  FakeKeyService keys_;
};

template <typename T>
void ExpectApiError(const api::ApiResult<T>& r, api::ErrorCode code, int http_status,
                    const std::string& message = "") {
  ASSERT_FALSE(r.ok()) << "expected " << api::InfoOf(code).query_code;
  EXPECT_EQ(r.error().code, code) << api::InfoOf(r.error().code).query_code << ": "
                                  << r.error().message;
  EXPECT_EQ(api::InfoOf(r.error().code).http_status, http_status);
  if (!message.empty()) {
    EXPECT_EQ(r.error().message, message);
  }
}

}  // namespace wharf::sqs::testing
