// FilterPolicy::Matches and MatchesBody: finding each key's values in a published message and
// deciding the policy's alternatives against them (sns-fanout.md §5.2).

#include <simdjson.h>

#include "sns/filter_policy.h"
#include "sns/filter_policy_rules.h"

namespace wharf::sns {
namespace {

using filter::Condition;
using filter::ConditionKind;
using filter::KeyRule;
using filter::Value;
using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

// Note: simdjson's get_array()/get_object() results are bound to locals before a range-for;
// iterating `x.get_array().value_unsafe()` directly would iterate a destroyed temporary.

// One parser per thread, reused: once its buffers have grown to the largest message this thread
// has seen, parsing a String.Array attribute or a body allocates nothing. Nothing here calls
// out while a parsed document is in use, so one parser per thread is enough.
simdjson::dom::parser& ThreadParser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

// Parses `text` with the thread's parser. Empty text is not JSON; it is refused here because an
// empty view may have a null data pointer, which simdjson would pass to memcpy.
bool ParseJson(std::string_view text, element& out) {
  return !text.empty() &&
         ThreadParser().parse(text.data(), text.size()).get(out) == simdjson::SUCCESS;
}

std::optional<Value> ScalarValue(element json) {
  switch (json.type()) {
    case element_type::STRING:
      return Value{Value::Type::kString, json.get_string().value_unsafe(), 0};
    case element_type::INT64:
      return Value{Value::Type::kNumber, {}, double(json.get_int64().value_unsafe())};
    case element_type::UINT64:
      return Value{Value::Type::kNumber, {}, double(json.get_uint64().value_unsafe())};
    case element_type::DOUBLE:
      return Value{Value::Type::kNumber, {}, json.get_double().value_unsafe()};
    case element_type::BOOL:
      return Value{
          json.get_bool().value_unsafe() ? Value::Type::kTrue : Value::Type::kFalse, {}, 0};
    case element_type::NULL_VALUE:
      return Value{Value::Type::kNull, {}, 0};
    case element_type::ARRAY:
    case element_type::OBJECT:
      break;
  }
  return std::nullopt;
}

// Calls `visit` with every scalar of `json`: the value itself, or each element of an array
// (arrays of arrays are flattened). An object is not a value. Stops, returning true, as soon
// as `visit` returns true.
template <typename Visit>
bool VisitValues(element json, Visit& visit) {
  if (json.type() == element_type::ARRAY) {
    const array items = json.get_array().value_unsafe();
    for (element item : items) {
      if (VisitValues(item, visit)) return true;
    }
    return false;
  }
  std::optional<Value> value = ScalarValue(json);
  return value && visit(*value);
}

// Calls `visit` with every value at the dotted `path` below `json`. The body's keys are joined
// with dots the way the policy's are, so "a.b" finds {"a":{"b":1}}, {"a.b":1} and, for "a.b.c",
// {"a.b":{"c":1}} and {"a":{"b.c":1}}; arrays on the way are looked through element by element.
template <typename Visit>
bool VisitPath(element json, std::string_view path, Visit& visit) {
  if (json.type() == element_type::ARRAY) {
    const array items = json.get_array().value_unsafe();
    for (element item : items) {
      if (VisitPath(item, path, visit)) return true;
    }
    return false;
  }
  if (json.type() != element_type::OBJECT) return false;
  const object fields = json.get_object().value_unsafe();
  for (auto field : fields) {
    std::string_view key = field.key;
    if (path == key) {
      if (VisitValues(field.value, visit)) return true;
    } else if (path.size() > key.size() && path[key.size()] == '.' && path.starts_with(key)) {
      if (VisitPath(field.value, path.substr(key.size() + 1), visit)) return true;
    }
  }
  return false;
}

bool SomeValueConditionMatches(const KeyRule& key, const Value& value) {
  for (const Condition& condition : key.conditions) {
    if (condition.kind != ConditionKind::kExists && condition.Matches(value)) return true;
  }
  return false;
}

// A key matches when one of its conditions does: a value condition through some value
// (`value_matched`), an exists condition through the key's presence.
bool KeyMatches(const KeyRule& key, bool value_matched, bool present) {
  if (value_matched) return true;
  for (const Condition& condition : key.conditions) {
    if (condition.kind == ConditionKind::kExists && condition.exists == present) return true;
  }
  return false;
}

enum class AttributeType : uint8_t { kString, kNumber, kStringArray, kInvisible };

// The base type decides ("Number.int" is a Number); Binary attributes, and types SNS would
// have refused at Publish, take no part in filtering.
AttributeType TypeOf(std::string_view data_type) {
  if (data_type == "String.Array") return AttributeType::kStringArray;
  std::string_view base = data_type.substr(0, data_type.find('.'));
  if (base == "String") return AttributeType::kString;
  if (base == "Number") return AttributeType::kNumber;
  return AttributeType::kInvisible;
}

bool AttributeKeyMatches(const KeyRule& key, std::span<const FilterAttribute> attributes) {
  const FilterAttribute* attribute = nullptr;
  for (const FilterAttribute& candidate : attributes) {
    if (candidate.name == key.path) {
      attribute = &candidate;
      break;
    }
  }
  AttributeType type = attribute ? TypeOf(attribute->data_type) : AttributeType::kInvisible;
  const bool present = type != AttributeType::kInvisible;
  bool value_matched = false;
  if (present && key.needs_values) {
    auto visit = [&key](const Value& value) { return SomeValueConditionMatches(key, value); };
    switch (type) {
      case AttributeType::kString:
        value_matched = visit(Value{Value::Type::kString, attribute->value, 0});
        break;
      case AttributeType::kNumber:
        // A Number whose text is not a number (SNS refuses those at Publish) has no value.
        if (std::optional<double> number = filter::ParseNumberText(attribute->value)) {
          value_matched = visit(Value{Value::Type::kNumber, {}, *number});
        }
        break;
      case AttributeType::kStringArray: {
        element values;
        if (ParseJson(attribute->value, values) && values.type() == element_type::ARRAY) {
          value_matched = VisitValues(values, visit);
        }
        break;
      }
      case AttributeType::kInvisible:
        break;
    }
  }
  return KeyMatches(key, value_matched, present);
}

// In the body a key is present when some value sits at its path; an object or an empty array
// there is not a value (AWS matches leaves only).
bool BodyKeyMatches(const KeyRule& key, element body) {
  bool present = false;
  auto visit = [&key, &present](const Value& value) {
    present = true;
    // Presence is all an exists-only key needs: stop at the first value.
    return !key.needs_values || SomeValueConditionMatches(key, value);
  };
  const bool stopped = VisitPath(body, key.path, visit);
  return KeyMatches(key, stopped && key.needs_values, present);
}

}  // namespace

bool FilterPolicy::Matches(std::span<const FilterAttribute> attributes) const {
  if (scope_ != FilterPolicyScope::kMessageAttributes) return false;
  for (const filter::Alternative& alternative : compiled_->alternatives) {
    bool all = true;
    for (const KeyRule& key : alternative.keys) {
      if (!AttributeKeyMatches(key, attributes)) {
        all = false;
        break;
      }
    }
    if (all) return true;
  }
  return false;
}

bool FilterPolicy::MatchesBody(std::string_view body) const {
  if (scope_ != FilterPolicyScope::kMessageBody) return false;
  element root;
  if (!ParseJson(body, root) || root.type() != element_type::OBJECT) return false;
  for (const filter::Alternative& alternative : compiled_->alternatives) {
    bool all = true;
    for (const KeyRule& key : alternative.keys) {
      if (!BodyKeyMatches(key, root)) {
        all = false;
        break;
      }
    }
    if (all) return true;
  }
  return false;
}

}  // namespace wharf::sns
