#include "sqs/handlers/common.h"

#include <algorithm>
#include <set>

#include "sqs/service.h"

namespace wharf::sqs {
namespace {

using api::ErrorCode;

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

}  // namespace

api::ApiError InvalidParameterValue(std::string_view value, std::string_view name,
                                    std::string_view reason) {
  return api::Error(ErrorCode::kInvalidParameterValue,
                    "Value " + std::string(value) + " for parameter " + std::string(name) +
                        " is invalid. Reason: " + std::string(reason));
}

api::ApiStatus ValidateQueueName(std::string_view name, bool fifo, int64_t max_length) {
  constexpr std::string_view kFifoSuffix = ".fifo";
  const bool has_suffix = name.size() >= kFifoSuffix.size() &&
                          name.substr(name.size() - kFifoSuffix.size()) == kFifoSuffix;
  std::string_view stem = has_suffix ? name.substr(0, name.size() - kFifoSuffix.size()) : name;
  const bool chars_ok = !stem.empty() && std::all_of(stem.begin(), stem.end(), IsNameChar);
  const bool length_ok = static_cast<int64_t>(name.size()) <= max_length;
  if (fifo) {
    if (!has_suffix || !chars_ok || !length_ok) {
      return api::Error(ErrorCode::kInvalidParameterValue,
                        "The name of a FIFO queue can only include alphanumeric characters, "
                        "hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in "
                        "length");
    }
    return {};
  }
  if (has_suffix || !chars_ok || !length_ok) {
    return api::Error(ErrorCode::kInvalidParameterValue,
                      "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 "
                      "in length");
  }
  return {};
}

api::ApiStatus ValidateTags(const api::StringPairs& tags) {
  for (const auto& [key, value] : tags) {
    if (key.empty() || key.size() > 128) {
      return api::Error(ErrorCode::kInvalidParameterValue,
                        "Tag keys must be between 1 and 128 characters in length.");
    }
    if (key.rfind("aws:", 0) == 0) {
      return api::Error(ErrorCode::kInvalidParameterValue,
                        "Tag keys must not start with the reserved prefix 'aws:'.");
    }
    if (value.size() > 256) {
      return api::Error(ErrorCode::kInvalidParameterValue,
                        "Tag values must be between 0 and 256 characters in length.");
    }
  }
  return {};
}

api::ApiStatus ValidateBatch(const std::vector<const std::optional<std::string>*>& ids,
                             std::string_view entry_name, int64_t max_entries) {
  if (ids.empty()) {
    return api::Error(
        ErrorCode::kEmptyBatchRequest,
        "There should be at least one " + std::string(entry_name) + " in the request.");
  }
  if (static_cast<int64_t>(ids.size()) > max_entries) {
    return api::Error(ErrorCode::kTooManyEntriesInBatchRequest,
                      "Maximum number of entries per request are " + std::to_string(max_entries) +
                          ". You have sent " + std::to_string(ids.size()) + ".");
  }
  std::set<std::string_view> seen;
  for (const std::optional<std::string>* id : ids) {
    if (!*id || (*id)->empty() || (*id)->size() > 80 ||
        !std::all_of((*id)->begin(), (*id)->end(), IsNameChar)) {
      return api::Error(ErrorCode::kInvalidBatchEntryId);
    }
    if (!seen.insert(**id).second) {
      return api::Error(ErrorCode::kBatchEntryIdsNotDistinct, "Id " + **id + " repeated.");
    }
  }
  return {};
}

bool LooksLikeArn(std::string_view arn) {
  if (arn.substr(0, 4) != "arn:") return false;
  size_t colons = 0;
  for (char c : arn) colons += c == ':';
  return colons >= 5 && arn.back() != ':';
}

api::sqs::BatchResultErrorEntry FailedEntry(std::string id, const api::ApiError& error) {
  const api::ErrorInfo& info = api::InfoOf(error.code);
  api::sqs::BatchResultErrorEntry entry;
  entry.id = std::move(id);
  entry.sender_fault = info.fault == api::Fault::kSender;
  entry.code = std::string(info.query_code);
  entry.message = error.message.empty() ? std::string(info.message) : error.message;
  return entry;
}

api::ApiStatus ValidateVisibilityTimeout(const std::optional<int64_t>& timeout,
                                         const Limits& limits) {
  if (!timeout) return MissingParameter("VisibilityTimeout");
  if (*timeout < 0 || *timeout > limits.max_visibility_timeout) {
    return InvalidParameterValue(std::to_string(*timeout), "VisibilityTimeout",
                                 "Must be >= 0 and <= 43200, if provided.");
  }
  return {};
}

}  // namespace wharf::sqs
