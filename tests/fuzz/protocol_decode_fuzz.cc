// Fuzzes the request decoders (src/protocol): the router (protocol/Parse), the Query form decoder
// (form.cc, query_reader.cc) and the AWS JSON 1.0 decoder (json_reader.cc), into the typed input
// of every action of every service — the path every unauthenticated byte of a request body or
// query string takes.
//
// Input: byte 0 picks the action (every row of the action table, IAM and STS included), byte 1
// the request's shape (see Shape below), the rest is the fuzzed text: the JSON body, or Query
// parameters ("a=1&b=2", after the Action=<name> the target adds, so the action is fixed while
// everything else is the fuzzer's). Checked besides "no crash, no hang, no UB, no leak":
//   * decoding is deterministic (same verdict, same typed input, same error);
//   * what is accepted survives both codecs: the typed input written as JSON decodes to the
//     same input (SQS actions: JSON is their second protocol), and written as Query parameters
//     (percent-encoded, lists numbered from 1) decodes through the router to the same input.
//     Both decoders therefore read every member the same way.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "api/iam/actions.h"
#include "api/kms/actions.h"
#include "api/service_name.h"
#include "api/sns/actions.h"
#include "api/sqs/actions.h"
#include "api/sqs/wharf_actions.h"
#include "api/sts/actions.h"
#include "common/base64.h"
#include "protocol/json_reader.h"
#include "protocol/protocol.h"
#include "protocol/writers.h"

namespace wharf::protocol {
namespace {

using api::Action;

[[noreturn]] void Fail(const char* what, std::string_view detail = {}) {
  std::fprintf(stderr, "protocol_decode_fuzz: %s\n%.*s\n", what, static_cast<int>(detail.size()),
               detail.data());
  std::abort();
}

// The canonical text of a typed value: its JSON encoding.
template <typename T>
std::string Canonical(T& value) {
  std::string out;
  JsonWriter writer(out);
  writer.BeginObject();
  value.Describe(writer);
  writer.EndObject();
  return out;
}

// Writes a typed input as AWS Query parameters, the inverse of QueryReader: flat names, lists
// and maps numbered from 1, members of nested structures under "<List>.<N>.". Values are
// percent-encoded, so any byte survives. A nested structure also gets a parameter no shape
// knows ("<prefix>_"), because on the Query wire a structure is present only through its
// parameters and one whose members are all absent would otherwise vanish.
class QueryFormWriter final : public api::Visitor {
 public:
  QueryFormWriter(std::string& out, std::string prefix) : out_(out), prefix_(std::move(prefix)) {}

  void String(api::Member m, std::optional<std::string>& value) override {
    if (value) Param(m.flat, *value);
  }
  void String(api::Member m, std::string& value) override { Param(m.flat, value); }
  void Int(api::Member m, std::optional<int64_t>& value) override {
    if (value) Param(m.flat, std::to_string(*value));
  }
  void Int(api::Member m, int64_t& value) override { Param(m.flat, std::to_string(value)); }
  void Bool(api::Member m, bool& value) override { Param(m.flat, value ? "true" : "false"); }
  void Blob(api::Member m, std::optional<std::string>& bytes) override {
    if (bytes) Param(m.flat, Base64Encode(*bytes));
  }
  void StringList(api::Member m, std::vector<std::string>& list) override {
    for (size_t i = 0; i < list.size(); ++i) Param(Indexed(m.flat, i), list[i]);
  }
  void StringMap(api::Member m, api::MapNames names, api::StringPairs& map) override {
    for (size_t i = 0; i < map.size(); ++i) {
      const std::string base = Indexed(m.flat, i) + ".";
      Param(base + std::string(names.key), map[i].first);
      Param(base + std::string(names.value), map[i].second);
    }
  }
  void StructList(api::Member m, api::ListRef& list) override {
    for (size_t i = 0; i < list.size(); ++i) {
      QueryFormWriter nested(out_, prefix_ + Indexed(m.flat, i) + ".");
      nested.Present();
      list.DescribeAt(i, nested);
    }
  }
  void StructMap(api::Member m, api::MapNames names, api::MapRef& map) override {
    for (size_t i = 0; i < map.size(); ++i) {
      const std::string base = Indexed(m.flat, i) + ".";
      Param(base + std::string(names.key), map.KeyAt(i));
      QueryFormWriter nested(out_, prefix_ + base + std::string(names.value) + ".");
      nested.Present();
      map.DescribeAt(i, nested);
    }
  }
  void Struct(api::Member m, api::StructRef& s) override {
    if (!s.present()) return;
    QueryFormWriter nested(out_, prefix_ + std::string(m.flat) + ".");
    nested.Present();
    s.Describe(nested);
  }

 private:
  static std::string Indexed(std::string_view flat, size_t i) {
    return std::string(flat) + "." + std::to_string(i + 1);
  }
  void Present() { Param("_", ""); }
  void Param(std::string_view name, std::string_view value) {
    out_.push_back('&');
    Encode(prefix_);
    Encode(name);
    out_.push_back('=');
    Encode(value);
  }
  void Encode(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    for (char c : text) {
      auto u = static_cast<unsigned char>(c);
      if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || c == '-' ||
          c == '_' || c == '.' || c == '~') {
        out_.push_back(c);
      } else {
        out_.push_back('%');
        out_.push_back(kHex[u >> 4]);
        out_.push_back(kHex[u & 15]);
      }
    }
  }

  std::string& out_;
  std::string prefix_;
};

// How the fuzzed text reaches the router (byte 1).
struct Shape {
  bool json;        // bit 0: AWS JSON 1.0 (SQS actions only; IAM and STS are Query-only)
  bool in_url;      // bit 1: Query parameters in the URL instead of a form body
  bool queue_path;  // bit 2: POST to a queue URL instead of "/"
  bool odd_type;    // bit 3: a Content-Type the router must not take for a form
};

struct Owned {
  std::string path = "/";
  std::string query;
  std::string content_type;
  std::string amz_target;
  std::string body;
  std::string scope;

  RequestView View() const {
    RequestView view{"POST", path, query, content_type, amz_target, &body, scope};
    return view;
  }
};

// Wharf's own actions (api::WharfActions()): AWS JSON 1.0 under X-Amz-Target: Wharf.<name> only.
bool IsWharfAction(const api::ActionInfo& info) {
  return api::FindWharfAction(info.name) == info.action;
}

Owned Build(const api::ActionInfo& info, Shape shape, std::string_view text) {
  Owned r;
  r.scope = std::string(api::ServiceName(info.service));
  if (shape.queue_path) r.path = "/000000000000/orders.fifo";
  if (info.service == api::Service::kKms) {  // AWS JSON 1.1 only
    r.content_type = "application/x-amz-json-1.1";
    r.amz_target = "TrentService." + std::string(info.name);
    r.body.reserve(text.size() + 64);
    r.body.assign(text);
    return r;
  }
  if (shape.json || IsWharfAction(info)) {
    r.content_type = "application/x-amz-json-1.0";
    r.amz_target = (IsWharfAction(info) ? "Wharf." : "AmazonSQS.") + std::string(info.name);
    r.body.reserve(text.size() + 64);  // simdjson's padding, as net/ provides it
    r.body.assign(text);
    return r;
  }
  std::string params = "Action=" + std::string(info.name) + "&";
  params.append(text);
  r.content_type =
      shape.odd_type ? "text/plain" : "application/x-www-form-urlencoded; charset=utf-8";
  if (shape.in_url) {
    r.query = std::move(params);
  } else {
    r.body = std::move(params);
  }
  return r;
}

struct Decoded {
  bool routed = false;
  bool ok = false;
  std::string text;  // canonical input, or the error's code and message
};

template <typename In>
Decoded DecodeAs(const RequestView& view) {
  Decoded d;
  auto parsed = Parse(view);
  if (!parsed.ok()) {
    d.text = parsed.error().error.message;
    return d;
  }
  d.routed = true;
  In input{};
  api::ApiStatus status = parsed->Decode(api::Shape::Of(input));
  d.ok = status.ok();
  if (d.ok) {
    d.text = Canonical(input);
  } else {
    d.text = std::to_string(static_cast<int>(status.error().code)) + " " + status.error().message;
  }
  return d;
}

template <typename In>
void Check(const api::ActionInfo& info, Shape shape, std::string_view text) {
  const Owned request = Build(info, shape, text);
  const Decoded first = DecodeAs<In>(request.View());
  const Decoded second = DecodeAs<In>(request.View());
  if (first.routed != second.routed || first.ok != second.ok || first.text != second.text) {
    Fail("decoding is not deterministic", first.text + "\n" + second.text);
  }
  if (!first.ok) return;
  // KMS speaks only JSON 1.1: there is no Query form to write the input back in.
  if (info.service == api::Service::kKms) return;

  if (info.service == api::Service::kSqs) {
    In again{};
    std::string json = first.text;
    json.reserve(json.size() + 64);
    api::ApiStatus status = DecodeJson(json, api::Shape::Of(again));
    if (!status.ok()) Fail("the input written as JSON does not decode", first.text);
    if (Canonical(again) != first.text) {
      Fail("the input written as JSON decodes to another input", first.text + "\n" + json);
    }
  }
  if (IsWharfAction(info)) return;  // no Query form

  In input{};
  {
    const Owned original = Build(info, shape, text);
    auto parsed = Parse(original.View());
    if (!parsed.ok() || !parsed->Decode(api::Shape::Of(input)).ok()) Fail("lost the input");
  }
  std::string form;
  QueryFormWriter writer(form, "");
  input.Describe(writer);
  Owned query = Build(info, Shape{false, false, false, false}, form);
  const Decoded back = DecodeAs<In>(query.View());
  if (!back.ok) Fail("the input written as Query parameters does not decode", form);
  if (back.text != first.text) {
    Fail("the input written as Query parameters decodes to another input",
         first.text + "\n" + back.text + "\n" + form);
  }
}

void Run(Action action, Shape shape, std::string_view text) {
  namespace sqs = api::sqs;
  namespace iam = api::iam;
  namespace sts = api::sts;
  namespace kms = api::kms;
  namespace sns = api::sns;
  const api::ActionInfo& info = api::InfoOf(action);
  if (info.service != api::Service::kSqs) shape.json = false;
  // Exhaustive, without default: a new action does not build until it is fuzzed here too.
  switch (action) {
    case Action::kAddPermission:
      return Check<sqs::AddPermissionInput>(info, shape, text);
    case Action::kCancelMessageMoveTask:
      return Check<sqs::CancelMessageMoveTaskInput>(info, shape, text);
    case Action::kChangeMessageVisibility:
      return Check<sqs::ChangeMessageVisibilityInput>(info, shape, text);
    case Action::kChangeMessageVisibilityBatch:
      return Check<sqs::ChangeMessageVisibilityBatchInput>(info, shape, text);
    case Action::kCreateQueue:
      return Check<sqs::CreateQueueInput>(info, shape, text);
    case Action::kDeleteMessage:
      return Check<sqs::DeleteMessageInput>(info, shape, text);
    case Action::kDeleteMessageBatch:
      return Check<sqs::DeleteMessageBatchInput>(info, shape, text);
    case Action::kDeleteQueue:
    case Action::kPurgeQueue:
    case Action::kListQueueTags:
      return Check<sqs::QueueUrlInput>(info, shape, text);
    case Action::kGetQueueAttributes:
      return Check<sqs::GetQueueAttributesInput>(info, shape, text);
    case Action::kGetQueueUrl:
      return Check<sqs::GetQueueUrlInput>(info, shape, text);
    case Action::kListDeadLetterSourceQueues:
      return Check<sqs::ListDeadLetterSourceQueuesInput>(info, shape, text);
    case Action::kListMessageMoveTasks:
      return Check<sqs::ListMessageMoveTasksInput>(info, shape, text);
    case Action::kListQueues:
      return Check<sqs::ListQueuesInput>(info, shape, text);
    case Action::kReceiveMessage:
      return Check<sqs::ReceiveMessageInput>(info, shape, text);
    case Action::kRemovePermission:
      return Check<sqs::RemovePermissionInput>(info, shape, text);
    case Action::kSendMessage:
      return Check<sqs::SendMessageInput>(info, shape, text);
    case Action::kSendMessageBatch:
      return Check<sqs::SendMessageBatchInput>(info, shape, text);
    case Action::kSetQueueAttributes:
      return Check<sqs::SetQueueAttributesInput>(info, shape, text);
    case Action::kStartMessageMoveTask:
      return Check<sqs::StartMessageMoveTaskInput>(info, shape, text);
    case Action::kTagQueue:
      return Check<sqs::TagQueueInput>(info, shape, text);
    case Action::kUntagQueue:
      return Check<sqs::UntagQueueInput>(info, shape, text);
    case Action::kCreateUser:
      return Check<iam::CreateUserInput>(info, shape, text);
    case Action::kGetUser:
    case Action::kDeleteUser:
    case Action::kCreateAccessKey:
      return Check<iam::UserNameInput>(info, shape, text);
    case Action::kListUsers:
    case Action::kListRoles:
    case Action::kListGroups:
    case Action::kListPolicies:
      return Check<iam::ListInput>(info, shape, text);
    case Action::kListAccessKeys:
      return Check<iam::ListAccessKeysInput>(info, shape, text);
    case Action::kUpdateAccessKey:
    case Action::kDeleteAccessKey:
      return Check<iam::AccessKeyInput>(info, shape, text);
    case Action::kPutUserPolicy:
    case Action::kGetUserPolicy:
    case Action::kDeleteUserPolicy:
    case Action::kPutRolePolicy:
    case Action::kGetRolePolicy:
    case Action::kDeleteRolePolicy:
    case Action::kPutGroupPolicy:
    case Action::kGetGroupPolicy:
    case Action::kDeleteGroupPolicy:
      return Check<iam::InlinePolicyInput>(info, shape, text);
    case Action::kListUserPolicies:
    case Action::kListRolePolicies:
    case Action::kListGroupPolicies:
    case Action::kListAttachedUserPolicies:
    case Action::kListAttachedRolePolicies:
    case Action::kListAttachedGroupPolicies:
    case Action::kListGroupsForUser:
      return Check<iam::EntityListInput>(info, shape, text);
    case Action::kCreatePolicy:
      return Check<iam::CreatePolicyInput>(info, shape, text);
    case Action::kGetPolicy:
    case Action::kGetPolicyVersion:
    case Action::kDeletePolicy:
      return Check<iam::PolicyArnInput>(info, shape, text);
    case Action::kAttachUserPolicy:
    case Action::kDetachUserPolicy:
    case Action::kAttachRolePolicy:
    case Action::kDetachRolePolicy:
    case Action::kAttachGroupPolicy:
    case Action::kDetachGroupPolicy:
      return Check<iam::AttachPolicyInput>(info, shape, text);
    case Action::kCreateRole:
      return Check<iam::CreateRoleInput>(info, shape, text);
    case Action::kGetRole:
    case Action::kDeleteRole:
    case Action::kUpdateAssumeRolePolicy:
      return Check<iam::RoleNameInput>(info, shape, text);
    case Action::kCreateGroup:
      return Check<iam::CreateGroupInput>(info, shape, text);
    case Action::kGetGroup:
    case Action::kDeleteGroup:
    case Action::kAddUserToGroup:
    case Action::kRemoveUserFromGroup:
      return Check<iam::GroupInput>(info, shape, text);
    case Action::kGetCallerIdentity:
      return Check<sts::Empty>(info, shape, text);
    case Action::kAssumeRole:
      return Check<sts::AssumeRoleInput>(info, shape, text);
    case Action::kGetSessionToken:
      return Check<sts::GetSessionTokenInput>(info, shape, text);
    case Action::kCreateKey:
      return Check<kms::CreateKeyInput>(info, shape, text);
    case Action::kDescribeKey:
    case Action::kEnableKey:
    case Action::kDisableKey:
    case Action::kCancelKeyDeletion:
    case Action::kDisableKeyRotation:
    case Action::kGetKeyRotationStatus:
    case Action::kRotateKeyOnDemand:
      return Check<kms::KeyIdInput>(info, shape, text);
    case Action::kListKeys:
      return Check<kms::PagedInput>(info, shape, text);
    case Action::kUpdateKeyDescription:
      return Check<kms::UpdateKeyDescriptionInput>(info, shape, text);
    case Action::kCreateAlias:
    case Action::kUpdateAlias:
    case Action::kDeleteAlias:
      return Check<kms::AliasInput>(info, shape, text);
    case Action::kListAliases:
      return Check<kms::ListAliasesInput>(info, shape, text);
    case Action::kEncrypt:
      return Check<kms::EncryptInput>(info, shape, text);
    case Action::kDecrypt:
      return Check<kms::DecryptInput>(info, shape, text);
    case Action::kReEncrypt:
      return Check<kms::ReEncryptInput>(info, shape, text);
    case Action::kGenerateDataKey:
    case Action::kGenerateDataKeyWithoutPlaintext:
      return Check<kms::GenerateDataKeyInput>(info, shape, text);
    case Action::kGenerateRandom:
      return Check<kms::GenerateRandomInput>(info, shape, text);
    case Action::kScheduleKeyDeletion:
      return Check<kms::ScheduleKeyDeletionInput>(info, shape, text);
    case Action::kGetKeyPolicy:
      return Check<kms::GetKeyPolicyInput>(info, shape, text);
    case Action::kPutKeyPolicy:
      return Check<kms::PutKeyPolicyInput>(info, shape, text);
    case Action::kEnableKeyRotation:
      return Check<kms::EnableKeyRotationInput>(info, shape, text);
    case Action::kTagResource:
      return Check<kms::TagResourceInput>(info, shape, text);
    case Action::kUntagResource:
      return Check<kms::UntagResourceInput>(info, shape, text);
    case Action::kListResourceTags:
      return Check<kms::ListResourceTagsInput>(info, shape, text);
    case Action::kCreateTopic:
      return Check<sns::CreateTopicInput>(info, shape, text);
    case Action::kDeleteTopic:
    case Action::kGetTopicAttributes:
      return Check<sns::TopicArnInput>(info, shape, text);
    case Action::kListTopics:
      return Check<sns::ListTopicsInput>(info, shape, text);
    case Action::kSetTopicAttributes:
      return Check<sns::SetTopicAttributesInput>(info, shape, text);
    case Action::kSubscribe:
      return Check<sns::SubscribeInput>(info, shape, text);
    case Action::kUnsubscribe:
    case Action::kGetSubscriptionAttributes:
      return Check<sns::SubscriptionArnInput>(info, shape, text);
    case Action::kListSubscriptions:
      return Check<sns::ListSubscriptionsInput>(info, shape, text);
    case Action::kListSubscriptionsByTopic:
      return Check<sns::ListSubscriptionsByTopicInput>(info, shape, text);
    case Action::kSetSubscriptionAttributes:
      return Check<sns::SetSubscriptionAttributesInput>(info, shape, text);
    case Action::kPublish:
      return Check<sns::PublishInput>(info, shape, text);
    case Action::kPublishBatch:
      return Check<sns::PublishBatchInput>(info, shape, text);
    case Action::kSnsTagResource:
      return Check<sns::TagResourceInput>(info, shape, text);
    case Action::kSnsUntagResource:
      return Check<sns::UntagResourceInput>(info, shape, text);
    case Action::kListTagsForResource:
      return Check<sns::ResourceArnInput>(info, shape, text);
    case Action::kPeekMessages:
      return Check<sqs::PeekMessagesInput>(info, shape, text);
    case Action::kGetQueueStats:
      return Check<sqs::GetQueueStatsInput>(info, shape, text);
  }
}

}  // namespace
}  // namespace wharf::protocol

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace wharf::protocol;
  if (size < 2) return 0;
  const auto action = static_cast<wharf::api::Action>(data[0] % wharf::api::kAllActionCount);
  const Shape shape{(data[1] & 1) != 0, (data[1] & 2) != 0, (data[1] & 4) != 0, (data[1] & 8) != 0};
  Run(action, shape, std::string_view(reinterpret_cast<const char*>(data) + 2, size - 2));
  return 0;
}
