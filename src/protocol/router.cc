// Routing: which protocol, service and action a request is (sqs-api.md §1.1).

#include <algorithm>

#include "common/text.h"
#include "protocol/form.h"
#include "protocol/json_reader.h"
#include "protocol/protocol.h"
#include "protocol/query_reader.h"

namespace wharf::protocol {
namespace {

using api::Action;
using api::ErrorCode;

constexpr std::string_view kSqsTargetPrefix = "AmazonSQS.";
constexpr std::string_view kKmsTargetPrefix = "TrentService.";
// Wharf's own SQS actions (api::WharfActions()): JSON 1.0, never the Query protocol.
constexpr std::string_view kWharfTargetPrefix = "Wharf.";

const std::string* FindParam(const FormParams& params, std::string_view name) {
  for (const auto& [k, v] : params) {
    if (k == name) return &v;
  }
  return nullptr;
}

// A Query request sent to a queue URL ("/<account>/<queue>") names its queue by the path.
bool IsQueuePath(std::string_view path) {
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  if (path.empty() || path.front() != '/') return false;
  path.remove_prefix(1);
  size_t slash = path.find('/');
  if (slash == std::string_view::npos || slash == 0) return false;
  std::string_view rest = path.substr(slash + 1);
  return !rest.empty() && rest.find('/') == std::string_view::npos;
}

bool IsFormContent(std::string_view content_type) {
  // Media types are case-insensitive (RFC 9110 §8.3.1).
  return content_type.empty() ||
         StartsWithIgnoreCase(content_type, "application/x-www-form-urlencoded");
}

RouteError InvalidAction(std::string_view name) {
  return RouteError{Protocol::kQuery,
                    api::Error(ErrorCode::kInvalidAction, "The action " + std::string(name) +
                                                              " is not valid for this endpoint."),
                    false};
}

// IAM, STS and SNS: Query only, selected by the credential scope (security.md §0, §3.1;
// sns-fanout.md §1).
api::Service ServiceOfScope(std::string_view scope_service) {
  if (scope_service == "iam") return api::Service::kIam;
  if (scope_service == "sts") return api::Service::kSts;
  if (scope_service == "sns") return api::Service::kSns;
  return api::Service::kSqs;
}

std::string_view VersionOf(api::Service service) {
  if (service == api::Service::kSns) return "2010-03-31";
  return service == api::Service::kIam ? "2010-05-08" : "2011-06-15";
}

}  // namespace

struct Parser {
  static Result<ParsedRequest, RouteError> Json(const RequestView& request) {
    std::string_view target = request.amz_target;
    if (target.substr(0, kKmsTargetPrefix.size()) == kKmsTargetPrefix) return Kms(request);
    if (target.substr(0, kWharfTargetPrefix.size()) == kWharfTargetPrefix) {
      auto action = api::FindWharfAction(target.substr(kWharfTargetPrefix.size()));
      if (!action) {
        return RouteError{Protocol::kJson10,
                          api::Error(ErrorCode::kUnknownOperation,
                                     "Unknown operation " + std::string(target) + "."),
                          false};
      }
      ParsedRequest parsed;
      parsed.protocol_ = Protocol::kJson10;
      parsed.action_ = *action;
      parsed.body_ = request.body;
      return parsed;
    }
    if (target.substr(0, kSqsTargetPrefix.size()) != kSqsTargetPrefix) {
      return RouteError{Protocol::kJson10,
                        api::Error(ErrorCode::kUnknownOperation,
                                   "Unknown operation " + std::string(target) + "."),
                        false};
    }
    std::string_view name = target.substr(kSqsTargetPrefix.size());
    auto action = api::FindAction(api::Service::kSqs, name);
    if (!action) {
      return RouteError{Protocol::kJson10,
                        api::Error(ErrorCode::kUnknownOperation,
                                   "Unknown operation " + std::string(target) + "."),
                        false};
    }
    ParsedRequest parsed;
    parsed.protocol_ = Protocol::kJson10;
    parsed.action_ = *action;
    parsed.body_ = request.body;
    return parsed;
  }

  // KMS: AWS JSON 1.1, X-Amz-Target: TrentService.<Action> (security.md §4.5).
  static Result<ParsedRequest, RouteError> Kms(const RequestView& request) {
    const std::string_view name = request.amz_target.substr(kKmsTargetPrefix.size());
    auto action = api::FindAction(api::Service::kKms, name);
    if (!action) {
      return RouteError{Protocol::kJson11,
                        api::Error(ErrorCode::kUnknownOperation,
                                   "Unknown operation " + std::string(request.amz_target) + "."),
                        false, api::Service::kKms};
    }
    ParsedRequest parsed;
    parsed.protocol_ = Protocol::kJson11;
    parsed.action_ = *action;
    parsed.body_ = request.body;
    return parsed;
  }

  static Result<ParsedRequest, RouteError> Query(const RequestView& request) {
    ParsedRequest parsed;
    parsed.protocol_ = Protocol::kQuery;
    FormParams& params = parsed.params_;
    if (!ParseForm(request.query, params)) {
      return RouteError{Protocol::kQuery, api::Error(ErrorCode::kMalformedQueryString), false};
    }
    if (request.body && !request.body->empty() && IsFormContent(request.content_type)) {
      if (!ParseForm(*request.body, params)) {
        return RouteError{Protocol::kQuery, api::Error(ErrorCode::kInvalidQueryParameter), false};
      }
    }
    const api::Service service = ServiceOfScope(request.scope_service);
    if (service != api::Service::kSqs) return Identity(std::move(parsed), service);
    const bool queue_path = IsQueuePath(request.path);
    const std::string* action_name = FindParam(params, "Action");
    if (!action_name) {
      if (queue_path) {
        return RouteError{Protocol::kQuery, api::Error(ErrorCode::kUnknownOperation), true};
      }
      return RouteError{Protocol::kQuery, api::Error(ErrorCode::kMissingAction), false};
    }
    auto action = api::FindAction(api::Service::kSqs, *action_name);
    if (!action) return InvalidAction(*action_name);
    if (queue_path && (*action == Action::kCreateQueue || *action == Action::kListQueues)) {
      return InvalidAction(*action_name);
    }
    if (queue_path && !FindParam(params, "QueueUrl")) {
      params.emplace_back("QueueUrl", std::string(request.path));
    }
    // Sorted by name so members and flattened lists are found by binary search; stable so the
    // first of repeated parameters wins.
    std::stable_sort(params.begin(), params.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    parsed.action_ = *action;
    return parsed;
  }

  static Result<ParsedRequest, RouteError> Identity(ParsedRequest parsed, api::Service service) {
    FormParams& params = parsed.params_;
    const std::string* action_name = FindParam(params, "Action");
    if (!action_name) {
      return RouteError{Protocol::kQuery, api::Error(ErrorCode::kMissingAction), false, service};
    }
    auto action = api::FindAction(service, *action_name);
    if (!action) {
      std::string message = "Could not find operation ";
      message.append(*action_name);
      message.append(" for version ");
      message.append(VersionOf(service));
      return RouteError{Protocol::kQuery, api::Error(ErrorCode::kInvalidAction, std::move(message)),
                        false, service};
    }
    std::stable_sort(params.begin(), params.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    parsed.action_ = *action;
    return parsed;
  }
};

Result<ParsedRequest, RouteError> Parse(const RequestView& request) {
  if (!request.amz_target.empty()) return Parser::Json(request);
  return Parser::Query(request);
}

Protocol GuessProtocol(std::string_view amz_target) {
  if (amz_target.empty()) return Protocol::kQuery;
  if (amz_target.substr(0, kKmsTargetPrefix.size()) == kKmsTargetPrefix) return Protocol::kJson11;
  return Protocol::kJson10;
}

api::ApiStatus ParsedRequest::Decode(api::Shape input) const {
  if (protocol_ == Protocol::kJson10 || protocol_ == Protocol::kJson11) {
    static const std::string kEmpty;
    return DecodeJson(body_ ? *body_ : kEmpty, input);
  }
  api::ApiStatus status;
  QueryReader reader(params_, std::string(), &status);
  input.Describe(reader);
  return status;
}

}  // namespace wharf::protocol
