#include "kms/validation.h"

#include <algorithm>

namespace wharf::kms {
namespace {

std::string Quoted(std::string_view value) {
  std::string out = "'";
  out.append(value);
  out.push_back('\'');
  return out;
}

}  // namespace

api::ApiError ConstraintViolation(std::string_view field, std::string_view quoted_value,
                                  std::string_view constraint) {
  std::string message = "1 validation error detected: Value ";
  if (!quoted_value.empty()) message.append(quoted_value).push_back(' ');
  message.append("at '").append(field).append("' failed to satisfy constraint: ");
  message.append(constraint);
  return api::Error(api::ErrorCode::kValidationError, std::move(message));
}

api::ApiStatus RequirePresent(std::string_view field, const std::optional<std::string>& value) {
  if (value) return {};
  return ConstraintViolation(field, "null", "Member must not be null");
}

api::ApiStatus RequireLength(std::string_view field, const std::optional<std::string>& value,
                             size_t min, size_t max) {
  if (auto present = RequirePresent(field, value); !present.ok()) return present;
  return CheckLength(field, value, min, max);
}

api::ApiStatus CheckLength(std::string_view field, const std::optional<std::string>& value,
                           size_t min, size_t max) {
  if (!value) return {};
  if (value->size() < min) {
    return ConstraintViolation(
        field, Quoted(*value),
        "Member must have length greater than or equal to " + std::to_string(min));
  }
  if (value->size() > max) {
    return ConstraintViolation(
        field, Quoted(*value),
        "Member must have length less than or equal to " + std::to_string(max));
  }
  return {};
}

api::ApiStatus RequireBlobLength(std::string_view field, const std::optional<std::string>& value,
                                 size_t min, size_t max) {
  if (!value) return ConstraintViolation(field, "null", "Member must not be null");
  if (value->size() < min) {
    return ConstraintViolation(
        field, "", "Member must have length greater than or equal to " + std::to_string(min));
  }
  if (value->size() > max) {
    return ConstraintViolation(
        field, "", "Member must have length less than or equal to " + std::to_string(max));
  }
  return {};
}

api::ApiStatus CheckRange(std::string_view field, const std::optional<int64_t>& value, int64_t min,
                          int64_t max) {
  if (!value) return {};
  if (*value < min) {
    return ConstraintViolation(
        field, Quoted(std::to_string(*value)),
        "Member must have value greater than or equal to " + std::to_string(min));
  }
  if (*value > max) {
    return ConstraintViolation(
        field, Quoted(std::to_string(*value)),
        "Member must have value less than or equal to " + std::to_string(max));
  }
  return {};
}

api::ApiStatus CheckEnum(std::string_view field, const std::optional<std::string>& value,
                         std::initializer_list<std::string_view> allowed) {
  if (!value || std::find(allowed.begin(), allowed.end(), *value) != allowed.end()) return {};
  std::string set = "Member must satisfy enum value set: [";
  bool first = true;
  for (std::string_view a : allowed) {
    if (!first) set.append(", ");
    first = false;
    set.append(a);
  }
  set.push_back(']');
  return ConstraintViolation(field, Quoted(*value), set);
}

}  // namespace wharf::kms
